import { parse } from '@bufbuild/cel';
import { PolicyTargetRules } from './policy-target-rules';
import { list, record, text } from '../values';
import { RuleContext } from './rule-context';

/**
 * istiod's `ValidateTelemetry` plus `validateTelemetryFilter` (access-log filters must parse as CEL). The CRD checks
 * provider names, `customMetric` and the tag override value rules. Internal.
 */
export class TelemetryRules {
  public static validate(ctx: RuleContext): void {
    const spec = ctx.spec;
    PolicyTargetRules.validate(ctx);
    const tracing = list(spec.tracing);
    if (tracing.length > 1) ctx.report.warning('spec.tracing', 'IST-TEL-TRACING', 'multiple tracing is not currently supported; keep one entry');
    tracing.forEach((raw, i) => {
      const entry = record(raw);
      const path = `spec.tracing[${i}]`;
      if (list(entry.providers).length > 1) {
        ctx.report.warning(`${path}.providers`, 'IST-TEL-TRACING', 'multiple providers is not currently supported; keep one provider');
      }
      const pct = entry.randomSamplingPercentage;
      if (typeof pct === 'number' && (pct < 0 || pct > 100)) {
        ctx.report.error(`${path}.randomSamplingPercentage`, 'IST-TEL-SAMPLING', `randomSamplingPercentage must be in range [0.0, 100.0], got ${pct}`);
      }
      for (const [name, rawTag] of Object.entries(record(entry.customTags))) {
        const tag = record(rawTag);
        const tpath = `${path}.customTags[${name}]`;
        if (name === '') ctx.report.error(tpath, 'IST-TEL-CUSTOM-TAG', 'tag name may not be empty');
        if (tag.literal !== undefined && text(record(tag.literal).value) === '') {
          ctx.report.error(`${tpath}.literal.value`, 'IST-TEL-CUSTOM-TAG', 'literal tag value may not be empty');
        }
        if (tag.header !== undefined && text(record(tag.header).name) === '') {
          ctx.report.error(`${tpath}.header.name`, 'IST-TEL-CUSTOM-TAG', 'header tag name may not be empty');
        }
        if (tag.environment !== undefined && text(record(tag.environment).name) === '') {
          ctx.report.error(`${tpath}.environment.name`, 'IST-TEL-CUSTOM-TAG', 'environment tag name may not be empty');
        }
      }
    });
    list(spec.accessLogging).forEach((raw, i) => {
      const filter = record(record(raw).filter);
      if (typeof filter.expression === 'string') {
        try {
          parse(filter.expression);
        } catch (e: any) {
          ctx.report.error(`spec.accessLogging[${i}].filter.expression`, 'IST-TEL-FILTER',
            `filter expression ${JSON.stringify(filter.expression)} is not valid CEL: ${String(e?.message ?? e).split('\n')[0]}`);
        }
      }
    });
  }
}
