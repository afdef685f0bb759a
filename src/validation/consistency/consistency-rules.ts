import { labelsOverlap, selectorMatches } from '../../private/label-selector';
import { Names } from '../../private/names';
import { IstioProtocol } from '../../private/protocol';
import { list, num, record, text } from '../values';
import { IndexedObject, ManifestIndex } from './manifest-index';

const MESH = 'mesh';

/** The DestinationRules a client namespace uses for a host, and the subsets they define. */
interface SubsetLookup {
  readonly rules: IndexedObject[];
  readonly subsets: Set<string>;
}

/** A route leg of a VirtualService: its destinations and the gateways (or mesh) it applies to. */
interface RouteLeg {
  readonly path: string;
  readonly gateways: string[];
  readonly destinations: { host: string; subset?: string; port?: number; path: string }[];
}

/**
 * Layer 5: consistency across the whole set of manifests, what `istioctl analyze` would report once everything is
 * applied. These problems are all admitted by the API server and istiod's webhook, and fail only at runtime (404 NR,
 * 503 NC, routing loops, blackholed traffic). Internal.
 */
export class ConsistencyRules {
  public static validate(index: ManifestIndex, externalGateways: string[]): void {
    const gatewayObjects = new Map(index.all('networking.istio.io/Gateway').map(g => [`${g.namespace}/${g.name}`, g]));
    const gateways = new Set([...gatewayObjects.keys(), ...externalGateways]);
    const subsetLookups = new Map<string, SubsetLookup>();
    const servedHosts = new Map<IndexedObject, Map<string, ServedHosts>>();
    for (const vs of index.all('networking.istio.io/VirtualService')) {
      const legs = ConsistencyRules.legs(vs);
      ConsistencyRules.checkGatewayRefs(vs, gateways);
      ConsistencyRules.checkHostsServed(vs, gatewayObjects, servedHosts);
      ConsistencyRules.checkSubsets(index, vs, legs, subsetLookups);
      ConsistencyRules.checkGatewayUpstreams(index, vs, legs);
    }
    for (const gateway of index.all('networking.istio.io/Gateway')) ConsistencyRules.checkGatewayWorkload(index, gateway);
    ConsistencyRules.checkServiceEntryConflicts(index);
    ConsistencyRules.checkRootAuthorizationPolicies(index);
    ConsistencyRules.checkSharedCertificates(index);
  }

  /** `namespace/name` of a VirtualService gateway reference (`name`, `ns/name` or legacy `name.ns`). */
  private static gatewayKey(ref: string, vsNamespace: string): string {
    if (ref.includes('/')) return ref;
    if (ref.includes('.')) {
      const [name, namespace] = ref.split('.');
      return `${namespace}/${name}`;
    }
    return `${vsNamespace}/${ref}`;
  }

  private static legs(vs: IndexedObject): RouteLeg[] {
    const spec = record(vs.manifest.spec);
    const vsGateways = list(spec.gateways).map(text);
    const defaults = vsGateways.length > 0 ? vsGateways : [MESH];
    const legs: RouteLeg[] = [];
    for (const kind of ['http', 'tls', 'tcp']) {
      list(spec[kind]).forEach((raw, i) => {
        const route = record(raw);
        const path = `spec.${kind}[${i}]`;
        const matchGateways = [...new Set(list(route.match).flatMap(m => list(record(m).gateways).map(text)))];
        const destinations = list(route.route).map((r, k) => {
          const destination = record(record(r).destination);
          return {
            host: ManifestIndex.qualify(text(destination.host), vs.namespace),
            subset: destination.subset,
            port: record(destination.port).number as number | undefined,
            path: `${path}.route[${k}].destination`,
          };
        });
        if (route.mirror !== undefined) {
          const mirror = record(route.mirror);
          destinations.push({
            host: ManifestIndex.qualify(text(mirror.host), vs.namespace), subset: mirror.subset, port: record(mirror.port).number as number | undefined, path: `${path}.mirror`,
          });
        }
        legs.push({ path, gateways: matchGateways.length > 0 ? matchGateways : defaults, destinations });
      });
    }
    return legs;
  }

