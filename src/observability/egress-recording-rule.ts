/**
 * The names of the recording rules `EgressGatewayRules` defines, which its alerts and `EgressGatewayDashboard`
 * query: the one list of them.
 *
 * Names follow Prometheus' `level:metric:operations` convention (prometheus.io/docs/practices/rules): `level` is
 * the labels the rule aggregates by beyond the gateway's own `source_workload_namespace` and `source_workload`
 * (which every gateway rule keeps, so the rules of several gateways never merge), `metric` is the Istio metric
 * without its `_total` suffix, narrowed by what the rule selects (`_5xx_per_requests`, `_blackhole`), and
 * `operations` is `rate5m` (a 5-minute rate) or `ratio_rate5m`.
 */
export class EgressRecordingRule {
  /**
   * Requests per second from the gateway to each external host (`destination_service`), by `response_code`:
   * Istio's `istio_requests_total` as the gateway reports it on its outbound hop (`reporter="source"`).
   */
  public static readonly REQUESTS_BY_CODE = 'destination_service_response_code:istio_requests:rate5m';
  /** `REQUESTS_BY_CODE` summed by response class (`response_class`: `2xx`, `4xx`, `5xx`, …). */
  public static readonly REQUESTS_BY_CLASS = 'destination_service_response_class:istio_requests:rate5m';
  /** Per external host, the share of the gateway's requests answered with a 5xx code (0 to 1). */
  public static readonly SERVER_ERROR_RATIO = 'destination_service:istio_requests_5xx_per_requests:ratio_rate5m';
  /** TCP connections per second the gateway opens to each passed-through TLS host (no response code there). */
  public static readonly TCP_CONNECTIONS_OPENED = 'destination_service:istio_tcp_connections_opened:rate5m';
  /** Bytes per second the gateway sends on its TCP connections to each passed-through host. */
  public static readonly TCP_SENT_BYTES = 'destination_service:istio_tcp_sent_bytes:rate5m';
  /** Bytes per second the gateway receives on its TCP connections from each passed-through host. */
  public static readonly TCP_RECEIVED_BYTES = 'destination_service:istio_tcp_received_bytes:rate5m';
  /**
   * Requests per second each workload's sidecar sent to `BlackHoleCluster`, i.e. that REGISTRY_ONLY refused (502),
   * by `source_workload_namespace` and `source_workload`. Mesh-wide: the sidecars report it, not the gateway.
   */
  public static readonly BLOCKED_REQUESTS = 'source_workload:istio_requests_blackhole:rate5m';
  /** TCP connections per second each workload's sidecar closed at `BlackHoleCluster` (blocked TLS and TCP). */
  public static readonly BLOCKED_TCP_CONNECTIONS = 'source_workload:istio_tcp_connections_closed_blackhole:rate5m';

  private constructor() {}
}
