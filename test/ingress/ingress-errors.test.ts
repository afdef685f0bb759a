import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  GatewayTrafficPolicy, IIngressGateway, IngressAction, IngressDestination, IngressGateway, IngressGatewayProps, IngressListener,
  IngressPassthroughRoute, IngressPath, IngressRoute, IngressRouteProps, IngressRule, IngressServiceType, IngressTls,
  IngressValueMatch,
} from '../../src';

// Issue 15: every way an ingress input is refused, eagerly or at synth, each with a message naming the construct
// path, the bad value and the fix. These are the recurring ingress failures of Istio's issue tracker (404 NR from an
// unserved host, a Service port that is not exposed, a Secret in the wrong namespace, duplicated servers, ports
// or certificates) and what Istio's validation rejects (weights summing to 0, a redirect with a rewrite).

type Case = [description: string, run: () => void, message: RegExp];

const synth = (app: App) => app.charts.forEach(chart => Testing.synth(chart));

/** An app with a deployed ingress gateway in istio-ingress and an httpbin Service (8000 → 8080) in `apps`. */
function base(gatewayProps: IngressGatewayProps = {}) {
  const app = Testing.app();
  const edge = new Chart(app, 'edge', { namespace: 'istio-ingress' });
  const gateway: IIngressGateway = new IngressGateway(edge, 'gw', gatewayProps);
  const apps = new Chart(app, 'apps', { namespace: 'apps' });
  const deployment = new kplus.Deployment(apps, 'httpbin-pods', {
    containers: [{ image: 'kong/httpbin', portNumber: 8080, securityContext: { user: 1000 } }],
  });
  const httpbin = new kplus.Service(apps, 'httpbin', { metadata: { name: 'httpbin' }, selector: deployment, ports: [{ port: 8000, targetPort: 8080, name: 'http' }] });
  return { app, edge, gateway, apps, httpbin };
}
const toHttpbin = (x: ReturnType<typeof base>, options = {}) => IngressAction.forward(IngressDestination.service(x.httpbin, options));
/** A served host with one route; `change` may add the bad part; synthesized. */
function routed(change: (x: ReturnType<typeof base>) => void, routeProps: Partial<IngressRouteProps> = {},
  gatewayProps: IngressGatewayProps = { listeners: [IngressListener.http({ hosts: ['httpbin.example.com'] })] }) {
  return () => {
    const x = base(gatewayProps);
    new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['httpbin.example.com'], defaultRule: { action: toHttpbin(x) }, ...routeProps });
    change(x);
    synth(x.app);
  };
}
const rule = (x: ReturnType<typeof base>, extra: Partial<IngressRule> = {}): IngressRule =>
  ({ priority: 1, matches: [{ path: IngressPath.prefix('/status') }], action: toHttpbin(x), ...extra });
/** A route with one rule built by `make`; synthesized. */
const withRule = (make: (x: ReturnType<typeof base>) => IngressRule) => () => {
  const x = base({ listeners: [IngressListener.http({ hosts: ['httpbin.example.com'] })] });
  new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['httpbin.example.com'], rules: [make(x)] });
  synth(x.app);
};
const listener = (make: () => IngressListener) => () => base({ listeners: [make()] });
const https = (hosts: string[], credential: string, port?: number) => IngressListener.https({ hosts, tls: IngressTls.simple(credential), port });

