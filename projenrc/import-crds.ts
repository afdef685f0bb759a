/**
 * `npx projen import`: generates imports/ from the pinned upstream schemas in ../shared/crds.
 *
 * - imports/<group>.ts: typed cdk8s classes (via the real `cdk8s import`) for the Istio and prometheus-operator
 *   kinds the library emits, one version per kind (v1 where it exists).
 * - imports/schemas.json: the compact validation bundle read at runtime by the validator (structural schemas and
 *   CEL rules of every kind in the custom-resource groups we emit, plus the Kubernetes 1.28 definitions of the core
 *   kinds we emit).
 *
 * Upstream prose (`description`) is stripped from both, so nothing generated carries upstream text. The output is
 * deterministic: running the task twice gives identical bytes. ../shared is a developer/CI resource, not a user
 * one, so when it is missing the task says so and leaves the committed output alone.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'crds');
/** The output folder: imports/, or the folder given as the first argument (the reproducibility test uses one). */
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, 'imports'));

const ISTIO_CRDS = path.join(SHARED, 'istio-1.30.3', 'crd-all.gen.yaml');
const PROMETHEUS_OPERATOR_CRDS = path.join(SHARED, 'prometheus-operator-v0.93.0');
const K8S_DEFINITIONS = path.join(SHARED, 'kubernetes-v1.28.0', '_definitions.json');

/** The API groups whose kinds the library emits (and so validates). */
const ISTIO_GROUPS = ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io'];

/**
 * The prometheus-operator CRDs the validator learns: the kinds the observability constructs emit (PodMonitor,
 * PrometheusRule), and ServiceMonitor, which users write next to them.
 */
const PROMETHEUS_OPERATOR_FILES = [
  'monitoring.coreos.com_podmonitors.yaml',
  'monitoring.coreos.com_prometheusrules.yaml',
  'monitoring.coreos.com_servicemonitors.yaml',
];

/** The kinds that get typed classes: what the constructs actually emit. */
const TYPED_KINDS = [
  'ServiceEntry', 'Gateway', 'VirtualService', 'DestinationRule', 'Sidecar', 'AuthorizationPolicy', 'PeerAuthentication',
  'RequestAuthentication', 'Telemetry', 'PodMonitor', 'PrometheusRule',
];

/** Kubernetes kinds we emit, by their definition name in the OpenAPI document. */
const K8S_KINDS: Record<string, string> = {
  'v1/Service': 'io.k8s.api.core.v1.Service',
  'v1/ServiceAccount': 'io.k8s.api.core.v1.ServiceAccount',
  'v1/ConfigMap': 'io.k8s.api.core.v1.ConfigMap',
  'v1/Namespace': 'io.k8s.api.core.v1.Namespace',
  'apps/v1/Deployment': 'io.k8s.api.apps.v1.Deployment',
  'discovery.k8s.io/v1/EndpointSlice': 'io.k8s.api.discovery.v1.EndpointSlice',
  'networking.k8s.io/v1/NetworkPolicy': 'io.k8s.api.networking.v1.NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role': 'io.k8s.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'io.k8s.api.rbac.v1.RoleBinding',
  'autoscaling/v2/HorizontalPodAutoscaler': 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'io.k8s.api.policy.v1.PodDisruptionBudget',
};

function main() {
  if (!fs.existsSync(SHARED)) {
    console.log(`import: skipped, ${path.relative(ROOT, SHARED)} is not here; the committed imports/ are kept as they are`);
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const crds = [
    ...readCrds(ISTIO_CRDS, 'Istio 1.30', ISTIO_GROUPS),
    ...PROMETHEUS_OPERATOR_FILES.flatMap(file =>
      readCrds(path.join(PROMETHEUS_OPERATOR_CRDS, file), 'prometheus-operator v0.93', ['monitoring.coreos.com'])),
  ].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  generateTypedClasses(crds.filter(crd => TYPED_KINDS.includes(crd.spec.names.kind)));
  const bundle = {
    customResources: customResourceSchemas(crds),
    kubernetes: kubernetesSchemas(),
  };
  fs.writeFileSync(path.join(OUT, 'schemas.json'), JSON.stringify(sortKeys(bundle)) + '\n');
  console.log(`import: wrote ${TYPED_KINDS.length} typed kinds and imports/schemas.json `
    + `(${Object.keys(bundle.customResources).length} custom resource kinds, ${Object.keys(bundle.kubernetes.kinds).length} Kubernetes kinds)`);
}

/**
 * The CRDs of `groups` in one upstream file, each reduced to the one version we type against, with prose stripped;
 * `source` names the release in the validator's messages.
 */
function readCrds(file: string, source: string, groups: string[]): any[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON()).filter(Boolean);
  return docs
    .filter(crd => crd.kind === 'CustomResourceDefinition' && groups.includes(crd.spec.group))
    .map(crd => {
      const versions: any[] = crd.spec.versions;
      const chosen = versions.find(v => v.name === 'v1') ?? versions.find(v => v.storage);
      return {
        apiVersion: crd.apiVersion,
        kind: crd.kind,
        metadata: { name: crd.metadata.name },
        spec: { ...crd.spec, versions: [stripDescriptions(chosen)] },
        servedVersions: versions.filter(v => v.served).map(v => v.name),
        source,
      };
    });
}

function generateTypedClasses(crds: any[]) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
  try {
    const file = path.join(tmp, 'crds.yaml');
    fs.writeFileSync(file, crds.map(({ servedVersions, source, ...crd }) => YAML.stringify(crd)).join('---\n'));
    const cli = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
    execFileSync(cli, ['import', '--no-check-upgrade', '--language', 'typescript', '--output', OUT, file], { stdio: 'inherit' });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** group/kind → the served versions, the release, and the one schema (with its CEL rules inline) they share. */
function customResourceSchemas(crds: any[]) {
  const out: Record<string, unknown> = {};
  for (const crd of crds) {
    out[`${crd.spec.group}/${crd.spec.names.kind}`] = {
      versions: crd.servedVersions,
      source: crd.source,
      scope: crd.spec.scope,
      schema: crd.spec.versions[0].schema.openAPIV3Schema,
    };
  }
  return out;
}

/** The definitions of the Kubernetes kinds we emit, closed over their $refs. */
function kubernetesSchemas() {
  const all = JSON.parse(fs.readFileSync(K8S_DEFINITIONS, 'utf8')).definitions;
  const definitions: Record<string, unknown> = {};
  const visit = (name: string) => {
    if (definitions[name]) return;
    const def = all[name];
    if (!def) throw new Error(`import: definition ${name} is not in ${K8S_DEFINITIONS}`);
    definitions[name] = stripDescriptions(def);
    for (const ref of refsOf(def)) visit(ref);
  };
  Object.values(K8S_KINDS).forEach(visit);
  return { kinds: K8S_KINDS, definitions };
}

function refsOf(node: unknown): string[] {
  const found: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === '$ref' && typeof v === 'string') found.push(v.replace('#/definitions/', ''));
        else walk(v);
      }
    }
  };
  walk(node);
  return found;
}

/**
 * Removes schema prose. `description` is dropped only where it annotates a schema node; a field that happens to be
 * named `description` (a key inside `properties`) is kept.
 */
function stripDescriptions(node: any): any {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && typeof value === 'string') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([field, schema]) => [field, stripDescriptions(schema)]));
    } else {
      out[key] = stripDescriptions(value);
    }
  }
  return out;
}

function sortKeys(node: any): any {
  if (Array.isArray(node)) return node.map(sortKeys);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.keys(node).sort().map(k => [k, sortKeys(node[k])]));
}

main();
