import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import {
  EgressGateway, EgressGrantee, EgressInventory, EgressInventoryDocument, EgressInventoryFormat, EgressInventoryHost,
  EgressInventoryTls, EgressPath, EgressRoute, EgressTls, ExternalPort, ExternalService, GatewayHopTls, IEgressGateway,
  KubernetesExternalService, KubernetesExternalTarget, MeshEgressLockdown,
} from '../../src';

// The inventory of small apps, one concept a test: each asserts the entries the test is about, and that the
// inventory read back from the app's synthesized manifests is the tree's, but for the construct paths.

interface Setup {
  readonly app: App;
  readonly gateway: IEgressGateway;
  readonly egress: Chart;
  readonly shop: Chart;
}

/** A deployed gateway, `shop` locked down, and whatever `declare` adds. */
function inventoryOf(declare: (setup: Setup) => void): EgressInventoryDocument {
  const app = Testing.app();
  const gateway = new EgressGateway(new Chart(app, 'egress-gateway', { namespace: 'istio-egress' }), 'gateway');
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  declare({ app, gateway, egress, shop });
  const tree = EgressInventory.of(app);
  // synthYaml validates the whole app, as every synth does: the scenarios are apps the cluster would accept.
  const manifests = parseAllDocuments(app.synthYaml()).map(doc => doc.toJS());
  expect(EgressInventory.fromManifests(manifests).render(EgressInventoryFormat.JSON))
    .toEqual(tree.withoutProvenance().render(EgressInventoryFormat.JSON));
  return tree.document;
}

function hostOf(doc: EgressInventoryDocument, host: string): EgressInventoryHost {
  const found = doc.hosts.filter(h => h.host === host);
  expect(found).toHaveLength(1);
  return found[0];
}

