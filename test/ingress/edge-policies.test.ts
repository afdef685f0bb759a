import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  GatewayInstall, IIngressGateway, IngressAction, IngressDestination, IngressGateway, IngressListener, IngressPassthroughRoute,
  IngressRoute, IngressTls,
} from '../../src';
import { byKind, only, synthValid } from '../util';

// How the edge's policies and servers meet the listeners they serve: what Istio skips or denies on TCP filter
// chains, redirects that must stay reachable, tokens per issuer, installers' port maps, and who may bind.

const synthAll = (app: App) => app.charts.flatMap(chart => synthValid(chart));
const synth = (app: App) => app.charts.forEach(chart => Testing.synth(chart));

function edgeApp(gateway: (chart: Chart) => IIngressGateway = chart => new IngressGateway(chart, 'gateway')) {
  const app = Testing.app();
  const edge = new Chart(app, 'edge', { namespace: 'istio-ingress' });
  const apps = new Chart(app, 'apps', { namespace: 'apps' });
  const pods = new kplus.Deployment(apps, 'web-pods', { containers: [{ image: 'example/web:1.0', portNumber: 8443, securityContext: { user: 1000 } }] });
  const web = new kplus.Service(apps, 'web', { metadata: { name: 'web' }, selector: pods, ports: [{ port: 8443, name: 'https' }] });
  return { app, edge, apps, gateway: gateway(edge), web };
}
const forwardTo = (service: kplus.Service) => ({ action: IngressAction.forward(IngressDestination.service(service)) });
const policy = (manifests: any[], name: string) => byKind(manifests, 'AuthorizationPolicy').find(p => p.metadata.name === name);

describe('Edge policies and the listeners they cover |', () => {
  test('access rules with a passthrough listener: refused until a rule admits its connections by port', () => {
    const build = (withPortRule: boolean) => {
      const x = edgeApp();
      x.gateway.addListener(IngressListener.https({ hosts: ['web.example.com'], tls: IngressTls.simple('web-credential') }));
      x.gateway.addListener(IngressListener.tlsPassthrough({ hosts: ['tls.example.com'], port: 8443 }));
      new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['web.example.com'], defaultRule: forwardTo(x.web) });
      new IngressPassthroughRoute(x.apps, 'tls', { gateway: x.gateway, hosts: ['tls.example.com'], destination: IngressDestination.service(x.web) });
      x.gateway.allowRequests({ paths: ['/public/*'] });
      if (withPortRule) x.gateway.allowRequests({ ports: [8443], sourceCidrs: ['198.51.100.0/24'] });
      return x.app;
    };
    expect(() => synth(build(false))).toThrow(/no access rule admits the passthrough listeners' connections on pod port 8443.*allowRequests\(\{ ports/);
    expect(policy(synthAll(build(true)), 'istio-ingressgateway-access').spec.rules).toEqual([
      { from: [{ source: { remoteIpBlocks: ['198.51.100.0/24'] } }], to: [{ operation: { ports: ['8443'] } }] },
      { to: [{ operation: { paths: ['/public/*'], ports: ['443'] } }] },
    ]);
  });

  test('an access rule with paths on a passthrough port is refused: the gateway never sees the path', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.tlsPassthrough({ hosts: ['tls.example.com'] }));
    x.gateway.allowRequests({ ports: [443], paths: ['/a'] });
    expect(() => synth(x.app)).toThrow(/access rule on port 443 has hosts, paths or methods, which a passthrough listener never sees/);
  });

  test('an access rule port without a listener is refused', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    x.gateway.allowRequests({ ports: [8080] });
    expect(() => synth(x.app)).toThrow(/access rule port 8080 has no listener \(listeners: 80\)/);
  });

  test('the HTTPS redirect stays a 301: JWT DENY rules leave redirect-only ports out, access rules keep them open', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'], httpsRedirect: true }));
    x.gateway.addListener(IngressListener.https({ hosts: ['web.example.com'], tls: IngressTls.simple('web-credential') }));
    new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['web.example.com'], defaultRule: forwardTo(x.web) });
    x.gateway.requireJwt({ issuer: 'issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
    x.gateway.allowRequests({ methods: ['GET'] });
    const manifests = synthAll(x.app);
    expect(policy(manifests, 'istio-ingressgateway-require-jwt').spec.rules[0].to).toEqual([{ operation: { ports: ['443'] } }]);
    expect(policy(manifests, 'istio-ingressgateway-access').spec.rules).toEqual([
      { to: [{ operation: { methods: ['GET'], ports: ['443'] } }] },
      { to: [{ operation: { ports: ['80'] } }] },
    ]);
  });

  test('each issuer admits only its own paths; requirements with the same paths accept a token of either', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    x.gateway.requireJwt({ issuer: 'admins.example.com', jwksUri: 'https://admins.example.com/jwks.json', paths: ['/admin/*'] });
    x.gateway.requireJwt({ issuer: 'users.example.com', jwksUri: 'https://users.example.com/jwks.json', paths: ['/api/*'] });
    x.gateway.requireJwt({ issuer: 'partners.example.com', jwksUri: 'https://partners.example.com/jwks.json', paths: ['/api/*'] });
    expect(policy(synthAll(x.app), 'istio-ingressgateway-require-jwt').spec.rules).toEqual([
      { from: [{ source: { notRequestPrincipals: ['admins.example.com/*'] } }], to: [{ operation: { paths: ['/admin/*'], ports: ['80'] } }] },
      {
        from: [{ source: { notRequestPrincipals: ['partners.example.com/*', 'users.example.com/*'] } }],
        to: [{ operation: { paths: ['/api/*'], ports: ['80'] } }],
      },
    ]);
  });

  test.each([
    [['/admin/*'], undefined],
    [['/admin/*'], ['/admin/users']],
    [['*.json'], ['/api/data.json']],
  ])('JWT requirements whose paths overlap (%j and %j) are refused', (first, second) => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    x.gateway.requireJwt({ issuer: 'a.example.com', jwksUri: 'https://a.example.com/jwks.json', paths: first });
    x.gateway.requireJwt({ issuer: 'b.example.com', jwksUri: 'https://b.example.com/jwks.json', paths: second });
    expect(() => synth(x.app)).toThrow(/JWT requirements of a.example.com .* and of b.example.com .* overlap; a request there would need a token of each/);
  });

  test('an istioctl gateway\'s policies and NetworkPolicy name the pod ports 8080 and 8443, not the Service\'s', () => {
    const x = edgeApp(chart => IngressGateway.fromExisting(chart, 'gateway'));
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    x.gateway.addListener(IngressListener.https({ hosts: ['web.example.com'], tls: IngressTls.simple('web-credential') }));
    new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['web.example.com'], defaultRule: forwardTo(x.web) });
    x.gateway.requireJwt({ issuer: 'issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
    const manifests = synthAll(x.app);
    expect(policy(manifests, 'istio-ingressgateway-require-jwt').spec.rules[0].to).toEqual([{ operation: { ports: ['8080', '8443'] } }]);
    expect(only(manifests, 'NetworkPolicy').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8080, 8443, 15021]);
    // The installer already lets the gateway read Secrets: no Role is emitted for an installed gateway.
    expect(byKind(manifests, 'Role')).toEqual([]);
  });

  test('the Helm chart\'s ingress gateway listens on the Service ports themselves (80→80)', () => {
    const x = edgeApp(chart => IngressGateway.fromExisting(chart, 'gateway', { install: GatewayInstall.helmIngress() }));
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['web.example.com'], defaultRule: forwardTo(x.web) });
    const manifests = synthAll(x.app);
    const networkPolicy = only(manifests, 'NetworkPolicy');
    expect(networkPolicy.metadata).toEqual({ name: 'istio-ingressgateway', namespace: 'istio-ingress' });
    expect(networkPolicy.spec.podSelector.matchLabels).toEqual({ istio: 'ingressgateway', app: 'istio-ingressgateway' });
    expect(networkPolicy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([80, 15021]);
  });

  test('confinePods: false leaves an installed gateway shared with other apps without a NetworkPolicy', () => {
    const x = edgeApp(chart => IngressGateway.fromExisting(chart, 'gateway', { confinePods: false }));
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    expect(byKind(synthAll(x.app), 'NetworkPolicy')).toEqual([]);
  });
});

