import { IConstruct } from 'constructs';
import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { ResolvedIngressDestination } from './ingress-destination';
import { IngressListener } from './ingress-listener';
import { IGateway } from '../gateway/gateway-contracts';

// The contracts ingress constructs meet through. A route binds to its gateway and gets back the reference its
// VirtualService names; at synth the gateway reads its routes' hosts, matches and destinations to check them
// against its listeners and to open its NetworkPolicy to exactly those destinations.

/**
 * A route through an ingress gateway (an `IngressRoute` or `IngressPassthroughRoute`), as the gateway reads it at
 * synth.
 */
export interface IIngressRoute extends IConstruct {
  /** The namespace of the route's VirtualService. */
  readonly namespaceName: string;
  /** The hosts the route serves. */
  readonly hosts: string[];
  /** Whether the route carries passed-through TLS (served by passthrough listeners) rather than HTTP. */
  readonly passthrough: boolean;
  /**
   * A canonical text per way a request can match the route (`default` for its catch-all): two routes of one host
   * with an equal text compete for the same requests.
   */
  matchKeys(): string[];
  /** Where the route sends requests, resolved in the gateway's mesh. */
  destinations(): ResolvedIngressDestination[];
}

/**
 * What is bound to an ingress gateway, and how to bind more.
 */
export interface IIngressGatewayRouting {
  /** The listeners (Istio `Gateway` servers), a copy. */
  readonly listeners: IngressListener[];
  /** The routes bound, a copy. */
  readonly routes: IIngressRoute[];
  /** Binds a route; returns `namespace/name` of the Istio `Gateway`, what its VirtualService lists in `gateways`. */
  bindRoute(route: IIngressRoute): string;
}

/**
 * An Istio ingress gateway, deployed by this library (`new IngressGateway`) or installed by istioctl or Helm
 * (`IngressGateway.fromExisting`): its listeners, routes and edge access rules render one Istio `Gateway`, its
 * authorization and JWT policies, and a NetworkPolicy that confines its pods to the mesh.
 */
export interface IIngressGateway extends IGateway {
  /** The listeners and routes bound to the gateway. */
  readonly routing: IIngressGatewayRouting;

  /** Adds a listener: a port, protocol, hosts and, for HTTPS, the certificate. */
  addListener(listener: IngressListener): void;

  /** Admits the requests `rule` matches; with any rule, the gateway admits only requests some rule matches. */
  allowRequests(rule: IngressAccessRule): void;

  /** Requires a valid JSON Web Token of an issuer on (some paths of) every request. */
  requireJwt(rule: IngressJwtRule): void;

  /** The pod port behind a Service port, or undefined when the Service does not expose it. */
  targetPortOf(servicePort: number): number | undefined;
}
