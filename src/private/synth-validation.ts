import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AppRegistry } from './app-registry';

/** Validates all charts of an app together and returns one message per error. */
export type AppValidator = (charts: Chart[]) => string[];

let appValidator: AppValidator | undefined;

/**
 * Installs the validator that `validateAtSynth` runs. The validation module installs the library's own when the
 * package is loaded, so constructs never import the validator (imports point one way) and still run it.
 */
export function useAppValidator(validator: AppValidator): void {
  appValidator = validator;
}

/**
 * Has the app that `scope` belongs to validated at synth, as one set (a Gateway in one chart satisfies a
 * VirtualService in another): every construct of the library calls it, so a manifest it would emit with an error
 * fails synth, with or without the validation plugin. One validation per app, whatever the number of constructs.
 * cdk8s runs it before it renders each chart, so it is also where the app's `beforeSynth` preparations run.
 */
export function validateAtSynth(scope: IConstruct): void {
  const registry = AppRegistry.of(scope);
  registry.once('synth-validation', scope, () => {
    // What is made from the final intent must exist before the first manifest is read.
    registry.prepare();
    const root = scope.node.root;
    const charts = root.node.findAll().filter((c): c is Chart => Chart.isChart(c));
    return appValidator ? appValidator(charts) : [];
  });
}
