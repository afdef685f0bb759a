import { Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IEgressGateway, IEgressLockdown, IEgressRoute } from './egress-contracts';
import * as networking from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';
import { ClusterDnsOptions, ControlPlaneOptions } from '../mesh/cluster-services';
import { AppRegistry } from '../private/app-registry';
import { ClusterServices, resolveClusterServices } from '../private/cluster-services';
import { podPortOf } from '../private/gateway-ports';
import { Ip } from '../private/ip';
import { checkNamespaceName } from '../private/kubernetes-names';
import { Names } from '../private/names';
import { METRICS_PORTS } from '../private/proxy-ports';
import { validateAtSynth } from '../private/synth-validation';
import { renderLockdownSidecar } from '../render/istio/sidecar';
import { NetworkPolicyRender } from '../render/kubernetes/network-policy';

/**
 * Properties of a `MeshEgressLockdown`.
 */
export interface MeshEgressLockdownProps {
  /** The egress gateway that becomes the only way out. */
  readonly gateway: IEgressGateway;
  /** The application namespaces to lock down. More can be added with `addNamespace`. */
  readonly namespaces: string[];
  /**
   * The name of the NetworkPolicy and the Sidecar in each locked namespace.
   * @default 'egress-lockdown'
   */
  readonly name?: string;
  /**
   * Namespaces deliberately left unlocked (they keep direct egress). Naming them makes the decision explicit and
   * lets synth reject contradictions: a namespace both locked and exempt, a grant to an exempt namespace.
   * @default - none
   */
  readonly exemptNamespaces?: string[];
  /**
   * Where the cluster DNS runs.
   * @default - kube-dns pods in kube-system on port 53
   */
  readonly dns?: ClusterDnsOptions;
  /**
   * Where istiod runs.
   * @default - istiod pods in the mesh's root namespace
   */
  readonly controlPlane?: ControlPlaneOptions;
  /**
   * Address ranges the gateway may never reach, in addition to the default ones (`MeshEgressLockdown.DENIED_CIDRS`:
   * the RFC 1918 private ranges, 100.64.0.0/10 (carrier-grade NAT, used by some pod networks), 169.254.0.0/16
   * (link-local, where cloud metadata services answer), 168.63.129.16 (Azure's host endpoint), 0.0.0.0/8,
   * 198.18.0.0/15 (benchmarking) and 240.0.0.0/4 (reserved)): the cluster's pod, Service and node ranges if they
   * are public addresses. Each must be an IPv4 CIDR. Adding never removes a default.
   * @default - the defaults only
   */
  readonly privateCidrs?: string[];
  /**
   * Default-denied ranges the gateway may reach after all, each named exactly as in `DENIED_CIDRS` (e.g.
   * `100.64.0.0/10` where a provider serves real external hosts from it). This is the one way to narrow the deny
   * list, kept apart from `privateCidrs` so that it reads as what it is.
   * @default - none: every default range stays denied
   */
  readonly unsafeReachableCidrs?: string[];
  /**
   * Emit the locked namespaces as Namespace objects, labelled for sidecar injection (`istio.io/rev: <revision>`
   * with a revisioned mesh, `istio-injection: enabled` otherwise), ahead of the lockdown's other objects. Off by
   * default: namespaces usually belong to the teams or tools that create them, and an object owned by the lockdown
   * is deleted with it (and everything in the namespace with it).
   * @default false
   */
  readonly createNamespaces?: boolean;
  /**
   * Namespaces whose pods may scrape the gateway's metrics (ports 15020 and 15090).
   * @default - none
   */
  readonly metricsNamespaces?: string[];
}


/** A peer `allowInCluster` opened, rendered when it was given (a cdk8s-plus peer is fixed once made). */
interface InClusterRule {
  readonly to: kplus.k8s.NetworkPolicyPeer[];
  readonly ports?: kplus.k8s.NetworkPolicyPort[];
}

