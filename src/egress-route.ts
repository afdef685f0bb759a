import { createHash } from 'crypto';
import { Chart, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressGatewayBase, IEgressGateway } from './egress-gateway-base';
import { EgressGrantee } from './egress-grant';
import { ExternalPort } from './external-port';
import { ExternalService, Resolution } from './external-service';
import { MeshEgressLockdown } from './mesh-egress-lockdown';
import * as networking from '../imports/networking.istio.io';
import { GatewayGrants, GrantSpec } from './private/gateway-grants';
import { hopSni, isWildcard } from './private/hostname';
import { namespaceOf } from './private/namespace';
import { Names } from './validation/names';

/**
 * What crosses the gateway → external host leg, and so what the gateway can see and do.
 */
export class EgressTls {
  /**
   * The application speaks TLS (HTTPS or any TLS protocol) and the gateway forwards it by SNI, unread. The gateway
   * enforces which hosts, not which requests. For TLS and HTTPS ports.
   */
  public static passthrough(): EgressTls {
    return new EgressTls('passthrough');
  }

  /**
   * The application speaks plain HTTP and the gateway forwards plain HTTP: it can report status codes per host,
   * retry and rewrite headers, but the bytes on the internet are unencrypted. For HTTP ports.
   */
  public static plaintext(): EgressTls {
    return new EgressTls('plaintext');
  }

  /**
   * The application speaks plain HTTP and the gateway opens TLS (SIMPLE) to the external host: one place holds the
   * trust store, the gateway sees every request. For HTTP ports; the external host's TLS port must be declared on
   * the ExternalService.
   */
  public static originate(options: TlsOriginationOptions = {}): EgressTls {
    return new EgressTls('originate', options.targetPort ?? 443, options.caCertificates);
  }

  /**
   * Like `originate`, presenting a client certificate (mutual TLS). The Secret `credentialName` (keys `tls.crt`,
   * `tls.key`, `ca.crt`) must be in the egress gateway's namespace; a gateway deployed by this library is granted
   * read access to Secrets there.
   */
  public static originateMutual(options: MutualTlsOriginationOptions): EgressTls {
    if (!Names.isDns1123Subdomain(options.credentialName)) {
      throw new Error(`credentialName '${options.credentialName}' is not a Secret name (lower-case DNS-1123 subdomain)`);
    }
    return new EgressTls('mutual', options.targetPort ?? 443, undefined, options.credentialName);
  }

  /** @internal */ public readonly _kind: string;
  /** @internal */ public readonly _targetPort?: number;
  /** @internal */ public readonly _caCertificates?: string;
  /** @internal */ public readonly _credentialName?: string;

  private constructor(kind: 'passthrough' | 'plaintext' | 'originate' | 'mutual', targetPort?: number,
    caCertificates?: string, credentialName?: string) {
    this._kind = kind;
    this._targetPort = targetPort;
    this._caCertificates = caCertificates;
    this._credentialName = credentialName;
  }

  /** Whether the application's side of this mode is plain HTTP. */
  public get appSpeaksHttp(): boolean {
    return this._kind !== 'passthrough';
  }

  /** For messages. */
  public toString(): string {
    return this._kind === 'mutual' ? 'mutual TLS origination' : this._kind === 'originate' ? 'TLS origination' : this._kind;
  }
}

/**
 * Options of `EgressTls.originate`.
 */
export interface TlsOriginationOptions {
  /**
   * The external host's TLS port.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * File path, in the gateway, of the CA bundle that verifies the external certificate.
   * @default - the gateway's system trust store
   */
  readonly caCertificates?: string;
}

/**
 * Options of `EgressTls.originateMutual`.
 */
export interface MutualTlsOriginationOptions {
  /** The Secret, in the gateway's namespace, holding the client certificate, key and CA. */
  readonly credentialName: string;
  /**
   * The external host's TLS port.
   * @default 443
   */
  readonly targetPort?: number;
}

