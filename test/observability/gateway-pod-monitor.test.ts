import { Duration } from 'cdk8s';
import { egressApp, installedGatewayApp } from './fixtures';
import { GatewayPodMonitor } from '../../src';
import { only, synthValid } from '../util';

describe('GatewayPodMonitor |', () => {
  test('scrapes /stats/prometheus on the port the gateway\'s istio-proxy container declares for 15090', () => {
    const { gatewayChart, gateway } = egressApp();
    new GatewayPodMonitor(gatewayChart, 'pod-monitor', { gateway, labels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(30) });
    const manifests = synthValid(gatewayChart);
    const podMonitor = only(manifests, 'PodMonitor');
    expect(podMonitor).toMatchSnapshot();
    expect(podMonitor.apiVersion).toEqual('monitoring.coreos.com/v1');
    expect(podMonitor.spec.selector).toEqual({ matchLabels: { app: 'istio-egressgateway', istio: 'egressgateway' } });
    expect(podMonitor.spec.namespaceSelector).toEqual({ matchNames: ['istio-egress'] });
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'http-envoy-prom', path: '/stats/prometheus', interval: '30s' }]);
    // The name must be the one the gateway workload gives Envoy's metrics port, on the istio-proxy container.
    const containers = only(manifests, 'Deployment').spec.template.spec.containers;
    const proxy = containers.find((c: any) => c.name === 'istio-proxy');
    expect(proxy.ports).toContainEqual({ containerPort: 15090, name: 'http-envoy-prom' });
    expect(containers.filter((c: any) => (c.ports ?? []).some((p: any) => p.name === 'http-envoy-prom'))).toEqual([proxy]);
  });

  test('an installed gateway: in its namespace; no labels and no interval unless given', () => {
    const { chart, gateway } = installedGatewayApp();
    new GatewayPodMonitor(chart, 'pod-monitor', { gateway });
    const podMonitor = only(synthValid(chart), 'PodMonitor');
    expect(podMonitor.spec.selector).toEqual({ matchLabels: { app: 'istio-egressgateway', istio: 'egressgateway' } });
    expect(podMonitor.metadata).toEqual({ name: 'istio-egressgateway', namespace: 'istio-system' });
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'http-envoy-prom', path: '/stats/prometheus' }]);
  });

  test('fails when a label key is not a Kubernetes label key', () => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new GatewayPodMonitor(gatewayChart, 'pod-monitor', { gateway, labels: { 'bad key': 'x' } }))
      .toThrow(/egress-gateway\/pod-monitor: PodMonitor label key 'bad key' is not a valid Kubernetes label key/);
  });

  test('fails when the interval is zero', () => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new GatewayPodMonitor(gatewayChart, 'pod-monitor', { gateway, interval: Duration.seconds(0) }))
      .toThrow(/egress-gateway\/pod-monitor: interval 0 would scrape continuously; pass a duration such as Duration.seconds\(30\)/);
  });
});
