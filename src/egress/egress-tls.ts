import { Names } from '../private/names';

/**
 * What the gateway does with the gateway → external host leg.
 */
export enum EgressTlsMode {
  /** The application's TLS passes through, routed by SNI. */
  PASSTHROUGH = 'PASSTHROUGH',
  /** Plain HTTP leaves the gateway. */
  PLAINTEXT = 'PLAINTEXT',
  /** The gateway opens TLS (SIMPLE) to the external host. */
  ORIGINATE = 'ORIGINATE',
  /** The gateway opens mutual TLS, presenting a client certificate. */
  ORIGINATE_MUTUAL = 'ORIGINATE_MUTUAL',
}

/**
 * What crosses the gateway → external host leg, and so what the gateway can see and do.
 */
export class EgressTls {
  /**
   * The application speaks TLS (HTTPS or any TLS protocol) and the gateway forwards it by SNI, unread. The gateway
   * enforces which hosts, not which requests. For TLS and HTTPS ports.
   */
  public static passthrough(): EgressTls {
    return new EgressTls(EgressTlsMode.PASSTHROUGH);
  }

  /**
   * The application speaks plain HTTP and the gateway forwards plain HTTP: it can report status codes per host,
   * retry and rewrite headers, but the bytes on the internet are unencrypted. For HTTP ports.
   */
  public static plaintext(): EgressTls {
    return new EgressTls(EgressTlsMode.PLAINTEXT);
  }

  /**
   * The application speaks plain HTTP and the gateway opens TLS (SIMPLE) to the external host: one place holds the
   * trust store, the gateway sees every request. For HTTP ports; the external host's TLS port must be declared on
   * the ExternalService.
   */
  public static originate(options: TlsOriginationOptions = {}): EgressTls {
    return new EgressTls(EgressTlsMode.ORIGINATE, options.targetPort ?? 443, options.caCertificates);
  }

  /**
   * Like `originate`, presenting a client certificate (mutual TLS). The Secret `credentialName` (keys `tls.crt`,
   * `tls.key`, `ca.crt`) must be in the egress gateway's namespace; a gateway deployed by this library is granted
   * read access to Secrets there.
   */
  public static originateMutual(options: MutualTlsOriginationOptions): EgressTls {
    if (!Names.isDns1123Subdomain(options.credentialName)) {
      throw new Error(`credentialName '${options.credentialName}' is not a Secret name (lower-case DNS-1123 subdomain)`);
    }
    return new EgressTls(EgressTlsMode.ORIGINATE_MUTUAL, options.targetPort ?? 443, undefined, options.credentialName);
  }

  /** What the gateway does with the external leg. */
  public readonly mode: EgressTlsMode;
  /** The external host's TLS port the gateway dials, when it originates TLS. */
  public readonly targetPort?: number;
  /** The CA bundle that verifies the external certificate, when the gateway originates TLS. */
  public readonly caCertificates?: string;
  /** The Secret with the client certificate, for mutual TLS origination. */
  public readonly credentialName?: string;

  private constructor(mode: EgressTlsMode, targetPort?: number, caCertificates?: string, credentialName?: string) {
    this.mode = mode;
    this.targetPort = targetPort;
    this.caCertificates = caCertificates;
    this.credentialName = credentialName;
  }

  /** Whether the application's side of this mode is plain HTTP, which the gateway reads. */
  public get appSpeaksHttp(): boolean {
    return this.mode !== EgressTlsMode.PASSTHROUGH;
  }

  /** Whether the gateway opens TLS to the external host. */
  public get originates(): boolean {
    return this.mode === EgressTlsMode.ORIGINATE || this.mode === EgressTlsMode.ORIGINATE_MUTUAL;
  }

  /** For messages. */
  public toString(): string {
    switch (this.mode) {
      case EgressTlsMode.ORIGINATE_MUTUAL: return 'mutual TLS origination';
      case EgressTlsMode.ORIGINATE: return 'TLS origination';
      default: return this.mode.toLowerCase();
    }
  }
}

/**
 * Options of `EgressTls.originate`.
 */
export interface TlsOriginationOptions {
  /**
   * The external host's TLS port.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * File path, in the gateway, of the CA bundle that verifies the external certificate.
   * @default - the gateway's system trust store
   */
  readonly caCertificates?: string;
}

/**
 * Options of `EgressTls.originateMutual`.
 */
export interface MutualTlsOriginationOptions {
  /** The Secret, in the gateway's namespace, holding the client certificate, key and CA. */
  readonly credentialName: string;
  /**
   * The external host's TLS port.
   * @default 443
   */
  readonly targetPort?: number;
}

/**
 * How the sidecar → egress gateway hop is protected.
 */
export enum GatewayHopTls {
  /**
   * Istio mutual TLS: the hop is encrypted and the gateway learns each client's identity, which per-workload
   * grants (AuthorizationPolicy principals) need.
   */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
  /**
   * No Istio TLS on the hop (the Istio docs' first example). The gateway cannot tell clients apart, so grants can
   * only be per namespace by IP; use only where a peer cannot do mutual TLS.
   */
  PLAINTEXT = 'PLAINTEXT',
}
