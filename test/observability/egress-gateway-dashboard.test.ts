import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { egressApp } from './fixtures';
import { parsePromQl } from './promql';
import { EgressGatewayDashboard, EgressGatewayRules, EgressRecordingRule, IEgressGatewayRules } from '../../src';
import { only, synthValid } from '../util';

function dashboardApp(props: Partial<ConstructorParameters<typeof EgressGatewayDashboard>[2]> = {}, blockedTraffic = true) {
  const { app, gatewayChart, gateway } = egressApp();
  const rules = new EgressGatewayRules(gatewayChart, 'rules', { gateway, blockedTraffic });
  const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
  const dashboard = new EgressGatewayDashboard(monitoring, 'dashboard', { rules, ...props });
  const configMap = only(synthValid(monitoring), 'ConfigMap');
  const [file, json] = Object.entries(configMap.data)[0] as [string, string];
  return { app, monitoring, rules, dashboard, configMap, file, model: JSON.parse(json), json };
}

describe('EgressGatewayDashboard |', () => {
  test('a ConfigMap Grafana\'s sidecar loads, in the chart\'s namespace, holding the dashboard JSON', () => {
    const { configMap, file, model, dashboard } = dashboardApp();
    expect(configMap).toMatchSnapshot();
    expect(configMap.metadata).toEqual({
      name: 'istio-egressgateway-istio-egress-dashboard', namespace: 'monitoring', labels: { grafana_dashboard: '1' },
    });
    expect(file).toEqual('istio-egressgateway-istio-egress-dashboard.json');
    expect(model.uid).toEqual(dashboard.uid);
    expect(model.panels.map((p: any) => [p.id, p.title])).toEqual([
      [1, 'Requests per second by external host and response class'],
      [2, '5xx share by external host'],
      [3, 'HTTP 403 at the gateway by external host'],
      [4, 'Blocked by REGISTRY_ONLY (BlackHoleCluster) by source workload'],
      [5, 'TCP connections per second by passed-through host'],
      [6, 'TCP bytes per second by passed-through host'],
    ]);
  });

  test('every panel query parses and reads only recording rules the PrometheusRule defines, with their labels', () => {
    const { model, rules, app } = dashboardApp();
    const prometheusRule = only(app.charts.flatMap(c => c.toJson()), 'PrometheusRule');
    const recorded = new Map<string, Set<string>>(prometheusRule.spec.groups.flatMap((g: any) => g.rules)
      .filter((r: any) => r.record)
      .map((r: any) => [r.record, new Set(parsePromQl(r.expr).outputLabels)]));
    expect([...recorded.keys()]).toEqual(rules.recordedNames);
    const exprs: string[] = model.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) {
      const parsed = parsePromQl(expr);
      expect({ expr, errors: parsed.errors }).toEqual({ expr, errors: [] });
      for (const selector of parsed.selectors) {
        expect({ expr, known: recorded.has(selector.metric) }).toEqual({ expr, known: true });
        const labels = recorded.get(selector.metric)!;
        expect(selector.labels.filter(l => !labels.has(l))).toEqual([]);
      }
      const available = new Set(parsed.selectors.flatMap(s => [...recorded.get(s.metric)!]));
      expect(parsed.groupingLabels.filter(l => !available.has(l))).toEqual([]);
    }
  });

  test('deterministic: the same app gives the same bytes, with no timestamps', () => {
    const { json: first, model } = dashboardApp();
    expect(dashboardApp().json).toEqual(first);
    // No date anywhere (an ISO date or a Unix time in milliseconds), and a relative time range.
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}|\b1\d{12}\b/);
    expect(model.time).toEqual({ from: 'now-6h', to: 'now' });
    expect(Object.keys(model).filter(k => /time|updated|created/i.test(k))).toEqual(['time']);
  });

  test('TCP bytes as upload to and download from each passed-through host (Istio\'s received and sent at the outbound hop)', () => {
    const { model } = dashboardApp();
    const bytes = model.panels.find((p: any) => p.title === 'TCP bytes per second by passed-through host');
    expect(bytes.targets.map((t: any) => [t.legendFormat, parsePromQl(t.expr).selectors[0].metric])).toEqual([
      ['upload to {{destination_service}}', EgressRecordingRule.TCP_RECEIVED_BYTES],
      ['download from {{destination_service}}', EgressRecordingRule.TCP_SENT_BYTES],
    ]);
  });

  test('takes any IEgressGatewayRules that records what the panels read, and shows the gateway it names', () => {
    const { app, gateway } = egressApp();
    const recordedNames = [
      EgressRecordingRule.REQUESTS_BY_CODE, EgressRecordingRule.REQUESTS_BY_CLASS, EgressRecordingRule.SERVER_ERROR_RATIO,
      EgressRecordingRule.TCP_CONNECTIONS_OPENED, EgressRecordingRule.TCP_SENT_BYTES, EgressRecordingRule.TCP_RECEIVED_BYTES,
    ];
    const rules: IEgressGatewayRules = Object.assign(new Construct(new Chart(app, 'elsewhere'), 'rules'), {
      gateway, blockedTraffic: false, recordedNames,
    });
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    const dashboard = new EgressGatewayDashboard(monitoring, 'dashboard', { rules });
    expect(dashboard.rules).toBe(rules);
    const model = JSON.parse(Object.values(only(Testing.synth(monitoring), 'ConfigMap').data)[0] as string);
    expect(model.title).toEqual('Istio egress gateway istio-egress/istio-egressgateway');
    expect(model.panels.map((p: any) => p.id)).toEqual([1, 2, 3, 4, 5]);
  });

  test('fails when the rules do not record a rule the panels read', () => {
    const { app, gateway } = egressApp();
    const rules: IEgressGatewayRules = Object.assign(new Construct(new Chart(app, 'elsewhere'), 'rules'), {
      gateway, blockedTraffic: true, recordedNames: [EgressRecordingRule.REQUESTS_BY_CODE],
    });
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    new EgressGatewayDashboard(monitoring, 'dashboard', { rules });
    expect(() => Testing.synth(monitoring)).toThrow(new RegExp('monitoring/dashboard: the dashboard\'s panels query '
      + `${EgressRecordingRule.REQUESTS_BY_CLASS}, .*${EgressRecordingRule.BLOCKED_REQUESTS}, .*which elsewhere/rules does not record; `
      + 'pass rules that record every EgressRecordingRule the panels read'));
  });

  test('without the blocked-traffic rules, no blocked-traffic panel', () => {
    const { model } = dashboardApp({}, false);
    expect(model.panels.map((p: any) => p.title)).not.toContain('Blocked by REGISTRY_ONLY (BlackHoleCluster) by source workload');
    expect(model.panels.map((p: any) => p.id)).toEqual([1, 2, 3, 4, 5]);
  });

  test('another label and namespace', () => {
    const { configMap } = dashboardApp({ labelKey: 'grafana.example.com/dashboard', labelValue: 'egress', namespaceName: 'grafana' });
    expect(configMap.metadata.namespace).toEqual('grafana');
    expect(configMap.metadata.labels).toEqual({ 'grafana.example.com/dashboard': 'egress' });
  });

  test.each([
    [{ labelKey: 'bad key' }, /monitoring\/dashboard: dashboard label key 'bad key' is not a valid Kubernetes label key/],
    [{ labelValue: '-1' }, /monitoring\/dashboard: dashboard label 'grafana_dashboard' value '-1' is not a valid Kubernetes label value/],
    [{ namespaceName: 'Monitoring' }, /monitoring\/dashboard: namespaceName 'Monitoring' must be a DNS-1123 label/],
  ])('fails when given %o', (props, message) => {
    const { gatewayChart, gateway, app } = egressApp();
    const rules = new EgressGatewayRules(gatewayChart, 'rules', { gateway });
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    expect(() => new EgressGatewayDashboard(monitoring, 'dashboard', { rules, ...props })).toThrow(message);
  });

  test('fails when there is no namespace', () => {
    const { gatewayChart, gateway } = egressApp();
    const rules = new EgressGatewayRules(gatewayChart, 'rules', { gateway });
    const chart = new Chart(Testing.app(), 'no-namespace');
    expect(() => new EgressGatewayDashboard(chart, 'dashboard', { rules }))
      .toThrow(/no-namespace\/dashboard: an egress gateway dashboard needs a namespace: pass `namespace` or set it on the chart/);
  });
});
