/**
 * A request path, matched exactly or by prefix: what a request-level grant admits, or what a route forwards.
 */
export class EgressPath {
  /** Exactly this path (`/get`). */
  public static exact(path: string): EgressPath {
    return new EgressPath(path, false);
  }

  /** This path and everything under it (`/status/` matches `/status/200`). */
  public static prefix(path: string): EgressPath {
    return new EgressPath(path, true);
  }

  /** The path. */
  public readonly path: string;
  /** Whether longer paths starting with `path` match too. */
  public readonly isPrefix: boolean;

  private constructor(path: string, isPrefix: boolean) {
    if (!path.startsWith('/') || /[\s?#*]/.test(path)) {
      throw new Error(`request path '${path}' must start with '/' and hold no spaces, '?', '#' or '*'; `
        + 'use EgressPath.prefix for everything under a path');
    }
    this.path = path;
    this.isPrefix = isPrefix;
  }

  /** `/get`, or `/status/*` for a prefix: the form AuthorizationPolicy paths take. */
  public toString(): string {
    return this.isPrefix ? `${this.path}*` : this.path;
  }
}

/**
 * Options of `EgressRoute.grantEgress`.
 */
export interface EgressGrantOptions {
  /**
   * Which of the route's hosts to grant.
   * @default - every host of the route, including hosts it carries later
   */
  readonly hosts?: string[];
  /**
   * HTTP methods the grantee may use (`GET`, `POST`, …). The gateway must see the requests: plain HTTP, or TLS it
   * originates itself; a grant with methods over a passthrough leg is refused.
   * @default - any method
   */
  readonly methods?: string[];
  /**
   * Request paths the grantee may use. Same condition as `methods`.
   * @default - any path
   */
  readonly paths?: EgressPath[];
  /**
   * Request headers the grantee's requests must carry, by name and exact value. Same condition as `methods`.
   * @default - no header condition
   */
  readonly headers?: { [name: string]: string };
}

/** What a request-level grant admits beyond its hosts; undefined fields admit anything. */
export interface EgressRequestMatch {
  /** Upper-case HTTP methods. */
  readonly methods?: string[];
  readonly paths?: EgressPath[];
  readonly headers?: { [name: string]: string };
}
