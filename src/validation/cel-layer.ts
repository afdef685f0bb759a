import { CelEnv, CelResult, CelScalar, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { CelKubernetesLibrary } from './cel-kubernetes-library';
import { childPath, Reporter } from './reporter';
import { SchemaBundle } from './schema-bundle';

/** One `x-kubernetes-validations` entry, compiled. */
interface CompiledRule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  /** Undefined for transition rules (they reference `oldSelf` and never run on create). */
  readonly program?: (bindings: { self: any }) => CelResult;
}

/** The schema nodes that carry rules, and the way down to them; subtrees without rules are left out. */
interface RuleNode {
  readonly schema: any;
  readonly rules: CompiledRule[];
  readonly properties?: Map<string, RuleNode>;
  readonly items?: RuleNode;
  readonly values?: RuleNode;
}

/** The outcome of compiling one distinct rule. */
export interface RuleCompilation {
  readonly rule: string;
  /** Why the rule cannot be evaluated (parse error, unknown function); undefined when it compiled. */
  readonly error?: string;
}

/**
 * Layer 2: every CEL rule of the bundle's CRDs (`x-kubernetes-validations`), evaluated with `self` bound at the node that
 * declares it, including rules under list items and map values. Internal.
 */
export class CelLayer {
  /** The shared layer. */
  public static get(): CelLayer {
    if (!CelLayer.instance) CelLayer.instance = new CelLayer(SchemaBundle.get());
    return CelLayer.instance;
  }

  private static instance?: CelLayer;

  private readonly env: CelEnv;
  private readonly compiled = new Map<string, CompiledRule | RuleCompilation>();
  private readonly trees = new Map<string, RuleNode | undefined>();

  private constructor(private readonly bundle: SchemaBundle) {
    this.env = celEnv({ funcs: CelKubernetesLibrary.functions(), variables: { self: CelScalar.DYN } });
  }

