// Where the cluster's shared services run: every proxy a NetworkPolicy confines must still reach them.

/**
 * Where the cluster DNS runs. Every locked-down pod, and the gateway, must still resolve names.
 */
export interface ClusterDnsOptions {
  /**
   * Namespace of the DNS pods.
   * @default 'kube-system'
   */
  readonly namespaceName?: string;
  /**
   * Labels of the DNS pods.
   * @default { 'k8s-app': 'kube-dns' } (CoreDNS and kube-dns on most distributions)
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The DNS pods' port: NetworkPolicies match the pod port, and some clusters serve DNS on 8053 behind the
   * Service's 53.
   * @default 53
   */
  readonly port?: number;
}

/**
 * Where istiod runs. Sidecars and gateways fetch configuration and certificates from it on port 15012.
 */
export interface ControlPlaneOptions {
  /**
   * Namespace of istiod.
   * @default - the gateway's mesh's root namespace
   */
  readonly namespaceName?: string;
  /**
   * Labels of the istiod pods.
   * @default { app: 'istiod' }
   */
  readonly podLabels?: { [key: string]: string };
}
