import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { list, present, record, text } from '../values';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** `ValidateRole` / `ValidateRoleBinding` (rbac.authorization.k8s.io/v1). Internal. */
export class RbacRules {
  public static validateRole(manifest: any, report: Reporter): void {
    list(manifest?.rules).forEach((raw, i) => {
      const rule = record(raw);
      const path = `rules[${i}]`;
      if (list(rule.verbs).length === 0) report.error(`${path}.verbs`, 'K8S-RBAC-RULE', `${path}.verbs: Required value: verbs must contain at least one value`);
      if (present(rule.nonResourceURLs) && manifest?.kind === 'Role') {
        report.error(`${path}.nonResourceURLs`, 'K8S-RBAC-RULE', `${path}.nonResourceURLs: Invalid value: namespaced rules cannot apply to non-resource URLs; use a ClusterRole`);
      } else if (!present(rule.nonResourceURLs)) {
        if (list(rule.apiGroups).length === 0) report.error(`${path}.apiGroups`, 'K8S-RBAC-RULE', `${path}.apiGroups: Required value: resource rules must supply at least one api group ("" is the core group)`);
        if (list(rule.resources).length === 0) report.error(`${path}.resources`, 'K8S-RBAC-RULE', `${path}.resources: Required value: resource rules must supply at least one resource`);
      }
    });
  }

  public static validateRoleBinding(manifest: any, report: Reporter): void {
    const ref = record(manifest?.roleRef);
    if (ref.apiGroup !== RBAC_GROUP) {
      report.error('roleRef.apiGroup', 'K8S-RBAC-BINDING', `roleRef.apiGroup: Unsupported value: ${JSON.stringify(ref.apiGroup)}: supported values: "${RBAC_GROUP}"`);
    }
    if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') {
      report.error('roleRef.kind', 'K8S-RBAC-BINDING', `roleRef.kind: Unsupported value: ${JSON.stringify(ref.kind)}: supported values: "ClusterRole", "Role"`);
    }
    if (!present(ref.name)) report.error('roleRef.name', 'K8S-RBAC-BINDING', 'roleRef.name: Required value');
    list(manifest?.subjects).forEach((raw, i) => {
      const subject = record(raw);
      const path = `subjects[${i}]`;
      const name = text(subject.name);
      if (name === '') report.error(`${path}.name`, 'K8S-RBAC-BINDING', `${path}.name: Required value`);
      switch (subject.kind) {
        case 'ServiceAccount':
          if (present(subject.apiGroup)) report.error(`${path}.apiGroup`, 'K8S-RBAC-BINDING', `${path}.apiGroup: Unsupported value: ${JSON.stringify(subject.apiGroup)}: supported values: ""`);
          if (name !== '' && !Names.isDns1123Subdomain(name)) report.error(`${path}.name`, 'K8S-RBAC-BINDING', `${path}.name: Invalid value: ${JSON.stringify(name)}: must be a DNS-1123 subdomain`);
          if (subject.namespace !== undefined && !Names.isDns1123Label(text(subject.namespace))) {
            report.error(`${path}.namespace`, 'K8S-RBAC-BINDING', `${path}.namespace: Invalid value: ${JSON.stringify(subject.namespace)}: must be a DNS-1123 label`);
          }
          break;
        case 'User':
        case 'Group':
          if (subject.apiGroup !== RBAC_GROUP) report.error(`${path}.apiGroup`, 'K8S-RBAC-BINDING', `${path}.apiGroup: Unsupported value: ${JSON.stringify(subject.apiGroup)}: supported values: "${RBAC_GROUP}"`);
          break;
        default:
          report.error(`${path}.kind`, 'K8S-RBAC-BINDING', `${path}.kind: Unsupported value: ${JSON.stringify(subject.kind)}: supported values: "Group", "ServiceAccount", "User"`);
      }
    });
  }
}
