import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  DnsProxyOptions, EgressGateway, EgressGrantee, EgressPath, EgressRoute, EgressTls, ExternalPort, ExternalService, GatewayInstall,
  IstioInstall, IstioProfile, KubernetesExternalService, KubernetesExternalTarget, ManifestValidator, MeshEgressLockdown,
} from '../../src';
import { byKind, only, synthValid } from '../util';

// The Istio documentation's egress tasks that the library could not express before (issue 17), each as the docs
// write it, with zero validator findings.

const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));
const allowRules = (manifests: any[]) => byKind(manifests, 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW').spec.rules;

/** An istioctl gateway, locked down over `shop`, with httpbin.org over plain HTTP. */
function httpbinApp(routeProps: Partial<ConstructorParameters<typeof EgressRoute>[2]> = {}) {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway = EgressGateway.fromExisting(egress, 'gateway');
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
  const httpbin = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
  const route = new EgressRoute(egress, 'httpbin-route', { gateway, service: httpbin, ...routeProps });
  return { app, egress, gateway, httpbin, route };
}

describe('Request-level grants |', () => {
  test('a grant of GET /get and everything under /status/ for one identity, rendered as the gateway\'s to.operation', () => {
    const { app, route } = httpbinApp();
    const grant = route.grantEgress(EgressGrantee.serviceAccount('shop', 'checkout'), {
      methods: ['get'], paths: [EgressPath.exact('/get'), EgressPath.prefix('/status/')], headers: { 'x-team': 'checkout' },
    });
    route.grantEgress(EgressGrantee.serviceAccount('shop', 'batch'));
    expect(grant.request).toEqual({ methods: ['GET'], paths: [EgressPath.exact('/get'), EgressPath.prefix('/status/')], headers: { 'x-team': 'checkout' } });
    const manifests = synthAll(app);
    expect(byKind(manifests, 'AuthorizationPolicy')).toMatchSnapshot();
    expect(allowRules(manifests)).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/batch'] } }], to: [{ operation: { hosts: ['httpbin.org'] } }] },
      {
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/checkout'] } }],
        to: [{ operation: { hosts: ['httpbin.org'], methods: ['GET'], paths: ['/get', '/status/*'] } }],
        when: [{ key: 'request.headers[x-team]', values: ['checkout'] }],
      },
    ]);
  });

  test('grants with the same request conditions share a rule; different conditions never merge', () => {
    const { app, route } = httpbinApp();
    const getOnly = { methods: ['GET'] };
    route.grantEgress(EgressGrantee.serviceAccount('shop', 'a'), getOnly);
    route.grantEgress(EgressGrantee.serviceAccount('shop', 'b'), getOnly);
    route.grantEgress(EgressGrantee.serviceAccount('shop', 'c'), { methods: ['POST'] });
    const rules = allowRules(synthAll(app));
    expect(rules.map((r: any) => [r.from[0].source.principals, r.to[0].operation.methods])).toEqual([
      [['cluster.local/ns/shop/sa/a', 'cluster.local/ns/shop/sa/b'], ['GET']],
      [['cluster.local/ns/shop/sa/c'], ['POST']],
    ]);
  });

  test('seed 004: the route forwards only /get; other paths are answered by the gateway (404), never leave', () => {
    const { app, route } = httpbinApp({ paths: [EgressPath.exact('/get')] });
    route.addPath(EgressPath.prefix('/status/'));
    const manifests = synthAll(app);
    const vs = only(manifests, 'VirtualService');
    expect(vs).toMatchSnapshot();
    const [, toExternal] = vs.spec.http;
    expect(toExternal.match).toEqual([
      { gateways: ['istio-system/istio-egressgateway'], port: 80, uri: { exact: '/get' } },
      { gateways: ['istio-system/istio-egressgateway'], port: 80, uri: { prefix: '/status/' } },
    ]);
  });

  test('fails on request conditions the gateway cannot see (passthrough), naming the fix', () => {
    const app = Testing.app();
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    const gateway = EgressGateway.fromExisting(egress, 'gateway');
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const api = new ExternalService(egress, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
    const route = new EgressRoute(egress, 'api-route', { gateway, service: api, paths: [EgressPath.exact('/v1')] });
    route.grantEgress(EgressGrantee.wholeNamespace('shop'), { methods: ['GET'] });
    expect(() => synthAll(app)).toThrow(/egress\/api-route: the grant to 'all-pods' names methods, paths or headers, and api.example.com:443 is passed through encrypted.*originate TLS at the gateway/);
    expect(() => synthAll(app)).toThrow(/\[egress\/api-route\] paths are matched on HTTP requests, and port 443\/HTTPS is passed through encrypted.*EgressTls.originate/);
  });

  test('fails on methods, paths and headers Istio would reject or that admit nothing', () => {
    const { route } = httpbinApp();
    const grantee = EgressGrantee.wholeNamespace('shop');
    expect(() => route.grantEgress(grantee, { methods: ['GET /x'] })).toThrow(/egress\/httpbin-route: method 'GET \/X' is not an HTTP method/);
    expect(() => route.grantEgress(grantee, { methods: [] })).toThrow(/an empty methods or paths list would admit nothing; leave it out/);
    expect(() => route.grantEgress(grantee, { headers: { ':path': '/x' } })).toThrow(/header ':path' is not a lower-case HTTP header name .*no pseudo-headers/);
    expect(() => route.grantEgress(grantee, { headers: { 'x-team': 'a\r\nb' } })).toThrow(/header 'x-team' has a line break in its value/);
    expect(() => EgressPath.exact('get')).toThrow(/request path 'get' must start with '\/'/);
    expect(() => EgressPath.prefix('/status/*')).toThrow(/request path '\/status\/\*' .*use EgressPath.prefix/);
    route.addPath(EgressPath.exact('/a'));
    expect(() => route.addPath(EgressPath.exact('/a'))).toThrow(/egress\/httpbin-route: path '\/a' is already forwarded by this route/);
  });
});

