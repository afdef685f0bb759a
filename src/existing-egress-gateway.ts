import { Construct } from 'constructs';
import { EgressGatewayBase, GatewayServicePort } from './egress-gateway-base';

/**
 * How an existing egress gateway was installed: each installer names, labels and maps ports differently.
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
   * The `istio/gateway` Helm chart installed as `helm install <release> istio/gateway -n <namespace>`: Service
   * and ServiceAccount named after the release, pods labelled `app: <release>` and `istio: <release without the
   * istio- prefix>`, Service ports 80→80 and 443→443.
   */
  public static helm(release: string = 'istio-egressgateway', namespace: string = 'istio-egress'): GatewayInstall {
    return new GatewayInstall(
      release,
      namespace,
      { istio: release.replace(/^istio-/, ''), app: release },
      release,
      [{ port: 80, targetPort: 80, name: 'http2' }, { port: 443, targetPort: 443, name: 'https' }],
    );
  }

  /** @internal */ public readonly _serviceName: string;
  /** @internal */ public readonly _namespace: string;
  /** @internal */ public readonly _podLabels: { [key: string]: string };
  /** @internal */ public readonly _serviceAccountName: string;
  /** @internal */ public readonly _ports: GatewayServicePort[];

  private constructor(serviceName: string, namespace: string, podLabels: { [key: string]: string },
    serviceAccountName: string, ports: GatewayServicePort[]) {
    this._serviceName = serviceName;
    this._namespace = namespace;
    this._podLabels = podLabels;
    this._serviceAccountName = serviceAccountName;
    this._ports = ports;
  }
}

/**
 * Properties of `EgressGateway.fromExisting`.
 */
export interface ExistingEgressGatewayProps {
  /**
   * How the gateway was installed; decides its names, labels and port mapping.
   * @default GatewayInstall.ISTIOCTL
   */
  readonly install?: GatewayInstall;
  /**
   * Override the Service name.
   * @default - the installer's
   */
  readonly serviceName?: string;
  /**
   * Override the namespace.
   * @default - the installer's
   */
  readonly namespace?: string;
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
   * Ports the existing Service exposes beyond the installer's 80 and 443 (for example ones added to
   * `values.gateways.istio-egressgateway.ports`). Routes on any other port fail synth: this library cannot
   * change a Service it does not own.
   * @default - none
   */
  readonly additionalPorts?: GatewayServicePort[];
}

/**
 * An egress gateway installed outside this app. Routes work against it exactly as against a deployed one.
 */
export class ExistingEgressGateway extends EgressGatewayBase {
  public readonly namespace: string;
  public readonly serviceName: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;
  private readonly ports: GatewayServicePort[];

  public constructor(scope: Construct, id: string, props: ExistingEgressGatewayProps = {}) {
    super(scope, id);
    const install = props.install ?? GatewayInstall.ISTIOCTL;
    this.namespace = props.namespace ?? install._namespace;
    this.serviceName = props.serviceName ?? install._serviceName;
    this.podLabels = props.podLabels ?? install._podLabels;
    this.serviceAccountName = props.serviceAccountName ?? install._serviceAccountName;
    this.ports = [...install._ports, ...props.additionalPorts ?? []];
  }

  public targetPortOf(servicePort: number): number | undefined {
    const port = this.ports.find(p => p.port === servicePort);
    return port && (port.targetPort ?? port.port);
  }

  /** @internal */
  public _exposePort(port: number, owner: string): void {
    if (this.targetPortOf(port) === undefined) {
      throw new Error(`${owner}: the existing egress gateway ${this.serviceName}.${this.namespace} does not expose `
        + `port ${port} (it exposes ${this.ports.map(p => p.port).join(', ')}); add the port to its Service in the `
        + 'installer\'s values and list it in `additionalPorts`, or deploy the gateway with `new EgressGateway(...)`');
    }
  }
}