/** httpbin.org over HTTP through the gateway, granted to `grantee`. */
function httpbinGrantedTo(grantee: (setup: Setup) => Parameters<EgressRoute['grantEgress']>[0]) {
  return inventoryOf(setup => {
    const service = new ExternalService(setup.egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    new EgressRoute(setup.egress, 'httpbin-route', { gateway: setup.gateway, service }).grantEgress(grantee(setup));
  });
}

const workloadOf = (chart: Chart, id: string) => new kplus.Deployment(chart, id, {
  containers: [{ image: 'example/app:1.0', securityContext: { user: 1000 } }],
  serviceAccount: new kplus.ServiceAccount(chart, `${id}-sa`),
});

describe('EgressInventory | grantees', () => {
  test('EgressGrantee.workload: its ServiceAccount\'s principal at the gateway, its pods in the client policy', () => {
    let labels: { [key: string]: string } = {};
    let serviceAccount = '';
    const doc = httpbinGrantedTo(({ shop }) => {
      const checkout = workloadOf(shop, 'checkout');
      labels = checkout.matchLabels;
      serviceAccount = checkout.serviceAccount!.name;
      return EgressGrantee.workload(checkout);
    });
    expect(hostOf(doc, 'httpbin.org').grants).toEqual([{
      namespaceName: 'shop',
      serviceAccountName: serviceAccount,
      principal: `cluster.local/ns/shop/sa/${serviceAccount}`,
      declaredBy: ['egress/httpbin-route'],
    }]);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', podLabels: labels, ports: [80] }]);
  });

  test('EgressGrantee.serviceAccount: that identity, and every pod of the namespace at the network', () => {
    const doc = httpbinGrantedTo(() => EgressGrantee.serviceAccount('shop', 'checkout'));
    expect(hostOf(doc, 'httpbin.org').grants).toEqual([{
      namespaceName: 'shop', serviceAccountName: 'checkout', principal: 'cluster.local/ns/shop/sa/checkout', declaredBy: ['egress/httpbin-route'],
    }]);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', ports: [80] }]);
  });

  test('EgressGrantee.fromServiceAccount: the cdk8s-plus ServiceAccount\'s generated name', () => {
    let name = '';
    const doc = httpbinGrantedTo(({ shop }) => {
      const sa = new kplus.ServiceAccount(shop, 'batch');
      name = sa.name;
      return EgressGrantee.fromServiceAccount(sa);
    });
    expect(hostOf(doc, 'httpbin.org').grants.map(g => [g.serviceAccountName, g.principal])).toEqual([[name, `cluster.local/ns/shop/sa/${name}`]]);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', ports: [80] }]);
  });

  test('EgressGrantee.wholeNamespace: the namespace, no principal', () => {
    const doc = httpbinGrantedTo(() => EgressGrantee.wholeNamespace('shop'));
    expect(hostOf(doc, 'httpbin.org').grants).toEqual([{ namespaceName: 'shop', declaredBy: ['egress/httpbin-route'] }]);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', ports: [80] }]);
  });

  test('EgressGrantee.pods with a ServiceAccount: the identity, and only the labelled pods at the network', () => {
    const doc = httpbinGrantedTo(() => EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'legacy' }, serviceAccountName: 'legacy' }));
    expect(hostOf(doc, 'httpbin.org').grants.map(g => g.principal)).toEqual(['cluster.local/ns/shop/sa/legacy']);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', podLabels: { app: 'legacy' }, ports: [80] }]);
  });

  test('EgressGrantee.pods without a ServiceAccount: the namespace at the gateway, the labelled pods at the network', () => {
    const doc = httpbinGrantedTo(() => EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'billing', tier: 'back' } }));
    expect(hostOf(doc, 'httpbin.org').grants).toEqual([{ namespaceName: 'shop', declaredBy: ['egress/httpbin-route'] }]);
    expect(doc.gateways[0].clients).toEqual([{ namespaceName: 'shop', podLabels: { app: 'billing', tier: 'back' }, ports: [80] }]);
  });

  test('a grant of one host lists it on that host only; two grants of one identity are one entry', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const service = new ExternalService(egress, 'zhihu', { hosts: ['zhihu.com', 'www.zhihu.com'], ports: [ExternalPort.https()] });
      const route = new EgressRoute(egress, 'zhihu-route', { gateway, service });
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'a'), { hosts: ['zhihu.com'] });
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'b'));
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'b'));
    });
    expect(hostOf(doc, 'zhihu.com').grants.map(g => g.serviceAccountName)).toEqual(['a', 'b']);
    expect(hostOf(doc, 'www.zhihu.com').grants.map(g => g.serviceAccountName)).toEqual(['b']);
  });
});

describe('EgressInventory | request-level grants', () => {
  test('methods, paths and headers, as the gateway admits them', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const service = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
      const route = new EgressRoute(egress, 'httpbin-route', { gateway, service });
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'checkout'), {
        methods: ['post', 'GET'], paths: [EgressPath.prefix('/status/'), EgressPath.exact('/get')], headers: { 'x-team': 'checkout' },
      });
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'batch'));
    });
    expect(hostOf(doc, 'httpbin.org').grants).toEqual([
      { namespaceName: 'shop', serviceAccountName: 'batch', principal: 'cluster.local/ns/shop/sa/batch', declaredBy: ['egress/httpbin-route'] },
      {
        namespaceName: 'shop',
        serviceAccountName: 'checkout',
        principal: 'cluster.local/ns/shop/sa/checkout',
        methods: ['GET', 'POST'],
        paths: ['/get', '/status/*'],
        headers: { 'x-team': 'checkout' },
        declaredBy: ['egress/httpbin-route'],
      },
    ]);
  });
});

