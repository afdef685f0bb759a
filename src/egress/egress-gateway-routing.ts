import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EgressLeg, IEgressGatewayBinding, IEgressGatewayRouting, IEgressGrant, IEgressLockdown, IEgressRoute } from './egress-contracts';
import { EgressGranteeConfig, IEgressGrantee } from './egress-grantee';
import { EgressRequestMatch } from './egress-request';
import { EgressTlsMode, GatewayHopTls } from './egress-tls';
import { checkGrantee } from './grantee-checks';
import * as networking from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';
import type { IstioMesh } from '../mesh/istio-mesh';
import { AppRegistry } from '../private/app-registry';
import { Components, groupBy, sortBy } from '../private/collections';
import { podPortOf } from '../private/gateway-ports';
import { HostShard, HostShards } from '../private/host-shards';
import { hopSni } from '../private/hostname';
import { labelsOverlap } from '../private/label-selector';
import { ObjectNames } from '../private/object-names';
import { ShardedObjects } from '../private/sharded-objects';
import { validateAtSynth } from '../private/synth-validation';
import {
  GatewayLegIntent, GrantRuleIntent, hopSubsetName, httpHostsOf, renderGatewayServers, renderGrantRules,
  renderHopDestinationRule, serverPortName,
} from '../render/istio/egress-gateway';
import { NetworkPolicyRender } from '../render/kubernetes/network-policy';

/** The gateway as the routing machinery needs to know it. */
export interface RoutedGateway extends Construct {
  readonly name: string;
  readonly namespaceName: string;
  readonly serviceHost: string;
  readonly podLabels: { [key: string]: string };
  readonly mesh: IstioMesh;
  targetPortOf(servicePort: number): number | undefined;
}

/** What differs between a gateway this app deploys and one it references. */
export interface GatewayCapabilities {
  /** Exposes a Service port, or throws (with `requester` in the message) when the gateway cannot. */
  exposePort(port: number, requester: string): void;
  /** Lets the gateway pods read `credentialName` Secrets. */
  readCredentials(): void;
}

/**
 * The routes, grants and lockdown of one egress gateway, and the objects rendered from them that its routes share:
 * the Istio `Gateway`s, the hop `DestinationRule`s and the ALLOW AuthorizationPolicies, each split into shards of
 * about 160 hosts (HostShards) so that no object grows with the allow-list, plus the grantees' client NetworkPolicies.
 * Deployed and referenced gateways both hold one as their `routing`, so the shared behaviour lives in one place
 * without a base class. Internal: constructs meet it through `IEgressGatewayRouting` and `IEgressGatewayBinding`.
 */
export class EgressGatewayRouting implements IEgressGatewayRouting {
  private readonly boundRoutes: IEgressRoute[] = [];
  private readonly boundGrants: Grant[] = [];
  /** By the grantee's scope construct when it has one (its labels may still change), else by its identity. */
  private readonly clients = new Map<unknown, ClientPolicy>();
  private boundLockdown?: IEgressLockdown;
  /** How the shared objects are split, worked out once per synth pass from the final intent. */
  private plan?: SharedObjectsPlan;

  public constructor(private readonly gateway: RoutedGateway, private readonly capabilities: GatewayCapabilities) {
    validateAtSynth(gateway);
    gateway.node.addValidation({ validate: () => this.validate() });
    AppRegistry.of(gateway).join<EgressGatewayRouting>('egress-gateways', gateway, this, checkAcrossGateways);
    // Registered before the objects below, so each pass plans before they are made from the plan.
    AppRegistry.of(gateway).beforeSynth(() => {
      this.plan = this.planSharedObjects();
    });
    const metadata = (name: string) => ({ name, namespace: gateway.namespaceName });
    new ShardedObjects(gateway, 'Gateway', () => [...this.currentPlan().servers.keys()], (scope, id, name) =>
      new networking.Gateway(scope, id, {
        metadata: metadata(name),
        spec: {
          selector: gateway.podLabels,
          servers: Lazy.any({ produce: () => renderGatewayServers(this.currentPlan().servers.get(name) ?? []) }),
        },
      }));
    new ShardedObjects(gateway, 'DestinationRule', () => [...this.currentPlan().hopSubsets.keys()], (scope, id, name) =>
      new networking.DestinationRule(scope, id, {
        metadata: metadata(name),
        spec: Lazy.any({
          produce: () => {
            const shard = this.currentPlan().hopSubsets.get(name)!;
            return renderHopDestinationRule(gateway.serviceHost, gateway.namespaceName, shard.legs, shard.visibleIn);
          },
        }),
      }));
    new ShardedObjects(gateway, 'Authorization', () => [...this.currentPlan().grantRules.keys()], (scope, id, name) =>
      new security.AuthorizationPolicy(scope, id, {
        metadata: metadata(name),
        spec: Lazy.any({
          produce: (): security.AuthorizationPolicySpec => ({
            selector: { matchLabels: gateway.podLabels },
            action: security.AuthorizationPolicySpecAction.ALLOW,
            rules: renderGrantRules(this.currentPlan().grantRules.get(name) ?? []),
          }),
        }),
      }));
  }

