import { Chart, Testing } from 'cdk8s';
import { ManifestValidator } from '../src/validation/manifest-validator';

/**
 * Synthesizes `chart` and fails the calling test when the output would be rejected by the cluster.
 *
 * Every synthesizing test in this repo goes through here, so the offline validator sees all of our output: the Istio
 * CRD schemas and CEL rules, the Kubernetes schemas, istiod's webhook rules and the cross-object checks.
 */
export function synthValid(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  return ManifestValidator.assertValidManifests(manifests);
}
