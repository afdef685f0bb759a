import { join } from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, IEgressGateway, MeshEgressLockdown,
  MeshEgressLockdownProps, PodIdentity, Reachability, Resolution,
} from '../../src';
import { ManifestValidator } from '../../src/validation/manifest-validator';
import { synthValid } from '../util';

// Issue 13, the classes done so far: inputs that would silently widen a path, take the mesh down, confuse
// identities, or collide across constructs are refused (or closed) rather than emitted.

const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));

function lockedApp(props: Partial<MeshEgressLockdownProps> = {}) {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway: IEgressGateway = new EgressGateway(new Chart(app, 'gw', { namespace: 'istio-egress' }), 'gateway');
  const lockdown = new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'], ...props });
  const api = new ExternalService(egress, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
  const route = new EgressRoute(egress, 'route', { gateway, service: api });
  return { app, egress, gateway, lockdown, route };
}

const gatewayPod = (r: Reachability) => r.pods.find(p => p.namespaceName === 'istio-egress' && p.name.includes('istio-egressgateway'))!;

describe('Silent widening |', () => {
  test('privateCidrs adds to the default deny list; none of the defaults is reopened, [] opens nothing', () => {
    for (const privateCidrs of [['10.0.0.0/8'], [], ['203.0.113.0/24']]) {
      const { app } = lockedApp({ privateCidrs });
      const r = Reachability.of(synthAll(app));
      const gw = gatewayPod(r);
      expect(r.canReachAddress(gw, '93.184.216.34', 443)).toBe(true);
      for (const address of ['169.254.169.254', '10.1.2.3', '192.168.1.1', '172.16.0.1', '100.64.0.1', '168.63.129.16', '0.1.2.3', '198.18.0.1', '240.0.0.1']) {
        expect([privateCidrs, address, r.canReachAddress(gw, address, 443)]).toEqual([privateCidrs, address, false]);
      }
      if (privateCidrs[0] === '203.0.113.0/24') expect(r.canReachAddress(gw, '203.0.113.9', 443)).toBe(false);
    }
  });

  test('unsafeReachableCidrs reopens exactly the default range it names', () => {
    const { app } = lockedApp({ unsafeReachableCidrs: ['100.64.0.0/10'] });
    const r = Reachability.of(synthAll(app));
    expect(r.canReachAddress(gatewayPod(r), '100.64.0.1', 443)).toBe(true);
    expect(r.canReachAddress(gatewayPod(r), '169.254.169.254', 443)).toBe(false);
  });

  test('other pods of the gateway\'s namespace get default-deny egress (DNS and istiod only)', () => {
    const { app } = lockedApp();
    const extra = new Chart(app, 'extra', { namespace: 'istio-egress' });
    new kplus.Deployment(extra, 'debug', { containers: [{ image: 'example/debug:1.0', securityContext: { user: 1000 } }] });
    const r = Reachability.of(synthAll(app));
    const debug = r.pods.find(p => p.name.includes('debug'))!;
    expect(r.canReachAddress(debug, '93.184.216.34', 443)).toBe(false);
    expect(r.canReachAddress(gatewayPod(r), '93.184.216.34', 443)).toBe(true);
    const dns: PodIdentity = { namespaceName: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };
    expect(r.canReachPod(debug, dns, 53, 'UDP')).toBe(true);
  });

  test('fails on allowInCluster with an address block, which reaches outside the cluster', () => {
    const { lockdown, egress } = lockedApp();
    expect(() => lockdown.allowInCluster(kplus.NetworkPolicyIpBlock.anyIpv4(egress, 'anywhere'), [kplus.NetworkPolicyPort.tcp(443)]))
      .toThrow(/egress\/lockdown: allowInCluster takes pods or namespaces, and egress\/anywhere is an address block \(0.0.0.0\/0\).*select the peers by namespace or labels/);
  });
});

describe('Outage-class input |', () => {
  test('fails on locking the namespaces of istiod, the cluster DNS or kube-system', () => {
    const { lockdown } = lockedApp();
    expect(() => lockdown.addNamespace('istio-system')).toThrow(/egress\/lockdown: namespace 'istio-system' holds istiod.*would cut them off for the whole mesh/);
    expect(() => lockdown.addNamespace('kube-system')).toThrow(/namespace 'kube-system' holds the cluster DNS/);
    expect(() => lockedApp({ dns: { namespaceName: 'dns' }, namespaces: ['dns'] })).toThrow(/namespace 'dns' holds the cluster DNS/);
  });

  test('fails on a grant through a gateway without a lockdown: its pods would lose DNS and istiod', () => {
    const app = Testing.app();
    const c = new Chart(app, 'egress', { namespace: 'egress-config' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    const api = new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
    new EgressRoute(c, 'route', { gateway, service: api, allowUnlockedMesh: true }).grantEgress(EgressGrantee.wholeNamespace('shop'));
    expect(() => synthAll(app)).toThrow(/egress\/route: the grant to 'all-pods' needs a MeshEgressLockdown on egress gateway egress\/gateway.*DNS and istiod/);
  });
});

describe('Wrong identity and collisions |', () => {
  test('fails when two granted workloads run as one ServiceAccount with different grants', () => {
    const { app, egress, gateway, route } = lockedApp();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const a = new kplus.Deployment(shop, 'a', { containers: [{ image: 'example/a:1.0', securityContext: { user: 1000 } }] });
    const b = new kplus.Deployment(shop, 'b', { containers: [{ image: 'example/b:1.0', securityContext: { user: 1000 } }] });
    const other = new ExternalService(egress, 'other', { hosts: ['other.example.com'], ports: [ExternalPort.https()] });
    route.grantEgress(EgressGrantee.workload(a));
    new EgressRoute(egress, 'other-route', { gateway, service: other }).grantEgress(EgressGrantee.workload(b));
    expect(() => synthAll(app)).toThrow(/grantees shop-a-c8[0-9a-f]{6} and shop-b-c8[0-9a-f]{6} both run as ServiceAccount shop\/default.*give each workload a ServiceAccount of its own/);
  });

  test('fails on two lockdowns over one namespace, two gateways selecting each other\'s pods, one host through two gateways', () => {
    const app = Testing.app();
    const c = new Chart(app, 'egress', { namespace: 'egress-config' });
    const istioctl = EgressGateway.fromExisting(c, 'istioctl');
    const deployed = new EgressGateway(new Chart(app, 'gw', { namespace: 'istio-egress' }), 'deployed');
    new MeshEgressLockdown(c, 'a', { gateway: istioctl, namespaces: ['shop'] });
    new MeshEgressLockdown(c, 'b', { gateway: deployed, namespaces: ['shop'] });
    const api = new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
    new EgressRoute(c, 'via-istioctl', { gateway: istioctl, service: api });
    new EgressRoute(c, 'via-deployed', { gateway: deployed, service: api });
    expect(() => synthAll(app)).toThrow(/namespace 'shop' is locked by both egress\/a and egress\/b/);
    expect(() => synthAll(app)).toThrow(/egress gateways egress\/istioctl and gw\/deployed select overlapping pod labels.*give each gateway its own name/);
    expect(() => synthAll(app)).toThrow(/egress\/via-deployed: api.example.com is routed through egress gateways egress\/istioctl and gw\/deployed/);
  });

  test('an SNI rule names the gateway port it is granted on', () => {
    const { app, route } = lockedApp();
    route.grantEgress(EgressGrantee.wholeNamespace('shop'));
    const allow = synthAll(app).find(m => m.kind === 'AuthorizationPolicy' && m.spec.action === 'ALLOW');
    expect(allow.spec.rules).toEqual([{
      from: [{ source: { namespaces: ['shop'] } }],
      to: [{ operation: { ports: ['443'] } }],
      when: [{ key: 'connection.sni', values: ['api.example.com'] }],
    }]);
  });
});

describe('The port the gateway really dials |', () => {
  test('sidecar TLS origination (443 behind 80) and endpoint port maps open the dialled ports, not the route port', () => {
    const app = Testing.app();
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    const gateway = new EgressGateway(new Chart(app, 'gw', { namespace: 'istio-egress' }), 'gateway');
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const cnn = new ExternalService(egress, 'cnn', { hosts: ['edition.cnn.com'], ports: [ExternalPort.http()], tlsOrigination: [{ port: 80 }] });
    new EgressRoute(egress, 'cnn-route', { gateway, service: cnn });
    const api = new ExternalService(egress, 'api', {
      hosts: ['api.example.com'], ports: [ExternalPort.https(8443)], endpoints: [{ address: 'backend.example.com', ports: { 'https-8443': 9443 } }],
    });
    new EgressRoute(egress, 'api-route', { gateway, service: api });
    const r = Reachability.of(synthAll(app));
    const gw = gatewayPod(r);
    expect([443, 9443].map(port => r.canReachAddress(gw, '93.184.216.34', port))).toEqual([true, true]);
    // The route ports themselves are not dialled.
    expect([80, 8443].map(port => r.canReachAddress(gw, '93.184.216.34', port))).toEqual([false, false]);
  });
});

describe('Fields Istio would reject |', () => {
  const svc = (c: Chart, props: Partial<ConstructorParameters<typeof ExternalService>[2]> = {}) =>
    new ExternalService(c, 'svc', { hosts: ['api.example.com'], ports: [ExternalPort.http()], ...props });
  const chart = () => new Chart(Testing.app(), 'test', { namespace: 'apps' });

  test('fails on retries and header changes Istio or Envoy reject, naming the construct and the fix', () => {
    expect(() => svc(chart(), { retries: { attempts: -1 } })).toThrow(/^test\/svc: retries.attempts -1 must be a whole number of at least 0/);
    expect(() => svc(chart(), { retries: { attempts: 1.5 } })).toThrow(/retries.attempts 1.5 must be a whole number/);
    expect(() => svc(chart(), { retries: { attempts: 2, retryOn: ['on-failure'] } }))
      .toThrow(/^test\/svc: retries.retryOn 'on-failure' is neither an Envoy retry condition .* nor an HTTP status code such as 503/);
    expect(() => svc(chart(), { requestHeaders: { set: { 'x team': 'a' } } })).toThrow(/requestHeaders name 'x team' is not a lower-case HTTP header name/);
    expect(() => svc(chart(), { requestHeaders: { set: { ':path': '/x' } } })).toThrow(/cannot change the pseudo-header ':path'/);
    expect(() => svc(chart(), { requestHeaders: { remove: ['host'] } })).toThrow(/requestHeaders cannot change 'host'/);
    expect(() => svc(chart(), { requestHeaders: { add: { 'x-a': 'b\r\nx-evil: 1' } } })).toThrow(/'x-a' has a line break in its value/);
    const c = chart();
    const gateway = EgressGateway.fromExisting(c, 'gw');
    expect(() => new EgressRoute(c, 'route', { gateway, service: svc(c), retries: { attempts: -2 }, allowUnlockedMesh: true }))
      .toThrow(/^test\/route: retries.attempts -2/);
  });

  test('fails on endpoints Istio rejects: not a host or IP, negative weights, bad port maps, unix sockets with several ports', () => {
    expect(() => svc(chart(), { endpoints: [{ address: 'https://backend.example.com' }] }))
      .toThrow(/^test\/svc: endpoint address 'https:\/\/backend.example.com' is neither an IP address, a host name nor a unix:\/\/ socket path/);
    expect(() => svc(chart(), { endpoints: [{ address: 'backend.example.com', weight: -1 }] })).toThrow(/has weight -1; use a whole number of at least 0/);
    expect(() => svc(chart(), { endpoints: [{ address: 'backend.example.com', ports: { 'http-80': 0 } }] })).toThrow(/maps port 'http-80' to 0, which is not a port number/);
    const c = chart();
    svc(c, { ports: [ExternalPort.http(), ExternalPort.http(8080)], resolution: Resolution.STATIC, endpoints: [{ address: 'unix:///var/run/app.sock' }] });
    expect(() => synthValid(c)).toThrow(/\[test\/svc\] endpoint 'unix:\/\/\/var\/run\/app.sock' is a unix socket, which serves one port, and the service has 2/);
  });

  test('fails on a service without hosts, and on lockdown options the API server rejects', () => {
    const c = chart();
    svc(c, { hosts: [] });
    expect(() => synthValid(c)).toThrow(/\[test\/svc\] an ExternalService needs at least one host/);
    expect(() => lockedApp({ dns: { namespaceName: 'Kube_System' } })).toThrow(/egress\/lockdown: dns.namespaceName 'Kube_System' is not a namespace name/);
    expect(() => lockedApp({ dns: { podLabels: {} } })).toThrow(/dns.podLabels \{\} would open every pod of the namespace to the pods it confines/);
    expect(() => lockedApp({ dns: { port: 70000 } })).toThrow(/dns.port 70000 is not a port number/);
    expect(() => lockedApp({ controlPlane: { podLabels: { 'bad key': 'x' } } })).toThrow(/controlPlane.podLabels key 'bad key' is not a valid Kubernetes label key/);
    expect(() => lockedApp({ metricsNamespaces: ['Monitoring'] })).toThrow(/metricsNamespaces 'Monitoring' is not a namespace name/);
  });
});

describe('The validator at every synth |', () => {
  function appWithBadObject() {
    const app = Testing.app();
    const c = new Chart(app, 'egress', { namespace: 'egress-config' });
    new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
    // Hand-written next to the library's constructs: a VirtualService for every host, which istiod rejects.
    new ApiObject(c, 'wildcard-route', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: { hosts: ['*'] } } as any);
    return c;
  }

  test('an app holding the library\'s constructs fails plain synth on an error, naming the object\'s construct path and rule', () => {
    expect(() => Testing.synth(appWithBadObject())).toThrow(/egress\/wildcard-route \(VirtualService egress-config\/egress-wildcard-route-c8[0-9a-f]{6} .*\): .*\[IST-VS-[A-Z-]+\]/);
  });

  test('one validation per state of the app, though cdk8s validates it again for every chart it writes', () => {
    const app = Testing.app();
    for (const ns of ['a', 'b', 'c']) new ExternalService(new Chart(app, ns, { namespace: ns }), 'api', { hosts: [`${ns}.example.com`], ports: [ExternalPort.https()] });
    const validate = jest.spyOn(ManifestValidator, 'validateManifests');
    try {
      app.synth();
      expect(validate).toHaveBeenCalledTimes(1);
      new ExternalService(app.charts[0], 'more', { hosts: ['more.example.com'], ports: [ExternalPort.https()] });
      app.synth();
      expect(validate).toHaveBeenCalledTimes(2);
    } finally {
      validate.mockRestore();
    }
  });

  test('under cdk8s synth with IstioValidationPlugin configured, the app leaves validation to the plugin (once, not twice)', () => {
    const cwd = process.cwd();
    const before = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    try {
      process.chdir(join(__dirname, '..', '..', 'examples'));
      process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
      expect(() => Testing.synth(appWithBadObject())).not.toThrow();
    } finally {
      process.chdir(cwd);
      if (before === undefined) delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
      else process.env.CDK8S_RECORD_CONSTRUCT_METADATA = before;
    }
    expect(() => Testing.synth(appWithBadObject())).toThrow(/IST-VS-/);
  });
});