  /** The gateway this routing belongs to, for the checks across gateways. */
  public get owner(): RoutedGateway {
    return this.gateway;
  }

  public get routes(): IEgressRoute[] {
    return [...this.boundRoutes];
  }

  public get grants(): IEgressGrant[] {
    return [...this.boundGrants];
  }

  public get lockdown(): IEgressLockdown | undefined {
    return this.boundLockdown;
  }

  public bindLockdown(lockdown: IEgressLockdown): void {
    if (this.boundLockdown && this.boundLockdown !== lockdown) {
      throw new Error(`${lockdown.node.path}: egress gateway ${this.gateway.node.path} is already locked down by `
        + `${this.boundLockdown.node.path}; add the namespaces to that MeshEgressLockdown instead`);
    }
    this.boundLockdown = lockdown;
  }

  public bindRoute(route: IEgressRoute): IEgressGatewayBinding {
    if (!this.boundRoutes.includes(route)) this.boundRoutes.push(route);
    this.plan = undefined;
    return {
      gatewayRefOf: host => `${this.gateway.namespaceName}/${this.currentPlan().gatewayOfHost.get(host) ?? this.gateway.name}`,
      usePort: port => this.capabilities.exposePort(port, route.node.path),
      useCredentials: () => this.capabilities.readCredentials(),
      authorize: (grantee, hosts, request) => this.authorize(route, grantee, hosts, request),
    };
  }

  /**
   * This pass's plan; made on the spot when an object is rendered outside a synth (`ApiObject.toJson`) or after a
   * route or grant was added since the last pass.
   */
  private currentPlan(): SharedObjectsPlan {
    return this.plan ??= this.planSharedObjects();
  }