const cases: Case[] = [
  // Listeners and certificates.
  ['a credential in another namespace', listener(() => https(['a.example.com'], 'other-ns/cert')),
    /edge\/gw: HTTPS listener on port 443: credentialName 'other-ns\/cert' points outside the gateway's namespace.*Create the Secret there/],
  ['an SDS-style credential reference', listener(() => https(['a.example.com'], 'kubernetes://cert')), /credentialName 'kubernetes:\/\/cert' points outside/],
  ['a credential name that is no Secret name', listener(() => https(['a.example.com'], 'Cert_1')), /credentialName 'Cert_1' is not a Secret name/],
  ['empty subjectAltNames', listener(() => IngressListener.https({ hosts: ['a.example.com'], tls: IngressTls.mutual('c', { subjectAltNames: [] }) })),
    /subjectAltNames \[\] would admit no client certificate/],
  ['an HTTPS listener without a certificate (from a language without required props)',
    listener(() => IngressListener.https({ hosts: ['a.example.com'], tls: undefined as unknown as IngressTls })),
    /HTTPS listener on port 443 has no certificate; give tls: IngressTls.simple/],
  ['a listener port that is no port', listener(() => IngressListener.http({ hosts: ['a.example.com'], port: 70000 })), /HTTP listener on port 70000: 70000 is not a port number/],
  ['a listener on the proxy\'s own port', listener(() => IngressListener.http({ hosts: ['a.example.com'], port: 15021 })),
    /edge\/gw: cannot listen on port 15021: .*used by the Istio proxy itself/],
  ['a listener with no hosts', listener(() => IngressListener.http({ hosts: [] })), /HTTP listener on port 80 serves no hosts; list them, or '\*'/],
  ['a listener host with a scheme', listener(() => IngressListener.http({ hosts: ['https://a.example.com'] })), /host 'https:\/\/a.example.com' has a scheme/],
  ['a listener host twice', listener(() => IngressListener.http({ hosts: ['a.example.com', 'a.example.com'] })), /lists a host twice/],
  ['HTTP and HTTPS on one port', () => {
    base({ listeners: [IngressListener.http({ hosts: ['a.example.com'], port: 8443 }), https(['b.example.com'], 'b-cert', 8443)] });
  }, /edge\/gw: port 8443 would have both plain HTTP and TLS listeners \(a.example.com and b.example.com\); .*put HTTPS or passthrough on another port/],
  ['one host served twice on a port', () => {
    const x = base({ listeners: [https(['a.example.com'], 'a-cert'), IngressListener.tlsPassthrough({ hosts: ['a.example.com'] })] });
    synth(x.app);
  }, /edge\/gw: host 'a.example.com' is served twice on port 443; istiod skips the second server/],
  ['one certificate on two listeners', () => {
    const x = base({ listeners: [https(['a.example.com'], 'shared'), https(['b.example.com'], 'shared')] });
    synth(x.app);
  }, /certificate 'shared' is used by two listeners on port 443 \(a.example.com and b.example.com\); HTTP\/2 clients reuse one connection.*404s/],
  ['an existing gateway without the listener\'s port', () => {
    const app = Testing.app();
    IngressGateway.fromExisting(new Chart(app, 'c', { namespace: 'x' }), 'gw', { listeners: [IngressListener.http({ hosts: ['a.example.com'], port: 8081 })] });
  }, /c\/gw: the existing ingress gateway istio-ingressgateway.istio-system does not expose port 8081 \(it exposes 80, 443\); .*additionalPorts/],
  ['an existing gateway selecting every pod', () => {
    const app = Testing.app();
    IngressGateway.fromExisting(new Chart(app, 'c', { namespace: 'x' }), 'gw', { podLabels: {} });
  }, /c\/gw: podLabels must select the gateway's pods; \{\} selects every pod/],
  ['two ingress gateways over the same pods', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c', { namespace: 'istio-system' });
    IngressGateway.fromExisting(c, 'one');
    IngressGateway.fromExisting(c, 'two', { serviceName: 'other' });
    synth(app);
  }, /c\/two: ingress gateways c\/one and c\/two select the same pods.*Use one gateway with all the listeners/],
  ['externalTrafficPolicy on a ClusterIP gateway', () => base({ serviceType: IngressServiceType.CLUSTER_IP, externalTrafficPolicy: GatewayTrafficPolicy.LOCAL }),
    /edge\/gw\/Workload: externalTrafficPolicy applies to LoadBalancer and NodePort Services only/],
  ['a bad Service annotation key', () => base({ serviceAnnotations: { 'bad key': 'x' } }), /service annotation 'bad key' name part must consist/],
  ['bad metrics namespaces', () => base({ metricsNamespaces: ['Monitoring'] }), /edge\/gw: metricsNamespaces 'Monitoring' is not a namespace name/],
  ['DNS pods selected by nothing', () => base({ dns: { podLabels: {} } }), /edge\/gw: dns.podLabels \{\} would open every pod of the namespace to the pods it confines/],

  // Access rules and JWT.
  ['an access rule without conditions', () => base().gateway.allowRequests({}), /edge\/gw: an access rule with no condition admits every request/],
  ['an access rule with an empty list', () => base().gateway.allowRequests({ paths: [] }), /access rule paths \[\] would admit nothing/],
  ['an access rule path with an inner wildcard', () => base().gateway.allowRequests({ paths: ['/a/*/b'] }),
    /access rule path '\/a\/\*\/b' must be exact \('\/status'\), a prefix \('\/status\/\*'\), a suffix/],
  ['an access rule with a lower-case method', () => base().gateway.allowRequests({ methods: ['get'] }), /access rule method 'get' is not an upper-case HTTP method/],
  ['an access rule with a bad CIDR', () => base().gateway.allowRequests({ sourceCidrs: ['10.0.0.0/33'] }), /access rule source '10.0.0.0\/33' is not an IP address or CIDR/],
  ['an access rule with a bad host', () => base().gateway.allowRequests({ hosts: ['bad host'] }), /access rule host 'bad host' is not a host name/],
  ['a JWT rule over plain HTTP keys', () => base().gateway.requireJwt({ issuer: 'i', jwksUri: 'http://keys.example.com/jwks.json' }),
    /jwksUri 'http:\/\/keys.example.com\/jwks.json' must be an https:\/\/ URL/],
  ['a JWT rule without issuer', () => base().gateway.requireJwt({ issuer: ' ', jwksUri: 'https://k.example.com/j' }), /a JWT rule needs an issuer/],
  ['a JWT rule with no audience', () => base().gateway.requireJwt({ issuer: 'i', jwksUri: 'https://k.example.com/j', audiences: [] }), /JWT audiences \[\] would admit no token/],
  ['a JWT rule with no paths', () => base().gateway.requireJwt({ issuer: 'i', jwksUri: 'https://k.example.com/j', paths: [] }), /JWT paths \[\] would require a token nowhere/],
  ['one issuer twice', () => {
    const { gateway } = base();
    gateway.requireJwt({ issuer: 'i', jwksUri: 'https://k.example.com/j' });
    gateway.requireJwt({ issuer: 'i', jwksUri: 'https://other.example.com/j' });
  }, /edge\/gw: issuer 'i' already has a JWT rule \(jwksUri https:\/\/k.example.com\/j\); .*merge the two/],
  ['a JWT requirement on a gateway without HTTP listeners', () => {
    const x = base({ listeners: [IngressListener.tlsPassthrough({ hosts: ['a.example.com'] })] });
    x.gateway.requireJwt({ issuer: 'i', jwksUri: 'https://k.example.com/j' });
    synth(x.app);
  }, /edge\/gw: requireJwt needs an HTTP or HTTPS listener/],
  ['a JWT requirement over a port shared with passthrough', () => {
    const x = base({ listeners: [https(['a.example.com'], 'a-cert'), IngressListener.tlsPassthrough({ hosts: ['b.example.com'] })] });
    x.gateway.requireJwt({ issuer: 'i', jwksUri: 'https://k.example.com/j' });
    synth(x.app);
  }, /a passthrough listener shares pod port 443 with HTTPS listeners that require a JWT/],

  // Routes: hosts, binding, competing routes.
  ['a route host no listener serves (404 NR)', routed(() => undefined, { hosts: ['other.example.com'] }),
    /apps\/route: host 'other.example.com' is served by no HTTP or HTTPS listener of ingress gateway edge\/gw, so every request to it gets 404 \(NR\); add an HTTP or HTTPS listener/],
  ['an HTTP route on a passthrough-only host', routed(() => undefined, {}, { listeners: [IngressListener.tlsPassthrough({ hosts: ['httpbin.example.com'] })] }),
    /host 'httpbin.example.com' is served by no HTTP or HTTPS listener/],
  ['an HTTP route on a host that only redirects to HTTPS', routed(() => undefined, {}, { listeners: [IngressListener.http({ hosts: ['httpbin.example.com'], httpsRedirect: true })] }),
    /host 'httpbin.example.com' is served by no HTTP or HTTPS listener/],
  ['a passthrough route on an HTTP host', () => {
    const x = base({ listeners: [IngressListener.http({ hosts: ['a.example.com'] })] });
    new IngressPassthroughRoute(x.apps, 'tls', { gateway: x.gateway, hosts: ['a.example.com'], destination: IngressDestination.service(x.httpbin) });
    synth(x.app);
  }, /apps\/tls: host 'a.example.com' is served by no passthrough listener .*add a passthrough listener \(IngressListener.tlsPassthrough\)/],
  ['two routes with the same catch-all for a host', routed(x => {
    new IngressRoute(x.apps, 'second', { gateway: x.gateway, hosts: ['httpbin.example.com'], defaultRule: { action: toHttpbin(x) } });
  }), /apps\/second: routes apps\/route and apps\/second both match every other request for host 'httpbin.example.com'; istiod would take the older one/],
  ['two routes with the same match for a host', routed(x => {
    new IngressRoute(x.apps, 'a', { gateway: x.gateway, hosts: ['httpbin.example.com'], rules: [rule(x)] });
    new IngressRoute(x.apps, 'b', { gateway: x.gateway, hosts: ['httpbin.example.com'], rules: [rule(x, { priority: 7 })] });
  }), /routes apps\/a and apps\/b both match \[.*\/status.*\] for host 'httpbin.example.com'/],
  ['a route with no hosts', routed(() => undefined, { hosts: [] }), /apps\/route: a route needs at least one host/],
  ['a route host with upper case', routed(() => undefined, { hosts: ['Httpbin.example.com'] }), /route host 'Httpbin.example.com' has upper-case letters/],
  ['a route host that is no host', routed(() => undefined, { hosts: ['a..b'] }), /route host 'a..b' is not a host name/],
  ['a route host twice', routed(() => undefined, { hosts: ['a.example.com', 'a.example.com'] }), /route hosts list a host twice/],
  ['a route name that is no object name', routed(() => undefined, { name: 'Route_1' }), /apps\/route: name 'Route_1' is not a DNS-1123 subdomain/],
  ['a second default rule', routed(x => {
    const route = x.app.node.findAll().find(c => c instanceof IngressRoute) as IngressRoute;
    route.addDefaultRule({ action: IngressAction.respond(404) });
  }), /apps\/route: the route already has a defaultRule; a route has one catch-all/],
  ['a route with nothing to do', routed(() => undefined, { defaultRule: undefined }), /apps\/route: the route has no rules, so it sends nothing anywhere/],
  ['a passthrough route for every host', () => {
    const x = base();
    new IngressPassthroughRoute(x.apps, 'tls', { gateway: x.gateway, hosts: ['*'], destination: IngressDestination.service(x.httpbin) });
  }, /apps\/tls: a passthrough route needs SNI host names/],
  ['a weighted passthrough destination', () => {
    const x = base();
    new IngressPassthroughRoute(x.apps, 'tls', { gateway: x.gateway, hosts: ['a.example.com'], destination: IngressDestination.service(x.httpbin, { weight: 5 }) });
  }, /a passthrough route has one destination; drop its weight/],

  // Rules: order and matches.
  ['two rules with one priority', () => {
    const x = base();
    new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['a.example.com'], rules: [rule(x), rule(x, { matches: [{ method: 'GET' }] })] });
  }, /apps\/route: two rules have priority 1; priorities order the rules/],
  ['a fractional priority', withRule(x => rule(x, { priority: 1.5 })), /rule priority 1.5 must be a whole number/],
  ['a rule without matches', withRule(x => rule(x, { matches: [] })), /apps\/route rule 1: a rule needs at least one match; put a catch-all action in the route's defaultRule/],
  ['a match without conditions', withRule(x => rule(x, { matches: [{}] })), /a match with no condition matches every request/],
  ['a rule repeating an earlier match', () => {
    const x = base({ listeners: [IngressListener.http({ hosts: ['a.example.com'] })] });
    new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['a.example.com'], rules: [rule(x), rule(x, { priority: 2 })] });
    synth(x.app);
  }, /apps\/route: rule 2 repeats a match of rule 1 .*never reached/],
  ['a match-everything rule ahead of others', () => {
    const x = base({ listeners: [IngressListener.http({ hosts: ['a.example.com'] })] });
    new IngressRoute(x.apps, 'route', {
      gateway: x.gateway, hosts: ['a.example.com'], rules: [rule(x, { matches: [{ path: IngressPath.prefix('/') }] }), rule(x, { priority: 2 })],
    });
    synth(x.app);
  }, /apps\/route: rule 1 matches every request \(path prefix '\/'\), so the rules after it are never reached; make it the defaultRule/],
  ['a path without a leading slash', withRule(x => rule(x, { matches: [{ path: IngressPath.prefix('status') }] })), /apps\/route rule 1: path 'status' must start with '\/'/],
  ['a path with a query', withRule(x => rule(x, { matches: [{ path: IngressPath.exact('/a?b=1') }] })), /path '\/a\?b=1' must start with '\/' and hold no spaces, '\?'.*queryParams/],
  ['a regex with look-ahead', withRule(x => rule(x, { matches: [{ path: IngressPath.regex('/(?!admin).*') }] })), /uses look-around or a back-reference, which RE2/],
  ['a regex that does not compile', withRule(x => rule(x, { matches: [{ path: IngressPath.regex('/[a-') }] })), /path regex '\/\[a-' does not compile/],
  ['an empty regex', withRule(x => rule(x, { matches: [{ headers: { 'x-a': IngressValueMatch.regex('') } }] })), /header 'x-a' regex is empty/],
  ['a header match on a pseudo-header', withRule(x => rule(x, { matches: [{ headers: { ':authority': IngressValueMatch.exact('a') } }] })),
    /header ':authority' is not a lower-case HTTP header name/],
  ['a header value with a line break', withRule(x => rule(x, { matches: [{ headers: { 'x-a': IngressValueMatch.exact('a\nb') } }] })), /header 'x-a' 'a\nb' has a line break/],
  ['a query parameter by prefix', withRule(x => rule(x, { matches: [{ queryParams: { v: IngressValueMatch.prefix('2') } }] })),
    /query parameter 'v' cannot be matched by prefix.*IngressValueMatch.regex\('2\.\*'\)/],
  ['a query parameter name with =', withRule(x => rule(x, { matches: [{ queryParams: { 'a=b': IngressValueMatch.exact('1') } }] })), /query parameter name 'a=b' must be non-empty/],
  ['a lower-case method match', withRule(x => rule(x, { matches: [{ method: 'get' }] })), /method 'get' is not an upper-case HTTP method/],

  // Actions and destinations.
  ['a destination port the Service does not expose', withRule(x => rule(x, { action: toHttpbin(x, { port: 80 }) })),
    /apps\/route rule 1: destination Service httpbin does not expose port 80 \(it exposes 8000\); the gateway would answer 503/],
  ['a Service with several ports and none chosen', () => {
    const x = base({ listeners: [IngressListener.http({ hosts: ['httpbin.example.com'] })] });
    x.httpbin.bind(9000, { name: 'admin' });
    new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['httpbin.example.com'], defaultRule: { action: toHttpbin(x) } });
    synth(x.app);
  }, /destination Service httpbin exposes ports 8000, 9000; pass the port to send to/],
  ['an external host as a destination', withRule(x => rule(x, { action: IngressAction.forward(IngressDestination.host('httpbin.org', 80)) })),
    /destination host 'httpbin.org' is not a service of the mesh; write its cluster name, '<service>.<namespace>.svc.cluster.local'. An ingress gateway only reaches the mesh/],
  ['a destination port that is no port', withRule(x => rule(x, { action: IngressAction.forward(IngressDestination.host('a.b.svc.cluster.local', 0)) })), /destination port 0 is not a port number/],
  ['forward to nothing', withRule(x => rule(x, { action: IngressAction.forward() })), /IngressAction.forward\(\) needs at least one destination/],
  ['weights that sum to 0', withRule(x => rule(x, {
    action: IngressAction.forward(IngressDestination.service(x.httpbin, { weight: 0 }), IngressDestination.host('v2.apps.svc.cluster.local', 8000, { weight: 0 })),
  })), /the destination weights sum to 0 \(Istio rejects it: "total destination weight = 0"\)/],
  ['an unweighted destination among several', withRule(x => rule(x, {
    action: IngressAction.forward(IngressDestination.service(x.httpbin, { weight: 90 }), IngressDestination.host('v2.apps.svc.cluster.local', 8000)),
  })), /with 2 destinations every destination needs a weight/],
  ['a negative weight', withRule(x => rule(x, { action: toHttpbin(x, { weight: -1 }) })), /weight -1 must be a whole number of at least 0/],
  ['a redirect with a rewrite', withRule(x => rule(x, { action: IngressAction.redirect({ scheme: 'https' }), rewrite: { path: '/' } })),
    /apps\/route rule 1: rewrite cannot be combined with a redirect \(Istio rejects a rewrite with a redirect\)/],
  ['a direct response with retries', withRule(x => rule(x, { action: IngressAction.respond(204), retries: { attempts: 2 } })),
    /retries cannot be combined with a direct response/],
  ['a redirect that changes nothing', withRule(x => rule(x, { action: IngressAction.redirect({ statusCode: 302 }) })), /a redirect that changes nothing would send clients back/],
  ['a redirect to ftp', withRule(x => rule(x, { action: IngressAction.redirect({ scheme: 'ftp' }) })), /redirect scheme 'ftp' must be 'http' or 'https'/],
  ['a redirect with status 200', withRule(x => rule(x, { action: IngressAction.redirect({ scheme: 'https', statusCode: 200 }) })), /redirect statusCode 200 is not a redirect status/],
  ['a redirect path without a slash', withRule(x => rule(x, { action: IngressAction.redirect({ path: 'x' }) })), /redirect path 'x' must start with '\/'/],
  ['a redirect port that is no port', withRule(x => rule(x, { action: IngressAction.redirect({ port: 0 }) })), /redirect port 0 is not a port number/],
  ['a redirect host that is no host', withRule(x => rule(x, { action: IngressAction.redirect({ host: 'a b' }) })), /redirect host 'a b' is not a host name/],
  ['a direct response with status 42', withRule(x => rule(x, { action: IngressAction.respond(42) })), /respond status 42 must be an HTTP status from 200 to 599/],
  ['a rewrite that changes nothing', withRule(x => rule(x, { rewrite: {} })), /rewrite changes nothing; give a path or a host/],
  ['a rewrite path without a slash', withRule(x => rule(x, { rewrite: { path: 'x' } })), /rewrite path 'x' must start with '\/'/],
  ['a rewrite host that is no host', withRule(x => rule(x, { rewrite: { host: 'A B' } })), /rewrite host 'A B' is not a host name/],
  ['a response header that is a pseudo-header', withRule(x => rule(x, { responseHeaders: { set: { ':status': '200' } } })),
    /responseHeaders cannot change the pseudo-header ':status'/],
  ['a timeout under 1ms', withRule(x => rule(x, { timeout: Duration.millis(0) })), /timeout must be at least 1ms/],
  ['CORS without origins', withRule(x => rule(x, { cors: { allowOrigins: [] } })), /cors.allowOrigins \[\] allows no origin/],
  ['CORS credentials from every origin', withRule(x => rule(x, { cors: { allowOrigins: [IngressValueMatch.exact('*')], allowCredentials: true } })),
    /cors allows credentials from origin '\*', which browsers refuse/],
  ['a CORS max age under 1ms', withRule(x => rule(x, { cors: { allowOrigins: [IngressValueMatch.exact('https://a.example.com')], maxAge: Duration.millis(0) } })),
    /cors.maxAge must be at least 1ms/],
];

describe('Ingress inputs that are refused |', () => {
  test('a destination port is checked against the Service as it is at synth, not when the route is made', () => {
    const x = base({ listeners: [IngressListener.http({ hosts: ['httpbin.example.com'] })] });
    new IngressRoute(x.apps, 'route', { gateway: x.gateway, hosts: ['httpbin.example.com'], defaultRule: { action: toHttpbin(x, { port: 9000 }) } });
    x.httpbin.bind(9000, { targetPort: 9090, name: 'admin' });
    expect(() => synth(x.app)).not.toThrow();
  });

  test.each(cases)('%s', (_description, run, message) => {
    expect(run).toThrow(message);
  });
});
