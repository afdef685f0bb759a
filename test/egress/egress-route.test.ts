import { Chart, Duration, Testing } from 'cdk8s';
import {
  EgressRoute, EgressTls, ExistingEgressGatewayProps, ExternalPort, ExternalService, GatewayHopTls, GatewayInstall,
  IEgressGateway, Resolution, EgressGateway,
} from '../../src';
import { byKind, synthValid } from '../util';

function chart(namespace: string = 'apps'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function existingGateway(scope: Chart, props: ExistingEgressGatewayProps = {}): IEgressGateway {
  return EgressGateway.fromExisting(scope, 'egress', props);
}


// These tests are about routing; the lockdown has its own tests (test/mesh-egress-lockdown.test.ts).
const UNLOCKED = { allowUnlockedMesh: true };

function zhihu(c: Chart): ExternalService {
  return new ExternalService(c, 'zhihu', {
    hosts: ['zhihu.com', 'www.zhihu.com'],
    ports: [ExternalPort.http(), ExternalPort.https()],
  });
}

describe('EgressRoute |', () => {
  test('seed 000: zhihu.com over TLS passthrough by SNI, with the Istio mutual TLS hop by default', () => {
    const c = chart();
    const gateway = existingGateway(c);
    new EgressRoute(c, 'zhihu-route', { ...UNLOCKED, gateway, service: zhihu(c), ports: [443] });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();

    const [istioGateway] = byKind(manifests, 'Gateway');
    expect(istioGateway.metadata.namespace).toEqual('istio-system');
    expect(istioGateway.spec.selector).toEqual({ istio: 'egressgateway', app: 'istio-egressgateway' });
    // Sorted by host: the output does not depend on the order hosts were declared in.
    expect(istioGateway.spec.servers.map((s: any) => [s.hosts, s.port.number, s.port.protocol, s.tls.mode])).toEqual([
      [['apps/www.zhihu.com'], 443, 'TLS', 'ISTIO_MUTUAL'],
      [['apps/zhihu.com'], 443, 'TLS', 'ISTIO_MUTUAL'],
    ]);

    const [gatewayRule] = byKind(manifests, 'DestinationRule');
    expect(gatewayRule.spec.host).toEqual('istio-egressgateway.istio-system.svc.cluster.local');
    // Istio looks a subset up from the client's namespace: the rule is visible wherever the route is, and only there.
    expect(gatewayRule.spec.exportTo).toEqual(['.', 'apps']);
    expect(gatewayRule.spec.subsets[1]).toEqual({
      name: 'zhihu-com-443',
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'zhihu.com' } }] },
    });

    const routes = byKind(manifests, 'VirtualService');
    expect(routes.map(r => r.spec.hosts)).toEqual([['zhihu.com'], ['www.zhihu.com']]);
    const gatewayName = `istio-system/${istioGateway.metadata.name}`;
    expect(routes[0].spec.gateways).toEqual(['mesh', gatewayName]);
    expect(routes[0].spec.tls).toEqual([{
      match: [{ gateways: ['mesh'], port: 443, sniHosts: ['zhihu.com'] }],
      route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'zhihu-com-443', port: { number: 443 } } }],
    }]);
    expect(routes[0].spec.tcp).toEqual([{
      match: [{ gateways: [gatewayName], port: 443 }],
      route: [{ destination: { host: 'zhihu.com', port: { number: 443 } } }],
    }]);

    // The gateway must see the external host to route to it.
    const [se] = byKind(manifests, 'ServiceEntry');
    expect(se.spec.exportTo).toEqual(['.', 'istio-system']);
  });

  test('seed 000 verbatim: plain passthrough hop, sniHosts on both legs', () => {
    const c = chart();
    new EgressRoute(c, 'zhihu-route', {
      ...UNLOCKED, gateway: existingGateway(c), service: zhihu(c), ports: [443], hosts: ['zhihu.com'], hopTls: GatewayHopTls.PLAINTEXT,
    });
    const manifests = synthValid(c);
    expect(byKind(manifests, 'Gateway')[0].spec.servers[0].tls).toEqual({ mode: 'PASSTHROUGH' });
    // No subset is needed when the hop is not Istio mutual TLS.
    expect(byKind(manifests, 'DestinationRule')).toEqual([]);
    const [vs] = byKind(manifests, 'VirtualService');
    expect(vs.spec.tls.map((t: any) => t.match[0].sniHosts)).toEqual([['zhihu.com'], ['zhihu.com']]);
    expect(vs.spec.tcp).toBeUndefined();
  });

  test('seed 004: httpbin.org over plain HTTP through the gateway', () => {
    const c = chart();
    const httpbin = new ExternalService(c, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    const route = new EgressRoute(c, 'httpbin-route', { ...UNLOCKED, gateway: existingGateway(c), service: httpbin });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    expect(route.hosts).toEqual(['httpbin.org']);
    expect(route.ports).toEqual([80]);
    const [server] = byKind(manifests, 'Gateway')[0].spec.servers;
    expect(server).toMatchObject({ port: { number: 80, protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } });
    const [vs] = byKind(manifests, 'VirtualService');
    expect(vs.spec.http.map((h: any) => h.name)).toEqual(['mesh-to-gateway-80', 'gateway-to-external-80']);
    expect(vs.spec.http[1].route).toEqual([{ destination: { host: 'httpbin.org', port: { number: 80 } } }]);
  });

  test('TLS origination at the gateway: the app speaks HTTP on 80, the gateway opens TLS to 443', () => {
    const c = chart();
    const cnn = new ExternalService(c, 'cnn', { hosts: ['edition.cnn.com'], ports: [ExternalPort.http(), ExternalPort.https()] });
    new EgressRoute(c, 'cnn-route', {
      ...UNLOCKED,
      gateway: existingGateway(c),
      service: cnn,
      ports: [80],
      tls: EgressTls.originate(),
      timeout: Duration.seconds(5),
      retries: { attempts: 3, perTryTimeout: Duration.millis(1500), retryOn: ['connect-failure', '503'] },
      requestHeaders: { set: { 'x-egress': 'cnn' }, remove: ['x-internal-user'] },
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    const origination = byKind(manifests, 'DestinationRule').find(r => r.spec.host === 'edition.cnn.com');
    expect(origination.metadata.namespace).toEqual('istio-system');
    expect(origination.spec).toEqual({
      host: 'edition.cnn.com',
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', sni: 'edition.cnn.com' } }] },
    });
    const [vs] = byKind(manifests, 'VirtualService');
    expect(vs.spec.http[1]).toMatchObject({
      route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }],
      timeout: '5s',
      retries: { attempts: 3, perTryTimeout: '1500ms', retryOn: 'connect-failure,503' },
      headers: { request: { set: { 'x-egress': 'cnn' }, remove: ['x-internal-user'] } },
    });
  });

  test('mutual TLS origination at the gateway with a client certificate Secret', () => {
    const c = chart();
    const partner = new ExternalService(c, 'partner', { hosts: ['api.partner.example'], ports: [ExternalPort.http(), ExternalPort.https()] });
    new EgressRoute(c, 'partner-route', {
      ...UNLOCKED, gateway: existingGateway(c), service: partner, ports: [80], tls: EgressTls.originateMutual({ credentialName: 'partner-client' }),
    });
    const manifests = synthValid(c);
    const origination = byKind(manifests, 'DestinationRule').find(r => r.spec.host === 'api.partner.example');
    expect(origination.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({
      mode: 'MUTUAL', credentialName: 'partner-client', sni: 'api.partner.example',
    });
  });

  test('a wildcard host through one gateway, served by a single concrete server', () => {
    const c = chart();
    const wiki = new ExternalService(c, 'wiki', {
      hosts: ['*.wikipedia.org'], ports: [ExternalPort.https()], endpoints: [{ address: 'www.wikipedia.org' }],
    });
    new EgressRoute(c, 'wiki-route', { ...UNLOCKED, gateway: existingGateway(c), service: wiki });
    const manifests = synthValid(c);
    const [vs] = byKind(manifests, 'VirtualService');
    expect(vs.spec.hosts).toEqual(['*.wikipedia.org']);
    expect(vs.spec.tls[0].match[0].sniHosts).toEqual(['*.wikipedia.org']);
    expect(byKind(manifests, 'DestinationRule')[0].spec.subsets[0].name).toEqual('wildcard-wikipedia-org-443');
  });

  test('routes share one Gateway and one gateway DestinationRule, against a Helm-installed gateway', () => {
    const c = chart();
    const gateway = existingGateway(c, { install: GatewayInstall.helm('istio-egress-gw', 'egress') });
    new EgressRoute(c, 'zhihu-route', { ...UNLOCKED, gateway, service: zhihu(c), ports: [443] });
    const httpbin = new ExternalService(c, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
    new EgressRoute(c, 'httpbin-route', { ...UNLOCKED, gateway, service: httpbin });
    const manifests = synthValid(c);
    expect(byKind(manifests, 'Gateway')).toHaveLength(1);
    expect(byKind(manifests, 'DestinationRule')).toHaveLength(1);
    expect(byKind(manifests, 'Gateway')[0].spec.selector).toEqual({ istio: 'egress-gw', app: 'istio-egress-gw' });
    expect(byKind(manifests, 'DestinationRule')[0].spec.subsets.map((s: any) => s.name))
      .toEqual(['httpbin-org-80', 'www-zhihu-com-443', 'zhihu-com-443']);
  });

  test('exportTo is rendered relative to each object\'s own namespace: a route in the gateway\'s namespace', () => {
    const c = chart('istio-system');
    const svc = new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()], metadata: { namespace: 'apps' } });
    new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc });
    const manifests = synthValid(c);
    expect(byKind(manifests, 'ServiceEntry')[0].spec.exportTo).toEqual(['.', 'istio-system']);
    // Seen from istio-system, the gateway's namespace is '.', and apps is named: never '.' and 'istio-system' both.
    expect(byKind(manifests, 'VirtualService')[0].spec.exportTo).toEqual(['.', 'apps']);
  });

  test('a route without hosts or ports carries every host and port of the service, those added later included', () => {
    const c = chart();
    const svc = new ExternalService(c, 'api', { hosts: ['a.example.com'], ports: [ExternalPort.https()] });
    const route = new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc });
    svc.addHost('b.example.com');
    svc.addPort(ExternalPort.http());
    const manifests = synthValid(c);
    expect(route.hosts).toEqual(['a.example.com', 'b.example.com']);
    expect(route.ports).toEqual([80, 443]);
    expect(byKind(manifests, 'VirtualService').map(v => v.spec.hosts[0])).toEqual(['a.example.com', 'b.example.com']);
    expect(byKind(manifests, 'Gateway')[0].spec.servers.map((s: any) => `${s.hosts[0]}:${s.port.number}`))
      .toEqual(['apps/a.example.com:80', 'apps/a.example.com:443', 'apps/b.example.com:80', 'apps/b.example.com:443']);
    expect(() => route.addHost('c.example.com')).toThrow(/test\/route: this route carries every host of test\/api .*add the host to the service instead/);
    expect(() => route.addPort(8443)).toThrow(/test\/route: this route carries every port of test\/api .*add the port to the service instead/);
  });

  test('a route with hosts and ports carries those, added in any order to the route or the service', () => {
    const c = chart();
    const svc = new ExternalService(c, 'api', { hosts: ['a.example.com'], ports: [ExternalPort.https()] });
    const route = new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc, hosts: ['a.example.com'], ports: [443] });
    // Named on the route before the service declares them: the route waits for the service.
    route.addHost('b.example.com');
    route.addPort(80);
    svc.addHost('b.example.com');
    svc.addHost('c.example.com');
    svc.addPort(ExternalPort.http());
    const manifests = synthValid(c);
    expect(route.hosts).toEqual(['a.example.com', 'b.example.com']);
    expect(route.ports).toEqual([80, 443]);
    expect(byKind(manifests, 'VirtualService').map(v => v.spec.hosts[0])).toEqual(['a.example.com', 'b.example.com']);
  });
});