  /**
   * How the shared objects are split. The Gateways and the AuthorizationPolicies share one split of the hosts, so a
   * host's server and its grants' rules sit in objects of the same name. The hop subsets are split apart, per set of
   * namespaces that see them (hopVisibility).
   */
  private planSharedObjects(): SharedObjectsPlan {
    const routeLegs = this.routeLegs();
    const gatewayName = this.gateway.name;
    const nameOf = (prefix: string, shard: HostShard) => ObjectNames.subdomain(shard.id === '' ? prefix : `${prefix}-${shard.id}`);
    const legsOfHost = new Map<string, GatewayLegIntent[]>();
    const routeOfHost = new Map<string, IEgressRoute>();
    for (const route of this.boundRoutes) {
      for (const leg of routeLegs.get(route)!) {
        legsOfHost.set(leg.host, [...legsOfHost.get(leg.host) ?? [], legIntent(leg, route.namespaceName)]);
        routeOfHost.set(leg.host, route);
      }
    }
    const grantLegs = this.boundGrants.map(grant => ({ grant, legs: this.legsOf(grant, routeLegs) }));
    // A host weighs what it adds to the heavier of its two objects: its servers, or its entries in the grant rules,
    // where it appears once per group of grantees with the same hosts (renderGrantRules). Grantees with the same
    // hosts gateway-wide share a rule in every shard, so counting those groups bounds the rules a host is in.
    const ruleGroups = new Map<string, Set<string>>();
    for (const [signature, legs] of this.grantsByAccess(grantLegs)) {
      legs.forEach(leg => ruleGroups.set(leg.host, (ruleGroups.get(leg.host) ?? new Set()).add(signature)));
    }
    const weightOf = (host: string) => Math.max(
      (legsOfHost.get(host) ?? []).length * (2 * host.length + SERVER_BYTES),
      (ruleGroups.get(host)?.size ?? 0) * (2 * host.length + RULE_ENTRY_BYTES));
    const gatewayOfHost = new Map<string, string>();
    const servers = new Map<string, GatewayLegIntent[]>();
    for (const shard of HostShards.plan(legsOfHost.keys(), weightOf)) {
      const name = nameOf(gatewayName, shard);
      shard.hosts.forEach(host => gatewayOfHost.set(host, name));
      servers.set(name, shard.hosts.flatMap(host => legsOfHost.get(host)!));
    }
    const grantRules = new Map<string, GrantRuleIntent[]>();
    for (const { grant, legs } of grantLegs) {
      for (const [name, shardLegs] of groupBy(legs, leg => gatewayOfHost.get(leg.host)!)) {
        const rules = grantRules.get(name) ?? [];
        rules.push(this.ruleIntent(grant, shardLegs));
        grantRules.set(name, rules);
      }
    }
    const hopSubsets = new Map<string, { legs: GatewayLegIntent[]; visibleIn: string[] }>();
    for (const group of this.hopVisibility(legsOfHost, routeOfHost, grantLegs)) {
      const subsetLegs = (host: string) => legsOfHost.get(host)!.filter(leg => leg.istioMutualHop);
      const weigh = (host: string) => subsetLegs(host).length * (2 * host.length + SUBSET_BYTES);
      for (const shard of HostShards.plan(group.hosts, weigh)) {
        hopSubsets.set(nameOf(`${gatewayName}-hop-${group.id}`, shard), { legs: shard.hosts.flatMap(subsetLegs), visibleIn: group.visibleIn });
      }
    }
    const byName = <T>(map: Map<string, T>) => new Map(sortBy([...map], ([name]) => name));
    return { gatewayOfHost, servers, grantRules: byName(grantRules), hopSubsets: byName(hopSubsets) };
  }

  /** Each distinct access (the hosts and request conditions of an identity's grants) and the legs it covers. */
  private grantsByAccess(grantLegs: Array<{ grant: Grant; legs: EgressLeg[] }>): Map<string, EgressLeg[]> {
    const byIdentity = groupBy(grantLegs, ({ grant }) => JSON.stringify([identityKey(grant.config), grant.request ?? null]));
    const byAccess = new Map<string, EgressLeg[]>();
    for (const entries of byIdentity.values()) {
      const legs = entries.flatMap(entry => entry.legs);
      const access = ObjectNames.digest(JSON.stringify([legs.map(leg => `${leg.host}:${leg.port}`).sort(), entries[0].grant.request ?? null]));
      byAccess.set(access, legs);
    }
    return byAccess;
  }

