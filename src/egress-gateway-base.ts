import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as networking from '../imports/networking.istio.io';
import { GatewayServerSpec } from './private/gateway-server';

/**
 * A port of a gateway's Kubernetes Service and the pod port behind it.
 */
export interface GatewayServicePort {
  /** The Service port: what Istio `Gateway` servers and mesh routes name. */
  readonly port: number;
  /**
   * The pod port the gateway listens on: what NetworkPolicies must allow.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * The Service port name.
   * @default - `port-<port>`
   */
  readonly name?: string;
}

/**
 * An Istio egress gateway workload, deployed by this library or installed by istioctl/Helm.
 *
 * Routes attach to it: it owns the one Istio `Gateway` and the one gateway `DestinationRule` that every route
 * through it shares, so N routed hosts cost N routes, not 3N objects.
 */
export interface IEgressGateway extends IConstruct {
  /** The namespace of the gateway's pods, Service, Istio `Gateway` and gateway `DestinationRule`. */
  readonly namespace: string;
  /** The name of the gateway's Kubernetes Service. */
  readonly serviceName: string;
  /** The gateway Service's cluster FQDN, the destination of every mesh → gateway leg. */
  readonly serviceHost: string;
  /** Labels on the gateway pods: what the Istio `Gateway` selector and NetworkPolicies match. */
  readonly podLabels: { [key: string]: string };
  /** The gateway pods' ServiceAccount: its identity is `cluster.local/ns/<namespace>/sa/<name>`. */
  readonly serviceAccountName: string;

  /** The pod port behind a Service port, or undefined when the Service does not expose it. */
  targetPortOf(servicePort: number): number | undefined;
}

/**
 * Shared machinery of deployed and referenced egress gateways: the Istio `Gateway` and gateway
 * `DestinationRule` that routes add servers and subsets to.
 */
export abstract class EgressGatewayBase extends Construct implements IEgressGateway {
  public abstract readonly namespace: string;
  public abstract readonly serviceName: string;
  public abstract readonly podLabels: { [key: string]: string };
  public abstract readonly serviceAccountName: string;

  private istioGateway?: networking.Gateway;
  private destinationRule?: networking.DestinationRule;
  private readonly servers = new Map<string, GatewayServerSpec>();
  /** Indexes of `servers` for the per-host and per-port checks, which run once per routed host. */
  private readonly routeOfHost = new Map<string, GatewayServerSpec>();
  private readonly firstOnPort = new Map<number, GatewayServerSpec>();
  private readonly subsets = new Map<string, networking.DestinationRuleSpecSubsets>();
  private readonly subsetVisibility: Array<() => string[]> = [];
  private readonly serverListeners: Array<(server: GatewayServerSpec) => void> = [];
  private lockdown?: IConstruct;

  public get serviceHost(): string {
    return `${this.serviceName}.${this.namespace}.svc.cluster.local`;
  }

  public abstract targetPortOf(servicePort: number): number | undefined;

  /**
   * Lets the gateway pods read the Secrets a route's `credentialName` names (mutual TLS origination). istioctl and
   * the Helm chart bind such a Role when they install a gateway, so a referenced gateway has nothing to add.
   * @internal
   */
  public _grantSecretRead(): void {
    // Nothing to do for a gateway this app does not deploy.
  }

  /**
   * Makes the gateway Service expose `port` (a deployed gateway adds it; a referenced one can only check).
   * @internal
   */
  public abstract _exposePort(port: number, owner: string): void;

