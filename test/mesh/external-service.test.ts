import { Chart, Testing } from 'cdk8s';
import { ExternalPort, ExternalService, Location, ManifestValidator, PortProtocol, Resolution, Severity } from '../../src';
import { byKind, synthValid } from '../util';

function chart(namespace: string = 'apps'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}


describe('ExternalService |', () => {
  test('seed 000: zhihu.com and www.zhihu.com on 80 and 443, resolved by DNS, outside the mesh', () => {
    const c = chart();
    new ExternalService(c, 'zhihu', {
      hosts: ['zhihu.com', 'www.zhihu.com'],
      ports: [ExternalPort.http(), ExternalPort.https()],
    });
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    const [se] = byKind(manifests, 'ServiceEntry');
    expect(se.apiVersion).toEqual('networking.istio.io/v1');
    expect(se.metadata.namespace).toEqual('apps');
    expect(se.spec.resolution).toEqual('DNS');
    expect(se.spec.location).toEqual('MESH_EXTERNAL');
    expect(se.spec.ports).toEqual([
      { number: 80, name: 'http-80', protocol: 'HTTP' },
      { number: 443, name: 'https-443', protocol: 'HTTPS' },
    ]);
    // Narrow by default: only the entry's own namespace sees it until routes and grants widen it.
    expect(se.spec.exportTo).toEqual(['.']);
  });

  test('hosts and ports added after construction land in the entry', () => {
    const c = chart();
    const svc = new ExternalService(c, 'api', { hosts: ['api.example.com'] });
    svc.addHost('api2.example.com');
    svc.addPort(ExternalPort.grpc(8443));
    const [se] = synthValid(c);
    expect(se.spec.hosts).toEqual(['api.example.com', 'api2.example.com']);
    expect(se.spec.ports).toEqual([{ number: 8443, name: 'grpc-8443', protocol: 'GRPC' }]);
    expect(svc.hosts).toEqual(['api.example.com', 'api2.example.com']);
  });

  test('a wildcard host resolved on demand with DYNAMIC_DNS (sidecars only)', () => {
    const c = chart();
    new ExternalService(c, 'wiki', {
      hosts: ['*.wikipedia.org'],
      ports: [ExternalPort.tls(443)],
      resolution: Resolution.DYNAMIC_DNS,
    });
    const [se] = synthValid(c);
    expect(se.spec.resolution).toEqual('DYNAMIC_DNS');
    expect(se.spec.hosts).toEqual(['*.wikipedia.org']);
  });

  test('a wildcard host served by one server: DNS with an endpoint', () => {
    const c = chart();
    new ExternalService(c, 'wiki', {
      hosts: ['*.wikipedia.org'],
      ports: [ExternalPort.https()],
      endpoints: [{ address: 'www.wikipedia.org' }],
    });
    const [se] = synthValid(c);
    expect(se.spec.endpoints).toEqual([{ address: 'www.wikipedia.org' }]);
  });

  test('STATIC endpoints with a CIDR, inside the mesh, exported everywhere', () => {
    const c = chart();
    new ExternalService(c, 'db', {
      hosts: ['db.corp.example'],
      ports: [ExternalPort.tcp(5432)],
      resolution: Resolution.STATIC,
      location: Location.MESH_INTERNAL,
      endpoints: [{ address: '10.1.2.3', ports: { 'tcp-5432': 15432 } }],
      addresses: ['10.1.2.0/24'],
      exportTo: ['*'],
    });
    const [se] = synthValid(c);
    expect(se.spec).toMatchObject({
      resolution: 'STATIC',
      location: 'MESH_INTERNAL',
      addresses: ['10.1.2.0/24'],
      endpoints: [{ address: '10.1.2.3', ports: { 'tcp-5432': 15432 } }],
      exportTo: ['*'],
    });
  });

  test('exportTo lists other namespaces, with its own namespace rendered as "."', () => {
    const c = chart();
    new ExternalService(c, 'api', { hosts: ['api.example.com'], ports: [ExternalPort.https()], exportTo: ['apps', 'billing'] });
    expect(synthValid(c)[0].spec.exportTo).toEqual(['.', 'billing']);
  });

  test('TLS origination at the sidecar: the app calls port 80, TLS to 443 leaves the pod', () => {
    const c = chart();
    const svc = new ExternalService(c, 'cnn', {
      hosts: ['edition.cnn.com'],
      ports: [ExternalPort.http(80), ExternalPort.https(443)],
      tlsOrigination: [{ port: 80 }],
    });
    svc.addHost('www.cnn.com');
    const manifests = synthValid(c);
    expect(manifests).toMatchSnapshot();
    const [se] = byKind(manifests, 'ServiceEntry');
    expect(se.spec.ports[0]).toEqual({ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 });
    const rules = byKind(manifests, 'DestinationRule');
    expect(rules.map(r => r.spec.host)).toEqual(['edition.cnn.com', 'www.cnn.com']);
    expect(rules[1].spec.trafficPolicy.portLevelSettings).toEqual([
      { port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'www.cnn.com' } },
    ]);
    expect(rules[0].spec.exportTo).toEqual(se.spec.exportTo);
  });

  test('ExternalPort names follow Istio and keep the protocol', () => {
    expect(ExternalPort.of(27017, PortProtocol.MONGO).name).toEqual('mongo-27017');
    expect(ExternalPort.http2(8080).isHttp).toBe(true);
    expect(ExternalPort.tls(8443).isTls).toBe(true);
    expect(ExternalPort.tcp(22).isHttp || ExternalPort.tcp(22).isTls).toBe(false);
    expect(ExternalPort.https().toString()).toEqual('443/HTTPS');
  });
});