  /** Compiles every distinct rule of the bundle, so an unsupported function shows up before any object needs it. */
  public compileAll(): RuleCompilation[] {
    const rules = new Set<string>();
    const collect = (node: any) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(collect);
      for (const r of node['x-kubernetes-validations'] ?? []) rules.add(r.rule);
      Object.values(node).forEach(collect);
    };
    this.bundle.customResourceKinds().forEach(k => collect(k.schema));
    return [...rules].sort().map(rule => {
      const result = this.compile({ rule });
      return { rule, error: 'error' in result ? result.error : undefined };
    });
  }

  /** Evaluates the rules of a custom resource's kind; nothing for kinds the bundle has no CRD of. */
  public validate(manifest: any, reporter: Reporter): void {
    const apiVersion: string = manifest?.apiVersion ?? '';
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const key = `${group}/${manifest?.kind}`;
    if (!this.trees.has(key)) {
      const kind = this.bundle.customResourceKind(group, manifest?.kind);
      this.trees.set(key, kind ? this.buildNode(kind.schema) : undefined);
    }
    const tree = this.trees.get(key);
    if (tree) this.walk(tree, manifest, '', reporter);
  }

  private buildNode(schema: any): RuleNode | undefined {
    if (!schema || typeof schema !== 'object') return undefined;
    const rules: CompiledRule[] = [];
    for (const entry of schema['x-kubernetes-validations'] ?? []) {
      const result = this.compile(entry);
      if ('error' in result && result.error) throw new Error(`CEL rule ${JSON.stringify(entry.rule)} cannot be compiled: ${result.error}`);
      rules.push(result as CompiledRule);
    }
    let properties: Map<string, RuleNode> | undefined;
    for (const [field, child] of Object.entries(schema.properties ?? {})) {
      const node = this.buildNode(child);
      if (node) (properties ??= new Map()).set(field, node);
    }
    const items = this.buildNode(schema.items);
    const values = typeof schema.additionalProperties === 'object' ? this.buildNode(schema.additionalProperties) : undefined;
    if (rules.length === 0 && !properties && !items && !values) return undefined;
    return { schema, rules, properties, items, values };
  }

  private compile(entry: { rule: string; message?: string; fieldPath?: string }): CompiledRule | RuleCompilation {
    const cacheKey = JSON.stringify([entry.rule, entry.message, entry.fieldPath]);
    const cached = this.compiled.get(cacheKey);
    if (cached) return cached;
    let result: CompiledRule | RuleCompilation;
    try {
      const parsed = parse(entry.rule);
      const { functions, identifiers } = references(parsed.expr);
      const unknown = [...functions].filter(f => !this.env.funcs.find(f) && !CelKubernetesLibrary.BUILTIN_OPERATORS.has(f));
      if (unknown.length > 0) {
        result = { rule: entry.rule, error: `unsupported function(s): ${unknown.join(', ')}` };
      } else {
        const transition = identifiers.has('oldSelf');
        result = {
          rule: entry.rule,
          message: entry.message,
          fieldPath: entry.fieldPath,
          program: transition ? undefined : plan(this.env, parsed) as (bindings: { self: any }) => CelResult,
        };
      }
    } catch (e: any) {
      result = { rule: entry.rule, error: String(e?.message ?? e) };
    }
    this.compiled.set(cacheKey, result);
    return result;
  }

  private walk(node: RuleNode, value: any, path: string, reporter: Reporter): void {
    if (value === undefined || value === null || !matchesType(node.schema, value)) return;
    if (node.rules.length > 0) {
      const self = toCel(value, node.schema);
      for (const rule of node.rules) this.evaluate(rule, self, value, path, reporter);
    }
    if (node.properties && isPlainObject(value)) {
      for (const [field, child] of node.properties) this.walk(child, value[field], childPath(path, field), reporter);
    }
    if (node.items && Array.isArray(value)) {
      value.forEach((item, index) => this.walk(node.items!, item, childPath(path, index), reporter));
    }
    if (node.values && isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) this.walk(node.values, item, childPath(path, key), reporter);
    }
  }

  private evaluate(rule: CompiledRule, self: any, raw: any, path: string, reporter: Reporter): void {
    if (!rule.program) return;
    const where = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
    const shown = where === '' ? '<root>' : where;
    const type = celTypeName(raw);
    const explanation = rule.message?.trim() || `failed rule: ${rule.rule}`;
    const result = rule.program({ self });
    if (isCelError(result)) {
      // The API server's wording for a rule that errors at runtime: "<error> evaluating rule: <message>".
      reporter.error(where, 'CEL-EVALUATION', `${shown}: Invalid value: "${type}": ${result.message} evaluating rule: ${explanation}`);
    } else if (result !== true) {
      reporter.error(where, 'CEL-RULE', `${shown}: Invalid value: "${type}": ${explanation}`);
    }
  }
}

/** Function names and identifiers an expression uses (macros are already expanded by the parser). */
function references(expr: any): { functions: Set<string>; identifiers: Set<string> } {
  const functions = new Set<string>();
  const identifiers = new Set<string>();
  const visit = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const kind = node.exprKind;
    if (kind?.case === 'callExpr') functions.add(kind.value.function);
    if (kind?.case === 'identExpr') identifiers.add(kind.value.name);
    for (const [key, child] of Object.entries(node)) {
      if (key !== '$typeName' && typeof child === 'object') visit(child);
    }
  };
  visit(expr);
  return { functions, identifiers };
}

/**
 * A value in CEL's terms: integers declared by the schema become CEL ints (bigint); everything else maps as is
 * (numbers are doubles, objects are maps).
 */
function toCel(value: any, schema: any): any {
  if (Array.isArray(value)) return value.map(item => toCel(item, schema?.items));
  if (isPlainObject(value)) {
    const out: Record<string, any> = {};
    for (const [key, item] of Object.entries(value)) {
      const child = schema?.properties?.[key] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      out[key] = toCel(item, child);
    }
    return out;
  }
  if (typeof value === 'number' && Number.isInteger(value)
    && (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true)) {
    return BigInt(value);
  }
  return value;
}

/** Rules only run on values of the declared type; a mismatch is the schema layer's finding. */
function matchesType(schema: any, value: any): boolean {
  switch (schema?.type) {
    case 'object': return isPlainObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

function celTypeName(value: any): string {
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isPlainObject(value: any): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
