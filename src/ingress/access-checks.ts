import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { Ip } from '../private/ip';
import { Names } from '../private/names';

// Internal: the checks of edge access rules and JWT requirements.

/** Throws, naming `owner`, when an access rule cannot match as written. */
export function checkAccessRule(owner: string, rule: IngressAccessRule): void {
  const lists = { hosts: rule.hosts, paths: rule.paths, methods: rule.methods, sourceCidrs: rule.sourceCidrs, ports: rule.ports };
  for (const [what, list] of Object.entries(lists)) {
    if (list?.length === 0) throw new Error(`${owner}: access rule ${what} [] would admit nothing; leave it out to admit any`);
  }
  if (!rule.hosts && !rule.paths && !rule.methods && !rule.sourceCidrs && !rule.ports) {
    throw new Error(`${owner}: an access rule with no condition admits every request, which is what the gateway does `
      + 'without rules; give hosts, paths, methods, ports or sourceCidrs');
  }
  for (const port of rule.ports ?? []) {
    if (!Names.isPortNumber(port)) throw new Error(`${owner}: access rule port ${port} is not a port number (1-65535)`);
  }
  for (const host of rule.hosts ?? []) {
    if (!Names.isDns1123Subdomain(host.replace(/^\*\./, ''))) throw new Error(`${owner}: access rule host '${host}' is not a host name`);
  }
  checkPolicyPaths(owner, 'access rule', rule.paths);
  for (const method of rule.methods ?? []) {
    if (!/^[A-Z]+$/.test(method)) throw new Error(`${owner}: access rule method '${method}' is not an upper-case HTTP method such as GET`);
  }
  for (const cidr of rule.sourceCidrs ?? []) {
    if (!Ip.isAddressOrCidr(cidr)) throw new Error(`${owner}: access rule source '${cidr}' is not an IP address or CIDR`);
  }
}

/** Throws, naming `owner`, when a JWT requirement cannot work. */
export function checkJwtRule(owner: string, rule: IngressJwtRule): void {
  if (rule.issuer.trim().length === 0) throw new Error(`${owner}: a JWT rule needs an issuer`);
  let url: URL | undefined;
  try {
    url = new URL(rule.jwksUri);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw new Error(`${owner}: jwksUri '${rule.jwksUri}' must be an https:// URL (keys fetched in clear text could be forged)`);
  }
  if (rule.audiences?.length === 0) throw new Error(`${owner}: JWT audiences [] would admit no token; leave it out to admit any audience`);
  if (rule.paths?.length === 0) throw new Error(`${owner}: JWT paths [] would require a token nowhere; leave it out to require one everywhere`);
  checkPolicyPaths(owner, 'JWT rule', rule.paths);
}

/** AuthorizationPolicy paths: exact, `prefix*`, `*suffix` or `*` (istiod rejects a `*` anywhere else). */
function checkPolicyPaths(owner: string, what: string, paths: string[] | undefined): void {
  for (const path of paths ?? []) {
    const inner = path.replace(/^\*/, '').replace(/\*$/, '');
    if (path !== '*' && (inner.includes('*') || (!path.startsWith('/') && !path.startsWith('*')) || /[\s?#]/.test(path))) {
      throw new Error(`${owner}: ${what} path '${path}' must be exact ('/status'), a prefix ('/status/*'), a suffix ('*.js') `
        + 'or \'*\', starting with \'/\' unless it starts with \'*\'');
    }
  }
}

/**
 * Whether two AuthorizationPolicy path lists (undefined: every path) could match one request path: exact, prefix
 * (`/a/*`), suffix (`*.js`) and `*` forms. Conservative where a prefix meets a suffix.
 */
export function pathsOverlap(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some(x => b.some(y => pathPairOverlaps(x, y)));
}

function pathPairOverlaps(a: string, b: string): boolean {
  if (a === '*' || b === '*') return true;
  const form = (p: string) => (p.endsWith('*') ? 'prefix' : p.startsWith('*') ? 'suffix' : 'exact');
  const core = (p: string) => p.replace(/^\*|\*$/g, '');
  const [fa, fb, ca, cb] = [form(a), form(b), core(a), core(b)];
  if (fa === 'exact' && fb === 'exact') return ca === cb;
  if (fa === 'exact') return fb === 'prefix' ? ca.startsWith(cb) : ca.endsWith(cb);
  if (fb === 'exact') return fa === 'prefix' ? cb.startsWith(ca) : cb.endsWith(ca);
  if (fa === 'prefix' && fb === 'prefix') return ca.startsWith(cb) || cb.startsWith(ca);
  if (fa === 'suffix' && fb === 'suffix') return ca.endsWith(cb) || cb.endsWith(ca);
  return true;
}