describe('Shaping without a gateway |', () => {
  test('the docs\' external-services task: a 3s timeout on httpbin.org, applied by the client sidecars', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    new ExternalService(c, 'httpbin', {
      hosts: ['httpbin.org'],
      ports: [ExternalPort.http(), ExternalPort.https()],
      timeout: Duration.seconds(3),
      retries: { attempts: 2, retryOn: ['connect-failure'] },
      requestHeaders: { set: { 'x-mesh': 'apps' } },
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    const vs = only(manifests, 'VirtualService');
    expect(vs.metadata).toEqual({ name: 'httpbin.org', namespace: 'apps' });
    // HTTP ports only: the HTTPS port is encrypted end to end.
    expect(vs.spec).toEqual({
      hosts: ['httpbin.org'],
      exportTo: ['.'],
      http: [{
        name: 'sidecar-to-external-80',
        match: [{ port: 80 }],
        route: [{ destination: { host: 'httpbin.org', port: { number: 80 } } }],
        timeout: '3s',
        retries: { attempts: 2, retryOn: 'connect-failure' },
        headers: { request: { set: { 'x-mesh': 'apps' } } },
      }],
    });
  });

  test('fails on shaping a service without HTTP ports, and on routing a shaped service through a gateway', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    new ExternalService(c, 'tls', { hosts: ['api.example.com'], ports: [ExternalPort.https()], timeout: Duration.seconds(3) });
    expect(() => synthValid(c)).toThrow(/\[test\/tls\] timeout, retries and requestHeaders act on HTTP requests, and the service has no HTTP port/);
    const c2 = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const shaped = new ExternalService(c2, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()], timeout: Duration.seconds(3) });
    new EgressRoute(c2, 'route', { gateway: EgressGateway.fromExisting(c2, 'gw'), service: shaped, allowUnlockedMesh: true });
    expect(() => synthValid(c2)).toThrow(/\[test\/route\] ExternalService test\/httpbin shapes requests at the sidecar .*move the shaping to the EgressRoute/);
    expect(() => new ExternalService(c2, 'bad', { hosts: ['a.example.com'], ports: [ExternalPort.http()], timeout: Duration.millis(0) }))
      .toThrow(/test\/bad: timeout must be at least 1ms/);
  });
});

