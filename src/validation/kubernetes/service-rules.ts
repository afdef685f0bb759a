import { Names } from '../../private/names';
import { IstioProtocol } from '../../private/protocol';
import { Reporter } from '../reporter';
import { list, num, present, record, text } from '../values';
import { LabelRules } from './label-selector';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** `ValidateService` for the parts a generator can get wrong, plus istioctl's port naming hint. Internal. */
export class ServiceRules {
  public static validate(manifest: any, report: Reporter): void {
    const spec = record(manifest?.spec);
    const type = text(spec.type) || 'ClusterIP';
    const ports = list(spec.ports).map(record);
    if (type === 'ExternalName') {
      if (!present(spec.externalName)) report.error('spec.externalName', 'K8S-SERVICE', 'spec.externalName: Required value: a Service of type ExternalName needs externalName');
    } else if (ports.length === 0 && spec.clusterIP !== 'None') {
      report.error('spec.ports', 'K8S-SERVICE-PORT', 'spec.ports: Required value: a Service needs at least one port (or clusterIP: None)');
    }
    const names = new Set<string>();
    const keys = new Set<string>();
    ports.forEach((port, i) => {
      const path = `spec.ports[${i}]`;
      const name = text(port.name);
      if (ports.length > 1 && name === '') {
        report.error(`${path}.name`, 'K8S-SERVICE-PORT-NAME', `${path}.name: Required value: every port of a multi-port Service needs a name`);
      }
      if (name !== '') {
        if (!Names.isDns1123Label(name)) {
          report.error(`${path}.name`, 'K8S-SERVICE-PORT-NAME', `${path}.name: Invalid value: ${JSON.stringify(name)}: must be a lowercase RFC 1123 label`);
        }
        if (names.has(name)) report.error(`${path}.name`, 'K8S-SERVICE-PORT-NAME', `${path}.name: Duplicate value: ${JSON.stringify(name)}`);
        names.add(name);
        const appProtocol = text(port.appProtocol);
        const prefix = name.split('-')[0];
        // Istio's own ports (15000-15090, e.g. the gateway's "status-port") are named by Istio's charts this way.
        const istioPort = num(port.port) >= 15000 && num(port.port) <= 15090;
        if (appProtocol === '' && port.protocol !== 'UDP' && !istioPort && !IstioProtocol.parse(prefix)) {
          report.warning(`${path}.name`, 'IST-SERVICE-PORT-PROTOCOL',
            `port name ${JSON.stringify(name)} does not start with a protocol Istio recognizes (<protocol>[-suffix], e.g. "http-${name}") `
            + 'and appProtocol is unset: Istio will sniff the protocol; name the port or set appProtocol');
        }
      }
      const number = num(port.port);
      if (number < 1 || number > 65535) report.error(`${path}.port`, 'K8S-PORT-RANGE', `${path}.port: Invalid value: ${port.port}: must be between 1 and 65535, inclusive`);
      ServiceRules.validateTargetPort(report, port.targetPort, `${path}.targetPort`);
      if (port.nodePort !== undefined && (num(port.nodePort) < 1 || num(port.nodePort) > 65535)) {
        report.error(`${path}.nodePort`, 'K8S-PORT-RANGE', `${path}.nodePort: Invalid value: ${port.nodePort}: must be between 1 and 65535, inclusive`);
      }
      if (port.nodePort !== undefined && (type === 'ClusterIP')) {
        report.error(`${path}.nodePort`, 'K8S-SERVICE-PORT', `${path}.nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`);
      }
      const protocol = text(port.protocol) || 'TCP';
      if (!PROTOCOLS.includes(protocol)) {
        report.error(`${path}.protocol`, 'K8S-SERVICE-PORT', `${path}.protocol: Unsupported value: ${JSON.stringify(protocol)}: supported values: "SCTP", "TCP", "UDP"`);
      }
      const key = `${number}/${protocol}`;
      if (keys.has(key)) report.error(path, 'K8S-SERVICE-PORT', `${path}: Duplicate value: port ${number}/${protocol} is listed twice`);
      keys.add(key);
    });
    LabelRules.validateLabels(report, spec.selector, 'spec.selector', 'K8S-SELECTOR');
  }

  /** A target port is 1..65535 or a container port name (IANA service name). */
  public static validateTargetPort(report: Reporter, value: unknown, path: string): void {
    if (value === undefined) return;
    if (typeof value === 'number' && (value < 1 || value > 65535)) {
      report.error(path, 'K8S-PORT-RANGE', `${path}: Invalid value: ${value}: must be between 1 and 65535, inclusive`);
    } else if (typeof value === 'string' && !Names.isIanaServiceName(value)) {
      report.error(path, 'K8S-PORT-RANGE',
        `${path}: Invalid value: ${JSON.stringify(value)}: a named port must be an IANA service name (≤15 lowercase alphanumerics or '-', with a letter)`);
    }
  }
}