/**
 * Makes an egress gateway the only way out of a set of namespaces, per namespace and per identity.
 *
 * Istio's REGISTRY_ONLY outbound policy is not a security boundary: a pod can bypass its sidecar (UID 1337,
 * `sidecar.istio.io/inject: "false"`, `excludeOutboundIPRanges`), and the gateway itself ignores it. Enforcement
 * here comes from Kubernetes NetworkPolicy plus authorization at the gateway:
 *
 * - per application namespace, a `Sidecar` with REGISTRY_ONLY whose egress hosts list only what the namespace uses,
 *   and a NetworkPolicy that denies all egress but DNS, istiod and the other locked namespaces (the way to the
 *   gateway is opened per workload by `EgressRoute.grantEgress`); both are named `name` (`egress-lockdown`);
 * - for the gateway pods, a NetworkPolicy that lets them reach the internet (minus `privateCidrs`) only on the ports
 *   their routes dial, and be reached only from the locked namespaces (and metrics scrapers);
 * - an allow-nothing AuthorizationPolicy scoped to the gateway's pods (never selector-less in the root namespace,
 *   which would deny the whole mesh), so a client passes only with a grant.
 *
 * Every list in these objects (locked namespaces, peers, ports, Sidecar hosts) is rendered at synth from the final
 * namespaces, routes and grants, so a namespace locked after a route or a grant is covered like the others.
 * NetworkPolicy needs a CNI that enforces it; without one these objects are accepted and do nothing.
 */
export class MeshEgressLockdown extends Construct implements IEgressLockdown {
  /** The ranges the gateway may never reach unless `unsafeReachableCidrs` names them. */
  public static readonly DENIED_CIDRS: string[] = [
    '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '168.63.129.16/32', '169.254.0.0/16', '172.16.0.0/12',
    '192.168.0.0/16', '198.18.0.0/15', '240.0.0.0/4',
  ];

  /** The egress gateway that becomes the only way out. */
  public readonly gateway: IEgressGateway;
  /** The name of the NetworkPolicy and the Sidecar in each locked namespace. */
  public readonly name: string;

  private readonly locked = new Set<string>();
  private readonly exempt: Set<string>;
  private readonly clusterServices: ClusterServices;
  private readonly privateCidrs: string[];
  private readonly metricsNamespaces: string[];
  private readonly inCluster: InClusterRule[] = [];
  private readonly createNamespaces: boolean;
  private readonly deniesGatewayNamespace: boolean;

  public constructor(scope: Construct, id: string, props: MeshEgressLockdownProps) {
    super(scope, id);
    const gateway = props.gateway;
    this.gateway = gateway;
    this.name = props.name ?? 'egress-lockdown';
    if (!Names.isDns1123Subdomain(this.name)) {
      throw new Error(`${this.node.path}: name '${this.name}' is not a DNS-1123 subdomain; it names a NetworkPolicy and a Sidecar`);
    }
    this.exempt = new Set(props.exemptNamespaces ?? []);
    this.clusterServices = resolveClusterServices(this.node.path, gateway.mesh.rootNamespace, props.dns, props.controlPlane);
    this.privateCidrs = this.deniedCidrs(props.privateCidrs ?? [], props.unsafeReachableCidrs ?? []);
    this.metricsNamespaces = [...props.metricsNamespaces ?? []];
    this.checkOptions();
    this.createNamespaces = props.createNamespaces ?? false;

    // Named after the gateway whose pods they govern, in the gateway's namespace.
    new kplus.k8s.KubeNetworkPolicy(this, 'GatewayPolicy', {
      metadata: { name: gateway.name, namespace: gateway.namespaceName },
      spec: Lazy.any({ produce: () => this.renderGatewayPolicy() }),
    });
    // Allow nothing: with this policy on the gateway pods, a request passes only if a grant's ALLOW rule matches.
    new security.AuthorizationPolicy(this, 'DenyByDefault', {
      metadata: { name: `${gateway.name}-deny-by-default`, namespace: gateway.namespaceName },
      spec: { selector: { matchLabels: gateway.podLabels } },
    });

    // Other pods of the gateway's namespace get default-deny egress too, with DNS and istiod; the gateway's own
    // policy adds its way out (NetworkPolicies are additive). Not where the control plane or DNS runs, which a
    // default-deny would cut off (an istioctl gateway lives in istio-system).
    this.deniesGatewayNamespace = !this.infrastructureNamespaces().has(gateway.namespaceName);
    if (this.deniesGatewayNamespace) {
      new kplus.k8s.KubeNetworkPolicy(this, 'GatewayNamespacePolicy', {
        metadata: { name: this.name, namespace: gateway.namespaceName },
        spec: Lazy.any({
          produce: (): kplus.k8s.NetworkPolicySpec => ({ podSelector: {}, policyTypes: ['Egress'], egress: NetworkPolicyRender.infrastructure(this.clusterServices) }),
        }),
      });
    }

    props.namespaces.forEach(ns => this.addNamespace(ns));
    gateway.routing.bindLockdown(this);
    AppRegistry.of(this).join<MeshEgressLockdown>('egress-lockdowns', this, this, checkOneLockdownPerNamespace);
    validateAtSynth(this);
    this.node.addValidation({ validate: () => this.validate() });
  }

