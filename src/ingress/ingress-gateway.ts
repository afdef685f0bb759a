import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { IIngressGateway, IIngressGatewayRouting } from './ingress-contracts';
import { IngressGatewayEdge } from './ingress-gateway-edge';
import { IngressGatewayOptions } from './ingress-gateway-options';
import { IngressListener, IngressProtocol } from './ingress-listener';
import { ExistingGatewayOptions, GatewayInstall } from '../gateway/gateway-install';
import { GatewayTrafficPolicy, GatewayWorkload } from '../gateway/gateway-workload';
import { GatewayDeploymentOptions } from '../gateway/gateway-workload-options';
import { InstalledGateway } from '../gateway/installed-gateway';
import { IstioMesh } from '../mesh/istio-mesh';

/**
 * How an ingress gateway's Service is reached from outside the cluster.
 */
export enum IngressServiceType {
  /** A cloud load balancer in front of the gateway pods. */
  LOAD_BALANCER = 'LoadBalancer',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** In-cluster only (another proxy or load balancer in front). */
  CLUSTER_IP = 'ClusterIP',
}

/**
 * Properties of an `IngressGateway`.
 */
export interface IngressGatewayProps extends GatewayDeploymentOptions, IngressGatewayOptions {
  /**
   * How the gateway Service is reached from outside.
   * @default IngressServiceType.LOAD_BALANCER
   */
  readonly serviceType?: IngressServiceType;
  /**
   * Where a LoadBalancer or NodePort Service delivers outside traffic; `LOCAL` keeps the client address that
   * `sourceCidrs` access rules match.
   * @default - Kubernetes' default (`Cluster`)
   */
  readonly externalTrafficPolicy?: GatewayTrafficPolicy;
  /**
   * Annotations of the gateway Service, e.g. a cloud provider's load-balancer settings.
   * @default - none
   */
  readonly serviceAnnotations?: { [key: string]: string };
}

/**
 * Properties of `IngressGateway.fromExisting`.
 */
export interface ExistingIngressGatewayProps extends ExistingGatewayOptions, IngressGatewayOptions {
  /**
   * How the gateway was installed; decides its names, labels and port mapping.
   * @default GatewayInstall.ISTIOCTL_INGRESS
   */
  readonly install?: GatewayInstall;
}

/**
 * An Istio ingress gateway deployed by this app, the way the istio/gateway Helm chart deploys one (every object
 * named `name`, default `istio-ingressgateway`; a LoadBalancer Service), with its listeners, edge access rules and
 * JWT requirements, and a NetworkPolicy that lets its pods reach only DNS, istiod and the destinations of its
 * routes: never the internet. Each listener adds its port to the Service (pods listen on the Service port itself,
 * 80→80 and 443→443, like the chart); an HTTPS listener lets the gateway serve Secrets of its namespace.
 *
 * For a gateway installed by istioctl or Helm, use `IngressGateway.fromExisting`.
 */
export class IngressGateway extends Construct implements IIngressGateway {
  /**
   * References an ingress gateway installed outside this app (istioctl's `istio-ingressgateway`, or the
   * istio/gateway Helm chart). Listeners must use ports its Service exposes; its NetworkPolicy, Istio `Gateway` and
   * policies are emitted here like a deployed gateway's.
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingIngressGatewayProps = {}): IIngressGateway {
    return new InstalledIngressGateway(scope, id, props);
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
  public readonly routing: IIngressGatewayRouting;

  private readonly edge: IngressGatewayEdge;

  public constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id);
    this.workload = new GatewayWorkload(this, 'Workload', {
      ...props,
      name: props.name ?? 'istio-ingressgateway',
      serviceType: serviceTypeOf(props.serviceType ?? IngressServiceType.LOAD_BALANCER),
    });
    this.name = this.workload.name;
    this.workloadName = this.workload.deployment.name;
    this.namespaceName = this.workload.namespaceName;
    this.mesh = this.workload.mesh;
    this.serviceHost = this.workload.serviceHost;
    this.podLabels = { ...this.workload.selectorLabels };
    this.serviceAccountName = this.workload.serviceAccount.name;
    this.edge = new IngressGatewayEdge(this, {
      exposePort: (listener, requester) => {
        try {
          this.workload.addPort(listener.port, { name: servicePortName(listener) });
        } catch (e) {
          throw new Error(`${requester}: cannot listen on port ${listener.port}: ${(e as Error).message}`);
        }
      },
      readCredentials: () => this.workload.grantSecretRead(),
    }, props);
    this.routing = this.edge;
  }

  public addListener(listener: IngressListener): void {
    this.edge.addListener(listener);
  }

  public allowRequests(rule: IngressAccessRule): void {
    this.edge.allowRequests(rule);
  }

  public requireJwt(rule: IngressJwtRule): void {
    this.edge.requireJwt(rule);
  }

  public targetPortOf(servicePort: number): number | undefined {
    return this.workload.targetPortOf(servicePort);
  }
}

/**
 * An ingress gateway installed outside this app: the same listeners, routes and policies, within the ports its
 * Service exposes; istioctl and the Helm chart already bind the Secret-reading Role.
 */
class InstalledIngressGateway extends Construct implements IIngressGateway {
  public readonly name: string;
  public readonly workloadName: string;
  public readonly namespaceName: string;
  public readonly serviceHost: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;
  public readonly mesh: IstioMesh;
  public readonly routing: IIngressGatewayRouting;

  private readonly installed: InstalledGateway;
  private readonly edge: IngressGatewayEdge;

  public constructor(scope: Construct, id: string, props: ExistingIngressGatewayProps) {
    super(scope, id);
    const installed = new InstalledGateway(this.node.path, props.install ?? GatewayInstall.ISTIOCTL_INGRESS, props);
    this.installed = installed;
    this.name = installed.name;
    this.workloadName = installed.workloadName;
    this.namespaceName = installed.namespaceName;
    this.mesh = installed.mesh;
    this.serviceHost = installed.serviceHost;
    this.podLabels = installed.podLabels;
    this.serviceAccountName = installed.serviceAccountName;
    this.edge = new IngressGatewayEdge(this, {
      exposePort: (listener, requester) => installed.requirePort(listener.port, requester, 'ingress', 'IngressGateway'),
      readCredentials: () => undefined,
    }, props);
    this.routing = this.edge;
  }

  public addListener(listener: IngressListener): void {
    this.edge.addListener(listener);
  }

  public allowRequests(rule: IngressAccessRule): void {
    this.edge.allowRequests(rule);
  }

  public requireJwt(rule: IngressJwtRule): void {
    this.edge.requireJwt(rule);
  }

  public targetPortOf(servicePort: number): number | undefined {
    return this.installed.targetPortOf(servicePort);
  }
}

function serviceTypeOf(type: IngressServiceType): kplus.ServiceType {
  switch (type) {
    case IngressServiceType.NODE_PORT: return kplus.ServiceType.NODE_PORT;
    case IngressServiceType.CLUSTER_IP: return kplus.ServiceType.CLUSTER_IP;
    default: return kplus.ServiceType.LOAD_BALANCER;
  }
}

/**
 * Named by protocol, which Istio reads for the traffic that reaches the gateway from inside the mesh: the chart's
 * `http2` on 80 and `https` on 443, `http-<port>` and `https-<port>` elsewhere (a port carries plain HTTP or TLS,
 * never both).
 */
function servicePortName(listener: IngressListener): string {
  const plain = listener.protocol === IngressProtocol.HTTP;
  if (plain && listener.port === 80) return 'http2';
  if (!plain && listener.port === 443) return 'https';
  return `${plain ? 'http' : 'https'}-${listener.port}`;
}
