import * as security from '../../../imports/security.istio.io';
import { canonical } from '../../private/collections';

/** An edge access rule with the pod ports it applies to resolved. */
export interface AccessRuleIntent {
  readonly hosts?: string[];
  readonly paths?: string[];
  readonly methods?: string[];
  readonly sourceCidrs?: string[];
  /** The pod ports the rule applies to; undefined for every port. */
  readonly podPorts?: number[];
}

/** A JWT requirement as declared. */
export interface JwtRuleIntent {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences?: string[];
  readonly paths?: string[];
  readonly forwardOriginalToken?: boolean;
}

/** Requirements with the same paths, whose issuers each satisfy them. */
export interface JwtPathGroup {
  /** The paths that need a token; undefined for every path. */
  readonly paths?: string[];
  readonly issuers: string[];
}

/**
 * The ALLOW rules of an ingress gateway: one per access rule, and one admitting every request on `openPodPorts`
 * (ports whose listeners only redirect to HTTPS, which must stay reachable or the redirect becomes a 403).
 */
export function renderAccessRules(rules: AccessRuleIntent[], openPodPorts: number[]): security.AuthorizationPolicySpecRules[] {
  const rendered = rules.map((rule): security.AuthorizationPolicySpecRules => {
    const operation = {
      hosts: sortedSet(rule.hosts), paths: sortedSet(rule.paths), methods: sortedSet(rule.methods), ports: portStrings(rule.podPorts),
    };
    return {
      from: rule.sourceCidrs && [{ source: { remoteIpBlocks: sortedSet(rule.sourceCidrs) } }],
      to: Object.values(operation).some(v => v !== undefined) ? [{ operation }] : undefined,
    };
  });
  if (openPodPorts.length > 0) rendered.push({ to: [{ operation: { ports: portStrings(openPodPorts) } }] });
  return canonical(rendered);
}

/** The RequestAuthentication's rules, by issuer. */
export function renderJwtRules(rules: JwtRuleIntent[]): security.RequestAuthenticationSpecJwtRules[] {
  return [...rules].sort((a, b) => a.issuer.localeCompare(b.issuer)).map(r => ({
    issuer: r.issuer,
    jwksUri: r.jwksUri,
    audiences: sortedSet(r.audiences),
    forwardOriginalToken: r.forwardOriginalToken,
  }));
}

/** The requirements grouped by their paths, each group with its issuers, in a canonical order. */
export function jwtPathGroups(rules: JwtRuleIntent[]): JwtPathGroup[] {
  const groups = new Map<string, { paths?: string[]; issuers: string[] }>();
  for (const rule of rules) {
    const paths = sortedSet(rule.paths);
    const key = JSON.stringify(paths ?? null);
    const group = groups.get(key) ?? { paths, issuers: [] };
    group.issuers.push(rule.issuer);
    groups.set(key, group);
  }
  return [...groups.keys()].sort().map(key => ({ paths: groups.get(key)!.paths, issuers: [...groups.get(key)!.issuers].sort() }));
}

/**
 * The DENY rules that make a token required: per path group, requests whose principal (`<iss>/<sub>`) is from none
 * of the group's issuers. With HTTP attributes only, a DENY rule would also deny every TCP connection in its scope,
 * so each is limited to `httpPodPorts`, where the gateway sees HTTP.
 */
export function renderJwtDenyRules(groups: JwtPathGroup[], httpPodPorts: number[]): security.AuthorizationPolicySpecRules[] {
  return groups.map(group => ({
    from: [{ source: { notRequestPrincipals: group.issuers.map(issuer => `${issuer}/*`) } }],
    to: [{ operation: { paths: group.paths, ports: portStrings(httpPodPorts) } }],
  }));
}

function portStrings(ports?: number[]): string[] | undefined {
  return ports && [...new Set(ports)].sort((a, b) => a - b).map(String);
}

function sortedSet(list?: string[]): string[] | undefined {
  return list && [...new Set(list)].sort();
}
