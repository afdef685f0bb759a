import * as kplus from 'cdk8s-plus-28';
import { Ip } from '../private/ip';
import { peerSelectsPod, selectorMatches } from '../private/label-selector';

/**
 * A pod, as NetworkPolicies see it: a namespace and labels.
 */
export interface PodIdentity {
  /** The pod's namespace. */
  readonly namespaceName: string;
  /** A name for reports (the workload's). */
  readonly name: string;
  /** The pod's labels. */
  readonly labels: { [key: string]: string };
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const NAME_LABEL = kplus.Namespace.NAME_LABEL;

/**
 * Answers, from synthesized manifests alone, which pods Kubernetes NetworkPolicies let reach an address or another
 * pod on a port: the proof, in a unit test, that a lockdown leaves only the gateway a way out.
 *
 * It implements the NetworkPolicy semantics of the `networking.k8s.io/v1` API: a pod is isolated for a direction
 * when a policy in its namespace selects it with that policy type; an isolated pod's traffic is allowed when some
 * selecting policy has a rule whose peers and ports match. `ipBlock` peers match addresses, pod and namespace
 * selectors match pods (their IPs are not known offline). Named ports are not supported (this library emits none).
 */
export class Reachability {
  /**
   * Reads NetworkPolicies, Namespaces (for their labels) and the pods of workloads (Deployments, StatefulSets,
   * DaemonSets, ReplicaSets, Jobs, Pods) from manifests. Add pods that run but are not in the manifests (an
   * istioctl-installed gateway) with `addPod`.
   */
  public static of(manifests: any[]): Reachability {
    return new Reachability(manifests);
  }

  private readonly policies: any[];
  private readonly namespaceLabels = new Map<string, { [key: string]: string }>();
  private readonly _pods: PodIdentity[] = [];

  private constructor(manifests: any[]) {
    this.policies = manifests.filter(m => m?.kind === 'NetworkPolicy');
    for (const m of manifests) {
      if (m?.kind === 'Namespace') {
        this.namespaceLabels.set(m.metadata.name, { ...m.metadata.labels, [NAME_LABEL]: m.metadata.name });
      } else if (m?.kind === 'Pod') {
        this.addPod({ namespaceName: m.metadata.namespace ?? 'default', name: m.metadata.name, labels: m.metadata.labels ?? {} });
      } else if (WORKLOAD_KINDS.has(m?.kind) && m.spec?.template) {
        const labels = m.spec.template.metadata?.labels ?? {};
        this.addPod({ namespaceName: m.metadata.namespace ?? 'default', name: m.metadata.name, labels });
      }
    }
  }

  /** Every pod known (a copy). */
  public get pods(): PodIdentity[] {
    return [...this._pods];
  }

  /** Adds a pod that is not in the manifests. */
  public addPod(pod: PodIdentity): void {
    this._pods.push(pod);
  }

  /** The known pods that may open a connection to `address` (an IPv4 or IPv6 address) on `port`. */
  public podsReachingAddress(address: string, port: number, protocol: string = 'TCP'): PodIdentity[] {
    return this._pods.filter(pod => this.canReachAddress(pod, address, port, protocol));
  }

  /** Whether `pod` may open a connection to `address` (an IP address outside the pod network) on `port`. */
  public canReachAddress(pod: PodIdentity, address: string, port: number, protocol: string = 'TCP'): boolean {
    if (!Ip.isAddress(address)) throw new Error(`'${address}' is not an IP address`);
    return this.allowed(pod, 'Egress', rule => peersMatch(rule.to, peer => peer.ipBlock !== undefined && inBlock(address, peer.ipBlock))
      && portsMatch(rule.ports, port, protocol));
  }

  /** Whether `from` may connect to `to` on `port` (the pod port): egress from `from` and ingress to `to` both allow it. */
  public canReachPod(source: PodIdentity, destination: PodIdentity, port: number, protocol: string = 'TCP'): boolean {
    const egress = this.allowed(source, 'Egress', rule =>
      peersMatch(rule.to, peer => this.peerSelectsPod(peer, source.namespaceName, destination)) && portsMatch(rule.ports, port, protocol));
    const ingress = this.allowed(destination, 'Ingress', rule =>
      peersMatch(rule.from, peer => this.peerSelectsPod(peer, destination.namespaceName, source)) && portsMatch(rule.ports, port, protocol));
    return egress && ingress;
  }

  /** Not isolated for `direction`, or some selecting policy has a matching rule. */
  private allowed(pod: PodIdentity, direction: 'Egress' | 'Ingress', ruleMatches: (rule: any) => boolean): boolean {
    const selecting = this.policies.filter(p => (p.metadata.namespace ?? 'default') === pod.namespaceName
      && policyTypes(p).includes(direction)
      && selectorMatches(p.spec?.podSelector ?? {}, pod.labels));
    if (selecting.length === 0) return true;
    const rulesKey = direction === 'Egress' ? 'egress' : 'ingress';
    return selecting.some(p => (p.spec?.[rulesKey] ?? []).some(ruleMatches));
  }

  private peerSelectsPod(peer: any, policyNamespace: string, pod: PodIdentity): boolean {
    const namespaceLabels = this.namespaceLabels.get(pod.namespaceName) ?? { [NAME_LABEL]: pod.namespaceName };
    return peerSelectsPod(peer, policyNamespace, pod.namespaceName, namespaceLabels, pod.labels);
  }
}

function policyTypes(policy: any): string[] {
  if (policy.spec?.policyTypes) return policy.spec.policyTypes;
  return policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** An absent or empty peer list matches every peer. */
function peersMatch(peers: any[] | undefined, matches: (peer: any) => boolean): boolean {
  return !peers || peers.length === 0 || peers.some(matches);
}

/** An absent or empty port list matches every port. */
function portsMatch(ports: any[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(p => (p.protocol ?? 'TCP') === protocol
    && (p.port === undefined || (p.endPort !== undefined ? port >= p.port && port <= p.endPort : p.port === port)));
}

/** The address lies in the block and in none of its exceptions (an address of the other family never matches). */
function inBlock(address: string, block: { cidr: string; except?: string[] }): boolean {
  return Ip.contains(block.cidr, address) && !(block.except ?? []).some(e => Ip.contains(e, address));
}
