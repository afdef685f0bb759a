import * as kplus from 'cdk8s-plus-28';
import { ClusterServices, ISTIOD_XDS_PORT } from '../../private/cluster-services';
import { canonical } from '../../private/collections';
import { METRICS_PORTS, STATUS_PORT } from '../../private/proxy-ports';

type Peer = kplus.k8s.NetworkPolicyPeer;
type Port = kplus.k8s.NetworkPolicyPort;
type EgressRule = kplus.k8s.NetworkPolicyEgressRule;
type IngressRule = kplus.k8s.NetworkPolicyIngressRule;

const NAME_LABEL = kplus.Namespace.NAME_LABEL;

/**
 * NetworkPolicy specs rendered from final intent. cdk8s-plus' `NetworkPolicy` renders each rule when it is added,
 * which would make a policy depend on the order of calls (a namespace locked later would be missing from the peers
 * of one locked earlier); these build the same shapes at synth, in a canonical order.
 */
export class NetworkPolicyRender {
  /** Pods with `labels` (every pod when omitted) in the namespace named `namespace`. */
  public static podsIn(namespace: string, labels?: { [key: string]: string }): Peer {
    return { namespaceSelector: { matchLabels: { [NAME_LABEL]: namespace } }, podSelector: { matchLabels: labels } };
  }

  /** Every pod in each named namespace, one peer per namespace (a selector cannot hold several names), sorted. */
  public static namespaces(names: Iterable<string>): Peer[] {
    return [...new Set(names)].sort().map(name => ({ namespaceSelector: { matchLabels: { [NAME_LABEL]: name } } }));
  }

  /** An address block with exceptions. */
  public static ipBlock(cidr: string, except: string[]): Peer {
    return { ipBlock: { cidr, except: except.length > 0 ? except : undefined } };
  }

  /**
   * A cdk8s-plus peer, rendered as cdk8s-plus renders it (`NetworkPolicy.addEgressRule`): an address block, or pods
   * selected by labels in the namespaces it names (one peer per name) or selects.
   */
  public static kplusPeer(peer: kplus.INetworkPolicyPeer): Peer[] {
    const config = peer.toNetworkPolicyPeerConfig();
    if (config.ipBlock) return [{ ipBlock: config.ipBlock._toKube() }];
    const pods = config.podSelector!;
    const podSelector = pods.labelSelector._toKube();
    const namespaceSelector = pods.namespaces?.labelSelector?._toKube();
    if (!pods.namespaces?.names) return [{ namespaceSelector, podSelector }];
    return pods.namespaces.names.map(name => ({
      podSelector,
      namespaceSelector: {
        matchExpressions: namespaceSelector?.matchExpressions,
        matchLabels: { ...namespaceSelector?.matchLabels, [NAME_LABEL]: name },
      },
    }));
  }

  /** DNS (UDP and TCP: large answers fall back to TCP) and istiod, which every proxy needs to start. */
  public static infrastructure(services: ClusterServices): EgressRule[] {
    const { dns, controlPlane } = services;
    return [
      {
        to: [NetworkPolicyRender.podsIn(dns.namespaceName, dns.podLabels)],
        ports: [NetworkPolicyRender.udp(dns.port), ...NetworkPolicyRender.tcp([dns.port])],
      },
      { to: [NetworkPolicyRender.podsIn(controlPlane.namespaceName, controlPlane.podLabels)], ports: NetworkPolicyRender.tcp([ISTIOD_XDS_PORT]) },
    ];
  }

  /**
   * An ingress gateway's pods confined to the mesh: in from anywhere on its listeners' pod ports and the health port,
   * from `metricsNamespaces` on the metrics ports; out only to DNS, istiod and the pods of `backends`.
   */
  public static confinedIngressGateway(intent: {
    readonly podLabels: { [key: string]: string };
    readonly listenerPodPorts: number[];
    readonly metricsNamespaces: string[];
    readonly services: ClusterServices;
    readonly backends: Array<{ namespaceName: string; labels?: { [key: string]: string }; port?: number }>;
  }): kplus.k8s.NetworkPolicySpec {
    const ingress: IngressRule[] = [{ ports: NetworkPolicyRender.tcp([...intent.listenerPodPorts, STATUS_PORT]) }];
    if (intent.metricsNamespaces.length > 0) {
      ingress.push({ from: NetworkPolicyRender.namespaces(intent.metricsNamespaces), ports: NetworkPolicyRender.tcp(METRICS_PORTS) });
    }
    return {
      podSelector: { matchLabels: intent.podLabels },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [
        ...NetworkPolicyRender.infrastructure(intent.services),
        ...NetworkPolicyRender.canonical(intent.backends.map(b => ({
          to: [NetworkPolicyRender.podsIn(b.namespaceName, b.labels)],
          ports: b.port === undefined ? undefined : NetworkPolicyRender.tcp([b.port]),
        }))),
      ],
    };
  }

  /** TCP ports, unique and sorted. */
  public static tcp(ports: Iterable<number>): Port[] {
    return [...new Set(ports)].sort((a, b) => a - b).map(port => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' }));
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return { port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'UDP' };
  }

  /** Rules sorted by their rendered form, duplicates dropped: rules are alternatives, so order carries no meaning. */
  public static canonical<T extends EgressRule | IngressRule>(rules: T[]): T[] {
    return canonical(rules);
  }
}