  /** Every gateway a VirtualService binds to must exist (istioctl: IST0101 ReferencedResourceNotFound). */
  private static checkGatewayRefs(vs: IndexedObject, gateways: Set<string>): void {
    const spec = record(vs.manifest.spec);
    const refs: { ref: string; path: string }[] = list(spec.gateways).map((g, i) => ({ ref: text(g), path: `spec.gateways[${i}]` }));
    for (const kind of ['http', 'tls', 'tcp']) {
      list(spec[kind]).forEach((route, i) => list(record(route).match).forEach((m, j) => list(record(m).gateways)
        .forEach((g, k) => refs.push({ ref: text(g), path: `spec.${kind}[${i}].match[${j}].gateways[${k}]` }))));
    }
    for (const { ref, path } of refs) {
      if (ref === MESH || ref === '') continue;
      const key = ConsistencyRules.gatewayKey(ref, vs.namespace);
      if (!gateways.has(key)) {
        const known = [...gateways].sort().join(', ') || 'none';
        vs.report.error(path, 'IST-XREF-GATEWAY-NOT-FOUND',
          `gateway ${JSON.stringify(ref)} resolves to ${key}, which is not among the Gateways (${known}); the routes bound to it `
          + 'never apply. Reference the Gateway as <namespace>/<metadata.name>, or declare it as an external gateway if it is installed separately');
      }
    }
  }

  /**
   * A VirtualService bound to a Gateway of the set must share a host with one of its servers that admits the
   * VirtualService's namespace (`ns/host`, `./host`, or a `*` namespace): istiod serves the intersection of the two
   * (pilot/pkg/networking/core/gateway.go), and with none the gateway answers 404 NR for all of it. Per Gateway, as
   * istioctl analyze IST0132 (VirtualServiceHostNotFoundInGateway) judges it; Gateways outside the set are not.
   */
  private static checkHostsServed(vs: IndexedObject, gateways: Map<string, IndexedObject>,
    servedHosts: Map<IndexedObject, Map<string, ServedHosts>>): void {
    const spec = record(vs.manifest.spec);
    const hosts = list(spec.hosts).map(text);
    list(spec.gateways).map(text).forEach((ref, i) => {
      const gateway = ref === MESH || ref === '' ? undefined : gateways.get(ConsistencyRules.gatewayKey(ref, vs.namespace));
      if (!gateway) return;
      // A gateway's servers are indexed once, by the namespace they admit: one gateway serves every route through it.
      let byNamespace = servedHosts.get(gateway);
      if (!byNamespace) {
        byNamespace = ConsistencyRules.servedHostsOf(gateway);
        servedHosts.set(gateway, byNamespace);
      }
      const admitting = [byNamespace.get('*'), byNamespace.get(vs.namespace)].filter((h): h is ServedHosts => h !== undefined);
      if (!hosts.some(host => admitting.some(served => served.matches(host)))) {
        vs.report.error(`spec.gateways[${i}]`, 'IST-XREF-VS-HOST-NOT-IN-GATEWAY',
          `none of the hosts ${JSON.stringify(hosts)} is served by a server of Gateway ${gateway.namespace}/${gateway.name} that admits `
          + `namespace ${vs.namespace}; the gateway answers 404 (NR). Add the host to a server (as <namespace>/<host> or */<host>) `
          + 'or fix the VirtualService hosts');
      }
    });
  }

  /** A Gateway's server hosts by the namespace whose VirtualServices they admit (`*` for any). */
  private static servedHostsOf(gateway: IndexedObject): Map<string, ServedHosts> {
    const byNamespace = new Map<string, ServedHosts>();
    for (const entry of list(record(gateway.manifest.spec).servers).flatMap(server => list(record(server).hosts).map(text))) {
      const slash = entry.indexOf('/');
      const declared = slash < 0 ? '*' : entry.slice(0, slash);
      const namespace = declared === '.' ? gateway.namespace : declared;
      const served = byNamespace.get(namespace) ?? new ServedHosts();
      served.add(slash < 0 ? entry : entry.slice(slash + 1));
      byNamespace.set(namespace, served);
    }
    return byNamespace;
  }

