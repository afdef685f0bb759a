import { MetadataRules } from './metadata-rules';
import { list, num, present, record, text } from '../values';
import { RuleContext } from './rule-context';
import { TlsSettings } from './tls-settings';
import { Names } from '../../private/names';

/**
 * istiod's `ValidateDestinationRule`: host, subsets, traffic policies (pool, outlier detection, load balancer, client
 * TLS) and the exportTo restriction of selector-bound rules. The CRD covers enums, warmup and the selector's CEL rules.
 * Internal.
 */
export class DestinationRuleRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    const host = text(spec.host);
    const hostError = Names.wildcardDomainError(host);
    if (spec.host !== undefined && hostError) {
      ctx.report.error('spec.host', 'IST-DR-HOST', `${hostError}: host is the service's DNS name, e.g. "reviews.prod.svc.cluster.local"`);
    }
    DestinationRuleRules.validateTrafficPolicy(ctx, spec.trafficPolicy, 'spec.trafficPolicy');
    const names = new Map<string, number>();
    list(spec.subsets).forEach((raw, i) => {
      const subset = record(raw);
      const path = `spec.subsets[${i}]`;
      const name = text(subset.name);
      const first = names.get(name);
      if (first !== undefined) {
        ctx.report.error(`${path}.name`, 'IST-DR-SUBSET-NAME', `duplicate subset names: ${name} (also spec.subsets[${first}]); subset names must be unique`);
      } else {
        names.set(name, i);
      }
      if (name === '') {
        ctx.report.error(`${path}.name`, 'IST-DR-SUBSET-NAME', 'subset name cannot be empty');
      } else if (!Names.isIstioDnsLabel(name)) {
        ctx.report.error(`${path}.name`, 'IST-DR-SUBSET-NAME',
          `subset name is invalid: ${name}; use a DNS-1123 label (no dots or underscores), e.g. ${JSON.stringify(name.toLowerCase().replace(/[^a-z0-9-]+/g, '-'))}`);
      }
      for (const [key, value] of Object.entries(record(subset.labels))) {
        const error = Names.labelKeyError(key) ?? Names.labelValueError(text(value));
        if (error) ctx.report.error(`${path}.labels[${key}]`, 'IST-DR-SUBSET-LABELS', `invalid label ${key}=${value}: ${error}`);
      }
      DestinationRuleRules.validateTrafficPolicy(ctx, subset.trafficPolicy, `${path}.trafficPolicy`);
    });
    MetadataRules.validateExportTo(ctx, { serviceEntry: false, drWithSelector: spec.workloadSelector !== undefined });
    MetadataRules.warnEmptySelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'matchLabels');
  }

  private static validateTrafficPolicy(ctx: RuleContext, value: unknown, path: string): void {
    if (value === undefined || value === null) return;
    const policy = record(value);
    const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol'];
    if (!fields.some(f => policy[f] !== undefined && policy[f] !== null)) {
      ctx.report.error(path, 'IST-DR-TRAFFIC-POLICY-EMPTY',
        `traffic policy must have at least one field (${fields.join(', ')}); remove the empty trafficPolicy`);
      return;
    }
    if (policy.tunnel !== undefined && policy.proxyProtocol !== undefined) {
      ctx.report.error(path, 'IST-DR-TUNNEL-PROXY-PROTOCOL', 'tunnel and proxyProtocol must not be set together');
      return;
    }
    DestinationRuleRules.validateSettings(ctx, policy, path);
    list(policy.portLevelSettings).forEach((raw, i) => {
      const settings = record(raw);
      const ppath = `${path}.portLevelSettings[${i}]`;
      if (settings.port === undefined) {
        ctx.report.error(`${ppath}.port`, 'IST-DR-TRAFFIC-POLICY-EMPTY', 'portTrafficPolicy must have valid port');
      }
      if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some(f => settings[f] !== undefined)) {
        ctx.report.error(ppath, 'IST-DR-TRAFFIC-POLICY-EMPTY', 'port traffic policy must have at least one field besides port');
      } else {
        DestinationRuleRules.validateSettings(ctx, settings, ppath);
      }
    });
    if (policy.tunnel !== undefined) {
      const tunnel = record(policy.tunnel);
      if (present(tunnel.protocol) && tunnel.protocol !== 'CONNECT' && tunnel.protocol !== 'POST') {
        ctx.report.error(`${path}.tunnel.protocol`, 'IST-DR-TUNNEL', 'tunnel protocol must be "CONNECT" or "POST"');
      }
      const target = text(tunnel.targetHost);
      if (Names.fqdnError(target) && !Names.isIpAddress(target)) {
        ctx.report.error(`${path}.tunnel.targetHost`, 'IST-DR-TUNNEL', `tunnel target host must be valid FQDN or IP address, got ${JSON.stringify(target)}`);
      }
      const port = num(tunnel.targetPort);
      if (port < 1 || port > 65535) ctx.report.error(`${path}.tunnel.targetPort`, 'IST-DR-TUNNEL', `tunnel target port ${port} must be in the range 1..65535`);
    }
  }

  /** Outlier detection, connection pool, load balancer and TLS of a policy or a port-level policy. */
  private static validateSettings(ctx: RuleContext, policy: Record<string, any>, path: string): void {
    if (policy.outlierDetection !== undefined) {
      const outlier = record(policy.outlierDetection);
      if (outlier.splitExternalLocalOriginErrors !== true && num(outlier.consecutiveLocalOriginFailures) > 0) {
        ctx.report.error(`${path}.outlierDetection`, 'IST-DR-OUTLIER',
          'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false');
      }
      for (const field of ['maxEjectionPercent', 'minHealthPercent']) {
        const value = outlier[field];
        if (typeof value === 'number' && (value < 0 || value > 100)) {
          ctx.report.error(`${path}.outlierDetection.${field}`, 'IST-DR-OUTLIER', `percentage ${value} is not in range 0..100`);
        }
      }
      if (outlier.consecutiveErrors !== undefined) {
        ctx.report.warning(`${path}.outlierDetection.consecutiveErrors`, 'IST-DR-OUTLIER',
          'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead');
      }
    }
    if (policy.connectionPool !== undefined) {
      const pool = record(policy.connectionPool);
      if (pool.http === undefined && pool.tcp === undefined) {
        ctx.report.error(`${path}.connectionPool`, 'IST-DR-CONNECTION-POOL', 'connection pool must have at least one field (http or tcp)');
      }
      const http = record(pool.http);
      for (const field of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams']) {
        if (num(http[field]) < 0) ctx.report.error(`${path}.connectionPool.http.${field}`, 'IST-DR-CONNECTION-POOL', `${field} must be non-negative`);
      }
      if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
        ctx.report.error(`${path}.connectionPool.http`, 'IST-DR-CONNECTION-POOL', 'use client protocol must not be true when h2UpgradePolicy is UPGRADE');
      }
      if (num(record(pool.tcp).maxConnections) < 0) {
        ctx.report.error(`${path}.connectionPool.tcp.maxConnections`, 'IST-DR-CONNECTION-POOL', 'max connections must be non-negative');
      }
    }
    if (policy.loadBalancer !== undefined) {
      const hash = record(record(policy.loadBalancer).consistentHash);
      if (hash.httpCookie !== undefined && !present(record(hash.httpCookie).name)) {
        ctx.report.error(`${path}.loadBalancer.consistentHash.httpCookie.name`, 'IST-DR-LOAD-BALANCER', 'name required for HttpCookie');
      }
      if (num(hash.minimumRingSize) !== 0 && (hash.maglev !== undefined || hash.ringHash !== undefined)) {
        ctx.report.error(`${path}.loadBalancer.consistentHash`, 'IST-DR-LOAD-BALANCER', 'only one of minimumRingSize or maglev/ringHash can be specified');
      }
      if (hash.maglev !== undefined) {
        const size = num(record(hash.maglev).tableSize);
        if (size === 0 || size >= 5000011 || !isPrime(size)) {
          ctx.report.error(`${path}.loadBalancer.consistentHash.maglev.tableSize`, 'IST-DR-LOAD-BALANCER',
            `maglev tableSize ${size} must be a prime number below 5000011 (e.g. 65537)`);
        }
      }
    }
    TlsSettings.validateClient(ctx, policy.tls, `${path}.tls`);
  }
}

/** Envoy's primality test for maglev table sizes. */
function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f <= Math.sqrt(x); f += 2) {
    if (x % f === 0) return false;
  }
  return true;
}
