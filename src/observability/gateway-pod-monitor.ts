import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { PromQl } from './promql';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { IGateway } from '../gateway/gateway-contracts';
import { checkLabels } from '../private/kubernetes-names';
import { ENVOY_METRICS_PORT_NAME } from '../private/proxy-ports';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Properties of `GatewayPodMonitor`.
 */
export interface GatewayPodMonitorProps {
  /** The gateway whose pods are scraped. */
  readonly gateway: IGateway;
  /**
   * Labels of the PodMonitor, for the Prometheus whose `podMonitorSelector` must pick it (kube-prometheus-stack
   * selects `release: <its release name>`).
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };
  /**
   * How often Prometheus scrapes each gateway pod.
   * @default - the Prometheus' own scrape interval
   */
  readonly interval?: Duration;
}

/**
 * A prometheus-operator `PodMonitor` for a gateway's pods, for clusters that run the Prometheus operator: Envoy's
 * Prometheus endpoint of the `istio-proxy` container (`/stats/prometheus` on 15090), where Istio's standard metrics
 * (`istio_requests_total`, `istio_tcp_*`) of every call through the gateway are.
 *
 * The endpoint is the container port named `http-envoy-prom`, the name this library's gateway workload, the
 * istio/gateway chart and Istio's gateway injection template all give 15090, so installed gateways are scraped the
 * same way. Only that container declares it, so no other container is scraped. Named after the gateway, in its
 * namespace, selecting its pods there. A `MeshEgressLockdown` opens 15090 to its `metricsNamespaces`: list the
 * namespace Prometheus runs in there.
 */
export class GatewayPodMonitor extends Construct {
  /** The container port Envoy serves Prometheus metrics on, by its name on the gateway pods. */
  public static readonly METRICS_PORT_NAME = ENVOY_METRICS_PORT_NAME;
  /** Envoy's Prometheus path. */
  public static readonly METRICS_PATH = '/stats/prometheus';

  /** The gateway whose pods are scraped. */
  public readonly gateway: IGateway;
  /** The `PodMonitor` object. */
  public readonly podMonitor: ApiObject;

  public constructor(scope: Construct, id: string, props: GatewayPodMonitorProps) {
    super(scope, id);
    validateAtSynth(this);
    this.gateway = props.gateway;
    const labels = { ...props.labels };
    checkLabels(this.node.path, 'PodMonitor label', labels);
    if (props.interval !== undefined && props.interval.toMilliseconds() === 0) {
      throw new Error(`${this.node.path}: interval 0 would scrape continuously; pass a duration such as `
        + 'Duration.seconds(30), or leave it unset for the Prometheus\' scrape interval');
    }
    this.podMonitor = new monitoring.PodMonitor(this, 'Resource', {
      metadata: {
        name: this.gateway.name,
        namespace: this.gateway.namespaceName,
        ...Object.keys(labels).length === 0 ? {} : { labels },
      },
      spec: {
        selector: { matchLabels: { ...this.gateway.podLabels } },
        namespaceSelector: { matchNames: [this.gateway.namespaceName] },
        podMetricsEndpoints: [{
          port: GatewayPodMonitor.METRICS_PORT_NAME,
          path: GatewayPodMonitor.METRICS_PATH,
          ...props.interval === undefined ? {} : { interval: PromQl.duration(props.interval) },
        }],
      },
    });
  }
}
