import { IConstruct } from 'constructs';
import { IstioMesh } from '../mesh/istio-mesh';

/**
 * An Istio gateway workload, the way in or the way out, deployed by this library or installed by istioctl or Helm:
 * what telemetry, monitoring and NetworkPolicies need to find its pods and name its identity.
 */
export interface IGateway extends IConstruct {
  /** The gateway's name: its Service's, and its Istio `Gateway`'s. */
  readonly name: string;
  /**
   * The name of the gateway pods' Deployment: what Istio reports as their `source_workload` and kube-state-metrics
   * as their `deployment`.
   */
  readonly workloadName: string;
  /** The namespace of the gateway's pods, Service and Istio `Gateway`. */
  readonly namespaceName: string;
  /** The gateway Service's cluster FQDN. */
  readonly serviceHost: string;
  /** Labels the gateway pods carry and are selected by: Istio `Gateway` selectors and NetworkPolicies match them. */
  readonly podLabels: { [key: string]: string };
  /** The gateway pods' ServiceAccount: its identity is `<trust domain>/ns/<namespace>/sa/<name>`. */
  readonly serviceAccountName: string;
  /** The mesh the gateway belongs to. */
  readonly mesh: IstioMesh;
}
