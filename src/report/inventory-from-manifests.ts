import * as fs from 'fs';
import * as kplus from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { EgressInventoryClient, EgressInventoryGatewayRef, EgressInventoryGrant, EgressInventoryTls } from './inventory-document';
import {
  GatewayFact, GrantFact, InventoryFacts, isExternalKubernetesService, KubernetesServiceFact, LegFact, originationByPort, refKey, ServiceFact,
} from './inventory-facts';
import { EgressTlsMode, GatewayHopTls } from '../egress/egress-tls';
import { groupBy } from '../private/collections';
import { hopSni } from '../private/hostname';
import { peerSelectsPod, selectorMatches } from '../private/label-selector';

// Internal: the inventory's facts read back from Kubernetes and Istio manifests, hand-written or synthesized, the
// way istiod and the API server read them: ServiceEntries declare hosts, VirtualServices bound to `mesh` and to a
// gateway route them through it, the gateway's ALLOW AuthorizationPolicies admit identities, NetworkPolicies open
// the way to the gateway pods, a REGISTRY_ONLY Sidecar plus a default-deny NetworkPolicy lock a namespace.

/** A manifest and where it came from, for messages (`dist/egress.k8s.yaml`, or `manifest #3`). */
export interface SourcedManifest {
  readonly object: any;
  readonly source: string;
}

