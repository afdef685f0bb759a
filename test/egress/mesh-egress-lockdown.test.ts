import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, GatewayHopTls, IEgressGateway,
  MeshEgressLockdown, MeshEgressLockdownProps, PodIdentity, Reachability,
} from '../../src';
import { byKind, synthValid } from '../util';

/** An istioctl gateway receives TLS for Service port 443 on pod port 8443: SNI rules name that port. */
const SNI_PORT_8443 = [{ operation: { ports: ['8443'] } }];

/** The seed scenario, locked down: zhihu.com granted to checkout, httpbin.org to catalog, nothing to reviews. */
function lockedApp(lockdownProps: Partial<MeshEgressLockdownProps> = {}) {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway: IEgressGateway = EgressGateway.fromExisting(egress, 'gateway');
  const lockdown = new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop', 'blog'], ...lockdownProps });

  const zhihu = new ExternalService(egress, 'zhihu', { hosts: ['zhihu.com', 'www.zhihu.com'], ports: [ExternalPort.https()] });
  const zhihuRoute = new EgressRoute(egress, 'zhihu-route', { gateway, service: zhihu });
  const httpbin = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
  const httpbinRoute = new EgressRoute(egress, 'httpbin-route', { gateway, service: httpbin });

  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const workload = (scope: Chart, name: string) => new kplus.Deployment(scope, name, {
    containers: [{ image: `example/${name}:1.0`, resources: {}, securityContext: { user: 1000 } }],
    serviceAccount: new kplus.ServiceAccount(scope, `${name}-sa`),
  });
  const checkout = workload(shop, 'checkout');
  const catalog = workload(shop, 'catalog');
  workload(shop, 'reviews');
  const blog = new Chart(app, 'blog', { namespace: 'blog' });
  workload(blog, 'wordpress');

  zhihuRoute.grantEgress(EgressGrantee.workload(checkout));
  httpbinRoute.grantEgress(EgressGrantee.workload(catalog));
  return { app, egress, gateway, lockdown, zhihuRoute, httpbinRoute, shop, blog, checkout, catalog, zhihu };
}

function synthAll(app: App): any[] {
  return app.charts.flatMap(chart => synthValid(chart));
}

/** The istioctl gateway's pods are not in our manifests: they run in istio-system. */
const GATEWAY_POD: PodIdentity = { namespaceName: 'istio-system', name: 'istio-egressgateway', labels: { istio: 'egressgateway', app: 'istio-egressgateway' } };
const DNS_POD: PodIdentity = { namespaceName: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };
const ISTIOD_POD: PodIdentity = { namespaceName: 'istio-system', name: 'istiod', labels: { app: 'istiod' } };

function reachability(manifests: any[]): Reachability {
  const r = Reachability.of(manifests);
  [GATEWAY_POD, DNS_POD, ISTIOD_POD].forEach(p => r.addPod(p));
  return r;
}

const podNamed = (r: Reachability, name: string) => r.pods.find(p => p.name.includes(name))!;

