import * as networking from '../../../imports/networking.istio.io';
import { ObjectNames } from '../../private/object-names';

/** A listener as the Istio `Gateway` server renders it. */
export interface ListenerIntent {
  readonly protocol: 'HTTP' | 'HTTPS' | 'TLS';
  readonly port: number;
  readonly hosts: string[];
  readonly httpsRedirect: boolean;
  readonly tls?: {
    readonly mode: 'SIMPLE' | 'MUTUAL';
    readonly credentialName: string;
    readonly minProtocolVersion?: string;
    readonly subjectAltNames?: string[];
  };
}

/**
 * The server port name of a listener: protocol, port and first host. Istio's validation wants the port names of one
 * `Gateway` unique, and istiod tells HTTPS servers on a shared port apart by them (pilot/pkg/model/gateway.go,
 * "non unique port name for HTTPS port": the later server is skipped).
 */
export function listenerPortName(listener: ListenerIntent): string {
  return ObjectNames.label(`${listener.protocol.toLowerCase()}-${listener.port}-${listener.hosts[0]}`);
}

/** The servers of an ingress gateway's Istio `Gateway`, by port and then port name, whatever order they came in. */
export function renderIngressServers(listeners: ListenerIntent[]): networking.GatewaySpecServers[] {
  return [...listeners]
    .map(listener => ({ listener, name: listenerPortName(listener) }))
    .sort((a, b) => a.listener.port - b.listener.port || a.name.localeCompare(b.name))
    .map(({ listener, name }) => ({
      port: { number: listener.port, name, protocol: listener.protocol },
      hosts: [...listener.hosts].sort(),
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
