import { Duration } from 'cdk8s';

/**
 * Retries of HTTP requests: on the gateway → external leg of an `EgressRoute`, from the sidecar for an
 * `ExternalService` called directly, or from an ingress gateway to the mesh (`IngressRoute`).
 */
export interface HttpRetries {
  /** How many retries; 0 disables retries. */
  readonly attempts: number;
  /**
   * Timeout per attempt.
   * @default - the route timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Envoy retry conditions, e.g. `['connect-failure', '503']`.
   * @default - Istio's default (connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes)
   */
  readonly retryOn?: string[];
}

/**
 * Header operations on HTTP requests or responses.
 */
export interface HttpHeaderChanges {
  /**
   * Headers to set, replacing any value the client sent.
   * @default - none
   */
  readonly set?: { [name: string]: string };
  /**
   * Headers to append.
   * @default - none
   */
  readonly add?: { [name: string]: string };
  /**
   * Headers to drop.
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * What can be done to HTTP requests to an external host: a timeout, retries and header changes. Istio applies them
 * where the HTTP leaves the mesh: at the egress gateway for an `EgressRoute`, at the client sidecar for an
 * `ExternalService` called directly.
 */
export interface RequestShapingOptions {
  /**
   * Request timeout (HTTP only).
   * @default - Istio's default (none)
   */
  readonly timeout?: Duration;
  /**
   * Retries (HTTP only).
   * @default - Istio's default retry policy
   */
  readonly retries?: HttpRetries;
  /**
   * Header changes on requests leaving the mesh (HTTP only).
   * @default - none
   */
  readonly requestHeaders?: HttpHeaderChanges;
}
