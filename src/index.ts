// Public API: one concept per file.
export * from './external-port';
export * from './external-service';
export * from './egress-gateway-base';
export * from './gateway-workload';
export * from './egress-gateway';
export * from './existing-egress-gateway';
export * from './istio-install';
export * from './egress-route';
export * from './egress-grant';
export * from './mesh-egress-lockdown';
export * from './reachability';
export * from './validation';
