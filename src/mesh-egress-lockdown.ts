import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { EgressGatewayBase, IEgressGateway } from './egress-gateway-base';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import { GatewayServerSpec } from './private/gateway-server';
import { ipv4ToNumber, numberToIpv4 } from './private/ipv4';
import { Names } from './validation/names';

/**
 * Where the cluster DNS runs. Every locked-down pod, and the gateway, must still resolve names.
 */
export interface ClusterDnsOptions {
  /**
   * Namespace of the DNS pods.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Labels of the DNS pods.
   * @default { 'k8s-app': 'kube-dns' } (CoreDNS and kube-dns on most distributions)
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The DNS pods' port: NetworkPolicies match the pod port, and some clusters serve DNS on 8053 behind the
   * Service's 53.
   * @default 53
   */
  readonly port?: number;
}

/**
 * Where istiod runs. Sidecars and gateways fetch configuration and certificates from it on port 15012.
 */
export interface ControlPlaneOptions {
  /**
   * Namespace of istiod.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Labels of the istiod pods.
   * @default { app: 'istiod' }
   */
  readonly podLabels?: { [key: string]: string };
}

/**
 * Properties of a `MeshEgressLockdown`.
 */
export interface MeshEgressLockdownProps {
  /** The egress gateway that becomes the only way out. */
  readonly gateway: IEgressGateway;
  /** The application namespaces to lock down. More can be added with `addNamespace`. */
  readonly namespaces: string[];
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
   * @default - istiod pods in istio-system
   */
  readonly controlPlane?: ControlPlaneOptions;
  /**
   * Address ranges the gateway may never reach even on route ports: the cluster's pod and Service ranges, the
   * node network, cloud metadata endpoints. Each must be an IPv4 CIDR.
   * @default - the RFC 1918 private ranges, 100.64.0.0/10 (carrier-grade NAT, used by some pod networks) and
   * 169.254.0.0/16 (link-local, where cloud metadata services answer)
   */
  readonly privateCidrs?: string[];
  /**
   * Namespaces whose pods may scrape the gateway's metrics (ports 15020 and 15090).
   * @default - none
   */
  readonly metricsNamespaces?: string[];
}

const DEFAULT_PRIVATE_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];
const ISTIOD_XDS_PORT = 15012;
const GATEWAY_METRICS_PORTS = [15020, 15090];

/**
 * Makes an egress gateway the only way out of a set of namespaces, per namespace and per identity.
 *
 * Istio's REGISTRY_ONLY outbound policy is not a security boundary: a pod can bypass its sidecar (UID 1337,
 * `sidecar.istio.io/inject: "false"`, `excludeOutboundIPRanges`), and the gateway itself ignores it. Enforcement
 * here comes from Kubernetes NetworkPolicy plus authorization at the gateway:
 *
 * - per application namespace, a `Sidecar` with REGISTRY_ONLY whose egress hosts list only what the namespace uses,
 *   and a NetworkPolicy that denies all egress but DNS, istiod and the other locked namespaces (the way to the
 *   gateway is opened per workload by `EgressRoute.grantEgress`);
 * - for the gateway pods, a NetworkPolicy that lets them reach the internet (minus `privateCidrs`) only on the ports
 *   their routes use, and be reached only from the locked namespaces (and metrics scrapers);
 * - an allow-nothing AuthorizationPolicy scoped to the gateway's pods (never selector-less in the root namespace,
 *   which would deny the whole mesh), so a client passes only with a grant.
 *
 * NetworkPolicy needs a CNI that enforces it; without one these objects are accepted and do nothing.
 */
export class MeshEgressLockdown extends Construct {
  /** The egress gateway that becomes the only way out. */
  public readonly gateway: IEgressGateway;

  private readonly namespaceNames: string[] = [];
  private readonly exempt: Set<string>;
  private readonly dns: Required<ClusterDnsOptions>;
  private readonly controlPlane: Required<ControlPlaneOptions>;
  private readonly gatewayPolicy: kplus.NetworkPolicy;
  private readonly lockedNamespaces: kplus.Namespaces;
  /** DNS and istiod, which every proxy needs to start: allowed from every locked namespace and the gateway. */
  private readonly dnsPods: kplus.Pods;
  private readonly istiodPods: kplus.Pods;
  private readonly sidecarHosts = new Map<string, Set<string>>();
  private readonly openedEgressPorts = new Set<number>();
  private readonly openedIngressPorts = new Set<number>();
  private readonly internet: kplus.NetworkPolicyIpBlock;
  private readonly namespacePolicies = new Map<string, kplus.NetworkPolicy>();

