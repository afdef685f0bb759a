import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { exampleApp } from '../../examples/app';
import {
  EgressGateway, EgressGrantee, EgressInventory, EgressInventoryFormat, EgressRoute, ExternalPort, ExternalService, MeshEgressLockdown,
} from '../../src';

// The example app's inventory: from its construct tree and from the manifests it synthesizes, the snapshots of the
// three renderings, Mermaid's own parser on the flowchart, and the package's command on the example's output.

const ROOT = path.join(__dirname, '..', '..');

/** The example app synthesized into a fresh directory, with its manifest files. */
function synthesizedExample(): { app: App; files: string[]; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-example-'));
  const app = exampleApp({ app: { outdir: dir } });
  app.synth();
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort().map(f => path.join(dir, f));
  return { app, files, dir };
}

/** Runs `mermaid.parse` on `text` in a child node process (mermaid is ESM-only and wants a DOM). */
function parseMermaid(text: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(__dirname, 'mermaid-parse.mjs')], { input: text, encoding: 'utf8', cwd: ROOT });
}

/** Runs the package's `cdk8s-istio-inventory` command from its sources. */
function cli(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/report/inventory-cli.ts'), ...args],
    { encoding: 'utf8', cwd: ROOT });
}

const example = synthesizedExample();
const tree = EgressInventory.of(example.app);

describe('EgressInventory | the example app', () => {
  test('the inventory from its manifests is the inventory from its construct tree, but for the construct paths', () => {
    const fromFiles = EgressInventory.fromFiles(example.files);
    expect(fromFiles.render(EgressInventoryFormat.JSON)).toEqual(tree.withoutProvenance().render(EgressInventoryFormat.JSON));
    expect(fromFiles.render(EgressInventoryFormat.MARKDOWN)).toEqual(tree.withoutProvenance().render(EgressInventoryFormat.MARKDOWN));
    expect(fromFiles.render(EgressInventoryFormat.MERMAID)).toEqual(tree.render(EgressInventoryFormat.MERMAID));
  });

  test('every host with its exact grants: zhihu to productpage (passthrough), httpbin to reviews (HTTP), zhihu:80 direct only', () => {
    const doc = tree.document;
    expect(doc.hosts.map(h => [h.host, h.ports.map(p => `${p.number}:${p.tls}:${p.gateway ? 'gateway' : 'direct'}`), h.grants.map(g => g.principal)]))
      .toEqual([
        ['httpbin.org', ['80:NONE:gateway'], [expect.stringMatching(/^cluster.local\/ns\/bookinfo\/sa\/bookinfo-reviews-sa-/)]],
        ['www.zhihu.com', ['80:NONE:direct', '443:APPLICATION:gateway'], [expect.stringMatching(/^cluster.local\/ns\/bookinfo\/sa\/bookinfo-productpage-sa-/)]],
        ['zhihu.com', ['80:NONE:direct', '443:APPLICATION:gateway'], [expect.stringMatching(/^cluster.local\/ns\/bookinfo\/sa\/bookinfo-productpage-sa-/)]],
      ]);
    expect(doc.lockedNamespaces).toEqual(['bookinfo']);
  });

  test('snapshots: JSON, Markdown and Mermaid', () => {
    expect(tree.render(EgressInventoryFormat.JSON)).toMatchSnapshot();
    expect(tree.render(EgressInventoryFormat.MARKDOWN)).toMatchSnapshot();
    expect(tree.render(EgressInventoryFormat.MERMAID)).toMatchSnapshot();
  });

  test('the README shows the example\'s flowchart as the example writes it', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`mermaid\n${tree.render(EgressInventoryFormat.MERMAID)}\`\`\``);
  });

  test('deterministic: a second app gives the same bytes', () => {
    expect(EgressInventory.of(exampleApp()).render(EgressInventoryFormat.MARKDOWN)).toEqual(tree.render(EgressInventoryFormat.MARKDOWN));
  });
});

