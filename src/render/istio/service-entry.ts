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

/**
 * The sidecar's TLS origination to one host: SIMPLE TLS with the host as SNI on each originating port. It is
 * visible wherever the ServiceEntry is: whoever can call the host must also originate TLS to it.
 */
/** TLS the sidecar originates on one port. */
export interface SidecarTlsOriginationIntent {
  readonly port: number;
  readonly caCertificates?: string;
}

export function renderSidecarTlsOrigination(host: string, originations: SidecarTlsOriginationIntent[], namespace: string,
  visibleIn: string[]): networking.DestinationRuleSpec {
  return {
    host,
    exportTo: renderExportTo(visibleIn, namespace),
    trafficPolicy: {
      portLevelSettings: sortBy(originations, o => String(o.port).padStart(5, '0')).map(o => ({
        port: { number: o.port },
        tls: { mode: networking.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.SIMPLE, sni: host, caCertificates: o.caCertificates },
      })),
    },
  };
}
