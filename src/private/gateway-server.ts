import * as networking from '../../imports/networking.istio.io';

/** One server of a gateway's shared Istio `Gateway`, as a route asks for it. */
export interface GatewayServerSpec {
  /** Construct path of the route asking, for messages. */
  readonly owner: string;
  /** The external host. */
  readonly host: string;
  /** The namespace of the VirtualService allowed to bind to this server. */
  readonly routeNamespace: string;
  /** The gateway Service port the mesh leg targets. */
  readonly port: number;
  /** The external host's port the gateway connects to (differs from `port` when the gateway originates TLS). */
  readonly externalPort: number;
  readonly protocol: string;
  readonly tls?: networking.GatewaySpecServersTls;
}
