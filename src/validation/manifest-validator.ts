import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { CelLayer } from './cel-layer';
import { ConsistencyRules } from './consistency/consistency-rules';
import { IndexedObject, ManifestIndex } from './consistency/manifest-index';
import { Finding, Severity } from './finding';
import { IstioRules } from './istio/istio-rules';
import { KubernetesRules } from './kubernetes/kubernetes-rules';
import { Reporter } from './reporter';
import { SchemaLayer } from './schema-layer';
import { useAppValidator } from '../private/synth-validation';

/**
 * Options for `ManifestValidator`.
 */
export interface ManifestValidatorOptions {
  /**
   * The Istio root namespace: DestinationRules there apply mesh-wide, and a selector-less AuthorizationPolicy there
   * applies to every workload.
   *
   * @default "istio-system"
   */
  readonly rootNamespace?: string;

  /**
   * The namespace assumed for objects that do not set `metadata.namespace` (kubectl applies them to its current
   * namespace).
   *
   * @default "default"
   */
  readonly defaultNamespace?: string;

  /**
   * Gateways that exist in the cluster but are not part of the validated manifests (for example one installed by the
   * Istio Helm charts), as `namespace/name`. VirtualServices may bind to them without an "unknown gateway" error.
   *
   * @default - none: every gateway a VirtualService names must be in the manifests
   */
  readonly externalGateways?: string[];

  /**
   * Fail on warnings too (what istiod admits but prints on apply): the `assertValid*` methods throw, the validation
   * plugin fails the synthesis.
   *
   * @default false - warnings are reported, only errors fail
   */
  readonly failOnWarnings?: boolean;
}

/**
 * Validates synthesized manifests offline, the way the cluster would: the API server (Istio CRD structural schemas
 * and CEL rules, Kubernetes 1.28 schemas and validation), istiod's validating webhook, and the cross-object checks of
 * `istioctl analyze` (gateways, subsets, ServiceEntries, ports).
 *
 * Nothing is read from the network or a cluster; the schemas ship with this package (`imports/schemas.json`).
 *
 * Use `validateChart`/`validateApp`/`validateManifests` to get the findings, or `assertValid` in a jest snapshot
 * test: it returns the chart's manifests and throws an Error listing every ERROR finding.
 */
export class ManifestValidator {
  /**
   * Validates parsed manifests (the objects of one or more YAML documents) as one set.
   *
   * @param manifests the Kubernetes objects, e.g. `Testing.synth(chart)` or the documents of a synthesized YAML file
   * @returns every finding, errors and warnings, in manifest order
   */
  public static validateManifests(manifests: any[], options: ManifestValidatorOptions = {}): Finding[] {
    return ManifestValidator.validateSet(manifests, options).flatMap(o => o.report.findings);
  }

  /**
   * Synthesizes a chart (as `Testing.synth` does, running the app's construct validations) and validates its
   * manifests in the context of the whole app: objects in the app's other charts count for the cross-object checks
   * (a Gateway there satisfies a VirtualService here), but only findings about this chart's objects are returned.
   */
  public static validateChart(chart: Chart, options: ManifestValidatorOptions = {}): Finding[] {
    return ManifestValidator.validateChartObjects(chart, options).findings;
  }

  /**
   * Synthesizes every chart of an app and validates all their manifests as one set, so cross-chart references
   * (a VirtualService in one chart, its Gateway in another) are checked.
   */
  public static validateApp(app: App, options: ManifestValidatorOptions = {}): Finding[] {
    return ManifestValidator.validateManifests(app.charts.flatMap(chart => chart.toJson()), options);
  }

  /**
   * Validates manifests and throws an Error listing every ERROR finding (and warning, with `failOnWarnings`);
   * returns the manifests otherwise.
   */
  public static assertValidManifests(manifests: any[], options: ManifestValidatorOptions = {}): any[] {
    ManifestValidator.throwOnFailures(ManifestValidator.validateManifests(manifests, options), options);
    return manifests;
  }

  /**
   * Synthesizes a chart and throws an Error listing every ERROR finding (and warning, with `failOnWarnings`);
   * returns the manifests otherwise. Meant for
   * snapshot tests: `expect(ManifestValidator.assertValid(chart)).toMatchSnapshot()`.
   */
  public static assertValid(chart: Chart, options: ManifestValidatorOptions = {}): any[] {
    const { manifests, findings } = ManifestValidator.validateChartObjects(chart, options);
    ManifestValidator.throwOnFailures(findings, options);
    return manifests;
  }

  /**
   * Like `ManifestValidator.assertValid`, for all charts of an app.
   */
  public static assertValidApp(app: App, options: ManifestValidatorOptions = {}): any[] {
    return ManifestValidator.assertValidManifests(app.charts.flatMap(chart => chart.toJson()), options);
  }

  /**
   * Renders findings one per line: `SEVERITY Kind namespace/name path [RULE] message`.
   */
  public static formatFindings(findings: Finding[]): string {
    if (findings.length === 0) return 'no findings';
    const lines = findings.map(f => `  ${f.severity} ${f.objectName}${f.path ? ` ${f.path}` : ''} [${f.rule}] ${f.message}`);
    const errors = findings.filter(f => f.severity === Severity.ERROR).length;
    return `${errors} error(s) and ${findings.length - errors} warning(s) in the synthesized manifests:\n${lines.join('\n')}`;
  }

  private static throwOnFailures(findings: Finding[], options: ManifestValidatorOptions): void {
    const failures = options.failOnWarnings ? findings : findings.filter(f => f.severity === Severity.ERROR);
    if (failures.length > 0) throw new Error(ManifestValidator.formatFindings(failures));
  }

