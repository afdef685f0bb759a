import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import * as YAML from 'yaml';
import { egressStack } from './egress-stack';
import { ALL, serviceEntry, withField } from './fixtures';
import { IstioValidationPlugin } from '../../src/validation/validation-plugin';

/** Writes manifests as the CLI would (one YAML file per chart) and builds the CLI's own ValidationContext. */
function contextFor(...files: any[][]): ValidationContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-validation-plugin-'));
  const paths = files.map((manifests, i) => {
    const file = path.join(dir, `chart-${i}.k8s.yaml`);
    fs.writeFileSync(file, manifests.map(m => YAML.stringify(m)).join('---\n'));
    return file;
  });
  return new ValidationContext(paths, 'cdk8s-istio-gateways', '0.0.0', { api: { path: 'app/chart/api' } }, false);
}

describe('IstioValidationPlugin |', () => {
  test('passes a valid app and says what it checked', async () => {
    const context = contextFor(ALL.slice(0, 9), ALL.slice(9));
    await new IstioValidationPlugin().validate(context);
    const report = context.report.toJson();
    expect(report.summary).toEqual(expect.objectContaining({ status: 'success', metadata: { objects: String(ALL.length), errors: '0', warnings: '0' } }));
    expect(report.violations).toEqual([]);
  });

  test('fails on errors, with the construct path, manifest and field of each finding', async () => {
    const bad = withField(serviceEntry, 'spec.hosts', ['*.wikipedia.org']);
    const context = contextFor([bad]);
    await new IstioValidationPlugin().validate(context);
    expect(context.report.success).toBe(false);
    expect(context.report.toJson().violations).toContainEqual(expect.objectContaining({
      ruleName: 'ERROR IST-SE-WILDCARD-DNS',
      recommendation: expect.stringContaining('*.wikipedia.org'),
      violatingConstructs: [expect.objectContaining({
        resourceName: 'api', constructPath: 'app/chart/api', locations: ['spec.hosts[0]'], manifestPath: context.manifests[0],
      })],
    }));
  });

  test('warnings pass unless failOnWarnings is set', async () => {
    const warned = withField(withField(serviceEntry, 'spec.resolution', 'NONE'), 'spec.ports', [{ number: 5432, name: 'pg', protocol: 'TCP' }]);
    const lenient = contextFor([warned]);
    await new IstioValidationPlugin().validate(lenient);
    expect(lenient.report.success).toBe(true);
    expect(lenient.report.toJson().violations.map(v => v.ruleName)).toEqual(['WARNING IST-SE-TCP-NO-ADDRESS']);
    const strict = contextFor([warned]);
    await new IstioValidationPlugin({ failOnWarnings: true }).validate(strict);
    expect(strict.report.success).toBe(false);
  });

  test('validates all files as one set (cross-file references resolve)', async () => {
    const [first, second] = egressStack();
    const context = contextFor(first, second);
    await new IstioValidationPlugin().validate(context);
    expect(context.report.toJson().violations).toEqual([]);
  });

  test('options reach the validator', async () => {
    const [first, second] = egressStack();
    const withoutGateway = second.filter(m => m.kind !== 'Gateway');
    const rejected = contextFor(first, withoutGateway);
    await new IstioValidationPlugin().validate(rejected);
    expect(rejected.report.success).toBe(false);
    const accepted = contextFor(first, withoutGateway);
    await new IstioValidationPlugin({ externalGateways: ['istio-egress/egress'] }).validate(accepted);
    expect(accepted.report.toJson().violations.map(v => v.ruleName)).not.toContain('ERROR IST-XREF-GATEWAY-NOT-FOUND');
  });
});
