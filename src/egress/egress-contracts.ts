import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IEgressGrantee } from './egress-grantee';
import { EgressPath, EgressRequestMatch } from './egress-request';
import { EgressTlsMode, GatewayHopTls } from './egress-tls';
import { IGateway } from '../gateway/gateway-contracts';

// The contracts egress constructs meet through. A route binds to its gateway and gets back what it may use; a grant
// is authorized through that binding; at synth the gateway asks its routes for their final legs, and a lockdown
// asks the gateway for its routes and grants. Nothing here is computed when a method is called: every derived
// field is rendered from the final intent, so the order of calls never changes the output.

/**
 * One host:port a route sends through its gateway, as the gateway serves, authorizes and opens it.
 */
export interface EgressLeg {
  /** The external host. */
  readonly host: string;
  /** The port of the external service the application calls (what the sidecar matches). */
  readonly applicationPort: number;
  /** The gateway Service port of the sidecar → gateway hop (the application's port unless the route sets one). */
  readonly port: number;
  /** The port of the external service the gateway routes to (differs from `port` when the gateway originates TLS). */
  readonly externalPort: number;
  /**
   * The ports the gateway really opens connections on for it: `externalPort`, or the target port or endpoint ports
   * the service maps it to.
   */
  readonly dialledPorts: number[];
  /** What the gateway does with the external leg. */
  readonly tlsMode: EgressTlsMode;
  /** How the sidecar → gateway hop is protected. */
  readonly hopTls: GatewayHopTls;
}

/**
 * A route through an egress gateway, as its gateway and lockdown read it at synth.
 */
export interface IEgressRoute extends IConstruct {
  /** The namespace of the route's VirtualServices: the only namespace that may bind to its gateway servers. */
  readonly namespaceName: string;
  /** How the route's sidecar → gateway hop is protected. */
  readonly hopTls: GatewayHopTls;
  /** The namespace of the ServiceEntry the route's hosts come from. */
  readonly serviceNamespace: string;
  /** The hosts the route carries (its final set when read at synth). */
  readonly hosts: string[];
  /**
   * Every host of the route's ServiceEntry, carried or not: a namespace granted the route sees the entry, and so all
   * of them (its final set when read at synth).
   */
  readonly serviceHosts: string[];
  /** Namespaces (by name, or `*`) that see the route's hosts, and so may call them. */
  readonly visibleNamespaces: string[];
  /** The only request paths the route forwards on its HTTP legs; empty when it forwards every path (a copy). */
  readonly forwardedPaths: EgressPath[];
  /** Every host:port the route sends through the gateway (its final set when read at synth). */
  legs(): EgressLeg[];
}

/**
 * What a grant created and what it gives, returned by `EgressRoute.grantEgress`.
 */
export interface IEgressGrant {
  /** The route whose hosts are granted. */
  readonly route: IEgressRoute;
  /** Who is granted. */
  readonly grantee: IEgressGrantee;
  /** The granted hosts: those named in the grant, or every host of the route (its final set when read at synth). */
  readonly hosts: string[];
  /**
   * The requests the grant admits, for a request-level grant.
   * @default - any request to the granted hosts
   */
  readonly request?: EgressRequestMatch;
  /** The NetworkPolicy that lets the grantee's pods reach the gateway pods, shared by its grants through the gateway. */
  readonly clientNetworkPolicy: ApiObject;
}

/**
 * What a route may use of the gateway it is bound to: `IEgressGateway.bindRoute` returns it.
 */
export interface IEgressGatewayBinding {
  /**
   * `namespace/name` of the Istio `Gateway` that serves `host`, what the host's VirtualService lists in `gateways`.
   * The gateway's hosts are split among several Gateways (see HostShards), so this is read at synth.
   */
  gatewayRefOf(host: string): string;
  /**
   * Makes the gateway accept the hop on a Service port: a deployed gateway exposes it, an installed one must
   * already. Additive; throws, naming the route, when the port cannot be used.
   */
  usePort(port: number): void;
  /** Lets the gateway pods read the `credentialName` Secrets of mutual TLS origination (idempotent). */
  useCredentials(): void;
  /**
   * Authorizes `grantee` for `hosts` of the route (every host, its final set, when omitted), and for only the
   * requests `request` matches when given: a rule for its identity in the gateway's AuthorizationPolicy, and a
   * NetworkPolicy next to the grantee that lets its pods reach the gateway pods on the ports its grants use.
   */
  authorize(grantee: IEgressGrantee, hosts?: string[], request?: EgressRequestMatch): IEgressGrant;
}

/**
 * A lockdown that makes a gateway the only way out of some namespaces, as the gateway and its routes check it.
 */
export interface IEgressLockdown extends IConstruct {
  /** The locked namespaces (a copy; the final set when read at synth). */
  readonly namespaces: string[];
  /** The namespaces deliberately left unlocked. */
  readonly exemptNamespaces: string[];
  /**
   * The namespaces where every pod's egress is default-denied (DNS and istiod aside): the locked ones, and the
   * gateway's own unless istiod or the DNS runs there (a copy; the final set when read at synth).
   */
  readonly egressDeniedNamespaces: string[];
}

/**
 * What is bound to an egress gateway, and how to bind more (the way aws-cdk's `IConnectable` carries `connections`).
 * Deployed and installed gateways each have one; it renders the gateway's shared Istio objects at synth.
 */
export interface IEgressGatewayRouting {
  /** The routes bound to the gateway (a copy). */
  readonly routes: IEgressRoute[];
  /** The grants authorized at the gateway (a copy). */
  readonly grants: IEgressGrant[];
  /** The lockdown that makes the gateway the only way out, if one is bound. */
  readonly lockdown?: IEgressLockdown;

  /** Binds a route: the gateway will serve, subset and authorize the route's legs as they are at synth. */
  bindRoute(route: IEgressRoute): IEgressGatewayBinding;

  /** Binds the lockdown that closes every other way out; a gateway has at most one. */
  bindLockdown(lockdown: IEgressLockdown): void;
}

/**
 * An Istio egress gateway workload, deployed by this library (`new EgressGateway`) or installed by istioctl or
 * Helm (`EgressGateway.fromExisting`).
 *
 * Routes bind to it through `routing`; it owns the objects its routes share (Istio `Gateway`s, the hop
 * `DestinationRule`s and the ALLOW AuthorizationPolicies), split into shards of about 160 hosts so that none grows with
 * the allow-list, rendered at synth from its routes' final legs and grants.
 */
export interface IEgressGateway extends IGateway {
  /** The routes, grants and lockdown bound to the gateway: where routes and lockdowns meet it. */
  readonly routing: IEgressGatewayRouting;

  /** The pod port behind a Service port, or undefined when the Service does not expose it. */
  targetPortOf(servicePort: number): number | undefined;
}
