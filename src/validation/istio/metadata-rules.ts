import { Names } from '../../private/names';
import { list, record, text } from '../values';
import { RuleContext } from './rule-context';

const DRY_RUN = 'istio.io/dry-run';
const INTERNAL_ANNOTATIONS = ['internal.istio.io/webhook-always-reject', 'internal.istio.io/parents', 'internal.istio.io/parent-namespace'];

/**
 * Rules istiod's webhook applies to every kind (`validateMetadata`) and the `exportTo` rules shared by ServiceEntry,
 * VirtualService and DestinationRule (`validateExportTo`). Internal.
 */
export class MetadataRules {
  /** Annotations: `istio.io/dry-run` only on ALLOW/DENY AuthorizationPolicies, no internal annotations. */
  public static validate(ctx: RuleContext): void {
    const annotations = record(ctx.manifest?.metadata?.annotations);
    const kind = ctx.manifest?.kind;
    if (DRY_RUN in annotations) {
      const path = `metadata.annotations[${DRY_RUN}]`;
      if (kind !== 'AuthorizationPolicy') {
        ctx.report.error(path, 'IST-META-DRY-RUN',
          `${kind} has unsupported annotation ${DRY_RUN}; only AuthorizationPolicy supports it: remove the annotation`);
      } else {
        const action = text(ctx.spec.action) || 'ALLOW';
        if (action !== 'ALLOW' && action !== 'DENY') {
          ctx.report.error(path, 'IST-META-DRY-RUN',
            `the annotation ${DRY_RUN} only supports action ALLOW/DENY, found action ${action}; remove the annotation or change the action`);
        } else if (!isGoBool(annotations[DRY_RUN])) {
          ctx.report.error(path, 'IST-META-DRY-RUN',
            `annotation ${DRY_RUN} has invalid value ${JSON.stringify(annotations[DRY_RUN])}; use "true" or "false"`);
        }
      }
    }
    for (const internal of INTERNAL_ANNOTATIONS) {
      if (internal in annotations) {
        ctx.report.error(`metadata.annotations[${internal}]`, 'IST-META-INTERNAL-ANNOTATION',
          `annotation ${internal} is reserved for istiod and rejected by its webhook; remove it`);
      }
    }
  }

  /**
   * `exportTo`: `.`, `*` or DNS labels (`~` on ServiceEntries only), no duplicates (`.` counts as the own namespace), and
   * neither `*` nor `~` mixed with anything else. A DestinationRule with a workload selector may only be exported to its
   * own namespace.
   */
  public static validateExportTo(ctx: RuleContext, options: { serviceEntry: boolean; drWithSelector: boolean }): void {
    const exportTo = list(ctx.spec.exportTo);
    if (exportTo.length === 0) return;
    const seen = new Set<string>();
    exportTo.forEach((raw, i) => {
      const entry = text(raw);
      const path = `spec.exportTo[${i}]`;
      const key = entry === '.' ? ctx.namespace : entry;
      if (seen.has(key)) {
        ctx.report.error(path, 'IST-EXPORT-TO-DUPLICATE', key !== entry
          ? `duplicate entries in exportTo: . and current namespace ${ctx.namespace}; keep one of them`
          : `duplicate entries in exportTo for entry ${entry}; remove the repetition`);
        return;
      }
      if (entry === '~' && options.serviceEntry) {
        seen.add(key);
      } else if (entry === '~') {
        ctx.report.error(path, 'IST-EXPORT-TO-INVALID',
          `exportTo ~ (none) is only allowed on ServiceEntries; use "." to keep ${ctx.manifest?.kind} private to its namespace`);
      } else if (entry !== '.' && entry !== '*' && !Names.isIstioDnsLabel(entry)) {
        ctx.report.error(path, 'IST-EXPORT-TO-INVALID',
          `exportTo entry ${JSON.stringify(entry)} is invalid: only ".", "*" or a namespace name (DNS-1123 label) is allowed`);
      } else {
        seen.add(key);
      }
    });
    if (options.drWithSelector && seen.size > 0) {
      if (!seen.has(ctx.namespace)) {
        ctx.report.error('spec.exportTo', 'IST-DR-SELECTOR-EXPORT',
          `destination rule with workload selector cannot have exportTo beyond current namespace ${ctx.namespace}; use exportTo: ["."]`);
      } else if (seen.size > 1) {
        ctx.report.error('spec.exportTo', 'IST-DR-SELECTOR-EXPORT',
          'destination rule with workload selector cannot have multiple entries in exportTo; use exportTo: ["."]');
      }
    }
    if (seen.has('*') && exportTo.length > 1) {
      ctx.report.error('spec.exportTo', 'IST-EXPORT-TO-MIXED',
        `cannot have both public (*) and non-public exportTo values (${exportTo.join(', ')}); "*" alone already exports everywhere`);
    }
    if (seen.has('~') && exportTo.length > 1) {
      ctx.report.error('spec.exportTo', 'IST-EXPORT-TO-MIXED',
        `cannot export service entry to no one (~) and someone (${exportTo.join(', ')}); use "~" alone or drop it`);
    }
  }

  /**
   * A workload selector without labels selects every workload of the namespace: admitted, with a warning. (Empty keys
   * and wildcards are rejected by the CRD's CEL rules.)
   */
  public static warnEmptySelector(ctx: RuleContext, path: string, selector: unknown, labelsField: string): void {
    if (selector === undefined || selector === null) return;
    if (Object.keys(record(record(selector)[labelsField])).length === 0) {
      ctx.report.warning(path, 'IST-SELECTOR-EMPTY',
        `workload selector specified without labels: ${ctx.manifest?.kind} will be applied to all workloads in namespace ${ctx.namespace}`);
    }
  }
}

/** Go's `strconv.ParseBool`. */
function isGoBool(value: unknown): boolean {
  return typeof value === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value);
}
