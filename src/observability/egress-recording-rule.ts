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
  /**
   * `REQUESTS_BY_CODE` summed by response class (`response_class`: `2xx`, `4xx`, `5xx`, …; `other` for
   * `response_code` 0, a request that got no response, such as one the client gave up on).
   */
  public static readonly REQUESTS_BY_CLASS = 'destination_service_response_class:istio_requests:rate5m';
  /** Per external host, the share of the gateway's requests answered with a 5xx code (0 to 1). */
  public static readonly SERVER_ERROR_RATIO = 'destination_service:istio_requests_5xx_per_requests:ratio_rate5m';
  /** TCP connections per second the gateway opens to each passed-through TLS host (no response code there). */
  public static readonly TCP_CONNECTIONS_OPENED = 'destination_service:istio_tcp_connections_opened:rate5m';
  /**
   * Download: bytes per second each passed-through host sends back to the gateway. Istio's
   * `istio_tcp_sent_bytes_total` counts the bytes "sent during response", so at the gateway's outbound hop
   * (`reporter="source"`) it is what came back from the external host (Istio's workload dashboard shows it as
   * "Bytes Received from Outgoing TCP Connection").
   */
  public static readonly TCP_SENT_BYTES = 'destination_service:istio_tcp_sent_bytes:rate5m';
  /**
   * Upload: bytes per second the gateway sends to each passed-through host, the signal to watch for exfiltration.
   * Istio's `istio_tcp_received_bytes_total` counts the bytes "received during request", so at the gateway's
   * outbound hop it is what went out to the external host (Istio's workload dashboard: "Bytes Sent on Outgoing TCP
   * Connection").
   */
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
