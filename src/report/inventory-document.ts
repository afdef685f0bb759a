import { GatewayHopTls } from '../egress/egress-tls';

// The egress inventory's JSON shape: what `EgressInventory.document` returns and `egress-inventory.json` holds.
// Consumers detect format changes by `kind` and `version`; a field is only ever added in a new version.

/**
 * Who protects a port's bytes on the internet, and where that TLS is opened.
 */
export enum EgressInventoryTls {
  /** The application's own TLS (HTTPS or TLS ports): passed through unread, routed by SNI. */
  APPLICATION = 'APPLICATION',
  /** The client sidecar opens TLS (SIMPLE) to the host; the application speaks HTTP. */
  SIDECAR = 'SIDECAR',
  /** The client sidecar opens mutual TLS, presenting a client certificate. */
  SIDECAR_MUTUAL = 'SIDECAR_MUTUAL',
  /** The egress gateway opens TLS (SIMPLE) to the host; the application speaks HTTP. */
  GATEWAY = 'GATEWAY',
  /** The egress gateway opens mutual TLS, presenting a client certificate. */
  GATEWAY_MUTUAL = 'GATEWAY_MUTUAL',
  /** Nobody: plain HTTP or opaque TCP leaves the mesh as it is. */
  NONE = 'NONE',
}

/**
 * An egress gateway, by the namespace and name of its Istio `Gateway`.
 */
export interface EgressInventoryGatewayRef {
  /** The gateway's namespace. */
  readonly namespaceName: string;
  /** The gateway's name. */
  readonly name: string;
}

/**
 * Pods that a NetworkPolicy lets open connections to an egress gateway's pods: the network half of a grant (the
 * gateway's AuthorizationPolicy is the identity half).
 */
export interface EgressInventoryClient {
  /** The namespace of the pods. */
  readonly namespaceName: string;
  /**
   * The labels that select the pods.
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };
  /** The gateway pod ports they may connect to, sorted; empty means every port. */
  readonly ports: number[];
}

/**
 * An egress gateway that routes at least one host, and who may connect to it.
 */
export interface EgressInventoryGateway {
  /** The namespace of the gateway's pods and Istio `Gateway`. */
  readonly namespaceName: string;
  /** The name of the gateway's Istio `Gateway` (and, for a gateway this library deploys, of everything else). */
  readonly name: string;
  /** The gateway Service's host, which the sidecars send routed traffic to. */
  readonly serviceHost: string;
  /** The labels of the gateway pods (the Istio `Gateway`'s selector). */
  readonly podLabels: { [key: string]: string };
  /** The pods whose NetworkPolicies let them reach the gateway pods, sorted by namespace and labels. */
  readonly clients: EgressInventoryClient[];
}

/**
 * One identity the gateway's AuthorizationPolicy admits for a host, and for which requests.
 */
export interface EgressInventoryGrant {
  /** The namespace admitted (the principal's namespace), or `*` for a rule that admits any source. */
  readonly namespaceName: string;
  /**
   * The ServiceAccount admitted.
   * @default - any identity in the namespace
   */
  readonly serviceAccountName?: string;
  /**
   * The Istio (SPIFFE) principal admitted, `<trust domain>/ns/<namespace>/sa/<name>`.
   * @default - any identity in the namespace
   */
  readonly principal?: string;
  /**
   * The HTTP methods admitted, sorted.
   * @default - any method
   */
  readonly methods?: string[];
  /**
   * The request paths admitted, sorted; a trailing `*` is a prefix.
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * Headers the requests must carry, by name and value (several accepted values are comma-separated).
   * @default - no header condition
   */
  readonly headers?: { [name: string]: string };
  /**
   * The construct paths of the routes that granted it, sorted. Only an inventory of a construct tree has them.
   * @default - unknown (an inventory read from manifests)
   */
  readonly declaredBy?: string[];
}

/**
 * One port of an external host: how it leaves the mesh.
 */