  /**
   * Who must see each host's hop subset, in groups that never share a client namespace. A client proxy uses one
   * DestinationRule per host: istiod merges the rules for the gateway's Service only where their `exportTo` is the
   * same (`mergeDestinationRule`, pilot/pkg/model/destination_rule.go) and otherwise keeps the last one
   * (`SidecarScope.DestinationRule`, pilot/pkg/model/sidecar.go), so two rules of different visibility seen by one
   * namespace would lose one rule's subsets there (503 NC). Namespaces that need subsets of several groups join them.
   *
   * A host's subset is needed where a client may pass the gateway: the namespaces of its grants once the gateway
   * admits by grant, else everywhere the host is visible. Each group is also exported to the namespaces of its routes,
   * which hold the VirtualServices that name the subsets; a route namespace no grant names may see several groups,
   * and its pods, admitted by none, are refused whichever one istiod keeps.
   */
  private hopVisibility(legsOfHost: Map<string, GatewayLegIntent[]>, routeOfHost: Map<string, IEgressRoute>,
    grantLegs: Array<{ grant: Grant; legs: EgressLeg[] }>): HopGroup[] {
    const mutualHosts = new Map([...routeOfHost].filter(([host]) => legsOfHost.get(host)!.some(leg => leg.istioMutualHop)));
    if (mutualHosts.size === 0) return [];
    const byGrant = this.boundGrants.length > 0;
    const granted = new Map<string, Set<string>>();
    for (const { grant, legs } of grantLegs) {
      for (const leg of legs) granted.set(leg.host, (granted.get(leg.host) ?? new Set<string>()).add(grant.config.namespaceName));
    }
    const grantNamespaces = new Set([...granted.values()].flatMap(set => [...set]));
    const needing = new Map<string, string[]>();
    for (const [host, route] of mutualHosts) {
      const namespaces = byGrant ? [...granted.get(host) ?? []] : route.visibleNamespaces;
      // A route namespace that also holds grantees must not see two groups.
      if (grantNamespaces.has(route.namespaceName)) namespaces.push(route.namespaceName);
      needing.set(host, namespaces);
    }
    const everywhere = [...needing.values()].some(namespaces => namespaces.includes('*'));
    const connected = new Components();
    needing.forEach(namespaces => namespaces.forEach(namespace => connected.join(namespaces[0], namespace)));
    // Hosts no grant names form a group of their own, seen only where their routes are.
    const groups = everywhere
      ? [[...mutualHosts.keys()]]
      : [...groupBy([...mutualHosts.keys()], host => connected.find(needing.get(host)![0] ?? '')).values()];
    return groups.map(hosts => {
      const clients = everywhere ? ['*'] : [...new Set(hosts.flatMap(host => needing.get(host)!))].sort();
      const visibleIn = everywhere ? ['*'] : [...new Set([...clients, ...hosts.map(host => mutualHosts.get(host)!.namespaceName)])];
      // Named for whom it serves: the one namespace, or a digest of several; hosts no grant names are 'ungranted'.
      const id = clients.length === 0 ? 'ungranted' : clients.length === 1 ? clients[0] : ObjectNames.digest(clients.join(',')).slice(0, 6);
      return { id, hosts, visibleIn };
    });
  }

  private authorize(route: IEgressRoute, grantee: IEgressGrantee, hosts: string[] | undefined,
    request: EgressRequestMatch | undefined): IEgressGrant {
    const config = grantee.toEgressGranteeConfig();
    const client = this.clientPolicy(grantee, config);
    const grant = new Grant(route, grantee, hosts, request, client.policy);
    client.grants.push(grant);
    this.boundGrants.push(grant);
    this.plan = undefined;
    return grant;
  }

  /**
   * The NetworkPolicy that lets one grantee's pods reach the gateway pods, shared by all its grants through this
   * gateway. It lives next to the grantee (its chart, its namespace), with an id taken from the gateway.
   */
  private clientPolicy(grantee: IEgressGrantee, config: EgressGranteeConfig): ClientPolicy {
    const key = config.scope ?? identityKey(config);
    const existing = this.clients.get(key);
    if (existing) return existing;
    const gateway = this.gateway;
    const name = ObjectNames.subdomain(`${config.name}-to-${gateway.name}.${gateway.namespaceName}`);
    const [scope, id] = config.scope
      ? [config.scope, `EgressTo-${gateway.namespaceName}-${gateway.name}`]
      : [gateway, `Client-${config.namespaceName}-${config.name}`];
    const clash = scope.node.tryFindChild(id);
    if (clash) {
      throw new Error(`${scope.node.path}: two different grantees through egress gateway ${gateway.node.path} are both `
        + `named '${config.name}' in namespace '${config.namespaceName}'; give one of them another name`);
    }
    const grants: Grant[] = [];
    const policy = new kplus.k8s.KubeNetworkPolicy(scope, id, {
      metadata: { name, namespace: config.namespaceName },
      spec: Lazy.any({
        produce: (): kplus.k8s.NetworkPolicySpec => {
          const legs = this.routeLegs();
          const ports = grants.flatMap(g => this.legsOf(g, legs).map(leg => this.podPort(leg.port)));
          return {
            // The grantee as it is at synth: a workload's selector may have been set after the grant.
            podSelector: { matchLabels: grantee.toEgressGranteeConfig().podLabels },
            policyTypes: ['Egress'],
            // No ports means no rule: an empty port list would open every port.
            egress: ports.length === 0 ? undefined : [{
              to: [NetworkPolicyRender.podsIn(gateway.namespaceName, gateway.podLabels)],
              ports: NetworkPolicyRender.tcp(ports),
            }],
          };
        },
      }),
    });
    const client = { grants, policy };
    this.clients.set(key, client);
    return client;
  }

