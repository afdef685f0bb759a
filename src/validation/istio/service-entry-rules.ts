import { MetadataRules } from './metadata-rules';
import { Names } from '../../private/names';
import { IstioProtocol } from '../../private/protocol';
import { list, num, present, record, text } from '../values';
import { RuleContext } from './rule-context';

const AUTO_ALLOCATE_LABEL = 'networking.istio.io/enable-autoallocate-ip';

/**
 * istiod's `ValidateServiceEntry` (1.30), minus what the CRD's schema and CEL rules already reject (bare `*` host,
 * duplicate port numbers and names, port ranges, selector+endpoints, NONE+endpoints, CIDR with DNS, DNS_ROUND_ROBIN
 * with several endpoints). Internal.
 */
export class ServiceEntryRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    const hosts = list(spec.hosts).map(text);
    const resolution = text(spec.resolution) || 'NONE';
    const endpoints = list(spec.endpoints);
    const addresses = list(spec.addresses).map(text);
    const ports = list(spec.ports).map(record);

    MetadataRules.warnEmptySelector(ctx, 'spec.workloadSelector', spec.workloadSelector, 'labels');

    hosts.forEach((host, i) => {
      if (host === '*') return;
      const error = Names.wildcardDomainError(host);
      if (error) {
        ctx.report.error(`spec.hosts[${i}]`, 'IST-SE-HOST-INVALID',
          `${error}: a ServiceEntry host is a DNS name, optionally with a wildcard first label ("*.example.com")`);
      } else if (Names.isPartialWildcard(host) && resolution !== 'DYNAMIC_DNS') {
        ctx.report.warning(`spec.hosts[${i}]`, 'IST-SE-HOST-PARTIAL-WILDCARD',
          `partial wildcard ${JSON.stringify(host)} not allowed; use a whole first-label wildcard such as "*.${host.slice(host.indexOf('.') + 1)}"`);
      }
    });

    addresses.forEach((address, i) => {
      if (!Names.isIpOrCidr(address)) {
        ctx.report.error(`spec.addresses[${i}]`, 'IST-SE-ADDRESS-INVALID',
          `${JSON.stringify(address)} is not a valid IP or CIDR block; addresses are virtual IPs, put DNS names in hosts`);
      }
    });

    const label = ctx.manifest?.metadata?.labels?.[AUTO_ALLOCATE_LABEL];
    const autoAllocation = resolution !== 'NONE' && label !== 'false';
    const portNames = new Set<string>();
    ports.forEach((port, i) => {
      const path = `spec.ports[${i}]`;
      const name = text(port.name);
      portNames.add(name);
      if (name !== '' && !Names.isIstioDnsLabel(name)) {
        ctx.report.error(`${path}.name`, 'IST-SE-PORT-NAME',
          `invalid port name: ${name}; a ServiceEntry port name is a DNS-1123 label (alphanumerics and '-', ≤63 characters, `
          + `e.g. "${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'https'}")`);
      }
      if (present(port.protocol) && !IstioProtocol.parse(port.protocol)) {
        ctx.report.error(`${path}.protocol`, 'IST-SE-PROTOCOL',
          `unsupported protocol: ${port.protocol}; use one of ${IstioProtocol.list()} (or omit it for protocol sniffing)`);
      }
      if (num(port.targetPort) !== 0 && resolution === 'NONE') {
        ctx.report.warning(`${path}.targetPort`, 'IST-SE-TARGET-PORT-NONE',
          'targetPort has no effect when resolution mode is NONE; set a resolution or drop targetPort');
      }
      if (addresses.length === 0 && !autoAllocation && (!present(port.protocol) || port.protocol === 'TCP')) {
        ctx.report.warning(path, 'IST-SE-TCP-NO-ADDRESS',
          'addresses are required for ports serving TCP (or unset) protocol when DNS auto-allocation is off: '
          + 'every such entry shares one 0.0.0.0 listener on this port; set spec.addresses or a resolution other than NONE');
      }
    });

    switch (resolution) {
      case 'NONE':
        if (spec.workloadSelector !== undefined) {
          ctx.report.warning('spec.workloadSelector', 'IST-SE-SELECTOR-RESOLUTION',
            'workloadSelector should not be set when resolution mode is NONE; use STATIC to target the selected workloads');
        }
        break;
      case 'STATIC':
        endpoints.forEach((endpoint, i) => ServiceEntryRules.validateEndpoint(ctx, record(endpoint), i, portNames, false));
        break;
      case 'DNS':
      case 'DNS_ROUND_ROBIN':
        if (endpoints.length === 0) {
          hosts.forEach((host, i) => {
            if (host !== '*' && !Names.wildcardDomainError(host) && Names.fqdnError(host)) {
              ctx.report.error(`spec.hosts[${i}]`, 'IST-SE-WILDCARD-DNS',
                `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}: ${JSON.stringify(host)} `
                + 'cannot be resolved; use resolution NONE (or DYNAMIC_DNS for sidecars), add endpoints, or route the wildcard '
                + 'through an egress gateway to one concrete upstream host');
            }
          });
        }
        endpoints.forEach((endpoint, i) => ServiceEntryRules.validateEndpoint(ctx, record(endpoint), i, portNames, true));
        if (spec.workloadSelector !== undefined) {
          ctx.report.warning('spec.workloadSelector', 'IST-SE-SELECTOR-RESOLUTION',
            `workloadSelector should not be set when resolution mode is ${resolution}`);
        }
        if (addresses.length > 0 && hosts.length > 1 && ports.some(p => IstioProtocol.isTcp(p.protocol))) {
          ctx.report.warning('spec.hosts', 'IST-SE-DNS-ADDRESS-TCP-MULTI-HOST',
            'service entry can not have more than one host specified simultaneously with address and tcp port; split it per host');
        }
        break;
      case 'DYNAMIC_DNS':
        ServiceEntryRules.validateDynamicDns(ctx, hosts, addresses, endpoints, ports);
        break;
      default:
        // The CRD enum rejects anything else.
        break;
    }

    if (resolution !== 'NONE' && hosts.length > 1) {
      const bad = ports.findIndex(p => !IstioProtocol.isHttp(p.protocol) && !IstioProtocol.isTls(p.protocol));
      if (bad >= 0) {
        ctx.report.error(`spec.ports[${bad}]`, 'IST-SE-MULTI-HOST-TCP',
          `multiple hosts provided with non-HTTP, non-TLS ports (port ${ports[bad].number} is ${text(ports[bad].protocol) || 'unset'}): `
          + 'plain TCP carries no Host or SNI to tell the hosts apart; use one ServiceEntry per host, or resolution NONE');
      }
    }

    MetadataRules.validateExportTo(ctx, { serviceEntry: true, drWithSelector: false });
  }

  /** `validateWorkloadEntry` (STATIC: IPs or unix sockets only) and the DNS branch (IP or FQDN). */
  private static validateEndpoint(ctx: RuleContext, endpoint: Record<string, any>, i: number, portNames: Set<string>, allowFqdn: boolean): void {
    const path = `spec.endpoints[${i}]`;
    const address = text(endpoint.address);
    if (address !== '' && !address.startsWith('unix://') && !Names.isIpAddress(address)) {
      if (!allowFqdn) {
        ctx.report.error(`${path}.address`, 'IST-SE-ENDPOINT-ADDRESS',
          `endpoint address ${JSON.stringify(address)} is not a valid IP address: resolution STATIC needs IP endpoints; use resolution DNS for host names`);
      } else if (Names.fqdnError(address)) {
        ctx.report.error(`${path}.address`, 'IST-SE-ENDPOINT-ADDRESS',
          `endpoint address ${JSON.stringify(address)} is not a valid FQDN or an IP address`);
      }
    }
    for (const name of Object.keys(record(endpoint.ports))) {
      if (!portNames.has(name)) {
        ctx.report.error(`${path}.ports[${name}]`, 'IST-SE-ENDPOINT-PORT',
          `endpoint port ${JSON.stringify(name)} is not defined by the service entry; endpoint ports are keyed by spec.ports[].name (${[...portNames].join(', ') || 'none defined'})`);
      }
    }
  }

  /** DYNAMIC_DNS (1.30): wildcard hosts only, no addresses or endpoints, HTTP/TLS/GRPC/HTTP2 ports. */
  private static validateDynamicDns(ctx: RuleContext, hosts: string[], addresses: string[], endpoints: any[], ports: Record<string, any>[]): void {
    hosts.forEach((host, i) => {
      if (!host.startsWith('*')) {
        ctx.report.error(`spec.hosts[${i}]`, 'IST-SE-DYNAMIC-DNS',
          `resolution DYNAMIC_DNS requires wildcard hosts, got ${JSON.stringify(host)}; use resolution DNS for a concrete host`);
      }
    });
    if (addresses.length > 0) {
      ctx.report.error('spec.addresses', 'IST-SE-DYNAMIC-DNS', 'resolution DYNAMIC_DNS does not allow addresses; remove them');
    }
    if (endpoints.length > 0) {
      ctx.report.error('spec.endpoints', 'IST-SE-DYNAMIC-DNS', 'resolution DYNAMIC_DNS does not allow endpoints; remove them');
    }
    ports.forEach((port, i) => {
      if (!['HTTP', 'TLS', 'GRPC', 'HTTP2'].includes(IstioProtocol.parse(port.protocol) ?? '')) {
        ctx.report.error(`spec.ports[${i}].protocol`, 'IST-SE-DYNAMIC-DNS',
          `resolution DYNAMIC_DNS supports protocols HTTP, TLS, GRPC and HTTP2 only, got ${text(port.protocol) || 'unset'}`);
      }
    });
    const waypoint = ctx.manifest?.metadata?.labels?.['istio.io/use-waypoint'];
    if (ctx.spec.location === 'MESH_INTERNAL' && typeof waypoint === 'string' && waypoint !== 'none') {
      ctx.report.error('spec.location', 'IST-SE-DYNAMIC-DNS',
        'resolution DYNAMIC_DNS cannot use location MESH_INTERNAL with an istio.io/use-waypoint label; use MESH_EXTERNAL');
    }
  }
}
