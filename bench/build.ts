import * as fs from 'fs';
import * as path from 'path';
// The bench is a dev-time tool: the compiler is a dev dependency, never a runtime one.
// eslint-disable-next-line import/no-extraneous-dependencies
import * as ts from 'typescript';

/** The repository root (bench/ sits right under it). */
export const ROOT = path.resolve(__dirname, '..');

/**
 * Where the bench keeps its compiled copy of the library and of itself. `.cache` is git-ignored, and the directory
 * sits inside the repository, so `require('cdk8s')` from there resolves to the repository's node_modules.
 */
export const BUILD_DIR = path.join(ROOT, 'bench', '.cache', 'build');

/** The directories transpiled, relative to the root. bench/ contributes its top-level files only. */
const SOURCES: Array<{ dir: string; recursive: boolean }> = [
  { dir: 'src', recursive: true },
  { dir: 'imports', recursive: true },
  { dir: 'bench', recursive: false },
];

/**
 * Transpiles src/, imports/ and bench/ to plain CommonJS (no type check, as `ts-node --transpile-only` would) so the
 * measurement processes run on node alone: no TypeScript compiler in their memory or on their clock, the way a user's
 * app runs the compiled library from lib/. Returns the number of files written.
 */
export function buildForBench(): number {
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  let count = 0;
  for (const { dir, recursive } of SOURCES) {
    for (const file of listFiles(path.join(ROOT, dir), recursive)) {
      const rel = path.relative(ROOT, file);
      const out = path.join(BUILD_DIR, rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      if (file.endsWith('.json')) {
        fs.copyFileSync(file, out);
      } else {
        const result = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
          fileName: file,
          compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
            resolveJsonModule: true,
            experimentalDecorators: true,
          },
        });
        fs.writeFileSync(out.replace(/\.ts$/, '.js'), result.outputText);
      }
      count++;
    }
  }
  return count;
}

function listFiles(dir: string, recursive: boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...listFiles(full, true));
    } else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.json')) {
      if (entry.name === 'tsconfig.json') continue;
      files.push(full);
    }
  }
  return files;
}
