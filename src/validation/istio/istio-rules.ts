import { Reporter } from '../reporter';
import { AuthorizationPolicyRules } from './authorization-policy-rules';
import { DestinationRuleRules } from './destination-rule-rules';
import { GatewayRules } from './gateway-rules';
import { MetadataRules } from './metadata-rules';
import { PolicyTargetRules } from './policy-target-rules';
import { record } from '../values';
import { RuleContext } from './rule-context';
import { ServiceEntryRules } from './service-entry-rules';
import { SidecarRules } from './sidecar-rules';
import { TelemetryRules } from './telemetry-rules';
import { VirtualServiceRules } from './virtual-service-rules';

const GROUPS = ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'];

const BY_KIND: Record<string, (ctx: RuleContext) => void> = {
  'networking.istio.io/ServiceEntry': ServiceEntryRules.validate,
  'networking.istio.io/Gateway': GatewayRules.validate,
  'networking.istio.io/VirtualService': VirtualServiceRules.validate,
  'networking.istio.io/DestinationRule': DestinationRuleRules.validate,
  'networking.istio.io/Sidecar': SidecarRules.validate,
  'security.istio.io/AuthorizationPolicy': AuthorizationPolicyRules.validate,
  'security.istio.io/RequestAuthentication': PolicyTargetRules.validate,
  'telemetry.istio.io/Telemetry': TelemetryRules.validate,
};

/**
 * Layer 3: the semantic rules istiod's validating webhook applies in Go, which no schema expresses. Internal.
 */
export class IstioRules {
  /** True for objects of the groups istiod's webhook validates. */
  public static handles(manifest: any): boolean {
    return GROUPS.includes(String(manifest?.apiVersion ?? '').split('/')[0]);
  }

  public static validate(manifest: any, reporter: Reporter, namespace: string): void {
    const ctx: RuleContext = { manifest, spec: record(manifest?.spec), namespace, report: reporter };
    MetadataRules.validate(ctx);
    const group = String(manifest?.apiVersion ?? '').split('/')[0];
    BY_KIND[`${group}/${manifest?.kind}`]?.(ctx);
  }
}
