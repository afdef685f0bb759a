/**
 * Translation of Kubernetes schemas (CRD structural schemas and the core API's OpenAPI definitions) into plain JSON
 * Schema that ajv checks. Internal.
 *
 * The Kubernetes dialect differs from JSON Schema in ways that matter for validation:
 * - unknown fields are errors (strict field validation) unless `x-kubernetes-preserve-unknown-fields` is set, while
 *   JSON Schema allows them by default, so closed objects get `additionalProperties: false`;
 * - `x-kubernetes-int-or-string`, `IntOrString` and `Quantity` accept an integer (number) or a string;
 * - `x-kubernetes-list-type: map|set` demands unique keys/items, expressed here by the custom `k8sListType` keyword;
 * - vendor extensions and prose carry no validation and are dropped, so ajv never sees an unknown keyword;
 * - `pattern` is a Go (RE2) regular expression, whose leading `(?i)` flag JavaScript lacks (prometheus-operator's
 *   `partial_response_strategy` uses it), so it is spelled out as case-insensitive letters.
 */

/** The custom ajv keyword that checks `x-kubernetes-list-type` uniqueness. */
export const LIST_TYPE_KEYWORD = 'k8sListType';

/** The `$id` under which the Kubernetes definitions are registered with ajv. */
export const KUBERNETES_SCHEMA_ID = 'kubernetes';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** The serialized form of a resource.Quantity (`k8s.io/apimachinery/pkg/api/resource`): number, then suffix. */
export const QUANTITY_PATTERN = '^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$';

/** Keywords copied verbatim: they mean the same in both dialects. */
const COPIED = [
  'type', 'format', 'enum', 'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'minItems',
  'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required', 'nullable',
];

export interface ConversionOptions {
  /** Check `x-kubernetes-list-type` uniqueness (CRDs; the core API enforces it in Go code instead). */
  readonly listTypes: boolean;
  /**
   * Treat `type: object` with no declared fields as closed (CRD structural schemas prune such fields; the core API
   * uses bare objects for free-form JSON).
   */
  readonly closeBareObjects: boolean;
}

/** Converts one schema node and everything under it. */
export function toAjvSchema(node: any, options: ConversionOptions): any {
  if (node === true || node === false) return node;
  if (!node || typeof node !== 'object') return {};

  if (typeof node.$ref === 'string') return convertRef(node.$ref);

  const out: any = {};
  for (const key of COPIED) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (typeof node.pattern === 'string') out.pattern = toJsPattern(node.pattern);

  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-int-or-string'] === true) {
    // The CRD spells this as anyOf integer|string next to the flag; a type list gives one clear error instead.
    out.type = ['integer', 'string'];
    return out;
  }

  if (node.properties) {
    out.properties = {};
    for (const [field, child] of Object.entries(node.properties)) {
      out.properties[field] = toAjvSchema(child, options);
    }
  }
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = toAjvSchema(node.additionalProperties, options);
  } else if (!preserveUnknown && (node.properties || (options.closeBareObjects && node.type === 'object'))) {
    out.additionalProperties = false;
  }
  if (node.items) out.items = toAjvSchema(node.items, options);
  for (const combinator of ['oneOf', 'anyOf', 'allOf']) {
    if (Array.isArray(node[combinator])) out[combinator] = node[combinator].map((n: any) => toAjvSchema(n, options));
  }
  if (node.not) out.not = toAjvSchema(node.not, options);

  const listType = node['x-kubernetes-list-type'];
  if (options.listTypes && (listType === 'map' || listType === 'set')) {
    out[LIST_TYPE_KEYWORD] = { type: listType, keys: node['x-kubernetes-list-map-keys'] ?? [] };
  }
  return out;
}

/** The Kubernetes definitions as one ajv schema document, with the special string-or-number types made explicit. */
export function kubernetesDefinitionsSchema(definitions: Record<string, any>): any {
  const converted: Record<string, any> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    converted[name] = toAjvSchema(definition, { listTypes: false, closeBareObjects: false });
  }
  // Serialized as `oneOf string|integer` in the OpenAPI document; the API server accepts either.
  converted[INT_OR_STRING] = { type: ['integer', 'string'] };
  // Quantities are strings in canonical form, or plain numbers.
  converted[QUANTITY] = { type: ['string', 'number'], pattern: QUANTITY_PATTERN };
  return { $id: KUBERNETES_SCHEMA_ID, definitions: converted };
}

/** A reference to a Kubernetes definition, usable from any schema compiled by the same ajv instance. */
export function kubernetesRef(definition: string): any {
  return { $ref: `${KUBERNETES_SCHEMA_ID}#/definitions/${definition}` };
}

function convertRef(ref: string): any {
  const prefix = '#/definitions/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref} in the schema bundle`);
  return kubernetesRef(ref.slice(prefix.length));
}

/**
 * A Go pattern as a JavaScript one: a `(?i)` flag at the start (after an optional `^`) becomes both cases of every
 * letter: `[aA]` outside character classes, and a class's letters and ranges repeated in the other case
 * (`[a-c]` → `[a-cA-C]`); escaped characters (`\\d`) stay as they are.
 */
function toJsPattern(pattern: string): string {
  const flag = /^(\^?)\(\?i\)/.exec(pattern);
  if (!flag) return pattern;
  const body = pattern.slice(flag[0].length);
  let out = flag[1];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      out += c + (body[i + 1] ?? '');
      i++;
    } else if (c === '[') {
      let end = i + 1;
      if (body[end] === '^') end++;
      const negation = body.slice(i + 1, end);
      if (body[end] === ']') end++;
      while (end < body.length && body[end] !== ']') end += body[end] === '\\' ? 2 : 1;
      const content = body.slice(i + 1 + negation.length, end);
      out += `[${negation}${content}${swapCase(content)}]`;
      i = end;
    } else {
      out += /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
  }
  return out;
}

/** Swaps the case of unescaped letters. */
function swapCase(content: string): string {
  let out = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '\\') {
      out += c + (content[i + 1] ?? '');
      i++;
    } else {
      out += c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return out;
}
