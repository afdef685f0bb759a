import { Duration } from 'cdk8s';
import * as networking from '../../../imports/networking.istio.io';

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

function checkDuration(owner: string, what: string, duration: Duration | undefined): void {
  if (duration && duration.toMilliseconds() < 1) {
    throw new Error(`${owner}: ${what} must be at least 1ms (Istio rejects shorter durations)`);
  }
}

/** Whole seconds as `5s`, otherwise milliseconds as `1500ms`: what Istio's duration fields accept. */
function istioDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
