import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { IIngressGateway, IIngressRoute } from './ingress-contracts';
import { IngressDestination, ResolvedIngressDestination } from './ingress-destination';
import { checkRouteHosts, routeName } from './route-checks';
import * as networking from '../../imports/networking.istio.io';
import { renderExportTo } from '../private/export-to';
import { namespaceOf } from '../private/namespace';
import { validateAtSynth } from '../private/synth-validation';

/**
 * Properties of an `IngressPassthroughRoute`.
 */
export interface IngressPassthroughRouteProps {
  /** The ingress gateway the route binds to. */
  readonly gateway: IIngressGateway;
  /** The SNI hosts; each must be served by a passthrough listener of the gateway. */
  readonly hosts: string[];
  /** The TLS server in the mesh that terminates the connections (its own certificate). */
  readonly destination: IngressDestination;
  /**
   * The VirtualService's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The VirtualService's namespace.
   * @default - the chart's namespace
   */
  readonly namespaceName?: string;
}

/**
 * TLS passed through an ingress gateway by SNI to a TLS server in the mesh (Istio's "ingress gateway without TLS
 * termination" task): one VirtualService with a `tls` route matching the hosts as `sniHosts`. The gateway never
 * sees the requests, so HTTP rules and access rules by path do not apply to them.
 */
export class IngressPassthroughRoute extends Construct implements IIngressRoute {
  /** The gateway the route binds to. */
  public readonly gateway: IIngressGateway;
  public readonly namespaceName: string;
  public readonly passthrough: boolean = true;
  /** The VirtualService's name. */
  public readonly name: string;

  private readonly _hosts: string[];
  private readonly destination: IngressDestination;

  public constructor(scope: Construct, id: string, props: IngressPassthroughRouteProps) {
    super(scope, id);
    const path = this.node.path;
    this.gateway = props.gateway;
    this.namespaceName = namespaceOf(this, props.namespaceName, 'an ingress route');
    this.name = routeName(path, id, props.name);
    this._hosts = [...props.hosts];
    checkRouteHosts(path, this._hosts);
    if (this._hosts.includes('*')) {
      throw new Error(`${path}: a passthrough route needs SNI host names ('*' is not one Istio matches as sniHosts); list the hosts`);
    }
    if (props.destination.weight !== undefined) {
      throw new Error(`${path}: a passthrough route has one destination; drop its weight`);
    }
    this.destination = props.destination;
    validateAtSynth(this);
    const gatewayRef = props.gateway.routing.bindRoute(this);
    this.node.addValidation({
      validate: () => {
        try {
          this.destinations();
          return [];
        } catch (e) {
          return [(e as Error).message];
        }
      },
    });

    new networking.VirtualService(this, 'VirtualService', {
      metadata: { name: this.name, namespace: this.namespaceName },
      spec: Lazy.any({
        produce: (): networking.VirtualServiceSpec => {
          const [target] = this.destinations();
          const hosts = [...this._hosts].sort();
          return {
            hosts,
            gateways: [gatewayRef],
            exportTo: renderExportTo([props.gateway.namespaceName], this.namespaceName),
            tls: [{ match: [{ sniHosts: hosts }], route: [{ destination: { host: target.host, port: { number: target.port } } }] }],
          };
        },
      }),
    });
  }

  public get hosts(): string[] {
    return [...this._hosts];
  }

  public matchKeys(): string[] {
    return ['sni'];
  }

  public destinations(): ResolvedIngressDestination[] {
    return [this.destination.resolve(this.node.path, this.gateway.mesh)];
  }
}
