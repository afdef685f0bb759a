import { ExistingGatewayOptions, GatewayInstall, GatewayServicePort } from './gateway-install';
import { IstioMesh } from '../mesh/istio-mesh';
import { checkLabels } from '../private/kubernetes-names';

/**
 * The names, labels, identity and ports of a gateway installed outside the app, as its installer and the overrides
 * give them: what references to installed egress and ingress gateways share. Internal.
 */
export class InstalledGateway {
  public readonly name: string;
  public readonly workloadName: string;
  public readonly namespaceName: string;
  public readonly mesh: IstioMesh;
  public readonly serviceHost: string;
  public readonly podLabels: { [key: string]: string };
  public readonly serviceAccountName: string;
  private readonly ports: GatewayServicePort[];

  public constructor(owner: string, install: GatewayInstall, props: ExistingGatewayOptions) {
    this.name = props.serviceName ?? install.serviceName;
    // istioctl and the Helm chart name the Deployment as the Service.
    this.workloadName = props.workloadName ?? this.name;
    this.namespaceName = props.namespaceName ?? install.namespaceName;
    this.mesh = props.mesh ?? IstioMesh.DEFAULT;
    this.serviceHost = this.mesh.serviceHost(this.name, this.namespaceName);
    this.podLabels = { ...props.podLabels ?? install.podLabels };
    this.serviceAccountName = props.serviceAccountName ?? install.serviceAccountName;
    this.ports = [...install.ports, ...props.additionalPorts ?? []];
    checkLabels(owner, 'podLabels', this.podLabels);
    if (Object.keys(this.podLabels).length === 0) {
      // An empty selector would scope the gateway's Istio Gateway and authorization to every pod of the namespace,
      // and to the whole mesh in the root namespace.
      throw new Error(`${owner}: podLabels must select the gateway's pods; {} selects every pod (in the root `
        + 'namespace, the whole mesh). Take the labels from `kubectl get pods -n <namespace> --show-labels`');
    }
  }

  /** The pod port behind a Service port, or undefined when the Service does not expose it. */
  public targetPortOf(servicePort: number): number | undefined {
    const port = this.ports.find(p => p.port === servicePort);
    return port && (port.targetPort ?? port.port);
  }

  /**
   * Throws, naming `requester`, when the Service does not expose `port`: this app cannot change a Service it does
   * not own. `deployed` names the construct that would deploy such a gateway instead.
   */
  public requirePort(port: number, requester: string, kind: string, deployed: string): void {
    if (this.targetPortOf(port) !== undefined) return;
    throw new Error(`${requester}: the existing ${kind} gateway ${this.name}.${this.namespaceName} does not expose `
      + `port ${port} (it exposes ${this.ports.map(p => p.port).join(', ')}); add the port to its Service in the `
      + `installer's values and list it in \`additionalPorts\`, or deploy the gateway with \`new ${deployed}(...)\``);
  }
}
