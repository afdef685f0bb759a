/**
 * The pod port behind a gateway Service port: what NetworkPolicies and AuthorizationPolicy `ports` match. A port
 * the Service does not map is taken as it is (a deployed gateway's pods listen on the Service port itself).
 */
export function podPortOf(gateway: { targetPortOf(servicePort: number): number | undefined }, servicePort: number): number {
  return gateway.targetPortOf(servicePort) ?? servicePort;
}
