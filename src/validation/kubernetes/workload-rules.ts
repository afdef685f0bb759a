import { selectorMatches } from '../../private/label-selector';
import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { list, num, present, record, text } from '../values';
import { LabelRules } from './label-selector';
import { quantityValue } from './quantity';

/** `ValidateDeployment` and the pod template checks (`ValidatePodTemplateSpec`) a generator can break. Internal. */
export class WorkloadRules {
  public static validateDeployment(manifest: any, report: Reporter): void {
    const spec = record(manifest?.spec);
    if (typeof spec.replicas === 'number' && spec.replicas < 0) {
      report.error('spec.replicas', 'K8S-DEPLOYMENT', `spec.replicas: Invalid value: ${spec.replicas}: must be greater than or equal to 0`);
    }
    const selector = record(spec.selector);
    const templateLabels = record(record(record(spec.template).metadata).labels);
    if (Object.keys(record(selector.matchLabels)).length === 0 && list(selector.matchExpressions).length === 0) {
      report.error('spec.selector', 'K8S-DEPLOYMENT-SELECTOR', 'spec.selector: Invalid value: empty selector is invalid for deployment; select the template labels');
    } else if (!selectorMatches(selector, templateLabels)) {
      report.error('spec.template.metadata.labels', 'K8S-DEPLOYMENT-SELECTOR',
        `spec.template.metadata.labels: Invalid value: ${JSON.stringify(templateLabels)}: \`selector\` does not match template \`labels\``);
    }
    LabelRules.validateSelector(report, spec.selector, 'spec.selector');
    LabelRules.validateLabels(report, templateLabels, 'spec.template.metadata.labels');
    const strategy = record(spec.strategy);
    if ((text(strategy.type) || 'RollingUpdate') === 'RollingUpdate') {
      const rolling = record(strategy.rollingUpdate);
      if (isZero(rolling.maxUnavailable) && isZero(rolling.maxSurge)) {
        report.error('spec.strategy.rollingUpdate.maxUnavailable', 'K8S-DEPLOYMENT',
          'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0');
      }
    }
    WorkloadRules.validatePodSpec(record(record(spec.template).spec), 'spec.template.spec', report);
  }

  public static validatePodSpec(pod: Record<string, any>, path: string, report: Reporter): void {
    const containers = list(pod.containers);
    if (containers.length === 0) report.error(`${path}.containers`, 'K8S-CONTAINER', `${path}.containers: Required value: a pod needs at least one container`);
    const volumes = new Set<string>();
    list(pod.volumes).forEach((raw, i) => {
      const name = text(record(raw).name);
      if (!Names.isDns1123Label(name)) report.error(`${path}.volumes[${i}].name`, 'K8S-VOLUME', `${path}.volumes[${i}].name: Invalid value: ${JSON.stringify(name)}: must be a lowercase RFC 1123 label`);
      if (volumes.has(name)) report.error(`${path}.volumes[${i}].name`, 'K8S-VOLUME', `${path}.volumes[${i}].name: Duplicate value: ${JSON.stringify(name)}`);
      volumes.add(name);
    });
    const names = new Set<string>();
    for (const field of ['initContainers', 'containers']) {
      list(pod[field]).forEach((raw, i) => {
        const container = record(raw);
        const cpath = `${path}.${field}[${i}]`;
        const name = text(container.name);
        if (!Names.isDns1123Label(name)) {
          report.error(`${cpath}.name`, 'K8S-CONTAINER', `${cpath}.name: Invalid value: ${JSON.stringify(name)}: a container name must be a lowercase RFC 1123 label`);
        }
        if (names.has(name)) report.error(`${cpath}.name`, 'K8S-CONTAINER', `${cpath}.name: Duplicate value: ${JSON.stringify(name)}`);
        names.add(name);
        if (!present(container.image)) report.error(`${cpath}.image`, 'K8S-CONTAINER', `${cpath}.image: Required value`);
        WorkloadRules.validateContainer(container, cpath, volumes, report);
      });
    }
  }

  private static validateContainer(container: Record<string, any>, path: string, volumes: Set<string>, report: Reporter): void {
    const portNames = new Set<string>();
    const portKeys = new Set<string>();
    list(container.ports).forEach((raw, i) => {
      const port = record(raw);
      const ppath = `${path}.ports[${i}]`;
      const number = num(port.containerPort);
      if (number < 1 || number > 65535) {
        report.error(`${ppath}.containerPort`, 'K8S-PORT-RANGE', `${ppath}.containerPort: Invalid value: ${port.containerPort}: must be between 1 and 65535, inclusive`);
      }
      if (port.hostPort !== undefined && (num(port.hostPort) < 1 || num(port.hostPort) > 65535)) {
        report.error(`${ppath}.hostPort`, 'K8S-PORT-RANGE', `${ppath}.hostPort: Invalid value: ${port.hostPort}: must be between 1 and 65535, inclusive`);
      }
      if (present(port.name)) {
        const name = text(port.name);
        if (!Names.isIanaServiceName(name)) {
          report.error(`${ppath}.name`, 'K8S-CONTAINER-PORT',
            `${ppath}.name: Invalid value: ${JSON.stringify(name)}: a container port name must be an IANA service name (≤15 lowercase alphanumerics or '-', with a letter, no '--')`);
        }
        if (portNames.has(name)) report.error(`${ppath}.name`, 'K8S-CONTAINER-PORT', `${ppath}.name: Duplicate value: ${JSON.stringify(name)}`);
        portNames.add(name);
      }
      const key = `${number}/${text(port.protocol) || 'TCP'}`;
      if (portKeys.has(key)) report.warning(ppath, 'K8S-CONTAINER-PORT', `${ppath}: duplicate port definition with ${key}`);
      portKeys.add(key);
    });
    list(container.env).forEach((raw, i) => {
      const name = text(record(raw).name);
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
        report.error(`${path}.env[${i}].name`, 'K8S-ENV', `${path}.env[${i}].name: Invalid value: ${JSON.stringify(name)}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`);
      }
    });
    list(container.volumeMounts).forEach((raw, i) => {
      const name = text(record(raw).name);
      if (!volumes.has(name)) report.error(`${path}.volumeMounts[${i}].name`, 'K8S-VOLUME', `${path}.volumeMounts[${i}].name: Not found: ${JSON.stringify(name)}: mount a volume declared in spec.volumes`);
    });
    const resources = record(container.resources);
    const limits = record(resources.limits);
    for (const [resource, request] of Object.entries(record(resources.requests))) {
      const requested = quantityValue(request);
      const limit = quantityValue(limits[resource]);
      if (requested !== undefined && limit !== undefined && requested > limit) {
        report.error(`${path}.resources.requests[${resource}]`, 'K8S-RESOURCES',
          `${path}.resources.requests[${resource}]: Invalid value: ${JSON.stringify(request)}: must be less than or equal to ${resource} limit of ${limits[resource]}`);
      }
    }
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (container[probe] === undefined) continue;
      const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter(h => record(container[probe])[h] !== undefined);
      if (handlers.length !== 1) {
        report.error(`${path}.${probe}`, 'K8S-PROBE', `${path}.${probe}: ${handlers.length === 0 ? 'Required value: must specify a handler type' : `Forbidden: may not specify more than 1 handler type (${handlers.join(', ')})`}`);
      }
    }
  }
}

function isZero(value: unknown): boolean {
  return value === 0 || value === '0' || value === '0%';
}
