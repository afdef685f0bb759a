import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ObjectNames } from '../private/object-names';

/**
 * Who an egress grant is for, as the gateway and the NetworkPolicies see it.
 */
export interface EgressGranteeConfig {
  /** The namespace the grantee's pods run in. */
  readonly namespaceName: string;
  /**
   * The ServiceAccount the grantee's pods run as: the gateway admits its Istio identity.
   * @default - any identity in `namespace` (the gateway admits the namespace)
   */
  readonly serviceAccountName?: string;
  /**
   * Labels that select the grantee's pods, for the client NetworkPolicy that lets them reach the gateway.
   * @default - every pod in `namespace`
   */
  readonly podLabels?: { [key: string]: string };
  /** Names the objects created for the grantee (its client NetworkPolicy): short, readable, unique per namespace. */
  readonly name: string;
  /**
   * Where objects created for the grantee belong, so they land in the grantee's chart next to it (cdk8s-plus puts
   * a pod's connection policies under the pod the same way).
   * @default - under the gateway, in a chart that may not be the grantee's
   */
  readonly scope?: Construct;
}

/**
 * Anything that can be granted egress through a gateway: a cdk8s-plus workload, a ServiceAccount, a namespace, or
 * pods chosen by labels (a workload from another cdk8s-plus version, a hand-written Deployment).
 */
export interface IEgressGrantee {
  /** Who the grantee is. */
  toEgressGranteeConfig(): EgressGranteeConfig;
}

/**
 * Options of `EgressGrantee.pods`.
 */
export interface EgressGranteePodsOptions {
  /** The namespace of the pods. */
  readonly namespaceName: string;
  /** Labels that select the pods (their Deployment's selector, for example). */
  readonly labels: { [key: string]: string };
  /**
   * The ServiceAccount the pods run as. Without it the gateway can only admit the whole namespace.
   * @default - the gateway admits any identity in the namespace
   */
  readonly serviceAccountName?: string;
  /**
   * Names the objects created for these pods.
   * @default - `serviceAccountName`, or `pods-<digest of the labels>`
   */
  readonly name?: string;
}

/**
 * The grantees the library knows how to describe. Each factory returns an `IEgressGrantee`; implement the
 * interface for anything else.
 */
export class EgressGrantee implements IEgressGrantee {
  /**
   * The pods of a cdk8s-plus workload (a Deployment, StatefulSet, …): the gateway checks its ServiceAccount's
   * identity, and only its pods may open connections to the gateway. The client NetworkPolicy is created under the
   * workload, in its chart and namespace.
   */
  public static workload(workload: kplus.Workload): IEgressGrantee {
    const grantee: IEgressGrantee = { toEgressGranteeConfig: () => workloadConfig(workload) };
    // Checked now as well as when read: a workload without a namespace can never be granted.
    grantee.toEgressGranteeConfig();
    return grantee;
  }

  /**
   * Every pod running as a ServiceAccount. NetworkPolicy cannot select pods by ServiceAccount, so at the network
   * level the whole namespace may reach the gateway; the gateway admits only this identity.
   */
  public static serviceAccount(namespaceName: string, name: string): IEgressGrantee {
    return new EgressGrantee({ namespaceName, serviceAccountName: name, name: `sa-${name}` });
  }

  /** Every pod running as a cdk8s-plus ServiceAccount; the client NetworkPolicy goes next to the ServiceAccount. */
  public static fromServiceAccount(serviceAccount: kplus.ServiceAccount): IEgressGrantee {
    const namespace = serviceAccount.metadata.namespace ?? Chart.of(serviceAccount).namespace;
    if (!namespace) {
      throw new Error(`${serviceAccount.node.path}: cannot grant egress to a ServiceAccount without a namespace; set it on the chart`);
    }
    return new EgressGrantee({
      namespaceName: namespace,
      serviceAccountName: serviceAccount.name,
      name: `sa-${serviceAccount.name}`,
      scope: serviceAccount,
    });
  }

  /** Every workload in a namespace. */
  public static wholeNamespace(name: string): IEgressGrantee {
    return new EgressGrantee({ namespaceName: name, name: 'all-pods' });
  }

  /** Pods chosen by labels, for workloads that are not cdk8s-plus-28 constructs. */
  public static pods(options: EgressGranteePodsOptions): IEgressGrantee {
    const labels = JSON.stringify(Object.entries(options.labels).sort());
    const name = options.name ?? options.serviceAccountName ?? `pods-${ObjectNames.digest(labels)}`;
    return new EgressGrantee({
      namespaceName: options.namespaceName,
      serviceAccountName: options.serviceAccountName,
      podLabels: { ...options.labels },
      name,
    });
  }

  private constructor(private readonly config: EgressGranteeConfig) {}

  public toEgressGranteeConfig(): EgressGranteeConfig {
    return this.config;
  }
}

/**
 * A workload as a grantee, read when asked rather than when granted: its selector and ServiceAccount are what they
 * are at synth, whatever order the workload and the grant were set up in.
 */
function workloadConfig(workload: kplus.Workload): EgressGranteeConfig {
  const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
  if (!namespace) {
    throw new Error(`${workload.node.path}: cannot grant egress to a workload without a namespace; set it on the chart`);
  }
  if (workload.matchExpressions.length > 0) {
    throw new Error(`${workload.node.path}: the workload selects its pods with label expressions, which a grant `
      + 'cannot reproduce; grant EgressGrantee.pods({ namespaceName, labels, serviceAccountName }) with labels its pods carry');
  }
  return {
    namespaceName: namespace,
    serviceAccountName: workload.serviceAccount?.name ?? 'default',
    podLabels: workload.matchLabels,
    name: workload.name,
    scope: workload,
  };
}