/**
 * How the sidecar → egress gateway hop is protected.
 */
export enum GatewayHopTls {
  /**
   * Istio mutual TLS: the hop is encrypted and the gateway learns each client's identity, which per-workload
   * grants (AuthorizationPolicy principals) need.
   */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
  /**
   * No Istio TLS on the hop (the Istio docs' first example). The gateway cannot tell clients apart, so grants can
   * only be per namespace by IP; use only where a peer cannot do mutual TLS.
   */
  PLAINTEXT = 'PLAINTEXT',
}

/**
 * Retries of requests on the gateway → external leg.
 */
export interface EgressRetries {
  /** How many retries; 0 disables retries. */
  readonly attempts: number;
  /**
   * Timeout per attempt.
   * @default - the route timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Envoy retry conditions, e.g. `['connect-failure', '503']`.
   * @default - Istio's default (connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes)
   */
  readonly retryOn?: string[];
}

/**
 * Header operations on requests leaving through the gateway.
 */
export interface EgressRequestHeaders {
  /**
   * Headers to set, replacing any value the client sent.
   * @default - none
   */
  readonly set?: { [name: string]: string };
  /**
   * Headers to append.
   * @default - none
   */
  readonly add?: { [name: string]: string };
  /**
   * Headers to drop.
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * Properties of an `EgressRoute`.
 */
export interface EgressRouteProps {
  /** The egress gateway the traffic leaves through. */
  readonly gateway: IEgressGateway;
  /** The external service the traffic goes to. Its resolution must not be NONE or DYNAMIC_DNS. */
  readonly service: ExternalService;
  /**
   * Which of the service's hosts to route. More can be added with `addHost`.
   * @default - every host of the service at construction time
   */
  readonly hosts?: string[];
  /**
   * Which of the service's port numbers to route. More can be added with `addPort`.
   * @default - every port of the service at construction time
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
   * Request timeout on the external leg (HTTP only).
   * @default - Istio's default (none)
   */
  readonly timeout?: Duration;
  /**
   * Retries on the external leg (HTTP only).
   * @default - Istio's default retry policy
   */
  readonly retries?: EgressRetries;
  /**
   * Header changes on requests leaving the mesh (HTTP only).
   * @default - none
   */
  readonly requestHeaders?: EgressRequestHeaders;
  /**
   * Accept a gateway that no `MeshEgressLockdown` covers. Without one nothing stops pods from going around the
   * gateway, so by default synth fails; set this only when the mesh is locked down by other means.
   * @default false
   */
  readonly allowUnlockedMesh?: boolean;
}

/**
 * Options of `EgressRoute.grantEgress`.
 */
export interface EgressGrantOptions {
  /**
   * Which of the route's hosts to grant.
   * @default - every host of the route
   */
  readonly hosts?: string[];
}

/** What granting some hosts of a route gives any grantee. */
interface HostsGrant extends Omit<GrantSpec, 'grantee'> {
  /** `namespace/host` entries of the Sidecar egress listener: the ServiceEntry's and the VirtualService's. */
  readonly sidecarHosts: string[];
}

/** One routed host:port and the mode chosen for it. */
interface Leg {
  readonly port: ExternalPort;
  readonly tls: EgressTls;
  readonly subset?: string;
}

/**
 * Routes an external service's traffic through an egress gateway: sidecar → gateway → external host.
 *
 * Per routed host it emits one VirtualService (the mesh → gateway and gateway → external legs, with `sniHosts` on
 * every TLS match); it adds a server per host:port to the gateway's shared Istio `Gateway`, a subset per host:port to
 * the gateway's shared `DestinationRule` when the hop is Istio mutual TLS, and a `DestinationRule` in the gateway's
 * namespace when the gateway originates TLS. The external service is exported to the gateway's namespace, which
 * must see it to route to it.
 *
 * Refused at once: a service with resolution NONE (the gateway would forward to its own address) or DYNAMIC_DNS
 * (sidecars only); a host or port the service does not declare; opaque TCP ports (nothing to route by); a host
 * another route already carries; a TLS mode the port's protocol cannot carry.
 */
export class EgressRoute extends Construct {
  /** The egress gateway the traffic leaves through. */
  public readonly gateway: IEgressGateway;
  /** The external service the traffic goes to. */
  public readonly service: ExternalService;
  /** The namespace of the route's VirtualServices. */
  public readonly namespace: string;
  /** How the sidecar → gateway hop is protected. */
  public readonly hopTls: GatewayHopTls;

