import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { EgressRecordingRule } from './egress-recording-rule';
import { PromQl } from './promql';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { IEgressGateway } from '../egress/egress-contracts';
import { IGateway } from '../gateway/gateway-contracts';
import { AppRegistry } from '../private/app-registry';
import { checkLabels } from '../private/kubernetes-names';
import { validateAtSynth } from '../private/synth-validation';

/**
 * The recording rules and alerts of an egress gateway, as a dashboard reads them: `EgressGatewayRules` is one.
 */
export interface IEgressGatewayRules extends IConstruct {
  /** The egress gateway the rules watch. */
  readonly gateway: IEgressGateway;
  /** Whether the mesh-wide blocked-traffic rules (`EgressRecordingRule.BLOCKED_*`) are recorded here. */
  readonly blockedTraffic: boolean;
  /** The names of the recording rules defined here, in evaluation order (a copy). */
  readonly recordedNames: string[];
}

/**
 * Properties of `EgressGatewayRules`.
 */
export interface EgressGatewayRulesProps {
  /**
   * The egress gateway the rules watch: `new EgressGateway(...)` or `EgressGateway.fromExisting(...)`. An ingress
   * gateway has no outbound hop to external hosts, so its alerts would never mean what they say.
   */
  readonly gateway: IEgressGateway;
  /**
   * Labels of the PrometheusRule, for the Prometheus whose `ruleSelector` must pick it (kube-prometheus-stack
   * selects `release: <its release name>`).
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
  /**
   * Labels added to every alert, for routing in Alertmanager (`team: platform`). These are Prometheus labels:
   * names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start with `__` (reserved); values may be any string.
   * @default - only `severity`
   */
  readonly alertLabels?: { [key: string]: string };
  /**
   * The share of one external host's requests answered with 5xx (0 to 1, exclusive of 1) above which
   * `IstioEgressHostServerErrors` fires.
   * @default 0.05
   */
  readonly serverErrorRatio?: number;
  /**
   * Requests per second to one external host, over 5 minutes, below which `IstioEgressHostServerErrors` stays
   * quiet whatever the 5xx share: a couple of failed requests to a host nobody calls is not an outage.
   * @default 0.1 (30 requests in 5 minutes)
   */
  readonly minRequestRate?: number;
  /**
   * How long the 5xx share must stay above `serverErrorRatio` before the alert fires.
   * @default Duration.minutes(10)
   */
  readonly serverErrorFor?: Duration;
  /**
   * HTTP requests per second answered 403 at the gateway, per host, above which `IstioEgressGatewayForbidden`
   * fires (passed-through TLS has no response code: see the class docs).
   * @default 0 (any)
   */
  readonly forbiddenRate?: number;
  /**
   * How long the 403 rate must stay above `forbiddenRate` before the alert fires.
   * @default Duration.minutes(1)
   */
  readonly forbiddenFor?: Duration;
  /**
   * Define the mesh-wide blocked-traffic rules (`EgressRecordingRule.BLOCKED_*`) and `IstioEgressTrafficBlocked`.
   * The sidecars report that traffic, not the gateway, and the rules carry no gateway label, so keep it in one
   * PrometheusRule per mesh: with several gateways, set it to false on all but one (synth refuses two
   * `EgressGatewayRules` of one app that both define it).
   * @default true
   */
  readonly blockedTraffic?: boolean;
  /**
   * Requests or connections per second, per workload, sent to `BlackHoleCluster` above which
   * `IstioEgressTrafficBlocked` fires.
   * @default 0 (any)
   */
  readonly blockedRate?: number;
  /**
   * How long the blocked rate must stay above `blockedRate` before the alert fires.
   * @default Duration.minutes(1)
   */
  readonly blockedFor?: Duration;
  /**
   * How long the gateway must have no available pod before `IstioEgressGatewayNoReadyPods` fires.
   * @default Duration.minutes(2)
   */
  readonly noReadyPodsFor?: Duration;
}

