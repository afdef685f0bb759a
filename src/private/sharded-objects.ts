import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppRegistry } from './app-registry';

/** Makes the object of one shard: `name` is its metadata.name, `id` its construct id. */
export type ShardFactory = (scope: Construct, id: string, name: string) => ApiObject;

/**
 * The objects of one kind that a gateway's hosts are split among (see HostShards): how many there are follows the
 * final intent, so they are made at synth, not when the first route binds. cdk8s has no step between the app's last
 * call and its output, but it validates the whole app before it renders each chart (`App.synth`, `Chart.toJson`);
 * the app's synth validation (private/synth-validation.ts) first brings every set in line with its plan, so the
 * objects exist before anything renders or validates them. Each object renders its own spec lazily.
 */
export class ShardedObjects extends Construct {
  private names: string[] = [];

  /** `plan` gives the names the objects must have, in output order; `factory` makes one. */
  public constructor(scope: Construct, id: string, private readonly plan: () => string[], private readonly factory: ShardFactory) {
    super(scope, id);
    AppRegistry.of(this).beforeSynth(() => this.reconcile());
  }

  /**
   * One child per planned name. When the names change, every child is made again, so the output order is the plan's
   * whatever the app synthesized before.
   */
  private reconcile(): void {
    const names = this.plan();
    if (names.length === this.names.length && names.every((name, i) => name === this.names[i])) return;
    for (const child of [...this.node.children]) this.node.tryRemoveChild(child.node.id);
    names.forEach(name => this.factory(this, name, name));
    this.names = names;
  }
}