  /**
   * One certificate for different hosts on one port of the same pods: HTTP/2 clients reuse a connection for every
   * host the certificate covers (same port) and get 404s from the server it was opened on (istioctl analyze IST0138,
   * GatewayDuplicateCertificate, which compares Gateways whose selectors overlap).
   */
  private static checkSharedCertificates(index: ManifestIndex): void {
    const users = new Map<string, Array<{ gateway: IndexedObject; hosts: string }>>();
    for (const gateway of index.all('networking.istio.io/Gateway')) {
      const selector = record(record(gateway.manifest.spec).selector) as { [key: string]: string };
      list(record(gateway.manifest.spec).servers).forEach((raw, i) => {
        const server = record(raw);
        const credential = text(record(server.tls).credentialName);
        if (!credential) return;
        const key = `${gateway.namespace}/${credential}:${num(record(server.port).number)}`;
        const hosts = list(server.hosts).map(text).sort().join(',');
        const earlier = users.get(key) ?? [];
        const clash = earlier.find(u => u.hosts !== hosts && (u.gateway === gateway || labelsOverlap(
          record(record(u.gateway.manifest.spec).selector) as { [key: string]: string }, selector)));
        if (clash) {
          gateway.report.warning(`spec.servers[${i}].tls.credentialName`, 'IST-XREF-GATEWAY-DUPLICATE-CERTIFICATE',
            `certificate ${credential} is also served on this port for ${clash.hosts} by Gateway ${clash.gateway.namespace}/${clash.gateway.name} `
            + 'on the same pods; HTTP/2 clients reuse one connection for every host of a certificate and get 404s. Serve all its hosts from one server');
        }
        earlier.push({ gateway, hosts });
        users.set(key, earlier);
      });
    }
  }

  /**
   * A route's subset must be defined by the DestinationRule the client proxy picks for that host: the one in the
   * client's namespace, else the service's namespace, else the root namespace, among those exported to the client.
   * Subsets are not merged across namespaces.
   */
  private static checkSubsets(index: ManifestIndex, vs: IndexedObject, legs: RouteLeg[], lookups: Map<string, SubsetLookup>): void {
    for (const leg of legs) {
      const clients = new Set(leg.gateways.map(g => (g === MESH ? vs.namespace : ConsistencyRules.gatewayKey(g, vs.namespace).split('/')[0])));
      for (const destination of leg.destinations) {
        if (typeof destination.subset !== 'string' || destination.subset === '') continue;
        for (const client of clients) {
          // Many routes share a host and client namespace (every route through one gateway): look each pair up once.
          const key = `${destination.host}|${client}`;
          let lookup = lookups.get(key);
          if (!lookup) {
            const found = ConsistencyRules.destinationRulesFor(index, destination.host, client);
            lookup = { rules: found, subsets: new Set(found.flatMap(dr => list(record(dr.manifest.spec).subsets).map(s => text(record(s).name)))) };
            lookups.set(key, lookup);
          }
          const { rules, subsets } = lookup;
          if (!subsets.has(destination.subset)) {
            const where = rules.length === 0
              ? `no DestinationRule for ${destination.host} is visible from namespace ${client}`
              : `the DestinationRule${rules.length > 1 ? 's' : ''} ${rules.map(r => `${r.namespace}/${r.name}`).join(', ')} that namespace ${client} uses `
                + `for ${destination.host} define${rules.length > 1 ? '' : 's'} ${[...subsets].join(', ') || 'no subsets'}`;
            vs.report.error(`${destination.path}.subset`, 'IST-XREF-SUBSET-NOT-FOUND',
              `subset ${JSON.stringify(destination.subset)} is not defined: ${where}. Traffic would fail with 503 NC (cluster_not_found); `
              + `add the subset to a DestinationRule for ${destination.host} in namespace ${client}, or in ${index.rootNamespace} exported to it`);
          }
        }
      }
    }
  }

  /** The DestinationRules (without workload selector) a proxy in `client` uses for `host`, highest priority first. */
  private static destinationRulesFor(index: ManifestIndex, host: string, client: string): IndexedObject[] {
    const hostOf = (dr: IndexedObject) => [ManifestIndex.qualify(text(record(dr.manifest.spec).host), dr.namespace)];
    const candidates = index.declaring('networking.istio.io/DestinationRule', host, hostOf).filter(dr =>
      record(dr.manifest.spec).workloadSelector === undefined && (dr.namespace === client || ManifestIndex.visibleFrom(dr, client)));
    const serviceNamespace = ManifestIndex.serviceNamespace(host);
    for (const namespace of [client, serviceNamespace, index.rootNamespace]) {
      const rules = candidates.filter(dr => dr.namespace === namespace);
      if (rules.length > 0) return rules;
    }
    return candidates;
  }

