/** `undefined` for an empty list, so synthesized YAML carries no `field: []` (the cdk8s-plus convention). */
export function undefinedIfEmpty<T>(items: T[]): T[] | undefined {
  return items.length === 0 ? undefined : items;
}

/** `items` ordered by a string key: output must not depend on the order intent was recorded in. */
export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.map(item => ({ item, k: key(item) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map(e => e.item);
}

/** Each distinct item once (equal when their JSON is), ordered by that JSON: the canonical form of a rule list. */
export function canonical<T>(items: T[]): T[] {
  const unique = new Map(items.map(item => [JSON.stringify(item), item]));
  return [...unique.keys()].sort().map(key => unique.get(key)!);
}

/** `items` grouped by a key, groups and their items in the order the items came. */
export function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Names joined into groups (union-find): two are in one group when a chain of joins links them. */
export class Components {
  private readonly parent = new Map<string, string>();

  public join(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }

  /** The group's representative: its least member, whatever order the joins came in. */
  public find(member: string): string {
    let root = member;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    return root;
  }
}