  /** A chart's manifests and the findings about them, validated together with the rest of its app. */
  private static validateChartObjects(chart: Chart, options: ManifestValidatorOptions): { manifests: any[]; findings: Finding[] } {
    const manifests = chart.toJson();
    const others = App.of(chart).charts.filter(c => c !== chart).flatMap(c => c.toJson());
    const ours = new Set(manifests);
    const findings = ManifestValidator.validateSet([...manifests, ...others], options)
      .filter(o => ours.has(o.manifest))
      .flatMap(o => o.report.findings);
    return { manifests, findings };
  }

  /** Runs every layer over a set of manifests; each object keeps its own findings. */
  private static validateSet(manifests: any[], options: ManifestValidatorOptions): IndexedObject[] {
    const defaultNamespace = options.defaultNamespace ?? 'default';
    const objects: IndexedObject[] = [];
    const seen = new Set<string>();
    const schema = SchemaLayer.get();
    const cel = CelLayer.get();
    for (const manifest of manifests) {
      const report = new Reporter(Reporter.describe(manifest));
      if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
        report.error('', 'SCHEMA-TYPE', `a manifest must be an object, got ${manifest === null ? 'null' : Array.isArray(manifest) ? 'an array' : typeof manifest}`);
        objects.push({ manifest, namespace: defaultNamespace, name: '', report });
        continue;
      }
      const namespace = typeof manifest.metadata?.namespace === 'string' ? manifest.metadata.namespace : defaultNamespace;
      const name = typeof manifest.metadata?.name === 'string' ? manifest.metadata.name : '';
      if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
        report.error('', 'SCHEMA-TYPE', 'apiVersion and kind are required strings: every manifest must say what it is');
      } else {
        const identity = `${manifest.apiVersion.split('/').slice(0, -1).join('/')}/${manifest.kind}/${namespace}/${name}`;
        if (seen.has(identity)) {
          report.error('metadata.name', 'K8S-DUPLICATE-OBJECT',
            `${report.object} is defined twice; the second definition silently replaces the first when applied: give one of them another name`);
        }
        seen.add(identity);
        KubernetesRules.validate(manifest, report);
        const checked = schema.validate(manifest, report);
        const group = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/')[0] : '';
        if (!checked && !KUBERNETES_GROUPS.has(group)) {
          report.warning('apiVersion', 'SCHEMA-UNKNOWN-GROUP', `${manifest.apiVersion} ${manifest.kind} is of a kind this validator has no `
            + 'schema for, so its fields were not checked; the cluster must have its CRD installed, and its content is yours to review');
        }
        if (checked) cel.validate(manifest, report);
        if (IstioRules.handles(manifest)) IstioRules.validate(manifest, report, namespace);
      }
      objects.push({ manifest, namespace, name, report });
    }
    const wellFormed = objects.filter(o => o.manifest !== null && typeof o.manifest === 'object' && !Array.isArray(o.manifest));
    ConsistencyRules.validate(new ManifestIndex(wellFormed, options.rootNamespace ?? 'istio-system'), options.externalGateways ?? []);
    return objects;
  }
}

/** The API groups built into Kubernetes 1.28: their kinds are the API server's, not custom resources. */
const KUBERNETES_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'discovery.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'scheduling.k8s.io', 'certificates.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'events.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'internal.apiserver.k8s.io', 'resource.k8s.io',
  // Not a cluster API: IstioOperator is istioctl's input, and istioctl checks it.
  'install.istio.io',
]);

// What runs at every synth of an app holding this library's constructs (see private/synth-validation.ts): the
// errors of all its manifests, each naming the construct path of the object and the rule. Under `cdk8s synth` with
// IstioValidationPlugin configured, the plugin validates the same objects right after, so the app leaves them to it
// rather than validate them twice.
useAppValidator(charts => {
  if (charts.length === 0 || pluginWillValidate()) return [];
  const pathOf = new Map<string, string>();
  // Object by object: `Chart.toJson` would run the app's validations again, this one included.
  const manifests = charts.flatMap(chart => chart.node.findAll().filter(ApiObject.isApiObject).filter(o => Chart.of(o) === chart))
    .map(object => {
      const manifest = object.toJson();
      pathOf.set(Reporter.describe(manifest), object.node.path);
      return manifest;
    });
  // cdk8s validates the whole app again for every chart it writes; the same objects give the same errors.
  const root = charts[0].node.root;
  const key = JSON.stringify([manifests, [...pathOf]]);
  const last = LAST_RUN.get(root);
  if (last?.key === key) return last.errors;
  const errors = ManifestValidator.validateManifests(manifests)
    .filter(f => f.severity === Severity.ERROR)
    .map(f => `${pathOf.get(f.objectName) ?? f.objectName} (${f.objectName}${f.path ? ` ${f.path}` : ''}): ${f.message} [${f.rule}]`);
  LAST_RUN.set(root, { key, errors });
  return errors;
});

/** The last synth-time validation of each app: what it validated and the errors it found. */
const LAST_RUN = new WeakMap<IConstruct, { readonly key: string; readonly errors: string[] }>();

/** Whether the cdk8s CLI runs this app and will hand its manifests to IstioValidationPlugin (its cdk8s.yaml says so). */
function pluginWillValidate(): boolean {
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== 'true') return false;
  try {
    const config = YAML.parse(fs.readFileSync(path.join(process.cwd(), 'cdk8s.yaml'), 'utf8'));
    return Array.isArray(config?.validations) && config.validations.some((v: any) => v?.class === 'IstioValidationPlugin');
  } catch {
    return false;
  }
}