describe('EgressInventory | Mermaid', () => {
  test('the flowchart parses with the mermaid package\'s parser', () => {
    const result = parseMermaid(tree.render(EgressInventoryFormat.MERMAID));
    expect(result.stderr).toEqual('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ diagramType: 'flowchart-v2' });
  });

  test('labels keep `#` and `"` (entities) and Markdown keeps backticks: a header value with all three', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-odd-')) });
    const gateway = EgressGateway.fromExisting(new Chart(app, 'edge', { namespace: 'istio-egress' }), 'gateway');
    const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
    new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
    const service = new ExternalService(egress, 'api', { hosts: ['*.example.com'], ports: [ExternalPort.http()] });
    new EgressRoute(egress, 'api-route', { gateway, service })
      .grantEgress(EgressGrantee.serviceAccount('shop', 'checkout'), { headers: { 'x-note': 'a#quot;b"c`d' } });
    const inventory = EgressInventory.of(app);
    const mermaid = inventory.render(EgressInventoryFormat.MERMAID);
    expect(mermaid).toContain('x-note=a#35;quot;b#quot;c`d');
    const result = parseMermaid(mermaid);
    expect([result.stderr, result.status]).toEqual(['', 0]);
    expect(inventory.render(EgressInventoryFormat.MARKDOWN)).toContain('`` x-note: a#quot;b"c`d ``');
  });

  test('the parser check fails on invalid Mermaid', () => {
    const result = parseMermaid('flowchart LR\n  a -->|"unclosed| b\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Parse error on line \d+:/);
  });
});

describe('EgressInventory | cdk8s-istio-inventory', () => {
  test('prints the JSON inventory of manifest files, the same as the construct tree\'s', () => {
    const result = cli(...example.files);
    expect([result.stderr, result.status]).toEqual(['', 0]);
    expect(result.stdout).toEqual(tree.withoutProvenance().render(EgressInventoryFormat.JSON));
  });

  test('reads a directory, and writes the three files with --out', () => {
    const out = path.join(example.dir, 'review');
    const result = cli('--out', out, example.dir);
    expect([result.stderr, result.status]).toEqual(['', 0]);
    expect(result.stdout.trim().split('\n').map(f => path.basename(f))).toEqual(['egress-inventory.json', 'egress-inventory.md', 'egress-inventory.mmd']);
    expect(fs.readFileSync(path.join(out, 'egress-inventory.md'), 'utf8')).toEqual(tree.withoutProvenance().render(EgressInventoryFormat.MARKDOWN));
  });

  test('prints one format with --format', () => {
    const result = cli('--format', 'mermaid', ...example.files);
    expect([result.stdout, result.status]).toEqual([tree.render(EgressInventoryFormat.MERMAID), 0]);
  });

  test('fails with the usage (exit 2) on an unknown format, an unknown option, no manifests, an empty directory', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'inventory-empty-'));
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'yaml', ...example.files], /unknown format 'yaml'; use one of json, markdown, mermaid/],
      [['--colour', ...example.files], /Unknown option '--colour'/],
      [[], /no manifests given; name the files \(e.g. dist\/\*.k8s.yaml\), a directory of them, or - for standard input/],
      [[empty], /directory '.+' holds no .yaml or .yml file; name the manifest files/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      expect([result.status, result.stderr]).toEqual([2, expect.stringMatching(message)]);
      expect(result.stderr).toMatch(/usage: cdk8s-istio-inventory/);
    }
  });

  test('fails (exit 1) naming a file it cannot read', () => {
    const result = cli('/nonexistent/egress.k8s.yaml');
    expect([result.status, result.stderr]).toEqual([1, expect.stringMatching(/^cdk8s-istio-inventory: \/nonexistent\/egress.k8s.yaml: cannot read the file \(ENOENT\)/)]);
  });

  test('--help prints the usage', () => {
    expect(cli('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^usage: cdk8s-istio-inventory/) });
  });
});
