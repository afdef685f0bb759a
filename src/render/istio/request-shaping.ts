import { Duration } from 'cdk8s';
import * as networking from '../../../imports/networking.istio.io';
import { Names } from '../../private/names';

/** Timeout, retries and header changes, as the caller declared them. */
export interface RequestShapingIntent {
  readonly timeout?: Duration;
  readonly retries?: { readonly attempts: number; readonly perTryTimeout?: Duration; readonly retryOn?: string[] };
  readonly requestHeaders?: {
    readonly set?: { [name: string]: string };
    readonly add?: { [name: string]: string };
    readonly remove?: string[];
  };
}

/**
 * The fields of a VirtualService HTTP route that shape requests, or undefined when nothing is shaped. Durations
 * shorter than Istio's 1ms minimum are refused here, with `owner` (a construct path) in the message.
 */
export function renderRequestShaping(owner: string, intent: RequestShapingIntent): Partial<networking.VirtualServiceSpecHttp> | undefined {
  const { timeout, retries, requestHeaders } = intent;
  checkDuration(owner, 'timeout', timeout);
  checkDuration(owner, 'retries.perTryTimeout', retries?.perTryTimeout);
  if (retries) checkRetries(owner, retries);
  if (requestHeaders) checkHeaderChanges(owner, 'requestHeaders', requestHeaders);
  if (!timeout && !retries && !requestHeaders) return undefined;
  return {
    timeout: timeout && istioDuration(timeout),
    retries: retries && {
      attempts: retries.attempts,
      perTryTimeout: retries.perTryTimeout && istioDuration(retries.perTryTimeout),
      retryOn: retries.retryOn?.join(','),
    },
    headers: requestHeaders && { request: { set: requestHeaders.set, add: requestHeaders.add, remove: requestHeaders.remove } },
  };
}

/** Envoy's retry conditions that Istio accepts in `retryOn`, besides HTTP status codes. */
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure', 'cancelled',
  'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

function checkRetries(owner: string, retries: NonNullable<RequestShapingIntent['retries']>): void {
  if (!Number.isInteger(retries.attempts) || retries.attempts < 0) {
    throw new Error(`${owner}: retries.attempts ${retries.attempts} must be a whole number of at least 0 (0 turns retries off)`);
  }
  for (const condition of retries.retryOn ?? []) {
    if (!RETRY_ON.has(condition) && !/^[1-5][0-9]{2}$/.test(condition)) {
      throw new Error(`${owner}: retries.retryOn '${condition}' is neither an Envoy retry condition (${[...RETRY_ON].join(', ')}) `
        + 'nor an HTTP status code such as 503');
    }
  }
}

/**
 * Header names Istio and Envoy accept to change, and values without line breaks (which would split the message):
 * `what` names the field in messages (`requestHeaders`, `responseHeaders`).
 */
export function checkHeaderChanges(owner: string, what: string, headers: NonNullable<RequestShapingIntent['requestHeaders']>): void {
  const names = [...Object.keys(headers.set ?? {}), ...Object.keys(headers.add ?? {}), ...headers.remove ?? []];
  for (const name of names) {
    if (name.startsWith(':')) {
      throw new Error(`${owner}: ${what} cannot change the pseudo-header '${name}'; Envoy refuses it (rewrite the path or `
        + 'authority with a route instead)');
    }
    if (!Names.isHttpHeaderName(name)) {
      throw new Error(`${owner}: ${what} name '${name}' is not a lower-case HTTP header name (letters, digits and - _ . `
        + 'only, no spaces); write it as it is sent, e.g. \'x-egress\'');
    }
    if (name === 'host') {
      throw new Error(`${owner}: ${what} cannot change 'host': it decides which route and host the request takes; `
        + 'route to the host you mean instead');
    }
  }
  for (const [name, value] of [...Object.entries(headers.set ?? {}), ...Object.entries(headers.add ?? {})]) {
    if (/[\r\n]/.test(value)) {
      throw new Error(`${owner}: ${what} '${name}' has a line break in its value, which would split the message`);
    }
  }
}

export function checkDuration(owner: string, what: string, duration: Duration | undefined): void {
  if (duration && duration.toMilliseconds() < 1) {
    throw new Error(`${owner}: ${what} must be at least 1ms (Istio rejects shorter durations)`);
  }
}

/** Whole seconds as `5s`, otherwise milliseconds as `1500ms`: what Istio's duration fields accept. */
export function istioDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
