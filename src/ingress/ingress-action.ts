import { IngressDestination } from './ingress-destination';
import { Names } from '../private/names';

/**
 * Options of `IngressAction.redirect`: each part left out is kept from the request.
 */
export interface IngressRedirectOptions {
  /**
   * The scheme, `http` or `https`.
   * @default - the request's
   */
  readonly scheme?: string;
  /**
   * The host (authority).
   * @default - the request's
   */
  readonly host?: string;
  /**
   * The port.
   * @default - the request's
   */
  readonly port?: number;
  /**
   * The path, replacing the whole path.
   * @default - the request's
   */
  readonly path?: string;
  /**
   * The HTTP status: 301, 302, 303, 307 or 308.
   * @default 301
   */
  readonly statusCode?: number;
}

/**
 * What kind of answer an `IngressAction` gives.
 */
export enum IngressActionKind {
  /** Forward to services of the mesh. */
  FORWARD = 'forward',
  /** Redirect the client. */
  REDIRECT = 'redirect',
  /** Answer at the gateway. */
  RESPOND = 'respond',
}

/**
 * What a rule does with the requests it matches: forward them (to one service, or split by weight for a canary),
 * redirect them, or answer them at the gateway.
 */
export class IngressAction {
  /**
   * Forward to the destinations; several split the requests by their weights (relative, e.g. 90 and 10).
   */
  public static forward(...destinations: IngressDestination[]): IngressAction {
    return new IngressAction(IngressActionKind.FORWARD, destinations, undefined, undefined, undefined);
  }

  /** Answer with a redirect. */
  public static redirect(options: IngressRedirectOptions): IngressAction {
    return new IngressAction(IngressActionKind.REDIRECT, [], options, undefined, undefined);
  }

  /** Answer at the gateway with `status` and an optional body, without reaching any service. */
  public static respond(status: number, body?: string): IngressAction {
    return new IngressAction(IngressActionKind.RESPOND, [], undefined, status, body);
  }

  /** What kind of answer it is. */
  public readonly kind: IngressActionKind;
  /** Where `forward` sends requests. */
  public readonly destinations: IngressDestination[];
  /** Where `redirect` sends clients. */
  public readonly redirectTo?: IngressRedirectOptions;
  /** The status `respond` answers with. */
  public readonly status?: number;
  /** The body `respond` answers with. */
  public readonly body?: string;

  private constructor(kind: IngressActionKind, destinations: IngressDestination[], redirectTo: IngressRedirectOptions | undefined,
    status: number | undefined, body: string | undefined) {
    this.kind = kind;
    this.destinations = destinations;
    this.redirectTo = redirectTo;
    this.status = status;
    this.body = body;
  }

  /** Throws, naming `owner`, when Istio would reject the action or it cannot work. */
  public check(owner: string): void {
    if (this.kind === IngressActionKind.FORWARD) {
      if (this.destinations.length === 0) throw new Error(`${owner}: IngressAction.forward() needs at least one destination`);
      const weights = this.destinations.map(d => d.weight);
      for (const weight of weights) {
        if (weight !== undefined && (!Number.isInteger(weight) || weight < 0)) {
          throw new Error(`${owner}: weight ${weight} must be a whole number of at least 0`);
        }
      }
      if (this.destinations.length > 1) {
        if (weights.some(w => w === undefined)) {
          throw new Error(`${owner}: with ${this.destinations.length} destinations every destination needs a weight `
            + '(Istio sends nothing to an unweighted one); e.g. 90 and 10 for a canary');
        }
        if (weights.reduce((a, b) => a! + b!, 0) === 0) {
          throw new Error(`${owner}: the destination weights sum to 0 (Istio rejects it: "total destination weight = 0"); `
            + 'give the destinations that should get requests a weight above 0');
        }
      }
    } else if (this.kind === IngressActionKind.REDIRECT) {
      const r = this.redirectTo!;
      if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') {
        throw new Error(`${owner}: redirect scheme '${r.scheme}' must be 'http' or 'https'`);
      }
      if (r.port !== undefined && !Names.isPortNumber(r.port)) throw new Error(`${owner}: redirect port ${r.port} is not a port number`);
      if (r.path !== undefined && !r.path.startsWith('/')) throw new Error(`${owner}: redirect path '${r.path}' must start with '/'`);
      if (r.host !== undefined && !Names.isDns1123Subdomain(r.host)) throw new Error(`${owner}: redirect host '${r.host}' is not a host name`);
      if (r.statusCode !== undefined && ![301, 302, 303, 307, 308].includes(r.statusCode)) {
        throw new Error(`${owner}: redirect statusCode ${r.statusCode} is not a redirect status (301, 302, 303, 307 or 308)`);
      }
      if ([r.scheme, r.host, r.port, r.path].every(v => v === undefined)) {
        throw new Error(`${owner}: a redirect that changes nothing would send clients back to the same URL forever; `
          + 'set the scheme, host, port or path to redirect to');
      }
    } else if (!Number.isInteger(this.status) || this.status! < 200 || this.status! > 599) {
      throw new Error(`${owner}: respond status ${this.status} must be an HTTP status from 200 to 599`);
    }
  }
}