  /**
   * Adds a server for one host:port to the shared Istio `Gateway` and returns the `namespace/name` that
   * VirtualServices bind to. One host:port belongs to one route; a port carries either plaintext or TLS.
   * @internal
   */
  public _addServer(spec: GatewayServerSpec): string {
    const key = `${spec.host}:${spec.port}`;
    // One route per host: sidecars do not merge two VirtualServices for one host, so a second would be ignored.
    const existing = this.routeOfHost.get(spec.host);
    if (existing && (existing.owner !== spec.owner || this.servers.has(key))) {
      throw new Error(`${spec.owner}: ${spec.host} is already routed through egress gateway ${this.node.path} by `
        + `${existing.owner}; route all ports of a host in one EgressRoute`);
    }
    const first = this.firstOnPort.get(spec.port);
    if (first && isPlaintext(first.protocol) !== isPlaintext(spec.protocol)) {
      throw new Error(`${spec.owner}: port ${spec.port} of egress gateway ${this.node.path} already carries `
        + `${first.protocol} for ${first.owner}; a gateway port is either plaintext or TLS, so route ${spec.host} `
        + `on another port or use the same hop TLS mode as ${first.owner}`);
    }
    this._exposePort(spec.port, spec.owner);
    this.servers.set(key, spec);
    this.routeOfHost.set(spec.host, spec);
    if (!first) this.firstOnPort.set(spec.port, spec);
    this.serverListeners.forEach(listener => listener(spec));
    this.istioGateway ??= new networking.Gateway(this, 'Gateway', {
      metadata: { namespace: this.namespace },
      spec: {
        selector: this.podLabels,
        // Produced at synth, so routes added after this one land too.
        servers: Lazy.any({ produce: () => [...this.servers.values()].map(renderServer) }),
      },
    });
    return `${this.namespace}/${this.istioGateway.name}`;
  }

  /**
   * Calls `listener` for every server, those already added and those to come: the lockdown opens exactly the
   * ports the routes use, whenever they are added.
   * @internal
   */
  public _onServer(listener: (server: GatewayServerSpec) => void): void {
    this.servers.forEach(listener);
    this.serverListeners.push(listener);
  }

  /**
   * The lockdown that closes every other way out, if any.
   * @internal
   */
  public get _lockdown(): IConstruct | undefined {
    return this.lockdown;
  }

  /** @internal */
  public _setLockdown(lockdown: IConstruct): void {
    if (this.lockdown) {
      throw new Error(`${lockdown.node.path}: egress gateway ${this.node.path} is already locked down by `
        + `${this.lockdown.node.path}; add the namespaces to that MeshEgressLockdown instead`);
    }
    this.lockdown = lockdown;
  }

  /**
   * Adds a subset to the shared gateway `DestinationRule`. Istio resolves a destination's subsets from the client's
   * namespace, so the rule is exported to every namespace that sees a route through the gateway (`visibleIn`, read
   * at synth); a rule only the gateway's namespace sees yields 503 NC.
   * @internal
   */
  public _addSubset(subset: networking.DestinationRuleSpecSubsets, visibleIn: () => string[]): string {
    if (this.subsets.has(subset.name)) {
      throw new Error(`egress gateway ${this.node.path} already has a subset named '${subset.name}'`);
    }
    this.subsets.set(subset.name, subset);
    this.subsetVisibility.push(visibleIn);
    this.destinationRule ??= new networking.DestinationRule(this, 'DestinationRule', {
      metadata: { namespace: this.namespace },
      spec: Lazy.any({
        produce: (): networking.DestinationRuleSpec => ({
          host: this.serviceHost,
          exportTo: this.renderSubsetExportTo(),
          subsets: [...this.subsets.values()],
        }),
      }),
    });
    return subset.name;
  }

  private renderSubsetExportTo(): string[] {
    const namespaces = new Set<string>();
    for (const visibleIn of this.subsetVisibility) {
      for (const namespace of visibleIn()) {
        if (namespace === '*') return ['*'];
        namespaces.add(namespace === this.namespace ? '.' : namespace);
      }
    }
    return [...namespaces].sort();
  }
}

function isPlaintext(protocol: string): boolean {
  return protocol === 'HTTP' || protocol === 'TCP' || protocol === 'HTTP2' || protocol === 'GRPC';
}

function renderServer(spec: GatewayServerSpec): networking.GatewaySpecServers {
  return {
    // Server port names must be unique across a Gateway; host:port is (checked in _addServer).
    port: { number: spec.port, protocol: spec.protocol, name: `${spec.protocol.toLowerCase()}-${spec.port}-${spec.host.replace(/[^a-z0-9]/g, '-')}` },
    // Only the owning route's namespace may bind VirtualServices to this server.
    hosts: [`${spec.routeNamespace}/${spec.host}`],
    tls: spec.tls,
  };
}
