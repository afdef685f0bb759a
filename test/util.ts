import { Chart } from 'cdk8s';
import { ManifestValidator } from '../src/validation/manifest-validator';

/**
 * Synthesizes `chart` (as `Testing.synth`) and fails the calling test when the output would be rejected by the cluster,
 * cannot work as written, or draws any warning; returns the manifests.
 *
 * Every synthesizing test in this repo goes through here, so the offline validator sees all of our output: the Istio
 * CRD schemas and CEL rules, the Kubernetes schemas, istiod's webhook rules and the cross-object checks. The chart is
 * validated together with the other charts of its app (a Gateway in one chart satisfies a VirtualService in another).
 */
export function synthValid(chart: Chart): any[] {
  // Our own output must not even draw a warning istiod would print on apply.
  return ManifestValidator.assertValid(chart, { failOnWarnings: true });
}

/** The manifests of one kind. */
export const byKind = (manifests: any[], kind: string): any[] => manifests.filter(m => m.kind === kind);

/** The one manifest of a kind (the test fails when there are none or several). */
export function only(manifests: any[], kind: string): any {
  const found = byKind(manifests, kind);
  expect(found).toHaveLength(1);
  return found[0];
}
