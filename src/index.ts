// Public API: one construct per file.
export * from './external-port';
export * from './egress-gateway';
export * from './existing-egress-gateway';
export * from './external-service';
export * from './egress-route';
