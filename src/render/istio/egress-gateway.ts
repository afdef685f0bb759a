import * as networking from '../../../imports/networking.istio.io';
import * as security from '../../../imports/security.istio.io';
import { sortBy } from '../../private/collections';
import { renderExportTo } from '../../private/export-to';
import { hopSni } from '../../private/hostname';
import { ObjectNames } from '../../private/object-names';

/** One host:port through an egress gateway, as its shared Istio objects render it. */
export interface GatewayLegIntent {
  readonly host: string;
  /** The gateway Service port of the sidecar → gateway hop. */
  readonly port: number;
  /** Whether the application's TLS passes through (routed by SNI) rather than HTTP the gateway reads. */
  readonly passthrough: boolean;
  /** Whether the sidecar → gateway hop is Istio mutual TLS. */
  readonly istioMutualHop: boolean;
  /** The only namespace whose VirtualServices may bind to this host's server. */
  readonly routeNamespace: string;
}

/** The protocol of a leg's gateway server: what the sidecar → gateway hop carries. */
export function serverProtocol(leg: GatewayLegIntent): string {
  if (leg.passthrough) return 'TLS';
  return leg.istioMutualHop ? 'HTTPS' : 'HTTP';
}

/**
 * A server's port name. istiod merges the servers of every Gateway on the same pods into one listener per port and
 * keys them by port name (`model.MergeGateways`: a second server with a name already taken on an HTTPS port is
 * dropped with a warning), so every host:port gets its own.
 */
export function serverPortName(leg: GatewayLegIntent): string {
  return ObjectNames.label(`${serverProtocol(leg).toLowerCase()}-${leg.port}-${leg.host}`);
}

/** The gateway DestinationRule subset of one host:port of an Istio mutual TLS hop. */
export function hopSubsetName(host: string, port: number): string {
  return ObjectNames.label(`${host}-${port}`);
}

/** One server per host:port, sorted, each bindable only from its route's namespace. */
export function renderGatewayServers(legs: GatewayLegIntent[]): networking.GatewaySpecServers[] {
  return sortBy(legs, leg => `${leg.host}:${String(leg.port).padStart(5, '0')}`).map(leg => ({
    port: { number: leg.port, protocol: serverProtocol(leg), name: serverPortName(leg) },
    hosts: [`${leg.routeNamespace}/${leg.host}`],
    tls: leg.istioMutualHop
      ? { mode: networking.GatewaySpecServersTlsMode.ISTIO_UNDERSCORE_MUTUAL }
      : leg.passthrough ? { mode: networking.GatewaySpecServersTlsMode.PASSTHROUGH } : undefined,
  }));
}

/**
 * The gateway's DestinationRule: a subset per host:port of an Istio mutual TLS hop, whose SNI picks the host's
 * server on the gateway's shared port. Istio resolves a destination's subsets from the client's namespace, so the
 * rule is exported to every namespace that sees a route through the gateway (`visibleIn`); a rule only the
 * gateway's namespace sees yields 503 NC.
 */
export function renderHopDestinationRule(serviceHost: string, namespace: string, legs: GatewayLegIntent[],
  visibleIn: string[]): networking.DestinationRuleSpec {
  const mutual = legs.filter(leg => leg.istioMutualHop);
  return {
    host: serviceHost,
    exportTo: renderExportTo(visibleIn, namespace),
    subsets: sortBy(mutual, leg => hopSubsetName(leg.host, leg.port)).map(leg => ({
      name: hopSubsetName(leg.host, leg.port),
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: leg.port },
          tls: { mode: networking.DestinationRuleSpecSubsetsTrafficPolicyPortLevelSettingsTlsMode.ISTIO_UNDERSCORE_MUTUAL, sni: hopSni(leg.host) },
        }],
      },
    })),
  };
}

