import type { IstioMesh } from '../mesh/istio-mesh';
import { istioLabelOf } from '../private/kubernetes-names';

/**
 * A port of a gateway's Kubernetes Service and the pod port behind it.
 */
export interface GatewayServicePort {
  /** The Service port: what Istio `Gateway` servers and mesh routes name. */
  readonly port: number;
  /**
   * The pod port the gateway listens on: what NetworkPolicies must allow.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * The Service port name.
   * @default - `port-<port>`
   */
  readonly name?: string;
}

/**
 * How an installed gateway was installed: each installer names, labels and maps ports differently.
 */
export class GatewayInstall {
  /**
   * `istioctl install` with `components.egressGateways` (the IstioOperator path of the seed articles): Service
   * `istio-egressgateway` in `istio-system`, pods labelled `istio: egressgateway`, Service ports 80→8080 and
   * 443→8443 (the pod runs unprivileged).
   */
  public static readonly ISTIOCTL = new GatewayInstall(
    'istio-egressgateway',
    'istio-system',
    { istio: 'egressgateway', app: 'istio-egressgateway' },
    'istio-egressgateway-service-account',
    [{ port: 80, targetPort: 8080, name: 'http2' }, { port: 443, targetPort: 8443, name: 'https' }],
  );

  /**
   * `istioctl install` with the default profile's ingress gateway (the bookinfo task's): Service
   * `istio-ingressgateway` in `istio-system`, pods labelled `istio: ingressgateway`, Service ports 80→8080 and
   * 443→8443.
   */
  public static readonly ISTIOCTL_INGRESS = new GatewayInstall(
    'istio-ingressgateway',
    'istio-system',
    { istio: 'ingressgateway', app: 'istio-ingressgateway' },
    'istio-ingressgateway-service-account',
    [{ port: 80, targetPort: 8080, name: 'http2' }, { port: 443, targetPort: 8443, name: 'https' }],
  );

  /**
   * The `istio/gateway` Helm chart installed as `helm install <release> istio/gateway -n <namespace>`: Service
   * and ServiceAccount named after the release, pods labelled `app: <release>` and `istio: <release without the
   * istio- prefix>` (`helm install istio-ingress` gives `istio: ingress`, not `ingressgateway`), Service ports
   * 80→80 and 443→443.
   */
  public static helm(release: string = 'istio-egressgateway', namespaceName: string = 'istio-egress'): GatewayInstall {
    return new GatewayInstall(
      release,
      namespaceName,
      { istio: istioLabelOf(release), app: release },
      release,
      [{ port: 80, targetPort: 80, name: 'http2' }, { port: 443, targetPort: 443, name: 'https' }],
    );
  }

  /**
   * The `istio/gateway` Helm chart installed as an ingress gateway, seed 004's way:
   * `helm install istio-ingressgateway istio/gateway -n istio-ingress` (pods labelled `istio: ingressgateway`).
   * Another release name gives another `istio` label: `istio-ingress` gives `istio: ingress`.
   */
  public static helmIngress(release: string = 'istio-ingressgateway', namespaceName: string = 'istio-ingress'): GatewayInstall {
    return GatewayInstall.helm(release, namespaceName);
  }

  /** The name of the gateway's Service. */
  public readonly serviceName: string;
  /** The namespace of the gateway. */
  public readonly namespaceName: string;
  /** The labels on the gateway's pods. */
  public readonly podLabels: { [key: string]: string };
  /** The gateway pods' ServiceAccount. */
  public readonly serviceAccountName: string;
  /** The ports of the gateway's Service. */
  public readonly ports: GatewayServicePort[];

  private constructor(serviceName: string, namespaceName: string, podLabels: { [key: string]: string },
    serviceAccountName: string, ports: GatewayServicePort[]) {
    this.serviceName = serviceName;
    this.namespaceName = namespaceName;
    this.podLabels = podLabels;
    this.serviceAccountName = serviceAccountName;
    this.ports = ports;
  }
}

/**
 * What every reference to an installed gateway may override of its installer's names, labels and ports.
 */
export interface ExistingGatewayOptions {
  /**
   * Override the Service name (which also names the Istio `Gateway` this app creates for it).
   * @default - the installer's
   */
  readonly serviceName?: string;
  /**
   * Override the name of the gateway's Deployment, where it differs from the Service's (metrics and alerts find the
   * pods by it).
   * @default - the Service name
   */
  readonly workloadName?: string;
  /**
   * Override the namespace.
   * @default - the installer's
   */
  readonly namespaceName?: string;
  /**
   * Override the pod labels that Istio `Gateway` selectors match. A wrong selector is admitted by Istio and
   * silently matches no pods, so take these from `kubectl get pods --show-labels`.
   * @default - the installer's
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Override the ServiceAccount name.
   * @default - the installer's
   */
  readonly serviceAccountName?: string;
  /**
   * Ports the existing Service exposes beyond the installer's 80 and 443 (for example ones added to the
   * installer's `ports` values). Routes and listeners on any other port fail synth: this library cannot change a
   * Service it does not own.
   * @default - none
   */
  readonly additionalPorts?: GatewayServicePort[];
  /**
   * The mesh the gateway belongs to.
   * @default IstioMesh.DEFAULT
   */
  readonly mesh?: IstioMesh;
}

/**
 * Properties of `EgressGateway.fromExisting`.
 */
export interface ExistingEgressGatewayProps extends ExistingGatewayOptions {
  /**
   * How the gateway was installed; decides its names, labels and port mapping.
   * @default GatewayInstall.ISTIOCTL
   */
  readonly install?: GatewayInstall;
}