  /**
   * A gateway forwards to the upstream's resolved address. An external host without a ServiceEntry has no cluster at
   * all, and one with resolution NONE makes the gateway forward to the original destination: itself.
   */
  private static checkGatewayUpstreams(index: ManifestIndex, vs: IndexedObject, legs: RouteLeg[]): void {
    const hostsOf = (se: IndexedObject) => list(record(se.manifest.spec).hosts).map(text);
    for (const leg of legs) {
      const atGateway = !leg.gateways.every(g => g === MESH);
      for (const destination of leg.destinations) {
        if (ManifestIndex.isClusterLocal(destination.host) || destination.host === '') continue;
        const declaring = index.declaring('networking.istio.io/ServiceEntry', destination.host, hostsOf);
        if (declaring.length === 0) {
          if (atGateway) {
            vs.report.error(`${destination.path}.host`, 'IST-XREF-EGRESS-NO-SERVICE-ENTRY',
              `the gateway leg routes to external host ${destination.host}, but no ServiceEntry declares it: the gateway has no cluster `
              + 'for it (503 NC); add a ServiceEntry for the host with resolution DNS');
          }
          continue;
        }
        const declared = declaring.some(se => list(record(se.manifest.spec).ports).some(p => record(p).number === destination.port));
        if (typeof destination.port === 'number' && !declared) {
          vs.report.error(`${destination.path}.port.number`, 'IST-XREF-SERVICE-ENTRY-PORT',
            `the route sends ${destination.host} to port ${destination.port}, which its ServiceEntry `
            + `(${declaring.map(se => `${se.namespace}/${se.name}`).join(', ')}) does not declare, so the proxy has no cluster for it `
            + '(503); declare the port on the ServiceEntry, or route to a declared one');
        } else if (atGateway && declaring.every(se => (text(record(se.manifest.spec).resolution) || 'NONE') === 'NONE')) {
          vs.report.error(`${destination.path}.host`, 'IST-XREF-EGRESS-RESOLUTION',
            `the gateway leg routes to ${destination.host}, whose ServiceEntry (${declaring.map(se => `${se.namespace}/${se.name}`).join(', ')}) `
            + 'has resolution NONE: at the gateway the original destination is the gateway itself, so traffic loops or is dropped; '
            + 'use resolution DNS (or STATIC with endpoints)');
        }
      }
    }
  }

  /**
   * A Gateway's selector must pick the gateway pods, and its server ports must be reachable through the gateway
   * Service. Only checked when gateway workloads are part of the set; otherwise the Gateway configures one installed
   * elsewhere.
   */
  private static checkGatewayWorkload(index: ManifestIndex, gateway: IndexedObject): void {
    const spec = record(gateway.manifest.spec);
    const selector = record(spec.selector);
    const matched = index.workloadsSelectedBy(selector);
    if (matched.length === 0) {
      // Only against gateway workloads in the Gateway's own namespace: a Gateway whose namespace holds none of the
      // set's gateways configures one installed elsewhere (an istioctl gateway in istio-system beside one deployed
      // by the app in istio-egress), which the set cannot show.
      const gatewayWorkloads = index.workloads().filter(w => w.object.namespace === gateway.namespace
        && list(w.pod.containers).some(c => record(c).name === 'istio-proxy'));
      if (gatewayWorkloads.length > 0 && Object.keys(selector).length > 0) {
        const seen = gatewayWorkloads.map(w => `${w.object.namespace}/${w.object.name} ${JSON.stringify(w.labels)}`).join('; ');
        gateway.report.error('spec.selector', 'IST-XREF-GATEWAY-SELECTOR',
          `selector ${JSON.stringify(selector)} matches no gateway workload, so no proxy serves this Gateway; the gateway Deployments here carry `
          + `${seen}. Use the gateway pods' labels as the selector`);
      }
      return;
    }
    for (const workload of matched) {
      const services = index.inNamespace('/Service', workload.object.namespace).filter(s => {
        const serviceSelector = record(record(s.manifest.spec).selector);
        return Object.keys(serviceSelector).length > 0 && selectorMatches({ matchLabels: serviceSelector }, workload.labels);
      });
      if (services.length === 0) continue;
      const containerPorts = list(workload.pod.containers).flatMap(c => list(record(c).ports).map(record));
      const exposed = new Set<number>();
      for (const service of services) {
        for (const port of list(record(service.manifest.spec).ports).map(record)) {
          exposed.add(num(port.port));
          const target = port.targetPort ?? port.port;
          if (typeof target === 'number') exposed.add(target);
          else containerPorts.filter(cp => cp.name === target).forEach(cp => exposed.add(num(cp.containerPort)));
        }
      }
      list(spec.servers).forEach((server, i) => {
        const number = num(record(record(server).port).number);
        if (number > 0 && !exposed.has(number)) {
          gateway.report.error(`spec.servers[${i}].port.number`, 'IST-XREF-GATEWAY-PORT',
            `server port ${number} is neither a port nor a targetPort of the Service${services.length > 1 ? 's' : ''} `
            + `${services.map(s => `${s.namespace}/${s.name}`).join(', ')} in front of the gateway pods `
            + `(${[...exposed].sort((a, b) => a - b).join(', ')}): clients cannot reach it; add the port to the Service`);
        }
      });
    }
  }

