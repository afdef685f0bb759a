import { Chart } from 'cdk8s';
import { egressApp, installedGatewayApp } from './fixtures';
import {
  EgressGatewayDashboard, EgressGatewayRules, GatewayAccessLogs, GatewayPodMonitor, IEgressGateway, ManifestValidator,
} from '../../src';
import { byKind, synthValid } from '../util';

function observe(chart: Chart, gateway: IEgressGateway, dashboards: Chart) {
  new GatewayAccessLogs(chart, 'access-logs', { gateway, filter: '!has(response.code) || response.code >= 400' });
  new GatewayPodMonitor(chart, 'pod-monitor', { gateway, labels: { release: 'kube-prometheus-stack' } });
  const rules = new EgressGatewayRules(chart, 'rules', { gateway, labels: { release: 'kube-prometheus-stack' } });
  new EgressGatewayDashboard(dashboards, 'dashboard', { rules });
}

describe('Observability of an egress gateway |', () => {
  test.each([
    ['a gateway the app deploys', () => { const { app, gatewayChart, gateway } = egressApp(); return { app, chart: gatewayChart, gateway }; }],
    ['an installed gateway', installedGatewayApp],
  ])('%s: access logs, PodMonitor, PrometheusRule and dashboard with zero findings, the Prometheus kinds checked', (_, build) => {
    const { app, chart, gateway } = build();
    observe(chart, gateway, new Chart(app, 'monitoring', { namespace: 'monitoring' }));
    const manifests = app.charts.flatMap(c => synthValid(c));
    expect(['Telemetry', 'PodMonitor', 'PrometheusRule'].map(kind => byKind(manifests, kind).length)).toEqual([1, 1, 1]);
    expect(byKind(manifests, 'ConfigMap').filter(m => m.metadata.labels?.grafana_dashboard === '1')).toHaveLength(1);
    // failOnWarnings would have caught SCHEMA-UNKNOWN-GROUP; say it outright.
    expect(ManifestValidator.validateManifests(manifests).map(f => f.rule)).toEqual([]);
  });

  test('the validator checks the Prometheus kinds against their CRD schemas', () => {
    const findings = ManifestValidator.validateManifests([
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name: 'm', namespace: 'n' },
        spec: { selector: {}, podMetricsEndpoints: [{ port: 'http-envoy-prom', pathh: '/stats/prometheus' }] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'r', namespace: 'n' },
        // The CRD's pattern is Go's case-insensitive `^(?i)(abort|warn)?$`: `Abort` is fine, `sometimes` is not.
        spec: {
          groups: [
            { name: 'g', partial_response_strategy: 'sometimes', rules: [{ record: 'a:b:c' }] },
            { name: 'h', partial_response_strategy: 'Abort' },
          ],
        },
      },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'Probe', metadata: { name: 'p', namespace: 'n' }, spec: {} },
    ]);
    expect(findings.map(f => [f.objectName, f.rule, f.path])).toEqual([
      ['PodMonitor n/m', 'SCHEMA-UNKNOWN-FIELD', 'spec.podMetricsEndpoints[0].pathh'],
      ['PrometheusRule n/r', 'SCHEMA-PATTERN', 'spec.groups[0].partial_response_strategy'],
      ['PrometheusRule n/r', 'SCHEMA-REQUIRED', 'spec.groups[0].rules[0].expr'],
      ['Probe n/p', 'SCHEMA-KIND', 'kind'],
      ['Probe n/p', 'SCHEMA-UNKNOWN-GROUP', 'apiVersion'],
    ]);
    expect(findings[3].message).toMatch(/the prometheus-operator v0.93 kinds of this group are PodMonitor, PrometheusRule, ServiceMonitor/);
  });
});
