/**
 * Requests an ingress gateway admits. Once a gateway has one rule, it admits only requests some rule matches
 * (an ALLOW AuthorizationPolicy on its pods); every condition given must hold.
 */
export interface IngressAccessRule {
  /**
   * Hosts (Host header) the rule admits.
   * @default - any host
   */
  readonly hosts?: string[];
  /**
   * Paths, in AuthorizationPolicy form: exact (`/status/200`), prefix (`/status/*`), suffix (`*.js`) or `*`.
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * Upper-case HTTP methods.
   * @default - any method
   */
  readonly methods?: string[];
  /**
   * Listener ports (the gateway Service's) the rule applies to. The one condition besides `sourceCidrs` that
   * passed-through TLS can be matched by: its requests are encrypted.
   * @default - every port where the gateway sees HTTP requests, for a rule with hosts, paths or methods; every
   * port otherwise
   */
  readonly ports?: number[];
  /**
   * Client address ranges (CIDRs), matched against the client address the gateway determines
   * (`remoteIpBlocks`): the `X-Forwarded-For` entry the mesh's `numTrustedProxies` points at, else the connection's
   * peer. Behind a load balancer the peer is the load balancer or a node, not the client: keep the client
   * address with `externalTrafficPolicy: LOCAL` (or PROXY protocol), or set `numTrustedProxies` for an L7 load
   * balancer that adds `X-Forwarded-For`; otherwise this rule matches the wrong address.
   * @default - any client
   */
  readonly sourceCidrs?: string[];
}

/**
 * A JSON Web Token requirement at the edge: a RequestAuthentication that validates tokens of `issuer`, and a DENY
 * rule for requests without a valid token (a RequestAuthentication alone rejects bad tokens but lets requests with
 * none through). istiod fetches the keys from `jwksUri` (Istio's default `PILOT_JWT_ENABLE_REMOTE_JWKS=false`), so
 * the gateway pods need no way out for it.
 */
export interface IngressJwtRule {
  /** The token issuer (`iss`), e.g. `testing@secure.istio.io`. */
  readonly issuer: string;
  /** The HTTPS URL of the issuer's public keys. */
  readonly jwksUri: string;
  /**
   * Audiences (`aud`) a token must name one of.
   * @default - any audience
   */
  readonly audiences?: string[];
  /**
   * Paths, in AuthorizationPolicy form, that require a token; other paths are served without one.
   * @default - every path
   */
  readonly paths?: string[];
  /**
   * Pass the token on to the destination service.
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
}