  /** Two ServiceEntries claiming one host:port must agree on protocol and resolution, or istiod merges them badly. */
  private static checkServiceEntryConflicts(index: ManifestIndex): void {
    const claims = new Map<string, { se: IndexedObject; protocol: string; resolution: string }>();
    for (const se of index.all('networking.istio.io/ServiceEntry')) {
      const spec = record(se.manifest.spec);
      const resolution = text(spec.resolution) || 'NONE';
      for (const host of list(spec.hosts).map(text)) {
        list(spec.ports).forEach((raw, i) => {
          const port = record(raw);
          const key = `${host}:${num(port.number)}`;
          const protocol = IstioProtocol.parse(port.protocol) ?? (text(port.protocol) || '(sniffed)');
          const first = claims.get(key);
          if (!first) {
            claims.set(key, { se, protocol, resolution });
            return;
          }
          if (first.se === se) return;
          const differences = [
            first.protocol !== protocol ? `protocol ${first.protocol} vs ${protocol}` : '',
            first.resolution !== resolution ? `resolution ${first.resolution} vs ${resolution}` : '',
          ].filter(Boolean);
          if (differences.length > 0) {
            se.report.error(`spec.ports[${i}]`, 'IST-XREF-SERVICE-ENTRY-CONFLICT',
              `${key} is also declared by ServiceEntry ${first.se.namespace}/${first.se.name} with a different ${differences.join(' and ')}: `
              + 'istiod merges them into one inconsistent service and traffic is blackholed; declare each host in one ServiceEntry');
          }
        });
      }
    }
  }

  /** A selector-less AuthorizationPolicy in the root namespace applies to every workload of the mesh. */
  private static checkRootAuthorizationPolicies(index: ManifestIndex): void {
    for (const policy of index.all('security.istio.io/AuthorizationPolicy')) {
      const spec = record(policy.manifest.spec);
      if (policy.namespace !== index.rootNamespace) continue;
      if (spec.selector !== undefined || spec.targetRef !== undefined || list(spec.targetRefs).length > 0) continue;
      policy.report.warning('spec', 'IST-XREF-ROOT-AUTHZ',
        `AuthorizationPolicy without selector or targetRefs in the root namespace ${index.rootNamespace} applies to every workload `
        + `of the mesh (action ${text(spec.action) || 'ALLOW'}); add a selector (e.g. the gateway's labels) unless a mesh-wide policy is intended`);
    }
  }
}

/** Server hosts, exact names in a set and wildcards in a list, so a concrete host is looked up, not scanned for. */
class ServedHosts {
  private readonly exact = new Set<string>();
  private readonly wildcards: string[] = [];

  public add(host: string): void {
    if (host.startsWith('*')) this.wildcards.push(host);
    else this.exact.add(host);
  }

  /** Whether some served host and `host` share a name (istio `host.Name` intersection). */
  public matches(host: string): boolean {
    if (this.exact.has(host) || this.wildcards.some(w => Names.hostsOverlap(host, w))) return true;
    return host.startsWith('*') && [...this.exact].some(e => Names.hostsOverlap(host, e));
  }
}