describe('EgressRoute | fails', () => {
  test('fails on a service with resolution NONE: through a gateway it loops back to itself', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.https()], resolution: Resolution.NONE });
    expect(() => new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc }))
      .toThrow(/test\/route: ExternalService test\/svc has resolution NONE.*loop.*Resolution.DNS/);
  });

  test('fails on a DYNAMIC_DNS service: sidecars only', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', { hosts: ['*.example.com'], ports: [ExternalPort.tls()], resolution: Resolution.DYNAMIC_DNS });
    expect(() => new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc })).toThrow(/DYNAMIC_DNS, which works from sidecars only/);
  });

  test('fails on a port or host the service does not declare', () => {
    const c = chart();
    const gateway = existingGateway(c);
    const svc = zhihu(c);
    new EgressRoute(c, 'r1', { ...UNLOCKED, gateway, service: svc, ports: [8443], hosts: ['zhihu.com'] });
    expect(() => synthValid(c))
      .toThrow(/\[test\/r1\] port 8443 is not a port of ExternalService test\/zhihu \(ports: 80\/HTTP, 443\/HTTPS\); add it with addPort/);
    const c2 = chart();
    new EgressRoute(c2, 'r2', { ...UNLOCKED, gateway: existingGateway(c2), service: zhihu(c2), ports: [443], hosts: ['api.zhihu.com'] });
    expect(() => synthValid(c2))
      .toThrow(/\[test\/r2\] host 'api.zhihu.com' is not a host of ExternalService test\/zhihu \(hosts: zhihu.com, www.zhihu.com\); add it to the service/);
  });

  test('fails when two routes claim one host, whatever their modes', () => {
    const c = chart();
    const gateway = existingGateway(c);
    const svc = zhihu(c);
    new EgressRoute(c, 'tls', { ...UNLOCKED, gateway, service: svc, ports: [443] });
    new EgressRoute(c, 'http', { ...UNLOCKED, gateway, service: svc, ports: [80] });
    expect(() => synthValid(c))
      .toThrow(/test\/http: zhihu.com is already routed through egress gateway test\/egress by test\/tls; route all ports of a host in one EgressRoute/);
  });

  test('fails when a gateway port would carry both plaintext and TLS', () => {
    const c = chart();
    const gateway = existingGateway(c);
    const a = new ExternalService(c, 'a', { hosts: ['a.example.com'], ports: [ExternalPort.http()] });
    const b = new ExternalService(c, 'b', { hosts: ['b.example.com'], ports: [ExternalPort.http()] });
    new EgressRoute(c, 'ra', { ...UNLOCKED, gateway, service: a });
    new EgressRoute(c, 'rb', { ...UNLOCKED, gateway, service: b, hopTls: GatewayHopTls.PLAINTEXT });
    expect(() => synthValid(c))
      .toThrow(/test\/rb: port 80 of egress gateway test\/egress carries both plaintext and TLS \(test\/ra\)/);
  });

  test('fails on opaque TCP ports', () => {
    const c = chart();
    const svc = new ExternalService(c, 'pg', { hosts: ['pg.example.com'], ports: [ExternalPort.tcp(5432)] });
    expect(() => new EgressRoute(c, 'route', { ...UNLOCKED, gateway: existingGateway(c), service: svc })).toThrow(/port 5432\/TCP is opaque TCP/);
  });

  test('fails on TLS modes the port\'s protocol cannot carry', () => {
    const c = chart();
    const gateway = existingGateway(c);
    expect(() => new EgressRoute(c, 'r1', { ...UNLOCKED, gateway, service: zhihu(c), ports: [443], tls: EgressTls.originate() }))
      .toThrow(/TLS origination needs the application to speak plain HTTP, but port 443\/HTTPS carries application TLS/);
    const c2 = chart();
    expect(() => new EgressRoute(c2, 'r2', { ...UNLOCKED, gateway: existingGateway(c2), service: zhihu(c2), ports: [80], tls: EgressTls.passthrough() }))
      .toThrow(/passthrough needs application TLS, but port 80\/HTTP is plain HTTP/);
  });

  test('fails on origination to an undeclared or non-TLS target port', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.http(), ExternalPort.http(8080)] });
    const gateway = existingGateway(c);
    new EgressRoute(c, 'r1', { ...UNLOCKED, gateway, service: svc, ports: [80], tls: EgressTls.originate() });
    expect(() => synthValid(c))
      .toThrow(/\[test\/r1\] TLS origination connects to port 443 of test\/svc, which is not declared; declare it as ExternalPort.https\(443\)/);
    const c2 = chart();
    const svc2 = new ExternalService(c2, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.http(), ExternalPort.http(8080)] });
    new EgressRoute(c2, 'r2', { ...UNLOCKED, gateway: existingGateway(c2), service: svc2, ports: [80], tls: EgressTls.originate({ targetPort: 8080 }) });
    expect(() => synthValid(c2))
      .toThrow(/connects to port 8080 of test\/svc, which is 8080\/HTTP, not a TLS port; declare it as ExternalPort.https\(8080\)/);
  });

  test('fails on request shaping over passthrough traffic', () => {
    const c = chart();
    expect(() => new EgressRoute(c, 'r', { ...UNLOCKED, gateway: existingGateway(c), service: zhihu(c), ports: [443], timeout: Duration.seconds(3) }))
      .toThrow(/timeout, retries and requestHeaders act on HTTP requests, and port 443\/HTTPS is passed through encrypted/);
  });

  test('fails on durations Istio rejects', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.http()] });
    expect(() => new EgressRoute(c, 'r', { ...UNLOCKED, gateway: existingGateway(c), service: svc, timeout: Duration.millis(0) }))
      .toThrow(/timeout must be at least 1ms/);
  });

  test('fails on TLS origination to a wildcard host', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', {
      hosts: ['*.example.com'], ports: [ExternalPort.http(), ExternalPort.https()], endpoints: [{ address: 'www.example.com' }],
    });
    expect(() => new EgressRoute(c, 'r', { ...UNLOCKED, gateway: existingGateway(c), service: svc, ports: [80], tls: EgressTls.originate() }))
      .toThrow(/cannot originate TLS to wildcard host '\*.example.com'/);
  });

  test('fails on a port the existing gateway does not expose', () => {
    const c = chart();
    const svc = new ExternalService(c, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.https(8443)] });
    expect(() => new EgressRoute(c, 'r', { ...UNLOCKED, gateway: existingGateway(c), service: svc }))
      .toThrow(/the existing egress gateway istio-egressgateway.istio-system does not expose port 8443 \(it exposes 80, 443\)/);
    const ok = chart();
    const svc2 = new ExternalService(ok, 'svc', { hosts: ['a.example.com'], ports: [ExternalPort.https(8443)] });
    new EgressRoute(ok, 'r', { ...UNLOCKED, gateway: existingGateway(ok, { additionalPorts: [{ port: 8443, targetPort: 18443 }] }), service: svc2 });
    expect(() => synthValid(ok)).not.toThrow();
  });

  test('fails on an invalid credentialName', () => {
    expect(() => EgressTls.originateMutual({ credentialName: 'Client_Cert' })).toThrow(/credentialName 'Client_Cert' is not a Secret name/);
  });
});