describe('EgressInventory | a gateway nobody locked', () => {
  test('with neither a lockdown nor a grant, no AuthorizationPolicy selects the gateway: anyone may use its hosts', () => {
    const app = Testing.app();
    const gateway = new EgressGateway(new Chart(app, 'egress-gateway', { namespace: 'istio-egress' }), 'gateway');
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    const service = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    new EgressRoute(egress, 'httpbin-route', { gateway, service, allowUnlockedMesh: true });
    const tree = EgressInventory.of(app);
    const manifests = parseAllDocuments(app.synthYaml()).map(doc => doc.toJS());
    expect(manifests.filter(m => m.kind === 'AuthorizationPolicy')).toEqual([]);
    expect(hostOf(tree.document, 'httpbin.org').grants).toEqual([{ namespaceName: '*', declaredBy: ['egress-gateway/gateway'] }]);
    expect(EgressInventory.fromManifests(manifests).render(EgressInventoryFormat.JSON))
      .toEqual(tree.withoutProvenance().render(EgressInventoryFormat.JSON));
    expect(tree.render(EgressInventoryFormat.MARKDOWN)).toContain('anyone (no identity condition)');
  });
});

describe('EgressInventory | forwarded paths', () => {
  test('a route that forwards only some paths lists them on its port, from the tree and from the manifests alike', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const service = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
      const route = new EgressRoute(egress, 'httpbin-route', { gateway, service, paths: [EgressPath.exact('/get')] });
      route.addPath(EgressPath.prefix('/status/'));
      route.grantEgress(EgressGrantee.serviceAccount('shop', 'checkout'));
    });
    expect(hostOf(doc, 'httpbin.org').ports.map(p => p.forwardedPaths)).toEqual([['/get', '/status/*']]);
  });

  test('a route that forwards every path lists none', () => {
    const doc = httpbinGrantedTo(() => EgressGrantee.serviceAccount('shop', 'checkout'));
    expect(hostOf(doc, 'httpbin.org').ports.map(p => p.forwardedPaths)).toEqual([undefined]);
  });
});

