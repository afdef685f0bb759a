import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressLeg, IEgressGateway, IEgressGatewayBinding, IEgressGrant, IEgressRoute } from './egress-contracts';
import { IEgressGrantee } from './egress-grantee';
import { EgressGrantOptions, EgressPath } from './egress-request';
import { EgressTls, EgressTlsMode, GatewayHopTls } from './egress-tls';
import { checkGrantee } from './grantee-checks';
import { requestMatchOf } from './request-match';
import * as networking from '../../imports/networking.istio.io';
import { ExternalPort } from '../mesh/external-port';
import { ExternalService, Resolution } from '../mesh/external-service';
import { RequestShapingOptions } from '../mesh/request-shaping';
import { sortBy } from '../private/collections';
import { isWildcard } from '../private/hostname';
import { Names } from '../private/names';
import { namespaceOf } from '../private/namespace';
import { ObjectNames } from '../private/object-names';
import { renderEgressVirtualService, renderGatewayTlsOrigination } from '../render/istio/egress-route';
import { renderRequestShaping } from '../render/istio/request-shaping';

/**
 * Properties of an `EgressRoute`.
 */
export interface EgressRouteProps extends RequestShapingOptions {
  /** The egress gateway the traffic leaves through. */
  readonly gateway: IEgressGateway;
  /** The external service the traffic goes to. Its resolution must not be NONE or DYNAMIC_DNS. */
  readonly service: ExternalService;
  /**
   * Which of the service's hosts to route. More can be added with `addHost`.
   * @default - every host of the service, including hosts added to it later
   */
  readonly hosts?: string[];
  /**
   * Which of the service's port numbers to route. More can be added with `addPort`.
   * @default - every port of the service, including ports added to it later
   */
  readonly ports?: number[];
  /**
   * What crosses the external leg.
   * @default - per port: `passthrough` for TLS and HTTPS ports, `plaintext` for HTTP ports
   */
  readonly tls?: EgressTls;
  /**
   * How the sidecar → gateway hop is protected.
   * @default GatewayHopTls.ISTIO_MUTUAL
   */
  readonly hopTls?: GatewayHopTls;
  /**
   * The request paths the gateway forwards to the external host; a request for any other path is answered by the
   * gateway with 404 (no route matches it), and never leaves the mesh. The gateway must see the requests: plain
   * HTTP, or TLS it originates. More can be added with `addPath`.
   * @default - every path
   */
  readonly paths?: EgressPath[];
  /**
   * The gateway Service port of the sidecar → gateway hop, when it should differ from the port the application
   * calls (the Istio docs' mutual TLS origination task sends the application's HTTP on 80 to the gateway's 443,
   * over Istio mutual TLS). Only for a route that carries one port.
   * @default - the port the application calls
   */
  readonly gatewayPort?: number;
  /**
   * Accept a gateway that no `MeshEgressLockdown` covers. Without one nothing stops pods from going around the
   * gateway, so by default synth fails; set this only when the mesh is locked down by other means.
   * @default false
   */
  readonly allowUnlockedMesh?: boolean;
}


/**
 * Routes an external service's traffic through an egress gateway: sidecar → gateway → external host.
 *
 * Per routed host it emits one VirtualService (the mesh → gateway and gateway → external legs, with `sniHosts` on
 * every TLS match) and, when the gateway originates TLS, a `DestinationRule` in the gateway's namespace. It binds to
 * its gateway, whose shared Istio `Gateway` and `DestinationRule` render a server and a subset for each of the
 * route's host:port legs at synth. The external service is exported to the gateway's namespace, which must see it
 * to route to it.
 *
 * What a route carries is recorded, not computed: without `hosts` or `ports` it carries every host and port of the
 * service, including those added to the service later, and everything derived from them (servers, subsets, grants,
 * the lockdown's ports and Sidecar hosts) is rendered from the final set.
 *
 * Refused at once: a service with resolution NONE (the gateway would forward to its own address) or DYNAMIC_DNS
 * (sidecars only); opaque TCP ports (nothing to route by); a TLS mode the port's protocol cannot carry. Refused at
 * synth: a host or port the service does not declare, a host another route already carries through the gateway.
 */
export class EgressRoute extends Construct implements IEgressRoute {
  /** The egress gateway the traffic leaves through. */
  public readonly gateway: IEgressGateway;
  /** The external service the traffic goes to. */
  public readonly service: ExternalService;
  /** The namespace of the route's VirtualServices. */
  public readonly namespaceName: string;
  /** How the sidecar → gateway hop is protected. */
  public readonly hopTls: GatewayHopTls;

