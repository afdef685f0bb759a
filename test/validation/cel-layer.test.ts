import { authorizationPolicy, destinationRule, serviceEntry, telemetry, withField } from './fixtures';
import { parseRequestUri } from '../../src/validation/cel-kubernetes-library';
import { CelLayer } from '../../src/validation/cel-layer';
import { ManifestValidator } from '../../src/validation/manifest-validator';

const findingsOf = (manifest: any) => ManifestValidator.validateManifests([manifest]);

const requestAuthentication = (jwksUri: string) => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'RequestAuthentication',
  metadata: { name: 'jwt', namespace: 'apps' },
  spec: { jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri }] },
});

describe('CEL layer |', () => {
  test('every x-kubernetes-validations rule of the bundle compiles', () => {
    const rules = CelLayer.get().compileAll();
    console.log(`CEL: ${rules.length} distinct x-kubernetes-validations rules in the schema bundle, all compiled`);
    expect(rules.filter(r => r.error)).toEqual([]);
    // Istio 1.30.3's networking/security/telemetry CRDs carry 31 distinct rules (WasmPlugin's 5 are not in the bundle).
    expect(rules.length).toBeGreaterThanOrEqual(30);
  });

  test.each([
    ['rule on a list item (.spec.hosts[])', withField(serviceEntry, 'spec.hosts', ['*']), 'spec.hosts[0]', 'hostname cannot be wildcard'],
    ['rule on a list (.spec.ports)', withField(serviceEntry, 'spec.ports', [{ number: 443, name: 'a' }, { number: 443, name: 'b' }]), 'spec.ports', 'port number cannot be duplicated'],
    ['rule on an object (.spec)', withField(serviceEntry, 'spec.addresses', ['10.0.0.0/16']), 'spec', 'CIDR addresses are allowed only for NONE/STATIC resolution types'],
    ['rule on map values (labels{*})', withField(destinationRule, 'spec.workloadSelector', { matchLabels: { app: '*' } }), 'spec.workloadSelector.matchLabels.app', 'wildcard not allowed in label value match'],
    ['rule on a map (matchLabels)', withField(authorizationPolicy, 'spec.selector.matchLabels', { '': 'x' }), 'spec.selector.matchLabels', 'key must not be empty'],
    ['rule under map values of list items', withField(telemetry, 'spec.metrics', [{ overrides: [{ tagOverrides: { foo: { operation: 'REMOVE', value: 'x' } } }] }]), 'spec.metrics[0].overrides[0].tagOverrides.foo', 'value must not be set when operation is REMOVE'],
    ['duration rule', withField(destinationRule, 'spec.trafficPolicy', { connectionPool: { tcp: { connectTimeout: '0.5ms' } } }), 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'must be a valid duration greater than 1ms'],
    ['integer rule (ints are CEL ints)', withField(serviceEntry, 'spec.ports', [{ number: 70000, name: 'a' }]), 'spec.ports[0].number', 'port must be between 1-65535'],
  ])('CEL-RULE: %s', (_name, manifest, path, message) => {
    expect(findingsOf(manifest)).toContainEqual(expect.objectContaining({ rule: 'CEL-RULE', path, message: expect.stringContaining(message) }));
  });

  test('CEL-EVALUATION: a rule that errors at runtime rejects the object, with the API server wording', () => {
    const manifest = withField(requestAuthentication('x'), 'spec.jwtRules.0.timeout', 'apple');
    expect(findingsOf(manifest)).toContainEqual(expect.objectContaining({
      rule: 'CEL-EVALUATION', path: 'spec.jwtRules[0].timeout', message: expect.stringMatching(/evaluating rule: must be a valid duration/),
    }));
  });

  test('the Kubernetes URL library: url(), getScheme()', () => {
    expect(findingsOf(requestAuthentication('https://issuer.example.com/jwks.json'))).toEqual([]);
    expect(findingsOf(requestAuthentication('ftp://issuer.example.com/jwks.json'))).toContainEqual(expect.objectContaining({
      rule: 'CEL-RULE', message: expect.stringContaining('url must have scheme http:// or https://'),
    }));
    expect(findingsOf(requestAuthentication('issuer.example.com/jwks.json'))).toContainEqual(expect.objectContaining({ rule: 'CEL-EVALUATION' }));
  });

  test('URL parsing follows Go url.ParseRequestURI', () => {
    expect(parseRequestUri('https://user@example.com:8443/a/b?x=1&x=2&y')).toEqual({
      scheme: 'https',
      host: 'example.com:8443',
      hostname: 'example.com',
      port: '8443',
      escapedPath: '/a/b',
      query: { x: ['1', '2'], y: [''] },
      rawQuery: '?x=1&x=2&y',
    });
    expect(parseRequestUri('https://[::1]:80/')).toEqual(expect.objectContaining({ hostname: '::1', port: '80' }));
    expect(parseRequestUri('/absolute/path')).toEqual(expect.objectContaining({ scheme: '', escapedPath: '/absolute/path' }));
    expect(parseRequestUri('relative/path')).toMatch(/invalid URI for request/);
    expect(parseRequestUri('http://x/\u0001')).toMatch(/invalid control character/);
  });

  test('int() of a non-numeric key fails with cel-go wording', () => {
    const peerAuthentication = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'p', namespace: 'apps' },
      spec: { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { https: { mode: 'STRICT' } } },
    };
    expect(findingsOf(peerAuthentication)).toContainEqual(expect.objectContaining({
      rule: 'CEL-EVALUATION', message: expect.stringContaining("type conversion error from 'string' to 'int'"),
    }));
  });

  test('rules do not run on values of the wrong type (the schema layer reports those)', () => {
    const findings = findingsOf(withField(serviceEntry, 'spec.ports', 'not-a-list'));
    expect(findings.map(f => f.rule)).toContain('SCHEMA-TYPE');
    expect(findings.map(f => f.rule)).not.toContain('CEL-EVALUATION');
  });
});
