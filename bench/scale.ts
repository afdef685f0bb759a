import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildEgressApp, chartManifests, EgressScenario, namespaceNames } from './egress-app';

// Issue 14: whether any object grows with the allow-list. Measured on the synthesized manifests alone (no construct
// is asked), so the same code measures this library at any commit.

/** The largest object of one kind. */
export interface KindMaximum {
  readonly kind: string;
  readonly count: number;
  /** JSON bytes of its largest object. */
  readonly maxBytes: number;
  readonly largest: string;
}

/** What one more host does to the objects that were there. */
export interface OneMoreHost {
  /** Objects that were there and differ. */
  readonly changed: number;
  readonly changedSample: string[];
  readonly added: number;
  readonly removed: number;
}

/** How much of the allow-list a locked namespace's proxies see, summed over the locked namespaces. */
export interface Visibility {
  readonly granted: number;
  /** Hosts of ServiceEntries the namespace sees (exported to it and imported by its Sidecar). */
  readonly serviceEntries: number;
  /** Hosts of VirtualServices it sees. */
  readonly virtualServices: number;
  /** Hop subsets (by SNI) in the gateway DestinationRules exported to it. */
  readonly subsets: number;
}

export interface ScaleResult {
  readonly hosts: number;
  readonly namespaces: number;
  readonly grants: 'all' | 'tenth';
  readonly objects: number;
  readonly byKind: KindMaximum[];
  readonly moreHttp?: OneMoreHost;
  readonly moreHttps?: OneMoreHost;
  readonly visibility: Visibility;
}

type Manifest = any;

function synthesize(scenario: EgressScenario): Manifest[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  try {
    return chartManifests(buildEgressApp(scenario, outdir)).flatMap(c => c.manifests);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const keyOf = (m: Manifest) => `${m.kind} ${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;

function kindMaxima(manifests: Manifest[]): KindMaximum[] {
  const byKind = new Map<string, KindMaximum>();
  for (const m of manifests) {
    const bytes = Buffer.byteLength(JSON.stringify(m));
    const entry = byKind.get(m.kind);
    byKind.set(m.kind, {
      kind: m.kind,
      count: (entry?.count ?? 0) + 1,
      maxBytes: Math.max(entry?.maxBytes ?? 0, bytes),
      largest: !entry || bytes > entry.maxBytes ? keyOf(m) : entry.largest,
    });
  }
  return [...byKind.values()].sort((a, b) => b.maxBytes - a.maxBytes);
}

function oneMoreHost(before: Manifest[], after: Manifest[]): OneMoreHost {
  const was = new Map(before.map(m => [keyOf(m), JSON.stringify(m)]));
  const now = new Map(after.map(m => [keyOf(m), JSON.stringify(m)]));
  const changed = [...was].filter(([key, json]) => now.has(key) && now.get(key) !== json).map(([key]) => key);
  return {
    changed: changed.length,
    changedSample: changed.slice(0, 6),
    added: [...now.keys()].filter(key => !was.has(key)).length,
    removed: [...was.keys()].filter(key => !now.has(key)).length,
  };
}

/** Whether an object in `namespace` with `exportTo` is exported to `client`. */
function exportedTo(exportTo: string[] | undefined, namespace: string, client: string): boolean {
  const entries = exportTo ?? ['*'];
  return entries.includes('*') || entries.includes(client) || (entries.includes('.') && namespace === client);
}

/** Whether the client's Sidecar imports `host` from `namespace`: by an entry for that namespace, its own (`.`) or any, whole or by host. */
function imported(sidecar: Manifest | undefined, namespace: string, host: string, client: string): boolean {
  if (!sidecar) return true;
  return (sidecar.spec.egress ?? []).some((listener: any) => (listener.hosts ?? []).some((entry: string) => {
    const [ns, name] = entry.split('/');
    const nsMatches = ns === '*' || ns === namespace || (ns === '.' && namespace === client);
    return nsMatches && (name === '*' || name === host);
  }));
}

function visibility(manifests: Manifest[], scenario: EgressScenario): Visibility {
  const namespaces = namespaceNames(scenario.namespaces ?? 10);
  const sidecars = new Map(manifests.filter(m => m.kind === 'Sidecar').map(m => [m.metadata.namespace, m]));
  const gatewayRules = manifests.filter(m => m.kind === 'DestinationRule' && (m.spec.subsets ?? []).length > 0);
  let granted = 0;
  let serviceEntries = 0;
  let virtualServices = 0;
  let subsets = 0;
  namespaces.forEach((client, k) => {
    granted += scenario.grants === 'tenth'
      ? Array.from({ length: scenario.hosts }, (_, i) => i).filter(i => i % 10 === k % 10).length
      : scenario.hosts;
    const sees = (m: Manifest) => exportedTo(m.spec.exportTo, m.metadata.namespace, client);
    for (const m of manifests) {
      if (m.kind === 'ServiceEntry' && sees(m)) {
        serviceEntries += m.spec.hosts.filter((h: string) => imported(sidecars.get(client), m.metadata.namespace, h, client)).length;
      }
      if (m.kind === 'VirtualService' && sees(m)) {
        virtualServices += m.spec.hosts.filter((h: string) => imported(sidecars.get(client), m.metadata.namespace, h, client)).length;
      }
    }
    for (const rule of gatewayRules.filter(sees)) subsets += rule.spec.subsets.length;
  });
  return { granted, serviceEntries, virtualServices, subsets };
}

/** Sizes, and with `oneMore` what one more HTTP and one more passthrough host change. */
export function measureScale(scenario: EgressScenario, oneMore: boolean): ScaleResult {
  const manifests = synthesize(scenario);
  return {
    hosts: scenario.hosts,
    namespaces: scenario.namespaces ?? 10,
    grants: scenario.grants ?? 'all',
    objects: manifests.length,
    byKind: kindMaxima(manifests),
    moreHttp: oneMore ? oneMoreHost(manifests, synthesize({ ...scenario, extra: 'http' })) : undefined,
    moreHttps: oneMore ? oneMoreHost(manifests, synthesize({ ...scenario, extra: 'https' })) : undefined,
    visibility: visibility(manifests, scenario),
  };
}
