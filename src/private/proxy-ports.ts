// The ports the Istio proxy of a gateway binds itself (istio.io "Ports used by Istio"), in one place: the workload
// declares and exposes them, NetworkPolicies open them, and routes may not use them.

/** The agent's metrics, merged with Envoy's (what `prometheus.io/port` names). */
export const AGENT_METRICS_PORT = 15020;

/** The health port, which load balancers and the readiness probe query. */
export const STATUS_PORT = 15021;

/** Envoy's Prometheus endpoint, declared on the proxy container as the istio/gateway chart does. */
export const ENVOY_METRICS_PORT = 15090;

/** The container port name of `ENVOY_METRICS_PORT` in the chart and Istio's gateway injection template. */
export const ENVOY_METRICS_PORT_NAME = 'http-envoy-prom';

/** Both metrics ports, which scrapers must reach. */
export const METRICS_PORTS = [AGENT_METRICS_PORT, ENVOY_METRICS_PORT];

/** Every port the proxy binds; a route on one would collide with it. */
export const PROXY_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, AGENT_METRICS_PORT, STATUS_PORT, 15053, ENVOY_METRICS_PORT];
