/**
 * One measurement, in a fresh node process started by bench/index.ts (never run by hand). The task comes as JSON in
 * argv[2]; the result goes to stdout as one `BENCH-RESULT <json>` line. A fresh process per sample keeps heaps, JIT
 * state and caches of one run out of the next, and makes `process.resourceUsage().maxRSS` the peak of this sample.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Yaml } from 'cdk8s';
import { docsPattern, docsPatternForHost } from './docs-pattern';
import { buildBaselineApp, buildEgressApp, chartManifests, ChartManifests, EgressScenario, Floor } from './egress-app';
import { measureScale } from './scale';
import { loadValidator } from './validate-objects';

export type WorkerTask =
  | { readonly kind: 'dump'; readonly hosts: number; readonly file: string }
  | { readonly kind: 'construct'; readonly hosts: number; readonly outdir: string }
  | { readonly kind: 'baseline'; readonly file: string; readonly outdir: string; readonly floor: Floor }
  | { readonly kind: 'size'; readonly hosts: number }
  | { readonly kind: 'scale'; readonly scenario: EgressScenario; readonly oneMore: boolean }
  | {
    readonly kind: 'validate';
    /** Objects from this dump (see `dump`), else from synthesizing `hosts` hosts. */
    readonly file?: string;
    readonly hosts: number;
    readonly objects: number;
    /** At most this many warm passes, fewer once they have taken `warmBudgetMs` together (at least one). */
    readonly passes: number;
    readonly warmBudgetMs: number;
  };

/** One timed synth. */
export interface SynthSample {
  /** Creating the constructs (or ApiObjects). */
  readonly buildMs: number;
  /** `app.synth()`: validations, resolve, YAML, files. */
  readonly synthMs: number;
  readonly totalMs: number;
  /** Peak resident set of the whole process (node, modules, input, app), in MiB. */
  readonly peakRssMb: number;
  /** Peak resident set before the timed region (node, modules and, for the baseline, the parsed input), in MiB. */
  readonly startRssMb: number;
  readonly objects: number;
  readonly outputBytes: number;
  /** sha256 of the output files, to prove the baseline emits what the constructs emit. */
  readonly outputHash: string;
}

export interface KindSize {
  readonly kind: string;
  readonly count: number;
  readonly bytes: number;
  readonly everyone: number;
  readonly narrowed: number;
}

export interface OutputSize {
  readonly objects: number;
  readonly bytes: number;
  readonly byKind: KindSize[];
  /** ServiceEntries, VirtualServices and DestinationRules with `exportTo` unset or `*`. */
  readonly exportedToEveryone: number;
  /** The same kinds with a namespace list. */
  readonly exportedNarrowed: number;
  /** Mean number of exportTo entries of the narrowed objects. */
  readonly meanNarrowedScope: number;
  /** `Kind namespace/name` of the first objects exported to everyone. */
  readonly everyoneSample: string[];
}

export interface SizeResult {
  readonly hosts: number;
  readonly library: OutputSize;
  readonly libraryPlusHttp: OutputSize;
  readonly libraryPlusHttps: OutputSize;
  readonly docs: OutputSize;
  readonly docsHttpHost: OutputSize;
  readonly docsHttpsHost: OutputSize;
}

export interface ValidateResult {
  readonly via: string;
  readonly objects: number;
  /** First pass in a fresh process: schema loading and compilation included. */
  readonly coldMs?: number;
  /** How many fresh processes `coldMs` is the median of (set by the orchestrator). */
  readonly coldRuns?: number;
  /** Later passes over the same objects. */
  readonly warmMs: number[];
  readonly errors?: number;
  readonly warnings?: number;
  readonly sample?: string[];
}

const MIB = 1024 * 1024;

function peakRssMb(): number {
  return process.resourceUsage().maxRSS * 1024 / MIB; // maxRSS is in KiB
}

function hashOutput(outdir: string): { hash: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const file of fs.readdirSync(outdir).sort()) {
    const data = fs.readFileSync(path.join(outdir, file));
    hash.update(file).update(data);
    bytes += data.length;
  }
  return { hash: hash.digest('hex').slice(0, 16), bytes };
}

function timedSynth(build: () => App, outdir: string): SynthSample {
  const startRssMb = peakRssMb();
  const t0 = performance.now();
  const app = build();
  const t1 = performance.now();
  app.synth();
  const t2 = performance.now();
  const peak = peakRssMb();
  const { hash, bytes } = hashOutput(outdir);
  const objects = app.node.findAll().filter(c => ApiObject.isApiObject(c)).length;
  return { buildMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, peakRssMb: peak, startRssMb, objects, outputBytes: bytes, outputHash: hash };
}

const EXPORTABLE = new Set(['ServiceEntry', 'VirtualService', 'DestinationRule']);

