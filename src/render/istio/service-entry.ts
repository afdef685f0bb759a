import { renderOriginationPorts } from './tls-origination';
import * as networking from '../../../imports/networking.istio.io';
import { sortBy, undefinedIfEmpty } from '../../private/collections';
import { renderExportTo } from '../../private/export-to';

/** A port of a ServiceEntry. */
export interface ServiceEntryPortIntent {
  readonly number: number;
  readonly name: string;
  readonly protocol: string;
}

/** An endpoint of a ServiceEntry. */
export interface ServiceEntryEndpointIntent {
  readonly address: string;
  readonly ports?: { [portName: string]: number };
  readonly weight?: number;
}

/** What an `ExternalService` renders into its ServiceEntry. */
export interface ServiceEntryIntent {
  readonly namespace: string;
  readonly hosts: string[];
  readonly ports: ServiceEntryPortIntent[];
  /** Port number → the remote port, for ports whose TLS the sidecar originates. */
  readonly targetPorts: Map<number, number>;
  readonly resolution: string;
  readonly location: string;
  readonly endpoints: ServiceEntryEndpointIntent[];
  readonly addresses: string[];
  /** Namespaces (by name, or `*`) whose proxies see the entry. */
  readonly visibleIn: string[];
}

/** Lists sorted: the entry must not depend on the order hosts, ports and endpoints were added in. */
export function renderServiceEntry(intent: ServiceEntryIntent): networking.ServiceEntrySpec {
  return {
    hosts: [...intent.hosts].sort(),
    ports: sortBy(intent.ports, p => String(p.number).padStart(5, '0')).map(port => ({
      number: port.number,
      name: port.name,
      protocol: port.protocol,
      targetPort: intent.targetPorts.get(port.number),
    })),
    resolution: intent.resolution as networking.ServiceEntrySpecResolution,
    location: intent.location as networking.ServiceEntrySpecLocation,
    endpoints: undefinedIfEmpty(sortBy(intent.endpoints, e => e.address).map(e => ({ address: e.address, ports: e.ports, weight: e.weight }))),
    addresses: undefinedIfEmpty([...intent.addresses].sort()),
    exportTo: renderExportTo(intent.visibleIn, intent.namespace),
  };
}

/** TLS the sidecar originates on one port. */
export interface SidecarTlsOriginationIntent {
  readonly port: number;
  readonly caCertificates?: string;
  /** A client certificate Secret: mutual TLS. */
  readonly credentialName?: string;
  /** Only pods with these labels originate (the same on every origination of the service). */
  readonly workloadSelector?: { [key: string]: string };
}

/**
 * The sidecar's TLS origination to one host: SIMPLE (or, with a client certificate, MUTUAL) TLS with the host as SNI
 * on each originating port. It is visible wherever the ServiceEntry is, since whoever can call the host must also
 * originate TLS to it; with a workload selector Istio allows it only in its own namespace.
 */
export function renderSidecarTlsOrigination(host: string, originations: SidecarTlsOriginationIntent[], namespace: string,
  visibleIn: string[]): networking.DestinationRuleSpec {
  const selector = originations.find(o => o.workloadSelector)?.workloadSelector;
  return {
    host,
    exportTo: selector ? ['.'] : renderExportTo(visibleIn, namespace),
    workloadSelector: selector && { matchLabels: selector },
    trafficPolicy: {
      portLevelSettings: renderOriginationPorts(host, originations.map(o => ({
        port: o.port, mutual: o.credentialName !== undefined, credentialName: o.credentialName, caCertificates: o.caCertificates,
      }))),
    },
  };
}

/** Requests the sidecars send straight to one host, shaped per HTTP port (sorted), with the entry's visibility. */
export function renderSidecarShaping(host: string, httpPorts: number[], shaping: Partial<networking.VirtualServiceSpecHttp>,
  namespace: string, visibleIn: string[]): networking.VirtualServiceSpec {
  return {
    hosts: [host],
    exportTo: renderExportTo(visibleIn, namespace),
    http: [...httpPorts].sort((a, b) => a - b).map(port => ({
      name: `sidecar-to-external-${port}`,
      match: [{ port }],
      route: [{ destination: { host, port: { number: port } } }],
      ...shaping,
    })),
  };
}