  /** The locked namespaces, sorted (a copy). */
  public get namespaces(): string[] {
    return [...this.locked].sort();
  }

  /** The namespaces deliberately left unlocked, sorted (a copy). */
  public get exemptNamespaces(): string[] {
    return [...this.exempt].sort();
  }

  public get egressDeniedNamespaces(): string[] {
    return [...new Set([...this.locked, ...this.deniesGatewayNamespace ? [this.gateway.namespaceName] : []])].sort();
  }

  /**
   * Locks one more namespace: REGISTRY_ONLY for its sidecars, and no egress but DNS, istiod, the other locked
   * namespaces, and what grants open.
   */
  public addNamespace(namespaceName: string): void {
    checkNamespaceName(this.node.path, '', namespaceName);
    if (this.exempt.has(namespaceName)) {
      throw new Error(`${this.node.path}: namespace '${namespaceName}' is both locked and exempt; remove it from one of `
        + '`namespaces` and `exemptNamespaces`');
    }
    if (namespaceName === this.gateway.namespaceName) {
      throw new Error(`${this.node.path}: namespace '${namespaceName}' holds the egress gateway, which must reach the `
        + 'internet; lock the application namespaces, not the gateway\'s');
    }
    const infrastructure = this.infrastructureNamespaces();
    if (infrastructure.has(namespaceName)) {
      throw new Error(`${this.node.path}: namespace '${namespaceName}' holds ${infrastructure.get(namespaceName)}: locking it `
        + 'would cut them off for the whole mesh; lock the application namespaces only');
    }
    if (this.locked.has(namespaceName)) {
      throw new Error(`${this.node.path}: namespace '${namespaceName}' is already locked`);
    }
    this.locked.add(namespaceName);
    const policy = new kplus.k8s.KubeNetworkPolicy(this, `NetworkPolicy-${namespaceName}`, {
      metadata: { name: this.name, namespace: namespaceName },
      spec: Lazy.any({ produce: () => this.renderNamespacePolicy() }),
    });
    const sidecar = new networking.Sidecar(this, `Sidecar-${namespaceName}`, {
      metadata: { name: this.name, namespace: namespaceName },
      spec: Lazy.any({ produce: () => renderLockdownSidecar(this.sidecarHosts(namespaceName)) }),
    });
    if (this.createNamespaces) {
      const revision = this.gateway.mesh.revision;
      const namespace = new kplus.k8s.KubeNamespace(this, `Namespace-${namespaceName}`, {
        metadata: {
          name: namespaceName,
          labels: revision === undefined ? { 'istio-injection': 'enabled' } : { 'istio.io/rev': revision },
        },
      });
      // Cluster-scoped: cdk8s would give it the chart's namespace.
      if (Chart.of(this).namespace !== undefined) namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      // A namespace must exist before what lives in it: cdk8s writes an object's dependencies before it.
      policy.node.addDependency(namespace);
      sidecar.node.addDependency(namespace);
    }
  }

