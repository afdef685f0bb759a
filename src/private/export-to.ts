import { Names } from '../validation/names';

/**
 * The `exportTo` of an Istio object: its own namespace plus the namespaces added as routes and grants need them.
 * Rendered the way istiod accepts it: `*` alone, otherwise unique entries with the own namespace as `.`.
 */
export class ExportTo {
  private readonly namespaces = new Set<string>();

  public constructor(private readonly own: string, initial: string[] | undefined, private readonly path: string) {
    this.namespaces.add('.');
    (initial ?? []).forEach(ns => this.add(ns));
  }

  public add(namespace: string): void {
    const entry = namespace === this.own ? '.' : namespace;
    // Grants to many namespaces add each one many times: the first was checked.
    if (this.namespaces.has(entry)) return;
    if (namespace === '~') {
      throw new Error(`${this.path}: exportTo '~' would hide the object from every proxy, its own namespace and the `
        + 'egress gateway included; to keep it private, leave exportTo unset (own namespace only)');
    }
    if (namespace !== '.' && namespace !== '*' && !Names.isDns1123Label(namespace)) {
      throw new Error(`${this.path}: exportTo entry '${namespace}' is not '.', '*' or a namespace name`);
    }
    this.namespaces.add(entry);
  }

  /** The namespaces that see the object, by name (`*` for all). */
  public namespaceNames(): string[] {
    return this.namespaces.has('*') ? ['*'] : [...this.namespaces].map(ns => ns === '.' ? this.own : ns);
  }

  public render(): string[] {
    if (this.namespaces.has('*')) return ['*'];
    return [...this.namespaces].sort();
  }
}