  private readonly gatewayBase: EgressGatewayBase;
  private readonly tls?: EgressTls;
  /** Timeout, retries and header changes of the gateway → external HTTP leg, rendered once per VirtualService. */
  private readonly shaping?: Partial<networking.VirtualServiceSpecHttp>;
  private readonly legs: Leg[] = [];
  private readonly virtualServices = new Map<string, networking.VirtualService>();
  /** `host:port` → the gateway DestinationRule subset of its mutual-TLS hop. */
  private readonly subsets = new Map<string, string>();
  private readonly originationRules = new Map<string, networking.DestinationRule>();
  private gatewayRef?: string;
  private granted = false;
  /** `hostsGrant` of every host, until `addHost` (ports cannot be added once granted). */
  private allHostsGrant?: HostsGrant;

  public constructor(scope: Construct, id: string, props: EgressRouteProps) {
    super(scope, id);
    if (!(props.gateway instanceof EgressGatewayBase)) {
      throw new Error(`${this.node.path}: the gateway must be an EgressGateway or EgressGateway.fromExisting(...)`);
    }
    this.gatewayBase = props.gateway;
    this.gateway = props.gateway;
    this.service = props.service;
    this.shaping = props.timeout || props.retries || props.requestHeaders ? renderShaping(props) : undefined;
    this.tls = props.tls;
    this.hopTls = props.hopTls ?? GatewayHopTls.ISTIO_MUTUAL;
    this.namespace = namespaceOf(this, Chart.of(this).namespace ?? props.service.namespace, 'an EgressRoute');

    if (props.service.resolution === Resolution.NONE) {
      throw new Error(`${this.node.path}: ExternalService ${props.service.node.path} has resolution NONE; through an `
        + 'egress gateway that forwards to the address the client dialled, which is the gateway itself (a loop). '
        + 'Use Resolution.DNS (for a wildcard host, with an endpoint naming its single server)');
    }
    if (props.service.resolution === Resolution.DYNAMIC_DNS) {
      throw new Error(`${this.node.path}: ExternalService ${props.service.node.path} uses DYNAMIC_DNS, which works `
        + 'from sidecars only, not through an egress gateway; use Resolution.DNS with an endpoint for the wildcard');
    }
    checkDuration(props.timeout, 'timeout', this.node.path);
    checkDuration(props.retries?.perTryTimeout, 'retries.perTryTimeout', this.node.path);
    props.service._exportTo(props.gateway.namespace);

    (props.ports ?? props.service.ports.map(p => p.number)).forEach(port => this.addPort(port));
    (props.hosts ?? props.service.hosts).forEach(host => this.addHost(host));

    this.node.addValidation({
      validate: () => this.gatewayBase._lockdown || props.allowUnlockedMesh ? [] : [
        `egress gateway ${this.gatewayBase.node.path} has no MeshEgressLockdown, so nothing stops a pod from going `
        + 'around it (REGISTRY_ONLY is not enforcement: pods without sidecars or that bypass them leave directly) and '
        + 'this route only redirects well-behaved traffic. Add new MeshEgressLockdown(scope, id, { gateway, namespaces }), '
        + 'or set allowUnlockedMesh: true if the mesh is locked down by other means',
      ],
    });
  }