describe('Mutual TLS origination at the sidecar |', () => {
  test('the docs\' task: only the selected workloads present the client certificate, MUTUAL with the host as SNI', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    new ExternalService(c, 'partner', {
      hosts: ['my-nginx.mesh-external.svc.cluster.local'],
      ports: [ExternalPort.http(), ExternalPort.https()],
      tlsOrigination: [{ port: 80, credentialName: 'client-credential', workloadSelector: { app: 'curl' } }],
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    const rule = only(manifests, 'DestinationRule');
    expect(rule.spec).toEqual({
      host: 'my-nginx.mesh-external.svc.cluster.local',
      // Istio allows a DestinationRule with a workload selector only in its own namespace.
      exportTo: ['.'],
      workloadSelector: { matchLabels: { app: 'curl' } },
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: 80 },
          tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: 'my-nginx.mesh-external.svc.cluster.local' },
        }],
      },
    });
  });

  test('fails on a client certificate without a workload selector, with caCertificates, or on mixed selectors', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const make = (id: string, tlsOrigination: any[]) => new ExternalService(c, id, {
      hosts: ['a.example.com'], ports: [ExternalPort.http(), ExternalPort.http(8080), ExternalPort.https()], tlsOrigination,
    });
    expect(() => make('a', [{ port: 80, credentialName: 'client' }])).toThrow(/test\/a: TLS origination with credentialName 'client' needs a workloadSelector/);
    expect(() => make('b', [{ port: 80, credentialName: 'client', workloadSelector: { app: 'x' }, caCertificates: '/etc/ca.pem' }]))
      .toThrow(/test\/b: credentialName and caCertificates cannot be combined/);
    expect(() => make('c', [{ port: 80, credentialName: 'Client_Cert', workloadSelector: { app: 'x' } }])).toThrow(/credentialName 'Client_Cert' is not a Secret name/);
    expect(() => make('d', [{ port: 80, workloadSelector: { app: 'x' } }, { port: 8080 }])).toThrow(/test\/d: every TLS origination of one ExternalService must use the same workloadSelector/);
    expect(() => make('e', [{ port: 80, workloadSelector: {} }])).toThrow(/workloadSelector \{\} would select every pod/);
  });
});

