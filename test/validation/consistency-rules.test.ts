import { egressStack } from './egress-stack';
import {
  ALL, authorizationPolicy, deployment, gateway, patch, service, serviceEntry, withField,
} from './fixtures';
import { Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';

const { ERROR, WARNING } = Severity;

/** The egress pattern: the mesh leg sends api.example.com to the gateway, the gateway leg sends it out. */
const [[, egressRoute]] = egressStack();
const gatewaySubsets = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'egress-subsets', namespace: 'apps' },
  spec: { host: 'egress.istio-egress.svc.cluster.local', subsets: [{ name: 'api' }] },
};
const egressSet = [serviceEntry, gateway, service, deployment, gatewaySubsets, egressRoute];

const findingsOf = (manifests: any[], options = {}) => ManifestValidator.validateManifests(manifests, options);
const replace = (set: any[], original: any, replacement: any) => set.map(m => (m === original ? replacement : m));

/** Sets of objects that are each valid but do not work together: [rule, severity, objects]. */
const CASES: [string, Severity, any[]][] = [
  ['IST-XREF-GATEWAY-NOT-FOUND', ERROR, replace(egressSet, egressRoute, withField(egressRoute, 'spec.gateways', ['mesh', 'istio-egress/egress-gateway']))],
  ['IST-XREF-GATEWAY-NOT-FOUND', ERROR, replace(egressSet, egressRoute, withField(egressRoute, 'spec.tls.1.match.0.gateways', ['egress']))],
  ['IST-XREF-SUBSET-NOT-FOUND', ERROR, replace(egressSet, gatewaySubsets, withField(gatewaySubsets, 'spec.subsets', [{ name: 'other' }]))],
  ['IST-XREF-SUBSET-NOT-FOUND', ERROR, egressSet.filter(m => m !== gatewaySubsets)],
  // Exported only to its own namespace (istio-egress), the DestinationRule is invisible to clients in apps.
  ['IST-XREF-SUBSET-NOT-FOUND', ERROR, replace(egressSet, gatewaySubsets, patch(gatewaySubsets, { metadata: { namespace: 'istio-egress' }, spec: { exportTo: ['.'] } }))],
  ['IST-XREF-EGRESS-RESOLUTION', ERROR, replace(egressSet, serviceEntry, withField(serviceEntry, 'spec.resolution', 'NONE'))],
  ['IST-XREF-EGRESS-NO-SERVICE-ENTRY', ERROR, egressSet.filter(m => m !== serviceEntry)],
  // The gateway leg sends api.example.com to 8443, which its ServiceEntry does not declare: 503 at runtime.
  ['IST-XREF-SERVICE-ENTRY-PORT', ERROR, replace(egressSet, egressRoute, withField(egressRoute, 'spec.tls.1.route.0.destination.port.number', 8443))],
  ['IST-XREF-GATEWAY-SELECTOR', ERROR, replace(egressSet, gateway, withField(gateway, 'spec.selector', { istio: 'egress-gateway' }))],
  ['IST-XREF-GATEWAY-PORT', ERROR, replace(egressSet, gateway, withField(gateway, 'spec.servers.0.port.number', 9443))],
  ['IST-XREF-SERVICE-ENTRY-CONFLICT', ERROR, [serviceEntry, patch(serviceEntry, { metadata: { name: 'api-again' }, spec: { ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] } })]],
  ['IST-XREF-SERVICE-ENTRY-CONFLICT', ERROR, [serviceEntry, patch(serviceEntry, { metadata: { name: 'api-again' }, spec: { resolution: 'NONE' } })]],
  ['IST-XREF-ROOT-AUTHZ', WARNING, [patch(withField(authorizationPolicy, 'spec.selector', undefined), { metadata: { namespace: 'istio-system' } })]],
  // A route bound to the egress Gateway for a host none of its servers serves: 404 NR at the gateway.
  ['IST-XREF-VS-HOST-NOT-IN-GATEWAY', ERROR, replace(egressSet, gateway, withField(gateway, 'spec.servers.0.hosts', ['other.example.com']))],
  // Served, but only to VirtualServices of the gateway's own namespace.
  ['IST-XREF-VS-HOST-NOT-IN-GATEWAY', ERROR, replace(egressSet, gateway, withField(gateway, 'spec.servers.0.hosts', ['./api.example.com']))],
  ['IST-XREF-GATEWAY-DUPLICATE-CERTIFICATE', WARNING, [
    withField(gateway, 'spec.servers', [
      { port: { number: 443, name: 'https-a', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
    ]),
    patch(withField(gateway, 'spec.servers', [
      { port: { number: 443, name: 'https-b', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
    ]), { metadata: { name: 'egress-b' } }),
  ]],
  ['IST-XREF-GATEWAY-DUPLICATE-CERTIFICATE', WARNING, [
    withField(gateway, 'spec.servers', [
      { port: { number: 443, name: 'https-a', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
      { port: { number: 443, name: 'https-b', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
    ]),
  ]],
  ['K8S-DUPLICATE-OBJECT', ERROR, [service, withField(service, 'spec.ports', [{ name: 'http', port: 80 }])]],
];

/** Sets Istio serves as written, which a rule must not flag: [rule, objects]. */
const ACCEPTED: [string, string, any[]][] = [
  // istiod serves the intersection of route and server hosts: a wildcard route on a server of one host.
  ['a wildcard route host on a server of one host', 'IST-XREF-VS-HOST-NOT-IN-GATEWAY',
    replace(egressSet, egressRoute, withField(egressRoute, 'spec.hosts', ['*.example.com']))],
  // A route bound to the gateway and the mesh, with a short in-mesh name beside the gateway's host.
  ['a route of the gateway and the mesh with a host only the mesh serves', 'IST-XREF-VS-HOST-NOT-IN-GATEWAY',
    replace(egressSet, egressRoute, withField(egressRoute, 'spec.hosts', ['api.example.com', 'api']))],
  ['one certificate on two Gateways of different pods', 'IST-XREF-GATEWAY-DUPLICATE-CERTIFICATE', [
    withField(gateway, 'spec.servers', [{ port: { number: 443, name: 'https-a', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } }]),
    patch(withField(withField(gateway, 'spec.selector', { istio: 'other' }), 'spec.servers', [
      { port: { number: 443, name: 'https-b', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
    ]), { metadata: { name: 'egress-b' } }),
  ]],
  ['one certificate for one host on two ports', 'IST-XREF-GATEWAY-DUPLICATE-CERTIFICATE', [
    withField(gateway, 'spec.servers', [
      { port: { number: 443, name: 'https-a', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
      { port: { number: 8443, name: 'https-b', protocol: 'HTTPS' }, hosts: ['b.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shared' } },
    ]),
  ]],
];

describe('cross-object consistency |', () => {
  test.each(ACCEPTED)('accepts %s', (_name, rule, set) => {
    expect(findingsOf(set).map(f => f.rule)).not.toContain(rule);
  });

  test('the egress pattern and the fixture set have no findings', () => {
    expect(ManifestValidator.formatFindings(findingsOf(egressSet))).toEqual('no findings');
    expect(ManifestValidator.formatFindings(findingsOf(ALL))).toEqual('no findings');
  });

  test.each(CASES.map(([rule, severity, set], i) => [`${rule} #${i}`, rule, severity, set] as const))('fails with %s', (_name, rule, severity, set) => {
    expect(findingsOf(set)).toContainEqual(expect.objectContaining({ rule, severity }));
  });

  test('an external gateway is accepted when declared', () => {
    const routeToHelmGateway = withField(egressRoute, 'spec.gateways', ['mesh', 'istio-system/istio-egressgateway']);
    const set = replace(egressSet, egressRoute, routeToHelmGateway);
    expect(findingsOf(set).map(f => f.rule)).toContain('IST-XREF-GATEWAY-NOT-FOUND');
    expect(findingsOf(set, { externalGateways: ['istio-system/istio-egressgateway'] }).map(f => f.rule)).not.toContain('IST-XREF-GATEWAY-NOT-FOUND');
  });

  test('gateway references resolve bare names against the VirtualService namespace', () => {
    const local = patch(gateway, { metadata: { namespace: 'apps' } });
    const route = withField(egressRoute, 'spec.gateways', ['mesh', 'egress']);
    const findings = findingsOf([local, withField(route, 'spec.tls.1.match.0.gateways', ['egress'])]).filter(f => f.rule === 'IST-XREF-GATEWAY-NOT-FOUND');
    expect(findings).toEqual([]);
  });

  test('a subset defined in the root namespace and exported everywhere is found', () => {
    const root = patch(gatewaySubsets, { metadata: { namespace: 'istio-system' } });
    expect(findingsOf(replace(egressSet, gatewaySubsets, root)).map(f => f.rule)).not.toContain('IST-XREF-SUBSET-NOT-FOUND');
  });

  test('subsets are not merged across namespaces: the client namespace wins', () => {
    const root = patch(gatewaySubsets, { metadata: { name: 'root', namespace: 'istio-system' } });
    const local = withField(gatewaySubsets, 'spec.subsets', [{ name: 'other' }]);
    const finding = findingsOf([...replace(egressSet, gatewaySubsets, local), root]).find(f => f.rule === 'IST-XREF-SUBSET-NOT-FOUND');
    expect(finding?.message).toMatch(/apps\/egress-subsets/);
  });

  test('a Gateway whose workload is not in the set is a referenced gateway: no selector finding', () => {
    const findings = findingsOf([withField(gateway, 'spec.selector', { istio: 'ingressgateway' })]);
    expect(findings.map(f => f.rule)).not.toContain('IST-XREF-GATEWAY-SELECTOR');
  });

  test('gateway ports may match the Service port or its (named) target port', () => {
    const named = withField(service, 'spec.ports', [{ name: 'tls', port: 443, targetPort: 'tls' }]);
    const onTarget = withField(gateway, 'spec.servers.0.port.number', 8443);
    expect(findingsOf(replace(replace(egressSet, service, named), gateway, onTarget)).map(f => f.rule)).not.toContain('IST-XREF-GATEWAY-PORT');
  });

  test('the same host on different ports may differ in protocol', () => {
    const http = patch(serviceEntry, { metadata: { name: 'api-http' }, spec: { ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] } });
    expect(findingsOf([serviceEntry, http]).map(f => f.rule)).not.toContain('IST-XREF-SERVICE-ENTRY-CONFLICT');
  });

  test('findings name the object they belong to', () => {
    const findings = findingsOf(replace(egressSet, serviceEntry, withField(serviceEntry, 'spec.resolution', 'NONE')));
    expect(findings.find(f => f.rule === 'IST-XREF-EGRESS-RESOLUTION')).toEqual(expect.objectContaining({
      objectName: 'VirtualService apps/api-via-egress', path: 'spec.tls[1].route[0].destination.host',
    }));
  });
});

