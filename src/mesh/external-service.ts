import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalPort, PortProtocol } from './external-port';
import { RequestShapingOptions } from './request-shaping';
import * as networking from '../../imports/networking.istio.io';
import { AppRegistry } from '../private/app-registry';
import { Visibility } from '../private/export-to';
import { checkHostname, isWildcard } from '../private/hostname';
import { checkLabels, checkSecretName } from '../private/kubernetes-names';
import { Names } from '../private/names';
import { namespaceOf } from '../private/namespace';
import { ObjectNames } from '../private/object-names';
import { validateAtSynth } from '../private/synth-validation';
import { renderRequestShaping } from '../render/istio/request-shaping';
import { renderServiceEntry, renderSidecarShaping, renderSidecarTlsOrigination } from '../render/istio/service-entry';

/**
 * How the proxy finds the addresses behind an external host (ServiceEntry `resolution`).
 */
export enum Resolution {
  /**
   * Resolve the host with DNS and connect to the addresses it returns, all of them, load-balanced. The secure
   * default: the proxy decides where bytes go, not the client, and it is the only mode an egress gateway can route
   * to (its original destination is itself).
   */
  DNS = 'DNS',
  /** Resolve with DNS and use the first address only, for hosts that return many short-lived ones. */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Connect to the `endpoints` given, which must be IP addresses. */
  STATIC = 'STATIC',
  /**
   * Forward to whatever address the client dialled. Needed for CIDR `addresses` and usable for wildcards from
   * sidecars, but it checks only the Host/SNI the client claims, and through an egress gateway it loops back to the
   * gateway itself, so routes refuse it.
   */
  NONE = 'NONE',
  /**
   * Istio 1.30: resolve each concrete name under a wildcard host on demand, from sidecars only (not gateways).
   * Caveat: the proxy trusts the client's SNI/Host, so a client can present an allowed name while connecting for
   * another; pair it with authorization and treat it as weaker than per-host DNS entries.
   */
  DYNAMIC_DNS = 'DYNAMIC_DNS',
}

/**
 * Whether the service is outside the mesh (no sidecars at the far end) or a mesh workload Istio cannot discover.
 */
