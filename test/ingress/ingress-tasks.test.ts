import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  GatewayInstall, IngressAction, IngressDestination, IngressGateway, IngressListener, IngressPassthroughRoute, IngressPath,
  IngressRoute, IngressTls, IngressTlsVersion, Reachability,
} from '../../src';
import { byKind, only, synthValid } from '../util';

// The Istio documentation's ingress tasks (istio.io tasks/traffic-management/ingress/* and
// tasks/security/authentication/authn-policy), each written with the library as the docs write the YAML, with zero
// validator findings: targeted assertions on the fields the task is about, and a snapshot of the ingress objects.

const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));
const INGRESS_KINDS = ['Gateway', 'VirtualService', 'AuthorizationPolicy', 'RequestAuthentication', 'NetworkPolicy', 'Role'];
const ingressObjects = (manifests: any[]) => manifests.filter(m => INGRESS_KINDS.includes(m.kind));

/** The docs' httpbin sample: Service port 8000 in front of the pods' 8080. */
function httpbinApp() {
  const app = Testing.app();
  const ingress = new Chart(app, 'ingress', { namespace: 'istio-ingress' });
  const gateway = new IngressGateway(ingress, 'gateway');
  const apps = new Chart(app, 'apps', { namespace: 'httpbin' });
  const httpbin = sampleService(apps, 'httpbin', 8000, 8080);
  return { app, ingress, gateway, apps, httpbin };
}

function sampleService(chart: Chart, name: string, port: number, targetPort: number, labels: { [key: string]: string } = {}) {
  const deployment = new kplus.Deployment(chart, `${name}-deployment`, {
    metadata: { name },
    podMetadata: { labels: { app: name, ...labels } },
    select: false,
    containers: [{ image: `docker.io/kong/${name}`, portNumber: targetPort, securityContext: { user: 1000 } }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { app: name, ...labels } }));
  return new kplus.Service(chart, `${name}-service`, {
    metadata: { name },
    selector: deployment,
    ports: [{ port, targetPort, name: 'http' }],
  });
}