describe('The gateway port of a route |', () => {
  test('the docs\' mTLS origination task: HTTP on 80 from the app, Istio mTLS to the gateway\'s 443, MUTUAL TLS out', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test', { namespace: 'apps' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    new MeshEgressLockdown(c, 'lockdown', { gateway, namespaces: ['shop'] });
    const nginx = new ExternalService(c, 'nginx', { hosts: ['my-nginx.mesh-external.svc.cluster.local'], ports: [ExternalPort.http(), ExternalPort.https()] });
    const route = new EgressRoute(c, 'nginx-route', {
      gateway, service: nginx, ports: [80], gatewayPort: 443, tls: EgressTls.originateMutual({ credentialName: 'client-credential' }),
    });
    route.grantEgress(EgressGrantee.wholeNamespace('shop'));
    const manifests = synthAll(app);
    expect(manifests.filter(m => ['Gateway', 'VirtualService', 'DestinationRule'].includes(m.kind))).toMatchSnapshot();

    expect(only(manifests, 'Gateway').spec.servers).toEqual([{
      port: { number: 443, protocol: 'HTTPS', name: 'https-443-my-nginx-mesh-external-svc-cluster-local' },
      hosts: ['apps/my-nginx.mesh-external.svc.cluster.local'],
      tls: { mode: 'ISTIO_MUTUAL' },
    }]);
    const vs = only(manifests, 'VirtualService');
    expect(vs.spec.http[0]).toEqual({
      name: 'mesh-to-gateway-80',
      match: [{ gateways: ['mesh'], port: 80 }],
      route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'my-nginx-mesh-external-svc-cluster-local-443', port: { number: 443 } } }],
    });
    expect(vs.spec.http[1].match).toEqual([{ gateways: ['istio-system/istio-egressgateway'], port: 443 }]);
    // The client may reach the gateway's pod port behind 443 (istioctl: 8443); clients send Host without :80.
    expect(byKind(manifests, 'NetworkPolicy').find(p => p.metadata.namespace === 'shop' && p.metadata.name !== 'egress-lockdown').spec.egress[0].ports)
      .toEqual([{ port: 8443, protocol: 'TCP' }]);
    expect(allowRules(manifests)[0].to[0].operation.hosts).toEqual(['my-nginx.mesh-external.svc.cluster.local']);
  });

  test('fails on a gateway port for several ports, and on a non-port', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.http(), ExternalPort.https()] });
    expect(() => new EgressRoute(c, 'bad', { gateway, service: svc, gatewayPort: 0, allowUnlockedMesh: true })).toThrow(/test\/bad: gatewayPort 0 is not a port number/);
    new EgressRoute(c, 'route', { gateway, service: svc, gatewayPort: 443, allowUnlockedMesh: true });
    expect(() => synthValid(c)).toThrow(/\[test\/route\] gatewayPort 443 would carry 2 ports of the service \(80, 443\) on one gateway port; route one port/);
  });
});

describe('IstioInstall: DNS proxying and the profile |', () => {
  test('DNS capture and address auto-allocation in proxyMetadata, on the minimal profile', () => {
    const install = new IstioInstall(Testing.app(), 'istio', { profile: IstioProfile.MINIMAL, dnsProxy: {} });
    const [operator] = synthValid(install);
    expect(operator).toMatchSnapshot();
    expect(operator.spec).toEqual({
      profile: 'minimal',
      meshConfig: {
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
        defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' } },
      },
    });
    const noAllocation: DnsProxyOptions = { autoAllocateAddresses: false };
    const [other] = synthValid(new IstioInstall(Testing.app(), 'istio', { dnsProxy: noAllocation }));
    expect(other.spec.meshConfig.defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } });
  });
});

describe('Adopting an installed gateway\'s pods |', () => {
  test('a deployed gateway whose Service selects user-named labels takes over istioctl\'s pods', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'istio-system' });
    const gateway = new EgressGateway(c, 'gateway', { selectorLabels: { istio: 'egressgateway' } });
    const manifests = synthValid(c);
    expect(manifests.filter(m => ['Deployment', 'Service'].includes(m.kind))).toMatchSnapshot();
    const installed = GatewayInstall.ISTIOCTL.podLabels;
    const service = only(manifests, 'Service');
    expect(service.spec.selector).toEqual({ istio: 'egressgateway' });
    // Every label it selects on, the istioctl pods carry.
    expect(Object.entries(service.spec.selector).every(([k, v]) => installed[k] === v)).toBe(true);
    expect(only(manifests, 'Deployment').spec.selector).toEqual({ matchLabels: { istio: 'egressgateway' } });
    expect(gateway.podLabels).toEqual({ istio: 'egressgateway' });
  });

  test('fails on empty selector labels and labels that change under the Deployment', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'istio-egress' });
    expect(() => new EgressGateway(c, 'a', { selectorLabels: {} })).toThrow(/test\/a\/Workload: selectorLabels \{\} would select every pod of namespace 'istio-egress'/);
    expect(() => new EgressGateway(c, 'b', { selectorLabels: { 'istio.io/rev': 'canary' } })).toThrow(/selectorLabels must not use 'istio.io\/rev'/);
    expect(() => new EgressGateway(c, 'c', { selectorLabels: { 'bad key': 'x' } })).toThrow(/pod label key 'bad key' is not a valid Kubernetes label key/);
  });
});