  /**
   * Lets every locked namespace, including those locked later, reach in-cluster peers outside the locked set (a
   * database namespace, a shared service), on the given ports. Name ports explicitly; never
   * `NetworkPolicyPort.allTcp()`, which renders the `port: 0` the API server rejects.
   */
  public allowInCluster(peer: kplus.INetworkPolicyPeer, ports?: kplus.NetworkPolicyPort[]): void {
    const to = NetworkPolicyRender.kplusPeer(peer);
    if (to.some(p => p.ipBlock)) {
      throw new Error(`${this.node.path}: allowInCluster takes pods or namespaces, and ${peer.node.path} is an address block `
        + `(${to[0].ipBlock!.cidr}), which may reach outside the cluster and around the gateway; select the peers by `
        + 'namespace or labels, and route external addresses through the gateway');
    }
    this.inCluster.push({ to, ports: ports && ports.map(p => p._toKube()) });
  }

  /**
   * The namespaces whose pods the whole mesh needs, by what they hold: never locked, never default-denied. Later
   * entries win: kube-system usually holds the DNS too, which says more.
   */
  private infrastructureNamespaces(): Map<string, string> {
    return new Map([
      ['kube-system', 'the cluster\'s own components'],
      [this.clusterServices.controlPlane.namespaceName, 'istiod, which must reach the Kubernetes API and every proxy'],
      [this.clusterServices.dns.namespaceName, 'the cluster DNS, which must reach upstream resolvers'],
    ]);
  }