describe('Ingress gateways |', () => {
  test('ingress control: httpbin.example.com on port 80, /status and /delay to httpbin:8000', () => {
    const { app, ingress, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.http({ hosts: ['httpbin.example.com'] }));
    new IngressRoute(apps, 'httpbin', {
      gateway,
      hosts: ['httpbin.example.com'],
      rules: [{
        priority: 1,
        matches: [{ path: IngressPath.prefix('/status') }, { path: IngressPath.prefix('/delay') }],
        action: IngressAction.forward(IngressDestination.service(httpbin)),
      }],
    });
    const manifests = synthAll(app);
    const istioGateway = only(manifests, 'Gateway');
    expect(istioGateway.metadata).toMatchObject({ name: 'istio-ingressgateway', namespace: 'istio-ingress' });
    expect(istioGateway.spec).toEqual({
      selector: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      // Bound for the namespace of the route that serves the host: no other namespace attaches a VirtualService.
      servers: [{ port: { number: 80, name: 'http-80-httpbin-example-com', protocol: 'HTTP' }, hosts: ['httpbin/httpbin.example.com'] }],
    });
    const vs = only(manifests, 'VirtualService');
    expect(vs.metadata).toMatchObject({ name: 'httpbin', namespace: 'httpbin' });
    expect(vs.spec).toEqual({
      hosts: ['httpbin.example.com'],
      gateways: ['istio-ingress/istio-ingressgateway'],
      exportTo: ['.', 'istio-ingress'],
      http: [{
        name: 'rule-1',
        match: [{ uri: { prefix: '/status' } }, { uri: { prefix: '/delay' } }],
        route: [{ destination: { host: 'httpbin.httpbin.svc.cluster.local', port: { number: 8000 } } }],
      }],
    });
    const service = byKind(Testing.synth(ingress), 'Service')[0];
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports.map((p: any) => [p.name, p.port])).toEqual([['http2', 80], ['http-status-port', 15021]]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('secure ingress: SIMPLE TLS on 443 from httpbin-credential, which the gateway may read', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.https({
      hosts: ['httpbin.example.com'], tls: IngressTls.simple('httpbin-credential'),
    }));
    new IngressRoute(apps, 'httpbin', {
      gateway,
      hosts: ['httpbin.example.com'],
      rules: [{ priority: 1, matches: [{ path: IngressPath.prefix('/status') }], action: IngressAction.forward(IngressDestination.service(httpbin)) }],
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'Gateway').spec.servers).toEqual([{
      port: { number: 443, name: 'https-443-httpbin-example-com', protocol: 'HTTPS' },
      hosts: ['httpbin/httpbin.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'httpbin-credential' },
    }]);
    const role = only(manifests, 'Role');
    expect(role.metadata.namespace).toBe('istio-ingress');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('several hosts on 443, each with its own certificate (by SNI), and distinct server port names', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    const helloworld = sampleService(apps, 'helloworld', 5000, 5000);
    gateway.addListener(IngressListener.https({ hosts: ['httpbin.example.com'], tls: IngressTls.simple('httpbin-credential') }));
    gateway.addListener(IngressListener.https({ hosts: ['helloworld.example.com'], tls: IngressTls.simple('helloworld-credential') }));
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    new IngressRoute(apps, 'helloworld', {
      gateway,
      hosts: ['helloworld.example.com'],
      rules: [{ priority: 1, matches: [{ path: IngressPath.exact('/hello') }], action: IngressAction.forward(IngressDestination.service(helloworld)) }],
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'Gateway').spec.servers.map((s: any) => [s.port.name, s.hosts, s.tls.credentialName])).toEqual([
      ['https-443-helloworld-example-com', ['httpbin/helloworld.example.com'], 'helloworld-credential'],
      ['https-443-httpbin-example-com', ['httpbin/httpbin.example.com'], 'httpbin-credential'],
    ]);
    expect(byKind(manifests, 'VirtualService').map(vs => vs.spec.http.map((h: any) => h.name))).toEqual([['default'], ['rule-1']]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('mutual TLS: MUTUAL from a credential with ca.crt, TLS 1.3 only', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.https({
      hosts: ['httpbin.example.com'],
      tls: IngressTls.mutual('httpbin-credential', { minProtocolVersion: IngressTlsVersion.TLS_1_3, subjectAltNames: ['client.example.com'] }),
    }));
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'Gateway').spec.servers[0].tls).toEqual({
      mode: 'MUTUAL', credentialName: 'httpbin-credential', minProtocolVersion: 'TLSV1_3', subjectAltNames: ['client.example.com'],
    });
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('SNI passthrough: nginx.example.com on 443 to the in-mesh TLS server my-nginx:443', () => {
    const { app, gateway, apps } = httpbinApp();
    const nginx = sampleService(apps, 'my-nginx', 443, 443);
    gateway.addListener(IngressListener.tlsPassthrough({ hosts: ['nginx.example.com'] }));
    new IngressPassthroughRoute(apps, 'nginx', {
      gateway, hosts: ['nginx.example.com'], destination: IngressDestination.service(nginx),
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'Gateway').spec.servers).toEqual([{
      port: { number: 443, name: 'tls-443-nginx-example-com', protocol: 'TLS' }, hosts: ['httpbin/nginx.example.com'], tls: { mode: 'PASSTHROUGH' },
    }]);
    expect(only(manifests, 'VirtualService').spec.tls).toEqual([{
      match: [{ sniHosts: ['nginx.example.com'] }],
      route: [{ destination: { host: 'my-nginx.httpbin.svc.cluster.local', port: { number: 443 } } }],
    }]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('HTTPS redirect: port 80 answers 301 to https://, port 443 serves the route', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.http({ hosts: ['httpbin.example.com'], httpsRedirect: true }));
    gateway.addListener(IngressListener.https({ hosts: ['httpbin.example.com'], tls: IngressTls.simple('httpbin-credential') }));
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'Gateway').spec.servers.map((s: any) => [s.port.number, s.tls])).toEqual([
      [80, { httpsRedirect: true }],
      [443, { mode: 'SIMPLE', credentialName: 'httpbin-credential' }],
    ]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('a canary: 90% to reviews-v1, 10% to reviews-v2, with a timeout, retries and header changes', () => {
    const { app, gateway, apps } = httpbinApp();
    const v1 = sampleService(apps, 'reviews-v1', 9080, 9080, { version: 'v1' });
    const v2 = sampleService(apps, 'reviews-v2', 9080, 9080, { version: 'v2' });
    gateway.addListener(IngressListener.http({ hosts: ['reviews.example.com'] }));
    new IngressRoute(apps, 'reviews', {
      gateway,
      hosts: ['reviews.example.com'],
      defaultRule: {
        action: IngressAction.forward(IngressDestination.service(v1, { weight: 90 }), IngressDestination.service(v2, { weight: 10 })),
        timeout: Duration.seconds(5),
        retries: { attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: ['connect-failure', '503'] },
        requestHeaders: { set: { 'x-canary-split': '90-10' } },
        responseHeaders: { remove: ['server'] },
      },
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'VirtualService').spec.http).toEqual([{
      name: 'default',
      route: [
        { destination: { host: 'reviews-v1.httpbin.svc.cluster.local', port: { number: 9080 } }, weight: 90 },
        { destination: { host: 'reviews-v2.httpbin.svc.cluster.local', port: { number: 9080 } }, weight: 10 },
      ],
      timeout: '5s',
      retries: { attempts: 2, perTryTimeout: '2s', retryOn: 'connect-failure,503' },
      headers: { request: { set: { 'x-canary-split': '90-10' } }, response: { remove: ['server'] } },
    }]);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('edge JWT: RequestAuthentication plus the DENY rule for requests without a token on /headers', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.http({ hosts: ['httpbin.example.com'] }));
    gateway.requireJwt({
      issuer: 'testing@secure.istio.io',
      jwksUri: 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json',
      paths: ['/headers'],
    });
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    const manifests = synthAll(app);
    expect(only(manifests, 'RequestAuthentication').spec).toEqual({
      selector: { matchLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
      jwtRules: [{
        issuer: 'testing@secure.istio.io',
        jwks_uri: 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json',
      }],
    });
    expect(only(manifests, 'AuthorizationPolicy').spec).toEqual({
      selector: { matchLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
      action: 'DENY',
      rules: [{ from: [{ source: { notRequestPrincipals: ['testing@secure.istio.io/*'] } }], to: [{ operation: { paths: ['/headers'], ports: ['80'] } }] }],
    });
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('access rules at the edge: allow by host, path, method and client range, as one ALLOW policy', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.http({ hosts: ['httpbin.example.com'] }));
    gateway.allowRequests({ hosts: ['httpbin.example.com'], paths: ['/status/*'], methods: ['GET'] });
    gateway.allowRequests({ sourceCidrs: ['203.0.113.0/24'] });
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    const policy = only(synthAll(app), 'AuthorizationPolicy');
    expect(policy.metadata.name).toBe('istio-ingressgateway-access');
    expect(policy.spec.rules).toEqual([
      { from: [{ source: { remoteIpBlocks: ['203.0.113.0/24'] } }] },
      // Host, path and method only match HTTP, so the rule says where: the HTTP listener's pod port.
      { to: [{ operation: { hosts: ['httpbin.example.com'], methods: ['GET'], paths: ['/status/*'], ports: ['80'] } }] },
    ]);
  });

  test('seed 004 bookinfo: an istioctl ingress gateway, every host on port 80, /productpage to productpage:9080', () => {
    const app = Testing.app();
    const bookinfo = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    const gateway = IngressGateway.fromExisting(bookinfo, 'ingress', {
      listeners: [IngressListener.http({ hosts: ['*'] })],
    });
    const productpage = sampleService(bookinfo, 'productpage', 9080, 9080);
    new IngressRoute(bookinfo, 'bookinfo', {
      gateway,
      hosts: ['*'],
      rules: [{ priority: 1, matches: [{ path: IngressPath.exact('/productpage') }], action: IngressAction.forward(IngressDestination.service(productpage)) }],
    });
    const manifests = synthAll(app);
    const istioGateway = only(manifests, 'Gateway');
    expect(istioGateway.metadata).toMatchObject({ name: 'istio-ingressgateway', namespace: 'istio-system' });
    expect(istioGateway.spec.selector).toEqual({ istio: 'ingressgateway', app: 'istio-ingressgateway' });
    // istioctl's pods listen on 8080 behind the Service's 80: the NetworkPolicy opens the pod port.
    const policy = byKind(manifests, 'NetworkPolicy').find(p => p.metadata.namespace === 'istio-system');
    expect(policy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8080, 15021]);
    expect(only(manifests, 'VirtualService').spec.gateways).toEqual(['istio-system/istio-ingressgateway']);
    expect(ingressObjects(manifests)).toMatchSnapshot();
  });

  test('the Helm chart\'s ingress gateway is selected by `istio: ingress`, not `ingressgateway`', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'edge', { namespace: 'istio-ingress' });
    const gateway = IngressGateway.fromExisting(chart, 'ingress', {
      install: GatewayInstall.helm('istio-ingress', 'istio-ingress'),
      listeners: [IngressListener.http({ hosts: ['shop.example.com'] })],
    });
    expect(gateway.podLabels).toEqual({ istio: 'ingress', app: 'istio-ingress' });
    expect(only(synthAll(app), 'Gateway').spec.selector).toEqual({ istio: 'ingress', app: 'istio-ingress' });
  });
});

describe('Ingress lockdown |', () => {
  test('the ingress gateway reaches DNS, istiod and its routes\' destinations, and no address outside the cluster', () => {
    const { app, gateway, apps, httpbin } = httpbinApp();
    gateway.addListener(IngressListener.http({ hosts: ['httpbin.example.com'] }));
    gateway.addListener(IngressListener.https({ hosts: ['httpbin.example.com'], tls: IngressTls.simple('httpbin-credential') }));
    new IngressRoute(apps, 'httpbin', {
      gateway, hosts: ['httpbin.example.com'], defaultRule: { action: IngressAction.forward(IngressDestination.service(httpbin)) },
    });
    const manifests = synthAll(app);
    const reach = Reachability.of(manifests);
    const gatewayPod = reach.pods.find(p => p.name === 'istio-ingressgateway')!;
    const httpbinPod = reach.pods.find(p => p.name === 'httpbin')!;
    expect(gatewayPod).toBeDefined();
    for (const address of ['8.8.8.8', '1.1.1.1', '169.254.169.254', '10.0.0.1', '2001:4860:4860::8888']) {
      for (const port of [53, 80, 443, 8080]) {
        expect(reach.canReachAddress(gatewayPod, address, port)).toBe(false);
      }
    }
    expect(reach.canReachPod(gatewayPod, httpbinPod, 8080)).toBe(true);
    expect(reach.canReachPod(gatewayPod, httpbinPod, 9999)).toBe(false);
    expect(reach.canReachPod(gatewayPod, { namespaceName: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } }, 53, 'UDP')).toBe(true);
    expect(reach.canReachPod(gatewayPod, { namespaceName: 'istio-system', name: 'istiod', labels: { app: 'istiod' } }, 15012)).toBe(true);
    expect(reach.canReachPod(gatewayPod, { namespaceName: 'other', name: 'db', labels: { app: 'db' } }, 5432)).toBe(false);
    // Anyone may reach the listeners and the health port.
    const client = { namespaceName: 'outside', name: 'client', labels: {} };
    expect(reach.canReachPod(client, gatewayPod, 80)).toBe(true);
    expect(reach.canReachPod(client, gatewayPod, 443)).toBe(true);
    expect(reach.canReachPod(client, gatewayPod, 15021)).toBe(true);
    expect(reach.canReachPod(client, gatewayPod, 15000)).toBe(false);
  });
});
