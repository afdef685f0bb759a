import { namespacedHostErrors } from './hosts';
import { Names } from '../../private/names';
import { IstioProtocol } from '../../private/protocol';
import { list, num, present, record, text } from '../values';
import { RuleContext } from './rule-context';
import { TlsSettings } from './tls-settings';

/**
 * istiod's `ValidateGateway` / `validateServer` (networking.istio.io Gateway). The CRD checks required fields and the
 * credentialName/credentialNames/tlsCertificates exclusivity. Internal.
 */
export class GatewayRules {
  public static validate(ctx: RuleContext): void {
    const name = text(ctx.manifest?.metadata?.name);
    if (name !== '' && !Names.isIstioDnsLabel(name)) {
      ctx.report.error('metadata.name', 'IST-GW-NAME',
        `invalid gateway name: ${JSON.stringify(name)}; a Gateway name must be a DNS-1123 label (no dots), `
        + `e.g. ${JSON.stringify(name.replace(/\./g, '-'))}, because VirtualServices refer to it as <namespace>/<name>`);
    }
    const servers = list(ctx.spec.servers);
    if (servers.length === 0) {
      ctx.report.error('spec.servers', 'IST-GW-NO-SERVERS', 'gateway must have at least one server');
    }
    const portNames = new Map<string, number>();
    servers.forEach((raw, i) => {
      const server = record(raw);
      const path = `spec.servers[${i}]`;
      GatewayRules.validateServer(ctx, server, path);
      const port = record(server.port);
      if (server.port !== undefined) {
        const portName = text(port.name);
        const first = portNames.get(portName);
        if (first !== undefined) {
          ctx.report.error(`${path}.port.name`, 'IST-GW-PORT-NAME-DUPLICATE',
            `port names in servers must be unique: duplicate name ${portName} (also spec.servers[${first}]); `
            + `give each server its own port name, e.g. "${portName}-${i}"`);
        } else {
          portNames.set(portName, i);
        }
        if (!IstioProtocol.isHttp(port.protocol) && record(server.tls).httpsRedirect === true) {
          ctx.report.warning(`${path}.tls.httpsRedirect`, 'IST-GW-HTTPS-REDIRECT', 'tls.httpsRedirect should only be used with http servers');
        }
      }
    });
  }

  private static validateServer(ctx: RuleContext, server: Record<string, any>, path: string): void {
    const hosts = list(server.hosts);
    if (hosts.length === 0) {
      ctx.report.error(`${path}.hosts`, 'IST-GW-HOST', 'server config must contain at least one host');
    }
    hosts.forEach((host, j) => {
      for (const error of namespacedHostErrors(text(host), true)) {
        ctx.report.error(`${path}.hosts[${j}]`, 'IST-GW-HOST', `${error} (server hosts are [namespace/]dnsName)`);
      }
    });

    const port = record(server.port);
    const bind = text(server.bind);
    const unixBind = bind.startsWith('unix://');
    let portValid = server.port !== undefined;
    if (server.port !== undefined) {
      if (!IstioProtocol.parse(port.protocol)) {
        portValid = false;
        ctx.report.error(`${path}.port.protocol`, 'IST-GW-PROTOCOL',
          `invalid protocol ${JSON.stringify(port.protocol ?? '')}, supported protocols are ${IstioProtocol.list()}`);
      }
      const number = num(port.number);
      if ((number > 0 || !unixBind) && (number < 1 || number > 65535)) {
        portValid = false;
        ctx.report.error(`${path}.port.number`, 'IST-GW-PORT-RANGE', `port number ${number} must be in the range 1..65535`);
      }
      if (num(port.targetPort) > 0) {
        portValid = false;
        ctx.report.error(`${path}.port.targetPort`, 'IST-GW-TARGET-PORT',
          'targetPort has no impact on Gateways: the server port number is the port the gateway pod listens on; '
          + 'remove targetPort and expose that port as the targetPort of the gateway Service');
      }
      if (text(port.name) === '') portValid = false;
    }
    if (unixBind) {
      const socket = bind.slice('unix://'.length);
      if (!socket.startsWith('@') && (!socket.startsWith('/') || socket.endsWith('/'))) {
        ctx.report.error(`${path}.bind`, 'IST-GW-BIND', `${socket} is not an absolute path to a file`);
      }
      if (num(port.number) !== 0) {
        ctx.report.error(`${path}.port.number`, 'IST-GW-BIND', 'port number must be 0 for unix domain socket binds');
      }
    } else if (bind !== '' && !Names.isIpAddress(bind)) {
      ctx.report.error(`${path}.bind`, 'IST-GW-BIND', `${bind} is not a valid IP`);
    }

    if (server.tls !== undefined) TlsSettings.validateServer(ctx, server.tls, `${path}.tls`, 'IST-GW');

    if (!portValid) return;
    const tls = server.tls === undefined ? undefined : record(server.tls);
    if (IstioProtocol.isTls(port.protocol) && tls === undefined) {
      ctx.report.error(`${path}.tls`, 'IST-GW-TLS-REQUIRED',
        `server must have TLS settings for HTTPS/TLS protocols: port ${port.number} is ${port.protocol}; add tls with mode `
        + 'SIMPLE and credentialName to terminate, PASSTHROUGH to forward by SNI, or ISTIO_MUTUAL for mesh traffic');
    } else if (!IstioProtocol.isTls(port.protocol) && tls !== undefined) {
      if (IstioProtocol.isHttp(port.protocol)) {
        const mode = text(tls.mode) || 'PASSTHROUGH';
        const passThrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
        if (!passThrough || ['caCertificates', 'privateKey', 'serverCertificate'].some(f => present(tls[f]))) {
          ctx.report.error(`${path}.tls`, 'IST-GW-TLS-ON-PLAINTEXT',
            `server cannot have TLS settings for plain text HTTP ports (port ${port.number}); only tls.httpsRedirect is allowed there: `
            + 'use protocol HTTPS to terminate TLS');
        }
      } else {
        ctx.report.error(`${path}.tls`, 'IST-GW-TLS-ON-PLAINTEXT',
          `server cannot have TLS settings for non HTTPS/TLS ports (port ${port.number} is ${port.protocol}); use protocol TLS or HTTPS`);
      }
    }
  }
}
