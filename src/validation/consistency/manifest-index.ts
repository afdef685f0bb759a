import { Names } from '../../private/names';
import { Reporter } from '../reporter';
import { list, record, text } from '../values';

/** One manifest of the set, with where its findings go. */
export interface IndexedObject {
  readonly manifest: any;
  readonly namespace: string;
  readonly name: string;
  readonly report: Reporter;
}

/** A Deployment's pods as the cross-object rules see them. */
export interface Workload {
  readonly object: IndexedObject;
  readonly labels: Record<string, string>;
  readonly pod: any;
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/**
 * The manifests of one validation run, by kind, plus the host arithmetic the cross-object rules share. Internal.
 */
export class ManifestIndex {
  /**
   * A host as istiod stores it: short names (no dot) are qualified with the namespace of the object that wrote them
   * (`reviews` in `prod` → `reviews.prod.svc.cluster.local`).
   */
  public static qualify(host: string, namespace: string): string {
    return host.includes('.') || host === '*' ? host : `${host}.${namespace}.${CLUSTER_DOMAIN}`;
  }

  /** The namespace of a `name.namespace.svc.cluster.local` host, if it is one. */
  public static serviceNamespace(host: string): string | undefined {
    const parts = host.split('.');
    return host.endsWith(`.${CLUSTER_DOMAIN}`) && parts.length === 5 ? parts[1] : undefined;
  }

  /** Whether a host is a cluster-local Service name (as opposed to an external one). */
  public static isClusterLocal(host: string): boolean {
    return host.endsWith(`.${CLUSTER_DOMAIN}`);
  }

  /** Whether an object's `exportTo` makes it visible from `clientNamespace` (no exportTo: everywhere). */
  public static visibleFrom(object: IndexedObject, clientNamespace: string): boolean {
    const exportTo = list(record(object.manifest.spec).exportTo).map(text);
    if (exportTo.length === 0 || exportTo.includes('*')) return true;
    return exportTo.some(e => (e === '.' ? object.namespace : e) === clientNamespace);
  }

  private readonly byKind = new Map<string, IndexedObject[]>();
  private readonly byNamespace = new Map<string, IndexedObject[]>();
  private readonly hostIndexes = new Map<string, { exact: Map<string, IndexedObject[]>; wildcard: { host: string; object: IndexedObject }[] }>();
  private workloadList?: Workload[];
  private workloadsByLabel?: Map<string, Workload[]>;

  constructor(objects: IndexedObject[], public readonly rootNamespace: string) {
    for (const object of objects) {
      const group = String(object.manifest?.apiVersion ?? '').split('/');
      const key = `${group.length > 1 ? group[0] : ''}/${object.manifest?.kind}`;
      const bucket = this.byKind.get(key) ?? [];
      bucket.push(object);
      this.byKind.set(key, bucket);
    }
  }

  /** The objects of `group/kind` (`/Service` for the core group). */
  public all(key: string): IndexedObject[] {
    return this.byKind.get(key) ?? [];
  }

  /** The pod labels of every Deployment, with the Deployment (computed once). */
  public workloads(): Workload[] {
    if (!this.workloadList) {
      this.workloadList = this.all('apps/Deployment').map(object => {
        const template = record(record(object.manifest.spec).template);
        return { object, labels: record(record(template.metadata).labels), pod: record(template.spec) };
      });
    }
    return this.workloadList;
  }

  /** The Deployments whose pods carry every label of `selector` (an empty selector selects nothing here). */
  public workloadsSelectedBy(selector: Record<string, any>): Workload[] {
    const entries = Object.entries(selector);
    if (entries.length === 0) return [];
    if (!this.workloadsByLabel) {
      this.workloadsByLabel = new Map();
      for (const workload of this.workloads()) {
        for (const [key, value] of Object.entries(workload.labels)) {
          const pair = `${key}=${value}`;
          this.workloadsByLabel.set(pair, [...(this.workloadsByLabel.get(pair) ?? []), workload]);
        }
      }
    }
    const [firstKey, firstValue] = entries[0];
    return (this.workloadsByLabel.get(`${firstKey}=${firstValue}`) ?? []).filter(w => entries.every(([k, v]) => w.labels[k] === v));
  }

  /** The objects of `group/kind` in one namespace. */
  public inNamespace(key: string, namespace: string): IndexedObject[] {
    const cacheKey = `${key}@${namespace}`;
    let found = this.byNamespace.get(cacheKey);
    if (!found) {
      found = this.all(key).filter(o => o.namespace === namespace);
      this.byNamespace.set(cacheKey, found);
    }
    return found;
  }

  /**
   * The objects of `group/kind` that declare `host`, through `hostsOf` (qualified). Exact hosts are looked up in a map;
   * wildcard declarations (`*.example.com`) are matched one by one, and are rare.
   */
  public declaring(key: string, host: string, hostsOf: (o: IndexedObject) => string[]): IndexedObject[] {
    let index = this.hostIndexes.get(key);
    if (!index) {
      index = { exact: new Map(), wildcard: [] };
      for (const object of this.all(key)) {
        for (const declared of new Set(hostsOf(object))) {
          if (declared.startsWith('*')) index.wildcard.push({ host: declared, object });
          else index.exact.set(declared, [...(index.exact.get(declared) ?? []), object]);
        }
      }
      this.hostIndexes.set(key, index);
    }
    const wildcards = index.wildcard.filter(w => Names.hostSubsetOf(host, w.host)).map(w => w.object);
    return [...(index.exact.get(host) ?? []), ...wildcards];
  }
}
