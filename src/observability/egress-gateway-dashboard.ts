import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IEgressGatewayRules } from './egress-gateway-rules';
import { EgressRecordingRule } from './egress-recording-rule';
import { PromQl } from './promql';
import { checkDns1123Label, checkLabelKey, checkLabelValue } from '../private/kubernetes-names';
import { namespaceOf } from '../private/namespace';
import { ObjectNames } from '../private/object-names';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Properties of `EgressGatewayDashboard`.
 */
export interface EgressGatewayDashboardProps {
  /** The rules whose recordings the panels show: the dashboard shows the gateway they watch. */
  readonly rules: IEgressGatewayRules;
  /**
   * The namespace of the ConfigMap: one Grafana's dashboard sidecar watches (kube-prometheus-stack's watches
   * Grafana's own namespace unless told otherwise).
   * @default - the chart's namespace
   */
  readonly namespaceName?: string;
  /**
   * The label key Grafana's dashboard sidecar loads ConfigMaps by.
   * @default 'grafana_dashboard'
   */
  readonly labelKey?: string;
  /**
   * The value of `labelKey`.
   * @default '1'
   */
  readonly labelValue?: string;
}

/**
 * A Grafana dashboard for an egress gateway, shipped as a ConfigMap that Grafana's dashboard sidecar loads
 * (labelled `grafana_dashboard: "1"` by default): requests per second by external host and response class, each
 * host's 5xx share, HTTP 403s at the gateway, traffic the mesh blocked, and connections and bytes per passed-through
 * TLS host, uploaded (to the host: what to watch for exfiltration) and downloaded (from it).
 *
 * Every panel queries a recording rule of `EgressGatewayRules`, by its `EgressRecordingRule` name, so the names
 * live in one place and the dashboard costs Prometheus no more than the rules do. The JSON is deterministic: a uid
 * derived from the gateway's namespace and name, panel ids in order, no timestamps (the time range is relative, the
 * last 6 hours). The data source is a dashboard
 * variable, so the dashboard works with whichever Prometheus data source Grafana has.
 */
export class EgressGatewayDashboard extends Construct {
  /** The rules whose recordings the panels show. */
  public readonly rules: IEgressGatewayRules;
  /** The ConfigMap holding the dashboard. */
  public readonly configMap: kplus.ConfigMap;
  /** The dashboard's Grafana uid. */
  public readonly uid: string;

  public constructor(scope: Construct, id: string, props: EgressGatewayDashboardProps) {
    super(scope, id);
    validateAtSynth(this);
    const path = this.node.path;
    this.rules = props.rules;
    const namespaceName = namespaceOf(this, props.namespaceName, 'an egress gateway dashboard');
    checkDns1123Label(path, 'namespaceName', namespaceName);
    const labelKey = props.labelKey ?? 'grafana_dashboard';
    const labelValue = props.labelValue ?? '1';
    checkLabelKey(path, 'dashboard label', labelKey);
    checkLabelValue(path, `dashboard label '${labelKey}'`, labelValue);
    const gateway = this.rules.gateway;
    this.uid = `istio-egress-${ObjectNames.digest(`${gateway.namespaceName}/${gateway.name}`)}`;
    const name = ObjectNames.subdomain(`${gateway.name}-${gateway.namespaceName}-dashboard`);
    const model = renderDashboard(this.uid, this.rules);
    this.configMap = new kplus.ConfigMap(this, 'Resource', {
      metadata: { name, namespace: namespaceName, labels: { [labelKey]: labelValue } },
      data: { [`${name}.json`]: JSON.stringify(model, undefined, 2) + '\n' },
    });
    // Any IEgressGatewayRules may be passed: each panel must read a rule it records, or the panel stays empty.
    const queried = [...new Set<string>(model.panels.flatMap((p: any) => p.targets.map((t: any) => recordOf(t.expr))))];
    this.node.addValidation({
      validate: () => {
        const recorded = new Set(this.rules.recordedNames);
        const missing = queried.filter(record => !recorded.has(record));
        return missing.length === 0 ? [] : [`${path}: the dashboard's panels query ${missing.join(', ')}, which `
          + `${this.rules.node.path} does not record; pass rules that record every EgressRecordingRule the panels read `
          + '(EgressGatewayRules does, the BLOCKED_* ones when blockedTraffic is true)'];
      },
    });
  }
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly targets: Array<{ expr: string; legendFormat: string }>;
}