  public constructor(scope: Construct, id: string, props: MeshEgressLockdownProps) {
    super(scope, id);
    if (!(props.gateway instanceof EgressGatewayBase)) {
      throw new Error(`${this.node.path}: the gateway must be an EgressGateway or EgressGateway.fromExisting(...)`);
    }
    const gateway = props.gateway;
    this.gateway = gateway;
    this.exempt = new Set(props.exemptNamespaces ?? []);
    this.dns = {
      namespace: props.dns?.namespace ?? 'kube-system',
      podLabels: props.dns?.podLabels ?? { 'k8s-app': 'kube-dns' },
      port: props.dns?.port ?? 53,
    };
    this.controlPlane = {
      namespace: props.controlPlane?.namespace ?? 'istio-system',
      podLabels: props.controlPlane?.podLabels ?? { app: 'istiod' },
    };
    this.dnsPods = kplus.Pods.select(this, 'Dns', {
      labels: this.dns.podLabels,
      namespaces: kplus.Namespaces.select(this, 'DnsNamespace', { names: [this.dns.namespace] }),
    });
    this.istiodPods = kplus.Pods.select(this, 'Istiod', {
      labels: this.controlPlane.podLabels,
      namespaces: kplus.Namespaces.select(this, 'IstiodNamespace', { names: [this.controlPlane.namespace] }),
    });
    // Kept by reference in the selector, so namespaces added later are selected too.
    this.lockedNamespaces = kplus.Namespaces.select(this, 'LockedNamespaces', { names: this.namespaceNames });
    this.internet = kplus.NetworkPolicyIpBlock.ipv4(this, 'Internet', '0.0.0.0/0', this.checkCidrs(props.privateCidrs ?? DEFAULT_PRIVATE_CIDRS));

    this.gatewayPolicy = new kplus.NetworkPolicy(this, 'GatewayPolicy', {
      metadata: { namespace: gateway.namespace },
      selector: kplus.Pods.select(this, 'GatewayPods', { labels: gateway.podLabels }),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    this.allowInfrastructure(this.gatewayPolicy);
    if (props.metricsNamespaces && props.metricsNamespaces.length > 0) {
      this.gatewayPolicy.addIngressRule(
        kplus.Namespaces.select(this, 'Scrapers', { names: props.metricsNamespaces }),
        GATEWAY_METRICS_PORTS.map(p => kplus.NetworkPolicyPort.tcp(p)),
      );
    }

    // Allow nothing: with this policy on the gateway pods, a request passes only if a grant's ALLOW rule matches.
    new security.AuthorizationPolicy(this, 'DenyByDefault', {
      metadata: { namespace: gateway.namespace },
      spec: { selector: { matchLabels: gateway.podLabels } },
    });

    props.namespaces.forEach(ns => this.addNamespace(ns));
    gateway._setLockdown(this);
    gateway._onServer(server => this.openRoute(server));
    this.node.addValidation({
      validate: () => this.namespaceNames.length === 0 ? ['a MeshEgressLockdown needs at least one namespace to lock'] : [],
    });
  }

  /** The locked namespaces (a copy). */
  public get namespaces(): string[] {
    return [...this.namespaceNames];
  }

  /**
   * Locks one more namespace: REGISTRY_ONLY for its sidecars, and no egress but DNS, istiod, the other locked
   * namespaces, and what grants open.
   */
  public addNamespace(namespace: string): void {
    if (!Names.isDns1123Label(namespace)) {
      throw new Error(`${this.node.path}: '${namespace}' is not a namespace name (a lower-case DNS-1123 label)`);
    }
    if (this.exempt.has(namespace)) {
      throw new Error(`${this.node.path}: namespace '${namespace}' is both locked and exempt; remove it from one of `
        + '`namespaces` and `exemptNamespaces`');
    }
    if (namespace === this.gateway.namespace) {
      throw new Error(`${this.node.path}: namespace '${namespace}' holds the egress gateway, which must reach the `
        + 'internet; lock the application namespaces, not the gateway\'s');
    }
    if (this.namespacePolicies.has(namespace)) {
      throw new Error(`${this.node.path}: namespace '${namespace}' is already locked`);
    }
    this.namespaceNames.push(namespace);

    const policy = new kplus.NetworkPolicy(this, `Egress-${namespace}`, {
      metadata: { namespace },
      selector: kplus.Pods.all(this, `AllPods-${namespace}`),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    this.allowInfrastructure(policy);
    policy.addEgressRule(this.lockedNamespaces);
    this.namespacePolicies.set(namespace, policy);

    const hosts = new Set<string>(['./*', `${this.controlPlane.namespace}/*`]);
    // The control-plane entry already imports everything there; istiod warns about a duplicate.
    if (this.gateway.namespace !== this.controlPlane.namespace) hosts.add(`${this.gateway.namespace}/${this.gateway.serviceHost}`);
    this.sidecarHosts.set(namespace, hosts);
    new networking.Sidecar(this, `Sidecar-${namespace}`, {
      metadata: { namespace },
      spec: Lazy.any({
        produce: (): networking.SidecarSpec => ({
          outboundTrafficPolicy: { mode: networking.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
          egress: [{ hosts: [...hosts, ...this.namespaceNames.filter(n => n !== namespace).map(n => `${n}/*`)] }],
        }),
      }),
    });
  }

  /**
   * Lets every locked namespace reach in-cluster peers outside the locked set (a database namespace, a shared
   * service), on the given ports. Name ports explicitly; never `NetworkPolicyPort.allTcp()`, which renders the
   * `port: 0` the API server rejects.
   */
  public allowInCluster(peer: kplus.INetworkPolicyPeer, ports?: kplus.NetworkPolicyPort[]): void {
    this.namespacePolicies.forEach(policy => policy.addEgressRule(peer, ports));
  }

  /**
   * Checks a grant's namespace against the lockdown.
   * @internal
   */
  public _checkGrantNamespace(namespace: string, owner: IConstruct): void {
    if (this.exempt.has(namespace)) {
      throw new Error(`${owner.node.path}: namespace '${namespace}' is exempt from lockdown ${this.node.path}: its pods leave `
        + 'directly, so a grant would only pretend to control them; lock the namespace or drop the grant');
    }
    if (!this.namespaceNames.includes(namespace)) {
      throw new Error(`${owner.node.path}: namespace '${namespace}' is not locked by ${this.node.path} (locked: `
        + `${this.namespaceNames.join(', ')}); add it with addNamespace so the grant is the only way out`);
    }
  }

  /**
   * Makes an external host visible in a namespace's Sidecar.
   * @internal
   */
  public _addSidecarHost(namespace: string, host: string): void {
    this.sidecarHosts.get(namespace)?.add(host);
  }

  /** DNS (UDP and TCP: large answers fall back to TCP) and istiod, which every proxy needs to start. */
  private allowInfrastructure(policy: kplus.NetworkPolicy): void {
    policy.addEgressRule(this.dnsPods, [kplus.NetworkPolicyPort.udp(this.dns.port), kplus.NetworkPolicyPort.tcp(this.dns.port)]);
    policy.addEgressRule(this.istiodPods, [kplus.NetworkPolicyPort.tcp(ISTIOD_XDS_PORT)]);
  }


  /** Opens, for one route server, the gateway's way in (from locked namespaces) and way out (to the internet). */
  private openRoute(server: GatewayServerSpec): void {
    const podPort = this.gateway.targetPortOf(server.port) ?? server.port;
    if (!this.openedIngressPorts.has(podPort)) {
      this.openedIngressPorts.add(podPort);
      this.gatewayPolicy.addIngressRule(this.lockedNamespaces, [kplus.NetworkPolicyPort.tcp(podPort)]);
    }
    if (!this.openedEgressPorts.has(server.externalPort)) {
      this.openedEgressPorts.add(server.externalPort);
      this.gatewayPolicy.addEgressRule(this.internet, [kplus.NetworkPolicyPort.tcp(server.externalPort)]);
    }
  }

  private checkCidrs(cidrs: string[]): string[] {
    for (const cidr of cidrs) {
      const [base, bits] = cidr.split('/');
      const ip = ipv4ToNumber(base);
      if (ip === undefined || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) {
        throw new Error(`${this.node.path}: privateCidrs entry '${cidr}' is not an IPv4 CIDR like 10.0.0.0/8`);
      }
      const size = 2 ** (32 - Number(bits));
      if (ip % size !== 0) {
        throw new Error(`${this.node.path}: privateCidrs entry '${cidr}' has host bits set; did you mean `
          + `${numberToIpv4(ip - (ip % size))}/${bits}?`);
      }
    }
    return cidrs;
  }
}