  private readonly tls?: EgressTls;
  private readonly gatewayPort?: number;
  private readonly paths: EgressPath[] = [];
  /** Timeout, retries and header changes of the gateway → external HTTP leg, rendered once per VirtualService. */
  private readonly shaping?: Partial<networking.VirtualServiceSpecHttp>;
  private readonly binding: IEgressGatewayBinding;
  /** The hosts named in `hosts` or `addHost`; undefined: every host of the service. */
  private readonly namedHosts?: Set<string>;
  /** The port numbers named in `ports` or `addPort`; undefined: every port of the service. */
  private readonly namedPorts?: Set<number>;
  private readonly routedHosts = new Set<string>();
  private readonly usedPorts = new Set<number>();

  public constructor(scope: Construct, id: string, props: EgressRouteProps) {
    super(scope, id);
    this.gateway = props.gateway;
    this.service = props.service;
    this.shaping = renderRequestShaping(this.node.path, props);
    this.tls = props.tls;
    this.gatewayPort = props.gatewayPort;
    if (props.gatewayPort !== undefined && !Names.isPortNumber(props.gatewayPort)) {
      throw new Error(`${this.node.path}: gatewayPort ${props.gatewayPort} is not a port number; use an integer from 1 to 65535`);
    }
    this.hopTls = props.hopTls ?? GatewayHopTls.ISTIO_MUTUAL;
    this.namespaceName = namespaceOf(this, Chart.of(this).namespace ?? props.service.namespaceName, 'an EgressRoute');

    if (props.service.resolution === Resolution.NONE) {
      throw new Error(`${this.node.path}: ExternalService ${props.service.node.path} has resolution NONE; through an `
        + 'egress gateway that forwards to the address the client dialled, which is the gateway itself (a loop). '
        + 'Use Resolution.DNS (for a wildcard host, with an endpoint naming its single server)');
    }
    if (props.service.resolution === Resolution.DYNAMIC_DNS) {
      throw new Error(`${this.node.path}: ExternalService ${props.service.node.path} uses DYNAMIC_DNS, which works `
        + 'from sidecars only, not through an egress gateway; use Resolution.DNS with an endpoint for the wildcard');
    }

    (props.paths ?? []).forEach(path => this.addPath(path));
    this.binding = props.gateway.routing.bindRoute(this);
    props.service.addExportTo(props.gateway.namespaceName);
    if (props.hosts) {
      this.namedHosts = new Set();
      props.hosts.forEach(host => this.addHost(host));
    }
    if (props.ports) {
      this.namedPorts = new Set();
      props.ports.forEach(port => this.addPort(port));
    }
    props.service.observe({
      onHost: host => {
        if (!this.namedHosts) this.routeHost(host);
      },
      onPort: port => {
        if (!this.namedPorts || this.namedPorts.has(port.number)) this.usePort(port);
      },
    });

    this.node.addValidation({ validate: () => this.validate(props.allowUnlockedMesh ?? false) });
  }

  /** The hosts this route carries, sorted (a copy). */
  public get hosts(): string[] {
    return [...this.routedHosts].sort();
  }

  /** The port numbers this route carries, sorted. */
  public get ports(): number[] {
    return this.routedPorts().map(port => port.number);
  }

  public get serviceNamespace(): string {
    return this.service.namespaceName;
  }

  public get serviceHosts(): string[] {
    return this.service.hosts;
  }

  public get visibleNamespaces(): string[] {
    return this.service.visibleNamespaces;
  }

  /** Routes one more host of the service, on every port of the route. Only for a route created with `hosts`. */
  public addHost(host: string): void {
    if (!this.namedHosts) {
      throw new Error(`${this.node.path}: this route carries every host of ${this.service.node.path} (it was created `
        + `without \`hosts\`), '${host}' included once the service has it; add the host to the service instead`);
    }
    if (this.namedHosts.has(host)) {
      throw new Error(`${this.node.path}: host '${host}' is already routed by this route`);
    }
    this.namedHosts.add(host);
    this.routeHost(host);
  }

  /** Routes one more port of the service, for every host of the route. Only for a route created with `ports`. */
  public addPort(number: number): void {
    if (!this.namedPorts) {
      throw new Error(`${this.node.path}: this route carries every port of ${this.service.node.path} (it was created `
        + `without \`ports\`), ${number} included once the service has it; add the port to the service instead`);
    }
    if (this.namedPorts.has(number)) {
      throw new Error(`${this.node.path}: port ${number} is already routed by this route`);
    }
    this.namedPorts.add(number);
    const port = this.service.findPort(number);
    if (port) this.usePort(port);
  }

  public get forwardedPaths(): EgressPath[] {
    return sortBy(this.paths, p => p.toString());
  }

  /** Forwards one more request path (see `paths`). */
  public addPath(path: EgressPath): void {
    if (this.paths.some(p => p.toString() === path.toString())) {
      throw new Error(`${this.node.path}: path '${path}' is already forwarded by this route`);
    }
    this.paths.push(path);
  }

