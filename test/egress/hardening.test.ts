import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, IEgressGateway, MeshEgressLockdown,
  MeshEgressLockdownProps, PodIdentity, Reachability,
} from '../../src';
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
