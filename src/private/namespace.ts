import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * The namespace a construct's objects land in. Istio resolves hosts, gateways and exportTo by namespace, so an
 * object applied into "whatever kubectl's context says" would route differently per user: fail instead.
 */
export function namespaceOf(scope: Construct, explicit: string | undefined, what: string): string {
  const namespace = explicit ?? Chart.of(scope).namespace;
  if (!namespace) {
    throw new Error(`${scope.node.path}: ${what} needs a namespace: pass \`namespace\` or set it on the chart `
      + '(new Chart(app, id, { namespace: \'istio-egress\' }))');
  }
  return namespace;
}