/**
 * Recording rules and alerts for an egress gateway, as a prometheus-operator `PrometheusRule` named after the
 * gateway, in its namespace.
 *
 * The rules read Istio's standard metrics as they appear at the gateway's outbound hop: the gateway reports as
 * `reporter="source"` with itself as `source_workload` (istio.io "Istio Standard Metrics": `source` "if report is
 * from a client Istio proxy or a gateway"; only waypoints report as `waypoint`, istio/istio
 * `pilot/pkg/model/telemetry.go`), and `destination_service` is the external host (the ServiceEntry host the route
 * chose). HTTP traffic has
 * `istio_requests_total` with `response_code`; passed-through TLS only has `istio_tcp_*`, by host. The recording rules
 * are `EgressRecordingRule`; the alerts:
 *
 * - `IstioEgressHostServerErrors` (warning): a host's 5xx share above `serverErrorRatio`, while the host gets at
 *   least `minRequestRate` requests per second.
 * - `IstioEgressGatewayForbidden` (warning): HTTP 403s at the gateway, per host. On an HTTP port the gateway answers
 *   403 to a workload that asks for a host it was not granted; a 403 of the external host itself counts too, and the
 *   gateway's access log tells them apart (`rbac_access_denied_matched_policy[…]` in `%RESPONSE_CODE_DETAILS%`).
 *   HTTP only: on a TLS passthrough port the gateway authorizes with Envoy's network RBAC filter, which closes the
 *   connection instead, so there is no 403 and no `response_code`. Those denials are in the gateway's access log
 *   (`GatewayAccessLogs`) as TCP lines with `rbac_access_denied_matched_policy[…]` in
 *   `%CONNECTION_TERMINATION_DETAILS%` (Istio's default format has it); no Istio metric counts them.
 * - `IstioEgressTrafficBlocked` (warning): traffic REGISTRY_ONLY sent to `BlackHoleCluster` (HTTP 502 and closed TCP
 *   connections, as Istio's `tests/integration/telemetry/policy/traffic_registry_only_test.go` reads them), per
 *   source workload. The workloads' sidecars report it, so it needs their metrics scraped too (Istio's
 *   `samples/addons/extras/prometheus-operator.yaml`); `GatewayPodMonitor` scrapes only the gateway.
 * - `IstioEgressGatewayNoReadyPods` (critical): the gateway's Deployment has no available replica, or is not there,
 *   from kube-state-metrics' `kube_deployment_status_replicas_available` (which kube-prometheus-stack installs).
 *   The gateway's own metrics cannot say it: a gateway without pods has no series. The Deployment is the one named
 *   after the gateway, as this library and the istio/gateway chart name it.
 */
export class EgressGatewayRules extends Construct implements IEgressGatewayRules {
  /** The egress gateway the rules watch. */
  public readonly gateway: IEgressGateway;
  /** Whether the mesh-wide blocked-traffic rules are defined here. */
  public readonly blockedTraffic: boolean;
  /** The `PrometheusRule` object. */
  public readonly prometheusRule: ApiObject;

  private readonly rules: EgressRule[];

