import { Duration } from 'cdk8s';
import { IGateway } from '../gateway/gateway-contracts';

/**
 * PromQL text shared by the gateway's rules and its dashboard, so both select the gateway the same way. Internal.
 */
export class PromQl {
  /** The labels every gateway-level series keeps, so the series of two gateways never merge. */
  public static readonly GATEWAY_LABELS = ['source_workload_namespace', 'source_workload'];

  /** A label matcher list, `{a="b",c=~"d"}`, in the order given. */
  public static selector(...matchers: string[]): string {
    return `{${matchers.join(',')}}`;
  }

  /** `label="value"`; the value is a PromQL double-quoted string (JSON's escapes are a subset of PromQL's). */
  public static eq(label: string, value: string): string {
    return `${label}=${JSON.stringify(value)}`;
  }

  /** `label=~"regex"`. */
  public static re(label: string, regex: string): string {
    return `${label}=~${JSON.stringify(regex)}`;
  }

  /**
   * The gateway as Istio's standard metrics name it when it is the proxy that reports: `source_workload` is the
   * gateway's Deployment (named after the gateway, by this library and by the istio/gateway chart) and
   * `source_workload_namespace` its namespace.
   */
  public static gateway(gateway: IGateway): string[] {
    return [PromQl.eq('source_workload_namespace', gateway.namespaceName), PromQl.eq('source_workload', gateway.workloadName)];
  }

  /** A Prometheus duration (`10m`, `90s`, `1500ms`) in the largest unit that divides it. */
  public static duration(duration: Duration): string {
    const ms = duration.toMilliseconds();
    for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as Array<[string, number]>) {
      if (ms % size === 0) return `${ms / size}${unit}`;
    }
    return `${ms}ms`;
  }
}
