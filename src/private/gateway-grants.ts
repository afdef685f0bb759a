import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as security from '../../imports/security.istio.io';
import type { EgressGatewayBase } from '../egress-gateway-base';
import type { EgressGrantee } from '../egress-grant';

/** What one grant gives: host names per match kind, and the gateway pod ports the client must reach. */
export interface GrantSpec {
  readonly grantee: EgressGrantee;
  /** SNIs of the mTLS hop for hosts passed through encrypted. */
  readonly sniHosts: string[];
  /** Host headers (with and without port) for hosts whose requests the gateway reads. */
  readonly httpHosts: string[];
  /** Gateway pod ports the grantee's pods must reach. */
  readonly podPorts: number[];
}

interface GranteeState {
  readonly grantee: EgressGrantee;
  readonly sniHosts: Set<string>;
  readonly httpHosts: Set<string>;
  readonly podPorts: Set<number>;
  readonly policy: kplus.NetworkPolicy;
}

/**
 * The grants of one egress gateway, shared by all its routes: one AuthorizationPolicy with a rule per grantee and
 * one client NetworkPolicy per grantee, so the object count grows with grantees, not with hosts.
 */
export class GatewayGrants extends Construct {
  /** The grants of `gateway`, created with its first grant. */
  public static of(gateway: EgressGatewayBase): GatewayGrants {
    return gateway.node.tryFindChild('Grants') as GatewayGrants ?? new GatewayGrants(gateway, 'Grants');
  }

  private readonly grantees = new Map<string, GranteeState>();
  private readonly gatewayPods: kplus.Pods;

  private constructor(gateway: EgressGatewayBase, id: string) {
    super(gateway, id);
    this.gatewayPods = kplus.Pods.select(this, 'GatewayPods', {
      labels: gateway.podLabels,
      namespaces: kplus.Namespaces.select(this, 'GatewayNamespace', { names: [gateway.namespace] }),
    });
    new security.AuthorizationPolicy(this, 'Allow', {
      metadata: { namespace: gateway.namespace },
      spec: Lazy.any({
        produce: (): security.AuthorizationPolicySpec => ({
          selector: { matchLabels: gateway.podLabels },
          action: security.AuthorizationPolicySpecAction.ALLOW,
          rules: this.renderRules(),
        }),
      }),
    });
  }

  /** Adds a grant: additive, and repeating one is harmless. */
  public add(spec: GrantSpec): void {
    const state = this.stateOf(spec.grantee);
    spec.sniHosts.forEach(h => state.sniHosts.add(h));
    spec.httpHosts.forEach(h => state.httpHosts.add(h));
    const newPorts = spec.podPorts.filter(p => !state.podPorts.has(p));
    if (newPorts.length > 0) {
      newPorts.forEach(p => state.podPorts.add(p));
      state.policy.addEgressRule(this.gatewayPods, newPorts.map(p => kplus.NetworkPolicyPort.tcp(p)));
    }
  }

  private stateOf(grantee: EgressGrantee): GranteeState {
    const existing = this.grantees.get(grantee._key);
    if (existing) return existing;
    const id = grantee._key.replace(/[^A-Za-z0-9-]+/g, '-');
    const policy = new kplus.NetworkPolicy(this, `Client-${id}`, {
      metadata: { namespace: grantee._namespace },
      selector: grantee._pods ?? kplus.Pods.all(this, `Pods-${id}`),
    });
    const state = { grantee, sniHosts: new Set<string>(), httpHosts: new Set<string>(), podPorts: new Set<number>(), policy };
    this.grantees.set(grantee._key, state);
    return state;
  }

  /**
   * One rule per distinct set of hosts, naming every grantee that has exactly that set: with N hosts granted to M
   * namespaces the policy grows with N + M, not N × M. Sources in one `from` list are alternatives.
   */
  private renderRules(): security.AuthorizationPolicySpecRules[] {
    const groups = new Map<string, { sni: string[]; http: string[]; principals: string[]; namespaces: string[] }>();
    for (const state of this.grantees.values()) {
      const sni = [...state.sniHosts].sort();
      const http = [...state.httpHosts].sort();
      const key = `${sni.join(',')}|${http.join(',')}`;
      const group = groups.get(key) ?? { sni, http, principals: [], namespaces: [] };
      groups.set(key, group);
      if (state.grantee._principal) group.principals.push(state.grantee._principal);
      else group.namespaces.push(state.grantee._namespace);
    }
    const rules: security.AuthorizationPolicySpecRules[] = [];
    for (const group of groups.values()) {
      const from = [
        ...group.principals.length > 0 ? [{ source: { principals: group.principals } }] : [],
        ...group.namespaces.length > 0 ? [{ source: { namespaces: group.namespaces } }] : [],
      ];
      if (group.sni.length > 0) rules.push({ from, when: [{ key: 'connection.sni', values: group.sni }] });
      if (group.http.length > 0) rules.push({ from, to: [{ operation: { hosts: group.http } }] });
    }
    return rules;
  }
}