export interface EgressInventoryPort {
  /** The port the application calls. */
  readonly number: number;
  /** The protocol of the ServiceEntry port (`HTTP`, `HTTPS`, `TLS`, `TCP`, …). */
  readonly protocol: string;
  /** Who protects the bytes on the internet, and where that TLS is opened. */
  readonly tls: EgressInventoryTls;
  /** The ports the last proxy really connects to on the host (a target port, or the ports endpoints map it to). */
  readonly dialledPorts: number[];
  /**
   * The egress gateway the port is routed through.
   * @default - none: sidecars that see the host connect to it directly
   */
  readonly gateway?: EgressInventoryGatewayRef;
  /**
   * The gateway Service port of the sidecar → gateway hop.
   * @default - no gateway
   */
  readonly gatewayPort?: number;
  /**
   * How the sidecar → gateway hop is protected.
   * @default - no gateway
   */
  readonly hopTls?: GatewayHopTls;
  /**
   * The only request paths the gateway forwards to the host, in AuthorizationPolicy form (`/get`, `/status/*`);
   * others get 404 at the gateway.
   * @default - every path (or a port the gateway does not see requests on)
   */
  readonly forwardedPaths?: string[];
  /**
   * The construct path of the route that sends the port through its gateway, or of the service for a direct port.
   * Only an inventory of a construct tree has it.
   * @default - unknown (an inventory read from manifests)
   */
  readonly declaredBy?: string[];
}

/**
 * An external host, as one ServiceEntry declares it.
 */
export interface EgressInventoryHost {
  /** The host name (`*.example.com` for a wildcard). */
  readonly host: string;
  /** The namespace of the ServiceEntry. */
  readonly namespaceName: string;
  /** The name of the ServiceEntry. */
  readonly serviceEntry: string;
  /** The ServiceEntry's resolution (`DNS`, `STATIC`, `NONE`, `DYNAMIC_DNS`, …). */
  readonly resolution: string;
  /**
   * `MESH_EXTERNAL` (outside the mesh: a way out) or `MESH_INTERNAL` (a service the mesh treats as its own, e.g.
   * VMs with sidecars), as the ServiceEntry says.
   */
  readonly location: string;
  /** The namespaces whose proxies see the host (its `exportTo`, by name), sorted, or `['*']`. */
  readonly visibleTo: string[];
  /** The host's ports, sorted by number. */
  readonly ports: EgressInventoryPort[];
  /** The identities admitted to the host at its gateway, sorted; empty for a host no gateway routes. */
  readonly grants: EgressInventoryGrant[];
  /**
   * The construct path of the ExternalService that declares the host. Only an inventory of a construct tree has it.
   * @default - unknown (an inventory read from manifests)
   */
  readonly declaredBy?: string[];
}

/**
 * A Kubernetes Service that stands for an external target (an ExternalName Service, or one without a selector whose
 * EndpointSlice lists addresses): sidecars reach it directly, never through a gateway.
 */
export interface EgressInventoryKubernetesService {
  /** The Service's namespace. */
  readonly namespaceName: string;
  /** The Service's name. */
  readonly name: string;
  /**
   * The external host the Service's DNS name is an alias of.
   * @default - none: the Service's endpoints are addresses
   */
  readonly externalName?: string;
  /**
   * The addresses of the Service's EndpointSlices, sorted.
   * @default - none: the Service is an ExternalName
   */
  readonly addresses?: string[];
  /** The Service's ports, sorted by number; the protocol is the one Istio reads from the port name. */
  readonly ports: EgressInventoryPort[];
  /**
   * The construct path of the KubernetesExternalService that declares it. Only an inventory of a construct tree has it.
   * @default - unknown (an inventory read from manifests)
   */
  readonly declaredBy?: string[];
}

/**
 * The egress allow-list of an app or of a set of manifests: `egress-inventory.json`.
 */
export interface EgressInventoryDocument {
  /** Always `EgressInventory`. */
  readonly kind: string;
  /** The format version, `1`; it changes when a field changes meaning or goes away. */
  readonly version: number;
  /** Namespaces locked down: a REGISTRY_ONLY Sidecar and a NetworkPolicy denying all egress but what it lists. */
  readonly lockedNamespaces: string[];
  /**
   * Namespaces whose pods a NetworkPolicy keeps inside the cluster (no address block, no open rule): the locked ones,
   * and a locked-down gateway's own namespace, whose other pods reach only DNS and istiod. Pods another policy
   * opens (the gateway's) are the exception.
   */
  readonly egressDeniedNamespaces: string[];
  /** The egress gateways that route at least one host, sorted by namespace and name. */
  readonly gateways: EgressInventoryGateway[];
  /** Every external host of every ServiceEntry, sorted by host and namespace. */
  readonly hosts: EgressInventoryHost[];
  /** Kubernetes Services for external targets, sorted by namespace and name. */
  readonly kubernetesServices: EgressInventoryKubernetesService[];
}
