import * as fs from 'fs';
import * as path from 'path';

/** What one pass of the validator over a set of objects found. */
export interface ValidationOutcome {
  readonly errors: number;
  readonly warnings: number;
  /** The first few findings, formatted, so a red result explains itself. */
  readonly sample: string[];
}

/** The validator entry point the bench drives, and where it comes from. */
export interface BenchValidator {
  /** Human-readable origin, printed in the table. */
  readonly via: string;
  /** Undefined when no usable public API exists yet. */
  readonly validate?: (manifests: any[]) => ValidationOutcome;
}

/**
 * The one place the throughput section calls into the validator: `ManifestValidator.validateManifests` from
 * `src/validation` (all layers: schema, CEL, Kubernetes and istiod rules, cross-object consistency). Resolved at run
 * time so the bench still runs, and says so, while that API is missing or renamed.
 */
export function loadValidator(): BenchValidator {
  const index = path.join(__dirname, '..', 'src', 'validation', 'index.js');
  if (!fs.existsSync(index)) return { via: 'pending: src/validation/index.ts does not exist yet' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require(index);
  const validateManifests = api?.ManifestValidator?.validateManifests;
  if (typeof validateManifests !== 'function') {
    return { via: 'pending: src/validation/index.ts exports no ManifestValidator.validateManifests' };
  }
  return {
    via: 'ManifestValidator.validateManifests (src/validation)',
    validate: manifests => {
      const findings: Array<{ severity: string; object: string; path: string; rule: string; message: string }> =
        validateManifests(manifests);
      const errors = findings.filter(f => f.severity === 'ERROR');
      return {
        errors: errors.length,
        warnings: findings.length - errors.length,
        sample: findings.slice(0, 5).map(f => `${f.severity} ${f.object} ${f.path} [${f.rule}] ${f.message}`),
      };
    },
  };
}
