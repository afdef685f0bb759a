import { deployment, gateway, patch, service, serviceEntry, virtualService } from './fixtures';

/**
 * A complete egress set split the way an app splits it: the client side (ServiceEntry, routes) and the gateway side
 * (Gateway, its Deployment and Service, the subset DestinationRule).
 */
export function egressStack(): [any[], any[]] {
  const route = patch(virtualService, {
    metadata: { name: 'api-via-egress' },
    spec: {
      gateways: ['mesh', 'istio-egress/egress'],
      tls: [
        { match: [{ gateways: ['mesh'], port: 443, sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'egress.istio-egress.svc.cluster.local', subset: 'api', port: { number: 443 } } }] },
        { match: [{ gateways: ['istio-egress/egress'], port: 443, sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api.example.com', port: { number: 443 } } }] },
      ],
    },
  });
  const subsets = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'egress-subsets', namespace: 'istio-system' },
    spec: { host: 'egress.istio-egress.svc.cluster.local', subsets: [{ name: 'api' }] },
  };
  return [[serviceEntry, route], [gateway, service, deployment, subsets]];
}
