import * as networking from '../../../imports/networking.istio.io';

/**
 * A locked namespace's Sidecar: REGISTRY_ONLY, and egress hosts listing only what the namespace may use (the root
 * namespace, its own, the other locked namespaces, the egress gateway and the hosts granted to it), sorted. The
 * list keeps every other host out of the namespace's proxies, which also keeps their configuration small.
 */
export function renderLockdownSidecar(hosts: Iterable<string>): networking.SidecarSpec {
  return {
    outboundTrafficPolicy: { mode: networking.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
    egress: [{ hosts: [...new Set(hosts)].sort() }],
  };
}
