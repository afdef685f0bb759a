import { Chart, Duration, Testing } from 'cdk8s';
import { egressApp } from './fixtures';
import { labelProblems, parsePromQl } from './promql';
import { EgressGateway, EgressGatewayRules, EgressRecordingRule, IngressGateway } from '../../src';
import { only, synthValid } from '../util';

const rulesOf = (manifest: any): any[] => manifest.spec.groups.flatMap((g: any) => g.rules);

function defaultRules(props: Partial<ConstructorParameters<typeof EgressGatewayRules>[2]> = {}) {
  const { gatewayChart, gateway } = egressApp();
  const rules = new EgressGatewayRules(gatewayChart, 'rules', { gateway, ...props });
  return { rules, manifest: only(synthValid(gatewayChart), 'PrometheusRule') };
}

describe('EgressGatewayRules |', () => {
  test('the PrometheusRule: recording rules, then alerts, named after the gateway in its namespace', () => {
    const { rules, manifest } = defaultRules();
    expect(manifest).toMatchSnapshot();
    expect(manifest.metadata).toEqual({ name: 'istio-egressgateway', namespace: 'istio-egress' });
    expect(manifest.spec.groups.map((g: any) => g.name)).toEqual([
      'istio-egress.istio-egressgateway.egress-gateway.rules', 'istio-egress.istio-egressgateway.egress-gateway.alerts',
    ]);
    expect(rules.recordedNames).toEqual([
      EgressRecordingRule.REQUESTS_BY_CODE, EgressRecordingRule.REQUESTS_BY_CLASS, EgressRecordingRule.SERVER_ERROR_RATIO,
      EgressRecordingRule.TCP_CONNECTIONS_OPENED, EgressRecordingRule.TCP_SENT_BYTES, EgressRecordingRule.TCP_RECEIVED_BYTES,
      EgressRecordingRule.BLOCKED_REQUESTS, EgressRecordingRule.BLOCKED_TCP_CONNECTIONS,
    ]);
    expect(manifest.spec.groups[1].rules.map((r: any) => [r.alert, r.for, r.labels.severity])).toEqual([
      ['IstioEgressHostServerErrors', '10m', 'warning'],
      ['IstioEgressGatewayForbidden', '1m', 'warning'],
      ['IstioEgressTrafficBlocked', '1m', 'warning'],
      ['IstioEgressGatewayNoReadyPods', '2m', 'critical'],
    ]);
  });

  test('the gateway\'s outbound hop: reporter="source", the gateway as source_workload, by destination_service', () => {
    const { manifest } = defaultRules();
    const byCode = rulesOf(manifest).find(r => r.record === EgressRecordingRule.REQUESTS_BY_CODE);
    expect(byCode.expr).toEqual('sum by (source_workload_namespace, source_workload, destination_service, response_code) '
      + '(rate(istio_requests_total{reporter="source",source_workload_namespace="istio-egress",source_workload="istio-egressgateway"}[5m]))');
  });

  test('the pods are found by their Deployment\'s name: the deployed gateway\'s, or an installed one\'s workloadName', () => {
    const { gatewayChart, gateway } = egressApp();
    const deployment = only(Testing.synth(gatewayChart), 'Deployment');
    expect(deployment.metadata.name).toEqual(gateway.workloadName);
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'istio-system' });
    const installed = EgressGateway.fromExisting(chart, 'gateway', { serviceName: 'egress', workloadName: 'egress-pods' });
    new EgressGatewayRules(chart, 'rules', { gateway: installed });
    const exprs = rulesOf(only(synthValid(chart), 'PrometheusRule')).map(r => r.expr).join('\n');
    expect(exprs).toContain('source_workload="egress-pods"');
    expect(exprs).toContain('deployment="egress-pods"');
    expect(exprs).not.toContain('source_workload="egress"');
    expect(EgressGateway.fromExisting(new Chart(Testing.app(), 'd', { namespace: 'x' }), 'g', { serviceName: 'egress' }).workloadName).toEqual('egress');
  });

  test('every expression parses with the Prometheus grammar, and the grammar reports broken ones', () => {
    const { manifest } = defaultRules();
    for (const rule of rulesOf(manifest)) {
      expect({ expr: rule.expr, errors: parsePromQl(rule.expr).errors }).toEqual({ expr: rule.expr, errors: [] });
    }
    expect(parsePromQl('sum by (destination_service (rate(istio_requests_total[5m])').errors).not.toEqual([]);
    expect(parsePromQl('istio_requests_total{reporter="source"').errors).not.toEqual([]);
  });

  test('every expression uses only metrics and labels Istio (or kube-state-metrics) emits, or rules defined before it', () => {
    const { manifest } = defaultRules();
    const rules = rulesOf(manifest);
    expect(labelProblems(rules)).toEqual([]);
    // The only label the rules make up is the response class, from Istio's response_code (1xx to 5xx, and 0).
    expect(rules.flatMap(r => parsePromQl(r.expr).labelReplaces)).toEqual([
      { dst: 'response_class', src: 'response_code' }, { dst: 'response_class', src: 'response_code' },
    ]);
  });

  test('response classes: 1xx to 5xx from the code, and "other" for code 0 (no response)', () => {
    const { manifest } = defaultRules();
    const byClass = rulesOf(manifest).find(r => r.record === EgressRecordingRule.REQUESTS_BY_CLASS);
    expect(byClass.expr).toEqual('sum by (source_workload_namespace, source_workload, destination_service, response_class) '
      + '(label_replace(label_replace(destination_service_response_code:istio_requests:rate5m'
      + '{source_workload_namespace="istio-egress",source_workload="istio-egressgateway"}, '
      + '"response_class", "${1}xx", "response_code", "([1-5])[0-9][0-9]"), "response_class", "other", "response_code", "0"))');
  });

  test('the 5xx alert needs minRequestRate requests per second to the host, 0.1 by default', () => {
    const own = '{source_workload_namespace="istio-egress",source_workload="istio-egressgateway"}';
    const alertOf = (manifest: any) => rulesOf(manifest).find(r => r.alert === 'IstioEgressHostServerErrors');
    expect(alertOf(defaultRules().manifest).expr).toEqual(`destination_service:istio_requests_5xx_per_requests:ratio_rate5m${own} > 0.05`
      + ' and sum by (source_workload_namespace, source_workload, destination_service) '
      + `(destination_service_response_code:istio_requests:rate5m${own}) >= 0.1`);
    const given = alertOf(defaultRules({ minRequestRate: 2, serverErrorRatio: 0.1 }).manifest);
    expect(given.expr).toMatch(/ > 0\.1 and sum by .* >= 2$/);
    // Both sides of `and` keep the same labels, so each host is matched with its own request rate.
    const [left, right] = given.expr.split(' and ');
    expect(parsePromQl(right.split(' >= ')[0]).outputLabels).toEqual(['destination_service', 'source_workload', 'source_workload_namespace']);
    expect(parsePromQl(left).selectors.map(sel => sel.metric)).toEqual([EgressRecordingRule.SERVER_ERROR_RATIO]);
  });

  test('the 403 alert reads HTTP response codes only, and says passthrough denials are closed connections', () => {
    const { manifest } = defaultRules();
    const forbidden = rulesOf(manifest).find(r => r.alert === 'IstioEgressGatewayForbidden');
    expect(parsePromQl(forbidden.expr).selectors).toEqual([{
      metric: EgressRecordingRule.REQUESTS_BY_CODE,
      labels: ['source_workload_namespace', 'source_workload', 'response_code'],
      matchers: [
        { label: 'source_workload_namespace', value: 'istio-egress' }, { label: 'source_workload', value: 'istio-egressgateway' },
        { label: 'response_code', value: '403' },
      ],
    }]);
    expect(forbidden.annotations.description).toMatch(/^HTTP requests through .* Denied TLS passthrough connections are closed/);
  });

  test('the label check finds what is wrong: unknown metrics and labels, response_code on TCP, rules read before they exist', () => {
    expect(labelProblems([
      { record: 'a:b:rate5m', expr: 'sum by (destination_host) (rate(istio_requests_total{request_host="x"}[5m]))' },
      { record: 'c:d:rate5m', expr: 'sum by (response_code) (rate(istio_tcp_sent_bytes_total{response_code="200"}[5m]))' },
      { record: 'e:f:rate5m', expr: 'later:rule:rate5m + envoy_cluster_upstream_rq_total' },
      { record: 'later:rule:rate5m', expr: 'sum by (destination_service) (a:b:rate5m{source_workload="gw"})' },
      { alert: 'A', expr: 'sum by (destination_service) (rate(istio_requests_total[5m])) > 0', annotations: { d: '{{ $labels.source_workload }}' } },
      { record: 'g:h:rate5m', expr: 'sum by (a (istio_requests_total' },
    ])).toEqual([
      "a:b:rate5m: istio_requests_total has no label 'request_host'",
      "a:b:rate5m: groups by 'destination_host', which no selector has",
      "c:d:rate5m: istio_tcp_sent_bytes_total has no label 'response_code'",
      "c:d:rate5m: groups by 'response_code', which no selector has",
      "e:f:rate5m: unknown metric 'later:rule:rate5m'",
      "e:f:rate5m: unknown metric 'envoy_cluster_upstream_rq_total'",
      "later:rule:rate5m: a:b:rate5m has no label 'source_workload'",
      "later:rule:rate5m: groups by 'destination_service', which no selector has",
      'A: its annotations use $labels.source_workload, which the expression does not keep',
      expect.stringMatching(/^g:h:rate5m: does not parse/),
      "g:h:rate5m: groups by 'a', which no selector has",
    ]);
  });

  test('BlackHoleCluster as Istio reports it: HTTP 502 and closed TCP connections, from the sidecars', () => {
    const { manifest } = defaultRules();
    const selectorsOf = (record: string) => parsePromQl(rulesOf(manifest).find(r => r.record === record).expr).selectors;
    expect(selectorsOf(EgressRecordingRule.BLOCKED_REQUESTS)).toEqual([{
      metric: 'istio_requests_total',
      labels: ['reporter', 'destination_service_name', 'response_code'],
      matchers: [
        { label: 'reporter', value: 'source' }, { label: 'destination_service_name', value: 'BlackHoleCluster' },
        { label: 'response_code', value: '502' },
      ],
    }]);
    expect(selectorsOf(EgressRecordingRule.BLOCKED_TCP_CONNECTIONS).map(s => s.metric)).toEqual(['istio_tcp_connections_closed_total']);
  });

  test('thresholds, durations and alert labels as given', () => {
    const { manifest } = defaultRules({
      serverErrorRatio: 0.2,
      serverErrorFor: Duration.minutes(30),
      forbiddenRate: 0.5,
      forbiddenFor: Duration.seconds(90),
      blockedRate: 1,
      blockedFor: Duration.hours(1),
      noReadyPodsFor: Duration.millis(1500),
      alertLabels: { team: 'platform', owner_team: 'Platform & SRE' },
      labels: { release: 'kube-prometheus-stack' },
    });
    expect(manifest.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    expect(manifest.spec.groups[1].rules.map((r: any) => [r.expr.split(' > ')[1]?.split(' ')[0], r.for, r.labels])).toEqual([
      ['0.2', '30m', { team: 'platform', owner_team: 'Platform & SRE', severity: 'warning' }],
      ['0.5', '90s', { team: 'platform', owner_team: 'Platform & SRE', severity: 'warning' }],
      ['1', '1h', { team: 'platform', owner_team: 'Platform & SRE', severity: 'warning' }],
      [undefined, '1500ms', { team: 'platform', owner_team: 'Platform & SRE', severity: 'critical' }],
    ]);
  });

  test('without the blocked-traffic rules (another PrometheusRule of the mesh has them)', () => {
    const { rules, manifest } = defaultRules({ blockedTraffic: false });
    expect(rules.recordedNames).not.toContain(EgressRecordingRule.BLOCKED_REQUESTS);
    expect(rulesOf(manifest).map(r => r.alert).filter(Boolean)).toEqual([
      'IstioEgressHostServerErrors', 'IstioEgressGatewayForbidden', 'IstioEgressGatewayNoReadyPods',
    ]);
  });

  test.each([
    [{ serverErrorRatio: 1 }, /egress-gateway\/rules: serverErrorRatio 1 is not a share of requests; pass a number from 0 up to \(not including\) 1/],
    [{ serverErrorRatio: -0.1 }, /serverErrorRatio -0.1 is not a share of requests/],
    [{ serverErrorRatio: NaN }, /serverErrorRatio NaN is not a share of requests/],
    [{ forbiddenRate: -1 }, /egress-gateway\/rules: forbiddenRate -1 is not a rate; pass a number of events per second, 0 or more/],
    [{ blockedRate: Infinity }, /blockedRate Infinity is not a rate/],
    [{ labels: { 'a/b/c': 'x' } }, /egress-gateway\/rules: PrometheusRule label key 'a\/b\/c' is not a valid Kubernetes label key/],
    [{ minRequestRate: -0.5 }, /egress-gateway\/rules: minRequestRate -0.5 is not a rate; pass a number of events per second/],
    [{ labels: { release: 'not ok' } }, /egress-gateway\/rules: PrometheusRule label 'release' value 'not ok' is not a valid Kubernetes label value/],
    [{ alertLabels: { 'app.kubernetes.io/team': 'x' } },
      /egress-gateway\/rules: alert label name 'app.kubernetes.io\/team' is not a Prometheus label name; use letters, digits and underscores, not starting with a digit/],
    [{ alertLabels: { '1team': 'x' } }, /egress-gateway\/rules: alert label name '1team' is not a Prometheus label name/],
    [{ alertLabels: { team: 1 as unknown as string } }, /egress-gateway\/rules: alert label 'team' value 1 is not a string; pass it as text/],
    [{ alertLabels: { __team: 'x' } }, /egress-gateway\/rules: alert label name '__team' starts with '__', which Prometheus reserves for internal labels; drop the leading underscores \('team'\)/],
    [{ alertLabels: { severity: 'page' } }, /egress-gateway\/rules: alertLabels must not set 'severity'; each alert sets its own/],
  ])('fails when given %o', (props, message) => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new EgressGatewayRules(gatewayChart, 'rules', { gateway, ...props })).toThrow(message);
  });

  test('fails when two EgressGatewayRules of one app both define the blocked-traffic rules', () => {
    const { app, gatewayChart, gateway } = egressApp();
    new EgressGatewayRules(gatewayChart, 'rules', { gateway });
    const other = new Chart(app, 'other-gateway', { namespace: 'istio-other' });
    new EgressGatewayRules(other, 'rules', { gateway: new EgressGateway(other, 'gateway', { name: 'other-egressgateway' }) });
    expect(() => Testing.synth(gatewayChart)).toThrow(new RegExp('other-gateway/rules: records the mesh-wide blocked-traffic '
      + 'rules \\(EgressRecordingRule.BLOCKED_\\*\\), and so does egress-gateway/rules; .*same series from two rule groups; '
      + 'pass blockedTraffic: false on all but one EgressGatewayRules of the app'));
  });

  test('two gateways\' rules in one app, the blocked-traffic rules in one of them', () => {
    const { app, gatewayChart, gateway } = egressApp();
    new EgressGatewayRules(gatewayChart, 'rules', { gateway });
    const other = new Chart(app, 'other-gateway', { namespace: 'istio-other' });
    new EgressGatewayRules(other, 'rules', { gateway: new EgressGateway(other, 'gateway', { name: 'other-egressgateway' }), blockedTraffic: false });
    const recorded = [gatewayChart, other].map(c => rulesOf(only(Testing.synth(c), 'PrometheusRule')).map(r => r.record).filter(Boolean));
    expect(recorded[0]).toContain(EgressRecordingRule.BLOCKED_REQUESTS);
    expect(recorded[1]).not.toContain(EgressRecordingRule.BLOCKED_REQUESTS);
    expect(recorded[1]).not.toContain(EgressRecordingRule.BLOCKED_TCP_CONNECTIONS);
  });

  test('takes egress gateways only', () => {
    const { app } = egressApp();
    const chart = new Chart(app, 'ingress', { namespace: 'istio-ingress' });
    // @ts-expect-error an ingress gateway has no outbound hop to external hosts: it is not an IEgressGateway
    const props: ConstructorParameters<typeof EgressGatewayRules>[2] = { gateway: new IngressGateway(chart, 'gateway') };
    expect(props.gateway).toBeDefined();
  });
});