  public constructor(scope: Construct, id: string, props: EgressGatewayRulesProps) {
    super(scope, id);
    validateAtSynth(this);
    const path = this.node.path;
    this.gateway = props.gateway;
    this.blockedTraffic = props.blockedTraffic ?? true;
    const labels = { ...props.labels };
    const alertLabels = { ...props.alertLabels };
    checkLabels(path, 'PrometheusRule label', labels);
    checkAlertLabels(path, alertLabels);
    if ('severity' in alertLabels) {
      throw new Error(`${path}: alertLabels must not set 'severity'; each alert sets its own (warning, or critical when `
        + 'the gateway has no pods)');
    }
    const thresholds: EgressThresholds = {
      serverErrorRatio: ratio(path, 'serverErrorRatio', props.serverErrorRatio ?? 0.05),
      minRequestRate: rate(path, 'minRequestRate', props.minRequestRate ?? 0.1),
      serverErrorFor: props.serverErrorFor ?? Duration.minutes(10),
      forbiddenRate: rate(path, 'forbiddenRate', props.forbiddenRate ?? 0),
      forbiddenFor: props.forbiddenFor ?? Duration.minutes(1),
      blockedRate: rate(path, 'blockedRate', props.blockedRate ?? 0),
      blockedFor: props.blockedFor ?? Duration.minutes(1),
      noReadyPodsFor: props.noReadyPodsFor ?? Duration.minutes(2),
    };
    if (this.blockedTraffic) {
      AppRegistry.of(this).join<EgressGatewayRules>('egress-blocked-traffic-rules', this, this, checkOneBlockedTraffic);
    }
    this.rules = [
      ...recordingRules(this.gateway, this.blockedTraffic),
      ...alerts(this.gateway, this.blockedTraffic, thresholds, alertLabels),
    ];
    const group = (suffix: string, rules: EgressRule[]): monitoring.PrometheusRuleSpecGroups => ({
      name: `${this.gateway.namespaceName}.${this.gateway.name}.${suffix}`,
      rules: rules.map(r => ({ ...r, expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
    });
    this.prometheusRule = new monitoring.PrometheusRule(this, 'Resource', {
      metadata: {
        name: this.gateway.name,
        namespace: this.gateway.namespaceName,
        ...Object.keys(labels).length === 0 ? {} : { labels },
      },
      spec: {
        groups: [
          // Recording rules first, in their own group: Prometheus evaluates a group's rules in order, and groups
          // concurrently, so a rule built on another must come after it in the same group.
          group('egress-gateway.rules', this.rules.filter(r => r.record !== undefined)),
          group('egress-gateway.alerts', this.rules.filter(r => r.alert !== undefined)),
        ],
      },
    });
  }

  /** The names of the recording rules defined here, in evaluation order. */
  public get recordedNames(): string[] {
    return this.rules.flatMap(r => (r.record === undefined ? [] : [r.record]));
  }
}

/** One rule as rendered, its expression a string. */
interface EgressRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

interface EgressThresholds {
  readonly serverErrorRatio: number;
  readonly minRequestRate: number;
  readonly serverErrorFor: Duration;
  readonly forbiddenRate: number;
  readonly forbiddenFor: Duration;
  readonly blockedRate: number;
  readonly blockedFor: Duration;
  readonly noReadyPodsFor: Duration;
}

const GATEWAY = PromQl.GATEWAY_LABELS.join(', ');
const BLACKHOLE = PromQl.eq('destination_service_name', 'BlackHoleCluster');
const SOURCE = PromQl.eq('reporter', 'source');

/** The recording rules, each after the rules it reads. */
function recordingRules(gateway: IGateway, blockedTraffic: boolean): EgressRule[] {
  // The gateway's outbound hop: the only hop where destination_service is the external host.
  const outbound = PromQl.selector(SOURCE, ...PromQl.gateway(gateway));
  // Rules read rules of this gateway only: another gateway's PrometheusRule records the same names.
  const own = PromQl.selector(...PromQl.gateway(gateway));
  const byHost = `${GATEWAY}, destination_service`;
  const tcp = (record: string, metric: string) => ({ record, expr: `sum by (${byHost}) (rate(${metric}${outbound}[5m]))` });
  const rules: EgressRule[] = [
    {
      record: EgressRecordingRule.REQUESTS_BY_CODE,
      expr: `sum by (${byHost}, response_code) (rate(istio_requests_total${outbound}[5m]))`,
    },
    {
      record: EgressRecordingRule.REQUESTS_BY_CLASS,
      // response_code "0" (no response: the client went away, or the connection broke) is class "other".
      expr: `sum by (${byHost}, response_class) (label_replace(label_replace(${EgressRecordingRule.REQUESTS_BY_CODE}${own}, `
        + '"response_class", "${1}xx", "response_code", "([1-5])[0-9][0-9]"), "response_class", "other", "response_code", "0"))',
    },
    {
      record: EgressRecordingRule.SERVER_ERROR_RATIO,
      expr: `sum by (${byHost}) (${EgressRecordingRule.REQUESTS_BY_CODE}${PromQl.selector(...PromQl.gateway(gateway), PromQl.re('response_code', '5..'))})`
        + ` / sum by (${byHost}) (${EgressRecordingRule.REQUESTS_BY_CODE}${own})`,
    },
    tcp(EgressRecordingRule.TCP_CONNECTIONS_OPENED, 'istio_tcp_connections_opened_total'),
    tcp(EgressRecordingRule.TCP_SENT_BYTES, 'istio_tcp_sent_bytes_total'),
    tcp(EgressRecordingRule.TCP_RECEIVED_BYTES, 'istio_tcp_received_bytes_total'),
  ];
  if (blockedTraffic) {
    rules.push(
      {
        record: EgressRecordingRule.BLOCKED_REQUESTS,
        expr: `sum by (${GATEWAY}) (rate(istio_requests_total${PromQl.selector(SOURCE, BLACKHOLE, PromQl.eq('response_code', '502'))}[5m]))`,
      },
      {
        record: EgressRecordingRule.BLOCKED_TCP_CONNECTIONS,
        expr: `sum by (${GATEWAY}) (rate(istio_tcp_connections_closed_total${PromQl.selector(SOURCE, BLACKHOLE)}[5m]))`,
      },
    );
  }
  return rules;
}

function alerts(gateway: IGateway, blockedTraffic: boolean, t: EgressThresholds, alertLabels: { [key: string]: string }): EgressRule[] {
  const own = PromQl.selector(...PromQl.gateway(gateway));
  const gw = `${gateway.namespaceName}/${gateway.name}`;
  const warning = { ...alertLabels, severity: 'warning' };
  const forbidden = PromQl.selector(...PromQl.gateway(gateway), PromQl.eq('response_code', '403'));
  const deployment = PromQl.selector(PromQl.eq('namespace', gateway.namespaceName), PromQl.eq('deployment', gateway.workloadName));
  const rules: EgressRule[] = [
    {
      alert: 'IstioEgressHostServerErrors',
      // `and` keeps the hosts whose request rate is high enough; both sides have the same labels.
      expr: `${EgressRecordingRule.SERVER_ERROR_RATIO}${own} > ${t.serverErrorRatio}`
        + ` and sum by (${GATEWAY}, destination_service) (${EgressRecordingRule.REQUESTS_BY_CODE}${own}) >= ${t.minRequestRate}`,
      for: PromQl.duration(t.serverErrorFor),
      labels: warning,
      annotations: {
        summary: `Requests through egress gateway ${gw} to an external host fail with 5xx`,
        description: `{{ $value | humanizePercentage }} of the requests through ${gw} to {{ $labels.destination_service }} `
          + 'were answered with 5xx over 5 minutes.',
      },
    },
    {
      alert: 'IstioEgressGatewayForbidden',
      expr: `sum by (${GATEWAY}, destination_service) (${EgressRecordingRule.REQUESTS_BY_CODE}${forbidden}) > ${t.forbiddenRate}`,
      for: PromQl.duration(t.forbiddenFor),
      labels: warning,
      annotations: {
        summary: `Egress gateway ${gw} answers 403`,
        description: `HTTP requests through ${gw} to {{ $labels.destination_service }} get 403 ({{ $value }}/s): a `
          + 'workload asks for a host it was not granted, or the host refuses it; the gateway\'s access log says which '
          + '(rbac_access_denied_matched_policy in the response code details). Denied TLS passthrough connections '
          + 'are closed, not answered, and show only in the access log (connection termination details).',
      },
    },
  ];
  if (blockedTraffic) {
    rules.push({
      alert: 'IstioEgressTrafficBlocked',
      expr: `${EgressRecordingRule.BLOCKED_REQUESTS} > ${t.blockedRate} or ${EgressRecordingRule.BLOCKED_TCP_CONNECTIONS} > ${t.blockedRate}`,
      for: PromQl.duration(t.blockedFor),
      labels: warning,
      annotations: {
        summary: 'The mesh blocks calls to a host outside its registry',
        description: '{{ $labels.source_workload }} in {{ $labels.source_workload_namespace }} calls a host no '
          + 'ServiceEntry declares ({{ $value }}/s sent to BlackHoleCluster); declare it and route it through the '
          + 'egress gateway, or stop the call.',
      },
    });
  }
  rules.push({
    alert: 'IstioEgressGatewayNoReadyPods',
    expr: `kube_deployment_status_replicas_available${deployment} < 1 or absent(kube_deployment_status_replicas_available${deployment})`,
    for: PromQl.duration(t.noReadyPodsFor),
    labels: { ...alertLabels, severity: 'critical' },
    annotations: {
      summary: `Egress gateway ${gw} has no ready pods`,
      description: `Deployment ${gw} has no available replica (or kube-state-metrics reports no such Deployment): `
        + 'calls out of the mesh through it fail.',
    },
  });
  return rules;
}

function ratio(path: string, what: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new Error(`${path}: ${what} ${value} is not a share of requests; pass a number from 0 up to (not including) 1, `
      + 'such as 0.05 for 5%');
  }
  return value;
}

function rate(path: string, what: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${path}: ${what} ${value} is not a rate; pass a number of events per second, 0 or more (0: any)`);
  }
  return value;
}

/** Prometheus' label name syntax (prometheus.io/docs/concepts/data_model); `__` names are reserved for internal use. */
const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkAlertLabels(path: string, labels: { [key: string]: string }): void {
  for (const [name, value] of Object.entries(labels)) {
    if (!PROMETHEUS_LABEL_NAME.test(name)) {
      throw new Error(`${path}: alert label name '${name}' is not a Prometheus label name; use letters, digits and `
        + 'underscores, not starting with a digit (such as \'team\' or \'owner_team\')');
    }
    if (name.startsWith('__')) {
      throw new Error(`${path}: alert label name '${name}' starts with '__', which Prometheus reserves for internal `
        + `labels; drop the leading underscores ('${name.replace(/^_+/, '') || 'team'}')`);
    }
    if (typeof value !== 'string') {
      throw new Error(`${path}: alert label '${name}' value ${JSON.stringify(value)} is not a string; pass it as text`);
    }
  }
}

/** The blocked-traffic rules carry no gateway label: two PrometheusRules defining them record the same series. */
function checkOneBlockedTraffic(members: EgressGatewayRules[]): string[] {
  if (members.length < 2) return [];
  const [first, ...others] = members;
  return others.map(other => `${other.node.path}: records the mesh-wide blocked-traffic rules (EgressRecordingRule.BLOCKED_*), `
    + `and so does ${first.node.path}; they carry no gateway label, so Prometheus would get the same series from two `
    + 'rule groups; pass blockedTraffic: false on all but one EgressGatewayRules of the app');
}
