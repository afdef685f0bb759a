import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { exampleApp } from '../examples/app';
import { EgressGateway, IstioMesh, MeshEgressLockdown } from '../src';
import { synthValid } from './util';

// Issue 18: what a user needs to install the library into an app of their own and deploy what it synthesizes.

const root = join(__dirname, '..');

describe('Deploying |', () => {
  test('createNamespaces emits the locked namespaces first, labelled for injection; without it, none', () => {
    const c = new Chart(Testing.app(), 'egress', { namespace: 'egress-config' });
    const gateway = EgressGateway.fromExisting(c, 'gateway');
    new MeshEgressLockdown(c, 'lockdown', { gateway, namespaces: ['shop', 'blog'], createNamespaces: true });
    const manifests = synthValid(c);
    const namespaces = manifests.filter(m => m.kind === 'Namespace');
    expect(namespaces.map(n => n.metadata)).toEqual([
      { name: 'shop', labels: { 'istio-injection': 'enabled' } },
      { name: 'blog', labels: { 'istio-injection': 'enabled' } },
    ]);
    // Each namespace is written before the objects that live in it, so one `kubectl apply` of the file works.
    for (const ns of ['shop', 'blog']) {
      const at = manifests.findIndex(m => m.kind === 'Namespace' && m.metadata.name === ns);
      const first = manifests.findIndex(m => m.metadata.namespace === ns);
      expect(at).toBeLessThan(first);
    }

    const revisioned = new Chart(Testing.app(), 'egress', { namespace: 'egress-config' });
    const canary = EgressGateway.fromExisting(revisioned, 'gateway', { mesh: new IstioMesh({ revision: 'canary' }) });
    new MeshEgressLockdown(revisioned, 'lockdown', { gateway: canary, namespaces: ['shop'], createNamespaces: true });
    expect(synthValid(revisioned).find(m => m.kind === 'Namespace').metadata.labels).toEqual({ 'istio.io/rev': 'canary' });

    const plain = new Chart(Testing.app(), 'egress', { namespace: 'egress-config' });
    new MeshEgressLockdown(plain, 'lockdown', { gateway: EgressGateway.fromExisting(plain, 'gateway'), namespaces: ['shop'] });
    expect(synthValid(plain).filter(m => m.kind === 'Namespace')).toEqual([]);
  });

  test('every object of the example fits client-side apply\'s last-applied annotation (256 KiB)', () => {
    const app = exampleApp({ app: { outdir: Testing.app().outdir } });
    const sizes = app.charts.flatMap(chart => Testing.synth(chart).map(m => Buffer.byteLength(JSON.stringify(m))));
    expect(Math.max(...sizes)).toBeLessThan(256 * 1024);
  });
});

describe('Use it in your app |', () => {
  test('README shows the consumer app that CI synthesizes from the packed tarball, line for line', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const main = readFileSync(join(root, 'examples/consumer/main.ts'), 'utf8').trim();
    expect(readme).toContain(main);
  });

  test('the example\'s validation plugin entry carries the package\'s own version', () => {
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    const config = parse(readFileSync(join(root, 'examples/cdk8s.yaml'), 'utf8'));
    expect(config.validations).toEqual([expect.objectContaining({ package: './node_modules/cdk8s-istio-gateways', version, class: 'IstioValidationPlugin' })]);
  });
});
