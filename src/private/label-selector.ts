/**
 * Whether a Kubernetes label selector (`matchLabels` and `matchExpressions`, as in manifests) selects an object
 * with `labels`: the one matcher the validator and `Reachability` share. An empty selector selects everything; an
 * unknown operator selects nothing (the API server rejects it anyway).
 */
export function selectorMatches(selector: unknown, labels: { [key: string]: string }): boolean {
  const s = (selector ?? {}) as { matchLabels?: unknown; matchExpressions?: unknown };
  const matchLabels = isRecord(s.matchLabels) ? s.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  const expressions = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  return expressions.every(raw => {
    const e = isRecord(raw) ? raw : {};
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In': return has && values.includes(labels[key]);
      case 'NotIn': return !has || !values.includes(labels[key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether two label sets can pick the same pod as selectors: one's labels include the other's. */
export function labelsOverlap(a: { [key: string]: string }, b: { [key: string]: string }): boolean {
  return selectorMatches({ matchLabels: a }, b) || selectorMatches({ matchLabels: b }, a);
}

/**
 * Whether a NetworkPolicy peer, of a policy in `policyNamespace`, selects a pod in `podNamespace` (whose labels,
 * its name label included, are `namespaceLabels`) with `podLabels`. An address block selects no pod; without a
 * namespace selector the peer is the policy's own namespace; without a pod selector, every pod there.
 */
export function peerSelectsPod(peer: any, policyNamespace: string, podNamespace: string,
  namespaceLabels: { [key: string]: string }, podLabels: { [key: string]: string }): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels) : podNamespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? selectorMatches(peer.podSelector, podLabels) : true);
}