function measureObjects(objects: any[], bytes?: number): OutputSize {
  const byKind = new Map<string, { kind: string; count: number; bytes: number; everyone: number; narrowed: number }>();
  let everyone = 0;
  let narrowed = 0;
  let scope = 0;
  let sum = 0;
  const everyoneSample: string[] = [];
  for (const object of objects) {
    const size = Buffer.byteLength(Yaml.stringify(object));
    sum += size;
    const entry = byKind.get(object.kind) ?? { kind: object.kind, count: 0, bytes: 0, everyone: 0, narrowed: 0 };
    entry.count++;
    entry.bytes += size;
    byKind.set(object.kind, entry);
    if (String(object.apiVersion).startsWith('networking.istio.io/') && EXPORTABLE.has(object.kind)) {
      const exportTo: string[] | undefined = object.spec?.exportTo;
      if (!exportTo || exportTo.length === 0 || exportTo.includes('*')) {
        everyone++;
        entry.everyone++;
        if (everyoneSample.length < 5) {
          everyoneSample.push(`${object.kind} ${object.metadata?.namespace ?? '(no namespace)'}/${object.metadata?.name}`);
        }
      } else {
        narrowed++;
        entry.narrowed++;
        scope += exportTo.length;
      }
    }
  }
  return {
    objects: objects.length,
    // The files as written; YAML separators make them a little larger than the sum of the objects.
    bytes: bytes ?? Buffer.byteLength(Yaml.stringify(...objects)),
    byKind: [...byKind.values()].sort((a, b) => b.bytes - a.bytes),
    exportedToEveryone: everyone,
    exportedNarrowed: narrowed,
    meanNarrowedScope: narrowed === 0 ? 0 : scope / narrowed,
    everyoneSample,
  };
}

function measureApp(scenario: EgressScenario): OutputSize {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-size-'));
  try {
    const app = buildEgressApp(scenario, outdir);
    app.synth();
    const objects = chartManifests(app).flatMap(c => c.manifests);
    return measureObjects(objects, hashOutput(outdir).bytes);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function run(task: WorkerTask): unknown {
  switch (task.kind) {
    case 'dump': {
      const app = buildEgressApp({ hosts: task.hosts }, fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dump-')));
      const charts = chartManifests(app);
      fs.writeFileSync(task.file, JSON.stringify(charts));
      fs.rmSync(app.outdir, { recursive: true, force: true });
      return { objects: charts.reduce((n, c) => n + c.manifests.length, 0) };
    }
    case 'construct':
      return timedSynth(() => buildEgressApp({ hosts: task.hosts }, task.outdir), task.outdir);
    case 'baseline': {
      const charts = JSON.parse(fs.readFileSync(task.file, 'utf8'));
      return timedSynth(() => buildBaselineApp(charts, task.outdir, task.floor), task.outdir);
    }
    case 'size':
      return {
        hosts: task.hosts,
        library: measureApp({ hosts: task.hosts }),
        libraryPlusHttp: measureApp({ hosts: task.hosts, extra: 'http' }),
        libraryPlusHttps: measureApp({ hosts: task.hosts, extra: 'https' }),
        docs: measureObjects(docsPattern(task.hosts)),
        docsHttpHost: measureObjects(docsPatternForHost('extra.example.com', false)),
        docsHttpsHost: measureObjects(docsPatternForHost('extra.example.com', true)),
      } satisfies SizeResult;
    case 'scale':
      return measureScale(task.scenario, task.oneMore);
    case 'validate': {
      let charts: ChartManifests[];
      if (task.file) {
        charts = JSON.parse(fs.readFileSync(task.file, 'utf8'));
      } else {
        const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-validate-'));
        charts = chartManifests(buildEgressApp({ hosts: task.hosts }, outdir));
        fs.rmSync(outdir, { recursive: true, force: true });
      }
      const manifests = charts.flatMap(c => c.manifests).slice(0, task.objects);
      // Loaded only now, so the cold pass pays for reading the schemas and compiling validators, as a user's first call does.
      const t0 = performance.now();
      const validator = loadValidator();
      if (!validator.validate) return { via: validator.via, objects: manifests.length, warmMs: [] } satisfies ValidateResult;
      const first = validator.validate(manifests);
      const coldMs = performance.now() - t0;
      const warmMs: number[] = [];
      while (warmMs.length < task.passes && (warmMs.length === 0 || warmMs.reduce((a, b) => a + b, 0) < task.warmBudgetMs)) {
        const t = performance.now();
        validator.validate(manifests);
        warmMs.push(performance.now() - t);
      }
      return { via: validator.via, objects: manifests.length, coldMs, warmMs, ...first } satisfies ValidateResult;
    }
  }
}

if (require.main === module) {
  const task = JSON.parse(process.argv[2]) as WorkerTask;
  const result = run(task);
  process.stdout.write(`BENCH-RESULT ${JSON.stringify(result)}\n`);
}
