import * as fc from 'fast-check';
import { Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';

/** A DNS-1123 label. */
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example.com`);
const namespace = fc.constantFrom('apps', 'shop', 'istio-egress');

const serviceEntry = fc.record({
  name: label,
  namespace,
  hosts: fc.uniqueArray(host, { minLength: 1, maxLength: 3 }),
  ports: fc.uniqueArray(fc.record({
    number: fc.integer({ min: 1, max: 65535 }),
    name: label,
    protocol: fc.constantFrom('HTTP', 'HTTPS', 'TLS', 'GRPC', 'HTTP2'),
  }), { minLength: 1, maxLength: 4, selector: p => p.number, comparator: 'SameValue' })
    .filter(ports => new Set(ports.map(p => p.name)).size === ports.length),
  resolution: fc.constantFrom('DNS', 'DNS_ROUND_ROBIN', 'NONE'),
  exportTo: fc.constantFrom(['.'], ['*'], undefined),
}).map(({ name, namespace: ns, exportTo, ...spec }) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace: ns },
  spec: JSON.parse(JSON.stringify({ ...spec, exportTo, location: 'MESH_EXTERNAL' })),
}));

const server = fc.record({
  number: fc.integer({ min: 1, max: 65535 }),
  kind: fc.constantFrom('HTTP', 'TLS', 'HTTPS'),
  hosts: fc.uniqueArray(host, { minLength: 1, maxLength: 2 }),
}).map(({ number, kind, hosts }) => ({
  port: { number, name: `${kind.toLowerCase()}-${number}`, protocol: kind },
  hosts,
  ...(kind === 'TLS' ? { tls: { mode: 'PASSTHROUGH' } } : kind === 'HTTPS' ? { tls: { mode: 'SIMPLE', credentialName: 'api-cert' } } : {}),
}));

const gateway = fc.record({
  name: label,
  namespace,
  servers: fc.uniqueArray(server, { minLength: 1, maxLength: 4, selector: s => s.port.name, comparator: 'SameValue' }),
}).map(({ name, namespace: ns, servers }) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: ns },
  spec: { selector: { istio: 'egressgateway' }, servers },
}));

const destinationRule = fc.record({
  name: label,
  namespace,
  host,
  subsets: fc.uniqueArray(label, { minLength: 0, maxLength: 4 }),
}).map(({ name, namespace: ns, host: h, subsets }) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name, namespace: ns },
  spec: { host: h, ...(subsets.length > 0 ? { subsets: subsets.map(s => ({ name: s, labels: { version: s } })) } : {}) },
}));

const errorRules = (manifest: any) => ManifestValidator.validateManifests([manifest]).filter(f => f.severity === Severity.ERROR).map(f => f.rule);

describe('properties |', () => {
  test('random valid objects have no errors', () => {
    fc.assert(fc.property(fc.oneof(serviceEntry, gateway, destinationRule), manifest => {
      expect(errorRules(manifest)).toEqual([]);
    }), { numRuns: 300 });
  });

  test('a wildcard host with DNS resolution and no endpoints is caught', () => {
    fc.assert(fc.property(serviceEntry, fc.nat(), (se, i) => {
      const hosts = [...se.spec.hosts];
      hosts[i % hosts.length] = `*.${hosts[i % hosts.length]}`;
      const bad = { ...se, spec: { ...se.spec, hosts, resolution: 'DNS' } };
      expect(errorRules(bad)).toContain('IST-SE-WILDCARD-DNS');
    }));
  });

  test('a repeated ServiceEntry port number is caught by the CRD rule', () => {
    fc.assert(fc.property(serviceEntry, se => {
      const ports = [...se.spec.ports, { ...se.spec.ports[0], name: `${se.spec.ports[0].name}x` }];
      expect(ManifestValidator.validateManifests([{ ...se, spec: { ...se.spec, ports } }])).toContainEqual(
        expect.objectContaining({ rule: 'CEL-RULE', path: 'spec.ports', message: expect.stringContaining('port number cannot be duplicated') }));
    }));
  });

  test('a port name that is not a DNS label is caught', () => {
    fc.assert(fc.property(serviceEntry, fc.constantFrom('_', '.', ' '), (se, bad) => {
      const ports = se.spec.ports.map((p: any, i: number) => (i === 0 ? { ...p, name: `${p.name}${bad}x` } : p));
      expect(errorRules({ ...se, spec: { ...se.spec, ports } })).toContain('IST-SE-PORT-NAME');
    }));
  });

  test('duplicate Gateway port names and TLS servers without tls are caught', () => {
    fc.assert(fc.property(gateway, gw => {
      const servers = [...gw.spec.servers, { ...gw.spec.servers[0], hosts: ['other.example.org'] }];
      expect(errorRules({ ...gw, spec: { ...gw.spec, servers } })).toContain('IST-GW-PORT-NAME-DUPLICATE');
      const naked = gw.spec.servers.map((s: any) => ({ port: { ...s.port, protocol: 'TLS' }, hosts: s.hosts }));
      expect(errorRules({ ...gw, spec: { ...gw.spec, servers: naked } })).toContain('IST-GW-TLS-REQUIRED');
    }));
  });

  test('a dotted subset name is caught', () => {
    fc.assert(fc.property(destinationRule, label, (dr, name) => {
      const subsets = [...(dr.spec.subsets ?? []), { name: `${name}.v1` }];
      expect(errorRules({ ...dr, spec: { ...dr.spec, subsets } })).toContain('IST-DR-SUBSET-NAME');
    }));
  });

  test('an unknown field anywhere in the spec is caught', () => {
    fc.assert(fc.property(fc.oneof(serviceEntry, gateway, destinationRule), fc.constantFrom('hostz', 'Ports', 'extra'), (manifest, field) => {
      expect(errorRules({ ...manifest, spec: { ...manifest.spec, [field]: 'x' } })).toContain('SCHEMA-UNKNOWN-FIELD');
    }));
  });

  test('an invalid object name is caught', () => {
    fc.assert(fc.property(fc.oneof(serviceEntry, gateway, destinationRule), fc.constantFrom('Upper', 'under_score', '-dash', 'x'.repeat(254)), (manifest, name) => {
      expect(errorRules({ ...manifest, metadata: { ...manifest.metadata, name } })).toContain('K8S-NAME');
    }));
  });
});
