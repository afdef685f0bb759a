import { Reporter } from '../reporter';
import { list, num, present, record, text } from '../values';
import { LabelRules } from './label-selector';

/** HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget (policy/v1) rules. Internal. */
export class ScalingRules {
  public static validateHpa(manifest: any, report: Reporter): void {
    const spec = record(manifest?.spec);
    const min = spec.minReplicas === undefined ? 1 : num(spec.minReplicas);
    const max = num(spec.maxReplicas);
    if (min < 1) report.error('spec.minReplicas', 'K8S-HPA', `spec.minReplicas: Invalid value: ${min}: must be greater than or equal to 1`);
    if (max < 1) report.error('spec.maxReplicas', 'K8S-HPA', `spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to 1`);
    if (max < min) report.error('spec.maxReplicas', 'K8S-HPA', `spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to \`minReplicas\` (${min})`);
    const target = record(spec.scaleTargetRef);
    for (const field of ['kind', 'name']) {
      if (!present(target[field])) report.error(`spec.scaleTargetRef.${field}`, 'K8S-HPA', `spec.scaleTargetRef.${field}: Required value`);
    }
    list(spec.metrics).forEach((raw, i) => {
      const metric = record(raw);
      const path = `spec.metrics[${i}]`;
      const field = { Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external' }[text(metric.type)];
      if (!field) {
        report.error(`${path}.type`, 'K8S-HPA', `${path}.type: Unsupported value: ${JSON.stringify(metric.type)}: supported values: "ContainerResource", "External", "Object", "Pods", "Resource"`);
        return;
      }
      if (metric[field] === undefined) {
        report.error(`${path}.${field}`, 'K8S-HPA', `${path}.${field}: Required value: must populate information for the given metric source`);
        return;
      }
      const metricTarget = record(record(metric[field]).target);
      if (metricTarget.type === 'Utilization' && !(num(metricTarget.averageUtilization) > 0)) {
        report.error(`${path}.${field}.target.averageUtilization`, 'K8S-HPA', `${path}.${field}.target.averageUtilization: Required value: must be a positive percentage when type is Utilization`);
      }
    });
  }

  public static validatePdb(manifest: any, report: Reporter): void {
    const spec = record(manifest?.spec);
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      report.error('spec', 'K8S-PDB', 'spec: Invalid value: minAvailable and maxUnavailable cannot be both set; keep one');
    }
    for (const field of ['minAvailable', 'maxUnavailable']) {
      const value = spec[field];
      if (typeof value === 'number' && value < 0) {
        report.error(`spec.${field}`, 'K8S-PDB', `spec.${field}: Invalid value: ${value}: must be greater than or equal to 0`);
      } else if (typeof value === 'string' && !(/^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) <= 100)) {
        report.error(`spec.${field}`, 'K8S-PDB', `spec.${field}: Invalid value: ${JSON.stringify(value)}: must be an integer or a percentage between 0% and 100%`);
      }
    }
    LabelRules.validateSelector(report, spec.selector, 'spec.selector');
  }
}
