import {
  EgressInventoryClient, EgressInventoryDocument, EgressInventoryGateway, EgressInventoryGatewayRef, EgressInventoryGrant,
  EgressInventoryHost, EgressInventoryKubernetesService, EgressInventoryPort, EgressInventoryTls,
} from './inventory-document';
import { EgressTlsMode, GatewayHopTls } from '../egress/egress-tls';
import { groupBy, sortBy } from '../private/collections';
import { IstioProtocol } from '../private/protocol';

// Internal: what the two sources of an inventory (the construct tree, synthesized manifests) each read, in one
// shape, and the one assembly of that into the document. Both sources go through `assembleInventory`, so their
// documents can only differ where their facts do: that is what the manifests == tree test compares.

/** A ServiceEntry: its hosts and ports. */
export interface ServiceFact {
  readonly namespaceName: string;
  readonly name: string;
  readonly hosts: string[];
  readonly resolution: string;
  /** `MESH_EXTERNAL` or `MESH_INTERNAL`. */
  readonly location: string;
  /** By name, with the entry's own namespace; or `['*']`. */
  readonly visibleTo: string[];
  readonly ports: ServicePortFact[];
  /** `host:port` → how the client sidecar originates TLS on that port, for the ports it does. */
  readonly sidecarTls: Map<string, EgressInventoryTls>;
  readonly declaredBy?: string;
}

export interface ServicePortFact {
  readonly number: number;
  readonly protocol: string;
  readonly dialledPorts: number[];
}

/** One host:port a route sends through a gateway. */
export interface LegFact {
  readonly gateway: EgressInventoryGatewayRef;
  readonly host: string;
  /** The namespace of the ServiceEntry the host comes from. */
  readonly serviceNamespace: string;
  readonly applicationPort: number;
  readonly gatewayPort: number;
  readonly externalPort: number;
  readonly tlsMode: EgressTlsMode;
  readonly hopTls: GatewayHopTls;
  /** The only paths forwarded (`/get`, `/status/*`), sorted; undefined for every path. */
  readonly forwardedPaths?: string[];
  readonly declaredBy?: string;
}

/** One identity admitted to one host at a gateway. */
export interface GrantFact extends Omit<EgressInventoryGrant, 'declaredBy'> {
  readonly gateway: EgressInventoryGatewayRef;
  readonly host: string;
  readonly serviceNamespace: string;
  readonly declaredBy?: string;
}

export interface GatewayFact extends Omit<EgressInventoryGateway, 'clients'> {
  readonly clients: EgressInventoryClient[];
}

/** A Kubernetes Service for an external target, as its Service and EndpointSlices render it. */
export interface KubernetesServiceFact {
  readonly service: any;
  readonly endpointSlices: any[];
  readonly declaredBy?: string;
}

export interface InventoryFacts {
  readonly lockedNamespaces: string[];
  readonly egressDeniedNamespaces: string[];
  readonly gateways: GatewayFact[];
  readonly services: ServiceFact[];
  readonly legs: LegFact[];
  readonly grants: GrantFact[];
  readonly kubernetesServices: KubernetesServiceFact[];
}

export const INVENTORY_KIND = 'EgressInventory';
export const INVENTORY_VERSION = 1;

/** The sidecar's or the gateway's TLS origination modes by port, from a DestinationRule spec (`portLevelSettings`). */
export function originationByPort(spec: any): Map<number, 'SIMPLE' | 'MUTUAL'> {
  const modes = new Map<number, 'SIMPLE' | 'MUTUAL'>();
  for (const setting of spec?.trafficPolicy?.portLevelSettings ?? []) {
    const mode = setting?.tls?.mode;
    const port = setting?.port?.number;
    if ((mode === 'SIMPLE' || mode === 'MUTUAL') && typeof port === 'number') modes.set(port, mode);
  }
  return modes;
}

