import { Ip } from '../../private/ip';
import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { list, record, text } from '../values';
import { LabelRules } from './label-selector';

/** `ValidateNetworkPolicySpec`: ports (port 0 included), peers, policy types. Internal. */
export class NetworkPolicyRules {
  public static validate(manifest: any, report: Reporter): void {
    const spec = record(manifest?.spec);
    LabelRules.validateSelector(report, spec.podSelector, 'spec.podSelector');
    for (const direction of ['ingress', 'egress'] as const) {
      const peersField = direction === 'ingress' ? 'from' : 'to';
      list(spec[direction]).forEach((raw, i) => {
        const rule = record(raw);
        const path = `spec.${direction}[${i}]`;
        list(rule.ports).forEach((port, j) => NetworkPolicyRules.validatePort(record(port), `${path}.ports[${j}]`, report));
        list(rule[peersField]).forEach((peer, j) => NetworkPolicyRules.validatePeer(record(peer), `${path}.${peersField}[${j}]`, report));
        // Valid, and often meant as "allow all"; in an egress lockdown it is the one rule that undoes every other.
        if (direction === 'egress' && list(rule.to).length === 0) {
          report.warning(path, 'K8S-NETPOL-OPEN-EGRESS', `${path} has no \`to\`, so it allows egress to every address, inside the `
            + `cluster and out${list(rule.ports).length > 0 ? ' (on its ports)' : ''}; name the peers it is meant for`);
        }
      });
    }
    list(spec.policyTypes).forEach((type, i) => {
      if (type !== 'Ingress' && type !== 'Egress') {
        report.error(`spec.policyTypes[${i}]`, 'K8S-NETPOL', `spec.policyTypes[${i}]: Unsupported value: ${JSON.stringify(type)}: supported values: "Egress", "Ingress"`);
      }
    });
  }

  private static validatePort(port: Record<string, any>, path: string, report: Reporter): void {
    if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
      report.error(`${path}.protocol`, 'K8S-NETPOL-PORT', `${path}.protocol: Unsupported value: ${JSON.stringify(port.protocol)}: supported values: "SCTP", "TCP", "UDP"`);
    }
    const value = port.port;
    if (typeof value === 'number' && (value < 1 || value > 65535)) {
      report.error(`${path}.port`, 'K8S-NETPOL-PORT',
        `${path}.port: Invalid value: ${value}: must be between 1 and 65535, inclusive${value === 0
          ? ' (port 0 is what cdk8s-plus NetworkPolicyPort.allTcp() renders: omit port to allow all ports of the protocol)' : ''}`);
    } else if (typeof value === 'string' && !Names.isIanaServiceName(value)) {
      report.error(`${path}.port`, 'K8S-NETPOL-PORT', `${path}.port: Invalid value: ${JSON.stringify(value)}: a named port must be an IANA service name`);
    }
    if (port.endPort !== undefined) {
      if (typeof value !== 'number') {
        report.error(`${path}.endPort`, 'K8S-NETPOL-PORT', `${path}.endPort: Required value: may not be specified when \`port\` is ${value === undefined ? 'not specified' : 'non-numeric'}`);
      } else if (typeof port.endPort === 'number' && (port.endPort < value || port.endPort > 65535)) {
        report.error(`${path}.endPort`, 'K8S-NETPOL-PORT', `${path}.endPort: Invalid value: ${port.endPort}: must be between port ${value} and 65535`);
      }
    }
  }

  private static validatePeer(peer: Record<string, any>, path: string, report: Reporter): void {
    const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(k => peer[k] !== undefined);
    if (kinds.length === 0) {
      report.error(path, 'K8S-NETPOL-PEER', `${path}: Required value: must specify a peer (podSelector, namespaceSelector or ipBlock)`);
    } else if (peer.ipBlock !== undefined && kinds.length > 1) {
      report.error(path, 'K8S-NETPOL-PEER', `${path}: Forbidden: may not specify both ipBlock and another peer`);
    }
    LabelRules.validateSelector(report, peer.podSelector, `${path}.podSelector`);
    LabelRules.validateSelector(report, peer.namespaceSelector, `${path}.namespaceSelector`);
    if (peer.ipBlock !== undefined) {
      const block = record(peer.ipBlock);
      const cidr = text(block.cidr);
      if (!Ip.isCidr(cidr)) {
        report.error(`${path}.ipBlock.cidr`, 'K8S-NETPOL-PEER', `${path}.ipBlock.cidr: Invalid value: ${JSON.stringify(cidr)}: must be a valid CIDR (e.g. 10.0.0.0/8 or 0.0.0.0/0)`);
        return;
      }
      list(block.except).forEach((raw, k) => {
        const except = text(raw);
        if (!Ip.isCidr(except)) {
          report.error(`${path}.ipBlock.except[${k}]`, 'K8S-NETPOL-PEER', `${path}.ipBlock.except[${k}]: Invalid value: ${JSON.stringify(except)}: must be a valid CIDR`);
        } else if (!strictlyInside(cidr, except)) {
          report.error(`${path}.ipBlock.except[${k}]`, 'K8S-NETPOL-PEER', `${path}.ipBlock.except[${k}]: Invalid value: ${JSON.stringify(except)}: must be a strict subset of \`cidr\` ${cidr}`);
        }
      });
    }
  }
}

/** `inner` lies strictly inside `outer`: the same family and a longer prefix. */
function strictlyInside(outer: string, inner: string): boolean {
  return Ip.cidrContains(outer, inner) && !Ip.cidrContains(inner, outer);
}
