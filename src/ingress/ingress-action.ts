import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { IstioMesh } from '../mesh/istio-mesh';
import { Names } from '../private/names';

/**
 * Options of `IngressDestination.service`.
 */
export interface IngressServiceDestinationOptions {
  /**
   * The Service port to send to.
   * @default - the Service's port, when it has exactly one
   */
  readonly port?: number;
  /**
   * The share of requests, relative to the other destinations of the action; required when there are several.
   * @default - all requests (a single destination)
   */
  readonly weight?: number;
}

/**
 * Options of `IngressDestination.host`.
 */
export interface IngressHostDestinationOptions {
  /**
   * The share of requests, relative to the other destinations of the action; required when there are several.
   * @default - all requests (a single destination)
   */
  readonly weight?: number;
}

/**
 * The pods behind a destination, as the gateway's NetworkPolicy must let it reach them.
 */
export interface IngressBackendPods {
  /** Their namespace. */
  readonly namespaceName: string;
  /**
   * Their labels.
   * @default - every pod of the namespace
   */
  readonly labels?: { [key: string]: string };
  /**
   * The pod port the gateway connects to.
   * @default - any port
   */
  readonly port?: number;
}

/**
 * A destination resolved for one mesh: the host and port Istio routes to and the pods the gateway reaches.
 */
export interface ResolvedIngressDestination {
  /** The service's cluster FQDN. */
  readonly host: string;
  /** The service port. */
  readonly port: number;
  /** The relative weight, when set. */
  readonly weight?: number;
  /** The pods the gateway connects to. */
  readonly pods: IngressBackendPods;
}

/**
 * A service in the mesh that an ingress route forwards to. Only in-cluster destinations: an ingress gateway is
 * locked down to the mesh, so forwarding to the internet is refused (route egress through an egress gateway).
 */
export class IngressDestination {
  /**
   * A cdk8s-plus Service; the port is checked against the Service's ports at synth, and the gateway's
   * NetworkPolicy lets it reach exactly the Service's pods on the target port.
   */
  public static service(service: kplus.Service, options: IngressServiceDestinationOptions = {}): IngressDestination {
    return new IngressDestination(options.weight, (owner, mesh) => {
      const ports = service.ports;
      const namespaceName = service.metadata.namespace ?? Chart.of(service).namespace;
      if (!namespaceName) {
        throw new Error(`${owner}: destination Service ${service.node.path} has no namespace; set it on its chart, so the `
          + 'route names the Service the cluster has');
      }
      const port = options.port ?? (ports.length === 1 ? ports[0].port : undefined);
      if (port === undefined) {
        throw new Error(`${owner}: destination Service ${service.name} exposes ${ports.length === 0 ? 'no ports' : `ports ${ports.map(p => p.port).join(', ')}`}; `
          + 'pass the port to send to (IngressDestination.service(service, { port }))');
      }
      const bound = ports.find(p => p.port === port);
      if (!bound) {
        throw new Error(`${owner}: destination Service ${service.name} does not expose port ${port} (it exposes `
          + `${ports.map(p => p.port).join(', ') || 'none'}); the gateway would answer 503. Bind the port on the Service or send to one it exposes`);
      }
      // The Service's selector is private to cdk8s-plus; its rendered spec is the public view of it.
      const selector: { [key: string]: string } | undefined = ApiObject.of(service).toJson().spec?.selector;
      return {
        host: mesh.serviceHost(service.name, namespaceName),
        port,
        weight: options.weight,
        pods: { namespaceName, labels: selector && Object.keys(selector).length > 0 ? selector : undefined, port: bound.targetPort ?? port },
      };
    });
  }

  /**
   * A service of the mesh by its cluster FQDN, `<service>.<namespace>.svc.<cluster domain>` (the full name, because
   * `<service>.<namespace>` reads like an external host). Its pods are not known here, so the gateway may reach
   * every pod of that namespace; prefer `service` for a Service of this app.
   */
  public static host(host: string, port: number, options: IngressHostDestinationOptions = {}): IngressDestination {
    return new IngressDestination(options.weight, (owner, mesh) => {
      if (!Names.isPortNumber(port)) throw new Error(`${owner}: destination port ${port} is not a port number (1-65535)`);
      const suffix = `.svc.${mesh.clusterDomain}`;
      const labels = host.endsWith(suffix) ? host.slice(0, -suffix.length).split('.') : [];
      if (labels.length !== 2 || !labels.every(l => Names.isDns1123Label(l))) {
        throw new Error(`${owner}: destination host '${host}' is not a service of the mesh; write its cluster name, `
          + `'<service>.<namespace>${suffix}'. An ingress gateway only reaches the mesh (route external hosts through an egress gateway)`);
      }
      return { host, port, weight: options.weight, pods: { namespaceName: labels[1] } };
    });
  }

  /** The relative weight, when set. */
  public readonly weight?: number;

  private constructor(weight: number | undefined,
    private readonly resolver: (owner: string, mesh: IstioMesh) => ResolvedIngressDestination) {
    this.weight = weight;
  }

  /** The host, port and pods in `mesh`; throws, naming `owner`, when the destination cannot be reached. */
  public resolve(owner: string, mesh: IstioMesh): ResolvedIngressDestination {
    return this.resolver(owner, mesh);
  }
}

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
 * What a rule does with the requests it matches: forward them (to one service, or split by weight for a canary),
 * redirect them, or answer them at the gateway.
 */
export class IngressAction {
  /**
   * Forward to the destinations; several split the requests by their weights (relative, e.g. 90 and 10).
   */
  public static forward(...destinations: IngressDestination[]): IngressAction {
    return new IngressAction('forward', destinations, undefined, undefined, undefined);
  }

  /** Answer with a redirect. */
  public static redirect(options: IngressRedirectOptions): IngressAction {
    return new IngressAction('redirect', [], options, undefined, undefined);
  }

  /** Answer at the gateway with `status` and an optional body, without reaching any service. */
  public static respond(status: number, body?: string): IngressAction {
    return new IngressAction('respond', [], undefined, status, body);
  }

  /** `forward`, `redirect` or `respond`. */
  public readonly kind: string;
  /** Where `forward` sends requests. */
  public readonly destinations: IngressDestination[];
  /** Where `redirect` sends clients. */
  public readonly redirectTo?: IngressRedirectOptions;
  /** The status `respond` answers with. */
  public readonly status?: number;
  /** The body `respond` answers with. */
  public readonly body?: string;

  private constructor(kind: string, destinations: IngressDestination[], redirectTo: IngressRedirectOptions | undefined,
    status: number | undefined, body: string | undefined) {
    this.kind = kind;
    this.destinations = destinations;
    this.redirectTo = redirectTo;
    this.status = status;
    this.body = body;
  }

  /** Throws, naming `owner`, when Istio would reject the action or it cannot work. */
  public check(owner: string): void {
    if (this.kind === 'forward') {
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
    } else if (this.kind === 'redirect') {
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