describe('EgressInventory | TLS and ways out', () => {
  test('passthrough through the gateway: the application\'s TLS, on the gateway port, over Istio mutual TLS', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const service = new ExternalService(egress, 'zhihu', { hosts: ['zhihu.com'], ports: [ExternalPort.https()] });
      new EgressRoute(egress, 'zhihu-route', { gateway, service });
    });
    expect(hostOf(doc, 'zhihu.com').ports).toEqual([{
      number: 443,
      protocol: 'HTTPS',
      tls: EgressInventoryTls.APPLICATION,
      dialledPorts: [443],
      gateway: { namespaceName: 'istio-egress', name: 'istio-egressgateway' },
      gatewayPort: 443,
      hopTls: GatewayHopTls.ISTIO_MUTUAL,
      declaredBy: ['egress/zhihu-route'],
    }]);
  });

  test('TLS originated at the gateway, simple and mutual: the HTTP port leaves as the TLS port', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const cnn = new ExternalService(egress, 'cnn', { hosts: ['edition.cnn.com'], ports: [ExternalPort.http(), ExternalPort.https()] });
      new EgressRoute(egress, 'cnn-route', { gateway, service: cnn, ports: [80], tls: EgressTls.originate() });
      const nginx = new ExternalService(egress, 'nginx', { hosts: ['my-nginx.mesh-external.example.com'], ports: [ExternalPort.http(), ExternalPort.https()] });
      new EgressRoute(egress, 'nginx-route', {
        gateway, service: nginx, ports: [80], gatewayPort: 443, tls: EgressTls.originateMutual({ credentialName: 'client-credential' }),
      });
    });
    const cnn = hostOf(doc, 'edition.cnn.com').ports;
    expect(cnn.map(p => [p.number, p.tls, p.dialledPorts, p.gateway?.name])).toEqual([
      [80, EgressInventoryTls.GATEWAY, [443], 'istio-egressgateway'],
      [443, EgressInventoryTls.APPLICATION, [443], undefined],
    ]);
    const nginx = hostOf(doc, 'my-nginx.mesh-external.example.com').ports[0];
    expect([nginx.tls, nginx.gatewayPort, nginx.dialledPorts]).toEqual([EgressInventoryTls.GATEWAY_MUTUAL, 443, [443]]);
  });

  test('TLS originated at the sidecar, simple and mutual, on hosts no gateway routes: direct', () => {
    const doc = inventoryOf(({ egress }) => {
      new ExternalService(egress, 'cnn', {
        hosts: ['edition.cnn.com'], ports: [ExternalPort.http(), ExternalPort.https()], tlsOrigination: [{ port: 80 }],
      });
      new ExternalService(egress, 'nginx', {
        hosts: ['my-nginx.mesh-external.example.com'],
        ports: [ExternalPort.http()],
        tlsOrigination: [{ port: 80, targetPort: 8443, credentialName: 'client-credential', workloadSelector: { app: 'curl' } }],
      });
    });
    const cnn = hostOf(doc, 'edition.cnn.com');
    expect(cnn.ports).toEqual([
      { number: 80, protocol: 'HTTP', tls: EgressInventoryTls.SIDECAR, dialledPorts: [443], declaredBy: ['egress/cnn'] },
      { number: 443, protocol: 'HTTPS', tls: EgressInventoryTls.APPLICATION, dialledPorts: [443], declaredBy: ['egress/cnn'] },
    ]);
    expect([cnn.grants, cnn.visibleTo]).toEqual([[], ['egress-config']]);
    const nginx = hostOf(doc, 'my-nginx.mesh-external.example.com').ports[0];
    expect([nginx.tls, nginx.dialledPorts, nginx.gateway]).toEqual([EgressInventoryTls.SIDECAR_MUTUAL, [8443], undefined]);
  });

  test('a direct host: every namespace it is exported to, its resolution, its endpoints\' ports', () => {
    const doc = inventoryOf(({ egress }) => {
      new ExternalService(egress, 'db', {
        hosts: ['db.example.com'],
        ports: [ExternalPort.tcp(5432)],
        endpoints: [{ address: 'db-1.example.com', ports: { 'tcp-5432': 6432 } }, { address: 'db-2.example.com' }],
        exportTo: ['shop', 'billing'],
      });
    });
    const db = hostOf(doc, 'db.example.com');
    expect([db.resolution, db.visibleTo, db.serviceEntry]).toEqual(['DNS', ['billing', 'egress-config', 'shop'], expect.stringMatching(/^egress-db-/)]);
    expect(db.ports).toEqual([{ number: 5432, protocol: 'TCP', tls: EgressInventoryTls.NONE, dialledPorts: [5432, 6432], declaredBy: ['egress/db'] }]);
    expect(doc.gateways).toEqual([]);
    expect([doc.lockedNamespaces, doc.egressDeniedNamespaces]).toEqual([['shop'], ['istio-egress', 'shop']]);
  });

  test('Kubernetes Services for external targets: an ExternalName, and addresses in an EndpointSlice', () => {
    const doc = inventoryOf(({ app }) => {
      const apps = new Chart(app, 'apps', { namespace: 'apps' });
      new KubernetesExternalService(apps, 'my-httpbin', { target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [ExternalPort.http()] });
      new KubernetesExternalService(apps, 'my-wikipedia', {
        target: KubernetesExternalTarget.fromAddresses('198.35.26.96', '198.35.26.95'), ports: [ExternalPort.https()],
      });
    });
    expect(doc.kubernetesServices.map(s => [s.name, s.externalName, s.addresses, s.ports.map(p => [p.number, p.protocol, p.tls]), s.declaredBy]))
      .toEqual([
        [expect.stringMatching(/^apps-my-httpbin-/), 'httpbin.org', undefined, [[80, 'HTTP', EgressInventoryTls.NONE]], ['apps/my-httpbin']],
        [expect.stringMatching(/^apps-my-wikipedia-/), undefined, ['198.35.26.95', '198.35.26.96'], [[443, 'HTTPS', EgressInventoryTls.APPLICATION]],
          ['apps/my-wikipedia']],
      ]);
  });

  test('a plain-text hop: the gateway route, with hopTls PLAINTEXT', () => {
    const doc = inventoryOf(({ egress, gateway }) => {
      const service = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
      new EgressRoute(egress, 'httpbin-route', { gateway, service, hopTls: GatewayHopTls.PLAINTEXT });
    });
    expect(hostOf(doc, 'httpbin.org').ports.map(p => [p.tls, p.hopTls])).toEqual([[EgressInventoryTls.NONE, GatewayHopTls.PLAINTEXT]]);
  });

  test('an installed gateway and a wildcard host with an endpoint: the gateway pod port in the client policy', () => {
    const doc = inventoryOf(({ app, egress }) => {
      const installed = EgressGateway.fromExisting(egress, 'installed', { podLabels: { istio: 'egress-b' }, serviceName: 'egress-b' });
      new MeshEgressLockdown(egress, 'lockdown-b', { gateway: installed, namespaces: ['blog'] });
      const service = new ExternalService(egress, 'wiki', {
        hosts: ['*.wikipedia.org'], ports: [ExternalPort.https()], endpoints: [{ address: 'www.wikipedia.org' }],
      });
      const blog = new Chart(app, 'blog', { namespace: 'blog' });
      new EgressRoute(egress, 'wiki-route', { gateway: installed, service }).grantEgress(EgressGrantee.workload(workloadOf(blog, 'reader')));
    });
    // The installed gateway lives with istiod, whose namespace the lockdown never default-denies.
    expect([doc.lockedNamespaces, doc.egressDeniedNamespaces]).toEqual([['blog', 'shop'], ['blog', 'istio-egress', 'shop']]);
    expect(doc.gateways.map(g => [g.namespaceName, g.name, g.podLabels, g.clients.map(c => c.ports)]))
      .toEqual([['istio-system', 'egress-b', { istio: 'egress-b' }, [[8443]]]]);
    expect(hostOf(doc, '*.wikipedia.org').ports.map(p => [p.gatewayPort, p.tls])).toEqual([[443, EgressInventoryTls.APPLICATION]]);
  });
});