describe('Servers and who may bind to them |', () => {
  test('hosts whose sanitized names read alike still get distinct server port names', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.https({ hosts: ['a-b.example.com'], tls: IngressTls.simple('one') }));
    x.gateway.addListener(IngressListener.https({ hosts: ['a.b-example.com'], tls: IngressTls.simple('two') }));
    const names = only(synthAll(x.app), 'Gateway').spec.servers.map((s: any) => s.port.name);
    expect(new Set(names).size).toBe(2);
    expect(names.every((n: string) => /^https-443-a-b-example-com-[0-9a-f]{8}$/.test(n))).toBe(true);
  });

  test('a host is bound for the namespaces of the routes that serve it, and for the gateway\'s own until one does', () => {
    const x = edgeApp();
    const shop = new Chart(x.app, 'shop', { namespace: 'shop' });
    const shopPods = new kplus.Deployment(shop, 'pods', { containers: [{ image: 'example/shop:1.0', portNumber: 8080, securityContext: { user: 1000 } }] });
    const shopService = new kplus.Service(shop, 'svc', { metadata: { name: 'shop' }, selector: shopPods, ports: [{ port: 8080 }] });
    x.gateway.addListener(IngressListener.http({ hosts: ['*.example.com', 'unused.example.org'] }));
    // A wildcard listener serves the intersection with each route's hosts.
    new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['web.example.com'], defaultRule: forwardTo(x.web) });
    new IngressRoute(shop, 'shop', { gateway: x.gateway, hosts: ['shop.example.com'], defaultRule: forwardTo(shopService) });
    expect(only(synthAll(x.app), 'Gateway').spec.servers[0].hosts).toEqual(['./unused.example.org', 'apps/*.example.com', 'shop/*.example.com']);
  });

  test('a route for every host on a listener of one host is served (istiod serves the intersection)', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'] }));
    new IngressRoute(x.apps, 'web-route', { gateway: x.gateway, hosts: ['*'], defaultRule: forwardTo(x.web) });
    expect(only(synthAll(x.app), 'VirtualService').spec.hosts).toEqual(['*']);
  });

  test('the Service port is named for the listener\'s protocol', () => {
    const x = edgeApp();
    x.gateway.addListener(IngressListener.https({ hosts: ['web.example.com'], tls: IngressTls.simple('web-credential'), port: 8443 }));
    x.gateway.addListener(IngressListener.http({ hosts: ['web.example.com'], port: 443 }));
    const service = byKind(Testing.synth(x.edge), 'Service')[0];
    expect(service.spec.ports.map((p: any) => [p.port, p.name])).toEqual([[443, 'http-443'], [8443, 'https-8443'], [15021, 'http-status-port']]);
  });
});
