import { hostName, isHttps } from './egress-app';

/** The istioctl-installed gateway the Istio docs route through. */
const GATEWAY_SERVICE = 'istio-egressgateway.istio-system.svc.cluster.local';

/**
 * What a user following the Istio docs' egress gateway tasks writes for one host, by hand: a ServiceEntry, a
 * Gateway, a DestinationRule with the host's subset and a VirtualService with the mesh → gateway and gateway →
 * external legs ("Egress Gateways": HTTP for edition.cnn.com; "Egress gateway for HTTPS traffic": TLS passthrough).
 * Names follow the docs (`cnn`, `istio-egressgateway`, `egressgateway-for-cnn`, `direct-cnn-through-egress-gateway`)
 * with the host's label instead of `cnn`; like the docs, no namespace and no exportTo.
 */
export function docsPatternForHost(host: string, https: boolean): any[] {
  const id = host.replace(/\./g, '-');
  const gatewayName = `istio-egressgateway-${id}`;
  const port = https ? 443 : 80;
  const serviceEntry = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: id },
    spec: {
      hosts: [host],
      ports: [https ? { number: 443, name: 'tls', protocol: 'TLS' } : { number: 80, name: 'http-port', protocol: 'HTTP' }],
      resolution: 'DNS',
    },
  };
  const gateway = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: gatewayName },
    spec: {
      selector: { istio: 'egressgateway' },
      servers: [https
        ? { port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: [host], tls: { mode: 'PASSTHROUGH' } }
        : { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [host] }],
    },
  };
  const destinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: `egressgateway-for-${id}` },
    spec: { host: GATEWAY_SERVICE, subsets: [{ name: id }] },
  };
  const toGateway = { destination: { host: GATEWAY_SERVICE, subset: id, port: { number: port } } };
  const toExternal = { destination: { host, port: { number: port } }, weight: 100 };
  const virtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: `direct-${id}-through-egress-gateway` },
    spec: https
      ? {
        hosts: [host],
        gateways: ['mesh', gatewayName],
        tls: [
          { match: [{ gateways: ['mesh'], port, sniHosts: [host] }], route: [toGateway] },
          { match: [{ gateways: [gatewayName], port, sniHosts: [host] }], route: [toExternal] },
        ],
      }
      : {
        hosts: [host],
        gateways: [gatewayName, 'mesh'],
        http: [
          { match: [{ gateways: ['mesh'], port }], route: [{ ...toGateway, weight: 100 }] },
          { match: [{ gateways: [gatewayName], port }], route: [toExternal] },
        ],
      },
  };
  return [serviceEntry, gateway, destinationRule, virtualService];
}

/** The docs pattern for the same hosts as the construct app of `hosts` hosts. */
export function docsPattern(hosts: number): any[] {
  const objects: any[] = [];
  for (let i = 0; i < hosts; i++) objects.push(...docsPatternForHost(hostName(i), isHttps(i)));
  return objects;
}
