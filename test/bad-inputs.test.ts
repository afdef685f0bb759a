import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGrantee, EgressPath, EgressRoute, EgressRouteProps, EgressTls, ExternalPort, ExternalService,
  ExternalServiceProps, GatewayHopTls, GatewayWorkload, IEgressGateway, IstioInstall, IstioMesh, KubernetesExternalService,
  KubernetesExternalTarget, MeshEgressLockdown, MeshEgressLockdownProps, PortProtocol, Resolution,
} from '../src';

// Issue 13: bad input across every construct and option, each refused with a message that names where (the
// construct path), what (the bad value) and how to fix it. A case either throws when it is given, or fails synth
// (cdk8s runs every construct's validation, the library's synth-time validator included).

type Case = [description: string, run: () => void, message: RegExp];

/** A fresh app with an egress chart, an istioctl gateway locked down over `shop`, the way most cases start. */
function base() {
  const app = Testing.app();
  const c = new Chart(app, 'c', { namespace: 'egress-config' });
  const gateway: IEgressGateway = EgressGateway.fromExisting(c, 'gw');
  return { app, c, gateway };
}
const synth = (app: App) => app.charts.forEach(chart => Testing.synth(chart));
const service = (props: Partial<ExternalServiceProps> = {}, scope?: Chart) => {
  const c = scope ?? base().c;
  return new ExternalService(c, 'svc', { hosts: ['api.example.com'], ports: [ExternalPort.https()], ...props });
};
/** Builds a service and synthesizes its app: for what is only known once the whole app is. */
const serviceAtSynth = (props: Partial<ExternalServiceProps>) => () => {
  const { app, c } = base();
  service(props, c);
  synth(app);
};
/** A locked app with one route; `change` adds the bad part; synthesized. */
const routed = (change: (x: ReturnType<typeof lockedRoute>) => void, routeProps: Partial<EgressRouteProps> = {},
  serviceProps: Partial<ExternalServiceProps> = {}) => () => {
  const x = lockedRoute(routeProps, serviceProps);
  change(x);
  synth(x.app);
};
function lockedRoute(routeProps: Partial<EgressRouteProps> = {}, serviceProps: Partial<ExternalServiceProps> = {}) {
  const { app, c, gateway } = base();
  const lockdown = new MeshEgressLockdown(c, 'lock', { gateway, namespaces: ['shop'] });
  const svc = service(serviceProps, c);
  const route = new EgressRoute(c, 'route', { gateway, service: svc, ...routeProps });
  return { app, c, gateway, lockdown, svc, route };
}
const lockdown = (props: Partial<MeshEgressLockdownProps> = {}) => {
  const { c, gateway } = base();
  return new MeshEgressLockdown(c, 'lock', { gateway, namespaces: ['shop'], ...props });
};
const deployed = (props: ConstructorParameters<typeof EgressGateway>[2] = {}) =>
  new EgressGateway(new Chart(Testing.app(), 'gwc', { namespace: 'istio-egress' }), 'gw', props);
const http = [ExternalPort.http()];