/** Reads every YAML document of `paths` (`-` is standard input); `kind: List` documents are unwrapped. */
export function readManifestFiles(paths: string[]): SourcedManifest[] {
  return paths.flatMap(path => {
    let text: string;
    try {
      text = fs.readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (e) {
      throw new Error(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a manifest file written by cdk8s synth or kubectl`);
    }
    return parseAllDocuments(text).flatMap((doc, index) => {
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        const line = error.linePos?.[0].line;
        throw new Error(`${path}${line ? `:${line}` : ''}: document ${index + 1} is not valid YAML (${error.code}); fix the file, `
          + 'or leave it out of the inputs');
      }
      return sourced(doc.toJS(), `${path} (document ${index + 1})`);
    });
  });
}

/** Manifests already parsed, named by their position. */
export function sourceManifests(manifests: any[]): SourcedManifest[] {
  return manifests.flatMap((object, index) => sourced(object, `manifest #${index + 1}`));
}

function sourced(object: any, source: string): SourcedManifest[] {
  if (object === null || object === undefined) return [];
  if (typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
    throw new Error(`${source}: not a Kubernetes object (it needs a string 'apiVersion' and 'kind'); pass manifests such as `
      + 'the *.k8s.yaml files cdk8s synth writes');
  }
  if (object.kind === 'List') return (object.items ?? []).flatMap((item: any, i: number) => sourced(item, `${source} item ${i + 1}`));
  return [{ object, source }];
}

/** The facts of an inventory, from manifests. */
export function factsFromManifests(manifests: SourcedManifest[]): InventoryFacts {
  return new ManifestReader(manifests).facts();
}

const NAME_LABEL = kplus.Namespace.NAME_LABEL;
const PRINCIPAL = /^(.+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** A `mesh` → gateway leg and the gateway → host leg it pairs with, as one VirtualService renders them. */
interface RoutedLeg extends LegFact {
  readonly serviceHost: string;
}

class ManifestReader {
  private readonly byKind: Map<string, SourcedManifest[]>;
  /** Per gateway object, the position of the first server on each `port host` (host `*` included). */
  private readonly serverIndex = new Map<any, Map<string, number>>();
  /** Per host, the namespaces of the ServiceEntries that declare it, sorted. */
  private declaringNamespaces?: Map<string, string[]>;

  public constructor(manifests: SourcedManifest[]) {
    this.byKind = groupBy(manifests, m => `${m.object.kind}.${String(m.object.apiVersion).split('/')[0]}`);
  }

  public facts(): InventoryFacts {
    const services = this.of('ServiceEntry', 'networking.istio.io').map(m => this.serviceFact(m));
    const legs = this.of('VirtualService', 'networking.istio.io').flatMap(m => this.legsOf(m, services));
    const gateways = this.gatewayFacts(legs);
    return {
      lockedNamespaces: this.lockedNamespaces(),
      egressDeniedNamespaces: this.egressDeniedNamespaces(),
      gateways,
      services,
      legs,
      grants: gateways.flatMap(g => this.grantsAt(g, legs)),
      kubernetesServices: this.kubernetesServices(),
    };
  }

  /** Services for external targets, each with the EndpointSlices that name it. */
  private kubernetesServices(): KubernetesServiceFact[] {
    const slices = this.of('EndpointSlice', 'discovery.k8s.io').map(s => s.object);
    return this.of('Service', 'v1').map(({ object }): KubernetesServiceFact => ({
      service: object,
      endpointSlices: slices.filter(s => namespaceOf(s) === namespaceOf(object)
        && s.metadata?.labels?.['kubernetes.io/service-name'] === object.metadata?.name),
    })).filter(fact => isExternalKubernetesService(fact.service, fact.endpointSlices));
  }

  private of(kind: string, group: string): SourcedManifest[] {
    return this.byKind.get(`${kind}.${group}`) ?? [];
  }

  private serviceFact(m: SourcedManifest): ServiceFact {
    const { object } = m;
    const namespace = namespaceOf(object);
    const spec = object.spec ?? {};
    const hosts: string[] = spec.hosts ?? [];
    const endpoints: any[] = spec.endpoints ?? [];
    const sidecarTls = new Map<string, EgressInventoryTls>();
    const originated = (spec.ports ?? []).filter((p: any) => p.targetPort !== undefined).map((p: any) => p.number);
    // TLS the sidecar originates: a port with a target port, and a rule for the host in the entry's namespace.
    for (const rule of this.of('DestinationRule', 'networking.istio.io').filter(r => namespaceOf(r.object) === namespace)) {
      const host = rule.object.spec?.host;
      if (!hosts.includes(host)) continue;
      for (const [port, mode] of originationByPort(rule.object.spec)) {
        if (originated.includes(port)) sidecarTls.set(`${host}:${port}`, mode === 'MUTUAL' ? EgressInventoryTls.SIDECAR_MUTUAL : EgressInventoryTls.SIDECAR);
      }
    }
    return {
      namespaceName: namespace,
      name: object.metadata?.name,
      hosts,
      resolution: spec.resolution ?? 'NONE',
      location: spec.location ?? 'MESH_EXTERNAL',
      visibleTo: visibleTo(spec.exportTo, namespace),
      ports: (spec.ports ?? []).map((port: any) => {
        // What a proxy dials: the target port, or the port each endpoint maps the port's name to.
        const target = port.targetPort ?? port.number;
        const dialled = endpoints.length === 0 ? [target] : endpoints.map(e => e.ports?.[port.name] ?? target);
        return { number: port.number, protocol: port.protocol, dialledPorts: dialled };
      }),
      sidecarTls,
    };
  }

  /**
   * The gateway legs of one VirtualService: a route bound to `mesh` that sends the host to a gateway Service, paired
   * by gateway port with a route bound to that gateway that sends it on to the host.
   */
  private legsOf(m: SourcedManifest, services: ServiceFact[]): RoutedLeg[] {
    const vs = m.object;
    const namespace = namespaceOf(vs);
    const spec = vs.spec ?? {};
    const refs: string[] = (spec.gateways ?? []).filter((g: string) => g !== 'mesh').map((g: string) => qualify(g, namespace));
    if (refs.length === 0) return [];
    const entries = (['http', 'tls', 'tcp'] as const).flatMap(kind => (spec[kind] ?? []).map((route: any) => ({ kind, route })));
    const legs: RoutedLeg[] = [];
    for (const host of spec.hosts ?? []) {
      for (const { kind, route } of entries) {
        const destination = route.route?.[0]?.destination;
        for (const match of route.match ?? [{}]) {
          const gateways: string[] = (match.gateways ?? spec.gateways ?? []).map((g: string) => (g === 'mesh' ? g : qualify(g, namespace)));
          if (!gateways.includes('mesh') || !destination || destination.host === host || match.port === undefined) continue;
          if (match.sniHosts && !match.sniHosts.includes(host)) continue;
          const gatewayPort = destination.port?.number ?? match.port;
          const onward = this.onwardLeg(entries, refs, namespace, host, gatewayPort);
          if (!onward) continue;
          const gateway = this.gatewayObject(onward.ref, m);
          legs.push({
            gateway: parseRef(onward.ref),
            serviceHost: destination.host,
            host,
            serviceNamespace: this.serviceNamespaceOf(host, namespace, services, m),
            applicationPort: match.port,
            gatewayPort,
            externalPort: onward.externalPort,
            tlsMode: kind === 'http' ? this.gatewayOrigination(onward.ref, host, onward.externalPort) : EgressTlsMode.PASSTHROUGH,
            hopTls: this.hopTlsOf(gateway, gatewayPort, host),
            forwardedPaths: onward.paths,
          });
        }
      }
    }
    return legs;
  }

  /** The route bound to a gateway that sends `host` arriving on `port` on to the host itself. */
  private onwardLeg(entries: Array<{ route: any }>, refs: string[], namespace: string, host: string,
    port: number): { ref: string; externalPort: number; paths?: string[] } | undefined {
    for (const { route } of entries) {
      const destination = route.route?.[0]?.destination;
      if (destination?.host !== host) continue;
      const matches: any[] = route.match ?? [{}];
      for (const match of matches) {
        const ref = refs.find(r => (match.gateways ?? refs).map((g: string) => qualify(g, namespace)).includes(r));
        if (ref && (match.port === undefined || match.port === port)) {
          return { ref, externalPort: destination.port?.number ?? port, paths: forwardedPathsOf(matches) };
        }
      }
    }
    return undefined;
  }

  /** The first server that carries the host's hop on `port` (for the host, or `*`): Istio mutual TLS, or not. */
  private hopTlsOf(gateway: any, port: number, host: string): GatewayHopTls {
    const servers: any[] = gateway.spec?.servers ?? [];
    let index = this.serverIndex.get(gateway);
    if (!index) {
      index = new Map();
      servers.forEach((server, i) => (server.hosts ?? []).forEach((h: string) => {
        const key = `${server.port?.number} ${h.split('/').pop()}`;
        if (!index!.has(key)) index!.set(key, i);
      }));
      this.serverIndex.set(gateway, index);
    }
    const found = [index.get(`${port} ${host}`), index.get(`${port} *`)].filter((i): i is number => i !== undefined);
    const server = found.length > 0 ? servers[Math.min(...found)] : undefined;
    return server?.tls?.mode === 'ISTIO_MUTUAL' ? GatewayHopTls.ISTIO_MUTUAL : GatewayHopTls.PLAINTEXT;
  }

  private gatewayObject(ref: string, from: SourcedManifest): any {
    const found = this.of('Gateway', 'networking.istio.io').find(g => `${namespaceOf(g.object)}/${g.object.metadata?.name}` === ref);
    if (!found) {
      throw new Error(`${from.source}: VirtualService ${namespaceOf(from.object)}/${from.object.metadata?.name} routes through gateway `
        + `'${ref}', which is in none of the manifests read; pass the file that holds that Istio Gateway too`);
    }
    return found.object;
  }

  /** The ServiceEntry namespace of a routed host: the route's own namespace first, as Istio prefers it. */
  private serviceNamespaceOf(host: string, namespace: string, services: ServiceFact[], from: SourcedManifest): string {
    if (!this.declaringNamespaces) {
      const pairs = services.flatMap(s => s.hosts.map(h => ({ h, namespace: s.namespaceName })));
      this.declaringNamespaces = new Map([...groupBy(pairs, p => p.h)].map(([h, ps]) => [h, ps.map(p => p.namespace).sort()]));
    }
    const declaring = this.declaringNamespaces.get(host) ?? [];
    if (declaring.length === 0) {
      throw new Error(`${from.source}: VirtualService ${namespace}/${from.object.metadata?.name} routes host '${host}' through a `
        + 'gateway, and no ServiceEntry read declares it; pass the file that holds its ServiceEntry too');
    }
    return declaring.includes(namespace) ? namespace : declaring[0];
  }

  /** The gateway's own TLS origination to the host: a DestinationRule in the gateway's namespace. */
  private gatewayOrigination(ref: string, host: string, port: number): EgressTlsMode {
    const gatewayNamespace = parseRef(ref).namespaceName;
    for (const rule of this.of('DestinationRule', 'networking.istio.io')) {
      if (namespaceOf(rule.object) !== gatewayNamespace || rule.object.spec?.host !== host) continue;
      const mode = originationByPort(rule.object.spec).get(port);
      if (mode) return mode === 'MUTUAL' ? EgressTlsMode.ORIGINATE_MUTUAL : EgressTlsMode.ORIGINATE;
    }
    return EgressTlsMode.PLAINTEXT;
  }

  private gatewayFacts(legs: RoutedLeg[]): GatewayFact[] {
    const seen = new Map<string, RoutedLeg>();
    legs.forEach(leg => seen.set(refKey(leg.gateway), seen.get(refKey(leg.gateway)) ?? leg));
    return [...seen.entries()].map(([ref, leg]) => {
      const gateway = this.of('Gateway', 'networking.istio.io').find(g => `${namespaceOf(g.object)}/${g.object.metadata?.name}` === ref)!;
      const podLabels: { [key: string]: string } = gateway.object.spec?.selector ?? {};
      return { ...leg.gateway, serviceHost: leg.serviceHost, podLabels, clients: this.clientsOf(leg.gateway.namespaceName, podLabels) };
    });
  }

  /** NetworkPolicy egress rules whose peers name the gateway's pods. */
  private clientsOf(gatewayNamespace: string, podLabels: { [key: string]: string }): EgressInventoryClient[] {
    const namespaceLabels = this.namespaceLabels(gatewayNamespace);
    const clients: EgressInventoryClient[] = [];
    for (const { object } of this.of('NetworkPolicy', 'networking.k8s.io')) {
      const namespace = namespaceOf(object);
      for (const rule of object.spec?.egress ?? []) {
        const toGateway = (rule.to ?? []).some((peer: any) => peerSelectsPod(peer, namespace, gatewayNamespace, namespaceLabels, podLabels));
        if (!toGateway) continue;
        const labels = object.spec?.podSelector?.matchLabels;
        clients.push({
          namespaceName: namespace,
          podLabels: labels && Object.keys(labels).length > 0 ? labels : undefined,
          ports: (rule.ports ?? []).filter((p: any) => (p.protocol ?? 'TCP') === 'TCP' && typeof p.port === 'number').map((p: any) => p.port),
        });
      }
    }
    return clients;
  }

  private namespaceLabels(name: string): { [key: string]: string } {
    // The core group's apiVersion is plain `v1`.
    const namespace = this.of('Namespace', 'v1').find(n => n.object.metadata?.name === name);
    return { ...namespace?.object.metadata?.labels, [NAME_LABEL]: name };
  }

  /**
   * The identities the gateway's ALLOW AuthorizationPolicies admit, per routed host, the way Istio's authorization
   * reads them: a rule without `to`, or an operation without `hosts`, covers every host; hosts match the Host header
   * case-insensitively, ports ignored, with a leading or trailing `*`; on a passed-through leg (a TCP filter chain)
   * rules with HTTP-only conditions are skipped and `connection.sni` decides. With no ALLOW policy on the gateway's
   * pods at all, Istio admits anyone. DENY policies are not subtracted (the README says so).
   */
  private grantsAt(gateway: GatewayFact, legs: RoutedLeg[]): GrantFact[] {
    const ref: EgressInventoryGatewayRef = { namespaceName: gateway.namespaceName, name: gateway.name };
    const mine = legs.filter(leg => refKey(leg.gateway) === refKey(ref));
    const policies = this.of('AuthorizationPolicy', 'security.istio.io').map(p => p.object).filter(object =>
      namespaceOf(object) === gateway.namespaceName && (object.spec?.action ?? 'ALLOW') === 'ALLOW'
      && selectorMatches(object.spec?.selector ?? {}, gateway.podLabels));
    if (policies.length === 0) {
      return mine.map(leg => ({ gateway: ref, host: leg.host, serviceNamespace: leg.serviceNamespace, namespaceName: '*' }));
    }
    const grants: GrantFact[] = [];
    for (const object of policies) {
      for (const rule of object.spec?.rules ?? []) {
        const when: any[] = rule.when ?? [];
        const sni: string[] | undefined = when.some(w => w.key === 'connection.sni')
          ? when.filter(w => w.key === 'connection.sni').flatMap(w => w.values ?? []) : undefined;
        const headers = Object.fromEntries(when.filter(w => /^request\.headers\[.+\]$/.test(w.key))
          .map(w => [w.key.slice('request.headers['.length, -1), (w.values ?? []).join(',')]));
        // No `to` is one operation that matches everything.
        const operations: any[] = rule.to === undefined ? [{}] : rule.to.map((t: any) => t.operation ?? {});
        const httpOnly = Object.keys(headers).length > 0 || operations.some(o => o.hosts || o.methods || o.paths);
        for (const operation of operations) {
          const request = {
            methods: operation.methods,
            paths: operation.paths,
            headers: Object.keys(headers).length > 0 ? headers : undefined,
          };
          const matched = mine.filter(leg => (leg.tlsMode === EgressTlsMode.PASSTHROUGH
            ? !httpOnly && (sni === undefined || sni.includes(hopSni(leg.host)))
            : sni === undefined && (operation.hosts === undefined || operation.hosts.some((h: string) => policyHostMatches(h, leg.host)))));
          for (const identity of identitiesOf(rule)) {
            for (const leg of matched) {
              grants.push({ gateway: ref, host: leg.host, serviceNamespace: leg.serviceNamespace, ...identity, ...request });
            }
          }
        }
      }
    }
    return grants;
  }

  /** A REGISTRY_ONLY Sidecar for the whole namespace, and egress NetworkPolicies none of which opens the way out. */
  private lockedNamespaces(): string[] {
    const registryOnly = this.of('Sidecar', 'networking.istio.io').filter(({ object }) => !object.spec?.workloadSelector
      && object.spec?.outboundTrafficPolicy?.mode === 'REGISTRY_ONLY').map(({ object }) => namespaceOf(object));
    const denied = new Set(this.egressDeniedNamespaces());
    const opened = new Set(this.networkPolicies().filter(opensTheWayOut).map(namespaceOf));
    return [...new Set(registryOnly)].filter(namespace => denied.has(namespace) && !opened.has(namespace));
  }

  /** Namespaces where a NetworkPolicy isolates every pod's egress and itself opens no way out. */
  private egressDeniedNamespaces(): string[] {
    return [...new Set(this.networkPolicies().filter(p => isEmptySelector(p.spec?.podSelector)
      && (p.spec?.policyTypes ?? []).includes('Egress') && !opensTheWayOut(p)).map(namespaceOf))];
  }

  private networkPolicies(): any[] {
    return this.of('NetworkPolicy', 'networking.k8s.io').map(({ object }) => object);
  }
}

/** Who a rule admits: each principal, else each namespace, else anyone. */
function identitiesOf(rule: any): Array<Pick<EgressInventoryGrant, 'namespaceName' | 'serviceAccountName' | 'principal'>> {
  const sources: any[] = (rule.from ?? []).map((f: any) => f.source ?? {});
  if (sources.length === 0) return [{ namespaceName: '*' }];
  return sources.flatMap(source => {
    if (source.principals) {
      return source.principals.map((principal: string) => {
        const parsed = PRINCIPAL.exec(principal);
        return parsed ? { namespaceName: parsed[2], serviceAccountName: parsed[3], principal } : { namespaceName: '*', principal };
      });
    }
    if (source.namespaces) return source.namespaces.map((namespaceName: string) => ({ namespaceName }));
    return [{ namespaceName: '*' }];
  });
}

/** An AuthorizationPolicy `hosts` entry against a host: case-insensitive, port ignored, `*` at either end. */
function policyHostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/:(\d+|\*)$/, '');
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*')) return h.endsWith(p.slice(1));
  if (p.endsWith('*')) return h.startsWith(p.slice(0, -1));
  return p === h;
}


/** `exportTo` by name: `.` is the object's own namespace, and no `exportTo` means every namespace (Istio's default). */
function visibleTo(exportTo: string[] | undefined, namespace: string): string[] {
  if (!exportTo || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map(e => (e === '.' ? namespace : e)))].sort();
}

function namespaceOf(object: any): string {
  return object.metadata?.namespace ?? 'default';
}

function qualify(gateway: string, namespace: string): string {
  return gateway.includes('/') ? gateway : `${namespace}/${gateway}`;
}

function parseRef(ref: string): EgressInventoryGatewayRef {
  const [namespaceName, name] = ref.split('/');
  return { namespaceName, name };
}

/** A rule to an address block, or to every destination. */
function opensTheWayOut(policy: any): boolean {
  return (policy.spec?.egress ?? []).some((rule: any) => (rule.to ?? []).length === 0 || rule.to.some((peer: any) => peer.ipBlock));
}

function isEmptySelector(selector: any): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/**
 * The paths a gateway route forwards, in AuthorizationPolicy form, when every match names one (exact or prefix);
 * undefined when some match admits every path.
 */
function forwardedPathsOf(matches: any[]): string[] | undefined {
  const paths = matches.map(match => match.uri?.exact ?? (match.uri?.prefix === undefined ? undefined : `${match.uri.prefix}*`));
  return paths.every((p): p is string => typeof p === 'string') ? [...new Set(paths)].sort() : undefined;
}
