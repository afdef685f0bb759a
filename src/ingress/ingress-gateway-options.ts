import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { IngressListener } from './ingress-listener';
import { ClusterDnsOptions, ControlPlaneOptions } from '../mesh/cluster-services';

/**
 * What deployed and installed ingress gateways share beyond their workload: listeners, access rules, JWT
 * requirements, and the network confinement of their pods.
 */
export interface IngressGatewayOptions {
  /**
   * The listeners; more can be added with `addListener`.
   * @default - none
   */
  readonly listeners?: IngressListener[];
  /**
   * Requests the gateway admits; more with `allowRequests`. With none, it admits every request its routes match.
   * @default - every request
   */
  readonly accessRules?: IngressAccessRule[];
  /**
   * JSON Web Token requirements; more with `requireJwt`.
   * @default - no token required
   */
  readonly jwtRules?: IngressJwtRule[];
  /**
   * Where the cluster DNS runs, which the gateway's NetworkPolicy lets its pods reach.
   * @default - kube-dns pods in kube-system on port 53
   */
  readonly dns?: ClusterDnsOptions;
  /**
   * Where istiod runs, which the gateway's NetworkPolicy lets its pods reach.
   * @default - istiod pods in the mesh's root namespace
   */
  readonly controlPlane?: ControlPlaneOptions;
  /**
   * Namespaces whose pods may scrape the gateway's metrics (ports 15020 and 15090).
   * @default - none
   */
  readonly metricsNamespaces?: string[];
  /**
   * Emit the NetworkPolicy that confines the gateway pods: in on the listeners and the health port, out only to
   * DNS, istiod and this app's routes' destinations. Turn it off only for an installed gateway that routes of other
   * apps also use (their destinations would be cut off): then whoever owns that gateway must confine it.
   * @default true
   */
  readonly confinePods?: boolean;
}