const SERVICE: Case[] = [
  ['host *', () => service({ hosts: ['*'] }), /c\/svc: ExternalService host '\*' would match every host.*use a wildcard for one domain/],
  ['partial wildcard', () => service({ hosts: ['a*.example.com'] }), /c\/svc: ExternalService host 'a\*.example.com' has a wildcard that is not the whole first label \(write '\*.example.com'\)/],
  ['upper case', () => service({ hosts: ['API.example.com'] }), /c\/svc: ExternalService host 'API.example.com' has upper-case letters \(use lower case\)/],
  ['short name', () => service({ hosts: ['localhost'] }), /c\/svc: ExternalService host 'localhost' is not fully qualified \(add its domain/],
  ['scheme', () => service({ hosts: ['https://api.github.com'] }), /c\/svc: .*'https:\/\/api.github.com' has a scheme; drop 'https:\/\/' and write 'api.github.com'/],
  ['port in host', () => service({ hosts: ['api.github.com:443'] }), /c\/svc: .*'api.github.com:443' has a port; write 'api.github.com' and declare port 443/],
  ['IP as host', () => service({ hosts: ['203.0.113.7'] }), /c\/svc: .*'203.0.113.7' is an IP address.*as an endpoint/],
  ['host too long', () => service({ hosts: [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`] }), /c\/svc: .* is longer than 253 characters/],
  ['bad label', () => service({ hosts: ['a_b.example.com'] }), /c\/svc: ExternalService host 'a_b.example.com' has a label that is not lower-case alphanumerics/],
  ['host twice', () => service({ hosts: ['api.example.com', 'api.example.com'] }), /c\/svc: host 'api.example.com' is listed twice; list each host once/],
  ['no ports', serviceAtSynth({ ports: [] }), /\[c\/svc\] an ExternalService needs at least one port: pass `ports` or call addPort/],
  ['no hosts', serviceAtSynth({ hosts: [] }), /\[c\/svc\] an ExternalService needs at least one host: pass `hosts` or call addHost/],
  ['port 0', () => service({ ports: [ExternalPort.tcp(0)] }), /c\/svc: port 0 is not a port number: use an integer from 1 to 65535/],
  ['port 70000', () => service({ ports: [ExternalPort.https(70000)] }), /c\/svc: port 70000 is not a port number: use an integer from 1 to 65535/],
  ['port 1.5', () => service({ ports: [ExternalPort.grpc(1.5)] }), /c\/svc: port 1.5 is not a port number/],
  ['bad port name', () => service({ ports: [ExternalPort.of(443, PortProtocol.HTTPS, 'HTTPS_443')] }), /c\/svc: port name 'HTTPS_443' is not a DNS-1123 label.*pick a name like 'https-443'/],
  ['HTTP on 443', () => service({ ports: [ExternalPort.http(443)] }), /c\/svc: port 443\/HTTP is plain HTTP on the HTTPS port.*ExternalPort.https\(443\)/],
  ['duplicate port number', () => service({ ports: [ExternalPort.https(), ExternalPort.tls(443)] }), /c\/svc: port 443\/TLS clashes with port 443\/HTTPS.*may appear once/],
  ['duplicate port name', () => service({ ports: [ExternalPort.of(443, PortProtocol.HTTPS, 'web'), ExternalPort.of(8443, PortProtocol.HTTPS, 'web')] }), /c\/svc: port 8443\/HTTPS clashes with port 443\/HTTPS \(name 'web'\)/],
  ['DYNAMIC_DNS TCP port', () => service({ hosts: ['*.example.com'], resolution: Resolution.DYNAMIC_DNS, ports: [ExternalPort.tcp(5432)] }), /c\/svc: port 5432\/TCP cannot be used with DYNAMIC_DNS.*use ExternalPort.tls\(\)/],
  ['NONE endpoint', () => service({ resolution: Resolution.NONE, endpoints: [{ address: '203.0.113.1' }] }), /c\/svc: endpoint '203.0.113.1' cannot be used with resolution NONE.*use STATIC/],
  ['DYNAMIC_DNS endpoint', () => service({ hosts: ['*.example.com'], resolution: Resolution.DYNAMIC_DNS, ports: [ExternalPort.tls()], endpoints: [{ address: 'a.example.com' }] }), /c\/svc: DYNAMIC_DNS resolves each name on demand and takes no endpoints; use DNS/],
  ['STATIC name endpoint', () => service({ resolution: Resolution.STATIC, endpoints: [{ address: 'db.example.com' }] }), /c\/svc: STATIC endpoint 'db.example.com' is not an IP address; use resolution DNS/],
  ['DNS_ROUND_ROBIN two endpoints', () => service({ resolution: Resolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }), /c\/svc: DNS_ROUND_ROBIN takes at most one endpoint; use DNS to balance/],
  ['endpoint with scheme', () => service({ endpoints: [{ address: 'https://a.example.com' }] }), /c\/svc: endpoint address 'https:\/\/a.example.com' is neither an IP address.*write e.g. 203.0.113.10/],
  ['negative weight', () => service({ endpoints: [{ address: 'a.example.com', weight: -1 }] }), /c\/svc: endpoint 'a.example.com' has weight -1; use a whole number of at least 0/],
  ['fractional weight', () => service({ endpoints: [{ address: 'a.example.com', weight: 0.5 }] }), /c\/svc: endpoint 'a.example.com' has weight 0.5; use a whole number/],
  ['endpoint port 0', () => service({ endpoints: [{ address: 'a.example.com', ports: { 'https-443': 0 } }] }), /c\/svc: endpoint 'a.example.com' maps port 'https-443' to 0, which is not a port number/],
  ['endpoint unknown port', serviceAtSynth({ endpoints: [{ address: 'a.example.com', ports: { nope: 1 } }] }), /\[c\/svc\] endpoint 'a.example.com' maps port 'nope', which the service does not declare.*add the port, or drop the mapping/],
  ['unix socket, two ports', serviceAtSynth({ resolution: Resolution.STATIC, ports: [ExternalPort.http(), ExternalPort.http(8080)], endpoints: [{ address: 'unix:///run/app.sock' }] }), /\[c\/svc\] endpoint 'unix:\/\/\/run\/app.sock' is a unix socket, which serves one port.*give the socket a service of its own/],
  ['address not IP', () => service({ addresses: ['example.com'] }), /c\/svc: address 'example.com' is not an IP address or CIDR \(e.g. 203.0.113.10/],
  ['CIDR with DNS', () => service({ addresses: ['203.0.113.0/24'] }), /c\/svc: CIDR address '203.0.113.0\/24' needs resolution NONE or STATIC, not DNS; give a single IP/],
  ['DYNAMIC_DNS address', () => service({ hosts: ['*.example.com'], resolution: Resolution.DYNAMIC_DNS, ports: [ExternalPort.tls()], addresses: ['203.0.113.1'] }), /c\/svc: DYNAMIC_DNS takes no addresses; drop '203.0.113.1'/],
  ['STATIC without endpoints', serviceAtSynth({ resolution: Resolution.STATIC }), /\[c\/svc\] resolution STATIC needs at least one IP endpoint: call addEndpoint, or use Resolution.DNS/],
  ['wildcard DNS without endpoint', serviceAtSynth({ hosts: ['*.example.com'] }), /\[c\/svc\] wildcard host '\*.example.com' cannot be resolved with DNS.*Add an endpoint/],
  ['DYNAMIC_DNS concrete host', serviceAtSynth({ hosts: ['*.example.com', 'api.example.com'], resolution: Resolution.DYNAMIC_DNS, ports: [ExternalPort.tls()] }), /\[c\/svc\] DYNAMIC_DNS applies to wildcard hosts only, and 'api.example.com' is not one/],
  ['several hosts on TCP', serviceAtSynth({ hosts: ['a.example.com', 'b.example.com'], ports: [ExternalPort.tcp(5432)] }), /\[c\/svc\] port 5432\/TCP carries no Host or SNI.*give each host its own ExternalService/],
  ['two services on one TCP port', () => {
    const { app, c } = base();
    new ExternalService(c, 'a', { hosts: ['a.example.com'], ports: [ExternalPort.tcp(5432)] });
    new ExternalService(c, 'b', { hosts: ['b.example.com'], ports: [ExternalPort.tcp(5432)] });
    synth(app);
  }, /ExternalServices c\/a and c\/b both carry opaque TCP port 5432 without addresses.*give each an address/],
  ['exportTo ~', () => service({ exportTo: ['~'] }), /c\/svc: exportTo '~' would hide the object.*leave exportTo unset/],
  ['exportTo bad', () => service({ exportTo: ['Apps'] }), /c\/svc: exportTo entry 'Apps' is not '.', '\*' or a namespace name/],
  ['origination on HTTPS', () => service({ tlsOrigination: [{ port: 443 }] }), /c\/svc: TLS origination needs an HTTP port.*port 443 is 443\/HTTPS; declare the plain-text port as ExternalPort.http\(443\)/],
  ['origination undeclared', serviceAtSynth({ tlsOrigination: [{ port: 80 }] }), /\[c\/svc\] TLS origination needs an HTTP port.*port 80 is not declared; add ExternalPort.http\(80\)/],
  ['origination twice', () => service({ ports: http, tlsOrigination: [{ port: 80 }] }).originateTls({ port: 80 }), /c\/svc: TLS origination for port 80 is already configured/],
  ['origination to wildcard', () => service({ hosts: ['*.example.com'], ports: http, endpoints: [{ address: 'a.example.com' }], tlsOrigination: [{ port: 80 }] }), /c\/svc: cannot originate TLS to wildcard host '\*.example.com'.*list the concrete hosts/],
  ['client cert without selector', () => service({ ports: http, tlsOrigination: [{ port: 80, credentialName: 'client' }] }), /c\/svc: TLS origination with credentialName 'client' needs a workloadSelector.*name the labels of the pods/],
  ['client cert and CA file', () => service({ ports: http, tlsOrigination: [{ port: 80, credentialName: 'client', workloadSelector: { app: 'a' }, caCertificates: '/ca.pem' }] }), /c\/svc: credentialName and caCertificates cannot be combined.*ca.crt key of Secret 'client'/],
  ['bad credentialName', () => service({ ports: http, tlsOrigination: [{ port: 80, credentialName: 'Client', workloadSelector: { app: 'a' } }] }), /c\/svc: credentialName 'Client' is not a Secret name \(a lower-case DNS-1123 subdomain\)/],
  ['empty workloadSelector', () => service({ ports: http, tlsOrigination: [{ port: 80, workloadSelector: {} }] }), /c\/svc: workloadSelector \{\} would select every pod; name the client pods' labels/],
  ['mixed selectors', () => service({ ports: [ExternalPort.http(), ExternalPort.http(8080)], tlsOrigination: [{ port: 80, workloadSelector: { app: 'a' } }, { port: 8080 }] }), /c\/svc: every TLS origination of one ExternalService must use the same workloadSelector.*an ExternalService of their own/],
  ['timeout 0', () => service({ ports: http, timeout: Duration.millis(0) }), /c\/svc: timeout must be at least 1ms \(Istio rejects shorter durations\)/],
  ['perTryTimeout 0', () => service({ ports: http, retries: { attempts: 1, perTryTimeout: Duration.millis(0) } }), /c\/svc: retries.perTryTimeout must be at least 1ms/],
  ['negative attempts', () => service({ ports: http, retries: { attempts: -1 } }), /c\/svc: retries.attempts -1 must be a whole number of at least 0 \(0 turns retries off\)/],
  ['fractional attempts', () => service({ ports: http, retries: { attempts: 2.5 } }), /c\/svc: retries.attempts 2.5 must be a whole number/],
  ['unknown retryOn', () => service({ ports: http, retries: { attempts: 1, retryOn: ['sometimes'] } }), /c\/svc: retries.retryOn 'sometimes' is neither an Envoy retry condition.*HTTP status code such as 503/],
  ['header with a space', () => service({ ports: http, requestHeaders: { set: { 'x team': 'a' } } }), /c\/svc: requestHeaders name 'x team' is not a lower-case HTTP header name.*e.g. 'x-egress'/],
  ['pseudo-header', () => service({ ports: http, requestHeaders: { set: { ':authority': 'a' } } }), /c\/svc: requestHeaders cannot change the pseudo-header ':authority'/],
  ['remove host', () => service({ ports: http, requestHeaders: { remove: ['host'] } }), /c\/svc: requestHeaders cannot change 'host'.*route to the host you mean instead/],
  ['CR/LF in a header value', () => service({ ports: http, requestHeaders: { add: { 'x-a': 'b\nc' } } }), /c\/svc: requestHeaders 'x-a' has a line break in its value/],
  ['shaping without HTTP', serviceAtSynth({ timeout: Duration.seconds(1) }), /\[c\/svc\] timeout, retries and requestHeaders act on HTTP requests, and the service has no HTTP port; add one/],
  ['no namespace', () => new ExternalService(new Chart(Testing.app(), 'c'), 'svc', { hosts: ['a.example.com'], ports: http }), /c\/svc: an ExternalService needs a namespace: pass `namespace` or set it on the chart/],
];

const ROUTE: Case[] = [
  ['resolution NONE', () => lockedRoute({}, { resolution: Resolution.NONE }), /c\/route: ExternalService c\/svc has resolution NONE.*\(a loop\). Use Resolution.DNS/],
  ['DYNAMIC_DNS', () => lockedRoute({}, { hosts: ['*.example.com'], resolution: Resolution.DYNAMIC_DNS, ports: [ExternalPort.tls()] }), /c\/route: ExternalService c\/svc uses DYNAMIC_DNS, which works from sidecars only.*use Resolution.DNS/],
  ['opaque TCP', () => lockedRoute({}, { ports: [ExternalPort.tcp(5432)] }), /c\/route: port 5432\/TCP is opaque TCP.*leave this one out with `ports`/],
  ['originate on HTTPS', () => lockedRoute({ tls: EgressTls.originate() }), /c\/route: TLS origination needs the application to speak plain HTTP, but port 443\/HTTPS.*use EgressTls.passthrough\(\)/],
  ['passthrough on HTTP', () => lockedRoute({ tls: EgressTls.passthrough() }, { ports: http }), /c\/route: passthrough needs application TLS, but port 80\/HTTP is plain HTTP; use EgressTls.plaintext\(\)/],
  ['shaping a passthrough', () => lockedRoute({ timeout: Duration.seconds(2) }), /c\/route: timeout, retries and requestHeaders act on HTTP requests, and port 443\/HTTPS.*EgressTls.originate\(\)/],
  ['route timeout 0', () => lockedRoute({ timeout: Duration.millis(0) }, { ports: http }), /c\/route: timeout must be at least 1ms/],
  ['route retries -1', () => lockedRoute({ retries: { attempts: -1 } }, { ports: http }), /c\/route: retries.attempts -1 must be a whole number/],
  ['originate to a wildcard', () => lockedRoute({ tls: EgressTls.originate(), ports: [80] }, { hosts: ['*.example.com'], ports: [ExternalPort.http(), ExternalPort.https()], endpoints: [{ address: 'a.example.com' }] }), /c\/route: cannot originate TLS to wildcard host '\*.example.com'.*route concrete hosts/],
  ['undeclared port', routed(() => undefined, { ports: [8443] }), /\[c\/route\] port 8443 is not a port of ExternalService c\/svc \(ports: 443\/HTTPS\); add it with addPort/],
  ['undeclared host', routed(() => undefined, { hosts: ['www.example.com'] }), /\[c\/route\] host 'www.example.com' is not a host of ExternalService c\/svc \(hosts: api.example.com\); add it to the service/],
  ['a host twice', routed(x => new EgressRoute(x.c, 'again', { gateway: x.gateway, service: x.svc })), /c\/again: api.example.com is already routed through egress gateway c\/gw by c\/route; route all ports of a host in one EgressRoute/],
  ['plaintext and TLS on one port', routed(x => new EgressRoute(x.c, 'plain', {
    gateway: x.gateway, service: new ExternalService(x.c, 'plain-svc', { hosts: ['plain.example.com'], ports: http }), hopTls: GatewayHopTls.PLAINTEXT,
  }), {}, { ports: http }), /c\/plain: port 80 of egress gateway c\/gw carries both plaintext and TLS \(c\/route\).*route plain.example.com on another port/],
  ['origination target undeclared', routed(() => undefined, { tls: EgressTls.originate() }, { ports: http }), /\[c\/route\] TLS origination connects to port 443 of c\/svc, which is not declared; declare it as ExternalPort.https\(443\)/],
  ['origination target not TLS', routed(() => undefined, { tls: EgressTls.originate({ targetPort: 8080 }), ports: [80] }, { ports: [ExternalPort.http(), ExternalPort.http(8080)] }), /\[c\/route\] TLS origination connects to port 8080 of c\/svc, which is 8080\/HTTP, not a TLS port; declare it as ExternalPort.https\(8080\)/],
  ['port the installed gateway lacks', () => lockedRoute({}, { ports: [ExternalPort.https(8443)] }), /c\/route: the existing egress gateway istio-egressgateway.istio-system does not expose port 8443 \(it exposes 80, 443\).*list it in `additionalPorts`/],
  ['proxy port', () => {
    const gw = deployed();
    new EgressRoute(gw.node.scope as Chart, 'route', { gateway: gw, service: new ExternalService(gw.node.scope as Chart, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.https(15090)] }), allowUnlockedMesh: true });
  }, /gwc\/route: cannot route through egress gateway gwc\/gw: gwc\/gw\/Workload: port 15090 is used by the Istio proxy itself.*route the traffic on another port/],
  ['gatewayPort 0', () => lockedRoute({ gatewayPort: 0 }), /c\/route: gatewayPort 0 is not a port number; use an integer from 1 to 65535/],
  ['gatewayPort for two ports', routed(() => undefined, { gatewayPort: 443 }, { ports: [ExternalPort.http(), ExternalPort.https()] }), /\[c\/route\] gatewayPort 443 would carry 2 ports of the service \(80, 443\) on one gateway port; route one port/],
  ['addHost on a following route', () => lockedRoute().route.addHost('www.example.com'), /c\/route: this route carries every host of c\/svc.*add the host to the service instead/],
  ['addPort on a following route', () => lockedRoute().route.addPort(8443), /c\/route: this route carries every port of c\/svc.*add the port to the service instead/],
  ['addHost twice', () => lockedRoute({ hosts: ['api.example.com'] }).route.addHost('api.example.com'), /c\/route: host 'api.example.com' is already routed by this route/],
  ['addPort twice', () => lockedRoute({ ports: [443] }).route.addPort(443), /c\/route: port 443 is already routed by this route/],
  ['paths on passthrough', routed(() => undefined, { paths: [EgressPath.exact('/v1')] }), /\[c\/route\] paths are matched on HTTP requests, and port 443\/HTTPS is passed through encrypted.*EgressTls.originate\(\)/],
  ['a path twice', () => lockedRoute({ paths: [EgressPath.exact('/a')] }, { ports: http }).route.addPath(EgressPath.exact('/a')), /c\/route: path '\/a' is already forwarded by this route/],
  ['relative path', () => EgressPath.exact('get'), /request path 'get' must start with '\/'.*use EgressPath.prefix/],
  ['path with *', () => EgressPath.prefix('/a/*'), /request path '\/a\/\*' must start with '\/' and hold no spaces, '\?', '#' or '\*'; use EgressPath.prefix/],
  ['shaped service through a gateway', routed(() => undefined, {}, { ports: http, timeout: Duration.seconds(1) }), /\[c\/route\] ExternalService c\/svc shapes requests at the sidecar.*move the shaping to the EgressRoute/],
  ['no lockdown', () => {
    const { app, c, gateway } = base();
    new EgressRoute(c, 'route', { gateway, service: service({}, c) });
    synth(app);
  }, /\[c\/route\] egress gateway c\/gw has no MeshEgressLockdown.*Add new MeshEgressLockdown.*or set allowUnlockedMesh: true/],
  ['bad credentialName', () => EgressTls.originateMutual({ credentialName: 'Client_Cert' }), /credentialName 'Client_Cert' is not a Secret name \(lower-case DNS-1123 subdomain\)/],
];

const GRANT: Case[] = [
  ['over a plaintext hop', () => lockedRoute({ hopTls: GatewayHopTls.PLAINTEXT }).route.grantEgress(EgressGrantee.wholeNamespace('shop')), /c\/route: grants identify clients by their Istio mutual TLS identity.*use hopTls: GatewayHopTls.ISTIO_MUTUAL/],
  ['a host the route lacks', routed(x => x.route.grantEgress(EgressGrantee.wholeNamespace('shop'), { hosts: ['www.example.com'] })), /c\/route: cannot grant 'www.example.com': the route carries api.example.com; route the host first/],
  ['bad method', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { methods: ['GET /'] }), /c\/route: method 'GET \/' is not an HTTP method; use names such as GET or POST/],
  ['empty methods', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { methods: [] }), /c\/route: an empty methods or paths list would admit nothing; leave it out to admit any/],
  ['empty paths', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { paths: [] }), /c\/route: an empty methods or paths list would admit nothing/],
  ['pseudo-header condition', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { headers: { ':path': '/' } }), /c\/route: header ':path' is not a lower-case HTTP header name.*no pseudo-headers/],
  ['upper-case header condition', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { headers: { 'X-Team': 'a' } }), /c\/route: header 'X-Team' is not a lower-case HTTP header name.*e.g. 'x-team'/],
  ['CR/LF in a condition', () => lockedRoute({}, { ports: http }).route.grantEgress(EgressGrantee.wholeNamespace('shop'), { headers: { 'x-team': 'a\r\nb' } }), /c\/route: header 'x-team' has a line break in its value/],
  ['request conditions over passthrough', routed(x => x.route.grantEgress(EgressGrantee.wholeNamespace('shop'), { methods: ['GET'] })), /c\/route: the grant to 'all-pods' names methods, paths or headers, and api.example.com:443 is passed through encrypted.*originate TLS at the gateway/],
  ['bad namespace', () => lockedRoute().route.grantEgress(EgressGrantee.wholeNamespace('Shop')), /c\/route: grantee 'all-pods': namespace 'Shop' is not a namespace name \(a lower-case DNS-1123 label\)/],
  ['bad ServiceAccount', () => lockedRoute().route.grantEgress(EgressGrantee.serviceAccount('shop', 'Checkout')), /c\/route: grantee 'sa-Checkout': ServiceAccount name 'Checkout' is not a Kubernetes name.*such as 'checkout'/],
  ['pods without labels', () => lockedRoute().route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: {}, name: 'team' })), /c\/route: grantee 'team': pod labels \{\} select every pod of 'shop'.*EgressGrantee.wholeNamespace\(\)/],
  ['pods with a bad label key', () => lockedRoute().route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { 'app name': 'a' } })), /c\/route: grantee 'pods-[0-9a-f]{8}': pod label key 'app name' is not a valid Kubernetes label key/],
  ['pods with a bad name', () => lockedRoute().route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'a' }, name: 'Team A' })), /c\/route: grantee name 'Team A' is not a DNS-1123 subdomain; it names the client NetworkPolicy/],
  ['a grant without a lockdown', () => {
    const { app, c, gateway } = base();
    new EgressRoute(c, 'route', { gateway, service: service({}, c), allowUnlockedMesh: true }).grantEgress(EgressGrantee.wholeNamespace('shop'));
    synth(app);
  }, /c\/route: the grant to 'all-pods' needs a MeshEgressLockdown on egress gateway c\/gw.*add new MeshEgressLockdown/],
  ['an unlocked namespace', routed(x => x.route.grantEgress(EgressGrantee.wholeNamespace('blog'))), /c\/route: namespace 'blog' is not locked by c\/lock \(locked: shop\); add it with addNamespace/],
  ['an exempt namespace', () => {
    const { app, c, gateway } = base();
    new MeshEgressLockdown(c, 'lock', { gateway, namespaces: ['shop'], exemptNamespaces: ['legacy'] });
    new EgressRoute(c, 'route', { gateway, service: service({}, c) }).grantEgress(EgressGrantee.wholeNamespace('legacy'));
    synth(app);
  }, /c\/route: namespace 'legacy' is exempt from lockdown c\/lock: its pods leave directly.*lock the namespace or drop the grant/],
  ['two workloads, one ServiceAccount', routed(x => {
    const shop = new Chart(x.app, 'shop', { namespace: 'shop' });
    const other = new ExternalService(x.c, 'other', { hosts: ['other.example.com'], ports: [ExternalPort.https()] });
    x.route.grantEgress(EgressGrantee.workload(new kplus.Deployment(shop, 'a', { containers: [{ image: 'a' }] })));
    new EgressRoute(x.c, 'other-route', { gateway: x.gateway, service: other }).grantEgress(EgressGrantee.workload(new kplus.Deployment(shop, 'b', { containers: [{ image: 'b' }] })));
  }), /grantees shop-a-c8[0-9a-f]{6} and shop-b-c8[0-9a-f]{6} both run as ServiceAccount shop\/default.*give each workload a ServiceAccount of its own/],
  ['two grantees, one name', () => {
    const { route } = lockedRoute();
    route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'a' }, name: 'team' }));
    route.grantEgress(EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'b' }, name: 'team' }));
  }, /c\/gw: two different grantees through egress gateway c\/gw are both named 'team' in namespace 'shop'; give one of them another name/],
  ['workload without a namespace', () => EgressGrantee.workload(new kplus.Deployment(new Chart(Testing.app(), 'x'), 'd', { containers: [{ image: 'x' }] })), /x\/d: cannot grant egress to a workload without a namespace; set it on the chart/],
  ['workload selected by expressions', () => {
    const d = new kplus.Deployment(new Chart(Testing.app(), 'x', { namespace: 'shop' }), 'd', { containers: [{ image: 'x' }] });
    d.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.exists('tier')] }));
    EgressGrantee.workload(d);
  }, /x\/d: the workload selects its pods with label expressions.*grant EgressGrantee.pods/],
];

const LOCKDOWN: Case[] = [
  ['locked and exempt', () => lockdown({ exemptNamespaces: ['shop'] }), /c\/lock: namespace 'shop' is both locked and exempt; remove it from one of `namespaces` and `exemptNamespaces`/],
  ['the gateway\'s namespace', () => lockdown({ namespaces: ['istio-system'] }), /c\/lock: namespace 'istio-system' holds the egress gateway.*lock the application namespaces/],
  ['istiod\'s namespace', () => {
    const { c } = base();
    new MeshEgressLockdown(c, 'lock', { gateway: EgressGateway.fromExisting(c, 'helm', { namespaceName: 'istio-egress' }), namespaces: ['istio-system'] });
  }, /c\/lock: namespace 'istio-system' holds istiod.*would cut them off for the whole mesh; lock the application namespaces only/],
  ['kube-system', () => lockdown({ namespaces: ['kube-system'] }), /c\/lock: namespace 'kube-system' holds the cluster DNS.*lock the application namespaces only/],
  ['a namespace twice', () => lockdown({ namespaces: ['shop', 'shop'] }), /c\/lock: namespace 'shop' is already locked/],
  ['bad namespace', () => lockdown({ namespaces: ['Shop'] }), /c\/lock: 'Shop' is not a namespace name \(a lower-case DNS-1123 label\)/],
  ['bad lockdown name', () => lockdown({ name: 'Egress Lockdown' }), /c\/lock: name 'Egress Lockdown' is not a DNS-1123 subdomain; it names a NetworkPolicy and a Sidecar/],
  ['privateCidrs not a CIDR', () => lockdown({ privateCidrs: ['10.0.0/8'] }), /c\/lock: CIDR '10.0.0\/8' is not an IPv4 CIDR like 10.0.0.0\/8/],
  ['privateCidrs host bits', () => lockdown({ privateCidrs: ['203.0.113.7/24'] }), /c\/lock: CIDR '203.0.113.7\/24' has host bits set; did you mean 203.0.113.0\/24\?/],
  ['privateCidrs IPv6', () => lockdown({ privateCidrs: ['fd00::/8'] }), /c\/lock: CIDR 'fd00::\/8' is not an IPv4 CIDR/],
  ['unsafeReachable not a default', () => lockdown({ unsafeReachableCidrs: ['10.1.0.0/16'] }), /c\/lock: unsafeReachableCidrs entry '10.1.0.0\/16' is not a default-denied range; name one of/],
  ['allowInCluster with an address block', () => {
    const l = lockdown();
    l.allowInCluster(kplus.NetworkPolicyIpBlock.ipv4(l.node.scope as Chart, 'b', '203.0.113.0/24'));
  }, /c\/lock: allowInCluster takes pods or namespaces, and c\/b is an address block \(203.0.113.0\/24\).*select the peers by namespace or labels/],
  ['bad dns namespace', () => lockdown({ dns: { namespaceName: 'Kube_DNS' } }), /c\/lock: dns.namespaceName 'Kube_DNS' is not a namespace name/],
  ['empty dns labels', () => lockdown({ dns: { podLabels: {} } }), /c\/lock: dns.podLabels \{\} would open every pod of the namespace to the pods it confines; name the labels of the DNS pods/],
  ['bad dns label', () => lockdown({ dns: { podLabels: { 'k8s app': 'dns' } } }), /c\/lock: dns.podLabels key 'k8s app' is not a valid Kubernetes label key/],
  ['dns port 70000', () => lockdown({ dns: { port: 70000 } }), /c\/lock: dns.port 70000 is not a port number \(1-65535\)/],
  ['bad control-plane namespace', () => lockdown({ controlPlane: { namespaceName: 'Istio' } }), /c\/lock: controlPlane.namespaceName 'Istio' is not a namespace name/],
  ['empty control-plane labels', () => lockdown({ controlPlane: { podLabels: {} } }), /c\/lock: controlPlane.podLabels \{\} would open every pod.*labels of the istiod pods/],
  ['bad metrics namespace', () => lockdown({ metricsNamespaces: ['Monitoring'] }), /c\/lock: metricsNamespaces 'Monitoring' is not a namespace name/],
  ['no namespaces', () => {
    const { app, c, gateway } = base();
    new MeshEgressLockdown(c, 'lock', { gateway, namespaces: [] });
    synth(app);
  }, /\[c\/lock\] a MeshEgressLockdown needs at least one namespace to lock/],
  ['a second lockdown of one gateway', () => {
    const { c, gateway } = base();
    new MeshEgressLockdown(c, 'a', { gateway, namespaces: ['shop'] });
    new MeshEgressLockdown(c, 'b', { gateway, namespaces: ['blog'] });
  }, /c\/b: egress gateway c\/gw is already locked down by c\/a; add the namespaces to that MeshEgressLockdown instead/],
  ['two lockdowns over one namespace', () => {
    const { app, c, gateway } = base();
    new MeshEgressLockdown(c, 'a', { gateway, namespaces: ['shop'] });
    new MeshEgressLockdown(c, 'b', { gateway: EgressGateway.fromExisting(c, 'other', { serviceName: 'other-egress', podLabels: { istio: 'other-egress' } }), namespaces: ['shop'] });
    synth(app);
  }, /namespace 'shop' is locked by both c\/a and c\/b: a namespace has one Sidecar and one way out; lock it in one MeshEgressLockdown/],
];

const GATEWAY: Case[] = [
  ['installed, empty podLabels', () => EgressGateway.fromExisting(base().c, 'x', { podLabels: {} }), /c\/x: podLabels must select the gateway's pods; \{\} selects every pod.*kubectl get pods/],
  ['installed, bad podLabels', () => EgressGateway.fromExisting(base().c, 'x', { podLabels: { 'istio label': 'x' } }), /c\/x: podLabels key 'istio label' is not a valid Kubernetes label key/],
  ['bad name', () => deployed({ name: 'Egress_Gateway' }), /gwc\/gw\/Workload: name 'Egress_Gateway' must be a DNS-1035 label.*because it names a Service/],
  ['name starting with a digit', () => deployed({ name: '1-egress' }), /gwc\/gw\/Workload: name '1-egress' must be a DNS-1035 label/],
  ['empty selectorLabels', () => deployed({ selectorLabels: {} }), /gwc\/gw\/Workload: selectorLabels \{\} would select every pod of namespace 'istio-egress'.*leave selectorLabels unset/],
  ['revision in selectorLabels', () => deployed({ selectorLabels: { 'istio.io/rev': 'canary' } }), /gwc\/gw\/Workload: selectorLabels must not use 'istio.io\/rev'.*select on app or istio/],
  ['app in labels', () => deployed({ labels: { app: 'x' } }), /gwc\/gw\/Workload: labels must not set 'app'; use appLabel, istioLabel or IstioMesh.revision/],
  ['bad istio label', () => deployed({ istioLabel: 'egress gateway' }), /gwc\/gw\/Workload: pod label 'istio' value 'egress gateway' is not a valid Kubernetes label value/],
  ['minReplicas 0', () => deployed({ minReplicas: 0 }), /gwc\/gw\/Workload: minReplicas must be a whole number of at least 1, got 0/],
  ['maxReplicas below min', () => deployed({ minReplicas: 3, maxReplicas: 2 }), /gwc\/gw\/Workload: maxReplicas \(2\) must be a whole number no smaller than minReplicas \(3\); set both to the same value/],
  ['target CPU 0', () => deployed({ targetCpuUtilizationPercent: 0 }), /gwc\/gw\/Workload: targetCpuUtilizationPercent must be a whole percentage of at least 1, got 0/],
  ['no CPU request or limit', () => deployed({ resources: { cpu: {} } }), /gwc\/gw\/Workload: resources.cpu needs a request or a limit.*the gateway never scales/],
  ['bad nodeSelector', () => deployed({ nodeSelector: { 'node role': 'egress' } }), /gwc\/gw\/Workload: nodeSelector key 'node role' is not a valid Kubernetes label key/],
  ['bad toleration', () => deployed({ tolerations: [{ key: 'dedicated', value: 'egress nodes' }] }), /gwc\/gw\/Workload: toleration 'dedicated' value 'egress nodes' is not a valid Kubernetes label value/],
  ['bad priorityClassName', () => deployed({ priorityClassName: 'High_Priority' }), /gwc\/gw\/Workload: priorityClassName 'High_Priority' must be a DNS-1123 subdomain/],
  ['bad ServiceAccount name', () => deployed({ serviceAccountName: 'Egress' }), /gwc\/gw\/Workload: serviceAccountName 'Egress' must be a DNS-1123 subdomain/],
  ['no namespace', () => new EgressGateway(new Chart(Testing.app(), 'x'), 'gw'), /x\/gw\/Workload: a gateway workload needs a namespace: pass `namespace` or set it on the chart/],
  ['gateways that select each other', () => {
    const { app, c } = base();
    new EgressGateway(new Chart(app, 'gwc', { namespace: 'istio-egress' }), 'deployed');
    synth(app);
    void c;
  }, /egress gateways c\/gw and gwc\/deployed select overlapping pod labels.*give each gateway its own name/],
  ['a host through two gateways', () => {
    const { app, c, gateway } = base();
    const other = EgressGateway.fromExisting(c, 'other', { serviceName: 'other-egress', podLabels: { istio: 'other-egress' } });
    const svc = service({}, c);
    new EgressRoute(c, 'a', { gateway, service: svc, allowUnlockedMesh: true });
    new EgressRoute(c, 'b', { gateway: other, service: svc, allowUnlockedMesh: true });
    synth(app);
  }, /c\/b: api.example.com is routed through egress gateways c\/gw and c\/other; sidecars take one VirtualService per host, so route it through one gateway/],
  ['a wildcard and its stand-in SNI', () => {
    const { app, c, gateway } = base();
    const wild = new ExternalService(c, 'wild', { hosts: ['*.example.org'], ports: [ExternalPort.https()], endpoints: [{ address: 'www.example.org' }] });
    const real = new ExternalService(c, 'real', { hosts: ['wildcard.example.org'], ports: [ExternalPort.https()] });
    new EgressRoute(c, 'a', { gateway, service: wild, allowUnlockedMesh: true });
    new EgressRoute(c, 'b', { gateway, service: real, allowUnlockedMesh: true });
    synth(app);
  }, /c\/b: hosts '\*.example.org' and 'wildcard.example.org' both send SNI 'wildcard.example.org'.*route them through different gateways/],
  ['workload port 0', () => new GatewayWorkload(new Chart(Testing.app(), 'w', { namespace: 'istio-egress' }), 'gw', {}).addPort(0), /w\/gw: port 0 is not a port number \(1-65535\)/],
  ['workload proxy port', () => new GatewayWorkload(new Chart(Testing.app(), 'w', { namespace: 'istio-egress' }), 'gw', {}).addPort(15021), /w\/gw: port 15021 is used by the Istio proxy itself.*route the traffic on another port/],
  ['workload port retargeted', () => {
    const gw = new GatewayWorkload(new Chart(Testing.app(), 'w', { namespace: 'istio-egress' }), 'gw', {});
    gw.addPort(443);
    gw.addPort(443, { targetPort: 8443 });
  }, /w\/gw: port 443 is already exposed as 'https' → 443, not → 8443; one Service port has one target, so use another port number/],
  ['workload port name clash', () => {
    const gw = new GatewayWorkload(new Chart(Testing.app(), 'w', { namespace: 'istio-egress' }), 'gw', {});
    gw.addPort(8443, { name: 'web' });
    gw.addPort(9443, { name: 'web' });
  }, /w\/gw: port 9443 would be named 'web', which port 8443 already uses; pass another name/],
  ['ExternalName Service', () => new GatewayWorkload(new Chart(Testing.app(), 'w', { namespace: 'istio-egress' }), 'gw', { serviceType: kplus.ServiceType.EXTERNAL_NAME }), /w\/gw: a gateway Service cannot be of type ExternalName.*use ClusterIP \(egress\)/],
];

const MESH: Case[] = [
  ['bad trust domain', () => new IstioMesh({ trustDomain: 'Corp_Example' }), /IstioMesh: trustDomain 'Corp_Example' is not a DNS-1123 subdomain such as 'example.org'/],
  ['bad cluster domain', () => new IstioMesh({ clusterDomain: 'cluster local' }), /IstioMesh: clusterDomain 'cluster local' is not a DNS-1123 subdomain such as 'cluster.local'/],
  ['bad root namespace', () => new IstioMesh({ rootNamespace: 'istio.system' }), /IstioMesh: rootNamespace 'istio.system' is not a namespace name/],
  ['bad revision', () => new IstioMesh({ revision: '1.30.3' }), /IstioMesh: revision '1.30.3' is not a lower-case DNS-1123 label such as '1-30-3'/],
  ['install sharing an App', () => {
    const app = Testing.app();
    const install = new IstioInstall(app, 'istio');
    new Chart(app, 'apps', { namespace: 'apps' });
    Testing.synth(install);
  }, /\[istio\] IstioInstall istio shares its App with apps.*new App\(\{ outdir: 'dist-istioctl' \}\)/],
  ['an object in the install chart', () => {
    const install = new IstioInstall(Testing.app(), 'istio');
    new ApiObject(install, 'stray', { apiVersion: 'v1', kind: 'ConfigMap' });
    Testing.synth(install);
  }, /istio\/stray is in IstioInstall chart istio, whose file is applied with istioctl.*put it in a chart applied with kubectl/],
  ['bad install gateway name', () => new IstioInstall(Testing.app(), 'istio', { egressGateway: { name: 'Egress' } }), /istio: egress gateway name 'Egress' must be a DNS-1035 label/],
  ['bad install gateway namespace', () => new IstioInstall(Testing.app(), 'istio', { egressGateway: { namespaceName: 'Istio_Egress' } }), /istio: egress gateway namespace 'Istio_Egress' must be a DNS-1123 label/],
  ['install sizing', () => new IstioInstall(Testing.app(), 'istio', { egressGateway: { minReplicas: 3, maxReplicas: 1 } }), /istio: maxReplicas \(1\) must be a whole number no smaller than minReplicas \(3\)/],
  ['reference without a gateway', () => new IstioInstall(Testing.app(), 'istio').egressGatewayReference(), /istio: this install has no egress gateway; pass `egressGateway` to install one/],
  ['ExternalName an IP', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromExternalName('1.2.3.4'), ports: http }), /c\/k: ExternalName '1.2.3.4' is an IP address.*Use KubernetesExternalTarget.fromAddresses\(\) for IPs/],
  ['ExternalName upper case', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromExternalName('HttpBin.org'), ports: http }), /c\/k: externalName 'HttpBin.org' has upper-case letters \(use lower case\)/],
  ['endpoint a name', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromAddresses('wikipedia.org'), ports: http }), /c\/k: endpoint address 'wikipedia.org' is not an IP address.*Use KubernetesExternalTarget.fromExternalName\(\)/],
  ['no addresses', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromAddresses(), ports: http }), /c\/k: KubernetesExternalTarget.fromAddresses\(\) needs at least one IP address/],
  ['mixed IP families', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromAddresses('1.2.3.4', '2001:db8::1'), ports: http }), /c\/k: addresses mix IPv4 and IPv6; an EndpointSlice holds one family, so use two services/],
  ['no ports', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [] }), /c\/k: a KubernetesExternalService needs at least one port, e.g. ExternalPort.http\(\)/],
  ['bad Kubernetes Service port', () => new KubernetesExternalService(base().c, 'k', { target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [ExternalPort.http(0)] }), /c\/k: port 0 is not a port number: use an integer from 1 to 65535/],
];

const CASES: Case[] = [...SERVICE, ...ROUTE, ...GRANT, ...LOCKDOWN, ...GATEWAY, ...MESH];

describe('Bad input is refused with where, what and how |', () => {
  test(`the table holds ${CASES.length} cases, at least 120`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(120);
  });

  test.each(CASES.map(([description, run, message], i) => [`${i + 1} ${description}`, run, message] as const))('%s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});
