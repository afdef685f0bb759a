// Public API, by domain: one concept per file.
export * from './mesh/istio-mesh';
export * from './mesh/external-port';
export * from './mesh/external-service';
export * from './mesh/istio-install';
export * from './gateway/gateway-install';
export * from './gateway/gateway-workload-options';
export * from './gateway/gateway-workload';
export * from './egress/egress-contracts';
export * from './egress/egress-tls';
export * from './egress/egress-grantee';
export * from './egress/egress-gateway';
export * from './egress/egress-route';
export * from './egress/mesh-egress-lockdown';
export * from './report/reachability';
export * from './validation';
