import * as kplus from 'cdk8s-plus-28';
import type { IstioMesh } from '../mesh/istio-mesh';

/**
 * A node taint the gateway pods tolerate, e.g. the taint that reserves dedicated egress nodes.
 */
export interface GatewayToleration {
  /** The taint key. */
  readonly key: string;
  /**
   * The taint value to match.
   * @default - any value of `key` (operator `Exists`)
   */
  readonly value?: string;
  /**
   * The taint effect to match.
   * @default - every effect
   */
  readonly effect?: kplus.TaintEffect;
}

/**
 * Size, scaling and placement of a gateway: shared by gateways this library deploys and the istioctl install
 * settings (`IstioInstall`), which render the same values.
 */
export interface GatewayWorkloadOptions {
  /**
   * The fewest replicas the autoscaler keeps. More than one also adds a PodDisruptionBudget, so node drains take
   * replicas down one at a time.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * The most replicas the autoscaler creates. Equal to `minReplicas` gives a fixed number of replicas.
   * @default 5
   */
  readonly maxReplicas?: number;
  /**
   * The average CPU use, as a percentage of the CPU request, that the autoscaler keeps the replicas at.
   * @default 80
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Requests and limits of the proxy container, per resource (overriding `memory` keeps the default `cpu`).
   * @default - the istio/gateway chart's: requests 100m CPU and 128Mi memory, limits 2000m CPU and 1024Mi memory
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Node labels the gateway pods require, e.g. `{ 'node-role.example.com/egress': 'true' }` for dedicated egress
   * nodes whose addresses the outside world allow-lists.
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Node taints the gateway pods tolerate, so they can run on nodes tainted for them alone.
   * @default - none
   */
  readonly tolerations?: GatewayToleration[];
  /**
   * Topologies (`Topology.HOSTNAME`, `Topology.ZONE`, …) to spread the replicas across. The spread is preferred,
   * not required, so the autoscaler can still add replicas when there are fewer dedicated nodes than replicas.
   * @default - no spreading
   */
  readonly spreadAcross?: kplus.Topology[];
  /**
   * The PriorityClass of the gateway pods; an egress gateway is on every external call's path, so consider one
   * that outranks the applications behind it.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
}

/**
 * How a deployed gateway is named, labelled and run: what egress and ingress gateways have in common beyond
 * sizing.
 */
export interface GatewayDeploymentOptions extends GatewayWorkloadOptions {
  /**
   * The namespace of every object of the gateway.
   * @default - the chart's namespace; one of the two is required
   */
  readonly namespaceName?: string;
  /**
   * The gateway's one name, like a Helm release name: the Deployment, Service, ServiceAccount, autoscaler, budget
   * and Istio `Gateway` are all called this, and dashboards and alerts find the gateway by it.
   * @default - the kind's name: `istio-egressgateway` for an `EgressGateway`, `istio-gateway` for a bare
   * `GatewayWorkload`
   */
  readonly name?: string;
  /**
   * The value of the pods' `app` label, which the Deployment and Service select on and Istio reports as the
   * gateway's canonical service name.
   * @default - `name`
   */
  readonly appLabel?: string;
  /**
   * The value of the pods' `istio` label, which the Deployment and Service select on and Istio `Gateway` selectors
   * match. Istio applies a `Gateway` to matching pods in every namespace, so give each gateway of a mesh its own.
   * @default - `name` without an `istio-` prefix, as the istio/gateway chart does (`istio-egressgateway` →
   * `egressgateway`)
   */
  readonly istioLabel?: string;
  /**
   * The labels the Deployment, Service and budget select the gateway pods by, and that Istio `Gateway`s and
   * NetworkPolicies match. Name them to take over the pods of a gateway installed by istioctl (e.g. only
   * `{ istio: 'egressgateway' }`): the pods carry them too. A Deployment's selector cannot change in place, so pick
   * them once.
   * @default - `app` and `istio` (the istio/gateway chart's selector labels)
   */
  readonly selectorLabels?: { [key: string]: string };
  /**
   * Further pod labels (not `app`, `istio`, `istio.io/rev` or `sidecar.istio.io/inject`, which have their own
   * settings).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * The mesh the gateway belongs to: its revision labels the pods, its cluster domain makes the Service host, its
   * trust domain the identities grants match.
   * @default IstioMesh.DEFAULT
   */
  readonly mesh?: IstioMesh;
  /**
   * The name of the gateway's ServiceAccount, whose identity is `<trust domain>/ns/<namespace>/sa/<name>`.
   * @default - `name`
   */
  readonly serviceAccountName?: string;
  /**
   * When the node pulls the proxy image. The injector replaces `image: auto` with the control plane's versioned
   * proxy image, so a cached copy is the right one.
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
}