  /**
   * Lets a workload, ServiceAccount or namespace reach this route's hosts through the gateway. Emits together
   * what Istio needs: an ALLOW rule on the gateway (by SNI for passthrough, by Host for HTTP) for the grantee's
   * identity, which the Istio mutual TLS hop provides; the client NetworkPolicy to the gateway's pods on the
   * route's ports; and the visibility of the host (ServiceEntry, VirtualService, Sidecar) in the grantee's
   * namespace. Grants are additive; granting twice is harmless.
   */
  public grantEgress(grantee: EgressGrantee, options: EgressGrantOptions = {}): void {
    if (this.hopTls !== GatewayHopTls.ISTIO_MUTUAL) {
      throw new Error(`${this.node.path}: grants identify clients by their Istio mutual TLS identity, and this route's hop is `
        + `${this.hopTls}; use hopTls: GatewayHopTls.ISTIO_MUTUAL`);
    }
    for (const host of options.hosts ?? []) {
      if (!this.virtualServices.has(host)) {
        throw new Error(`${this.node.path}: cannot grant '${host}': this route carries ${this.hosts.join(', ')}; route the host `
          + 'first (a grant opens a path only through the gateway)');
      }
    }
    const lockdown = this.gatewayBase._lockdown as MeshEgressLockdown | undefined;
    lockdown?._checkGrantNamespace(grantee.namespaceName, this);

    // A route is typically granted to many namespaces: what a grant of all its hosts gives is worked out once.
    const grant = options.hosts ? this.hostsGrant(options.hosts) : (this.allHostsGrant ??= this.hostsGrant(this.hosts));
    this.service._exportTo(grantee.namespaceName);
    grant.sidecarHosts.forEach(host => lockdown?._addSidecarHost(grantee.namespaceName, host));
    GatewayGrants.of(this.gatewayBase).add({ grantee, ...grant });
    this.granted = true;
  }

  /** What granting `hosts` gives any grantee: the Sidecar entries that make them visible, and the gateway's matches. */
  private hostsGrant(hosts: string[]): HostsGrant {
    const httpLegs = this.legs.filter(leg => leg.tls.appSpeaksHttp);
    return {
      sidecarHosts: [...new Set(hosts.flatMap(host => [`${this.service.namespace}/${host}`, `${this.namespace}/${host}`]))],
      sniHosts: this.legs.some(leg => !leg.tls.appSpeaksHttp) ? hosts.map(hopSni) : [],
      // Clients send the port in Host when it is not the scheme's default.
      httpHosts: hosts.flatMap(host => httpLegs.flatMap(leg => leg.port.number === 80 ? [host] : [host, `${host}:${leg.port.number}`])),
      podPorts: this.legs.map(leg => this.gateway.targetPortOf(leg.port.number) ?? leg.port.number),
    };
  }

  /** The hosts this route carries (a copy). */
  public get hosts(): string[] {
    return [...this.virtualServices.keys()];
  }

  /** The port numbers this route carries (a copy). */
  public get ports(): number[] {
    return this.legs.map(leg => leg.port.number);
  }

  /** Routes one more host of the service, on every port of the route. */
  public addHost(host: string): void {
    if (!this.service.hosts.includes(host)) {
      throw new Error(`${this.node.path}: host '${host}' is not a host of ExternalService ${this.service.node.path} `
        + `(${this.service.hosts.join(', ')}); add it to the service first`);
    }
    if (this.virtualServices.has(host)) {
      throw new Error(`${this.node.path}: host '${host}' is already routed by this route`);
    }
    this.allHostsGrant = undefined;
    this.virtualServices.set(host, this.newVirtualService(host));
    this.legs.forEach(leg => this.attach(host, leg));
  }

