import { namespacedHostErrors } from './hosts';
import { MetadataRules } from './metadata-rules';
import { IstioProtocol } from '../../private/protocol';
import { list, num, present, record, text } from '../values';
import { RuleContext } from './rule-context';
import { TlsSettings } from './tls-settings';
import { Names } from '../../private/names';

/**
 * istiod's `ValidateSidecar`: egress listeners and their `namespace/host` entries, ingress listeners, the outbound
 * traffic policy. The CRD checks enums and the ingress TLS credential exclusivity. Internal.
 */
export class SidecarRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    MetadataRules.warnEmptySelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'labels');
    const egress = list(spec.egress);
    const ingress = list(spec.ingress);
    if (egress.length === 0 && ingress.length === 0 && spec.outboundTrafficPolicy === undefined && spec.inboundConnectionPool === undefined) {
      ctx.report.error('spec', 'IST-SC-EMPTY',
        'sidecar: empty configuration provided: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool');
      return;
    }

    const ingressPorts = new Set<number>();
    ingress.forEach((raw, i) => {
      const listener = record(raw);
      const path = `spec.ingress[${i}]`;
      if (listener.port === undefined) {
        ctx.report.error(`${path}.port`, 'IST-SC-INGRESS', 'sidecar: port is required for ingress listeners');
        return;
      }
      const port = record(listener.port);
      SidecarRules.validatePort(ctx, port, `${path}.port`, text(listener.bind));
      if (ingressPorts.has(num(port.number))) {
        ctx.report.error(`${path}.port.number`, 'IST-SC-PORT', `sidecar: ports on IP bound listeners must be unique (${port.number} repeats)`);
      }
      ingressPorts.add(num(port.number));
      const endpoint = text(listener.defaultEndpoint);
      if (endpoint !== '' && !endpoint.startsWith('unix://')
        && !/^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\])?:[0-9]+$/.test(endpoint)) {
        ctx.report.error(`${path}.defaultEndpoint`, 'IST-SC-INGRESS',
          'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset');
      }
      if (listener.tls !== undefined) {
        const tls = record(listener.tls);
        for (const field of ['subjectAltNames', 'credentialName', 'credentialNames', 'tlsCertificates']) {
          if (present(tls[field])) ctx.report.error(`${path}.tls.${field}`, 'IST-SC-INGRESS', `sidecar: ${field} is not supported in ingress tls`);
        }
        if (tls.httpsRedirect === true) ctx.report.error(`${path}.tls.httpsRedirect`, 'IST-SC-INGRESS', 'sidecar: httpsRedirect is not supported');
        if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') {
          ctx.report.error(`${path}.tls.mode`, 'IST-SC-INGRESS', `configuration is invalid: cannot set mode to ${tls.mode} in sidecar ingress tls`);
        }
        TlsSettings.validateServer(ctx, tls, `${path}.tls`, 'IST-SC');
      }
    });

    const egressPorts = new Set<number>();
    let catchAllFound = false;
    egress.forEach((raw, i) => {
      const listener = record(raw);
      const path = `spec.egress[${i}]`;
      if (listener.port === undefined) {
        if (catchAllFound) {
          ctx.report.error(path, 'IST-SC-EGRESS-CATCH-ALL', 'sidecar: egress can have only one listener with empty port');
          return;
        }
        if (i === egress.length - 1) {
          catchAllFound = true;
        } else {
          ctx.report.error(path, 'IST-SC-EGRESS-CATCH-ALL',
            'sidecar: the egress listener with empty port should be the last listener in the list; move it to the end');
        }
      } else {
        const port = record(listener.port);
        const bind = text(listener.bind);
        SidecarRules.validatePort(ctx, port, `${path}.port`, bind);
        if (num(port.number) === 0) {
          if (!bind.startsWith('unix://')) {
            ctx.report.error(`${path}.bind`, 'IST-SC-PORT', 'sidecar: ports with 0 value must have a unix domain socket bind address');
          }
          if (present(listener.captureMode) && listener.captureMode !== 'DEFAULT' && listener.captureMode !== 'NONE') {
            ctx.report.error(`${path}.captureMode`, 'IST-SC-PORT', 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners');
          }
        } else {
          if (egressPorts.has(num(port.number))) {
            ctx.report.error(`${path}.port.number`, 'IST-SC-PORT', `sidecar: ports on IP bound listeners must be unique (${port.number} repeats)`);
          }
          egressPorts.add(num(port.number));
        }
      }
      const hosts = list(listener.hosts).map(text);
      if (hosts.length === 0) ctx.report.error(`${path}.hosts`, 'IST-SC-EGRESS-HOST', 'sidecar: egress listener must contain at least one host');
      const byNamespace = new Map<string, Set<string>>();
      hosts.forEach((host, j) => {
        for (const error of namespacedHostErrors(host, false)) {
          ctx.report.error(`${path}.hosts[${j}]`, 'IST-SC-EGRESS-HOST', error);
        }
        const slash = host.indexOf('/');
        if (slash < 0) return;
        const ns = host.slice(0, slash) === '.' ? ctx.namespace : host.slice(0, slash);
        const name = host.slice(slash + 1);
        const names = byNamespace.get(ns) ?? new Set<string>();
        if ((name !== '*' && (names.has(name) || names.has('*'))) || (name === '*' && names.size > 0)) {
          ctx.report.warning(`${path}.hosts[${j}]`, 'IST-SC-DUPLICATE-HOST', `duplicated egress host: ${host}`);
        }
        names.add(name);
        byNamespace.set(ns, names);
      });
      if (byNamespace.get('*')?.has('*') && byNamespace.size !== 1) {
        ctx.report.warning(`${path}.hosts`, 'IST-SC-DUPLICATE-HOST', '`*/*` host select all resources, no other hosts can be added');
      }
    });

    if (spec.outboundTrafficPolicy !== undefined) {
      const policy = record(spec.outboundTrafficPolicy);
      if (policy.egressProxy !== undefined) {
        const proxy = record(policy.egressProxy);
        const mode = text(policy.mode) || 'REGISTRY_ONLY';
        if (mode !== 'ALLOW_ANY') {
          ctx.report.error('spec.outboundTrafficPolicy.egressProxy', 'IST-SC-EGRESS-PROXY',
            `sidecar: egressProxy must be set only with ALLOW_ANY outboundTrafficPolicy mode (mode is ${mode}); `
            + 'under REGISTRY_ONLY route external traffic through an egress gateway instead');
        } else {
          const hostError = Names.fqdnError(text(proxy.host));
          if (hostError) ctx.report.error('spec.outboundTrafficPolicy.egressProxy.host', 'IST-SC-EGRESS-PROXY', hostError);
          if (proxy.port === undefined) {
            ctx.report.error('spec.outboundTrafficPolicy.egressProxy.port', 'IST-SC-EGRESS-PROXY', 'sidecar: egressProxy port must be set');
          } else {
            const number = num(record(proxy.port).number);
            if (number < 1 || number > 65535) {
              ctx.report.error('spec.outboundTrafficPolicy.egressProxy.port.number', 'IST-SC-EGRESS-PROXY', `port number ${number} must be in the range 1..65535`);
            }
          }
        }
      }
    }
  }

  private static validatePort(ctx: RuleContext, port: Record<string, any>, path: string, bind: string): void {
    if (num(port.targetPort) > 0) ctx.report.error(`${path}.targetPort`, 'IST-SC-PORT', 'targetPort has no impact on Sidecars; remove it');
    if (present(port.name) && !Names.isIstioDnsLabel(text(port.name))) {
      ctx.report.error(`${path}.name`, 'IST-SC-PORT', `invalid port name: ${port.name} (must be a DNS-1123 label)`);
    }
    if (present(port.protocol) && !IstioProtocol.parse(port.protocol)) {
      ctx.report.error(`${path}.protocol`, 'IST-SC-PORT', `unsupported protocol: ${port.protocol}; use one of ${IstioProtocol.list()}`);
    }
    const number = num(port.number);
    if (!(number === 0 && bind.startsWith('unix://')) && (number < 1 || number > 65535)) {
      ctx.report.error(`${path}.number`, 'IST-SC-PORT', `port number ${number} must be in the range 1..65535`);
    }
    if (bind !== '' && !bind.startsWith('unix://') && !Names.isIpAddress(bind)) {
      ctx.report.error(path.replace(/\.port$/, '.bind'), 'IST-SC-PORT', `${bind} is not a valid IP`);
    }
  }
}
