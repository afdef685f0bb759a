import { Ip } from './ip';

/**
 * Name, host and address syntax shared by the Kubernetes and Istio rules, mirroring
 * `k8s.io/apimachinery/pkg/util/validation` and istio's `pkg/config/validation/agent`: shared by the constructs and
 * the validator. Internal.
 */
export class Names {
  /** RFC 1123 label: lower-case alphanumerics and `-`, at most 63 characters, alphanumeric at both ends. */
  public static isDns1123Label(s: string): boolean {
    return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
  }

  /** RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
  public static isDns1123Subdomain(s: string): boolean {
    return s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
  }

  /** istio's `labels.IsDNS1123Label`, which (unlike Kubernetes') also admits upper case. */
  public static isIstioDnsLabel(s: string): boolean {
    return isLabel(s);
  }

  /** IANA service name (container port names, named target ports): ≤15 characters, a letter, no `--`. */
  public static isIanaServiceName(s: string): boolean {
    return s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes('--');
  }

  /** Label key: an optional DNS-subdomain prefix and `/`, then a name of ≤63 alphanumerics, `-`, `_`, `.`. */
  public static labelKeyError(key: string): string | undefined {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !Names.isDns1123Subdomain(prefix)) {
      return `prefix ${JSON.stringify(prefix)} must be a DNS-1123 subdomain (lower-case alphanumerics, '-' and '.')`;
    }
    if (name.length === 0) return 'name part must be non-empty';
    if (name.length > 63) return `name part must be no more than 63 characters (got ${name.length})`;
    if (!/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) {
      return "name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric";
    }
    return undefined;
  }

  /** Label value: empty, or ≤63 alphanumerics, `-`, `_`, `.`, alphanumeric at both ends. */
  public static labelValueError(value: string): string | undefined {
    if (value.length > 63) return `must be no more than 63 characters (got ${value.length})`;
    if (value !== '' && !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(value)) {
      return "must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric";
    }
    return undefined;
  }

  /** A TCP/UDP port number: an integer from 1 to 65535. */
  public static isPortNumber(n: number): boolean {
    return Number.isInteger(n) && n >= 1 && n <= 65535;
  }

  /** An HTTP header name as sent on the wire by HTTP/2 (a lower-case token); pseudo-headers (`:path`) are not. */
  public static isHttpHeaderName(s: string): boolean {
    return /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(s);
  }

  /** An IPv4 or IPv6 address. */
  public static isIpAddress(s: string): boolean {
    return Ip.isAddress(s);
  }

  /** An address or a CIDR block (istio `ValidateIPSubnet`). */
  public static isIpOrCidr(s: string): boolean {
    return Ip.isAddressOrCidr(s);
  }

  /** istio `ValidateFQDN`: non-empty, ≤255, DNS labels, top-level label not all-numeric, optional trailing dot. */
  public static fqdnError(host: string): string | undefined {
    const pre = preconditions(host);
    if (pre) return pre;
    return labelsError(host);
  }

  /** istio `ValidateWildcardDomain`: an FQDN whose first label may be `*`, `*x` or `*-x` (a wildcard prefix). */
  public static wildcardDomainError(host: string): string | undefined {
    const pre = preconditions(host);
    if (pre) return pre;
    const dot = host.indexOf('.');
    const first = dot < 0 ? host : host.slice(0, dot);
    if (!isWildcardLabel(first)) return `domain name ${JSON.stringify(host)} invalid (label ${JSON.stringify(first)} invalid)`;
    return dot < 0 ? undefined : labelsError(host.slice(dot + 1), host);
  }

  /** istio `ValidatePartialWildCard`: a `*` anywhere but as the whole first label. */
  public static isPartialWildcard(host: string): boolean {
    return host.includes('*') && host !== '*' && !host.startsWith('*.');
  }

  /** istio `host.Name.Matches`: the two hosts overlap (exactly, or through a leading wildcard on either side). */
  public static hostsOverlap(a: string, b: string): boolean {
    const aw = a.startsWith('*');
    const bw = b.startsWith('*');
    if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    if (aw) return b.endsWith(a.slice(1));
    if (bw) return a.endsWith(b.slice(1));
    return a === b;
  }

  /** istio `host.Name.SubsetOf`: every name matched by `a` is matched by `b`. */
  public static hostSubsetOf(a: string, b: string): boolean {
    const aw = a.startsWith('*');
    const bw = b.startsWith('*');
    if (aw && bw) return a.length >= b.length && a.slice(1).endsWith(b.slice(1));
    if (aw) return false;
    if (bw) return a.endsWith(b.slice(1));
    return a === b;
  }
}

function preconditions(host: string): string | undefined {
  if (host.length === 0) return 'empty domain name not allowed';
  if (host.length > 255) return `domain name ${JSON.stringify(host)} too long (max 255)`;
  return undefined;
}

/** istio `ValidateDNS1123Labels`; `whole` names the full host in the message. */
function labelsError(domain: string, whole: string = domain): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1];
  if (/^[+-]?[0-9]+$/.test(tld)) {
    return `domain name ${JSON.stringify(whole)} invalid (top level domain ${JSON.stringify(tld)} cannot be all-numeric)`;
  }
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (!isLabel(parts[i])) return `domain name ${JSON.stringify(whole)} invalid (label ${JSON.stringify(parts[i])} invalid)`;
  }
  return undefined;
}

/** istio's DNS-1123 label: its regexp admits upper case. */
function isLabel(s: string): boolean {
  return s.length <= 63 && /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(s);
}

/** istio `labels.IsWildcardDNS1123Label`: `*`, or a label optionally prefixed by `*` or `*-`. */
function isWildcardLabel(s: string): boolean {
  if (s === '*') return true;
  const rest = s.startsWith('*-') ? s.slice(2) : s.startsWith('*') ? s.slice(1) : s;
  return s.length <= 63 && isLabel(rest);
}
