/** Eager checks of Kubernetes names and labels, with the construct path and the fix in the message. */
import { Names } from './names';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes label keys and values (apimachinery `IsQualifiedName` / `IsValidLabelValue`). */
export function checkLabels(owner: string, what: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(owner, what, key);
    checkLabelValue(owner, `${what} '${key}'`, value);
  }
}

export function checkLabelKey(owner: string, what: string, key: string): void {
  if (Names.labelKeyError(key) !== undefined) {
    throw new Error(`${owner}: ${what} key '${key}' is not a valid Kubernetes label key; use an optional DNS `
      + 'subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\' that start and end alphanumeric');
  }
}

export function checkLabelValue(owner: string, what: string, value: string): void {
  if (Names.labelValueError(value) !== undefined) {
    throw new Error(`${owner}: ${what} value '${value}' is not a valid Kubernetes label value; use at most 63 `
      + 'letters, digits, \'-\', \'_\' or \'.\' that start and end alphanumeric');
  }
}

/** Names used as Service names must be DNS-1035 labels (start with a letter). */
export function checkDns1035Label(owner: string, what: string, value: string): void {
  if (value.length > 63 || !DNS1035_LABEL.test(value)) {
    throw new Error(`${owner}: ${what} '${value}' must be a DNS-1035 label (at most 63 lowercase letters, digits `
      + 'and \'-\', starting with a letter and ending alphanumeric), because it names a Service');
  }
}

export function checkDns1123Label(owner: string, what: string, value: string): void {
  if (!Names.isDns1123Label(value)) {
    throw new Error(`${owner}: ${what} '${value}' must be a DNS-1123 label (at most 63 lowercase letters, digits `
      + 'and \'-\', starting and ending alphanumeric)');
  }
}

export function checkDnsSubdomain(owner: string, what: string, value: string): void {
  if (!Names.isDns1123Subdomain(value)) {
    throw new Error(`${owner}: ${what} '${value}' must be a DNS-1123 subdomain (lowercase letters, digits, '-' `
      + 'and \'.\', at most 253 characters, each part starting and ending alphanumeric)');
  }
}

/** A namespace name (a DNS-1123 label); `what` names the field, when there is one. */
export function checkNamespaceName(owner: string, what: string, name: string): void {
  if (!Names.isDns1123Label(name)) {
    throw new Error(`${owner}: ${what ? `${what} ` : ''}'${name}' is not a namespace name (a lower-case DNS-1123 label)`);
  }
}

/** A `credentialName`: a Secret's name (a DNS-1123 subdomain). */
export function checkSecretName(owner: string, name: string): void {
  if (!Names.isDns1123Subdomain(name)) {
    throw new Error(`${owner}: credentialName '${name}' is not a Secret name (a lower-case DNS-1123 subdomain)`);
  }
}

/** The istio/gateway chart's `istio` label: the release name without its `istio-` prefix. */
export function istioLabelOf(name: string): string {
  return name.replace(/^istio-/, '');
}
