import type { SyntaxNode } from '@lezer/common';
import type { LRParser } from '@lezer/lr';

// The package's types are declared as an ES module, which a CommonJS test cannot import; its CommonJS build is the
// same parser (lezer's own types describe it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

/**
 * Istio's standard metric labels: istio/istio.io `content/en/docs/reference/config/telemetry/metrics/index.md`
 * ("Labels"), plus the canonical-service and cluster labels that istio/istio's
 * `tests/integration/telemetry/api/stats_test.go` queries (`source_cluster`, `destination_canonical_service`,
 * `destination_canonical_revision`, …). `response_code` is on HTTP metrics only (the same page).
 */
export const ISTIO_LABELS = new Set([
  'reporter', 'source_workload', 'source_workload_namespace', 'source_principal', 'source_app', 'source_version',
  'source_canonical_service', 'source_canonical_revision', 'source_cluster', 'destination_workload',
  'destination_workload_namespace', 'destination_principal', 'destination_app', 'destination_version',
  'destination_service', 'destination_service_name', 'destination_service_namespace', 'destination_canonical_service',
  'destination_canonical_revision', 'destination_cluster', 'request_protocol', 'response_code',
  'connection_security_policy', 'response_flags',
]);
export const HTTP_ONLY_LABELS = new Set(['response_code']);
export const ISTIO_HTTP_METRICS = new Set(['istio_requests_total']);
export const ISTIO_TCP_METRICS = new Set([
  'istio_tcp_connections_opened_total', 'istio_tcp_connections_closed_total', 'istio_tcp_sent_bytes_total', 'istio_tcp_received_bytes_total',
]);
/** kube-state-metrics' Deployment metrics carry `namespace` and `deployment` (its docs/metrics/workload/deployment-metrics.md). */
export const KUBE_STATE_METRICS: Record<string, Set<string>> = {
  kube_deployment_status_replicas_available: new Set(['namespace', 'deployment']),
};

export interface ParsedExpr {
  /** The syntax errors' positions; empty when the expression parses. */
  readonly errors: number[];
  /** Each vector selector: its metric name and the labels its matchers use. */
  readonly selectors: Array<{ metric: string; labels: string[]; matchers: Array<{ label: string; value: string }> }>;
  /** Labels in `by (…)` / `without (…)` / `on (…)` / `ignoring (…)`. */
  readonly groupingLabels: string[];
  /** Labels the outermost aggregations keep: what a recording rule of this expression outputs. */
  readonly outputLabels: string[];
  /** `label_replace` calls: the label each writes and the label it reads. */
  readonly labelReplaces: Array<{ dst: string; src: string }>;
}

/** Parses with the Prometheus project's own grammar and reads the parts the tests check from the syntax tree. */
export function parsePromQl(expr: string): ParsedExpr {
  const tree = parser.parse(expr);
  const errors: number[] = [];
  const selectors: ParsedExpr['selectors'] = [];
  const groupingLabels: string[] = [];
  const outputLabels: string[] = [];
  const labelReplaces: ParsedExpr['labelReplaces'] = [];
  const text = (n: SyntaxNode | null) => (n ? expr.slice(n.from, n.to) : '');
  const unquote = (s: string) => JSON.parse(s);
  tree.iterate({
    enter: ref => {
      const node = ref.node;
      if (ref.type.isError) errors.push(ref.from);
      if (ref.name === 'VectorSelector') {
        const matchers = node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
        const parsed = matchers.map(m => ({ label: text(m.getChild('LabelName')), value: unquote(text(m.getChild('StringLiteral'))) }));
        selectors.push({ metric: text(node.getChild('Identifier')), labels: parsed.map(m => m.label), matchers: parsed });
      }
      if (ref.name === 'GroupingLabels') {
        groupingLabels.push(...node.getChildren('LabelName').map(text));
      }
      if (ref.name === 'AggregateExpr' && !hasAncestor(node, 'AggregateExpr')) {
        outputLabels.push(...(node.getChild('AggregateModifier')?.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text));
      }
      if (ref.name === 'FunctionCall' && node.getChild('FunctionIdentifier')?.getChild('LabelReplace')) {
        const args = node.getChild('FunctionCallBody')!.getChildren('StringLiteral').map(n => unquote(text(n)));
        labelReplaces.push({ dst: args[0], src: args[2] });
      }
    },
  });
  return { errors, selectors, groupingLabels, outputLabels: [...new Set(outputLabels)].sort(), labelReplaces };
}

function hasAncestor(node: SyntaxNode, name: string): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.name === name) return true;
  return false;
}

/** A rule as a PrometheusRule lists it. */
export interface RuleText {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly annotations?: { [key: string]: string };
}

/**
 * What is wrong with a list of rules, in order, as sentences (none: empty): expressions that do not parse, metrics
 * that are neither Istio's, kube-state-metrics' nor a rule recorded earlier in the list, labels such a metric does not
 * have (`response_code` on a TCP metric included), `by`/`on` labels no selector of the expression provides, and
 * `$labels.x` in an alert's annotations that its expression does not keep.
 */
export function labelProblems(rules: RuleText[]): string[] {
  const problems: string[] = [];
  const recorded = new Map<string, Set<string>>();
  for (const rule of rules) {
    const name = rule.record ?? rule.alert;
    const parsed = parsePromQl(rule.expr);
    if (parsed.errors.length > 0) problems.push(`${name}: does not parse (at ${parsed.errors.join(', ')})`);
    const available = new Set<string>();
    for (const { dst, src } of parsed.labelReplaces) {
      if (!ISTIO_LABELS.has(src)) problems.push(`${name}: label_replace reads '${src}', not an Istio label`);
      available.add(dst);
    }
    for (const selector of parsed.selectors) {
      const own = recorded.get(selector.metric) ?? KUBE_STATE_METRICS[selector.metric] ?? istioLabelsOf(selector.metric);
      if (!own) {
        problems.push(`${name}: unknown metric '${selector.metric}'`);
        continue;
      }
      own.forEach(l => available.add(l));
      for (const label of selector.labels.filter(l => !own.has(l))) problems.push(`${name}: ${selector.metric} has no label '${label}'`);
    }
    for (const label of parsed.groupingLabels.filter(l => !available.has(l))) problems.push(`${name}: groups by '${label}', which no selector has`);
    if (rule.alert) {
      const kept = new Set(parsed.outputLabels.length > 0 ? parsed.outputLabels : available);
      for (const [, label] of JSON.stringify(rule.annotations ?? {}).matchAll(/\$labels\.([a-z_]+)/g)) {
        if (!kept.has(label)) problems.push(`${name}: its annotations use $labels.${label}, which the expression does not keep`);
      }
    }
    if (rule.record) recorded.set(rule.record, new Set(parsed.outputLabels));
  }
  return problems;
}

function istioLabelsOf(metric: string): Set<string> | undefined {
  if (ISTIO_HTTP_METRICS.has(metric)) return ISTIO_LABELS;
  if (ISTIO_TCP_METRICS.has(metric)) return new Set([...ISTIO_LABELS].filter(l => !HTTP_ONLY_LABELS.has(l)));
  return undefined;
}
