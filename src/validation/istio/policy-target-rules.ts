import { MetadataRules } from './metadata-rules';
import { list, record, text } from '../values';
import { RuleContext } from './rule-context';

/** Kinds a policy may target, as `group/kind` (`core` for the empty group). */
const ALLOWED_TARGETS = ['core/Service', 'networking.istio.io/ServiceEntry', 'gateway.networking.k8s.io/Gateway', 'gateway.networking.k8s.io/GatewayClass'];

/**
 * `selector` / `targetRef` / `targetRefs` of AuthorizationPolicy, RequestAuthentication and Telemetry
 * (`validatePolicyTargetReference`, `validateWorkloadSelector`). The CRD already enforces exclusivity, `name`, the
 * empty `namespace` and the group/kind syntax; istiod adds the kinds a policy may attach to. Internal.
 */
export class PolicyTargetRules {
  public static validate(ctx: RuleContext): void {
    MetadataRules.warnEmptySelector(ctx, 'spec.selector', ctx.spec.selector, 'matchLabels');
    if (ctx.spec.targetRef !== undefined) PolicyTargetRules.validateRef(ctx, record(ctx.spec.targetRef), 'spec.targetRef');
    list(ctx.spec.targetRefs).forEach((ref, i) => PolicyTargetRules.validateRef(ctx, record(ref), `spec.targetRefs[${i}]`));
  }

  private static validateRef(ctx: RuleContext, ref: Record<string, any>, path: string): void {
    const group = text(ref.group) || 'core';
    const kind = text(ref.kind);
    if (!ALLOWED_TARGETS.includes(`${group}/${kind}`)) {
      ctx.report.error(path, 'IST-TARGET-REF',
        'targetRef must be to one of Service (group ""), ServiceEntry (networking.istio.io), Gateway or GatewayClass '
        + `(gateway.networking.k8s.io), but was ${text(ref.group)}/${kind}; to select pods use selector.matchLabels`);
    }
  }
}