  /**
   * Lets a grantee (a workload, ServiceAccount, namespace or labelled pods) reach this route's hosts through the
   * gateway, and returns what the grant created. Istio needs these together: an ALLOW rule on the gateway (by SNI
   * for passthrough, by Host for HTTP) for the grantee's identity, which the Istio mutual TLS hop provides; a
   * NetworkPolicy next to the grantee that lets its pods reach the gateway's pods on the ports its grants use; and
   * the visibility of the hosts (ServiceEntry, VirtualServices, Sidecar) in the grantee's namespace. Without `hosts`
   * the grant covers every host the route carries at synth. Grants are additive; granting twice is harmless.
   */
  public grantEgress(grantee: IEgressGrantee, options: EgressGrantOptions = {}): IEgressGrant {
    if (this.hopTls !== GatewayHopTls.ISTIO_MUTUAL) {
      throw new Error(`${this.node.path}: grants identify clients by their Istio mutual TLS identity, and this route's hop is `
        + `${this.hopTls}; use hopTls: GatewayHopTls.ISTIO_MUTUAL`);
    }
    const config = grantee.toEgressGranteeConfig();
    // A grantee with a scope (a workload) is read at synth, where its gateway checks it; others cannot change.
    if (config.scope === undefined) checkGrantee(this.node.path, config);
    this.service.addExportTo(config.namespaceName);
    return this.binding.authorize(grantee, options.hosts ? [...options.hosts] : undefined, requestMatchOf(this.node.path, options));
  }

  /** Every host:port this route sends through the gateway, from the final hosts and ports. */
  public legs(): EgressLeg[] {
    const ports = this.routedPorts();
    return this.hosts.flatMap(host => this.legsOf(host, ports));
  }

  private legsOf(host: string, ports: ExternalPort[] = this.routedPorts()): EgressLeg[] {
    return ports.map(port => {
      const tls = this.tlsOf(port);
      return {
        host,
        applicationPort: port.number,
        port: this.gatewayPort ?? port.number,
        externalPort: tls.targetPort ?? port.number,
        dialledPorts: this.service.dialledPorts(tls.targetPort ?? port.number),
        tlsMode: tls.mode,
        hopTls: this.hopTls,
      };
    });
  }

  /** The service's ports this route carries, sorted by number. */
  private routedPorts(): ExternalPort[] {
    return this.service.ports.filter(port => this.usedPorts.has(port.number)).sort((a, b) => a.number - b.number);
  }

  private tlsOf(port: ExternalPort): EgressTls {
    return this.tls ?? (port.isTls ? EgressTls.passthrough() : EgressTls.plaintext());
  }

  /** Checks one port of the route against its TLS mode, and tells the gateway to accept it. */
  private usePort(port: ExternalPort): void {
    if (this.usedPorts.has(port.number)) return;
    const tls = this.tlsOf(port);
    this.checkModeFits(port, tls);
    this.binding.usePort(this.gatewayPort ?? port.number);
    if (tls.mode === EgressTlsMode.ORIGINATE_MUTUAL) this.binding.useCredentials();
    this.usedPorts.add(port.number);
  }

  private checkModeFits(port: ExternalPort, tls: EgressTls): void {
    const path = this.node.path;
    if (!port.isHttp && !port.isTls) {
      throw new Error(`${path}: port ${port} is opaque TCP: it carries no Host or SNI for the gateway to route by. `
        + 'Route only HTTP, HTTPS and TLS ports (leave this one out with `ports`)');
    }
    if (tls.appSpeaksHttp && !port.isHttp) {
      throw new Error(`${path}: ${tls} needs the application to speak plain HTTP, but port ${port} carries `
        + 'application TLS; use EgressTls.passthrough() for it, or have the application call an HTTP port');
    }
    if (!tls.appSpeaksHttp && !port.isTls) {
      throw new Error(`${path}: passthrough needs application TLS, but port ${port} is plain HTTP; use `
        + 'EgressTls.plaintext() or EgressTls.originate()');
    }
    if (this.shaping && !tls.appSpeaksHttp) {
      throw new Error(`${path}: timeout, retries and requestHeaders act on HTTP requests, and port ${port} is `
        + 'passed through encrypted; originate TLS at the gateway (EgressTls.originate()) to shape requests');
    }

  }

