import * as networking from '../../../imports/networking.istio.io';
import { ObjectNames } from '../../private/object-names';

/** A listener as the Istio `Gateway` server renders it. */
export interface ListenerIntent {
  readonly protocol: 'HTTP' | 'HTTPS' | 'TLS';
  readonly port: number;
  /** The hosts as declared (what names the server). */
  readonly hosts: string[];
  /** The server's hosts as rendered: `<namespace>/<host>` for the namespaces whose routes may bind to each. */
  readonly servedHosts: string[];
  readonly httpsRedirect: boolean;
  readonly tls?: {
    readonly mode: 'SIMPLE' | 'MUTUAL';
    readonly credentialName: string;
    readonly minProtocolVersion?: string;
    readonly subjectAltNames?: string[];
  };
}

/**
 * The server port names of listeners, by position: protocol, port and first host, plus a digest of the hosts where
 * two would read alike (`a-b.example.com`, `a.b-example.com`). Istio's validation wants the port names of one
 * `Gateway` unique, and istiod tells HTTPS servers on a shared port apart by them (pilot/pkg/model/gateway.go,
 * "non unique port name for HTTPS port": the later server is skipped).
 */
export function listenerPortNames(listeners: ListenerIntent[]): string[] {
  const base = listeners.map(l => ObjectNames.label(`${l.protocol.toLowerCase()}-${l.port}-${l.hosts[0]}`));
  return base.map((name, i) => (base.indexOf(name) !== base.lastIndexOf(name)
    ? ObjectNames.label(`${name.slice(0, 54)}-${ObjectNames.digest([...listeners[i].hosts].sort().join(','))}`)
    : name));
}

/** The servers of an ingress gateway's Istio `Gateway`, by port and then port name, whatever order they came in. */
export function renderIngressServers(listeners: ListenerIntent[]): networking.GatewaySpecServers[] {
  const names = listenerPortNames(listeners);
  return listeners
    .map((listener, i) => ({ listener, name: names[i] }))
    .sort((a, b) => a.listener.port - b.listener.port || a.name.localeCompare(b.name))
    .map(({ listener, name }) => ({
      port: { number: listener.port, name, protocol: listener.protocol },
      hosts: [...listener.servedHosts].sort(),
      tls: serverTls(listener),
    }));
}

function serverTls(listener: ListenerIntent): networking.GatewaySpecServersTls | undefined {
  if (listener.protocol === 'TLS') return { mode: networking.GatewaySpecServersTlsMode.PASSTHROUGH };
  if (listener.httpsRedirect) return { httpsRedirect: true };
  const tls = listener.tls;
  if (!tls) return undefined;
  return {
    mode: tls.mode === 'MUTUAL' ? networking.GatewaySpecServersTlsMode.MUTUAL : networking.GatewaySpecServersTlsMode.SIMPLE,
    credentialName: tls.credentialName,
    minProtocolVersion: tls.minProtocolVersion as networking.GatewaySpecServersTlsMinProtocolVersion | undefined,
    subjectAltNames: tls.subjectAltNames && [...tls.subjectAltNames].sort(),
  };
}