describe('ExternalService | fails', () => {
  const make = (props: Partial<ConstructorParameters<typeof ExternalService>[2]> = {}, c: Chart = chart()) =>
    new ExternalService(c, 'svc', { hosts: ['api.example.com'], ports: [ExternalPort.https()], ...props });

  test('fails on the bare "*" host', () => {
    expect(() => make({ hosts: ['*'] })).toThrow(/test\/svc: ExternalService host '\*' would match every host/);
  });

  test.each([
    ['foo.*.com', /wildcard that is not the whole first label/],
    ['*foo.com', /wildcard that is not the whole first label/],
    ['API.example.com', /upper-case/],
    ['localhost', /not fully qualified/],
    ['bad_name.example.com', /has a label that is not/],
  ])('fails on the invalid host %s', (host, message) => {
    expect(() => make({ hosts: [host] })).toThrow(message);
  });

  test('fails on a host listed twice', () => {
    expect(() => make({ hosts: ['a.example.com', 'a.example.com'] })).toThrow(/'a.example.com' is listed twice/);
  });

  test('fails on a wildcard host with DNS resolution and no endpoint, suggesting DYNAMIC_DNS or NONE', () => {
    const c = chart();
    make({ hosts: ['*.zhihu.com'] }, c);
    expect(() => synthValid(c)).toThrow(/wildcard host '\*.zhihu.com' cannot be resolved with DNS.*DYNAMIC_DNS.*NONE/);
  });

  test('fails on duplicate port numbers and duplicate port names', () => {
    expect(() => make({ ports: [ExternalPort.https(443), ExternalPort.tls(443)] })).toThrow(/port 443\/TLS clashes with port 443\/HTTPS/);
    expect(() => make({ ports: [ExternalPort.of(443, PortProtocol.HTTPS, 'web'), ExternalPort.of(8443, PortProtocol.HTTPS, 'web')] }))
      .toThrow(/name 'web'/);
  });

  test('fails on invalid port numbers and names, naming the service', () => {
    expect(() => make({ ports: [ExternalPort.tcp(0)] })).toThrow(/^test\/svc: port 0 is not a port number: use an integer from 1 to 65535/);
    expect(() => make({ ports: [ExternalPort.tcp(70000)] })).toThrow(/^test\/svc: port 70000 is not a port number/);
    expect(() => make({ ports: [ExternalPort.of(443, PortProtocol.HTTPS, 'https_443')] })).toThrow(/^test\/svc: port name 'https_443' is not a DNS-1123 label/);
  });

  test('fails on plain HTTP on 443 unless declared explicitly', () => {
    expect(() => make({ ports: [ExternalPort.http(443)] })).toThrow(/test\/svc: port 443\/HTTP is plain HTTP on the HTTPS port.*ExternalPort.of\(443, PortProtocol.HTTP\)/);
    expect(() => make({ ports: [ExternalPort.of(443, PortProtocol.HTTP)] })).not.toThrow();
  });

  test('fails on hosts with a scheme, a port, or an IP address, saying what to write', () => {
    expect(() => make({ hosts: ['https://api.github.com'] })).toThrow(/test\/svc: ExternalService host 'https:\/\/api.github.com' has a scheme; drop 'https:\/\/' and write 'api.github.com'/);
    expect(() => make({ hosts: ['api.github.com:443'] })).toThrow(/host 'api.github.com:443' has a port; write 'api.github.com' and declare port 443 with ExternalPort/);
    expect(() => make({ hosts: ['203.0.113.7'] })).toThrow(/host '203.0.113.7' is an IP address.*as an endpoint \(resolution STATIC\) or in `addresses`/);
  });

  test('fails with several hosts on an opaque TCP port unless resolution is NONE', () => {
    const c = chart();
    make({ hosts: ['a.example.com', 'b.example.com'], ports: [ExternalPort.tcp(5432)] }, c);
    expect(() => synthValid(c)).toThrow(/port 5432\/TCP carries no Host or SNI, so with 2 hosts/);

    // NONE is admitted; istiod only warns that TCP without addresses shares a 0.0.0.0 listener.
    const ok = chart();
    make({ hosts: ['a.example.com', 'b.example.com'], ports: [ExternalPort.tcp(5432)], resolution: Resolution.NONE }, ok);
    expect(ManifestValidator.validateChart(ok).map(f => [f.severity, f.rule])).toEqual([[Severity.WARNING, 'IST-SE-TCP-NO-ADDRESS']]);
  });

  test('fails when two services share an opaque TCP port without addresses', () => {
    const c = chart();
    new ExternalService(c, 'pg1', { hosts: ['pg1.example.com'], ports: [ExternalPort.tcp(5432)] });
    new ExternalService(c, 'pg2', { hosts: ['pg2.example.com'], ports: [ExternalPort.tcp(5432)] });
    expect(() => synthValid(c)).toThrow(/test\/pg1 and test\/pg2 both carry opaque TCP port 5432 without addresses/);

    const ok = chart();
    new ExternalService(ok, 'pg1', { hosts: ['pg1.example.com'], ports: [ExternalPort.tcp(5432)], addresses: ['192.0.2.10'] });
    new ExternalService(ok, 'pg2', { hosts: ['pg2.example.com'], ports: [ExternalPort.tcp(5432)], addresses: ['192.0.2.11'] });
    expect(() => synthValid(ok)).not.toThrow();
  });

  test('fails beyond Istio\'s 256 ports or addresses', () => {
    const svc = make({ ports: [], resolution: Resolution.NONE });
    for (let i = 1; i <= 256; i++) svc.addPort(ExternalPort.https(10000 + i));
    expect(() => svc.addPort(ExternalPort.https(443))).toThrow(/at most 256 ports/);
    for (let i = 0; i < 256; i++) svc.addAddress(`10.0.${i}.1`);
    expect(() => svc.addAddress('10.1.0.1')).toThrow(/at most 256 addresses/);
  });

  test('fails on endpoints that the resolution cannot use', () => {
    expect(() => make({ resolution: Resolution.NONE, endpoints: [{ address: '1.2.3.4' }] })).toThrow(/cannot be used with resolution NONE/);
    expect(() => make({ resolution: Resolution.STATIC, endpoints: [{ address: 'db.example.com' }] })).toThrow(/STATIC endpoint 'db.example.com' is not an IP/);
    expect(() => make({ resolution: Resolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }))
      .toThrow(/DNS_ROUND_ROBIN takes at most one endpoint/);
  });

  test('fails at synth on an endpoint mapping a port the service never declares; declared later is fine', () => {
    const c = chart();
    make({ endpoints: [{ address: 'a.example.com', ports: { nope: 1 } }] }, c);
    expect(() => synthValid(c)).toThrow(/\[test\/svc\] endpoint 'a.example.com' maps port 'nope', which the service does not declare \(ports: https-443\); add the port/);
    const ok = chart();
    const svc = make({ ports: [], endpoints: [{ address: 'a.example.com', ports: { 'https-8443': 443 } }] }, ok);
    svc.addPort(ExternalPort.https(8443));
    expect(() => synthValid(ok)).not.toThrow();
  });

  test('fails on STATIC without endpoints', () => {
    const c = chart();
    make({ resolution: Resolution.STATIC }, c);
    expect(() => synthValid(c)).toThrow(/STATIC needs at least one IP endpoint/);
  });

  test('fails on a CIDR unless resolution is NONE or STATIC, and on non-addresses', () => {
    expect(() => make({ addresses: ['10.0.0.0/16'] })).toThrow(/CIDR address '10.0.0.0\/16' needs resolution NONE or STATIC/);
    expect(() => make({ addresses: ['10.0.0.300'] })).toThrow(/is not an IP address or CIDR/);
    expect(() => make({ resolution: Resolution.NONE, addresses: ['10.0.0.0/16'] })).not.toThrow();
  });

  test('fails on DYNAMIC_DNS misuse: concrete hosts, opaque ports, endpoints, addresses', () => {
    const c = chart();
    make({ hosts: ['*.example.com', 'api.example.com'], ports: [ExternalPort.tls()], resolution: Resolution.DYNAMIC_DNS }, c);
    expect(() => synthValid(c)).toThrow(/DYNAMIC_DNS applies to wildcard hosts only, and 'api.example.com'/);
    const dyn = { hosts: ['*.example.com'], resolution: Resolution.DYNAMIC_DNS };
    expect(() => make({ ...dyn, ports: [ExternalPort.tcp(22)] })).toThrow(/cannot be used with DYNAMIC_DNS/);
    expect(() => make({ ...dyn, ports: [ExternalPort.tls()], endpoints: [{ address: 'a.example.com' }] })).toThrow(/DYNAMIC_DNS .* takes no endpoints/);
    expect(() => make({ ...dyn, ports: [ExternalPort.tls()], addresses: ['1.2.3.4'] })).toThrow(/DYNAMIC_DNS takes no addresses/);
  });

  test('fails without ports', () => {
    const c = chart();
    make({ ports: [] }, c);
    expect(() => synthValid(c)).toThrow(/needs at least one port/);
  });

  test('fails without a namespace', () => {
    const c = new Chart(Testing.app(), 'test');
    expect(() => make({}, c)).toThrow(/test\/svc: an ExternalService needs a namespace/);
  });

  test('fails on exportTo entries Istio rejects or that would hide the entry', () => {
    expect(() => make({ exportTo: ['~'] })).toThrow(/exportTo '~' would hide the object/);
    expect(() => make({ exportTo: ['Not_A_Namespace'] })).toThrow(/'Not_A_Namespace' is not/);
  });

  test('fails on TLS origination for a port that is not plain HTTP, twice, or to a wildcard', () => {
    expect(() => make({ tlsOrigination: [{ port: 443 }] }))
      .toThrow(/test\/svc: TLS origination needs an HTTP port .* port 443 is 443\/HTTPS; declare the plain-text port as ExternalPort.http\(443\)/);
    const c = chart();
    make({ tlsOrigination: [{ port: 80 }] }, c);
    expect(() => synthValid(c)).toThrow(/\[test\/svc\] TLS origination needs an HTTP port .* port 80 is not declared; add ExternalPort.http\(80\)/);
    // Declared after the origination: the order of calls does not matter.
    const later = chart();
    const svc2 = make({ ports: [ExternalPort.https()] }, later);
    svc2.originateTls({ port: 80 });
    svc2.addPort(ExternalPort.http());
    expect(byKind(synthValid(later), 'ServiceEntry')[0].spec.ports[0]).toEqual({ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 });
    const svc = make({ ports: [ExternalPort.http()], tlsOrigination: [{ port: 80 }] });
    expect(() => svc.originateTls({ port: 80 })).toThrow(/already configured/);
    expect(() => svc.addHost('*.example.com')).toThrow(/cannot originate TLS to wildcard host/);
  });
});
