import { deployment, destinationRule, gateway, patch, service, serviceEntry, telemetry, withField } from './fixtures';
import { Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';
import { QUANTITY_PATTERN, toAjvSchema } from '../../src/validation/structural-schema';

const findingsOf = (manifest: any) => ManifestValidator.validateManifests([manifest]);

/** Structural violations, phrased as the API server phrases them: [rule, bad object, message fragment]. */
const CASES: [string, any, string][] = [
  ['SCHEMA-REQUIRED', withField(serviceEntry, 'spec', {}), 'spec.hosts: Required value'],
  ['SCHEMA-REQUIRED', withField(gateway, 'spec.servers.0.port', { number: 443, protocol: 'TLS' }), 'spec.servers[0].port.name: Required value'],
  ['SCHEMA-UNKNOWN-FIELD', withField(serviceEntry, 'spec.hostz', ['a.example.com']), 'unknown field "spec.hostz"'],
  ['SCHEMA-UNKNOWN-FIELD', withField(serviceEntry, 'status2', {}), 'unknown field "status2"'],
  ['SCHEMA-UNKNOWN-FIELD', withField(service, 'spec.ports.0.portNumber', 443), 'unknown field "spec.ports[0].portNumber"'],
  ['SCHEMA-TYPE', withField(serviceEntry, 'spec.hosts', 'a.example.com'), 'spec.hosts in body must be of type array: "string"'],
  ['SCHEMA-TYPE', withField(service, 'spec.ports.0.targetPort', true), 'spec.ports[0].targetPort in body must be of type integer or string: "boolean"'],
  ['SCHEMA-ENUM', withField(serviceEntry, 'spec.resolution', 'dns'), 'spec.resolution: Unsupported value: "dns"'],
  ['SCHEMA-RANGE', withField(destinationRule, 'spec.trafficPolicy', { loadBalancer: { warmup: { duration: '1s', minimumPercent: 150 } } }), 'should be less than or equal to 100'],
  ['SCHEMA-LENGTH', withField(telemetry, 'spec.accessLogging.0.providers.0.name', ''), 'name in body should be at least 1 chars long'],
  ['SCHEMA-ITEMS', withField(gateway, 'spec.servers.0.tls', { mode: 'SIMPLE', credentialNames: [] }), 'should have at least 1 items'],
  ['SCHEMA-ITEMS', withField(gateway, 'spec.servers.0.tls', { mode: 'SIMPLE', credentialNames: ['a', 'b', 'c'] }), 'must have at most 2 items'],
  ['SCHEMA-PROPERTIES', {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'p', namespace: 'apps' },
    spec: { selector: { matchLabels: { app: 'a' } }, portLevelMtls: {} },
  }, 'spec.portLevelMtls in body should have at least 1 properties'],
  ['SCHEMA-PATTERN', withField(deployment, 'spec.template.spec.containers.0.resources.limits.cpu', '1 core'), 'should match'],
  ['SCHEMA-FORMAT', withField(serviceEntry, 'status', { conditions: [{ lastTransitionTime: 'yesterday' }] }), 'must be of type date-time'],
  ['SCHEMA-ONE-OF', withField(destinationRule, 'spec.trafficPolicy', { loadBalancer: { simple: 'ROUND_ROBIN', consistentHash: { useSourceIp: true } } }), 'set at most one of simple, consistentHash'],
  ['SCHEMA-DUPLICATE', withField(serviceEntry, 'spec.ports', [{ number: 443, name: 'tls', protocol: 'TLS' }, { number: 8443, name: 'tls', protocol: 'TLS' }]), 'spec.ports[1]: Duplicate value'],
  ['SCHEMA-VERSION', withField(serviceEntry, 'apiVersion', 'networking.istio.io/v2'), 'not served in version "v2"'],
  ['SCHEMA-KIND', withField(serviceEntry, 'kind', 'ServiceEntries'), 'no kind "ServiceEntries"'],
];

describe('schema layer |', () => {
  test.each(CASES.map(([rule, manifest, fragment], i) => [`${rule} #${i}`, rule, manifest, fragment] as const))(
    'fails with %s', (_name, rule, manifest, fragment) => {
      const findings = findingsOf(manifest).filter(f => f.rule === rule);
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.every(f => f.severity === Severity.ERROR)).toBe(true);
      expect(findings.map(f => f.message)).toContainEqual(expect.stringContaining(fragment));
    });

  test('a failed oneOf reports the oneOf, not each branch it tried', () => {
    const findings = findingsOf(withField(destinationRule, 'spec.trafficPolicy', { loadBalancer: { simple: 'ROUND_ROBIN', consistentHash: { useSourceIp: true } } }));
    expect(findings.map(f => f.rule)).not.toContain('SCHEMA-REQUIRED');
  });

  test('x-kubernetes-preserve-unknown-fields keeps free-form objects open', () => {
    const filter = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'f', namespace: 'apps' },
      spec: { configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'ADD', value: { anything: { goes: [1, 'two'] } } } }] },
    };
    expect(findingsOf(filter)).toEqual([]);
  });

  test('int-or-string accepts both, as the API server does', () => {
    expect(findingsOf(withField(service, 'spec.ports.0.targetPort', 'tls'))).toEqual([]);
    expect(findingsOf(withField(service, 'spec.ports.0.targetPort', 8443))).toEqual([]);
  });

  test('Kubernetes quantities: canonical strings and numbers pass, other strings fail', () => {
    const pattern = new RegExp(QUANTITY_PATTERN);
    for (const ok of ['100m', '1', '1.5', '1Gi', '512Mi', '1e3', '.5', '2k']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['1 core', '1GB', 'm', '1.2.3', '']) expect(pattern.test(bad)).toBe(false);
    expect(findingsOf(withField(deployment, 'spec.template.spec.containers.0.resources.limits.cpu', 2))).toEqual([]);
  });

  test('closed objects get additionalProperties false unless they preserve unknown fields', () => {
    const converted = toAjvSchema({
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }, { listTypes: true, closeBareObjects: true });
    expect(converted.additionalProperties).toBe(false);
    expect(converted.properties.a.additionalProperties).toBe(false);
    expect(converted.properties.free.additionalProperties).toBeUndefined();
  });

  test('unknown kinds outside the bundle are not checked structurally', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'apps' }, anything: true };
    expect(findingsOf(secret)).toEqual([]);
  });

  test('every served version of an Istio kind validates against the same schema', () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
      expect(findingsOf(patch(serviceEntry, { apiVersion: `networking.istio.io/${version}` }))).toEqual([]);
    }
  });
});