  /** Deny all egress but DNS, istiod, every locked namespace and the in-cluster peers. */
  private renderNamespacePolicy(): kplus.k8s.NetworkPolicySpec {
    return {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        ...NetworkPolicyRender.infrastructure(this.clusterServices),
        { to: NetworkPolicyRender.namespaces(this.locked) },
        ...NetworkPolicyRender.canonical(this.inCluster.map(rule => ({ to: rule.to, ports: rule.ports }))),
      ],
    };
  }

  /**
   * The gateway's way in, from locked namespaces on the pod ports its routes use, and its way out, to the internet
   * minus the private ranges on the ports it dials.
   */
  private renderGatewayPolicy(): kplus.k8s.NetworkPolicySpec {
    const legs = this.gateway.routing.routes.flatMap(route => route.legs());
    const podPorts = legs.map(leg => podPortOf(this.gateway, leg.port));
    const dialledPorts = legs.flatMap(leg => leg.dialledPorts);
    const ingress: kplus.k8s.NetworkPolicyIngressRule[] = [];
    if (legs.length > 0 && this.locked.size > 0) {
      ingress.push({ from: NetworkPolicyRender.namespaces(this.locked), ports: NetworkPolicyRender.tcp(podPorts) });
    }
    if (this.metricsNamespaces.length > 0) {
      ingress.push({ from: NetworkPolicyRender.namespaces(this.metricsNamespaces), ports: NetworkPolicyRender.tcp(METRICS_PORTS) });
    }
    return {
      podSelector: { matchLabels: this.gateway.podLabels },
      policyTypes: ['Egress', 'Ingress'],
      egress: [
        ...NetworkPolicyRender.infrastructure(this.clusterServices),
        ...legs.length > 0 ? [{ to: [NetworkPolicyRender.ipBlock('0.0.0.0/0', this.privateCidrs)], ports: NetworkPolicyRender.tcp(dialledPorts) }] : [],
      ],
      ingress: ingress.length > 0 ? ingress : undefined,
    };
  }

  /**
   * What one locked namespace's proxies see: its own namespace, the root namespace, the other locked namespaces,
   * the gateway, and the ServiceEntries and VirtualServices of the hosts granted to it. Those objects are exported
   * only to the namespaces granted them, so a namespace that holds them is imported whole (`egress-config/*`), which
   * shows exactly the granted hosts and keeps the list from growing with the allow-list. Where a grant covers only
   * some hosts of its ServiceEntry, the others would show too, so that namespace's granted hosts are listed one by one.
   */
  private sidecarHosts(namespaceName: string): string[] {
    const gateway = this.gateway;
    const granted = new Map<IEgressRoute, Set<string>>();
    for (const grant of gateway.routing.grants) {
      if (grant.grantee.toEgressGranteeConfig().namespaceName !== namespaceName) continue;
      const hosts = granted.get(grant.route) ?? new Set<string>();
      grant.hosts.forEach(host => hosts.add(host));
      granted.set(grant.route, hosts);
    }
    const partly = new Set<string>();
    for (const [route, hosts] of granted) {
      if (!route.serviceHosts.every(host => hosts.has(host))) partly.add(route.serviceNamespace).add(route.namespaceName);
    }
    const whole = new Set([this.clusterServices.controlPlane.namespaceName, ...this.locked]);
    const entries: string[] = [];
    for (const [route, hosts] of granted) {
      for (const namespace of [route.serviceNamespace, route.namespaceName]) {
        if (!partly.has(namespace)) whole.add(namespace);
        else hosts.forEach(host => entries.push(`${namespace}/${host}`));
      }
    }
    // The own namespace is spelled `.`; a namespace imported whole already holds the gateway's Service, and istiod
    // warns about an entry another one covers.
    whole.delete(namespaceName);
    if (!whole.has(gateway.namespaceName)) entries.push(`${gateway.namespaceName}/${gateway.serviceHost}`);
    return ['./*', ...[...whole].map(namespace => `${namespace}/*`), ...entries.filter(entry => !whole.has(entry.split('/')[0]))];
  }

  /** The grants through the gateway must come from locked namespaces, or they only pretend to control egress. */
  private validate(): string[] {
    if (this.locked.size === 0) return ['a MeshEgressLockdown needs at least one namespace to lock'];
    const errors: string[] = [];
    for (const grant of this.gateway.routing.grants) {
      const namespace = grant.grantee.toEgressGranteeConfig().namespaceName;
      if (this.exempt.has(namespace)) {
        errors.push(`${grant.route.node.path}: namespace '${namespace}' is exempt from lockdown ${this.node.path}: its pods `
          + 'leave directly, so a grant would only pretend to control them; lock the namespace or drop the grant');
      } else if (!this.locked.has(namespace)) {
        errors.push(`${grant.route.node.path}: namespace '${namespace}' is not locked by ${this.node.path} (locked: `
          + `${this.namespaces.join(', ')}); add it with addNamespace so the grant is the only way out`);
      }
    }
    return errors;
  }

  /** What the API server would reject in the metrics option (the DNS and control-plane ones are resolved apart). */
  private checkOptions(): void {
    this.metricsNamespaces.forEach(namespace => checkNamespaceName(this.node.path, 'metricsNamespaces', namespace));
  }


  /** The defaults plus `extra`, minus what `unsafeReachable` names; each checked, sorted, unique. */
  private deniedCidrs(extra: string[], unsafeReachable: string[]): string[] {
    for (const cidr of [...extra, ...unsafeReachable]) {
      if (!Ip.isCidr(cidr) || cidr.includes(':')) {
        throw new Error(`${this.node.path}: CIDR '${cidr}' is not an IPv4 CIDR like 10.0.0.0/8`);
      }
      const network = Ip.networkOf(cidr);
      if (network) {
        throw new Error(`${this.node.path}: CIDR '${cidr}' has host bits set; did you mean ${network}?`);
      }
    }
    for (const cidr of unsafeReachable) {
      if (!MeshEgressLockdown.DENIED_CIDRS.includes(cidr)) {
        throw new Error(`${this.node.path}: unsafeReachableCidrs entry '${cidr}' is not a default-denied range; name one of `
          + `${MeshEgressLockdown.DENIED_CIDRS.join(', ')} exactly (nothing else is denied by default)`);
      }
    }
    const denied = new Set([...MeshEgressLockdown.DENIED_CIDRS, ...extra]);
    unsafeReachable.forEach(cidr => denied.delete(cidr));
    return [...denied].sort();
  }
}

/**
 * Two lockdowns over one namespace would emit two selector-less Sidecars there (istiod picks one: `istioctl analyze`
 * IST0110) and two policies of the same name.
 */
function checkOneLockdownPerNamespace(lockdowns: MeshEgressLockdown[]): string[] {
  const owner = new Map<string, MeshEgressLockdown>();
  const errors: string[] = [];
  for (const lockdown of lockdowns) {
    for (const namespace of lockdown.namespaces) {
      const other = owner.get(namespace);
      if (other) {
        errors.push(`namespace '${namespace}' is locked by both ${other.node.path} and ${lockdown.node.path}: a namespace `
          + 'has one Sidecar and one way out; lock it in one MeshEgressLockdown');
      } else {
        owner.set(namespace, lockdown);
      }
    }
  }
  return errors;
}
