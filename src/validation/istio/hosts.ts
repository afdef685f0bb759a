import { Names } from '../../private/names';

/**
 * istio's `ValidateNamespaceSlashWildcardHostname` for Gateway server hosts and Sidecar egress hosts:
 * `[namespace/]dnsName`. Returns the problems found (empty when valid). Internal.
 */
export function namespacedHostErrors(hostname: string, isGateway: boolean): string[] {
  const slash = hostname.indexOf('/');
  if (slash < 0) {
    if (isGateway) return hostPartErrors(hostname, true);
    return [`host ${JSON.stringify(hostname)} must be of form namespace/dnsName (e.g. "./${hostname}" or "*/${hostname}")`];
  }
  const namespace = hostname.slice(0, slash);
  const dnsName = hostname.slice(slash + 1);
  const errors: string[] = [];
  if (namespace === '' || dnsName === '') errors.push('config namespace and dnsName in host entry cannot be empty');
  const special = isGateway ? ['*', '.'] : ['*', '.', '~'];
  if (!special.includes(namespace) && !Names.isIstioDnsLabel(namespace)) {
    errors.push(`invalid namespace value ${JSON.stringify(namespace)} in ${isGateway ? 'gateway' : 'sidecar'}`);
  }
  return [...errors, ...hostPartErrors(dnsName, isGateway)];
}

/** `validateSidecarOrGatewayHostnamePart`: no short names, wildcard only as a whole first label; gateways accept IPs. */
function hostPartErrors(hostname: string, isGateway: boolean): string[] {
  const errors: string[] = [];
  if (hostname !== '*' && !hostname.includes('.')) {
    errors.push(`short names (non FQDN) are not allowed: ${JSON.stringify(hostname)}; use the fully qualified name`);
  }
  const domainError = Names.wildcardDomainError(hostname);
  if (domainError && !(isGateway && Names.isIpAddress(hostname))) errors.push(domainError);
  if (Names.isPartialWildcard(hostname)) {
    errors.push(`partial wildcard ${JSON.stringify(hostname)} not allowed; a wildcard must be the whole first label ("*.example.com")`);
  }
  return errors;
}
