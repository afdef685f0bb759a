import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ManifestValidator } from '../src/validation/manifest-validator';

/**
 * The order-of-calls property both halves of the library share: a random plan built with its calls in its own order
 * and in three random ones synthesizes to the same objects, and what it emits is what the cluster accepts.
 * `callCount` says how many calls `build` makes for a plan; `build` makes them in the order given.
 */
export function expectOrderIndependent<P>(plans: fc.Arbitrary<P>, callCount: (plan: P) => number,
  build: (plan: P, order: number[]) => App, numRuns: number): void {
  const permutationOf = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });
  fc.assert(fc.property(
    plans.chain(plan => fc.tuple(fc.constant(plan), fc.array(permutationOf(callCount(plan)), { minLength: 3, maxLength: 3 }))),
    ([plan, orders]) => {
      const inOrder = build(plan, Array.from({ length: callCount(plan) }, (_, i) => i));
      const reference = objects(inOrder);
      for (const order of orders) {
        expect(objects(build(plan, order))).toEqual(reference);
      }
      const manifests = inOrder.charts.flatMap(chart => Testing.synth(chart));
      expect(ManifestValidator.validateManifests(manifests, { failOnWarnings: true })).toEqual([]);
    },
  ), { numRuns });
}

/** Every synthesized object of the app by kind, namespace and name, as JSON. */
function objects(app: App): Map<string, string> {
  const byId = new Map<string, string>();
  for (const chart of app.charts) {
    for (const m of Testing.synth(chart)) byId.set(`${m.kind} ${m.metadata.namespace}/${m.metadata.name}`, JSON.stringify(m));
  }
  return byId;
}
