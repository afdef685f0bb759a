import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IEgressGateway, IEgressGatewayRouting } from './egress-contracts';
import { EgressGatewayRouting } from './egress-gateway-routing';
import { ExistingEgressGatewayProps, GatewayInstall } from '../gateway/gateway-install';
import { GatewayWorkload } from '../gateway/gateway-workload';
import { GatewayDeploymentOptions } from '../gateway/gateway-workload-options';
import { InstalledGateway } from '../gateway/installed-gateway';
import { IstioMesh } from '../mesh/istio-mesh';

/** Marks both kinds of egress gateway for `EgressGateway.isEgressGateway`. */
const EGRESS_GATEWAY = Symbol.for('cdk8s-istio-gateways.EgressGateway');

/**
 * Properties of an `EgressGateway`.
 */
export interface EgressGatewayProps extends GatewayDeploymentOptions {}

/**
 * An Istio egress gateway deployed by this app, the way the istio/gateway Helm chart deploys one: every object is
 * named `name` (default `istio-egressgateway`), pods are selected by the chart's `app` and `istio` labels, and the
 * Service is ClusterIP (nothing outside the cluster has a reason to reach an egress gateway).
 *
 * Every route through it adds its port to the Service and the pods; pods listen on the Service port itself
 * (80→80, 443→443, like the chart), which the unprivileged-port sysctl allows. For a gateway installed by
 * istioctl or Helm, use `EgressGateway.fromExisting`.
 */
export class EgressGateway extends Construct implements IEgressGateway {
  /**
   * Whether `x` is an egress gateway, deployed or referenced with `fromExisting` (interfaces leave no trace at run
   * time, so reports that walk a construct tree ask this).
   */
  public static isEgressGateway(x: any): x is IEgressGateway {
    return x !== null && typeof x === 'object' && EGRESS_GATEWAY in x;
  }

  /**
   * References an egress gateway installed outside this app (istioctl `components.egressGateways` or the
   * istio/gateway Helm chart). Routes work against it the same way, within the ports its Service exposes.
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingEgressGatewayProps = {}): IEgressGateway {
    return new InstalledEgressGateway(scope, id, props);
  }

  /** The Deployment, Service, ServiceAccount, autoscaler and budget of the gateway. */
  public readonly workload: GatewayWorkload;
  public readonly name: string;
  public readonly workloadName: string;
  public readonly namespaceName: string;
  public readonly serviceHost: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;
  public readonly mesh: IstioMesh;
  public readonly routing: IEgressGatewayRouting;

  public constructor(scope: Construct, id: string, props: EgressGatewayProps = {}) {
    super(scope, id);
    Object.defineProperty(this, EGRESS_GATEWAY, { value: true });
    this.workload = new GatewayWorkload(this, 'Workload', {
      ...props,
      name: props.name ?? 'istio-egressgateway',
      serviceType: kplus.ServiceType.CLUSTER_IP,
    });
    this.name = this.workload.name;
    this.workloadName = this.workload.deployment.name;
    this.namespaceName = this.workload.namespaceName;
    this.mesh = this.workload.mesh;
    this.serviceHost = this.workload.serviceHost;
    // The labels the workload is selected by: what an Istio Gateway and a NetworkPolicy must match, and no more.
    this.podLabels = { ...this.workload.selectorLabels };
    this.serviceAccountName = this.workload.serviceAccount.name;
    this.routing = new EgressGatewayRouting(this, {
      exposePort: (port, requester) => {
        try {
          this.workload.addPort(port);
        } catch (e) {
          throw new Error(`${requester}: cannot route through egress gateway ${this.node.path}: ${(e as Error).message}`);
        }
      },
      readCredentials: () => this.grantSecretRead(),
    });
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
}

/**
 * An egress gateway installed outside this app. Routes work against it exactly as against a deployed one, within
 * the ports its Service exposes; istioctl and the Helm chart already bind the Secret-reading Role.
 */
class InstalledEgressGateway extends Construct implements IEgressGateway {
  public readonly name: string;
  public readonly workloadName: string;
  public readonly namespaceName: string;
  public readonly serviceHost: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;
  public readonly mesh: IstioMesh;
  public readonly routing: IEgressGatewayRouting;

  private readonly installed: InstalledGateway;

  public constructor(scope: Construct, id: string, props: ExistingEgressGatewayProps) {
    super(scope, id);
    Object.defineProperty(this, EGRESS_GATEWAY, { value: true });
    const installed = new InstalledGateway(this.node.path, props.install ?? GatewayInstall.ISTIOCTL, props);
    this.installed = installed;
    this.name = installed.name;
    this.workloadName = installed.workloadName;
    this.namespaceName = installed.namespaceName;
    this.mesh = installed.mesh;
    this.serviceHost = installed.serviceHost;
    this.podLabels = installed.podLabels;
    this.serviceAccountName = installed.serviceAccountName;
    this.routing = new EgressGatewayRouting(this, {
      exposePort: (port, requester) => installed.requirePort(port, requester, 'egress', 'EgressGateway'),
      readCredentials: () => undefined,
    });
  }

  public targetPortOf(servicePort: number): number | undefined {
    return this.installed.targetPortOf(servicePort);
  }
}
