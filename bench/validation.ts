/**
 * Benchmark: validate ~10,000 representative objects with every layer (schema, CEL, istiod rules, Kubernetes rules,
 * cross-object consistency) and print objects, the median of 5 runs, and objects per second.
 *
 * Run: ts-node --project bench/tsconfig.json bench/validation.ts
 */
import { performance } from 'perf_hooks';
import { Severity } from '../src/validation/finding';
import { ManifestValidator } from '../src/validation/manifest-validator';

const RUNS = 5;
const GROUPS = 1700;

/** One egress unit (ServiceEntry, Gateway, VirtualService, DestinationRule, NetworkPolicy, Deployment) per index. */
function unit(i: number): any[] {
  const ns = `team-${i % 50}`;
  const host = `api-${i}.example.com`;
  const gatewayNs = 'istio-egress';
  const gatewayHost = `egress.${gatewayNs}.svc.cluster.local`;
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: `api-${i}`, namespace: ns },
      spec: { hosts: [host], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL', exportTo: ['.', gatewayNs] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: `egress-${i}`, namespace: gatewayNs },
      spec: { selector: { istio: 'egressgateway' }, servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: [host], tls: { mode: 'PASSTHROUGH' } }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: `api-${i}`, namespace: ns },
      spec: {
        hosts: [host],
        gateways: ['mesh', `${gatewayNs}/egress-${i}`],
        exportTo: ['.', gatewayNs],
        tls: [
          { match: [{ gateways: ['mesh'], port: 443, sniHosts: [host] }], route: [{ destination: { host: gatewayHost, subset: `api-${i}`, port: { number: 443 } } }] },
          { match: [{ gateways: [`${gatewayNs}/egress-${i}`], port: 443, sniHosts: [host] }], route: [{ destination: { host, port: { number: 443 } } }] },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: `egress-${i}`, namespace: ns },
      spec: { host: gatewayHost, exportTo: ['.'], subsets: [{ name: `api-${i}` }], trafficPolicy: { connectionPool: { tcp: { connectTimeout: '5s', maxConnections: 100 } } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `egress-${i}`, namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: `client-${i}` } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gatewayNs } }, podSelector: { matchLabels: { istio: 'egressgateway' } } }], ports: [{ port: 8443, protocol: 'TCP' }] }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `client-${i}`, namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `client-${i}` } },
        template: {
          metadata: { labels: { app: `client-${i}` } },
          spec: { containers: [{ name: 'app', image: 'example/client:1.0', ports: [{ name: 'http', containerPort: 8080 }], resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } } }] },
        },
      },
    },
  ];
}

function shared(): any[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'egress', namespace: 'istio-egress' },
      spec: {
        selector: { matchLabels: { istio: 'egressgateway' } },
        template: { metadata: { labels: { istio: 'egressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto', ports: [{ name: 'tls', containerPort: 8443 }] }] } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'egress', namespace: 'istio-egress' },
      spec: { selector: { istio: 'egressgateway' }, ports: [{ name: 'tls', port: 443, targetPort: 8443 }] },
    },
  ];
}

const manifests = [...shared(), ...Array.from({ length: GROUPS }, (_, i) => unit(i)).flat()];
const times: number[] = [];
let findings = ManifestValidator.validateManifests(manifests.slice(0, 0));
for (let run = 0; run < RUNS; run++) {
  const copy = JSON.parse(JSON.stringify(manifests));
  const start = performance.now();
  findings = ManifestValidator.validateManifests(copy);
  times.push((performance.now() - start) / 1000);
}
const errors = findings.filter(f => f.severity === Severity.ERROR);
if (errors.length > 0) throw new Error(`the benchmark set must be valid:\n${ManifestValidator.formatFindings(errors.slice(0, 20))}`);
const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
console.log(`objects: ${manifests.length}`);
console.log(`runs (s): ${times.map(t => t.toFixed(3)).join(' ')} (the first includes compiling the schemas)`);
console.log(`median: ${median.toFixed(3)} s`);
console.log(`throughput: ${Math.round(manifests.length / median)} objects/s`);
