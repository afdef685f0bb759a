import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { record, text } from '../values';
import { LabelRules } from './label-selector';

/** Kinds whose names are DNS-1035 labels (`ValidateServiceName`) or DNS-1123 labels. */
const DNS1035_LABEL_KINDS = ['v1/Service'];
const DNS1123_LABEL_KINDS = ['v1/Namespace'];
/** RBAC names only need to be valid path segments (`system:controller:x` is fine). */
const PATH_SEGMENT_KINDS = ['rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding'];
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * `ValidateObjectMeta`, which the API server applies to every object, core or custom: name syntax per kind, namespace,
 * label and annotation syntax. Internal.
 */
export class ObjectMetaRules {
  public static validate(manifest: any, report: Reporter): void {
    const metadata = record(manifest?.metadata);
    const type = `${manifest?.apiVersion}/${manifest?.kind}`;
    const name = metadata.name;
    if (typeof name !== 'string' || name === '') {
      if (!metadata.generateName) report.error('metadata.name', 'K8S-NAME', 'metadata.name: Required value: name or generateName is required');
    } else {
      const problem = nameProblem(type, name);
      if (problem) report.error('metadata.name', 'K8S-NAME', `metadata.name: Invalid value: ${JSON.stringify(name)}: ${problem}`);
    }
    if (metadata.namespace !== undefined && !Names.isDns1123Label(text(metadata.namespace))) {
      report.error('metadata.namespace', 'K8S-NAMESPACE-NAME',
        `metadata.namespace: Invalid value: ${JSON.stringify(metadata.namespace)}: a namespace must be a lowercase RFC 1123 label (≤63 characters, alphanumerics and '-')`);
    }
    LabelRules.validateLabels(report, metadata.labels, 'metadata.labels');
    let size = 0;
    for (const [key, value] of Object.entries(record(metadata.annotations))) {
      const keyError = Names.labelKeyError(key.toLowerCase());
      if (keyError) report.error(`metadata.annotations[${key}]`, 'K8S-ANNOTATION', `metadata.annotations: Invalid value: ${JSON.stringify(key)}: annotation key ${keyError}`);
      size += key.length + text(value).length;
    }
    if (size > MAX_ANNOTATIONS_BYTES) {
      report.error('metadata.annotations', 'K8S-ANNOTATION', `metadata.annotations: Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes (got ${size})`);
    }
  }
}

function nameProblem(type: string, name: string): string | undefined {
  if (DNS1035_LABEL_KINDS.includes(type)) {
    return name.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) ? undefined
      : 'a Service name must be a DNS-1035 label: ≤63 lowercase alphanumerics or \'-\', starting with a letter and ending with an alphanumeric';
  }
  if (DNS1123_LABEL_KINDS.includes(type)) {
    return Names.isDns1123Label(name) ? undefined : 'a lowercase RFC 1123 label must be ≤63 lowercase alphanumerics or \'-\', alphanumeric at both ends';
  }
  if (PATH_SEGMENT_KINDS.includes(type)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? 'may not be "." or ".." and may not contain "/" or "%"' : undefined;
  }
  return Names.isDns1123Subdomain(name) ? undefined
    : 'a lowercase RFC 1123 subdomain must consist of lowercase alphanumerics, \'-\' or \'.\', start and end with an alphanumeric, ≤253 characters';
}