export enum Location {
  /** Outside the mesh: Istio's mTLS is not used towards it. */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh but not discovered by Istio (VMs, other clusters). */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/**
 * An endpoint of an external service: an IP address (STATIC) or a host name (DNS) that serves every host of it.
 */
export interface ExternalEndpoint {
  /** IP address, or with DNS resolution a host name, or a `unix://` socket path. */
  readonly address: string;
  /**
   * Port name → port number on this endpoint, for endpoints that listen on other ports than the service.
   * @default - the service ports
   */
  readonly ports?: { [portName: string]: number };
  /**
   * Load-balancing weight.
   * @default - equal weights
   */
  readonly weight?: number;
}

/**
 * TLS origination at the client sidecar: the application speaks plain HTTP to `port`, the sidecar opens TLS to
 * `targetPort`, so the app needs no TLS library and the proxy still sees (and can report and retry) HTTP.
 */
export interface SidecarTlsOrigination {
  /** The HTTP port of this service the application calls. */
  readonly port: number;
  /**
   * The TLS port on the remote host.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * File path, in the sidecar, of the CA bundle that verifies the remote certificate.
   * @default - the proxy's system trust store, or the `ca.crt` of `credentialName`
   */
  readonly caCertificates?: string;
  /**
   * A Secret with a client certificate (`tls.crt`, `tls.key`, `ca.crt`): the sidecar originates mutual TLS with it
   * (the Istio docs' sidecar mTLS origination task). The sidecar reads Secrets of its own namespace only, so only
   * the workloads named by `workloadSelector`, in this service's namespace, originate; it is required.
   * @default - SIMPLE TLS, no client certificate
   */
  readonly credentialName?: string;
  /**
   * Only pods with these labels originate TLS. Istio applies a DestinationRule with a workload selector only in its
   * own namespace (and may not export it), so the clients must run in this service's namespace.
   * @default - every client sidecar that sees the service
   */
  readonly workloadSelector?: { [key: string]: string };
}

/**
 * Told about every host and port of an `ExternalService`: those it has when `observe` is called, and each one
 * added later. This is how a route that carries "every host of the service" carries the final set, whatever order
 * the calls come in.
 */
export interface IExternalServiceObserver {
  /** Called once per host of the service. */
  onHost(host: string): void;
  /** Called once per port of the service. */
  onPort(port: ExternalPort): void;
}

/**
 * Properties of an `ExternalService`.
 */
export interface ExternalServiceProps extends RequestShapingOptions {
  /**
   * Metadata of the ServiceEntry; its namespace decides who owns the entry.
   * @default - the chart's namespace and a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The host names clients use: FQDNs, or `*.example.com` wildcards (only as the whole first label).
   * More can be added with `addHost`.
   */
  readonly hosts: string[];
  /**
   * The ports clients use. More can be added with `addPort`.
   * @default - none: add at least one with `addPort`
   */
  readonly ports?: ExternalPort[];
  /**
   * How the proxy finds the remote addresses.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
  /**
   * Whether the service is outside the mesh.
   * @default Location.MESH_EXTERNAL
   */
  readonly location?: Location;
  /**
   * Fixed endpoints (IPs for STATIC; IPs or host names for DNS). More can be added with `addEndpoint`.
   * @default - none: the hosts themselves are resolved
   */
  readonly endpoints?: ExternalEndpoint[];
  /**
   * Virtual IPs or CIDRs of the service, so that opaque TCP can be told apart by destination address.
   * CIDRs need NONE or STATIC resolution. More can be added with `addAddress`.
   * @default - none (Istio auto-allocates a VIP where it can)
   */
  readonly addresses?: string[];
  /**
   * Namespaces whose proxies see this entry, besides its own. Routes add their egress gateway's namespace and
   * grants add their clients' namespaces, so the default suits a locked-down mesh: an entry is visible only where
   * it is used, which also keeps every other sidecar's configuration small. Use `['*']` for every namespace. More
   * can be added with `addExportTo`.
   * @default - the entry's own namespace, plus what routes and grants add
   */
  readonly exportTo?: string[];
  /**
   * TLS origination at the client sidecar, per HTTP port. More can be added with `originateTls`.
   * @default - none
   */
  readonly tlsOrigination?: SidecarTlsOrigination[];
}

/** Istio's cap on the ports and on the addresses of one ServiceEntry. */
const MAX_ITEMS = 256;

/**
 * An external host (or set of hosts sharing ports) registered with the mesh: an Istio `ServiceEntry`.
 *
 * With the mesh in REGISTRY_ONLY mode, an entry is what makes a host reachable at all; route it through an
 * egress gateway with `EgressRoute`. Errors that depend only on one call are thrown at once; those that depend on
 * the whole entry (a wildcard host with DNS resolution and no endpoint, several hosts on an opaque TCP port) are
 * reported when the app is synthesized.
 */
export class ExternalService extends Construct {
  /** The namespace the ServiceEntry is in. */
  public readonly namespaceName: string;
  /** How the proxy finds the remote addresses. */
  public readonly resolution: Resolution;
  /** Whether the service is outside the mesh. */
  public readonly location: Location;

  private readonly serviceEntry: networking.ServiceEntry;
  private readonly _hosts: string[] = [];
  private readonly _ports: ExternalPort[] = [];
  private readonly _endpoints: ExternalEndpoint[] = [];
  private readonly _addresses: string[] = [];
  private readonly visibility: Visibility;
  private readonly origination = new Map<number, SidecarTlsOrigination>();
  private readonly originationRules = new Map<string, networking.DestinationRule>();
  private readonly observers: IExternalServiceObserver[] = [];
  /** Timeout, retries and header changes applied by the client sidecars, when the service is called directly. */
  private readonly shaping?: Partial<networking.VirtualServiceSpecHttp>;

  public constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    this.namespaceName = namespaceOf(this, props.metadata?.namespace, 'an ExternalService');
    this.resolution = props.resolution ?? Resolution.DNS;
    this.location = props.location ?? Location.MESH_EXTERNAL;
    this.shaping = renderRequestShaping(this.node.path, props);
    this.visibility = new Visibility(this.node.path);
    this.visibility.add(this.namespaceName);

