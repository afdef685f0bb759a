import { ApiObjectMetadata, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExternalPort } from './external-port';
import { IstioMesh } from './istio-mesh';
import * as networking from '../../imports/networking.istio.io';
import { checkHostname } from '../private/hostname';
import { Ip } from '../private/ip';
import { namespaceOf } from '../private/namespace';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Where a Kubernetes Service for an external host sends its clients.
 */
export class KubernetesExternalTarget {
  /**
   * A Service of type ExternalName: cluster DNS answers the Service's name with a CNAME to `host`, and the sidecar
   * routes to the Service (the Istio docs' "Kubernetes ExternalName service" example, `my-httpbin` → httpbin.org).
   */
  public static fromExternalName(host: string): KubernetesExternalTarget {
    return new KubernetesExternalTarget(host, undefined);
  }

  /**
   * A Service without a selector and an EndpointSlice listing the external addresses (the docs' wikipedia example).
   * The addresses must be IPs: Kubernetes endpoints hold no names.
   */
  public static fromAddresses(...addresses: string[]): KubernetesExternalTarget {
    return new KubernetesExternalTarget(undefined, addresses);
  }

  /** The external host name, for an ExternalName Service. */
  public readonly externalName?: string;
  /** The external IP addresses, for a selector-less Service. */
  public readonly addresses?: string[];

  private constructor(externalName: string | undefined, addresses: string[] | undefined) {
    this.externalName = externalName;
    this.addresses = addresses;
  }
}

/**
 * Properties of a `KubernetesExternalService`.
 */
export interface KubernetesExternalServiceProps {
  /** Where the Service sends its clients. */
  readonly target: KubernetesExternalTarget;
  /** The ports clients call; names tell Istio the protocol (`http-80`, `https-443`). */
  readonly ports: ExternalPort[];
  /**
   * Metadata of the Service; its name is what clients call (`<name>.<namespace>.svc.<cluster domain>`).
   * @default - the chart's namespace and a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The mesh, for the Service's cluster host that the DestinationRule names.
   * @default IstioMesh.DEFAULT
   */
  readonly mesh?: IstioMesh;
}

/**
 * An external host registered as a Kubernetes Service instead of a ServiceEntry, the way some teams do (the Istio
 * docs' "Kubernetes services for egress traffic" task), with the DestinationRule that turns Istio mutual TLS off
 * towards it: the far end has no sidecar, and with the mesh's auto mTLS a client would otherwise try Istio TLS on a
 * host that cannot answer it.
 *
 * Traffic to such a Service leaves from the client's sidecar, not through an egress gateway, so a namespace a
 * `MeshEgressLockdown` locks cannot reach it; use `ExternalService` and `EgressRoute` there.
 */
export class KubernetesExternalService extends Construct {
  /**
   * The Service. An L1 object: cdk8s-plus' `Service` drops the ports of an ExternalName Service (Istio needs them
   * for the protocol) and renders `selector: {}` for one without a selector, which would select every pod.
   */
  public readonly service: kplus.k8s.KubeService;
  /** The Service's cluster host, which clients call. */
  public readonly host: string;
  /** The namespace of the Service. */
  public readonly namespaceName: string;
  /** Where the Service points: an external name or addresses. */
  public readonly target: KubernetesExternalTarget;
  /** The Service's ports. */
  public readonly ports: ExternalPort[];
  /** The addresses behind the Service, when the target is `fromAddresses`. */
  public readonly endpointSlice?: kplus.k8s.KubeEndpointSlice;

  public constructor(scope: Construct, id: string, props: KubernetesExternalServiceProps) {
    super(scope, id);
    const path = this.node.path;
    this.namespaceName = namespaceOf(this, props.metadata?.namespace, 'a KubernetesExternalService');
    validateAtSynth(this);
    this.target = props.target;
    this.ports = [...props.ports];
    const { externalName, addresses } = props.target;
    if (props.ports.length === 0) {
      throw new Error(`${path}: a KubernetesExternalService needs at least one port, e.g. ExternalPort.http()`);
    }
    props.ports.forEach(port => port.check(path));
    if (externalName !== undefined) {
      if (Ip.isAddress(externalName)) {
        throw new Error(`${path}: ExternalName '${externalName}' is an IP address; Kubernetes answers an ExternalName `
          + 'with a CNAME, which must be a host name. Use KubernetesExternalTarget.fromAddresses() for IPs');
      }
      checkHostname(externalName, path, 'externalName');
    }
    for (const address of addresses ?? []) {
      if (!Ip.isAddress(address)) {
        throw new Error(`${path}: endpoint address '${address}' is not an IP address; Kubernetes endpoints hold IPs only. `
          + 'Use KubernetesExternalTarget.fromExternalName() for a host name');
      }
    }
    if (addresses && addresses.length === 0) {
      throw new Error(`${path}: KubernetesExternalTarget.fromAddresses() needs at least one IP address`);
    }
    const ipv6 = addresses?.map(a => a.includes(':'));
    if (ipv6 && new Set(ipv6).size > 1) {
      throw new Error(`${path}: addresses mix IPv4 and IPv6; an EndpointSlice holds one family, so use two services`);
    }

    this.service = new kplus.k8s.KubeService(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespaceName },
      spec: {
        type: externalName !== undefined ? 'ExternalName' : 'ClusterIP',
        externalName,
        ports: [...props.ports].sort((a, b) => a.number - b.number).map(p => ({ name: p.name, port: p.number, protocol: 'TCP' })),
      },
    });
    this.host = (props.mesh ?? IstioMesh.DEFAULT).serviceHost(this.service.name, this.namespaceName);

    if (addresses) {
      // The EndpointSlice is tied to its Service by this label; without a selector Kubernetes makes none itself.
      this.endpointSlice = new kplus.k8s.KubeEndpointSlice(this, 'Endpoints', {
        metadata: { name: this.service.name, namespace: this.namespaceName, labels: { 'kubernetes.io/service-name': this.service.name } },
        addressType: ipv6![0] ? 'IPv6' : 'IPv4',
        endpoints: [...addresses].sort().map(address => ({ addresses: [address] })),
        ports: props.ports.map(p => ({ name: p.name, port: p.number, protocol: 'TCP' })),
      });
    }

    new networking.DestinationRule(this, 'MutualTlsOff', {
      metadata: { name: this.service.name, namespace: this.namespaceName },
      spec: Lazy.any({
        produce: (): networking.DestinationRuleSpec => ({
          host: this.host,
          trafficPolicy: { tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.DISABLE } },
        }),
      }),
    });
  }
}
