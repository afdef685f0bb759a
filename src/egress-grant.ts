import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Names } from './validation/names';

/**
 * Who an egress grant is for: the identity the gateway checks, and the pods the client NetworkPolicy selects.
 */
export class EgressGrantee {
  /**
   * The pods of a workload (a Deployment, StatefulSet, …): the gateway checks its ServiceAccount's identity, and
   * only its pods may open connections to the gateway.
   */
  public static workload(workload: kplus.Workload): EgressGrantee {
    const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
    if (!namespace) {
      throw new Error(`${workload.node.path}: cannot grant egress to a workload without a namespace; set it on the chart`);
    }
    const serviceAccount = workload.serviceAccount?.name ?? 'default';
    return new EgressGrantee(`workload-${workload.node.path}`, namespace, `cluster.local/ns/${namespace}/sa/${serviceAccount}`, workload);
  }

  /**
   * Every pod running as a ServiceAccount. NetworkPolicy cannot select pods by ServiceAccount, so at the network
   * level the whole namespace may reach the gateway; the gateway admits only this identity.
   */
  public static serviceAccount(namespace: string, name: string): EgressGrantee {
    checkName(namespace, 'namespace');
    checkName(name, 'ServiceAccount name');
    return new EgressGrantee(`sa-${namespace}-${name}`, namespace, `cluster.local/ns/${namespace}/sa/${name}`);
  }

  /** Every workload in a namespace. */
  public static namespace(name: string): EgressGrantee {
    checkName(name, 'namespace');
    return new EgressGrantee(`namespace-${name}`, name);
  }

  /** @internal */ public readonly _key: string;
  /** @internal */ public readonly _namespace: string;
  /** @internal */ public readonly _principal?: string;
  /** @internal */ public readonly _pods?: kplus.IPodSelector;

  private constructor(key: string, namespace: string, principal?: string, pods?: kplus.IPodSelector) {
    this._key = key;
    this._namespace = namespace;
    this._principal = principal;
    this._pods = pods;
  }

  /** The namespace the grantee's pods run in. */
  public get namespaceName(): string {
    return this._namespace;
  }
}

function checkName(value: string, what: string): void {
  if (!Names.isDns1123Label(value)) {
    throw new Error(`${what} '${value}' is not a Kubernetes name (a lower-case DNS-1123 label)`);
  }
}