  private podPort(servicePort: number): number {
    return podPortOf(this.gateway, servicePort);
  }

  /**
   * Every bound route's legs, worked out once per rendering or validation pass: a route's legs are read for each of
   * its grants, and working them out walks its service's hosts, ports and endpoints.
   */
  private routeLegs(): RouteLegs {
    return new Map(this.boundRoutes.map(route => [route, route.legs()]));
  }

  /** The route's legs for the hosts a grant names. */
  private legsOf(grant: Grant, routeLegs: RouteLegs): EgressLeg[] {
    const hosts = new Set(grant.hosts);
    return (routeLegs.get(grant.route) ?? grant.route.legs()).filter(leg => hosts.has(leg.host));
  }

  /** One grant's rule intent over `legs`, some or all of its legs. */
  private ruleIntent(grant: Grant, legs: EgressLeg[]): GrantRuleIntent {
    const config = grant.config;
    return {
      principal: config.serviceAccountName === undefined ? undefined : this.gateway.mesh.principal(config.namespaceName, config.serviceAccountName),
      namespace: config.namespaceName,
      sniHosts: legs.filter(leg => leg.tlsMode === EgressTlsMode.PASSTHROUGH).map(leg => hopSni(leg.host)),
      sniPorts: legs.filter(leg => leg.tlsMode === EgressTlsMode.PASSTHROUGH).map(leg => this.podPort(leg.port)),
      httpHosts: legs.filter(leg => leg.tlsMode !== EgressTlsMode.PASSTHROUGH).flatMap(leg => httpHostsOf(leg.host, leg.applicationPort)),
      request: grant.request && {
        methods: grant.request.methods,
        paths: grant.request.paths?.map(p => p.toString()).sort(),
        headers: grant.request.headers,
      },
    };
  }

