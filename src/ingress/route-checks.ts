import { IngressActionKind } from './ingress-action';
import { IngressMatchKind } from './ingress-match';
import type { IngressRuleOptions } from './ingress-route';
import { Names } from '../private/names';
import { ObjectNames } from '../private/object-names';
import { checkDuration, checkHeaderChanges } from '../render/istio/request-shaping';

// Internal: the checks shared by HTTP and passthrough routes, and of a rule's options.

/** The VirtualService name of a route: `name`, else its construct id made a name. */
export function routeName(owner: string, id: string, name: string | undefined): string {
  const chosen = name ?? ObjectNames.subdomain(id);
  if (!Names.isDns1123Subdomain(chosen)) {
    throw new Error(`${owner}: name '${chosen}' is not a DNS-1123 subdomain; it names the VirtualService`);
  }
  return chosen;
}

/** Route hosts: DNS names, `*.domain` wildcards, or `*` when every host is meant (the seed's bookinfo route). */
export function checkRouteHosts(owner: string, hosts: string[]): void {
  if (hosts.length === 0) throw new Error(`${owner}: a route needs at least one host; '*' serves every host, when meant`);
  for (const host of hosts) {
    if (host !== '*' && Names.fqdnError(host.replace(/^\*\./, 'wildcard.')) !== undefined) {
      throw new Error(`${owner}: route host '${host}' is not a host name (write 'bookinfo.example.com' or '*.example.com')`);
    }
    if (host !== host.toLowerCase()) throw new Error(`${owner}: route host '${host}' has upper-case letters; use lower case`);
  }
  if (new Set(hosts).size !== hosts.length) throw new Error(`${owner}: route hosts list a host twice (${hosts.join(', ')})`);
}

export function checkRuleOptions(owner: string, options: IngressRuleOptions): void {
  const action = options.action;
  action.check(owner);
  if (action.kind !== IngressActionKind.FORWARD) {
    const forwardOnly = (['rewrite', 'timeout', 'retries', 'requestHeaders'] as const).filter(k => options[k] !== undefined);
    if (forwardOnly.length > 0) {
      throw new Error(`${owner}: ${forwardOnly.join(', ')} cannot be combined with a ${action.kind === IngressActionKind.REDIRECT ? 'redirect' : 'direct response'} `
        + `(${action.kind === IngressActionKind.REDIRECT ? 'Istio rejects a rewrite with a redirect' : 'nothing is forwarded'}); use IngressAction.forward`);
    }
  }
  if (options.rewrite) {
    const { path, host } = options.rewrite;
    if (path === undefined && host === undefined) throw new Error(`${owner}: rewrite changes nothing; give a path or a host`);
    if (path !== undefined && !path.startsWith('/')) throw new Error(`${owner}: rewrite path '${path}' must start with '/'`);
    if (host !== undefined && !Names.isDns1123Subdomain(host)) throw new Error(`${owner}: rewrite host '${host}' is not a host name`);
  }
  if (options.responseHeaders) checkHeaderChanges(owner, 'responseHeaders', options.responseHeaders);
  const cors = options.cors;
  if (cors) {
    if (cors.allowOrigins.length === 0) throw new Error(`${owner}: cors.allowOrigins [] allows no origin; list the origins allowed`);
    cors.allowOrigins.forEach(origin => origin.check(owner, 'cors origin'));
    checkDuration(owner, 'cors.maxAge', cors.maxAge);
    if (cors.allowCredentials && cors.allowOrigins.some(o => o.kind === IngressMatchKind.EXACT && o.value === '*')) {
      throw new Error(`${owner}: cors allows credentials from origin '*', which browsers refuse; list the origins`);
    }
  }
}
