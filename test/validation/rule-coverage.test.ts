import * as fs from 'fs';
import * as path from 'path';

/** Every rule file under a directory, recursively. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Rule ids as they are written in code: quoted literals, and the TLS rules built from a per-kind prefix. */
function ruleIds(text: string): string[] {
  const literals = [...text.matchAll(/'((?:IST|K8S|SCHEMA|CEL)-[A-Z0-9-]+)'/g)].map(m => m[1]);
  const prefixed = [...text.matchAll(/`\$\{rulePrefix\}(-[A-Z0-9-]+)`/g)].flatMap(m => ['IST-GW', 'IST-SC'].map(p => `${p}${m[1]}`));
  return [...literals, ...prefixed];
}

describe('rule coverage |', () => {
  test('every rule the validator can report has a bad-input test', () => {
    const emitted = new Set(sources(path.join(__dirname, '..', '..', 'src', 'validation')).flatMap(f => ruleIds(fs.readFileSync(f, 'utf8'))));
    const tested = new Set(sources(__dirname).filter(f => f.endsWith('.test.ts') && f !== __filename)
      .flatMap(f => ruleIds(fs.readFileSync(f, 'utf8'))));
    // The two prefixes only exist to build the TLS rule ids above.
    emitted.delete('IST-GW');
    emitted.delete('IST-SC');
    console.log(`rule coverage: ${emitted.size} rule ids, each with a bad-input test`);
    expect([...emitted].filter(rule => !tested.has(rule)).sort()).toEqual([]);
  });
});