/** One grantee's access at the gateway: who, and the host names per match kind. */
export interface GrantRuleIntent {
  /** The Istio identity admitted, or undefined to admit `namespace`. */
  readonly principal?: string;
  readonly namespace: string;
  /** SNIs of the mutual TLS hop, for hosts whose TLS passes through. */
  readonly sniHosts: string[];
  /** The gateway pod ports those SNIs arrive on. */
  readonly sniPorts: number[];
  /** Host headers (with and without the port), for hosts whose requests the gateway reads. */
  readonly httpHosts: string[];
  /** For a request-level grant, what its HTTP requests must be (methods upper-case and sorted, paths sorted). */
  readonly request?: {
    readonly methods?: string[];
    readonly paths?: string[];
    readonly headers?: { [name: string]: string };
  };
}

/**
 * The ALLOW rules of the gateway: one rule per distinct set of hosts, naming every grantee that has exactly that set,
 * so with N hosts granted to M namespaces the policy grows with N + M, not N × M. Sources in one `from` list are
 * alternatives. Sorted, so the output does not depend on the order grants were made in.
 */
export function renderGrantRules(grants: GrantRuleIntent[]): security.AuthorizationPolicySpecRules[] {
  // A request-level grant is its own kind of access: it merges only with grants of the same conditions.
  type Entry = {
    principal?: string; namespace: string; request?: GrantRuleIntent['request']; sni: Set<string>; sniPorts: Set<number>; http: Set<string>;
  };
  const byIdentity = new Map<string, Entry>();
  for (const grant of grants) {
    const key = JSON.stringify([grant.principal ?? null, grant.principal ? null : grant.namespace, grant.request ?? null]);
    const entry: Entry = byIdentity.get(key) ?? {
      principal: grant.principal,
      namespace: grant.namespace,
      request: grant.request,
      sni: new Set(),
      sniPorts: new Set(),
      http: new Set(),
    };
    byIdentity.set(key, entry);
    grant.sniHosts.forEach(h => entry.sni.add(h));
    grant.sniPorts.forEach(p => entry.sniPorts.add(p));
    grant.httpHosts.forEach(h => entry.http.add(h));
  }
  type Group = {
    sni: string[]; sniPorts: string[]; http: string[]; request?: GrantRuleIntent['request']; principals: string[]; namespaces: string[];
  };
  const groups = new Map<string, Group>();
  for (const entry of byIdentity.values()) {
    const sni = [...entry.sni].sort();
    const http = [...entry.http].sort();
    const sniPorts = [...entry.sniPorts].sort((a, b) => a - b).map(String);
    const key = JSON.stringify([sni, sniPorts, http, entry.request ?? null]);
    const group = groups.get(key) ?? { sni, sniPorts, http, request: entry.request, principals: [], namespaces: [] };
    groups.set(key, group);
    if (entry.principal) group.principals.push(entry.principal);
    else group.namespaces.push(entry.namespace);
  }
  const rules: security.AuthorizationPolicySpecRules[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    const from = [
      ...group.principals.length > 0 ? [{ source: { principals: group.principals.sort() } }] : [],
      ...group.namespaces.length > 0 ? [{ source: { namespaces: group.namespaces.sort() } }] : [],
    ];
    // The ports keep an SNI granted on one gateway port from passing on another.
    if (group.sni.length > 0) rules.push({ from, to: [{ operation: { ports: group.sniPorts } }], when: [{ key: 'connection.sni', values: group.sni }] });
    if (group.http.length > 0) {
      const request = group.request;
      const headers = Object.entries(request?.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, value]) => ({ key: `request.headers[${name}]`, values: [value] }));
      rules.push({
        from,
        to: [{ operation: { hosts: group.http, methods: request?.methods, paths: request?.paths } }],
        when: headers.length > 0 ? headers : undefined,
      });
    }
  }
  return rules;
}

/** Clients send the port in Host when it is not the scheme's default, so both spellings are admitted. */
export function httpHostsOf(host: string, port: number): string[] {
  return port === 80 ? [host] : [host, `${host}:${port}`];
}