describe('MeshEgressLockdown |', () => {
  test('only the egress gateway\'s pods reach the internet; granted workloads reach the gateway, others do not', () => {
    const { app } = lockedApp();
    const r = Reachability.of(synthAll(app));
    r.addPod(GATEWAY_POD);

    // Every application pod is in the manifests, so "only the gateway" is a statement about all of them.
    expect(r.pods.map(p => `${p.namespaceName}/${p.name.replace(/-c8[0-9a-f]{6}$/, '')}`).sort()).toEqual([
      'blog/blog-wordpress', 'istio-system/istio-egressgateway', 'shop/shop-catalog', 'shop/shop-checkout', 'shop/shop-reviews',
    ]);
    expect(r.podsReachingAddress('203.0.113.10', 443)).toEqual([GATEWAY_POD]);
    expect(r.podsReachingAddress('198.51.100.7', 80)).toEqual([GATEWAY_POD]);
    // Not on a port no route uses, and never into private ranges (cluster, nodes, cloud metadata).
    expect(r.podsReachingAddress('203.0.113.10', 22)).toEqual([]);
    expect(r.podsReachingAddress('10.0.0.5', 443)).toEqual([]);
    expect(r.podsReachingAddress('169.254.169.254', 80)).toEqual([]);

    // istioctl's gateway listens on 8443 behind Service port 443 and on 8080 behind 80: policies use pod ports.
    expect(r.canReachPod(podNamed(r, 'checkout'), GATEWAY_POD, 8443)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'catalog'), GATEWAY_POD, 8080)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'catalog'), GATEWAY_POD, 8443)).toBe(false);
    expect(r.canReachPod(podNamed(r, 'reviews'), GATEWAY_POD, 8443)).toBe(false);
    expect(r.canReachPod(podNamed(r, 'wordpress'), GATEWAY_POD, 8080)).toBe(false);

    // Locked pods still resolve names, talk to istiod, and to each other.
    r.addPod(DNS_POD);
    r.addPod(ISTIOD_POD);
    expect(r.canReachPod(podNamed(r, 'reviews'), DNS_POD, 53, 'UDP')).toBe(true);
    expect(r.canReachPod(podNamed(r, 'reviews'), DNS_POD, 53, 'TCP')).toBe(true);
    expect(r.canReachPod(podNamed(r, 'wordpress'), ISTIOD_POD, 15012)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'wordpress'), podNamed(r, 'reviews'), 9080)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'wordpress'), ISTIOD_POD, 443)).toBe(false);
  });

  test('with a gateway deployed by the app, its pods (read from the manifests) are the only way out', () => {
    const app = Testing.app();
    const gatewayChart = new Chart(app, 'gw', { namespace: 'istio-egress' });
    const gateway = new EgressGateway(gatewayChart, 'gateway', { minReplicas: 2 });
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const svc = new ExternalService(egress, 'zhihu', { hosts: ['zhihu.com'], ports: [ExternalPort.https()] });
    const route = new EgressRoute(egress, 'route', { gateway, service: svc });
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const granted = new kplus.Deployment(shop, 'granted', { containers: [{ image: 'example/granted:1.0', securityContext: { user: 1000 } }] });
    new kplus.Deployment(shop, 'other', { containers: [{ image: 'example/other:1.0', securityContext: { user: 1000 } }] });
    route.grantEgress(EgressGrantee.workload(granted));

    const r = Reachability.of(synthAll(app));
    const gatewayPod = r.pods.find(p => p.namespaceName === 'istio-egress')!;
    expect(gatewayPod.labels).toMatchObject(gateway.podLabels);
    expect(r.podsReachingAddress('203.0.113.10', 443)).toEqual([gatewayPod]);
    // The deployed gateway listens on the Service port itself.
    expect(r.canReachPod(podNamed(r, 'granted'), gatewayPod, 443)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'other'), gatewayPod, 443)).toBe(false);
  });

  test('emits REGISTRY_ONLY Sidecars listing only what each namespace uses, and deny-by-default at the gateway', () => {
    const { egress } = lockedApp();
    const manifests = synthValid(egress);
    expect(manifests).toMatchSnapshot();

    const sidecars = byKind(manifests, 'Sidecar');
    expect(sidecars.map(s => s.metadata.namespace)).toEqual(['shop', 'blog']);
    expect(sidecars[0].spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(sidecars.map(s => s.metadata.name)).toEqual(['egress-lockdown', 'egress-lockdown']);
    // shop is granted every host of each route, so their namespace is imported whole: what is there is exported only where granted.
    expect(sidecars[0].spec.egress[0].hosts).toEqual(['./*', 'blog/*', 'egress-config/*', 'istio-system/*']);
    // blog was granted nothing: its sidecars get no external host at all.
    expect(sidecars[1].spec.egress[0].hosts).toEqual([
      './*', 'istio-system/*', 'shop/*',
    ]);

    const policies = byKind(manifests, 'AuthorizationPolicy');
    const denyByDefault = policies.find(p => !p.spec.rules);
    expect(denyByDefault.metadata).toEqual({ name: 'istio-egressgateway-deny-by-default', namespace: 'istio-system' });
    expect(denyByDefault.spec).toEqual({ selector: { matchLabels: { istio: 'egressgateway', app: 'istio-egressgateway' } } });

    const allow = policies.find(p => p.spec.action === 'ALLOW');
    expect(allow.metadata).toEqual({ name: 'istio-egressgateway', namespace: 'istio-system' });
    expect(allow.spec.rules).toEqual([
      { from: [{ source: { principals: [expect.stringMatching(/^cluster.local\/ns\/shop\/sa\/shop-checkout-sa-/)] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['www.zhihu.com', 'zhihu.com'] }] },
      { from: [{ source: { principals: [expect.stringMatching(/^cluster.local\/ns\/shop\/sa\/shop-catalog-sa-/)] } }], to: [{ operation: { hosts: ['httpbin.org'] } }] },
    ]);

    // The external hosts become visible to the granted namespace only.
    expect(byKind(manifests, 'ServiceEntry').map(se => se.spec.exportTo)).toEqual([['.', 'istio-system', 'shop'], ['.', 'istio-system', 'shop']]);
  });

  test('the gateway\'s own policy: out only on route ports minus private ranges, in only from locked namespaces', () => {
    const { egress } = lockedApp({ metricsNamespaces: ['monitoring'] });
    const manifests = synthValid(egress);
    const gatewayPolicy = byKind(manifests, 'NetworkPolicy').find(p => p.metadata.namespace === 'istio-system');
    expect(gatewayPolicy.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(gatewayPolicy.metadata.name).toEqual('istio-egressgateway');
    const internetRules = gatewayPolicy.spec.egress.filter((e: any) => e.to[0].ipBlock);
    expect(internetRules.map((e: any) => e.ports)).toEqual([[{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }]]);
    expect(internetRules[0].to[0].ipBlock.except).toContain('169.254.0.0/16');
    expect(gatewayPolicy.spec.ingress.map((i: any) => [i.from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']), i.ports]))
      .toEqual([
        [['blog', 'shop'], [{ port: 8080, protocol: 'TCP' }, { port: 8443, protocol: 'TCP' }]],
        [['monitoring'], [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }]],
      ]);
  });

  test('allowInCluster opens in-cluster peers for every locked namespace', () => {
    const { app, lockdown, egress } = lockedApp();
    lockdown.allowInCluster(kplus.Namespaces.select(egress, 'data', { names: ['data'] }), [kplus.NetworkPolicyPort.tcp(5432)]);
    const r = reachability(synthAll(app));
    const db: PodIdentity = { namespaceName: 'data', name: 'postgres', labels: { app: 'postgres' } };
    expect(r.canReachPod(podNamed(r, 'wordpress'), db, 5432)).toBe(true);
    expect(r.canReachPod(podNamed(r, 'wordpress'), db, 6379)).toBe(false);
  });

  test('grants to a namespace and to a ServiceAccount use namespaces and principals; the same hosts share a rule', () => {
    const { egress, zhihuRoute, httpbinRoute } = lockedApp();
    zhihuRoute.grantEgress(EgressGrantee.wholeNamespace('blog'), { hosts: ['zhihu.com'] });
    httpbinRoute.grantEgress(EgressGrantee.serviceAccount('blog', 'batch'));
    const rules = byKind(synthValid(egress), 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW').spec.rules;
    expect(rules).toContainEqual({ from: [{ source: { namespaces: ['blog'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['zhihu.com'] }] });
    // catalog and batch were granted exactly httpbin.org: one rule names both (the policy grows with hosts + grantees).
    expect(rules).toContainEqual({
      from: [{ source: { principals: ['cluster.local/ns/blog/sa/batch', expect.stringMatching(/^cluster.local\/ns\/shop\/sa\/shop-catalog-sa-/)] } }],
      to: [{ operation: { hosts: ['httpbin.org'] } }],
    });
    expect(rules).toHaveLength(3);
  });

  test('a grant without hosts covers every host the route carries at synth; a grant with hosts, only those', () => {
    const { egress, gateway } = lockedApp();
    const service = new ExternalService(egress, 'example', { hosts: ['api.example.com', 'www.example.com'], ports: [ExternalPort.https()] });
    const route = new EgressRoute(egress, 'example-route', { gateway, service, hosts: ['api.example.com'] });
    const all = route.grantEgress(EgressGrantee.wholeNamespace('blog'));
    const named = route.grantEgress(EgressGrantee.serviceAccount('shop', 'batch'), { hosts: ['api.example.com'] });
    route.addHost('www.example.com');
    expect(all.hosts).toEqual(['api.example.com', 'www.example.com']);
    expect(named.hosts).toEqual(['api.example.com']);
    const manifests = synthValid(egress);
    const [shop, blog] = byKind(manifests, 'Sidecar').map(s => s.spec.egress[0].hosts);
    // blog has every host of the service: the namespace whole. shop has one of two, and importing the namespace
    // would show it the other: its granted host is listed alone.
    expect(blog).toEqual(['./*', 'egress-config/*', 'istio-system/*', 'shop/*']);
    expect(shop).toEqual([
      './*', 'blog/*', 'egress-config/api.example.com', 'egress-config/httpbin.org', 'egress-config/www.zhihu.com', 'egress-config/zhihu.com',
      'istio-system/*',
    ]);
    const rules = byKind(manifests, 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW').spec.rules;
    expect(rules).toContainEqual({ from: [{ source: { namespaces: ['blog'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['api.example.com', 'www.example.com'] }] });
    expect(rules).toContainEqual({ from: [{ source: { principals: ['cluster.local/ns/shop/sa/batch'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['api.example.com'] }] });
  });
});

describe('MeshEgressLockdown | fails', () => {
  test('fails on a route through a gateway that no lockdown covers, unless opted out', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    const svc = new ExternalService(c, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    new EgressRoute(c, 'route', { gateway, service: svc });
    expect(() => synthValid(c)).toThrow(/test\/route\] egress gateway test\/gateway has no MeshEgressLockdown, so nothing stops a pod from going around it.*allowUnlockedMesh/);
  });

  test('fails when a grant names a host the route does not carry', () => {
    const { app, zhihuRoute, checkout } = lockedApp();
    zhihuRoute.grantEgress(EgressGrantee.workload(checkout), { hosts: ['api.zhihu.com'] });
    expect(() => synthAll(app))
      .toThrow(/egress\/zhihu-route: cannot grant 'api.zhihu.com': the route carries www.zhihu.com, zhihu.com; route the host first/);
  });

  test('fails on a namespace both locked and exempt, and on grants to exempt or unlocked namespaces', () => {
    expect(() => lockedApp({ exemptNamespaces: ['blog'] })).toThrow(/namespace 'blog' is both locked and exempt/);
    const { app, lockdown, zhihuRoute } = lockedApp({ exemptNamespaces: ['legacy'] });
    zhihuRoute.grantEgress(EgressGrantee.wholeNamespace('legacy'));
    zhihuRoute.grantEgress(EgressGrantee.wholeNamespace('other'));
    expect(() => synthAll(app)).toThrow(/egress\/zhihu-route: namespace 'legacy' is exempt from lockdown egress\/lockdown: its pods leave directly/);
    expect(() => synthAll(app)).toThrow(/egress\/zhihu-route: namespace 'other' is not locked by egress\/lockdown \(locked: blog, shop\); add it with addNamespace/);
    expect(() => lockdown.addNamespace('legacy')).toThrow(/both locked and exempt/);
    expect(() => lockdown.addNamespace('istio-system')).toThrow(/holds the egress gateway/);
    expect(() => lockdown.addNamespace('shop')).toThrow(/already locked/);
  });

  test('fails on CIDR typos', () => {
    expect(() => lockedApp({ privateCidrs: ['10.0.0/8'] })).toThrow(/egress\/lockdown: CIDR '10.0.0\/8' is not an IPv4 CIDR like 10.0.0.0\/8/);
    expect(() => lockedApp({ privateCidrs: ['10.0.0.0/33'] })).toThrow(/'10.0.0.0\/33' is not an IPv4 CIDR/);
    expect(() => lockedApp({ privateCidrs: ['172.16.5.0/12'] })).toThrow(/'172.16.5.0\/12' has host bits set; did you mean 172.16.0.0\/12\?/);
    expect(() => lockedApp({ unsafeReachableCidrs: ['10.1.0.0/16'] }))
      .toThrow(/unsafeReachableCidrs entry '10.1.0.0\/16' is not a default-denied range; name one of 0.0.0.0\/8, 10.0.0.0\/8/);
  });

  test('fails on grants over a plaintext hop', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    new MeshEgressLockdown(c, 'lockdown', { gateway, namespaces: ['shop'] });
    const svc = new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https(), ExternalPort.http()] });
    const plain = new EgressRoute(c, 'route', { gateway, service: svc, ports: [443], hopTls: GatewayHopTls.PLAINTEXT });
    expect(() => plain.grantEgress(EgressGrantee.wholeNamespace('shop'))).toThrow(/test\/route: grants identify clients .*this route's hop is PLAINTEXT; use hopTls: GatewayHopTls.ISTIO_MUTUAL/);
  });

  test('fails on a second lockdown of one gateway, and on a lockdown without namespaces', () => {
    const { egress, gateway } = lockedApp();
    expect(() => new MeshEgressLockdown(egress, 'again', { gateway, namespaces: ['other'] })).toThrow(/is already locked down by egress\/lockdown/);
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    new MeshEgressLockdown(c, 'lockdown', { gateway: EgressGateway.fromExisting(c, 'gateway'), namespaces: [] });
    expect(() => synthValid(c)).toThrow(/needs at least one namespace to lock/);
  });

  test('fails on invalid grantee names where they are granted, naming the route, and on a workload without a namespace', () => {
    const { httpbinRoute } = lockedApp();
    expect(() => httpbinRoute.grantEgress(EgressGrantee.wholeNamespace('Bad_NS')))
      .toThrow(/^egress\/httpbin-route: grantee 'all-pods': namespace 'Bad_NS' is not a namespace name/);
    expect(() => httpbinRoute.grantEgress(EgressGrantee.serviceAccount('shop', 'Bad')))
      .toThrow(/^egress\/httpbin-route: grantee 'sa-Bad': ServiceAccount name 'Bad' is not a Kubernetes name/);
    const c = new Chart(Testing.app(), 'test');
    const d = new kplus.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    expect(() => EgressGrantee.workload(d)).toThrow(/cannot grant egress to a workload without a namespace/);
  });
});