  /** Routes one more port of the service, for every host of the route. */
  public addPort(number: number): void {
    if (this.granted) {
      throw new Error(`${this.node.path}: port ${number} is added after grants, which opened only the ports known `
        + 'then; add every port before calling grantEgress');
    }
    const port = this.service._port(number, this.node.path);
    if (this.legs.some(leg => leg.port.number === number)) {
      throw new Error(`${this.node.path}: port ${number} is already routed by this route`);
    }
    const tls = this.tls ?? (port.isTls ? EgressTls.passthrough() : EgressTls.plaintext());
    this.checkModeFits(port, tls);
    const leg: Leg = { port, tls };
    this.legs.push(leg);
    if (tls._kind === 'mutual') this.gatewayBase._grantSecretRead();
    for (const host of this.virtualServices.keys()) this.attach(host, leg);
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
    if (tls._targetPort !== undefined) {
      const target = this.service._port(tls._targetPort, path);
      if (!target.isTls) {
        throw new Error(`${path}: ${tls} connects to port ${target} of ${this.service.node.path}, which is not a `
          + `TLS port; declare it as ExternalPort.https(${tls._targetPort})`);
      }
    }
    if (this.shaping && !tls.appSpeaksHttp) {
      throw new Error(`${path}: timeout, retries and requestHeaders act on HTTP requests, and port ${port} is `
        + 'passed through encrypted; originate TLS at the gateway (EgressTls.originate()) to shape requests');
    }
  }

  /** Adds the gateway server, hop subset and origination rule of one host:port. */
  private attach(host: string, leg: Leg): void {
    if (isWildcard(host) && (leg.tls._kind === 'originate' || leg.tls._kind === 'mutual')) {
      throw new Error(`${this.node.path}: cannot originate TLS to wildcard host '${host}': the SNI and certificate `
        + 'check need a concrete name; route concrete hosts instead');
    }
    const mutualHop = this.hopTls === GatewayHopTls.ISTIO_MUTUAL;
    const serverProtocol = leg.tls.appSpeaksHttp ? (mutualHop ? 'HTTPS' : 'HTTP') : 'TLS';
    const serverTls = mutualHop
      ? { mode: networking.GatewaySpecServersTlsMode.ISTIO_UNDERSCORE_MUTUAL }
      : leg.tls.appSpeaksHttp ? undefined : { mode: networking.GatewaySpecServersTlsMode.PASSTHROUGH };
    this.gatewayRef = this.gatewayBase._addServer({
      owner: this.node.path,
      host,
      routeNamespace: this.namespace,
      port: leg.port.number,
      externalPort: leg.tls._targetPort ?? leg.port.number,
      protocol: serverProtocol,
      tls: serverTls,
    });
    if (mutualHop) {
      this.subsets.set(`${host}:${leg.port.number}`, this.gatewayBase._addSubset({
        name: subsetName(host, leg.port.number),
        trafficPolicy: {
          portLevelSettings: [{
            port: { number: leg.port.number },
            // The SNI picks this host's server on the gateway's shared port.
            tls: { mode: networking.DestinationRuleSpecSubsetsTrafficPolicyPortLevelSettingsTlsMode.ISTIO_UNDERSCORE_MUTUAL, sni: hopSni(host) },
          }],
        },
      }, () => this.service._visibleIn()));
    }
    if (leg.tls._targetPort !== undefined) this.addOriginationRule(host);
  }

  private newVirtualService(host: string): networking.VirtualService {
    return new networking.VirtualService(this, `Route-${idOf(host)}`, {
      metadata: { namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.renderVirtualService(host) }),
    });
  }

