import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, MeshEgressLockdown,
} from 'cdk8s-istio-gateways';

const app = new App();

// The egress gateway, in a namespace of its own.
const gateway = new EgressGateway(new Chart(app, 'egress-gateway', { namespace: 'istio-egress' }), 'gateway');

// The allow-list: httpbin.org through the gateway, and every other way out closed for the `shop` namespace.
const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'], createNamespaces: true });
const httpbin = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
const route = new EgressRoute(egress, 'httpbin-route', { gateway, service: httpbin });

// The application, granted httpbin.org only.
const shop = new Chart(app, 'shop', { namespace: 'shop' });
const checkout = new kplus.Deployment(shop, 'checkout', {
  containers: [{ image: 'example/checkout:1.0', securityContext: { user: 1000 } }],
  serviceAccount: new kplus.ServiceAccount(shop, 'checkout-sa'),
});
route.grantEgress(EgressGrantee.workload(checkout));

app.synth();
