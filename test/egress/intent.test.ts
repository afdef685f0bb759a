import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { exampleApp } from '../../examples/app';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, GatewayInstall, IEgressGateway, IstioMesh,
  MeshEgressLockdown, PodIdentity, Reachability,
} from '../../src';
import { byKind, synthValid } from '../util';

// What issue 12 measured: every derived field is computed from the final intent, so the order of calls cannot
// change what is emitted, and names and selectors do not follow construct paths.

/** An istioctl gateway receives TLS for Service port 443 on pod port 8443: SNI rules name that port. */
const SNI_PORT_8443 = [{ operation: { ports: ['8443'] } }];
const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));
const namespacesOf = (rule: any) => rule.to.map((peer: any) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']);

function egressApp() {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway: IEgressGateway = EgressGateway.fromExisting(egress, 'gateway');
  const service = new ExternalService(egress, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
  const route = new EgressRoute(egress, 'route', { gateway, service });
  return { app, egress, gateway, service, route };
}

const GATEWAY_POD: PodIdentity = { namespaceName: 'istio-system', name: 'istio-egressgateway', labels: { istio: 'egressgateway', app: 'istio-egressgateway' } };

describe('Intent, then rendering |', () => {
  test('every locked namespace lets every other locked namespace in, whatever the order they were locked in', () => {
    const { app, egress, gateway } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['bookinfo', 'shop'] });
    const policies = byKind(synthAll(app), 'NetworkPolicy').filter(p => p.metadata.name === 'egress-lockdown');
    expect(policies.map(p => p.metadata.namespace)).toEqual(['bookinfo', 'shop']);
    for (const policy of policies) {
      expect(policy.spec.egress.map(namespacesOf)).toContainEqual(['bookinfo', 'shop']);
    }
  });

  test('a namespace locked after a route and then granted is admitted by the gateway, and gets allowInCluster', () => {
    const { app, egress, gateway, route } = egressApp();
    const lockdown = new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    lockdown.allowInCluster(kplus.Namespaces.select(egress, 'data', { names: ['data'] }), [kplus.NetworkPolicyPort.tcp(5432)]);
    lockdown.addNamespace('late');
    const late = new Chart(app, 'late', { namespace: 'late' });
    const worker = new kplus.Deployment(late, 'worker', {
      containers: [{ image: 'example/worker:1.0', securityContext: { user: 1000 } }],
      serviceAccount: new kplus.ServiceAccount(late, 'worker-sa'),
    });
    route.grantEgress(EgressGrantee.workload(worker));

    const r = Reachability.of(synthAll(app));
    r.addPod(GATEWAY_POD);
    const workerPod = r.pods.find(p => p.namespaceName === 'late')!;
    // istioctl's gateway listens on 8443 behind Service port 443.
    expect(r.canReachPod(workerPod, GATEWAY_POD, 8443)).toBe(true);
    expect(r.canReachPod(workerPod, { namespaceName: 'data', name: 'postgres', labels: {} }, 5432)).toBe(true);
  });

  test('a grant made before the route gets a host or a port covers them', () => {
    const { app, gateway, service, route, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const grant = route.grantEgress(EgressGrantee.wholeNamespace('shop'));
    service.addHost('www.example.com');
    service.addPort(ExternalPort.http());
    expect(grant.hosts).toEqual(['api.example.com', 'www.example.com']);

    const manifests = synthAll(app);
    const allow = byKind(manifests, 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW');
    expect(allow.spec.rules).toEqual([
      { from: [{ source: { namespaces: ['shop'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['api.example.com', 'www.example.com'] }] },
      { from: [{ source: { namespaces: ['shop'] } }], to: [{ operation: { hosts: ['api.example.com', 'www.example.com'] } }] },
    ]);
    const client = manifests.find(m => m.metadata.name === grant.clientNetworkPolicy.name);
    expect(client.spec.egress[0].ports.map((p: any) => p.port)).toEqual([8080, 8443]);
    const [sidecar] = byKind(manifests, 'Sidecar');
    // Both hosts are granted, so the route's namespace is imported whole: its objects are exported to granted namespaces only.
    expect(sidecar.spec.egress[0].hosts).toEqual(['./*', 'egress-config/*', 'istio-system/*']);
    expect(byKind(manifests, 'ServiceEntry').every(se => se.spec.exportTo.includes('shop'))).toBe(true);
  });

  test('grantees are identities, not joined strings: a-b/c and a/b-c are two ServiceAccounts', () => {
    const { app, gateway, route, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['a', 'a-b'] });
    const second = new ExternalService(egress, 'second', { hosts: ['second.example.com'], ports: [ExternalPort.https()] });
    const secondRoute = new EgressRoute(egress, 'second-route', { gateway, service: second });
    route.grantEgress(EgressGrantee.serviceAccount('a-b', 'c'));
    secondRoute.grantEgress(EgressGrantee.serviceAccount('a', 'b-c'));
    const allow = byKind(synthAll(app), 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW');
    expect(allow.spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/a-b/sa/c'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['api.example.com'] }] },
      { from: [{ source: { principals: ['cluster.local/ns/a/sa/b-c'] } }], to: SNI_PORT_8443, when: [{ key: 'connection.sni', values: ['second.example.com'] }] },
    ]);
  });

  test('the grant\'s client NetworkPolicy lives in the grantee\'s chart and namespace; the grant says what it made', () => {
    const { app, gateway, route, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['bookinfo'] });
    const bookinfo = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    const productpage = new kplus.Deployment(bookinfo, 'productpage', {
      metadata: { name: 'productpage' },
      containers: [{ image: 'example/productpage:1.0', securityContext: { user: 1000 } }],
      serviceAccount: new kplus.ServiceAccount(bookinfo, 'productpage-sa', { metadata: { name: 'productpage' } }),
    });
    const grant = route.grantEgress(EgressGrantee.workload(productpage));

    expect(grant.route).toBe(route);
    expect(grant.clientNetworkPolicy.node.scopes).toContain(productpage);
    expect(grant.clientNetworkPolicy.name).toEqual('productpage-to-istio-egressgateway.istio-system');
    const client = byKind(synthValid(bookinfo), 'NetworkPolicy');
    expect(client.map(p => [p.metadata.namespace, p.metadata.name])).toEqual([['bookinfo', 'productpage-to-istio-egressgateway.istio-system']]);
    expect(byKind(synthValid(egress), 'NetworkPolicy').map(p => p.metadata.name)).not.toContain(grant.clientNetworkPolicy.name);
  });

  test('a workload granted before its selector is complete is selected as it is at synth', () => {
    const { app, gateway, route, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const checkout = new kplus.Deployment(shop, 'checkout', {
      containers: [{ image: 'example/checkout:1.0', securityContext: { user: 1000 } }],
      serviceAccount: new kplus.ServiceAccount(shop, 'checkout-sa'),
      podMetadata: { labels: { tier: 'web' } },
    });
    const grant = route.grantEgress(EgressGrantee.workload(checkout));
    checkout.select(kplus.LabelSelector.of({ labels: { tier: 'web' } }));
    const client = synthAll(app).find(m => m.metadata.name === grant.clientNetworkPolicy.name);
    expect(client.spec.podSelector.matchLabels).toEqual(checkout.matchLabels);
    expect(client.spec.podSelector.matchLabels.tier).toEqual('web');
  });

  test('a workload with no selector yet may be granted: its labels are checked when rendered, as they are then', () => {
    const build = (selectLater: boolean) => {
      const { app, gateway, route, egress } = egressApp();
      new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
      const shop = new Chart(app, 'shop', { namespace: 'shop' });
      const checkout = new kplus.Deployment(shop, 'checkout', {
        containers: [{ image: 'example/checkout:1.0', securityContext: { user: 1000 } }],
        serviceAccount: new kplus.ServiceAccount(shop, 'checkout-sa'),
        podMetadata: { labels: { tier: 'web' } },
        select: false,
      });
      route.grantEgress(EgressGrantee.workload(checkout));
      if (selectLater) checkout.select(kplus.LabelSelector.of({ labels: { tier: 'web' } }));
      return app;
    };
    expect(() => synthAll(build(true))).not.toThrow();
    expect(() => synthAll(build(false))).toThrow(/egress\/route: grantee '.+': pod labels \{\} select every pod of 'shop'/);
  });

  test('a grantee from plain labels, for workloads that are not cdk8s-plus-28 constructs', () => {
    const { app, gateway, route, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['legacy'] });
    const grant = route.grantEgress(EgressGrantee.pods({ namespaceName: 'legacy', labels: { app: 'billing' }, serviceAccountName: 'billing' }));
    const manifests = synthAll(app);
    const client = manifests.find(m => m.metadata.name === grant.clientNetworkPolicy.name);
    expect(client.metadata).toEqual({ name: 'billing-to-istio-egressgateway.istio-system', namespace: 'legacy' });
    expect(client.spec.podSelector).toEqual({ matchLabels: { app: 'billing' } });
    const allow = byKind(manifests, 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW');
    expect(allow.spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/legacy/sa/billing'] } }]);
  });

  test('the mesh\'s trust domain and cluster domain reach principals, hosts and the lockdown\'s control plane', () => {
    const app = Testing.app();
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    const mesh = new IstioMesh({ trustDomain: 'corp.example', clusterDomain: 'k8s.corp', rootNamespace: 'istio-control' });
    const gateway = EgressGateway.fromExisting(egress, 'gateway', { mesh, namespaceName: 'istio-egress' });
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const service = new ExternalService(egress, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()] });
    new EgressRoute(egress, 'route', { gateway, service }).grantEgress(EgressGrantee.serviceAccount('shop', 'checkout'));
    const manifests = synthAll(app);
    expect(gateway.serviceHost).toEqual('istio-egressgateway.istio-egress.svc.k8s.corp');
    const allow = byKind(manifests, 'AuthorizationPolicy').find(p => p.spec.action === 'ALLOW');
    expect(allow.spec.rules[0].from).toEqual([{ source: { principals: ['corp.example/ns/shop/sa/checkout'] } }]);
    const [sidecar] = byKind(manifests, 'Sidecar');
    expect(sidecar.spec.egress[0].hosts).toEqual(expect.arrayContaining(['istio-control/*', 'istio-egress/istio-egressgateway.istio-egress.svc.k8s.corp']));
  });
});

describe('Names and labels an operator accepts |', () => {
  test('the gateway\'s objects share its name (the hop rules add whom they serve), and other objects are named after what they are for', () => {
    const names = synthAll(exampleApp({ app: { outdir: Testing.app().outdir } }))
      .map(m => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)
      // The user's own workloads keep cdk8s' generated names.
      .filter(name => !/-c8[0-9a-f]{6}$/.test(name));
    expect(names.sort()).toEqual([
      'AuthorizationPolicy istio-egress/istio-egressgateway',
      'AuthorizationPolicy istio-egress/istio-egressgateway-deny-by-default',
      'ConfigMap monitoring/istio-egressgateway-istio-egress-dashboard',
      'Deployment istio-egress/istio-egressgateway',
      'Deployment istio-ingress/istio-ingressgateway',
      'DestinationRule istio-egress/istio-egressgateway-hop-bookinfo',
      'Gateway istio-egress/istio-egressgateway',
      'Gateway istio-ingress/istio-ingressgateway',
      'HorizontalPodAutoscaler istio-egress/istio-egressgateway',
      'HorizontalPodAutoscaler istio-ingress/istio-ingressgateway',
      'NetworkPolicy bookinfo/bookinfo-productpage-c8a6305e-to-istio-egressgateway.istio-egress',
      'NetworkPolicy bookinfo/bookinfo-reviews-c8ba63b5-to-istio-egressgateway.istio-egress',
      'NetworkPolicy bookinfo/egress-lockdown',
      'NetworkPolicy istio-egress/egress-lockdown',
      'NetworkPolicy istio-egress/istio-egressgateway',
      'NetworkPolicy istio-ingress/istio-ingressgateway',
      'PodDisruptionBudget istio-egress/istio-egressgateway',
      'PodMonitor istio-egress/istio-egressgateway',
      'PrometheusRule istio-egress/istio-egressgateway',
      'Service bookinfo/productpage',
      'Service istio-egress/istio-egressgateway',
      'Service istio-ingress/istio-ingressgateway',
      'ServiceAccount istio-egress/istio-egressgateway',
      'ServiceAccount istio-ingress/istio-ingressgateway',
      'Sidecar bookinfo/egress-lockdown',
      'Telemetry istio-egress/istio-egressgateway',
      'Telemetry istio-ingress/istio-ingressgateway',
      'VirtualService bookinfo/bookinfo',
      'VirtualService egress-config/httpbin.org',
      'VirtualService egress-config/www.zhihu.com',
      'VirtualService egress-config/zhihu.com',
    ]);
  });

  test('renaming the example gateway\'s construct id changes no name, selector or label of what it deploys', () => {
    const outdir = Testing.app().outdir;
    const gatewayObjects = (gatewayId?: string) => synthAll(exampleApp({ app: { outdir }, gatewayId }))
      .filter(m => m.metadata.namespace === 'istio-egress');
    const before = gatewayObjects();
    const after = gatewayObjects('egress-gateway-renamed');
    expect(after).toEqual(before);
    const deployment = byKind(before, 'Deployment')[0];
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'istio-egressgateway', istio: 'egressgateway' } });
    expect(byKind(before, 'Service')[0].spec.selector).toEqual({ app: 'istio-egressgateway', istio: 'egressgateway' });
    // No construct path reaches the pods either.
    expect(Object.keys(deployment.spec.template.metadata.labels)).not.toContain(kplus.Pod.ADDRESS_LABEL);
  });

  test('a deployed gateway named like a Helm release selects that release\'s pods, so it can adopt them', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'istio-egress' });
    const helm = GatewayInstall.helm('istio-egressgateway', 'istio-egress');
    const gateway = new EgressGateway(c, 'gateway', { name: helm.serviceName });
    const [service] = byKind(synthValid(c), 'Service');
    expect(service.spec.selector).toEqual(helm.podLabels);
    expect(service.metadata.name).toEqual(helm.serviceName);
    expect(gateway.serviceAccountName).toEqual(helm.serviceAccountName);
  });

  test('generated names have no truncation artefacts; only an over-long name gets a digest', () => {
    const { app, gateway, egress } = egressApp();
    // A valid host whose subset name (`<host>-<port>` as a DNS label) would pass 63 characters.
    const host = `${'a'.repeat(60)}.example.com`;
    const service = new ExternalService(egress, 'long', { hosts: [host], ports: [ExternalPort.https()] });
    new EgressRoute(egress, 'long-route', { gateway, service, allowUnlockedMesh: true });
    new EgressRoute(egress, 'wild-route', {
      gateway,
      service: new ExternalService(egress, 'wild', { hosts: ['*.wikipedia.org'], ports: [ExternalPort.https()], endpoints: [{ address: 'www.wikipedia.org' }] }),
      allowUnlockedMesh: true,
    });
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const manifests = synthAll(app);
    const vs = byKind(manifests, 'VirtualService').map(v => v.metadata.name);
    expect(vs).toEqual(['api.example.com', host, 'wildcard.wikipedia.org']);
    expect(byKind(manifests, 'Gateway')[0].spec.servers.map((s: any) => s.port.name)).toContain('tls-443-wildcard-wikipedia-org');
    const subsets = byKind(manifests, 'DestinationRule')[0].spec.subsets.map((s: any) => s.name);
    expect(subsets).toContain('wildcard-wikipedia-org-443');
    const long = subsets.find((s: string) => s.startsWith('aaaa'));
    expect(long).toMatch(/^a{54}-[0-9a-f]{8}$/);
  });
});

