import { EgressGranteeConfig } from './egress-grantee';
import { checkLabels, checkNamespaceName } from '../private/kubernetes-names';
import { Names } from '../private/names';

// Internal: the checks every grantee goes through.

/**
 * Checks a grantee, naming the construct that grants it (`owner`): any `IEgressGrantee` is checked the same way,
 * the library's or a user's own. A grantee that cannot change is checked when granted; one with a scope (a
 * workload, whose selector may be set later) at synth.
 */
export function checkGrantee(owner: string, config: EgressGranteeConfig): void {
  const who = `grantee '${config.name}'`;
  checkNamespaceName(`${owner}: ${who}`, 'namespace', config.namespaceName);
  if (config.serviceAccountName !== undefined && !Names.isDns1123Subdomain(config.serviceAccountName)) {
    throw new Error(`${owner}: ${who}: ServiceAccount name '${config.serviceAccountName}' is not a Kubernetes name (a lower-case `
      + 'DNS-1123 subdomain such as \'checkout\')');
  }
  if (config.podLabels !== undefined) {
    if (Object.keys(config.podLabels).length === 0) {
      throw new Error(`${owner}: ${who}: pod labels {} select every pod of '${config.namespaceName}'; name labels only its pods `
        + 'carry, or grant EgressGrantee.wholeNamespace() to say so plainly');
    }
    checkLabels(`${owner}: ${who}`, 'pod label', config.podLabels);
  }
  if (!Names.isDns1123Subdomain(config.name)) {
    throw new Error(`${owner}: grantee name '${config.name}' is not a DNS-1123 subdomain; it names the client NetworkPolicy`);
  }
}