describe('Kubernetes services for egress traffic |', () => {
  test('the docs\' ExternalName Service for httpbin.org, with Istio mutual TLS off towards it', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const svc = new KubernetesExternalService(c, 'my-httpbin', {
      target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [ExternalPort.http()], metadata: { name: 'my-httpbin' },
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    expect(svc.host).toEqual('my-httpbin.default.svc.cluster.local');
    expect(only(manifests, 'Service').spec).toMatchObject({ type: 'ExternalName', externalName: 'httpbin.org', ports: [{ name: 'http-80', port: 80 }] });
    expect(only(manifests, 'DestinationRule').spec).toEqual({ host: 'my-httpbin.default.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } } });
  });

  test('the docs\' selector-less Service with the external addresses in an EndpointSlice', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'default' });
    new KubernetesExternalService(c, 'my-wikipedia', {
      target: KubernetesExternalTarget.fromAddresses('198.35.26.96', '91.198.174.192'), ports: [ExternalPort.https()], metadata: { name: 'my-wikipedia' },
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    expect(ManifestValidator.validateManifests(manifests, { failOnWarnings: true })).toEqual([]);
    // No selector at all: `selector: {}` would select every pod of the namespace.
    expect(only(manifests, 'Service').spec.selector).toBeUndefined();
    const slice = only(manifests, 'EndpointSlice');
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'my-wikipedia' });
    expect(slice.endpoints).toEqual([{ addresses: ['198.35.26.96'] }, { addresses: ['91.198.174.192'] }]);
    expect(slice.ports).toEqual([{ name: 'https-443', port: 443, protocol: 'TCP' }]);
  });

  test('fails on an IP as ExternalName, names as endpoints, mixed families and no ports', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const https = [ExternalPort.https()];
    expect(() => new KubernetesExternalService(c, 'a', { target: KubernetesExternalTarget.fromExternalName('1.2.3.4'), ports: https }))
      .toThrow(/test\/a: ExternalName '1.2.3.4' is an IP address.*KubernetesExternalTarget.fromAddresses\(\)/);
    expect(() => new KubernetesExternalService(c, 'b', { target: KubernetesExternalTarget.fromAddresses('wikipedia.org'), ports: https }))
      .toThrow(/test\/b: endpoint address 'wikipedia.org' is not an IP address.*KubernetesExternalTarget.fromExternalName\(\)/);
    expect(() => new KubernetesExternalService(c, 'c', { target: KubernetesExternalTarget.fromAddresses('1.2.3.4', '2001:db8::1'), ports: https }))
      .toThrow(/test\/c: addresses mix IPv4 and IPv6/);
    expect(() => new KubernetesExternalService(c, 'd', { target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [] }))
      .toThrow(/test\/d: a KubernetesExternalService needs at least one port/);
    expect(() => new KubernetesExternalService(c, 'e', { target: KubernetesExternalTarget.fromExternalName('HTTPBIN.org'), ports: https }))
      .toThrow(/test\/e: externalName 'HTTPBIN.org' has upper-case letters/);
  });
});

test('a deployed workload from plain labels is granted like a cdk8s-plus one (issue 18 overlap, kept here for reach)', () => {
  const { app, route } = httpbinApp();
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  new kplus.Deployment(shop, 'legacy', { containers: [{ image: 'example/legacy:1.0', securityContext: { user: 1000 } }] });
  const grant = route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'legacy' } }));
  expect(grant.clientNetworkPolicy.name).toMatch(/^pods-[0-9a-f]{8}-to-istio-egressgateway.istio-system$/);
});