    this.serviceEntry = new networking.ServiceEntry(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespaceName },
      spec: Lazy.any({
        produce: () => renderServiceEntry({
          namespace: this.namespaceName,
          hosts: this._hosts,
          ports: this._ports,
          targetPorts: new Map([...this.origination.keys()].map(port => [port, this.originationTarget(port)!])),
          resolution: this.resolution,
          location: this.location,
          endpoints: this._endpoints,
          addresses: this._addresses,
          visibleIn: this.visibility.names(),
        }),
      }),
    });

    props.hosts.forEach(host => this.addHost(host));
    (props.ports ?? []).forEach(port => this.addPort(port));
    (props.endpoints ?? []).forEach(endpoint => this.addEndpoint(endpoint));
    (props.addresses ?? []).forEach(address => this.addAddress(address));
    (props.tlsOrigination ?? []).forEach(options => this.originateTls(options));
    (props.exportTo ?? []).forEach(namespaceName => this.addExportTo(namespaceName));

    validateAtSynth(this);
    this.node.addValidation({ validate: () => this.validateWhole() });
    AppRegistry.of(this).join<ExternalService>('external-services', this, this, validateAcrossServices);
  }

  /** The ServiceEntry's name. */
  public get name(): string {
    return this.serviceEntry.name;
  }

  /** The hosts of this service (a copy). */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The ports of this service (a copy). */
  public get ports(): ExternalPort[] {
    return [...this._ports];
  }

  /** The endpoints of this service (a copy). */
  public get endpoints(): ExternalEndpoint[] {
    return [...this._endpoints];
  }

  /** The virtual IPs and CIDRs of this service (a copy). */
  public get addresses(): string[] {
    return [...this._addresses];
  }

  /**
   * The namespaces whose proxies see this entry, by name and sorted, or `['*']`. The routes and rules for its hosts
   * share it: whoever can call a host must also see how it is routed.
   */
  public get visibleNamespaces(): string[] {
    return this.visibility.names();
  }

  /**
   * Whether the client sidecars shape requests to this service (`timeout`, `retries`, `requestHeaders`): then its
   * hosts have a VirtualService of their own, and routing them through an egress gateway would be a second one.
   */
  public get shapesRequests(): boolean {
    return this.shaping !== undefined;
  }

  /** The TLS the client sidecars originate, by port (a copy; see `tlsOrigination`). */
  public get tlsOrigination(): SidecarTlsOrigination[] {
    return [...this.origination.values()].sort((a, b) => a.port - b.port);
  }

  /**
   * The ports a proxy really connects to for the service's port `number`: its target port when the sidecar
   * originates TLS on it, or the port each endpoint maps it to. What an egress NetworkPolicy must open.
   */
  public dialledPorts(number: number): number[] {
    const port = this.findPort(number);
    const target = this.originationTarget(number) ?? number;
    if (!port || this._endpoints.length === 0) return [target];
    return [...new Set(this._endpoints.map(e => e.ports?.[port.name] ?? target))].sort((a, b) => a - b);
  }

  /** The remote TLS port behind `number` when the sidecar originates TLS on it (443 unless set), else undefined. */
  private originationTarget(number: number): number | undefined {
    const origination = this.origination.get(number);
    return origination && (origination.targetPort ?? 443);
  }

  /** The declared port with this number, if any. */
  public findPort(number: number): ExternalPort | undefined {
    return this._ports.find(p => p.number === number);
  }

  /**
   * Calls `observer` for every host and port of this service, now and whenever one is added. Adding a host or
   * port stays additive, so every observer sees the same final set.
   */
  public observe(observer: IExternalServiceObserver): void {
    this.observers.push(observer);
    this._ports.forEach(port => observer.onPort(port));
    this._hosts.forEach(host => observer.onHost(host));
  }

  /**
   * Makes the entry (and the routes for its hosts) visible to proxies in `namespace`, or in every namespace with
   * `*`. Routes add their gateway's namespace and grants their grantees', so this is for other consumers.
   */
  public addExportTo(namespaceName: string): void {
    this.visibility.add(namespaceName === '.' ? this.namespaceName : namespaceName);
  }

  /** Registers another host name under the same ports. */
  public addHost(host: string): void {
    checkHostname(host, this.node.path, 'ExternalService host');
    if (this._hosts.includes(host)) {
      throw new Error(`${this.node.path}: host '${host}' is listed twice; list each host once`);
    }
    this._hosts.push(host);
    if (this.origination.size > 0) this.addOriginationRule(host);
    if (this.shaping) this.addShapingRoute(host);
    this.observers.forEach(observer => observer.onHost(host));
  }

  /** Adds a port. Numbers and names must be unique (Istio rejects the entry otherwise). */
  public addPort(port: ExternalPort): void {
    port.check(this.node.path);
    const clash = this._ports.find(p => p.number === port.number || p.name === port.name);
    if (clash) {
      throw new Error(`${this.node.path}: port ${port} clashes with port ${clash} (name '${clash.name}'): `
        + 'each port number and port name may appear once in a ServiceEntry');
    }
    if (this._ports.length === MAX_ITEMS) {
      throw new Error(`${this.node.path}: a ServiceEntry holds at most ${MAX_ITEMS} ports; split the hosts over several ExternalServices`);
    }
    if (this.resolution === Resolution.DYNAMIC_DNS && !(port.isHttp || port.protocol === PortProtocol.TLS)) {
      throw new Error(`${this.node.path}: port ${port} cannot be used with DYNAMIC_DNS resolution, which supports `
        + 'HTTP, HTTP2, GRPC and TLS ports only; use ExternalPort.tls() for application TLS');
    }
    this._ports.push(port);
    this.observers.forEach(observer => observer.onPort(port));
  }

  /** Adds an endpoint. */
  public addEndpoint(endpoint: ExternalEndpoint): void {
    const path = this.node.path;
    const unix = endpoint.address.startsWith('unix://');
    if (!unix && !Names.isIpAddress(endpoint.address) && !Names.isDns1123Subdomain(endpoint.address)) {
      throw new Error(`${path}: endpoint address '${endpoint.address}' is neither an IP address, a host name nor a unix:// `
        + 'socket path; write e.g. 203.0.113.10 or api.example.com (no scheme, no port: map ports with `ports`)');
    }
    if (endpoint.weight !== undefined && (!Number.isInteger(endpoint.weight) || endpoint.weight < 0)) {
      throw new Error(`${path}: endpoint '${endpoint.address}' has weight ${endpoint.weight}; use a whole number of at least 0`);
    }
    for (const [name, number] of Object.entries(endpoint.ports ?? {})) {
      if (!Names.isPortNumber(number)) {
        throw new Error(`${path}: endpoint '${endpoint.address}' maps port '${name}' to ${number}, which is not a port number (1-65535)`);
      }
    }
    switch (this.resolution) {
      case Resolution.NONE:
        throw new Error(`${path}: endpoint '${endpoint.address}' cannot be used with resolution NONE, which forwards `
          + 'to the address the client dialled; use STATIC (IP endpoints) or DNS (host name endpoints)');
      case Resolution.DYNAMIC_DNS:
        throw new Error(`${path}: DYNAMIC_DNS resolves each name on demand and takes no endpoints; use DNS with `
          + `endpoint '${endpoint.address}' instead`);
      case Resolution.STATIC:
        if (!Names.isIpAddress(endpoint.address) && !endpoint.address.startsWith('unix://')) {
          throw new Error(`${path}: STATIC endpoint '${endpoint.address}' is not an IP address; use resolution DNS `
            + 'for host name endpoints');
        }
        break;
      case Resolution.DNS_ROUND_ROBIN:
        if (this._endpoints.length === 1) {
          throw new Error(`${path}: DNS_ROUND_ROBIN takes at most one endpoint; use DNS to balance over several`);
        }
        break;
      default:
        break;
    }
    this._endpoints.push(endpoint);
  }

  /** Adds a virtual IP or, with NONE or STATIC resolution, a CIDR. */
  public addAddress(address: string): void {
    const path = this.node.path;
    if (this.resolution === Resolution.DYNAMIC_DNS) {
      throw new Error(`${path}: DYNAMIC_DNS takes no addresses; drop '${address}' or use another resolution`);
    }
    if (!Names.isIpOrCidr(address)) {
      throw new Error(`${path}: address '${address}' is not an IP address or CIDR (e.g. 203.0.113.10 or 203.0.113.0/24)`);
    }
    if (address.includes('/') && this.resolution !== Resolution.NONE && this.resolution !== Resolution.STATIC) {
      throw new Error(`${path}: CIDR address '${address}' needs resolution NONE or STATIC, not ${this.resolution}; `
        + 'give a single IP, or change the resolution');
    }
    if (this._addresses.length === MAX_ITEMS) {
      throw new Error(`${path}: a ServiceEntry holds at most ${MAX_ITEMS} addresses; split them over several ExternalServices`);
    }
    this._addresses.push(address);
  }

  /**
   * Originates TLS at the client sidecar for one HTTP port: the ServiceEntry port gets `targetPort` and a
   * DestinationRule per host sets SIMPLE TLS with the host as SNI.
   */
  public originateTls(options: SidecarTlsOrigination): void {
    const port = this.findPort(options.port);
    if (port && !port.isHttp) {
      throw new Error(`${this.node.path}: TLS origination needs an HTTP port the application calls in plain text, and `
        + `port ${options.port} is ${port}; declare the plain-text port as ExternalPort.http(${options.port})`);
    }
    if (this.origination.has(options.port)) {
      throw new Error(`${this.node.path}: TLS origination for port ${options.port} is already configured`);
    }
    this.checkMutualOrigination(options);
    this.origination.set(options.port, options);
    this._hosts.forEach(host => this.addOriginationRule(host));
  }

  /** Mutual TLS at the sidecar needs a workload selector, and one rule per host holds one selector. */
  private checkMutualOrigination(options: SidecarTlsOrigination): void {
    const path = this.node.path;
    if (options.credentialName !== undefined) {
      checkSecretName(path, options.credentialName);
      if (!options.workloadSelector) {
        throw new Error(`${path}: TLS origination with credentialName '${options.credentialName}' needs a workloadSelector: `
          + 'Istio serves a client certificate to sidecars only through a DestinationRule that selects workloads; '
          + 'name the labels of the pods that call the service');
      }
      if (options.caCertificates !== undefined) {
        throw new Error(`${path}: credentialName and caCertificates cannot be combined (Istio rejects it): the CA comes `
          + `from the ca.crt key of Secret '${options.credentialName}'`);
      }
    }
    if (options.workloadSelector) {
      if (Object.keys(options.workloadSelector).length === 0) {
        throw new Error(`${path}: workloadSelector {} would select every pod; name the client pods' labels, or leave it unset`);
      }
      checkLabels(path, 'workloadSelector', options.workloadSelector);
    }
    const selectors = new Set([...this.origination.values(), options].map(o => JSON.stringify(Object.entries(o.workloadSelector ?? {}).sort())));
    if (selectors.size > 1) {
      throw new Error(`${path}: every TLS origination of one ExternalService must use the same workloadSelector (one `
        + 'DestinationRule per host holds one); put the ports that need another selector in an ExternalService of their own');
    }
  }

  /**
   * One DestinationRule per host, because a rule names one host and the SNI must be that host's name. Its
   * visibility follows the entry's: whoever can call the host must also originate TLS to it.
   */
  private addOriginationRule(host: string): void {
    if (isWildcard(host)) {
      throw new Error(`${this.node.path}: cannot originate TLS to wildcard host '${host}': the SNI and certificate check `
        + 'need a concrete name; list the concrete hosts instead');
    }
    if (this.originationRules.has(host)) return;
    this.originationRules.set(host, new networking.DestinationRule(this, `TlsOrigination-${host}`, {
      metadata: { name: ObjectNames.subdomain(`${host}-tls-origination`), namespace: this.namespaceName },
      spec: Lazy.any({
        produce: () => renderSidecarTlsOrigination(host, [...this.origination.values()], this.namespaceName, this.visibility.names()),
      }),
    }));
  }

  /**
   * One VirtualService per host for requests the sidecars send directly (the Istio docs' external-services task sets
   * a timeout on httpbin.org this way), visible wherever the entry is.
   */
  private addShapingRoute(host: string): void {
    new networking.VirtualService(this, `Shaping-${host}`, {
      metadata: { name: ObjectNames.subdomain(host), namespace: this.namespaceName },
      spec: Lazy.any({
        produce: () => renderSidecarShaping(host, this._ports.filter(p => p.isHttp).map(p => p.number), this.shaping!,
          this.namespaceName, this.visibility.names()),
      }),
    });
  }

  private validateWhole(): string[] {
    const errors: string[] = [];
    if (this._hosts.length === 0) {
      errors.push('an ExternalService needs at least one host: pass `hosts` or call addHost (e.g. \'api.example.com\')');
    }
    const unix = this._endpoints.find(e => e.address.startsWith('unix://'));
    if (unix && this._ports.length > 1) {
      errors.push(`endpoint '${unix.address}' is a unix socket, which serves one port, and the service has ${this._ports.length} `
        + '(Istio rejects it); give the socket a service of its own with one port');
    }
    if (this.shaping && !this._ports.some(p => p.isHttp)) {
      errors.push('timeout, retries and requestHeaders act on HTTP requests, and the service has no HTTP port; add one '
        + '(e.g. ExternalPort.http()), or originate TLS at the sidecar (tlsOrigination) to shape HTTPS calls');
    }
    for (const number of [...this.origination.keys()].filter(n => !this.findPort(n)?.isHttp)) {
      const port = this.findPort(number);
      errors.push(`TLS origination needs an HTTP port the application calls in plain text, and port ${number} is `
        + `${port ? `${port}` : 'not declared'}; ${port ? 'declare the plain-text port as' : 'add'} ExternalPort.http(${number})`);
    }
    const portNames = new Set(this._ports.map(p => p.name));
    for (const endpoint of this._endpoints) {
      for (const name of Object.keys(endpoint.ports ?? {}).filter(n => !portNames.has(n))) {
        errors.push(`endpoint '${endpoint.address}' maps port '${name}', which the service does not declare (ports: `
          + `${this._ports.map(p => p.name).join(', ') || 'none'}); add the port, or drop the mapping`);
      }
    }
    if (this._ports.length === 0) {
      errors.push('an ExternalService needs at least one port: pass `ports` or call addPort (e.g. ExternalPort.https())');
    }
    const wildcards = this._hosts.filter(isWildcard);
    const dnsLike = this.resolution === Resolution.DNS || this.resolution === Resolution.DNS_ROUND_ROBIN;
    if (dnsLike && wildcards.length > 0 && this._endpoints.length === 0) {
      errors.push(`wildcard host '${wildcards[0]}' cannot be resolved with ${this.resolution}: there is no single name to `
        + 'look up. Add an endpoint naming the one server behind every matching name (resolution DNS), use '
        + 'Resolution.DYNAMIC_DNS (sidecars only, Istio 1.30), or Resolution.NONE (not routable through a gateway)');
    }
    if (this.resolution === Resolution.DYNAMIC_DNS) {
      const concrete = this._hosts.filter(h => !isWildcard(h));
      if (concrete.length > 0) {
        errors.push(`DYNAMIC_DNS applies to wildcard hosts only, and '${concrete[0]}' is not one; put concrete hosts in `
          + 'an ExternalService with Resolution.DNS');
      }
    }
    if (this.resolution === Resolution.STATIC && this._endpoints.length === 0) {
      errors.push('resolution STATIC needs at least one IP endpoint: call addEndpoint, or use Resolution.DNS');
    }
    const opaque = this._ports.filter(p => !p.isHttp && !p.isTls);
    if (this.resolution !== Resolution.NONE && this._hosts.length > 1 && opaque.length > 0) {
      errors.push(`port ${opaque[0]} carries no Host or SNI, so with ${this._hosts.length} hosts (${this._hosts.join(', ')}) `
        + `and resolution ${this.resolution} Istio cannot tell them apart and rejects the entry; give each host its own `
        + 'ExternalService with addresses, or use Resolution.NONE');
    }
    return errors;
  }
}

/**
 * Opaque TCP carries no Host or SNI, so without a VIP a sidecar gets one `0.0.0.0:<port>` listener per port and
 * only one of two such entries wins: the other's traffic silently goes to the wrong host.
 */
function validateAcrossServices(services: ExternalService[]): string[] {
  const byPort = new Map<number, ExternalService>();
  const errors: string[] = [];
  for (const service of services) {
    if (service.addresses.length > 0) continue;
    for (const port of service.ports.filter(p => !p.isHttp && !p.isTls)) {
      const other = byPort.get(port.number);
      if (other) {
        errors.push(`ExternalServices ${other.node.path} and ${service.node.path} both carry opaque TCP port `
          + `${port.number} without addresses: sidecars cannot tell them apart and one silently receives the other's `
          + 'traffic; give each an address (addAddress) or use different ports');
      } else {
        byPort.set(port.number, service);
      }
    }
  }
  return errors;
}
