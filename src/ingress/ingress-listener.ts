import { IngressTls } from './ingress-tls';
import { checkHostname } from '../private/hostname';
import { Names } from '../private/names';

/**
 * What a listener accepts on its port.
 */
export enum IngressProtocol {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTP over TLS the gateway terminates. */
  HTTPS = 'HTTPS',
  /** TLS the gateway passes through, routed by SNI, to a TLS server in the mesh. */
  TLS_PASSTHROUGH = 'TLS',
}

/**
 * Options of `IngressListener.http`.
 */
export interface IngressHttpListenerOptions {
  /** The hosts (Host header) served, e.g. `['bookinfo.example.com']`; `'*'` serves every host, when meant. */
  readonly hosts: string[];
  /**
   * The gateway Service port.
   * @default 80
   */
  readonly port?: number;
  /**
   * Answer every request with a 301 to `https://` (the HTTPS listener for the same hosts serves it).
   * @default false
   */
  readonly httpsRedirect?: boolean;
}

/**
 * Options of `IngressListener.https`.
 */
export interface IngressHttpsListenerOptions {
  /** The hosts (SNI and Host header) served with this certificate. */
  readonly hosts: string[];
  /** The certificate and how TLS is terminated. */
  readonly tls: IngressTls;
  /**
   * The gateway Service port.
   * @default 443
   */
  readonly port?: number;
}

/**
 * Options of `IngressListener.tlsPassthrough`.
 */
export interface IngressPassthroughListenerOptions {
  /** The SNI hosts passed through. */
  readonly hosts: string[];
  /**
   * The gateway Service port.
   * @default 443
   */
  readonly port?: number;
}

/**
 * A server of an ingress gateway: a port, a protocol, the hosts it serves and, for HTTPS, the certificate. Routes
 * bind to the hosts listeners serve; a host no listener serves gets 404 (NR) at the gateway, which synth refuses.
 */
export class IngressListener {
  /** Plain HTTP on port 80 (or `port`), optionally redirecting every request to HTTPS. */
  public static http(options: IngressHttpListenerOptions): IngressListener {
    return new IngressListener(IngressProtocol.HTTP, options.port ?? 80, options.hosts, undefined, options.httpsRedirect ?? false);
  }

  /** HTTPS on port 443 (or `port`), terminated with the certificate of `tls`. */
  public static https(options: IngressHttpsListenerOptions): IngressListener {
    return new IngressListener(IngressProtocol.HTTPS, options.port ?? 443, options.hosts, options.tls, false);
  }

  /** TLS passed through by SNI on port 443 (or `port`) to a TLS server in the mesh (`IngressPassthroughRoute`). */
  public static tlsPassthrough(options: IngressPassthroughListenerOptions): IngressListener {
    return new IngressListener(IngressProtocol.TLS_PASSTHROUGH, options.port ?? 443, options.hosts, undefined, false);
  }

  private constructor(
    /** What the listener accepts. */
    public readonly protocol: IngressProtocol,
    /** The gateway Service port. */
    public readonly port: number,
    /** The hosts served. */
    public readonly hosts: string[],
    /** The certificate, for HTTPS. */
    public readonly tls: IngressTls | undefined,
    /** Whether plain HTTP requests are redirected to HTTPS. */
    public readonly httpsRedirect: boolean,
  ) {}

  /** Whether the gateway sees HTTP requests on this listener (and so HTTP routes apply). */
  public get terminatesHttp(): boolean {
    return this.protocol !== IngressProtocol.TLS_PASSTHROUGH;
  }

  /** Throws, naming `owner`, when the listener cannot work as written. */
  public check(owner: string): void {
    const what = `${this.protocol === IngressProtocol.TLS_PASSTHROUGH ? 'passthrough' : this.protocol} listener on port ${this.port}`;
    if (!Names.isPortNumber(this.port)) {
      throw new Error(`${owner}: ${what}: ${this.port} is not a port number (1-65535)`);
    }
    if (this.hosts.length === 0) {
      throw new Error(`${owner}: ${what} serves no hosts; list them, or '*' to serve every host`);
    }
    for (const host of this.hosts) {
      if (host !== '*') checkHostname(host, owner, `${what} host`);
    }
    if (new Set(this.hosts).size !== this.hosts.length) {
      throw new Error(`${owner}: ${what} lists a host twice (${this.hosts.join(', ')})`);
    }
    if (this.protocol === IngressProtocol.HTTPS && !this.tls) {
      // Reachable from languages without TypeScript's required-property check.
      throw new Error(`${owner}: ${what} has no certificate; give tls: IngressTls.simple('<secret>') or IngressTls.mutual(...)`);
    }
    this.tls?.check(`${owner}: ${what}`);
  }
}
