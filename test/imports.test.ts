import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { synthValid } from './util';
import * as monitoring from '../imports/monitoring.coreos.com';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import * as telemetry from '../imports/telemetry.istio.io';

const ROOT = path.resolve(__dirname, '..');
const SHARED_CRDS = path.resolve(ROOT, '..', 'shared', 'crds');

// A CRD refresh must never silently downgrade what we emit (cdk8s picks the first listed version per kind).
describe('imports |', () => {
  test.each([
    [networking.ServiceEntry.GVK, 'networking.istio.io/v1'],
    [networking.Gateway.GVK, 'networking.istio.io/v1'],
    [networking.VirtualService.GVK, 'networking.istio.io/v1'],
    [networking.DestinationRule.GVK, 'networking.istio.io/v1'],
    [networking.Sidecar.GVK, 'networking.istio.io/v1'],
    [security.AuthorizationPolicy.GVK, 'security.istio.io/v1'],
    [security.PeerAuthentication.GVK, 'security.istio.io/v1'],
    [telemetry.Telemetry.GVK, 'telemetry.istio.io/v1'],
    [monitoring.PodMonitor.GVK, 'monitoring.coreos.com/v1'],
    [monitoring.PrometheusRule.GVK, 'monitoring.coreos.com/v1'],
  ])('%o is served as %s', (gvk, apiVersion) => {
    expect(gvk.apiVersion).toEqual(apiVersion);
  });

  test('a synthesized object carries the v1 apiVersion', () => {
    const chart = Testing.chart();
    new networking.ServiceEntry(chart, 'se', { spec: { hosts: ['httpbin.org'] } });
    expect(synthValid(chart)[0].apiVersion).toEqual('networking.istio.io/v1');
  });

  // The committed imports/ must be exactly what the import task generates from the pinned CRDs: no hand edits, no
  // drift, no upstream prose. Needs ../shared, which only developers and CI have.
  test('imports/ is reproduced byte for byte by the import task', () => {
    if (!fs.existsSync(SHARED_CRDS)) {
      console.log(`${SHARED_CRDS} not found: imports/ reproducibility check skipped`);
      return;
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'),
      ['--project', 'projenrc/tsconfig.json', 'projenrc/import-crds.ts', out], { cwd: ROOT, stdio: 'pipe' });
    const committed = fs.readdirSync(path.join(ROOT, 'imports')).sort();
    expect(fs.readdirSync(out).sort()).toEqual(committed);
    for (const file of committed) {
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toEqual(fs.readFileSync(path.join(ROOT, 'imports', file), 'utf8'));
    }
    expect(fs.readFileSync(path.join(out, 'schemas.json'), 'utf8')).not.toMatch(/"description"/);
  }, 120_000);
});