/** The dashboard JSON (Grafana's dashboard model, schema version 39). */
function renderDashboard(uid: string, rules: IEgressGatewayRules): any {
  const gateway = rules.gateway;
  const own = PromQl.selector(...PromQl.gateway(gateway));
  const byHost = (record: string, selector: string = own) => `sum by (destination_service) (${record}${selector})`;
  const panels: Panel[] = [
    {
      title: 'Requests per second by external host and response class',
      unit: 'reqps',
      targets: [{
        expr: `sum by (destination_service, response_class) (${EgressRecordingRule.REQUESTS_BY_CLASS}${own})`,
        legendFormat: '{{destination_service}} {{response_class}}',
      }],
    },
    {
      title: '5xx share by external host',
      unit: 'percentunit',
      targets: [{ expr: byHost(EgressRecordingRule.SERVER_ERROR_RATIO), legendFormat: '{{destination_service}}' }],
    },
    {
      title: 'HTTP 403 at the gateway by external host',
      unit: 'reqps',
      targets: [{
        expr: byHost(EgressRecordingRule.REQUESTS_BY_CODE, PromQl.selector(...PromQl.gateway(gateway), PromQl.eq('response_code', '403'))),
        legendFormat: '{{destination_service}}',
      }],
    },
    ...rules.blockedTraffic ? [{
      title: 'Blocked by REGISTRY_ONLY (BlackHoleCluster) by source workload',
      unit: 'reqps',
      targets: [
        { expr: EgressRecordingRule.BLOCKED_REQUESTS, legendFormat: 'HTTP {{source_workload_namespace}}/{{source_workload}}' },
        { expr: EgressRecordingRule.BLOCKED_TCP_CONNECTIONS, legendFormat: 'TCP {{source_workload_namespace}}/{{source_workload}}' },
      ],
    }] : [],
    {
      title: 'TCP connections per second by passed-through host',
      unit: 'cps',
      targets: [{ expr: byHost(EgressRecordingRule.TCP_CONNECTIONS_OPENED), legendFormat: '{{destination_service}}' }],
    },
    {
      title: 'TCP bytes per second by passed-through host',
      unit: 'Bps',
      targets: [
        // At the gateway's outbound hop Istio's "received" bytes are the request's (to the host), "sent" the
        // response's (from the host).
        { expr: byHost(EgressRecordingRule.TCP_RECEIVED_BYTES), legendFormat: 'upload to {{destination_service}}' },
        { expr: byHost(EgressRecordingRule.TCP_SENT_BYTES), legendFormat: 'download from {{destination_service}}' },
      ],
    },
  ];
  return {
    uid,
    title: `Istio egress gateway ${gateway.namespaceName}/${gateway.name}`,
    tags: ['istio', 'egress'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus' }],
    },
    // Two panels a row, 12 of Grafana's 24 columns each.
    panels: panels.map((panel, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: panel.title,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      datasource: { type: 'prometheus', uid: '${datasource}' },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.targets.map((target, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: { type: 'prometheus', uid: '${datasource}' },
        expr: target.expr,
        legendFormat: target.legendFormat,
      })),
    })),
  };
}

/** The recording rule a panel query reads: the metric name of its one selector. */
function recordOf(expr: string): string {
  const match = /([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)(?:\{|$)/.exec(expr);
  if (!match) throw new Error(`no recording rule in panel query ${expr}`);
  return match[1];
}
