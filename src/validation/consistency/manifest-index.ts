import { Reporter } from '../reporter';
import { list, record, text } from '../values';

/** One manifest of the set, with where its findings go. */
export interface IndexedObject {
  readonly manifest: any;
  readonly namespace: string;
  readonly name: string;
  readonly report: Reporter;
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/**
 * The manifests of one validation run, by kind, plus the host arithmetic the cross-object rules share. Internal.
 */
export class ManifestIndex {
  private readonly byKind = new Map<string, IndexedObject[]>();

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

  /** The pod labels of every Deployment, with the Deployment. */
  public workloads(): { object: IndexedObject; labels: Record<string, string>; pod: any }[] {
    return this.all('apps/Deployment').map(object => {
      const template = record(record(object.manifest.spec).template);
      return { object, labels: record(record(template.metadata).labels), pod: record(template.spec) };
    });
  }

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
}