describe('EgressInventory | API', () => {
  test('read when rendered: hosts and grants added after EgressInventory.of are in it', () => {
    const app = Testing.app();
    const inventory = EgressInventory.of(app);
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    expect(inventory.document.hosts.map(h => h.host)).toEqual(['httpbin.org']);
    expect(inventory.document).toMatchObject({ kind: EgressInventory.KIND, version: EgressInventory.VERSION });
  });

  test('writeTo writes the three files into a new directory, before or after synth alike', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-')), 'out');
    const app = Testing.app({ outdir: dir });
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    const inventory = EgressInventory.of(app);
    const written = inventory.writeTo(dir);
    app.synth();
    expect(written.map(f => path.basename(f))).toEqual(['egress-inventory.json', 'egress-inventory.md', 'egress-inventory.mmd']);
    expect(fs.readdirSync(dir).sort()).toEqual(['egress-inventory.json', 'egress-inventory.md', 'egress-inventory.mmd', 'egress.k8s.yaml']);
    expect(fs.readFileSync(written[0], 'utf8')).toEqual(inventory.render(EgressInventoryFormat.JSON));
    expect(inventory.writeTo(dir, [EgressInventoryFormat.MERMAID])).toEqual([path.join(dir, 'egress-inventory.mmd')]);
  });

  test('fails when writeTo is given no formats', () => {
    expect(() => EgressInventory.of(Testing.app()).writeTo('/tmp/x', [])).toThrow(/writeTo\(\/tmp\/x\): an empty list of formats writes nothing; leave it out to write all three/);
  });

  test('fails when rendering an unknown format (from another jsii language)', () => {
    expect(() => EgressInventory.of(Testing.app()).render('YAML' as EgressInventoryFormat))
      .toThrow(/unknown format 'YAML'; use one of JSON, MARKDOWN, MERMAID/);
  });
});

