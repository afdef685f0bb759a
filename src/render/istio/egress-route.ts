import { hopSubsetName } from './egress-gateway';
import { renderOriginationPorts, TlsOriginationIntent } from './tls-origination';
import * as networking from '../../../imports/networking.istio.io';
import { sortBy } from '../../private/collections';
import { renderExportTo } from '../../private/export-to';

/** One port of a routed host, as its VirtualService renders it. */
export interface RouteLegIntent {
  /** The port the application calls, which the sidecar matches. */
  readonly applicationPort: number;
  /** The gateway Service port of the sidecar → gateway hop. */
  readonly port: number;
  /** The port of the external host the gateway dials. */
  readonly externalPort: number;
  /** Whether the application's TLS passes through (routed by SNI) rather than HTTP the gateway reads. */
  readonly passthrough: boolean;
}

/** What a route renders into one host's VirtualService. */
export interface RouteIntent {
  readonly host: string;
  readonly namespace: string;
  readonly legs: RouteLegIntent[];
  readonly istioMutualHop: boolean;
  /** `namespace/name` of the gateway's Istio `Gateway`. */
  readonly gatewayRef: string;
  readonly gatewayServiceHost: string;
  /** Timeout, retries and header changes of the gateway → external HTTP leg. */
  readonly shaping?: Partial<networking.VirtualServiceSpecHttp>;
  /** The only request paths forwarded to the external host (each exact, or a prefix); empty forwards every path. */
  readonly paths: Array<{ readonly path: string; readonly prefix: boolean }>;
  /** Namespaces (by name, or `*`) that see the host. */
  readonly visibleIn: string[];
}

/**
 * One host's VirtualService: the mesh → gateway leg and the gateway → external leg per port, with `sniHosts` on
 * every TLS match.
 */
export function renderEgressVirtualService(intent: RouteIntent): networking.VirtualServiceSpec {
  const http: networking.VirtualServiceSpecHttp[] = [];
  const tls: networking.VirtualServiceSpecTls[] = [];
  const tcp: networking.VirtualServiceSpecTcp[] = [];
  const { host, gatewayRef } = intent;
  for (const leg of sortBy(intent.legs, l => String(l.applicationPort).padStart(5, '0'))) {
    const port = leg.port;
    const appPort = leg.applicationPort;
    const toGateway = {
      host: intent.gatewayServiceHost,
      subset: intent.istioMutualHop ? hopSubsetName(host, port) : undefined,
      port: { number: port },
    };
    const toExternal = { host, port: { number: leg.externalPort } };
    if (!leg.passthrough) {
      http.push({ name: `mesh-to-gateway-${appPort}`, match: [{ gateways: ['mesh'], port: appPort }], route: [{ destination: toGateway }] });
      // Match blocks are alternatives: a request for any other path finds no route at the gateway, which answers 404.
      const uris = intent.paths.map(p => (p.prefix ? { prefix: p.path } : { exact: p.path }));
      http.push({
        name: `gateway-to-external-${port}`,
        match: uris.length === 0 ? [{ gateways: [gatewayRef], port }] : uris.map(uri => ({ gateways: [gatewayRef], port, uri })),
        route: [{ destination: toExternal }],
        ...intent.shaping,
      });
    } else {
      tls.push({ match: [{ gateways: ['mesh'], port: appPort, sniHosts: [host] }], route: [{ destination: toGateway }] });
      if (intent.istioMutualHop) {
        // The gateway terminates the Istio mTLS wrapper and forwards the application's TLS as bytes; it matches this
        // host's server by the wrapper's SNI, and istiod scopes TCP routes to servers by host.
        tcp.push({ match: [{ gateways: [gatewayRef], port }], route: [{ destination: toExternal }] });
      } else {
        tls.push({ match: [{ gateways: [gatewayRef], port, sniHosts: [host] }], route: [{ destination: toExternal }] });
      }
    }
  }
  return {
    hosts: [host],
    gateways: ['mesh', gatewayRef],
    exportTo: renderExportTo(intent.visibleIn, intent.namespace),
    http: http.length > 0 ? http : undefined,
    tls: tls.length > 0 ? tls : undefined,
    tcp: tcp.length > 0 ? tcp : undefined,
  };
}

/** TLS origination happens in the gateway, so its rule lives in the gateway's namespace, visible only there. */
export function renderGatewayTlsOrigination(host: string, origins: TlsOriginationIntent[]): networking.DestinationRuleSpec {
  return { host, exportTo: ['.'], trafficPolicy: { portLevelSettings: renderOriginationPorts(host, origins) } };
}
