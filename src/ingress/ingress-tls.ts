import { checkSecretName } from '../private/kubernetes-names';

/**
 * How an HTTPS listener terminates TLS.
 */
export enum IngressTlsMode {
  /** The gateway presents a server certificate; clients are not asked for one. */
  SIMPLE = 'SIMPLE',
  /** The gateway presents a server certificate and requires a client certificate signed by the Secret's `ca.crt`. */
  MUTUAL = 'MUTUAL',
}

/**
 * The oldest TLS version an HTTPS listener accepts.
 */
export enum IngressTlsVersion {
  /** TLS 1.2, Istio's default for gateways. */
  TLS_1_2 = 'TLSV1_2',
  /** TLS 1.3 only. */
  TLS_1_3 = 'TLSV1_3',
}

/**
 * Options of `IngressTls.simple`.
 */
export interface IngressTlsOptions {
  /**
   * The oldest TLS version accepted.
   * @default - Istio's default (TLS 1.2)
   */
  readonly minProtocolVersion?: IngressTlsVersion;
}

/**
 * Options of `IngressTls.mutual`.
 */
export interface IngressMutualTlsOptions extends IngressTlsOptions {
  /**
   * Subject alternative names a client certificate must carry one of.
   * @default - any certificate the CA signed
   */
  readonly subjectAltNames?: string[];
}

/**
 * TLS termination at an HTTPS listener, from a Kubernetes Secret in the gateway's namespace (istiod serves it to the
 * gateway through SDS; a Secret in any other namespace is not found and the listener is not served).
 */
export class IngressTls {
  /**
   * Server TLS from the Secret `credentialName` (keys `tls.crt` and `tls.key`, type `kubernetes.io/tls`).
   */
  public static simple(credentialName: string, options: IngressTlsOptions = {}): IngressTls {
    return new IngressTls(IngressTlsMode.SIMPLE, credentialName, options.minProtocolVersion, undefined);
  }

  /**
   * Mutual TLS from the Secret `credentialName`: `tls.crt`/`tls.key` for the server, and `ca.crt` (or a Secret
   * `<credentialName>-cacert`) for the clients' CA. A `ca.crl` key, when present, revokes client certificates.
   */
  public static mutual(credentialName: string, options: IngressMutualTlsOptions = {}): IngressTls {
    return new IngressTls(IngressTlsMode.MUTUAL, credentialName, options.minProtocolVersion, options.subjectAltNames);
  }

  private constructor(
    /** How TLS is terminated. */
    public readonly mode: IngressTlsMode,
    /** The Secret holding the certificate, in the gateway's namespace. */
    public readonly credentialName: string,
    /** The oldest TLS version accepted, when set. */
    public readonly minProtocolVersion?: IngressTlsVersion,
    /** The SANs a client certificate must carry one of, for MUTUAL. */
    public readonly subjectAltNames?: string[],
  ) {}

  /** Throws, naming `owner`, when the settings cannot work. */
  public check(owner: string): void {
    const name = this.credentialName;
    if (name.includes('/') || name.includes(':')) {
      throw new Error(`${owner}: credentialName '${name}' points outside the gateway's namespace; Istio only serves a `
        + 'Secret from the gateway\'s own namespace (certificates of other namespaces are refused). Create the Secret '
        + 'there and name it alone, e.g. \'httpbin-credential\'');
    }
    checkSecretName(owner, name);
    if (this.subjectAltNames?.length === 0) {
      throw new Error(`${owner}: subjectAltNames [] would admit no client certificate; leave it out to admit any the CA signed`);
    }
  }
}
