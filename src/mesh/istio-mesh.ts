import { Names } from '../private/names';

/**
 * Properties of an `IstioMesh`.
 */
export interface IstioMeshProps {
  /**
   * The mesh's trust domain (`meshConfig.trustDomain`): the first part of every workload identity,
   * `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`, which gateway authorization matches.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The cluster's DNS domain: Service hosts are `<name>.<namespace>.svc.<clusterDomain>`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`), where istiod runs and where configuration applies to the
   * whole mesh.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The control-plane revision the app's gateways and installs target (the `istio.io/rev` label).
   * @default - the default revision
   */
  readonly revision?: string;
}

/**
 * The mesh-wide settings that several constructs need to agree on: the trust domain identities are matched in,
 * the cluster domain Service hosts are written in, the root namespace and the revision.
 *
 * Pass one instance to every gateway (and `IstioInstall`); routes, grants and lockdowns read it from their gateway.
 */
export class IstioMesh {
  /** A mesh installed with Istio's defaults: `cluster.local` everywhere, root namespace `istio-system`. */
  public static readonly DEFAULT = new IstioMesh();

  /** The trust domain. */
  public readonly trustDomain: string;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /** Istio's root namespace, where istiod runs. */
  public readonly rootNamespace: string;
  /** The control-plane revision, if not the default one. */
  public readonly revision?: string;

  public constructor(props: IstioMeshProps = {}) {
    this.trustDomain = props.trustDomain ?? 'cluster.local';
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    this.revision = props.revision;
    check(this.trustDomain, 'trustDomain', Names.isDns1123Subdomain, 'a DNS-1123 subdomain such as \'example.org\'');
    check(this.clusterDomain, 'clusterDomain', Names.isDns1123Subdomain, 'a DNS-1123 subdomain such as \'cluster.local\'');
    check(this.rootNamespace, 'rootNamespace', Names.isDns1123Label, 'a namespace name (a lower-case DNS-1123 label)');
    if (this.revision !== undefined) {
      check(this.revision, 'revision', Names.isDns1123Label, 'a lower-case DNS-1123 label such as \'1-30-3\'');
    }
  }

  /** The cluster FQDN of a Service. */
  public serviceHost(name: string, namespaceName: string): string {
    return `${name}.${namespaceName}.svc.${this.clusterDomain}`;
  }

  /** The SPIFFE-style identity Istio gives pods running as a ServiceAccount, as AuthorizationPolicy principals name it. */
  public principal(namespaceName: string, serviceAccountName: string): string {
    return `${this.trustDomain}/ns/${namespaceName}/sa/${serviceAccountName}`;
  }
}

function check(value: string, what: string, valid: (s: string) => boolean, expected: string): void {
  if (!valid(value)) {
    throw new Error(`IstioMesh: ${what} '${value}' is not ${expected}`);
  }
}