  private renderVirtualService(host: string): networking.VirtualServiceSpec {
    const gatewayRef = this.gatewayRef!;
    const http: networking.VirtualServiceSpecHttp[] = [];
    const tls: networking.VirtualServiceSpecTls[] = [];
    const tcp: networking.VirtualServiceSpecTcp[] = [];
    const mutualHop = this.hopTls === GatewayHopTls.ISTIO_MUTUAL;
    for (const leg of this.legs) {
      const port = leg.port.number;
      const toGateway = {
        host: this.gateway.serviceHost,
        subset: this.subsets.get(`${host}:${port}`),
        port: { number: port },
      };
      const toExternal = { host, port: { number: leg.tls._targetPort ?? port } };
      if (leg.tls.appSpeaksHttp) {
        http.push({
          name: `mesh-to-gateway-${port}`,
          match: [{ gateways: ['mesh'], port }],
          route: [{ destination: toGateway }],
        });
        http.push({
          name: `gateway-to-external-${port}`,
          match: [{ gateways: [gatewayRef], port }],
          route: [{ destination: toExternal }],
          ...this.shaping,
        });
      } else {
        tls.push({ match: [{ gateways: ['mesh'], port, sniHosts: [host] }], route: [{ destination: toGateway }] });
        if (mutualHop) {
          // The gateway terminates the Istio mTLS wrapper and forwards the application's TLS as bytes; it matches
          // this host's server by the wrapper's SNI, and istiod scopes TCP routes to servers by host.
          tcp.push({ match: [{ gateways: [gatewayRef], port }], route: [{ destination: toExternal }] });
        } else {
          tls.push({ match: [{ gateways: [gatewayRef], port, sniHosts: [host] }], route: [{ destination: toExternal }] });
        }
      }
    }
    return {
      hosts: [host],
      gateways: ['mesh', gatewayRef],
      exportTo: this.service._renderExportTo(),
      http: http.length > 0 ? http : undefined,
      tls: tls.length > 0 ? tls : undefined,
      tcp: tcp.length > 0 ? tcp : undefined,
    };
  }

  /** TLS origination happens in the gateway, so its rule lives in the gateway's namespace, visible only there. */
  private addOriginationRule(host: string): void {
    if (this.originationRules.has(host)) return;
    this.originationRules.set(host, new networking.DestinationRule(this, `OriginateTls-${idOf(host)}`, {
      metadata: { namespace: this.gateway.namespace },
      spec: Lazy.any({
        produce: (): networking.DestinationRuleSpec => ({
          host,
          exportTo: ['.'],
          trafficPolicy: {
            portLevelSettings: this.legs.filter(leg => leg.tls._targetPort !== undefined).map(leg => ({
              port: { number: leg.tls._targetPort! },
              tls: {
                mode: leg.tls._kind === 'mutual'
                  ? networking.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.MUTUAL
                  : networking.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.SIMPLE,
                credentialName: leg.tls._credentialName,
                caCertificates: leg.tls._caCertificates,
                sni: host,
              },
            })),
          },
        }),
      }),
    }));
  }
}

/** A construct id for a host's objects: their generated names stay DNS labels (no dots, no '*'). */
function idOf(host: string): string {
  return host.replace('*', 'wildcard').replace(/\./g, '-');
}

/** A DNS-1123 label for a host:port subset; long hosts are cut and made unique with a digest of the full name. */
function subsetName(host: string, port: number): string {
  const base = `${host.replace('*', 'wildcard').replace(/[^a-z0-9]+/g, '-')}-${port}`;
  if (base.length <= 63) return base;
  const digest = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, 54).replace(/-+$/, '')}-${digest}`;
}

function renderShaping({ timeout, retries, requestHeaders }: EgressRouteProps): Partial<networking.VirtualServiceSpecHttp> {
  return {
    timeout: timeout && istioDuration(timeout),
    retries: retries && {
      attempts: retries.attempts,
      perTryTimeout: retries.perTryTimeout && istioDuration(retries.perTryTimeout),
      retryOn: retries.retryOn?.join(','),
    },
    headers: requestHeaders && { request: { set: requestHeaders.set, add: requestHeaders.add, remove: requestHeaders.remove } },
  };
}

function checkDuration(duration: Duration | undefined, what: string, path: string): void {
  if (duration && duration.toMilliseconds() < 1) {
    throw new Error(`${path}: ${what} must be at least 1ms (Istio rejects shorter durations)`);
  }
}

function istioDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