describe('EgressInventory | manifests', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-'));
  const serviceEntry = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'httpbin', namespace: 'egress-config' },
    spec: { hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }], resolution: 'DNS' },
  };
  const virtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'httpbin', namespace: 'egress-config' },
    spec: {
      hosts: ['httpbin.org'],
      gateways: ['mesh', 'istio-egress/egress'],
      http: [
        { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: 'egress.istio-egress.svc.cluster.local', port: { number: 80 } } }] },
        { match: [{ gateways: ['istio-egress/egress'], port: 80 }], route: [{ destination: { host: 'httpbin.org', port: { number: 80 } } }] },
      ],
    },
  };
  const gateway = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'egress', namespace: 'istio-egress' },
    spec: { selector: { istio: 'egress' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/httpbin.org'] }] },
  };

  test('hand-written config: no exportTo is every namespace, an ALLOW rule without sources admits anyone, List is unwrapped', () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'egress', namespace: 'istio-egress' },
      spec: { selector: { matchLabels: { istio: 'egress' } }, rules: [{ to: [{ operation: { hosts: ['httpbin.org:80'], methods: ['GET'] } }] }] },
    };
    const doc = EgressInventory.fromManifests([{ apiVersion: 'v1', kind: 'List', items: [serviceEntry, virtualService, gateway, policy] }]).document;
    const httpbin = hostOf(doc, 'httpbin.org');
    expect(httpbin.visibleTo).toEqual(['*']);
    expect(httpbin.grants).toEqual([{ namespaceName: '*', methods: ['GET'] }]);
    expect(httpbin.ports[0]).toMatchObject({ gateway: { namespaceName: 'istio-egress', name: 'egress' }, hopTls: GatewayHopTls.PLAINTEXT });
  });

  const policyOf = (rules: any[]) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'egress', namespace: 'istio-egress' },
    spec: { selector: { matchLabels: { istio: 'egress' } }, rules },
  });
  const grantsOf = (...extra: any[]) => hostOf(EgressInventory.fromManifests([serviceEntry, virtualService, gateway, ...extra]).document, 'httpbin.org').grants;
  const shop = { source: { principals: ['cluster.local/ns/shop/sa/checkout'] } };
  const checkout = { namespaceName: 'shop', serviceAccountName: 'checkout', principal: 'cluster.local/ns/shop/sa/checkout' };

  test('hand-written config: no AuthorizationPolicy on the gateway admits anyone, as Istio does', () => {
    expect(grantsOf()).toEqual([{ namespaceName: '*' }]);
  });

  test('hand-written rules: no `to` covers every host, each operation counts, hosts match as Istio matches them', () => {
    expect(grantsOf(policyOf([{ from: [shop] }]))).toEqual([checkout]);
    expect(grantsOf(policyOf([{ from: [shop], to: [{ operation: { hosts: ['other.org'] } }, { operation: { hosts: ['HTTPBIN.org:*'], methods: ['GET'] } }] }])))
      .toEqual([{ ...checkout, methods: ['GET'] }]);
    expect(grantsOf(policyOf([{ from: [shop], to: [{ operation: { hosts: ['*.org'] } }] }]))).toEqual([checkout]);
    expect(grantsOf(policyOf([{ from: [shop], to: [{ operation: { hosts: ['httpbin.*'] } }] }]))).toEqual([checkout]);
    expect(grantsOf(policyOf([{ from: [shop], to: [{ operation: { hosts: ['httpbin.com'] } }] }]))).toEqual([]);
    // An operation without hosts (paths only) covers every host.
    expect(grantsOf(policyOf([{ from: [shop], to: [{ operation: { paths: ['/get'] } }] }]))).toEqual([{ ...checkout, paths: ['/get'] }]);
  });

  test('kubectl output: the API server\'s Service and mirrored EndpointSlices are not declared ways out', () => {
    const selectorless = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 443 }] } });
    const slice = (namespace: string, service: string, managedBy: string) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${service}-x`, namespace, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': managedBy } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }],
      ports: [{ port: 443 }],
    });
    const doc = EgressInventory.fromManifests([
      selectorless('default', 'kubernetes'), slice('default', 'kubernetes', 'endpointslice-controller.k8s.io'),
      selectorless('kube-system', 'kubelet'), slice('kube-system', 'kubelet', 'endpointslicemirroring-controller.k8s.io'),
      selectorless('shop', 'legacy-db'), slice('shop', 'legacy-db', 'admin'),
    ]).document;
    expect(doc.kubernetesServices.map(k => `${k.namespaceName}/${k.name}`)).toEqual(['shop/legacy-db']);
  });

  test('a MESH_INTERNAL ServiceEntry is listed as in the mesh', () => {
    const internal = { ...serviceEntry, spec: { ...serviceEntry.spec, location: 'MESH_INTERNAL' } };
    const inventory = EgressInventory.fromManifests([internal]);
    expect(hostOf(inventory.document, 'httpbin.org').location).toEqual('MESH_INTERNAL');
    expect(inventory.render(EgressInventoryFormat.MARKDOWN)).toContain('(DNS, in the mesh)');
    expect(hostOf(EgressInventory.fromManifests([serviceEntry]).document, 'httpbin.org').location).toEqual('MESH_EXTERNAL');
  });

  test('fromFiles reads multi-document YAML files', () => {
    const file = path.join(tmp(), 'egress.yaml');
    fs.writeFileSync(file, [serviceEntry, virtualService, gateway].map(m => JSON.stringify(m)).join('\n---\n'));
    expect(EgressInventory.fromFiles([file]).document.gateways.map(g => g.serviceHost)).toEqual(['egress.istio-egress.svc.cluster.local']);
  });

  test('fails when given no files', () => {
    expect(() => EgressInventory.fromFiles([])).toThrow(/EgressInventory.fromFiles: no manifest files given; pass the \*.k8s.yaml files cdk8s synth wrote/);
  });

  test('fails when a file cannot be read, naming it', () => {
    expect(() => EgressInventory.fromFiles(['/nonexistent/egress.k8s.yaml']))
      .toThrow(/\/nonexistent\/egress.k8s.yaml: cannot read the file \(ENOENT\); pass a manifest file/);
  });

  test('fails when a file is not YAML, naming the file and line', () => {
    const file = path.join(tmp(), 'broken.yaml');
    fs.writeFileSync(file, 'kind: ServiceEntry\nspec: [unclosed\n');
    expect(() => EgressInventory.fromFiles([file])).toThrow(/broken.yaml:\d+: document 1 is not valid YAML \(.+\); fix the file, or leave it out/);
  });

  test('fails when a document is not a Kubernetes object, naming its position', () => {
    expect(() => EgressInventory.fromManifests([serviceEntry, { hosts: ['x'] }]))
      .toThrow(/manifest #2: not a Kubernetes object \(it needs a string 'apiVersion' and 'kind'\); pass manifests/);
  });

  test('fails when a route\'s gateway is in none of the manifests, naming the route and the gateway', () => {
    expect(() => EgressInventory.fromManifests([serviceEntry, virtualService]))
      .toThrow(/manifest #2: VirtualService egress-config\/httpbin routes through gateway 'istio-egress\/egress', which is in none of the manifests read; pass the file that holds that Istio Gateway too/);
  });

  test('fails when a routed host has no ServiceEntry, naming the route and the host', () => {
    expect(() => EgressInventory.fromManifests([virtualService, gateway]))
      .toThrow(/manifest #1: VirtualService egress-config\/httpbin routes host 'httpbin.org' through a gateway, and no ServiceEntry read declares it; pass the file that holds its ServiceEntry too/);
  });
});
