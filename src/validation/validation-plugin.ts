import { Finding, Severity } from './finding';
import { ManifestValidator, ManifestValidatorOptions } from './manifest-validator';
import { Reporter } from './reporter';

/**
 * Properties of `IstioValidationPlugin`, given as `properties:` of its `validations:` entry in `cdk8s.yaml`.
 */
export interface IstioValidationPluginProps extends ManifestValidatorOptions {}

/**
 * A cdk8s CLI validation plugin: `cdk8s synth` runs `ManifestValidator` over the synthesized manifests and fails
 * when the cluster would reject them.
 *
 * Reference it from `cdk8s.yaml` (a local path must start with `./` or be absolute; the version must be exact):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio-gateways
 *     version: 0.0.0
 *     class: IstioValidationPlugin
 *     properties:
 *       rootNamespace: istio-system
 * ```
 */
export class IstioValidationPlugin {
  private readonly props: IstioValidationPluginProps;

  constructor(props: IstioValidationPluginProps = {}) {
    this.props = props;
  }

  /**
   * Called by the cdk8s CLI with its `ValidationContext`: reads `context.manifests` (YAML files), adds one violation per
   * finding to `context.report` and submits it.
   *
   * @param context the cdk8s-cli `ValidationContext`
   */
  public async validate(context: any): Promise<void> {
    const manifests: any[] = [];
    const fileOf = new Map<string, string>();
    const nameOf = new Map<string, string>();
    for (const file of context.manifests as string[]) {
      for (const manifest of context.parseManifest(file)) {
        if (manifest === null || manifest === undefined) continue;
        manifests.push(manifest);
        fileOf.set(Reporter.describe(manifest), file);
        nameOf.set(Reporter.describe(manifest), String(manifest.metadata?.name ?? ''));
      }
    }
    const findings = ManifestValidator.validateManifests(manifests, this.props);
    for (const finding of findings) {
      context.report.addViolation({
        ruleName: `${finding.severity} ${finding.rule}`,
        recommendation: finding.message,
        fix: fixFor(finding),
        violatingResources: [{
          // The CLI maps resource names to construct paths (construct-metadata.json is keyed by metadata.name).
          resourceName: nameOf.get(finding.objectName) ?? finding.objectName,
          locations: [finding.path === '' ? '<object>' : finding.path],
          manifestPath: fileOf.get(finding.objectName) ?? '',
        }],
      });
    }
    const errors = findings.filter(f => f.severity === Severity.ERROR).length;
    const failed = errors > 0 || (this.props.failOnWarnings === true && findings.length > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      objects: String(manifests.length),
      errors: String(errors),
      warnings: String(findings.length - errors),
    });
  }
}

function fixFor(finding: Finding): string {
  return finding.severity === Severity.ERROR
    ? `the cluster would reject ${finding.objectName} (or it cannot work as written): change the construct or props that render ${finding.path || 'it'}`
    : `admitted with a warning; review ${finding.path || finding.objectName}`;
}