  /** The VirtualService of one host and, when the gateway originates TLS, its origination rule. */
  private routeHost(host: string): void {
    if (this.routedHosts.has(host)) return;
    if (isWildcard(host) && this.tls?.originates) {
      throw new Error(`${this.node.path}: cannot originate TLS to wildcard host '${host}': the SNI and certificate `
        + 'check need a concrete name; route concrete hosts instead');
    }
    this.routedHosts.add(host);
    new networking.VirtualService(this, `VirtualService-${host}`, {
      metadata: { name: ObjectNames.subdomain(host), namespace: this.namespaceName },
      spec: Lazy.any({
        produce: () => renderEgressVirtualService({
          host,
          namespace: this.namespaceName,
          legs: this.legsOf(host).map(leg => ({
            applicationPort: leg.applicationPort,
            port: leg.port,
            externalPort: leg.externalPort,
            passthrough: leg.tlsMode === EgressTlsMode.PASSTHROUGH,
          })),
          istioMutualHop: this.hopTls === GatewayHopTls.ISTIO_MUTUAL,
          gatewayRef: this.binding.gatewayRefOf(host),
          gatewayServiceHost: this.gateway.serviceHost,
          shaping: this.shaping,
          paths: this.forwardedPaths.map(p => ({ path: p.path, prefix: p.isPrefix })),
          visibleIn: this.service.visibleNamespaces,
        }),
      }),
    });
    const tls = this.tls;
    if (tls?.originates) {
      new networking.DestinationRule(this, `TlsOrigination-${host}`, {
        metadata: { name: ObjectNames.subdomain(`${host}-tls-origination`), namespace: this.gateway.namespaceName },
        spec: Lazy.any({
          produce: () => renderGatewayTlsOrigination(host, [{
            port: tls.targetPort!,
            mutual: tls.mode === EgressTlsMode.ORIGINATE_MUTUAL,
            credentialName: tls.credentialName,
            caCertificates: tls.caCertificates,
          }]),
        }),
      });
    }
  }

  /** What depends on the final state of the route, its service and its gateway. */
  private validate(allowUnlockedMesh: boolean): string[] {
    const errors: string[] = [];
    const service = this.service;
    if (!this.gateway.routing.lockdown && !allowUnlockedMesh) {
      errors.push(`egress gateway ${this.gateway.node.path} has no MeshEgressLockdown, so nothing stops a pod from going `
        + 'around it (REGISTRY_ONLY is not enforcement: pods without sidecars or that bypass them leave directly) and '
        + 'this route only redirects well-behaved traffic. Add new MeshEgressLockdown(scope, id, { gateway, namespaces }), '
        + 'or set allowUnlockedMesh: true if the mesh is locked down by other means');
    }
    if (service.shapesRequests) {
      errors.push(`ExternalService ${service.node.path} shapes requests at the sidecar (timeout, retries or requestHeaders), `
        + 'which gives its hosts a VirtualService of their own, and a route through a gateway would be a second one (Istio '
        + 'merges neither); move the shaping to the EgressRoute, which applies it at the gateway');
    }
    const serviceHosts = new Set(service.hosts);
    for (const host of [...this.namedHosts ?? []].filter(h => !serviceHosts.has(h))) {
      errors.push(`host '${host}' is not a host of ExternalService ${service.node.path} (hosts: `
        + `${service.hosts.join(', ') || 'none'}); add it to the service, or leave it out of the route`);
    }
    for (const number of [...this.namedPorts ?? []].filter(n => !service.findPort(n))) {
      errors.push(`port ${number} is not a port of ExternalService ${service.node.path} (ports: `
        + `${service.ports.map(p => p.toString()).join(', ') || 'none'}); add it with addPort`);
    }
    if (this.gatewayPort !== undefined && this.usedPorts.size > 1) {
      errors.push(`gatewayPort ${this.gatewayPort} would carry ${this.usedPorts.size} ports of the service `
        + `(${this.ports.join(', ')}) on one gateway port; route one port (\`ports\`), or one route per port`);
    }
    if (this.routedHosts.size === 0 || this.usedPorts.size === 0) {
      errors.push(`the route carries no ${this.routedHosts.size === 0 ? 'host' : 'port'}: give the service (or the route) one`);
    }
    const passthrough = this.routedPorts().filter(port => !this.tlsOf(port).appSpeaksHttp);
    if (this.paths.length > 0 && passthrough.length > 0) {
      errors.push(`paths are matched on HTTP requests, and port ${passthrough[0]} is passed through encrypted, so the `
        + 'gateway cannot see them; originate TLS at the gateway (EgressTls.originate()) to forward by path');
    }
    const targetPort = this.tls?.targetPort;
    if (targetPort !== undefined) {
      const target = service.findPort(targetPort);
      if (!target?.isTls) {
        errors.push(`${this.tls} connects to port ${targetPort} of ${service.node.path}, which is `
          + `${target ? `${target}, not a TLS port` : 'not declared'}; declare it as ExternalPort.https(${targetPort})`);
      }
    }
    return errors;
  }
}
