import { Reporter } from '../reporter';
import { ConfigMapRules } from './config-map-rules';
import { ObjectMetaRules } from './metadata-rules';
import { NetworkPolicyRules } from './network-policy-rules';
import { RbacRules } from './rbac-rules';
import { ScalingRules } from './scaling-rules';
import { ServiceRules } from './service-rules';
import { WorkloadRules } from './workload-rules';

const BY_TYPE: Record<string, (manifest: any, report: Reporter) => void> = {
  'v1/Service': ServiceRules.validate,
  'v1/ConfigMap': ConfigMapRules.validate,
  'apps/v1/Deployment': WorkloadRules.validateDeployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicyRules.validate,
  'autoscaling/v2/HorizontalPodAutoscaler': ScalingRules.validateHpa,
  'policy/v1/PodDisruptionBudget': ScalingRules.validatePdb,
  'rbac.authorization.k8s.io/v1/Role': RbacRules.validateRole,
  'rbac.authorization.k8s.io/v1/ClusterRole': RbacRules.validateRole,
  'rbac.authorization.k8s.io/v1/RoleBinding': RbacRules.validateRoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': RbacRules.validateRoleBinding,
};

/**
 * Layer 4 (beyond the OpenAPI schema): the API server's Go validation that the schema does not express, for object
 * metadata of every kind and for the core kinds we emit. Internal.
 */
export class KubernetesRules {
  public static validate(manifest: any, report: Reporter): void {
    ObjectMetaRules.validate(manifest, report);
    BY_TYPE[`${manifest?.apiVersion}/${manifest?.kind}`]?.(manifest, report);
  }
}
