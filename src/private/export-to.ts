import { Names } from './names';

/**
 * The namespaces an Istio object is visible in, kept by name so that objects in different namespaces that share a
 * visibility (a ServiceEntry, the VirtualServices and DestinationRules for its hosts) each render it relative to
 * their own namespace.
 */
export class Visibility {
  private readonly namespaces = new Set<string>();
  private everywhere = false;

  /** `owner` names the construct in messages. */
  public constructor(private readonly owner: string) {}

  /** Adds a namespace by name, or `*` for every namespace. */
  public add(namespace: string): void {
    if (namespace === '*') {
      this.everywhere = true;
      return;
    }
    // Grants to many namespaces add each one many times: the first was checked.
    if (this.namespaces.has(namespace)) return;
    if (namespace === '~') {
      throw new Error(`${this.owner}: exportTo '~' would hide the object from every proxy, its own namespace and the `
        + 'egress gateway included; to keep it private, leave exportTo unset (own namespace only)');
    }
    if (!Names.isDns1123Label(namespace)) {
      throw new Error(`${this.owner}: exportTo entry '${namespace}' is not '.', '*' or a namespace name`);
    }
    this.namespaces.add(namespace);
  }

  /** The namespaces by name, sorted, or `['*']`. */
  public names(): string[] {
    return this.everywhere ? ['*'] : [...this.namespaces].sort();
  }
}

/**
 * `exportTo` as istiod accepts it on an object in namespace `own`: `*` alone, otherwise unique sorted entries with
 * the object's own namespace written `.` (naming it twice, as `.` and by name, is an error).
 */
export function renderExportTo(namespaces: Iterable<string>, own: string): string[] {
  const entries = new Set<string>(['.']);
  for (const namespace of namespaces) {
    if (namespace === '*') return ['*'];
    entries.add(namespace === own ? '.' : namespace);
  }
  return [...entries].sort();
}
