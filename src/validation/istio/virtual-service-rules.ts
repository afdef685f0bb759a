import { MetadataRules } from './metadata-rules';
import { Names } from '../../private/names';
import { list, num, present, record, text } from '../values';
import { RuleContext } from './rule-context';

const MESH = 'mesh';
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
/** Go's `http.StatusText` knows these codes. */
const HTTP_STATUS_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * istiod's `ValidateVirtualService` and the route validators of `virtualservice.go`. The CRD requires `match` and
 * `sniHosts` on TLS routes and `destination.host`. Internal.
 */
export class VirtualServiceRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    const hosts = list(spec.hosts).map(text);
    const gateways = list(spec.gateways).map(text);
    const http = list(spec.http);
    const tcp = list(spec.tcp);
    const tls = list(spec.tls);

    if (hosts.length === 0) {
      if (gateways.length > 0) ctx.report.error('spec.gateways', 'IST-VS-DELEGATE', 'delegate virtual service (no hosts) must have no gateways specified');
      if (tls.length > 0) ctx.report.error('spec.tls', 'IST-VS-DELEGATE', 'delegate virtual service (no hosts) must have no tls route specified');
      if (tcp.length > 0) ctx.report.error('spec.tcp', 'IST-VS-DELEGATE', 'delegate virtual service (no hosts) must have no tcp route specified');
    }

    const appliesToGateway = gateways.length > 0 && !gateways.includes(MESH);
    const appliesToMesh = !appliesToGateway;
    if (gateways.length > 0) VirtualServiceRules.validateGatewayNames(ctx, gateways, 'spec.gateways');

    if (!appliesToGateway) {
      http.forEach((route, i) => list(record(route).match).forEach((m, j) => {
        for (const field of ['headers', 'withoutHeaders']) {
          for (const key of Object.keys(record(record(m)[field]))) {
            if (key.startsWith('@request.auth.claims')) {
              ctx.report.error(`spec.http[${i}].match[${j}].${field}`, 'IST-VS-JWT-CLAIM-MESH',
                `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: bind the VirtualService to a gateway`);
            }
          }
        }
      }));
    }

    let allHostsValid = true;
    hosts.forEach((host, i) => {
      const error = Names.wildcardDomainError(host);
      if (error && !(appliesToGateway && /^outbound_\.[0-8]/.test(host))) {
        if (!Names.isIpAddress(host)) {
          allHostsValid = false;
          ctx.report.error(`spec.hosts[${i}]`, 'IST-VS-HOST-INVALID', `${error}: VirtualService hosts are DNS names (wildcard first label allowed) or IPs`);
        }
      } else if (appliesToMesh && host === '*') {
        allHostsValid = false;
        ctx.report.error(`spec.hosts[${i}]`, 'IST-VS-MESH-WILDCARD',
          'wildcard host * is not allowed for virtual services bound to the mesh gateway: list the hosts, or bind the VirtualService to a gateway only');
      }
    });
    if (allHostsValid) {
      for (let i = 0; i < hosts.length; i++) {
        for (let j = i + 1; j < hosts.length; j++) {
          if (Names.hostsOverlap(hosts[i], hosts[j])) {
            ctx.report.error(`spec.hosts[${j}]`, 'IST-VS-HOST-DUPLICATE', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}; keep one`);
          }
        }
      }
    }

    if (http.length === 0 && tcp.length === 0 && tls.length === 0) {
      ctx.report.error('spec', 'IST-VS-NO-ROUTES', 'http, tcp or tls must be provided in virtual service: add at least one route');
    }
    http.forEach((route, i) => VirtualServiceRules.validateHttpRoute(ctx, record(route), `spec.http[${i}]`, hosts.length === 0));
    tls.forEach((route, i) => VirtualServiceRules.validateTlsRoute(ctx, record(route), `spec.tls[${i}]`, hosts, appliesToGateway));
    tcp.forEach((route, i) => VirtualServiceRules.validateTcpRoute(ctx, record(route), `spec.tcp[${i}]`));

    MetadataRules.validateExportTo(ctx, { serviceEntry: false, drWithSelector: false });
    VirtualServiceRules.analyzeUnreachable(ctx, http, 'spec.http');
    VirtualServiceRules.analyzeUnreachable(ctx, tcp, 'spec.tcp');
    VirtualServiceRules.analyzeUnreachable(ctx, tls, 'spec.tls');
  }

  /** `validateGatewayNames`, including its quirk: it stops at the first entry without a `/`. */
  private static validateGatewayNames(ctx: RuleContext, gateways: string[], path: string): void {
    for (let i = 0; i < gateways.length; i++) {
      const name = gateways[i];
      const slash = name.indexOf('/');
      if (slash < 0) {
        if (name.includes('.')) {
          const parts = name.split('.');
          ctx.report.warning(`${path}[${i}]`, 'IST-VS-GATEWAY-NAME',
            `using legacy gatewayName format ${JSON.stringify(name)}; prefer the <namespace>/<name> format: "${parts[1]}/${parts[0]}"`);
        }
        const error = Names.fqdnError(name);
        if (error) ctx.report.error(`${path}[${i}]`, 'IST-VS-GATEWAY-NAME', `${error}; use <namespace>/<gateway name>`);
        return;
      }
      const namespace = name.slice(0, slash);
      const gateway = name.slice(slash + 1);
      if (namespace === '' || gateway === '') {
        ctx.report.error(`${path}[${i}]`, 'IST-VS-GATEWAY-NAME', 'config namespace and gateway name cannot be empty');
      }
      if (!Names.isIstioDnsLabel(namespace)) {
        ctx.report.error(`${path}[${i}]`, 'IST-VS-GATEWAY-NAME', `invalid value for namespace: ${JSON.stringify(namespace)} (must be a DNS-1123 label)`);
      }
      if (!Names.isIstioDnsLabel(gateway)) {
        ctx.report.error(`${path}[${i}]`, 'IST-VS-GATEWAY-NAME',
          `invalid value for gateway name: ${JSON.stringify(gateway)}; a gateway reference is <namespace>/<name> where name is the `
          + `Gateway's metadata.name${gateway.includes('.') ? ` (did you mean "${namespace}/${gateway.split('.')[0]}"?)` : ''}`);
      }
    }
  }

  private static validateHttpRoute(ctx: RuleContext, route: Record<string, any>, path: string, delegateVs: boolean): void {
    const hasRoute = list(route.route).length > 0;
    const hasRedirect = route.redirect !== undefined && route.redirect !== null;
    const hasDirect = route.directResponse !== undefined && route.directResponse !== null;
    const hasDelegate = route.delegate !== undefined && route.delegate !== null;
    if (hasDelegate && !delegateVs) {
      if (hasRedirect) ctx.report.error(`${path}.redirect`, 'IST-VS-HTTP-ACTION', 'root HTTP route must not specify redirect next to delegate');
      if (route.route !== undefined) ctx.report.error(`${path}.route`, 'IST-VS-HTTP-ACTION', 'root HTTP route must not specify route next to delegate');
    } else {
      if (delegateVs && hasDelegate) ctx.report.error(`${path}.delegate`, 'IST-VS-DELEGATE', 'delegate HTTP route cannot contain delegate');
      const actions = [hasRoute && 'route', hasRedirect && 'redirect', hasDirect && 'directResponse'].filter(Boolean);
      if (actions.length === 0) {
        ctx.report.error(path, 'IST-VS-HTTP-ACTION', 'HTTP route, redirect or directResponse is required: add route[] with a destination');
      } else if (actions.length > 1) {
        ctx.report.error(path, 'IST-VS-HTTP-ACTION', `HTTP route cannot contain both ${actions.join(' and ')}; keep exactly one`);
      }
      for (const [action, present_] of [['redirect', hasRedirect], ['directResponse', hasDirect]] as const) {
        if (!present_) continue;
        if (route.rewrite !== undefined) ctx.report.error(`${path}.rewrite`, 'IST-VS-HTTP-ACTION', `HTTP route cannot contain both rewrite and ${action}`);
        if (route.fault !== undefined) ctx.report.error(`${path}.fault`, 'IST-VS-HTTP-ACTION', `HTTP route cannot contain both fault and ${action}`);
      }
    }
    if (route.mirror !== undefined && route.mirrors !== undefined) {
      ctx.report.error(`${path}.mirrors`, 'IST-VS-MIRROR', 'HTTP route cannot contain both mirror and mirrors; use mirrors only');
    }

    list(route.match).forEach((raw, j) => {
      const match = record(raw);
      const mpath = `${path}.match[${j}]`;
      for (const [name, header] of Object.entries(record(match.headers))) {
        VirtualServiceRules.validateHeaderName(ctx, name, `${mpath}.headers`);
        VirtualServiceRules.validateStringMatch(ctx, header, `${mpath}.headers[${name}]`);
      }
      for (const field of ['uri', 'scheme', 'method', 'authority']) {
        if (match[field] !== undefined) VirtualServiceRules.validateStringMatch(ctx, match[field], `${mpath}.${field}`, field === 'uri');
      }
      for (const [name, qp] of Object.entries(record(match.queryParams))) {
        VirtualServiceRules.validateStringMatch(ctx, qp, `${mpath}.queryParams[${name}]`);
      }
      VirtualServiceRules.validateMatchCommon(ctx, match, mpath);
    });

    VirtualServiceRules.validateHeaderOperations(ctx, route.headers, `${path}.headers`);
    VirtualServiceRules.validateAuthorityRewrite(ctx, route, path);

    if (route.redirect !== undefined) {
      const redirect = record(route.redirect);
      if (!present(redirect.uri) && !present(redirect.authority) && redirect.port === undefined && !present(redirect.scheme)
        && redirect.derivePort === undefined) {
        ctx.report.error(`${path}.redirect`, 'IST-VS-REDIRECT', 'redirect must specify URI, authority, scheme, or port');
      }
      const code = num(redirect.redirectCode);
      if (code !== 0 && (code < 300 || code > 399)) {
        ctx.report.error(`${path}.redirect.redirectCode`, 'IST-VS-REDIRECT', `${code} is not a valid redirect code, must be 3xx`);
      }
      if (present(redirect.scheme) && redirect.scheme !== 'http' && redirect.scheme !== 'https') {
        ctx.report.error(`${path}.redirect.scheme`, 'IST-VS-REDIRECT', 'invalid redirect scheme, must be "http" or "https"');
      }
    }
    if (route.rewrite !== undefined) {
      const rewrite = record(route.rewrite);
      if (present(rewrite.uri) && rewrite.uriRegexRewrite !== undefined) {
        ctx.report.error(`${path}.rewrite`, 'IST-VS-REWRITE', 'rewrite may only contain one of uri or uriRegexRewrite');
      }
      if (!present(rewrite.uri) && rewrite.uriRegexRewrite === undefined && !present(rewrite.authority)) {
        ctx.report.error(`${path}.rewrite`, 'IST-VS-REWRITE', 'rewrite must specify at least one of uri, uriRegexRewrite, or authority');
      }
      if (rewrite.uriRegexRewrite !== undefined) {
        const rr = record(rewrite.uriRegexRewrite);
        if (!present(rr.match) || !present(rr.rewrite)) {
          ctx.report.error(`${path}.rewrite.uriRegexRewrite`, 'IST-VS-REWRITE', 'uriRegexRewrite requires both rewrite and match fields to be specified');
        } else {
          VirtualServiceRules.validateRegex(ctx, text(rr.match), `${path}.rewrite.uriRegexRewrite.match`);
        }
      }
    }
    if (route.retries !== undefined) {
      const retries = record(route.retries);
      const attempts = num(retries.attempts);
      if (attempts < 0) ctx.report.error(`${path}.retries.attempts`, 'IST-VS-RETRY', 'attempts cannot be negative');
      if (attempts === 0 && (retries.perTryTimeout !== undefined || present(retries.retryOn) || retries.retryRemoteLocalities !== undefined)) {
        ctx.report.error(`${path}.retries`, 'IST-VS-RETRY',
          'http retry policy configured when attempts are set to 0 (disabled): set attempts ≥1 or drop perTryTimeout/retryOn');
      }
      if (present(retries.retryOn)) {
        for (const policy of text(retries.retryOn).split(',')) {
          if (!RETRY_ON.has(policy) && !(/^[0-9]+$/.test(policy) && HTTP_STATUS_CODES.has(Number(policy)))) {
            ctx.report.error(`${path}.retries.retryOn`, 'IST-VS-RETRY', `${JSON.stringify(policy)} is not a valid retryOn policy`);
          }
        }
      }
    }
    if (route.fault !== undefined) {
      const fault = record(route.fault);
      if (fault.abort === undefined && fault.delay === undefined) {
        ctx.report.error(`${path}.fault`, 'IST-VS-FAULT', 'HTTP fault injection must have an abort and/or a delay');
      }
      const status = record(fault.abort).httpStatus;
      if (typeof status === 'number' && (status < 200 || status > 600)) {
        ctx.report.error(`${path}.fault.abort.httpStatus`, 'IST-VS-FAULT', `HTTP status ${status} is not in range 200-599`);
      }
    }
    if (route.directResponse !== undefined) {
      const status = num(record(route.directResponse).status);
      if (status < 200 || status > 600) {
        ctx.report.error(`${path}.directResponse.status`, 'IST-VS-HTTP-ACTION', `HTTP status ${status} is not in range 200-599`);
      }
    }
    const mirrorPercentage = record(route.mirrorPercentage).value;
    if (typeof mirrorPercentage === 'number' && (mirrorPercentage < 0 || mirrorPercentage > 100)) {
      ctx.report.error(`${path}.mirrorPercentage`, 'IST-VS-MIRROR', `mirrorPercentage must be within 0..100 (it has ${mirrorPercentage})`);
    }
    if (route.mirror !== undefined) VirtualServiceRules.validateDestination(ctx, route.mirror, `${path}.mirror`);
    list(route.mirrors).forEach((m, k) => VirtualServiceRules.validateDestination(ctx, record(m).destination, `${path}.mirrors[${k}].destination`));
    VirtualServiceRules.validateDestinations(ctx, list(route.route), `${path}.route`, true);
  }

  private static validateTlsRoute(ctx: RuleContext, route: Record<string, any>, path: string, hosts: string[], appliesToGateway: boolean): void {
    const matches = list(route.match);
    if (matches.length === 0) {
      ctx.report.error(`${path}.match`, 'IST-VS-TLS-MATCH', 'TLS route must have at least one match condition with sniHosts');
    }
    matches.forEach((raw, j) => {
      const match = record(raw);
      const mpath = `${path}.match[${j}]`;
      const snis = list(match.sniHosts).map(text);
      if (snis.length === 0) {
        ctx.report.error(`${mpath}.sniHosts`, 'IST-VS-TLS-MATCH',
          `TLS match must have at least one SNI host: add sniHosts (e.g. [${hosts.map(h => JSON.stringify(h)).join(', ')}])`);
      }
      snis.forEach((sni, k) => {
        const error = Names.wildcardDomainError(sni);
        if (error && !(appliesToGateway && /^outbound_\.[0-8]/.test(sni))) {
          if (Names.isIpAddress(sni)) {
            ctx.report.warning(`${mpath}.sniHosts[${k}]`, 'IST-VS-SNI-HOST',
              `using an IP address (${JSON.stringify(sni)}) goes against SNI spec and most clients do not support this`);
          } else {
            ctx.report.error(`${mpath}.sniHosts[${k}]`, 'IST-VS-SNI-HOST', error);
          }
          return;
        }
        if (!hosts.some(h => Names.hostSubsetOf(sni, h))) {
          ctx.report.error(`${mpath}.sniHosts[${k}]`, 'IST-VS-SNI-HOST',
            `SNI host ${JSON.stringify(sni)} is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]; `
            + 'add it to spec.hosts or narrow the SNI host');
        }
      });
      VirtualServiceRules.validateL4Match(ctx, match, mpath);
    });
    if (list(route.route).length === 0) ctx.report.error(`${path}.route`, 'IST-VS-TLS-ROUTE-MISSING', 'TLS route is required: add route[] with a destination');
    VirtualServiceRules.validateDestinations(ctx, list(route.route), `${path}.route`, false);
  }

  private static validateTcpRoute(ctx: RuleContext, route: Record<string, any>, path: string): void {
    list(route.match).forEach((m, j) => VirtualServiceRules.validateL4Match(ctx, record(m), `${path}.match[${j}]`));
    if (list(route.route).length === 0) ctx.report.error(`${path}.route`, 'IST-VS-TCP-ROUTE-MISSING', 'TCP route is required: add route[] with a destination');
    VirtualServiceRules.validateDestinations(ctx, list(route.route), `${path}.route`, false);
  }

  private static validateL4Match(ctx: RuleContext, match: Record<string, any>, path: string): void {
    list(match.destinationSubnets).forEach((subnet, k) => {
      if (!Names.isIpOrCidr(text(subnet))) {
        ctx.report.error(`${path}.destinationSubnets[${k}]`, 'IST-VS-MATCH', `${JSON.stringify(subnet)} is not a valid IP or CIDR block`);
      }
    });
    VirtualServiceRules.validateMatchCommon(ctx, match, path);
  }

  /** Port, source labels, source namespace and gateways of any match. */
  private static validateMatchCommon(ctx: RuleContext, match: Record<string, any>, path: string): void {
    const port = num(match.port);
    if (port !== 0 && (port < 1 || port > 65535)) {
      ctx.report.error(`${path}.port`, 'IST-VS-MATCH', `port number ${port} must be in the range 1..65535`);
    }
    for (const [key, value] of Object.entries(record(match.sourceLabels))) {
      const error = Names.labelKeyError(key) ?? Names.labelValueError(text(value));
      if (error) ctx.report.error(`${path}.sourceLabels[${key}]`, 'IST-VS-MATCH', `invalid label ${key}=${value}: ${error}`);
    }
    if (present(match.sourceNamespace) && !Names.isIstioDnsLabel(text(match.sourceNamespace))) {
      ctx.report.error(`${path}.sourceNamespace`, 'IST-VS-MATCH', `sourceNamespace match ${match.sourceNamespace} is invalid (must be a DNS-1123 label)`);
    }
    const gateways = list(match.gateways).map(text);
    if (gateways.length > 0) VirtualServiceRules.validateGatewayNames(ctx, gateways, `${path}.gateways`);
  }

  private static validateDestinations(ctx: RuleContext, routes: any[], path: string, http: boolean): void {
    let total = 0;
    routes.forEach((raw, k) => {
      const route = record(raw);
      if (route.destination === undefined) {
        ctx.report.error(`${path}[${k}].destination`, 'IST-VS-DESTINATION', 'destination is required');
      } else {
        VirtualServiceRules.validateDestination(ctx, route.destination, `${path}[${k}].destination`);
      }
      if (http) VirtualServiceRules.validateHeaderOperations(ctx, route.headers, `${path}[${k}].headers`);
      const weight = num(route.weight);
      if (weight < 0) ctx.report.error(`${path}[${k}].weight`, 'IST-VS-WEIGHT', `weight ${weight} < 0`);
      total += weight;
    });
    if (routes.length > 1 && total === 0) {
      ctx.report.error(path, 'IST-VS-WEIGHT', 'total destination weight = 0: give at least one destination a positive weight');
    }
  }

  private static validateDestination(ctx: RuleContext, value: unknown, path: string): void {
    if (value === undefined || value === null) return;
    const destination = record(value);
    const host = text(destination.host);
    if (host === '*') {
      ctx.report.error(`${path}.host`, 'IST-VS-DESTINATION', 'invalid destination host *: route to a concrete service host');
    } else {
      const error = Names.wildcardDomainError(host);
      if (error) ctx.report.error(`${path}.host`, 'IST-VS-DESTINATION', error);
    }
    if (destination.subset !== undefined) {
      const subset = text(destination.subset);
      if (subset === '') {ctx.report.error(`${path}.subset`, 'IST-VS-DESTINATION', 'subset name cannot be empty');} else if (!Names.isIstioDnsLabel(subset)) {
        ctx.report.error(`${path}.subset`, 'IST-VS-DESTINATION', `subset name is invalid: ${subset} (must be a DNS-1123 label, no dots)`);
      }
    }
    if (destination.port !== undefined) {
      const number = num(record(destination.port).number);
      if (number < 1 || number > 65535) {
        ctx.report.error(`${path}.port.number`, 'IST-VS-DESTINATION', `port number ${number} must be in the range 1..65535`);
      }
    }
  }

  private static validateHeaderOperations(ctx: RuleContext, value: unknown, path: string): void {
    if (value === undefined) return;
    const headers = record(value);
    for (const side of ['request', 'response'] as const) {
      const ops = record(headers[side]);
      for (const op of ['add', 'set'] as const) {
        for (const [name, headerValue] of Object.entries(record(ops[op]))) {
          const nameError = side === 'request' ? headerWithAuthorityError(name) : headerOperationError(name);
          if (nameError) ctx.report.error(`${path}.${side}.${op}[${name}]`, 'IST-VS-HEADER', nameError);
          const valueError = headerValueError(text(headerValue));
          if (valueError) ctx.report.error(`${path}.${side}.${op}[${name}]`, 'IST-VS-HEADER', valueError);
        }
      }
      list(ops.remove).forEach((name, k) => {
        const error = headerOperationError(text(name));
        if (error) ctx.report.error(`${path}.${side}.remove[${k}]`, 'IST-VS-HEADER', error);
      });
    }
  }

  /** `validateAuthorityRewrite`: the authority may be rewritten in one place only. */
  private static validateAuthorityRewrite(ctx: RuleContext, route: Record<string, any>, path: string): void {
    const request = record(record(route.headers).request);
    let sources = present(record(route.rewrite).authority) ? 1 : 0;
    for (const op of ['set', 'add']) {
      for (const name of Object.keys(record(request[op]))) {
        if (isAuthorityHeader(name)) sources++;
      }
    }
    if (sources > 1) {
      ctx.report.error(`${path}.headers.request`, 'IST-VS-HEADER', 'authority header cannot be set multiple times: use one of rewrite.authority or a single :authority/host header');
    }
  }

  private static validateHeaderName(ctx: RuleContext, name: string, path: string): void {
    if (name === '') {ctx.report.error(path, 'IST-VS-HEADER', 'header name cannot be empty');} else if (!name.startsWith('@request.auth.claims') && !/^[-_A-Za-z0-9]+$/.test(name)) {
      ctx.report.error(`${path}[${name}]`, 'IST-VS-HEADER', `header name ${name} is not a valid header name`);
    }
  }

  private static validateStringMatch(ctx: RuleContext, value: unknown, path: string, allowEmptyPrefix = false): void {
    const match = record(value);
    if ('prefix' in match && text(match.prefix) === '' && !allowEmptyPrefix) {
      ctx.report.error(`${path}.prefix`, 'IST-VS-STRING-MATCH', 'prefix string match should not be empty; omit the match to match everything');
    }
    if ('regex' in match) {
      if (text(match.regex) === '') ctx.report.error(`${path}.regex`, 'IST-VS-STRING-MATCH', 'regex string match should not be empty');
      else VirtualServiceRules.validateRegex(ctx, text(match.regex), `${path}.regex`);
    }
  }

  private static validateRegex(ctx: RuleContext, regex: string, path: string): void {
    if (regex.length > 1024) {
      ctx.report.error(path, 'IST-VS-STRING-MATCH', 'regex is too large, max length allowed is 1024');
      return;
    }
    try {
      // RE2 is close to (a subset of) JavaScript's syntax; lookarounds and backreferences are the usual offenders.
      if (/\(\?[=!<]|\\[1-9]/.test(regex)) throw new Error('lookarounds and backreferences are not supported by RE2');
      new RegExp(regex, 'u');
    } catch (e: any) {
      ctx.report.error(path, 'IST-VS-STRING-MATCH', `invalid regex ${JSON.stringify(regex)}: ${e.message}; Istio uses RE2 syntax`);
    }
  }

  /** `analyzeUnreachable*Rules`: a catch-all rule before others, or a rule whose matches all repeat earlier ones. */
  private static analyzeUnreachable(ctx: RuleContext, routes: any[], path: string): void {
    const seen = new Map<string, number>();
    let catchAll = -1;
    routes.forEach((raw, i) => {
      const route = record(raw);
      const matches = list(route.match);
      const name = typeof route.name === 'string' && route.name !== '' ? JSON.stringify(route.name) : `#${i}`;
      if (matches.length === 0) {
        if (catchAll >= 0) {
          ctx.report.warning(`${path}[${i}]`, 'IST-VS-UNREACHABLE', `virtualService rule ${name} not used (only the last rule can have no matches)`);
        }
        catchAll = i;
        return;
      }
      let duplicates = 0;
      matches.forEach((m, j) => {
        const { name: _ignored, ...rest } = record(m);
        const key = stableJson(rest);
        const first = seen.get(key);
        if (first !== undefined) {
          duplicates++;
          ctx.report.warning(`${path}[${i}].match[${j}]`, 'IST-VS-INEFFECTIVE-MATCH',
            `virtualService rule ${name} match #${j} is not used (duplicate/overlapping match in rule #${first})`);
        } else {
          seen.set(key, i);
        }
      });
      if (duplicates === matches.length) {
        ctx.report.warning(`${path}[${i}]`, 'IST-VS-UNREACHABLE', `virtualService rule ${name} not used (all matches used by prior rules)`);
      }
    });
  }
}

function isAuthorityHeader(name: string): boolean {
  return name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';
}

function headerWithAuthorityError(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if ((name.startsWith(':') || name.toLowerCase() === 'host') && !isAuthorityHeader(name)) {
    return `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix`;
  }
  return undefined;
}

function headerOperationError(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${JSON.stringify(name)}: cannot set Host header; use rewrite.authority`;
  if (name.startsWith(':')) return `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix`;
  return undefined;
}

/** `ValidateHTTPHeaderValue`: no control characters, `%` only in `%VAR%` pairs or `%%`. */
function headerValueError(value: string): string | undefined {
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return `header value configuration ${JSON.stringify(value)} is invalid (control characters)`;
  const stripped = value.replace(/%%/g, '').replace(/%[A-Za-z_][A-Za-z0-9_]*(\([^)%]*\))?(:[0-9]+)?%/g, '');
  if (stripped.includes('%')) return `header value configuration ${JSON.stringify(value)}: invalid use of %; write %% for a literal percent sign`;
  return undefined;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${stableJson((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