/** The document, canonical: every list sorted, every map's keys sorted, fields in one order, no timestamps. */
export function assembleInventory(facts: InventoryFacts): EgressInventoryDocument {
  const routed = new Set(facts.legs.map(leg => refKey(leg.gateway)));
  const gateways = sortBy(facts.gateways.filter(g => routed.has(refKey(g))), refKey).map((g): EgressInventoryGateway => ({
    namespaceName: g.namespaceName,
    name: g.name,
    serviceHost: g.serviceHost,
    podLabels: sortedRecord(g.podLabels) ?? {},
    clients: mergeClients(g.clients),
  }));
  // Looked up per host, not filtered for every one.
  const byHost = <T extends { host: string; serviceNamespace: string }>(items: T[]) => groupBy(items, i => `${i.host}\u0000${i.serviceNamespace}`);
  const legsByHost = byHost(facts.legs);
  const grantsByHost = byHost(facts.grants);
  const hosts = facts.services.flatMap(service => service.hosts.map(host => {
    const key = `${host}\u0000${service.namespaceName}`;
    return hostEntry(service, host, legsByHost.get(key) ?? [], grantsByHost.get(key) ?? []);
  }));
  return {
    kind: INVENTORY_KIND,
    version: INVENTORY_VERSION,
    lockedNamespaces: [...new Set(facts.lockedNamespaces)].sort(),
    egressDeniedNamespaces: [...new Set(facts.egressDeniedNamespaces)].sort(),
    gateways,
    hosts: sortBy(hosts, h => `${h.host}\u0000${h.namespaceName}\u0000${h.serviceEntry}`),
    kubernetesServices: sortBy(facts.kubernetesServices.map(kubernetesServiceEntry), s => `${s.namespaceName}/${s.name}`),
  };
}

/**
 * A Service with an `externalName`, or with EndpointSlices but no selector: what both sources read from the same
 * two kinds of object. Istio reads a port's protocol from its name prefix (`https-443`), TCP otherwise.
 */
export function isExternalKubernetesService(service: any, endpointSlices: any[]): boolean {
  if (service.spec?.type === 'ExternalName') return true;
  // `default/kubernetes` is the API server, and slices the mirroring controller copies from Endpoints (a kubelet
  // Service, say) point into the cluster: neither is a way out a team declared.
  const apiServer = service.metadata?.name === 'kubernetes' && (service.metadata?.namespace ?? 'default') === 'default';
  const declared = endpointSlices.filter(slice => slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] !== MIRRORING_CONTROLLER);
  return !apiServer && !service.spec?.selector && declared.length > 0;
}

const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';

function kubernetesServiceEntry(fact: KubernetesServiceFact): EgressInventoryKubernetesService {
  const spec = fact.service.spec ?? {};
  const addresses: string[] = fact.endpointSlices.flatMap(slice => (slice.endpoints ?? []).flatMap((e: any) => e.addresses ?? []));
  return {
    namespaceName: fact.service.metadata?.namespace ?? 'default',
    name: fact.service.metadata?.name,
    externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
    addresses: addresses.length > 0 ? [...new Set(addresses)].sort() : undefined,
    ports: sortBy<any>(spec.ports ?? [], p => pad(p.port)).map((p): EgressInventoryPort => {
      const protocol = IstioProtocol.parse(p.appProtocol ?? String(p.name ?? '').split('-')[0]) ?? 'TCP';
      return {
        number: p.port,
        protocol,
        tls: IstioProtocol.isTls(protocol) ? EgressInventoryTls.APPLICATION : EgressInventoryTls.NONE,
        dialledPorts: [typeof p.targetPort === 'number' ? p.targetPort : p.port],
        declaredBy: provenance([fact.declaredBy]),
      };
    }),
    declaredBy: provenance([fact.declaredBy]),
  };
}