  /**
   * What depends on every route of the gateway: a host carried by two routes (sidecars do not merge two
   * VirtualServices for one host, so one would be ignored), a port carrying both plaintext and TLS, names that
   * would collide once sanitized, and grants of hosts their route does not carry.
   */
  private validate(): string[] {
    const routeLegs = this.routeLegs();
    const errors: string[] = [];
    const gatewayPath = this.gateway.node.path;
    const routeOfHost = new Map<string, IEgressRoute>();
    const hostOfSni = new Map<string, string>();
    const plaintextOnPort = new Map<number, { plaintext: boolean; route: IEgressRoute }>();
    const owners = new Map<string, string>();
    const claimName = (kind: string, name: string, owner: string) => {
      const previous = owners.get(`${kind}/${name}`);
      if (previous !== undefined && previous !== owner) {
        errors.push(`${previous} and ${owner} through egress gateway ${gatewayPath} would share the ${kind} '${name}' `
          + 'once their hosts are made into names; rename one of the hosts');
      }
      owners.set(`${kind}/${name}`, owner);
    };
    for (const route of this.boundRoutes) {
      for (const host of route.hosts) {
        const other = routeOfHost.get(host);
        if (other && other !== route) {
          errors.push(`${route.node.path}: ${host} is already routed through egress gateway ${gatewayPath} by `
            + `${other.node.path}; route all ports of a host in one EgressRoute`);
        }
        routeOfHost.set(host, route);
        const sni = hopSni(host);
        const sniOwner = hostOfSni.get(sni);
        if (sniOwner !== undefined && sniOwner !== host) {
          errors.push(`${route.node.path}: hosts '${sniOwner}' and '${host}' both send SNI '${sni}' on the hop to egress `
            + `gateway ${gatewayPath}, so the gateway could not tell them apart (nor authorize them apart); route them `
            + 'through different gateways');
        }
        hostOfSni.set(sni, host);
      }
      for (const leg of routeLegs.get(route)!) {
        const plaintext = leg.tlsMode !== EgressTlsMode.PASSTHROUGH && leg.hopTls === GatewayHopTls.PLAINTEXT;
        const first = plaintextOnPort.get(leg.port);
        if (first && first.plaintext !== plaintext) {
          errors.push(`${route.node.path}: port ${leg.port} of egress gateway ${gatewayPath} carries both plaintext and `
            + `TLS (${first.route.node.path}); a gateway port is either, so route ${leg.host} on another port or use the `
            + 'same hop TLS mode');
        }
        if (!first) plaintextOnPort.set(leg.port, { plaintext, route });
        const intent = legIntent(leg, route.namespaceName);
        const key = `${leg.host}:${leg.port}`;
        claimName('server port name', serverPortName(intent), key);
        if (intent.istioMutualHop) claimName('subset', hopSubsetName(leg.host, leg.port), key);
      }
    }
    const checked = new Set<string>();
    for (const grant of this.boundGrants.filter(g => g.config.scope !== undefined)) {
      try {
        checkGrantee(grant.route.node.path, grant.config);
      } catch (e) {
        checked.add((e as Error).message);
      }
    }
    errors.push(...checked);
    for (const grant of this.boundGrants) {
      const passthrough = grant.request ? this.legsOf(grant, routeLegs).filter(leg => leg.tlsMode === EgressTlsMode.PASSTHROUGH) : [];
      if (passthrough.length > 0) {
        errors.push(`${grant.route.node.path}: the grant to '${grant.config.name}' names methods, paths or headers, and `
          + `${passthrough[0].host}:${passthrough[0].applicationPort} is passed through encrypted, so the gateway cannot `
          + 'see its requests; originate TLS at the gateway (EgressTls.originate()), or grant the host without request conditions');
      }
      const carried = new Set(grant.route.hosts);
      for (const host of grant.hosts.filter(h => !carried.has(h))) {
        errors.push(`${grant.route.node.path}: cannot grant '${host}': the route carries ${grant.route.hosts.join(', ') || 'no host'}; `
          + 'route the host first (a grant opens a path only through the gateway)');
      }
    }
    if (this.boundGrants.length > 0 && !this.boundLockdown) {
      const grant = this.boundGrants[0];
      errors.push(`${grant.route.node.path}: the grant to '${grant.config.name}' needs a MeshEgressLockdown on egress gateway `
        + `${gatewayPath}: its client NetworkPolicy isolates the grantee's pods, and only a lockdown lets them reach DNS and `
        + 'istiod, without which they cannot start; add new MeshEgressLockdown(scope, id, { gateway, namespaces }), or drop the grant');
    }
    errors.push(...this.checkIdentities(routeLegs));
    return errors;
  }

  /**
   * The gateway tells clients apart only by their Istio identity: two grantees that run as one ServiceAccount (cdk8s-plus
   * workloads default to `default`) would each pass the other's rules, so they must be granted the same.
   */
  private checkIdentities(routeLegs: RouteLegs): string[] {
    const byPrincipal = new Map<string, Map<string, Grant[]>>();
    for (const grant of this.boundGrants) {
      const { namespaceName, serviceAccountName } = grant.config;
      if (serviceAccountName === undefined) continue;
      const principal = `${namespaceName}/${serviceAccountName}`;
      const byGrantee = byPrincipal.get(principal) ?? new Map<string, Grant[]>();
      byPrincipal.set(principal, byGrantee);
      const key = identityKey(grant.config);
      byGrantee.set(key, [...byGrantee.get(key) ?? [], grant]);
    }
    const errors: string[] = [];
    for (const [principal, byGrantee] of byPrincipal) {
      const access = [...byGrantee.values()].map(grants => JSON.stringify(grants.map(g => this.ruleIntent(g, this.legsOf(g, routeLegs)))
        .map(r => [r.sniHosts, r.httpHosts, r.request ?? null]).sort()));
      if (new Set(access).size > 1) {
        const names = [...byGrantee.values()].map(grants => grants[0].config.name);
        errors.push(`grantees ${names.join(' and ')} both run as ServiceAccount ${principal}, and the gateway tells clients apart `
          + 'only by that identity, so each would pass the other\'s grants; give each workload a ServiceAccount of its own');
      }
    }
    return errors;
  }
}

