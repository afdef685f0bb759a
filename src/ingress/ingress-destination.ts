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