/** A host's entry, from its service and the legs and grants of that host and service namespace. */
function hostEntry(service: ServiceFact, host: string, legs: LegFact[], hostGrants: GrantFact[]): EgressInventoryHost {
  const ports = sortBy(service.ports, p => pad(p.number)).map((port): EgressInventoryPort => {
    const leg = legs.find(l => l.applicationPort === port.number);
    if (!leg) {
      return {
        number: port.number,
        protocol: port.protocol,
        tls: service.sidecarTls.get(`${host}:${port.number}`) ?? (IstioProtocol.isTls(port.protocol) ? EgressInventoryTls.APPLICATION : EgressInventoryTls.NONE),
        dialledPorts: sortedNumbers(port.dialledPorts),
        declaredBy: provenance([service.declaredBy]),
      };
    }
    return {
      number: port.number,
      protocol: port.protocol,
      tls: TLS_OF_MODE[leg.tlsMode],
      dialledPorts: sortedNumbers(service.ports.find(p => p.number === leg.externalPort)?.dialledPorts ?? [leg.externalPort]),
      gateway: { namespaceName: leg.gateway.namespaceName, name: leg.gateway.name },
      gatewayPort: leg.gatewayPort,
      hopTls: leg.hopTls,
      forwardedPaths: leg.forwardedPaths,
      declaredBy: provenance([leg.declaredBy]),
    };
  });
  // A grant reaches a host only over a leg through the gateway that admits it.
  const routedVia = new Set(legs.map(leg => refKey(leg.gateway)));
  const grants = hostGrants.filter(g => routedVia.has(refKey(g.gateway)));
  return {
    host,
    namespaceName: service.namespaceName,
    serviceEntry: service.name,
    resolution: service.resolution,
    location: service.location,
    visibleTo: [...new Set(service.visibleTo)].sort(),
    ports,
    grants: mergeGrants(grants),
    declaredBy: provenance([service.declaredBy]),
  };
}

const TLS_OF_MODE: Record<EgressTlsMode, EgressInventoryTls> = {
  [EgressTlsMode.PASSTHROUGH]: EgressInventoryTls.APPLICATION,
  [EgressTlsMode.PLAINTEXT]: EgressInventoryTls.NONE,
  [EgressTlsMode.ORIGINATE]: EgressInventoryTls.GATEWAY,
  [EgressTlsMode.ORIGINATE_MUTUAL]: EgressInventoryTls.GATEWAY_MUTUAL,
};

/** One entry per identity and request conditions; the routes that granted it are merged. */
function mergeGrants(grants: GrantFact[]): EgressInventoryGrant[] {
  const byKey = new Map<string, { grant: EgressInventoryGrant; declaredBy: Array<string | undefined> }>();
  for (const g of grants) {
    const grant: EgressInventoryGrant = {
      namespaceName: g.namespaceName,
      serviceAccountName: g.serviceAccountName,
      principal: g.principal,
      methods: g.methods && [...new Set(g.methods)].sort(),
      paths: g.paths && [...new Set(g.paths)].sort(),
      headers: sortedRecord(g.headers),
    };
    const key = JSON.stringify(grant);
    const entry = byKey.get(key) ?? { grant, declaredBy: [] };
    entry.declaredBy.push(g.declaredBy);
    byKey.set(key, entry);
  }
  return [...byKey.keys()].sort().map(key => {
    const { grant, declaredBy } = byKey.get(key)!;
    return { ...grant, declaredBy: provenance(declaredBy) };
  });
}

/** One entry per namespace and pod selector, with the union of their ports (an empty list, every port, absorbs). */
function mergeClients(clients: EgressInventoryClient[]): EgressInventoryClient[] {
  const byKey = new Map<string, EgressInventoryClient>();
  for (const client of clients) {
    const podLabels = sortedRecord(client.podLabels);
    const key = JSON.stringify([client.namespaceName, podLabels ?? null]);
    const previous = byKey.get(key);
    const everyPort = client.ports.length === 0 || previous?.ports.length === 0;
    const ports = everyPort ? [] : sortedNumbers([...previous?.ports ?? [], ...client.ports]);
    byKey.set(key, { namespaceName: client.namespaceName, podLabels, ports });
  }
  return [...byKey.keys()].sort().map(key => byKey.get(key)!);
}

export function refKey(ref: EgressInventoryGatewayRef): string {
  return `${ref.namespaceName}/${ref.name}`;
}

function provenance(paths: Array<string | undefined>): string[] | undefined {
  const known = paths.filter((p): p is string => p !== undefined);
  return known.length === 0 ? undefined : [...new Set(known)].sort();
}

function sortedNumbers(numbers: number[]): number[] {
  return [...new Set(numbers)].sort((a, b) => a - b);
}

function sortedRecord(record: { [key: string]: string } | undefined): { [key: string]: string } | undefined {
  if (record === undefined || Object.keys(record).length === 0) return undefined;
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}
