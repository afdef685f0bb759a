import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EgressGatewayBase, IEgressGateway } from './egress-gateway-base';
import { ExistingEgressGateway, ExistingEgressGatewayProps } from './existing-egress-gateway';
import { GatewayDeploymentOptions, GatewayWorkload } from './gateway-workload';

/**
 * Properties of an `EgressGateway`.
 */
export interface EgressGatewayProps extends GatewayDeploymentOptions {
  /**
   * The value of the pods' `istio` label, which the shared Istio `Gateway` selects. Istio applies a `Gateway` to
   * matching pods in every namespace, so give each egress gateway of a mesh its own value.
   * @default 'egressgateway'
   */
  readonly istioLabel?: string;
}

/**
 * An Istio egress gateway deployed by this app, the way the istio/gateway Helm chart deploys one, with a
 * ClusterIP Service (nothing outside the cluster has a reason to reach an egress gateway).
 *
 * Every route through it adds its port to the Service and the pods; pods listen on the Service port itself
 * (80→80, 443→443, like the chart), which the unprivileged-port sysctl allows. For a gateway installed by
 * istioctl or Helm, use `EgressGateway.fromExisting`.
 */
export class EgressGateway extends EgressGatewayBase {
  /**
   * References an egress gateway installed outside this app (istioctl `components.egressGateways` or the
   * istio/gateway Helm chart). Routes work against it the same way, within the ports its Service exposes.
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingEgressGatewayProps = {}): IEgressGateway {
    return new ExistingEgressGateway(scope, id, props);
  }

  /** The Deployment, Service, ServiceAccount, autoscaler and budget of the gateway. */
  public readonly workload: GatewayWorkload;
  public readonly namespace: string;
  public readonly serviceName: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;

  public constructor(scope: Construct, id: string, props: EgressGatewayProps = {}) {
    super(scope, id);
    this.workload = new GatewayWorkload(this, 'Workload', {
      ...props,
      istioLabel: props.istioLabel ?? 'egressgateway',
      serviceType: kplus.ServiceType.CLUSTER_IP,
    });
    this.namespace = this.workload.namespace;
    this.serviceName = this.workload.service.name;
    this.podLabels = { ...this.workload.podLabels };
    this.serviceAccountName = this.workload.serviceAccount.name;
  }

  public targetPortOf(servicePort: number): number | undefined {
    return this.workload.targetPortOf(servicePort);
  }

  /**
   * Lets the gateway read the Secrets in its namespace that `credentialName` refers to (client certificates for
   * mutual TLS origination). Idempotent; returns the Role.
   */
  public grantSecretRead(): kplus.Role {
    return this.workload.grantSecretRead();
  }

  /** @internal */
  public _exposePort(port: number, owner: string): void {
    try {
      this.workload.addPort(port);
    } catch (e) {
      throw new Error(`${owner}: cannot route through egress gateway ${this.node.path}: ${(e as Error).message}`);
    }
  }

  /** @internal */
  public _grantSecretRead(): void {
    this.grantSecretRead();
  }
}
