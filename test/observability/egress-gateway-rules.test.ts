import { Duration } from 'cdk8s';
import { egressApp } from './fixtures';
import { labelProblems, parsePromQl } from './promql';
import { EgressGatewayRules, EgressRecordingRule } from '../../src';
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
    // The only label the rules make up is the response class, from Istio's response_code.
    expect(rules.flatMap(r => parsePromQl(r.expr).labelReplaces)).toEqual([{ dst: 'response_class', src: 'response_code' }]);
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
      alertLabels: { team: 'platform' },
      labels: { release: 'kube-prometheus-stack' },
    });
    expect(manifest.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    expect(manifest.spec.groups[1].rules.map((r: any) => [r.expr.split(' > ')[1]?.split(' ')[0], r.for, r.labels])).toEqual([
      ['0.2', '30m', { team: 'platform', severity: 'warning' }],
      ['0.5', '90s', { team: 'platform', severity: 'warning' }],
      ['1', '1h', { team: 'platform', severity: 'warning' }],
      [undefined, '1500ms', { team: 'platform', severity: 'critical' }],
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
    [{ alertLabels: { team: 'not ok' } }, /egress-gateway\/rules: alert label 'team' value 'not ok' is not a valid Kubernetes label value/],
    [{ alertLabels: { severity: 'page' } }, /egress-gateway\/rules: alertLabels must not set 'severity'; each alert sets its own/],
  ])('fails when given %o', (props, message) => {
    const { gatewayChart, gateway } = egressApp();
    expect(() => new EgressGatewayRules(gatewayChart, 'rules', { gateway, ...props })).toThrow(message);
  });

  test('fails when a duration is negative (cdk8s refuses it)', () => {
    expect(() => Duration.minutes(-1)).toThrow(/Duration amounts cannot be negative/);
  });
});