/** How the shared objects are split in one pass, by object name. */
interface SharedObjectsPlan {
  /** The Istio Gateway that serves each host. */
  readonly gatewayOfHost: Map<string, string>;
  /** Each Istio Gateway's servers. */
  readonly servers: Map<string, GatewayLegIntent[]>;
  /** Each AuthorizationPolicy's grants, over its hosts only; a shard no grant reaches has none. */
  readonly grantRules: Map<string, GrantRuleIntent[]>;
  /** Each hop DestinationRule's subsets and visibility. */
  readonly hopSubsets: Map<string, { readonly legs: GatewayLegIntent[]; readonly visibleIn: string[] }>;
}

/** Hosts whose hop subsets one set of namespaces sees; `id` names its DestinationRules. */
interface HopGroup {
  readonly id: string;
  readonly hosts: string[];
  readonly visibleIn: string[];
}

/** The bytes a server adds to a Gateway, besides its host written twice (hosts and port name). */
const SERVER_BYTES = 110;
/** The bytes a subset adds to a DestinationRule, besides its host written twice (name and SNI). */
const SUBSET_BYTES = 120;
/** The bytes one grant's entry for a host adds to an AuthorizationPolicy (Host with and without port, or SNI). */
const RULE_ENTRY_BYTES = 16;

interface ClientPolicy {
  readonly grants: Grant[];
  readonly policy: ApiObject;
}

/** A grant as recorded: its hosts are the route's final set unless it names them, its grantee as it is when read. */
/** Each route's legs, read once per pass. */
type RouteLegs = Map<IEgressRoute, EgressLeg[]>;

class Grant implements IEgressGrant {
  public constructor(
    public readonly route: IEgressRoute,
    public readonly grantee: IEgressGrantee,
    private readonly namedHosts: string[] | undefined,
    public readonly request: EgressRequestMatch | undefined,
    public readonly clientNetworkPolicy: ApiObject,
  ) {}

  public get hosts(): string[] {
    return this.namedHosts ? [...this.namedHosts] : this.route.hosts;
  }

  public get config(): EgressGranteeConfig {
    return this.grantee.toEgressGranteeConfig();
  }
}

/** A grantee's identity as a tuple: who the gateway admits and which pods the client policy selects. */
function identityKey(config: EgressGranteeConfig): string {
  const labels = config.podLabels ? Object.entries(config.podLabels).sort() : null;
  return JSON.stringify([config.namespaceName, config.serviceAccountName ?? null, labels]);
}

function legIntent(leg: EgressLeg, routeNamespace: string): GatewayLegIntent {
  return {
    host: leg.host,
    port: leg.port,
    passthrough: leg.tlsMode === EgressTlsMode.PASSTHROUGH,
    istioMutualHop: leg.hopTls === GatewayHopTls.ISTIO_MUTUAL,
    routeNamespace,
  };
}

/**
 * What no gateway can see alone. Istio applies a Gateway to matching pods in every namespace, so two gateways whose
 * pod labels contain one another would each serve the other's routes; and sidecars do not merge two VirtualServices
 * for one host (`istioctl analyze` IST0109), so a host goes through one gateway.
 */
function checkAcrossGateways(routings: EgressGatewayRouting[]): string[] {
  const errors: string[] = [];
  const gateways = routings.map(r => r.owner);
  for (let i = 0; i < gateways.length; i++) {
    for (let j = i + 1; j < gateways.length; j++) {
      const [a, b] = [gateways[i], gateways[j]];
      if (labelsOverlap(a.podLabels, b.podLabels)) {
        errors.push(`egress gateways ${a.node.path} and ${b.node.path} select overlapping pod labels `
          + `(${JSON.stringify(a.podLabels)}, ${JSON.stringify(b.podLabels)}), so each one's Istio Gateway would also apply to `
          + 'the other\'s pods; give each gateway its own name (and so its own istio label)');
      }
    }
  }
  const gatewayOfHost = new Map<string, RoutedGateway>();
  for (const routing of routings) {
    for (const route of routing.routes) {
      for (const host of route.hosts) {
        const other = gatewayOfHost.get(host);
        if (other && other !== routing.owner) {
          errors.push(`${route.node.path}: ${host} is routed through egress gateways ${other.node.path} and ${routing.owner.node.path}; `
            + 'sidecars take one VirtualService per host, so route it through one gateway');
        }
        gatewayOfHost.set(host, routing.owner);
      }
    }
  }
  return errors;
}
