import {
  authorizationPolicy, destinationRule, gateway, httpVirtualService, patch, serviceEntry, sidecar, telemetry, virtualService, withField,
} from './fixtures';
import { Finding, Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';

const { ERROR, WARNING } = Severity;

/** Mutations of valid objects, one rule each: [rule, severity, bad object]. */
const CASES: [string, Severity, any][] = [
  // Metadata and exportTo, every kind.
  ['IST-META-DRY-RUN', ERROR, patch(serviceEntry, { metadata: { annotations: { 'istio.io/dry-run': 'true' } } })],
  ['IST-META-DRY-RUN', ERROR, patch(authorizationPolicy, { metadata: { annotations: { 'istio.io/dry-run': 'yes' } } })],
  ['IST-META-INTERNAL-ANNOTATION', ERROR, patch(gateway, { metadata: { annotations: { 'internal.istio.io/parents': 'x' } } })],
  ['IST-EXPORT-TO-DUPLICATE', ERROR, patch(serviceEntry, { spec: { exportTo: ['.', 'apps'] } })],
  ['IST-EXPORT-TO-MIXED', ERROR, patch(virtualService, { spec: { exportTo: ['*', 'ns1'] } })],
  ['IST-EXPORT-TO-INVALID', ERROR, patch(destinationRule, { spec: { exportTo: ['~'] } })],
  ['IST-EXPORT-TO-INVALID', ERROR, patch(serviceEntry, { spec: { exportTo: ['not_a_label'] } })],
  ['IST-SELECTOR-EMPTY', WARNING, withField(authorizationPolicy, 'spec.selector.matchLabels', {})],

  // ServiceEntry.
  ['IST-SE-WILDCARD-DNS', ERROR, patch(serviceEntry, { spec: { hosts: ['*.wikipedia.org'] } })],
  ['IST-SE-HOST-INVALID', ERROR, patch(serviceEntry, { spec: { hosts: ['foo.*.com'] } })],
  ['IST-SE-HOST-PARTIAL-WILDCARD', WARNING, patch(serviceEntry, { spec: { hosts: ['*washingtonpost.com'], resolution: 'NONE' } })],
  ['IST-SE-ADDRESS-INVALID', ERROR, patch(serviceEntry, { spec: { addresses: ['10.0.0.300'] } })],
  ['IST-SE-PORT-NAME', ERROR, patch(serviceEntry, { spec: { ports: [{ number: 443, name: 'https_443', protocol: 'TLS' }] } })],
  ['IST-SE-PROTOCOL', ERROR, patch(serviceEntry, { spec: { ports: [{ number: 443, name: 'h2c', protocol: 'H2C' }] } })],
  ['IST-SE-TARGET-PORT-NONE', WARNING, patch(serviceEntry, { spec: { resolution: 'NONE', ports: [{ number: 443, name: 'tls', protocol: 'TLS', targetPort: 8443 }] } })],
  ['IST-SE-TCP-NO-ADDRESS', WARNING, patch(serviceEntry, { spec: { resolution: 'NONE', ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] } })],
  ['IST-SE-SELECTOR-RESOLUTION', WARNING, patch(serviceEntry, { spec: { workloadSelector: { labels: { app: 'db' } } } })],
  ['IST-SE-ENDPOINT-ADDRESS', ERROR, patch(serviceEntry, { spec: { resolution: 'STATIC', endpoints: [{ address: 'db.example.com' }] } })],
  ['IST-SE-ENDPOINT-ADDRESS', ERROR, patch(serviceEntry, { spec: { endpoints: [{ address: 'not a host' }] } })],
  ['IST-SE-ENDPOINT-PORT', ERROR, patch(serviceEntry, { spec: { resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports: { https: 8443 } }] } })],
  ['IST-SE-MULTI-HOST-TCP', ERROR, patch(serviceEntry, { spec: { hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] } })],
  ['IST-SE-DNS-ADDRESS-TCP-MULTI-HOST', WARNING, patch(serviceEntry, { spec: { hosts: ['a.example.com', 'b.example.com'], addresses: ['240.0.0.1'] } })],
  ['IST-SE-DYNAMIC-DNS', ERROR, patch(serviceEntry, { spec: { resolution: 'DYNAMIC_DNS' } })],
  ['IST-SE-DYNAMIC-DNS', ERROR, patch(serviceEntry, { spec: { hosts: ['*.example.com'], resolution: 'DYNAMIC_DNS', ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] } })],

  // Gateway.
  ['IST-GW-NAME', ERROR, patch(gateway, { metadata: { name: 'egress.gateway' } })],
  ['IST-GW-NO-SERVERS', ERROR, patch(gateway, { spec: { servers: [] } })],
  ['IST-GW-HOST', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], hosts: ['httpbin'] }] } })],
  ['IST-GW-HOST', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], hosts: ['foo*.example.com'] }] } })],
  ['IST-GW-HOST', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], hosts: ['bad_ns/api.example.com'] }] } })],
  ['IST-GW-PORT-NAME-DUPLICATE', ERROR, patch(gateway, { spec: { servers: [gateway.spec.servers[0], { ...gateway.spec.servers[0], hosts: ['other.example.com'] }] } })],
  ['IST-GW-TARGET-PORT', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], port: { number: 443, name: 'tls', protocol: 'TLS', targetPort: 8443 } }] } })],
  ['IST-GW-PROTOCOL', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], port: { number: 443, name: 'tls', protocol: 'HTTPS2' } }] } })],
  ['IST-GW-PORT-RANGE', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], port: { number: 70000, name: 'tls', protocol: 'TLS' } }] } })],
  ['IST-GW-BIND', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], bind: 'not-an-ip' }] } })],
  ['IST-GW-TLS-REQUIRED', ERROR, patch(gateway, { spec: { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['api.example.com'] }] } })],
  ['IST-GW-TLS-ON-PLAINTEXT', ERROR, patch(gateway, { spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'x' } }] } })],
  ['IST-GW-TLS-ON-PLAINTEXT', ERROR, patch(gateway, { spec: { servers: [{ port: { number: 5432, name: 'pg', protocol: 'TCP' }, hosts: ['*'], tls: { mode: 'PASSTHROUGH' } }] } })],
  ['IST-GW-HTTPS-REDIRECT', WARNING, patch(gateway, { spec: { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'c', httpsRedirect: true } }] } })],
  ['IST-GW-ISTIO-MUTUAL-CERTS', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'ISTIO_MUTUAL', credentialName: 'client-credential' } }] } })],
  ['IST-GW-TLS-CERT-MISSING', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'SIMPLE' } }] } })],
  ['IST-GW-TLS-CERT-MISSING', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'MUTUAL', serverCertificate: '/c.pem', privateKey: '/k.pem' } }] } })],
  ['IST-GW-TLS-CA-CRL', ERROR, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'SIMPLE', serverCertificate: '/c.pem', privateKey: '/k.pem', caCrl: '/crl.pem' } }] } })],
  ['IST-GW-TLS-PASSTHROUGH-CERTS', WARNING, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'PASSTHROUGH', credentialName: 'x' } }] } })],
  ['IST-GW-TLS-CIPHERS', WARNING, patch(gateway, { spec: { servers: [{ ...gateway.spec.servers[0], tls: { mode: 'SIMPLE', credentialName: 'c', cipherSuites: ['NOT-A-CIPHER'] } }] } })],

  // VirtualService.
  ['IST-VS-NO-ROUTES', ERROR, patch(virtualService, { spec: { tls: undefined } })],
  ['IST-VS-DELEGATE', ERROR, patch(virtualService, { spec: { hosts: [], gateways: ['apps/gw'] } })],
  ['IST-VS-MESH-WILDCARD', ERROR, patch(httpVirtualService, { spec: { hosts: ['*'] } })],
  ['IST-VS-HOST-INVALID', ERROR, patch(httpVirtualService, { spec: { hosts: ['foo.*.com'] } })],
  ['IST-VS-HOST-DUPLICATE', ERROR, patch(httpVirtualService, { spec: { hosts: ['*.foo.com', 'a.foo.com'] } })],
  ['IST-VS-GATEWAY-NAME', ERROR, patch(virtualService, { spec: { gateways: ['istio-system/istio-egressgateway.istio-system'] } })],
  ['IST-VS-GATEWAY-NAME', WARNING, patch(virtualService, { spec: { gateways: ['egress.istio-egress'] } })],
  ['IST-VS-JWT-CLAIM-MESH', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'a' } } }], route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-TLS-MATCH', ERROR, patch(virtualService, { spec: { tls: [{ match: [], route: virtualService.spec.tls[0].route }] } })],
  ['IST-VS-TLS-MATCH', ERROR, patch(virtualService, { spec: { tls: [{ match: [{ port: 443, sniHosts: [] }], route: virtualService.spec.tls[0].route }] } })],
  ['IST-VS-SNI-HOST', ERROR, patch(virtualService, { spec: { tls: [{ match: [{ port: 443, sniHosts: ['*.example.com'] }], route: virtualService.spec.tls[0].route }] } })],
  ['IST-VS-SNI-HOST', WARNING, patch(virtualService, { spec: { hosts: ['api.example.com', '10.0.0.1'], tls: [{ match: [{ sniHosts: ['10.0.0.1'] }], route: virtualService.spec.tls[0].route }] } })],
  ['IST-VS-TLS-ROUTE-MISSING', ERROR, patch(virtualService, { spec: { tls: [{ match: virtualService.spec.tls[0].match }] } })],
  ['IST-VS-TCP-ROUTE-MISSING', ERROR, patch(virtualService, { spec: { tls: undefined, tcp: [{ match: [{ port: 5432 }] }] } })],
  ['IST-VS-HTTP-ACTION', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ uri: { prefix: '/' } }] }] } })],
  ['IST-VS-HTTP-ACTION', ERROR, patch(httpVirtualService, { spec: { http: [{ redirect: { uri: '/x' }, route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-HTTP-ACTION', ERROR, patch(httpVirtualService, { spec: { http: [{ directResponse: { status: 503 }, rewrite: { uri: '/x' } }] } })],
  ['IST-VS-MIRROR', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], mirror: { host: 'm.example.com' }, mirrors: [{ destination: { host: 'm.example.com' } }] }] } })],
  ['IST-VS-DESTINATION', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: '*' } }] }] } })],
  ['IST-VS-DESTINATION', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com', subset: 'v1.0' } }] }] } })],
  ['IST-VS-WEIGHT', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'a.example.com' }, weight: 0 }, { destination: { host: 'b.example.com' }, weight: 0 }] }] } })],
  ['IST-VS-HEADER', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], headers: { request: { remove: ['host'] } } }] } })],
  ['IST-VS-REDIRECT', ERROR, patch(httpVirtualService, { spec: { http: [{ redirect: { redirectCode: 200, uri: '/x' } }] } })],
  ['IST-VS-RETRY', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], retries: { attempts: 0, perTryTimeout: '2s' } }] } })],
  ['IST-VS-RETRY', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], retries: { attempts: 2, retryOn: '5xx,sometimes' } }] } })],
  ['IST-VS-REWRITE', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], rewrite: {} }] } })],
  ['IST-VS-STRING-MATCH', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ method: { prefix: '' } }], route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-STRING-MATCH', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ uri: { regex: '(unclosed' } }], route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-MATCH', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ port: 70000 }], route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-MATCH', ERROR, patch(httpVirtualService, { spec: { http: [{ match: [{ sourceNamespace: 'Not_A_Namespace' }], route: [{ destination: { host: 'web.example.com' } }] }] } })],
  ['IST-VS-FAULT', ERROR, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'web.example.com' } }], fault: {} }] } })],
  ['IST-VS-UNREACHABLE', WARNING, patch(httpVirtualService, { spec: { http: [{ route: [{ destination: { host: 'a.example.com' } }] }, { route: [{ destination: { host: 'b.example.com' } }] }] } })],
  ['IST-VS-INEFFECTIVE-MATCH', WARNING, patch(httpVirtualService, { spec: { http: [httpVirtualService.spec.http[0], httpVirtualService.spec.http[0], httpVirtualService.spec.http[1]] } })],

  // DestinationRule.
  ['IST-DR-HOST', ERROR, patch(destinationRule, { spec: { host: 'foo.*.com' } })],
  ['IST-DR-SUBSET-NAME', ERROR, patch(destinationRule, { spec: { subsets: [{ name: 'cnn' }, { name: 'cnn' }] } })],
  ['IST-DR-SUBSET-NAME', ERROR, patch(destinationRule, { spec: { subsets: [{ name: 'cnn.v1' }] } })],
  ['IST-DR-SUBSET-LABELS', ERROR, patch(destinationRule, { spec: { subsets: [{ name: 'v1', labels: { version: 'not a value' } }] } })],
  ['IST-DR-TRAFFIC-POLICY-EMPTY', ERROR, patch(destinationRule, { spec: { subsets: [{ name: 'cnn', trafficPolicy: {} }] } })],
  ['IST-DR-TRAFFIC-POLICY-EMPTY', ERROR, patch(destinationRule, { spec: { trafficPolicy: { portLevelSettings: [{ port: { number: 443 } }] } } })],
  ['IST-DR-TUNNEL-PROXY-PROTOCOL', ERROR, patch(destinationRule, { spec: { trafficPolicy: { tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 }, proxyProtocol: {} } } })],
  ['IST-DR-TUNNEL', ERROR, patch(destinationRule, { spec: { trafficPolicy: { tunnel: { protocol: 'GET', targetHost: 'proxy.example.com', targetPort: 3128 } } } })],
  ['IST-DR-TLS', ERROR, patch(destinationRule, { spec: { trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'c', caCertificates: '/ca.pem' } } } })],
  ['IST-DR-TLS', ERROR, patch(destinationRule, { spec: { trafficPolicy: { tls: { mode: 'MUTUAL', sni: 'api.example.com' } } } })],
  ['IST-DR-TLS', ERROR, patch(destinationRule, { spec: { trafficPolicy: { tls: { mode: 'SIMPLE', insecureSkipVerify: true, credentialName: 'c' } } } })],
  ['IST-DR-SELECTOR-EXPORT', ERROR, patch(destinationRule, { spec: { workloadSelector: { matchLabels: { app: 'client' } }, exportTo: ['*'] } })],
  ['IST-DR-OUTLIER', ERROR, patch(destinationRule, { spec: { trafficPolicy: { outlierDetection: { consecutiveLocalOriginFailures: 3 } } } })],
  ['IST-DR-CONNECTION-POOL', ERROR, patch(destinationRule, { spec: { trafficPolicy: { connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } } } } })],
  ['IST-DR-LOAD-BALANCER', ERROR, patch(destinationRule, { spec: { trafficPolicy: { loadBalancer: { consistentHash: { maglev: { tableSize: 1000 } } } } } })],

  // Sidecar.
  ['IST-SC-EMPTY', ERROR, patch(sidecar, { spec: { egress: undefined, outboundTrafficPolicy: undefined } })],
  ['IST-SC-EGRESS-HOST', ERROR, patch(sidecar, { spec: { egress: [{ hosts: ['httpbin.org'] }] } })],
  ['IST-SC-EGRESS-HOST', ERROR, patch(sidecar, { spec: { egress: [{ hosts: ['istio-system/istiod'] }] } })],
  ['IST-SC-EGRESS-CATCH-ALL', ERROR, patch(sidecar, { spec: { egress: [{ hosts: ['./*'] }, { port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['./*'] }] } })],
  ['IST-SC-PORT', ERROR, patch(sidecar, { spec: { egress: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['./*'] }, { port: { number: 443, name: 'tls2', protocol: 'TLS' }, hosts: ['./*'] }] } })],
  ['IST-SC-EGRESS-PROXY', ERROR, patch(sidecar, { spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'proxy.corp', port: { number: 3128 } } } } })],
  ['IST-SC-INGRESS', ERROR, patch(sidecar, { spec: { ingress: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, defaultEndpoint: '10.0.0.1:8080' }] } })],
  ['IST-SC-DUPLICATE-HOST', WARNING, patch(sidecar, { spec: { egress: [{ hosts: ['istio-system/*', 'istio-system/istiod.istio-system.svc.cluster.local'] }] } })],
  ['IST-SC-ISTIO-MUTUAL-CERTS', ERROR, patch(sidecar, { spec: { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL', privateKey: '/k.pem' } }] } })],
  ['IST-SC-TLS-CERT-MISSING', ERROR, patch(sidecar, { spec: { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE' } }] } })],
  ['IST-SC-TLS-CA-CRL', ERROR, patch(sidecar, { spec: { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k', caCrl: '/crl' } }] } })],
  ['IST-SC-TLS-PASSTHROUGH-CERTS', WARNING, patch(sidecar, { spec: { ingress: [{ port: { number: 8443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH', serverCertificate: '/c' } }] } })],
  ['IST-SC-TLS-CIPHERS', WARNING, patch(sidecar, { spec: { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', serverCertificate: '/c', privateKey: '/k', minProtocolVersion: 'TLSV1_1' } }] } })],

  // AuthorizationPolicy (and the policy target rules it shares with RequestAuthentication and Telemetry).
  ['IST-TARGET-REF', ERROR, patch(authorizationPolicy, { spec: { selector: undefined, targetRefs: [{ group: 'apps', kind: 'Deployment', name: 'egress' }] } })],
  ['IST-AP-DENY-NO-RULES', ERROR, patch(authorizationPolicy, { spec: { action: 'DENY', rules: undefined } })],
  ['IST-AP-CUSTOM', ERROR, patch(authorizationPolicy, { spec: { action: 'CUSTOM' } })],
  ['IST-AP-PROVIDER', ERROR, patch(authorizationPolicy, { spec: { provider: { name: 'ext-authz' } } })],
  ['IST-AP-FROM-EMPTY', ERROR, patch(authorizationPolicy, { spec: { rules: [{ from: [] }] } })],
  ['IST-AP-TO-EMPTY', ERROR, patch(authorizationPolicy, { spec: { rules: [{ to: [] }] } })],
  ['IST-AP-SOURCE-EMPTY', ERROR, patch(authorizationPolicy, { spec: { rules: [{ from: [{ source: {} }] }] } })],
  ['IST-AP-OPERATION-EMPTY', ERROR, patch(authorizationPolicy, { spec: { rules: [{ to: [{ operation: {} }] }] } })],
  ['IST-AP-PORT', ERROR, patch(authorizationPolicy, { spec: { rules: [{ to: [{ operation: { ports: ['https'] } }] }] } })],
  ['IST-AP-IP-BLOCK', ERROR, patch(authorizationPolicy, { spec: { rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] } })],
  ['IST-AP-EMPTY-VALUE', ERROR, patch(authorizationPolicy, { spec: { rules: [{ from: [{ source: { namespaces: ['apps', ''] } }] }] } })],
  ['IST-AP-PATH', ERROR, patch(authorizationPolicy, { spec: { rules: [{ to: [{ operation: { paths: ['/{**}/a/{*}'] } }] }] } })],
  ['IST-AP-SERVICE-ACCOUNT', ERROR, patch(authorizationPolicy, { spec: { rules: [{ from: [{ source: { serviceAccounts: ['apps/*'] } }] }] } })],
  ['IST-AP-CONDITION', ERROR, patch(authorizationPolicy, { spec: { rules: [{ when: [{ key: 'destination.namespace', values: ['apps'] }] }] } })],
  ['IST-AP-CONDITION', ERROR, patch(authorizationPolicy, { spec: { rules: [{ when: [{ key: 'connection.sni' }] }] } })],
  ['IST-AP-CONDITION', ERROR, patch(authorizationPolicy, { spec: { rules: [{ when: [{ key: 'source.serviceAccount', values: ['a/b/c'] }] }] } })],
  ['IST-AP-DENY-HTTP-ONLY', WARNING, patch(authorizationPolicy, { spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } })],

  // Telemetry.
  ['IST-TEL-SAMPLING', ERROR, patch(telemetry, { spec: { tracing: [{ randomSamplingPercentage: 150 }] } })],
  ['IST-TEL-TRACING', WARNING, patch(telemetry, { spec: { tracing: [{ providers: [{ name: 'a' }, { name: 'b' }] }] } })],
  ['IST-TEL-CUSTOM-TAG', ERROR, patch(telemetry, { spec: { tracing: [{ customTags: { env: { literal: { value: '' } } } }] } })],
  ['IST-TEL-FILTER', ERROR, patch(telemetry, { spec: { accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >=' } }] } })],
];

const findingsOf = (manifest: any): Finding[] => ManifestValidator.validateManifests([manifest]);

describe('istiod rules |', () => {
  test.each([
    ['ServiceEntry', serviceEntry], ['Gateway', gateway], ['VirtualService (tls)', virtualService], ['VirtualService (http)', httpVirtualService],
    ['DestinationRule', destinationRule], ['Sidecar', sidecar], ['AuthorizationPolicy', authorizationPolicy], ['Telemetry', telemetry],
  ])('the valid %s has no findings', (_kind, manifest) => {
    expect(ManifestValidator.formatFindings(findingsOf(manifest))).toEqual('no findings');
  });

  test.each(CASES.map(([rule, severity, manifest], i) => [`${rule} #${i}`, rule, severity, manifest] as const))(
    'fails with %s', (_name, rule, severity, manifest) => {
      expect(findingsOf(manifest)).toContainEqual(expect.objectContaining({ rule, severity }));
    });

  test('messages name the bad value and the fix', () => {
    const findings = findingsOf(patch(serviceEntry, { spec: { hosts: ['*.wikipedia.org'] } }));
    const dns = findings.find(f => f.rule === 'IST-SE-WILDCARD-DNS')!;
    expect(dns.objectName).toEqual('ServiceEntry apps/api');
    expect(dns.path).toEqual('spec.hosts[0]');
    expect(dns.message).toMatch(/\*\.wikipedia\.org/);
    expect(dns.message).toMatch(/resolution NONE|DYNAMIC_DNS/);
  });

  test('the gateway reference quirk: entries after a bare name are not checked by istiod', () => {
    const findings = findingsOf(patch(virtualService, { spec: { gateways: ['mesh', 'bad_ns/gw'] } }))
      .filter(f => f.rule === 'IST-VS-GATEWAY-NAME');
    expect(findings).toEqual([]);
  });

  test('DestinationRule ISTIO_MUTUAL with credentialName is admitted (istiod does not check it)', () => {
    const findings = findingsOf(patch(destinationRule, { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', credentialName: 'c' } } } }));
    expect(findings.filter(f => f.rule === 'IST-DR-TLS')).toEqual([]);
  });
});
