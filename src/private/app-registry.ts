import { IConstruct } from 'constructs';

/**
 * What several constructs of one app must agree on (no two lockdowns over a namespace, no host through two
 * gateways), kept per app root. Each kind of member is a named list; each list's check is registered as a validation
 * once, on the first construct that joins it, so the cost stays linear in the number of members.
 */
export class AppRegistry {
  /** The registry of the app that `scope` belongs to. */
  public static of(scope: IConstruct): AppRegistry {
    const root = scope.node.root;
    let registry = REGISTRIES.get(root);
    if (!registry) {
      registry = new AppRegistry();
      REGISTRIES.set(root, registry);
    }
    return registry;
  }

  private readonly lists = new Map<string, unknown[]>();
  private readonly onceKinds = new Set<string>();
  private readonly preparations: Array<() => void> = [];

  private constructor() {}

  /**
   * Adds `member` (of construct `owner`) to the list `kind`. The first member of a kind registers `check` on its
   * owner: it sees the whole list at synth and returns its errors.
   */
  public join<T>(kind: string, owner: IConstruct, member: T, check: (members: T[]) => string[]): void {
    const list = this.lists.get(kind) as T[] | undefined;
    if (list) {
      list.push(member);
      return;
    }
    const members: T[] = [member];
    this.lists.set(kind, members);
    owner.node.addValidation({ validate: () => check(members) });
  }

  /** Registers `check` on `owner` for the kind `kind`, unless one was registered already: one check per app. */
  public once(kind: string, owner: IConstruct, check: () => string[]): void {
    if (this.onceKinds.has(kind)) return;
    this.onceKinds.add(kind);
    owner.node.addValidation({ validate: check });
  }

  /**
   * Registers what must be made from the final intent before the app is rendered or validated (the shards of a
   * gateway's shared objects); `prepare` runs them, in the order registered.
   */
  public beforeSynth(preparation: () => void): void {
    this.preparations.push(preparation);
  }

  /** Runs every preparation registered with `beforeSynth`. */
  public prepare(): void {
    this.preparations.forEach(preparation => preparation());
  }
}

const REGISTRIES = new WeakMap<IConstruct, AppRegistry>();