describe('Intent, then rendering | fails', () => {
  test('fails when two hosts of one gateway would send the same hop SNI (a wildcard and its stand-in name)', () => {
    const { app, gateway, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const wild = new ExternalService(egress, 'wild', { hosts: ['*.example.org'], ports: [ExternalPort.https()], endpoints: [{ address: 'www.example.org' }] });
    const real = new ExternalService(egress, 'real', { hosts: ['wildcard.example.org'], ports: [ExternalPort.https()] });
    new EgressRoute(egress, 'wild-route', { gateway, service: wild });
    new EgressRoute(egress, 'real-route', { gateway, service: real });
    expect(() => synthAll(app)).toThrow(/egress\/real-route: hosts '\*.example.org' and 'wildcard.example.org' both send SNI 'wildcard.example.org'.*route them through different gateways/);
  });

  test('fails when two grantees would give their client NetworkPolicies one name', () => {
    const { route, gateway, egress } = egressApp();
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'a' }, name: 'team' }));
    expect(() => route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'b' }, name: 'team' })))
      .toThrow(/two different grantees through egress gateway egress\/gateway are both named 'team' in namespace 'shop'; give one of them another name/);
  });

  test('fails on an installed gateway whose pod labels select nothing in particular', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    expect(() => EgressGateway.fromExisting(c, 'gateway', { podLabels: {} }))
      .toThrow(/test\/gateway: podLabels must select the gateway's pods; \{\} selects every pod \(in the root namespace, the whole mesh\)/);
  });

  test('fails on pods grantees without labels, and on workloads selected by expressions', () => {
    const { route } = egressApp();
    expect(() => route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: {}, name: 'team' })))
      .toThrow(/^egress\/route: grantee 'team': pod labels \{\} select every pod of 'shop'.*EgressGrantee.wholeNamespace\(\)/);
    expect(() => route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { 'bad key': 'x' }, name: 'team' })))
      .toThrow(/^egress\/route: grantee 'team': pod label key 'bad key' is not a valid Kubernetes label key/);
    const c = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const d = new kplus.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    d.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.exists('tier')] }));
    expect(() => EgressGrantee.workload(d)).toThrow(/test\/d: the workload selects its pods with label expressions.*EgressGrantee.pods/);
  });

  test('fails on mesh settings that are not names', () => {
    expect(() => new IstioMesh({ trustDomain: 'Corp_Example' })).toThrow(/IstioMesh: trustDomain 'Corp_Example' is not a DNS-1123 subdomain/);
    expect(() => new IstioMesh({ rootNamespace: 'istio.system' })).toThrow(/IstioMesh: rootNamespace 'istio.system' is not a namespace name/);
  });
});
