import { App, Chart, Testing } from 'cdk8s';
import { EgressGateway, EgressRoute, ExternalPort, ExternalService, IEgressGateway, MeshEgressLockdown } from '../../src';

/** A gateway deployed by the app, locked down over `shop` with Prometheus in `monitoring`, HTTP and passthrough routes. */
export function egressApp(): { app: App; gatewayChart: Chart; gateway: IEgressGateway } {
  const app = Testing.app();
  const gatewayChart = new Chart(app, 'egress-gateway', { namespace: 'istio-egress' });
  const gateway = new EgressGateway(gatewayChart, 'gateway');
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'], metricsNamespaces: ['monitoring'] });
  const httpbin = new ExternalService(egress, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
  new EgressRoute(egress, 'httpbin-route', { gateway, service: httpbin });
  const zhihu = new ExternalService(egress, 'zhihu', { hosts: ['zhihu.com'], ports: [ExternalPort.https()] });
  new EgressRoute(egress, 'zhihu-route', { gateway, service: zhihu });
  return { app, gatewayChart, gateway };
}

/** The same with an istioctl-installed gateway (`istio-egressgateway` in `istio-system`). */
export function installedGatewayApp(): { app: App; chart: Chart; gateway: IEgressGateway } {
  const app = Testing.app();
  const chart = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway = EgressGateway.fromExisting(chart, 'gateway');
  new MeshEgressLockdown(chart, 'lockdown', { gateway, namespaces: ['shop'] });
  const httpbin = new ExternalService(chart, 'httpbin', { hosts: ['httpbin.org'], ports: [ExternalPort.http()] });
  new EgressRoute(chart, 'httpbin-route', { gateway, service: httpbin });
  return { app, chart, gateway };
}

/** Every chart's manifests, each validated with the rest of the app (zero findings, warnings included). */
export { synthValid } from '../util';
