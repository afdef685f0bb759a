import * as fs from 'fs';
import * as path from 'path';

/** One function's share of a CPU profile. */
export interface HotFunction {
  readonly name: string;
  readonly location: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Functions by self time (time spent in the function's own code). */
  readonly self: HotFunction[];
  /**
   * Functions whose file is under `focus`, by inclusive time (time with the function anywhere on the stack): where
   * the library's own calls spend, callees included.
   */
  readonly inclusive: HotFunction[];
}

/** Reads a V8 `.cpuprofile` (as written by `node --cpu-prof`). Locations are relative to `root`. */
export function summarizeProfile(profileFile: string, root: string, focus: string, top = 10): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
  const nodes = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const describe = (node: any) => {
    const frame = node.callFrame;
    const file = frame.url ? frame.url.replace(/^file:\/\//, '') : '';
    return {
      key: `${frame.functionName}@${file}:${frame.lineNumber}`,
      name: frame.functionName || '(anonymous)',
      file,
      location: file ? `${path.relative(root, file)}:${frame.lineNumber + 1}` : '',
    };
  };

  const self = new Map<string, { name: string; location: string; us: number }>();
  const inclusive = new Map<string, { name: string; location: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id: number, i: number) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const leaf = nodes.get(id);
    if (!leaf) return;
    const d = describe(leaf);
    const entry = self.get(d.key) ?? { name: d.name, location: d.location, us: 0 };
    entry.us += delta;
    self.set(d.key, entry);
    const seen = new Set<string>();
    for (let n: any = leaf; n; n = nodes.get(parent.get(n.id)!)) {
      const f = describe(n);
      if (!f.file.startsWith(focus) || seen.has(f.key)) continue;
      seen.add(f.key);
      const inc = inclusive.get(f.key) ?? { name: f.name, location: f.location, us: 0 };
      inc.us += delta;
      inclusive.set(f.key, inc);
    }
  });
  const rank = (m: Map<string, { name: string; location: string; us: number }>) => [...m.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(e => ({ name: e.name, location: e.location, ms: e.us / 1000, share: total === 0 ? 0 : e.us / total }));
  return { self: rank(self), inclusive: rank(inclusive) };
}
