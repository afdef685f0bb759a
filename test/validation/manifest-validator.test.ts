import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { gateway, serviceEntry, virtualService, withField } from './fixtures';
import { Severity } from '../../src/validation/finding';
import { ManifestValidator } from '../../src/validation/manifest-validator';

/** Adds a raw manifest to a chart, as an L1 construct would. */
function add(chart: Chart, id: string, manifest: any): ApiObject {
  return new ApiObject(chart, id, manifest);
}

describe('ManifestValidator |', () => {
  test('validateChart synthesizes the chart and validates its objects', () => {
    const chart = Testing.chart();
    add(chart, 'se', { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'api' } });
    expect(ManifestValidator.validateChart(chart)).toEqual([expect.objectContaining({
      objectName: 'ServiceEntry api', path: 'spec', rule: 'SCHEMA-REQUIRED', severity: Severity.ERROR,
    })]);
  });

  test('validateApp checks references across charts', () => {
    const app = Testing.app();
    const routes = new Chart(app, 'routes');
    add(routes, 'vs', withField(withField(virtualService, 'spec.gateways', ['istio-egress/egress']), 'spec.tls.0.match.0.gateways', undefined));
    add(new Chart(app, 'gateways'), 'gw', gateway);
    expect(ManifestValidator.validateManifests(routes.toJson()).map(f => f.rule)).toContain('IST-XREF-GATEWAY-NOT-FOUND');
    expect(ManifestValidator.validateApp(app).map(f => f.rule)).not.toContain('IST-XREF-GATEWAY-NOT-FOUND');
    expect(ManifestValidator.validateChart(routes).map(f => f.rule)).not.toContain('IST-XREF-GATEWAY-NOT-FOUND');
  });

  test('validateChart reports only the findings about its own objects', () => {
    const app = Testing.app();
    const good = new Chart(app, 'good');
    add(good, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } });
    add(new Chart(app, 'bad'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Fine' } });
    expect(ManifestValidator.validateChart(good)).toEqual([]);
    expect(ManifestValidator.validateApp(app).map(f => f.objectName)).toEqual(['ConfigMap Not_Fine']);
    expect(ManifestValidator.assertValid(good)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } }]);
  });

  test('assertValid fails on warnings only with failOnWarnings', () => {
    const chart = Testing.chart();
    // TCP without addresses under resolution NONE: admitted by istiod, with a warning.
    add(chart, 'se', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'pg' },
      spec: { hosts: ['pg.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'NONE' },
    });
    expect(() => ManifestValidator.assertValid(chart)).not.toThrow();
    expect(() => ManifestValidator.assertValid(chart, { failOnWarnings: true })).toThrow(/WARNING .*\[IST-SE-TCP-NO-ADDRESS\]/);
  });

  test('assertValid returns the manifests of a valid chart', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    expect(ManifestValidator.assertValid(chart)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }]);
  });

  test('assertValid throws a readable list of every error', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', labels: { app: 'a b' } } });
    expect(() => ManifestValidator.assertValid(chart)).toThrow(
      /2 error\(s\) and 0 warning\(s\)[^]*ERROR ConfigMap Bad_Name metadata.name \[K8S-NAME\][^]*\[K8S-LABEL\]/);
  });

  test('assertValidManifests does not fail on warnings', () => {
    const tcpWithoutAddress = withField(withField(serviceEntry, 'spec.resolution', 'NONE'), 'spec.ports', [{ number: 5432, name: 'pg', protocol: 'TCP' }]);
    expect(ManifestValidator.validateManifests([tcpWithoutAddress]).map(f => f.severity)).toEqual([Severity.WARNING]);
    expect(ManifestValidator.assertValidManifests([tcpWithoutAddress])).toEqual([tcpWithoutAddress]);
  });

  test('assertValidApp covers every chart', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new ApiObject(new Chart(app, 'one'), 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    new ApiObject(new Chart(app, 'two'), 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b.c.' } });
    expect(() => ManifestValidator.assertValidApp(app)).toThrow(/ConfigMap a\.b\.c\. metadata\.name \[K8S-NAME\]/);
  });

  test('objects of API groups without a schema are flagged as unchecked (SCHEMA-UNKNOWN-GROUP), built-in ones are not', () => {
    const wasm = { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'filter', namespace: 'apps' }, spec: {} };
    expect(ManifestValidator.validateManifests([wasm])).toEqual([expect.objectContaining({
      rule: 'SCHEMA-UNKNOWN-GROUP', severity: Severity.WARNING, objectName: 'WasmPlugin apps/filter', path: 'apiVersion',
    })]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'apps' } };
    expect(ManifestValidator.validateManifests([secret]).map(f => f.rule)).not.toContain('SCHEMA-UNKNOWN-GROUP');
  });

  test('malformed manifests are reported, not crashed on', () => {
    const findings = ManifestValidator.validateManifests([null, [], { metadata: { name: 'x' } }, 'text']);
    expect(findings.map(f => f.rule)).toEqual(['SCHEMA-TYPE', 'SCHEMA-TYPE', 'SCHEMA-TYPE', 'SCHEMA-TYPE']);
  });

  test('objects without a namespace take the default namespace (exportTo "." and the own namespace collide)', () => {
    const noNamespace = withField(withField(serviceEntry, 'metadata.namespace', undefined), 'spec.exportTo', ['.', 'prod']);
    expect(ManifestValidator.validateManifests([noNamespace]).map(f => f.rule)).not.toContain('IST-EXPORT-TO-DUPLICATE');
    expect(ManifestValidator.validateManifests([noNamespace], { defaultNamespace: 'prod' }).map(f => f.rule)).toContain('IST-EXPORT-TO-DUPLICATE');
  });

  test('formatFindings', () => {
    expect(ManifestValidator.formatFindings([])).toEqual('no findings');
    expect(ManifestValidator.formatFindings([{ objectName: 'Service a/b', path: '', rule: 'R', message: 'm', severity: Severity.WARNING }]))
      .toEqual('0 error(s) and 1 warning(s) in the synthesized manifests:\n  WARNING Service a/b [R] m');
  });
});

