import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkAccessRule, checkJwtRule } from './access-checks';
import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { IIngressGatewayRouting, IIngressRoute } from './ingress-contracts';
import { IngressGatewayOptions } from './ingress-gateway-options';
import { IngressListener, IngressProtocol } from './ingress-listener';
import * as networking from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';
import type { IstioMesh } from '../mesh/istio-mesh';
import { AppRegistry } from '../private/app-registry';
import { ClusterServices, resolveClusterServices } from '../private/cluster-services';
import { selectorMatches } from '../private/label-selector';
import { Names } from '../private/names';
import { validateAtSynth } from '../private/synth-validation';
import { ListenerIntent, listenerPortName, renderIngressServers } from '../render/istio/ingress-gateway';
import { NetworkPolicyRender } from '../render/kubernetes/network-policy';

/** The gateway as the edge needs to know it. */
export interface EdgeGateway extends Construct {
  readonly name: string;
  readonly namespaceName: string;
  readonly podLabels: { [key: string]: string };
  readonly mesh: IstioMesh;
  targetPortOf(servicePort: number): number | undefined;
}

/** What differs between an ingress gateway this app deploys and one it references. */
export interface EdgeCapabilities {
  /** Exposes the listener's port on the gateway Service, or throws (with `requester` in the message). */
  exposePort(listener: IngressListener, requester: string): void;
  /** Lets the gateway serve `credentialName` Secrets. */
  readCredentials(): void;
}

/** The proxy's health port (load balancers probe it) and metrics ports. */
const STATUS_PORT = 15021;
const METRICS_PORTS = [15020, 15090];

/**
 * The listeners, routes and edge policies of one ingress gateway, and the objects rendered from them: the Istio
 * `Gateway`, the ALLOW AuthorizationPolicy, the RequestAuthentication with its DENY rule, and the NetworkPolicy
 * that confines the gateway pods to DNS, istiod and the routes' destinations. Deployed and referenced gateways
 * both hold one, so the behaviour lives in one place without a base class. Internal: constructs meet it through
 * `IIngressGatewayRouting` and the gateway's `add*` methods.
 */
export class IngressGatewayEdge implements IIngressGatewayRouting {
  private readonly boundListeners: IngressListener[] = [];
  private readonly boundRoutes: IIngressRoute[] = [];
  private readonly accessRules: IngressAccessRule[] = [];
  private readonly jwtRules: IngressJwtRule[] = [];
  private readonly clusterServices: ClusterServices;
  private readonly metricsNamespaces: string[];
  private istioGateway?: networking.Gateway;
  private allowPolicy?: security.AuthorizationPolicy;
  private jwtPolicies?: [security.RequestAuthentication, security.AuthorizationPolicy];

  public constructor(private readonly gateway: EdgeGateway, private readonly capabilities: EdgeCapabilities,
    options: IngressGatewayOptions) {
    const path = gateway.node.path;
    this.clusterServices = resolveClusterServices(path, gateway.mesh.rootNamespace, options.dns, options.controlPlane);
    this.metricsNamespaces = [...options.metricsNamespaces ?? []];
    for (const namespace of this.metricsNamespaces) {
      if (!Names.isDns1123Label(namespace)) throw new Error(`${path}: metricsNamespaces '${namespace}' is not a namespace name`);
    }
    validateAtSynth(gateway);
    gateway.node.addValidation({ validate: () => this.validate() });
    AppRegistry.of(gateway).join<IngressGatewayEdge>('ingress-gateways', gateway, this, checkAcrossGateways);

    // Named after the gateway whose pods it confines: in from anywhere on the listeners, out only to the mesh.
    new kplus.k8s.KubeNetworkPolicy(gateway, 'NetworkPolicy', {
      metadata: { name: gateway.name, namespace: gateway.namespaceName },
      spec: Lazy.any({ produce: () => this.renderNetworkPolicy() }),
    });
    for (const listener of options.listeners ?? []) this.addListener(listener);
    for (const rule of options.accessRules ?? []) this.allowRequests(rule);
    for (const rule of options.jwtRules ?? []) this.requireJwt(rule);
  }

  /** The gateway this edge belongs to, for the checks across gateways. */
  public get owner(): EdgeGateway {
    return this.gateway;
  }

  public get listeners(): IngressListener[] {
    return [...this.boundListeners];
  }

  public get routes(): IIngressRoute[] {
    return [...this.boundRoutes];
  }

  public bindRoute(route: IIngressRoute): string {
    if (!this.boundRoutes.includes(route)) this.boundRoutes.push(route);
    return `${this.gateway.namespaceName}/${this.gateway.name}`;
  }

  public addListener(listener: IngressListener): void {
    const path = this.gateway.node.path;
    listener.check(path);
    const plain = (l: IngressListener) => l.protocol === IngressProtocol.HTTP;
    const other = this.boundListeners.find(l => l.port === listener.port && plain(l) !== plain(listener));
    if (other) {
      // pilot/pkg/model/gateway.go: a plaintext server and a TLS server on one port cannot share its listener.
      throw new Error(`${path}: port ${listener.port} would have both plain HTTP and TLS listeners (${other.hosts.join(', ')} and `
        + `${listener.hosts.join(', ')}); istiod keeps one kind per port, so put HTTPS or passthrough on another port (443)`);
    }
    this.capabilities.exposePort(listener, path);
    if (listener.tls) this.capabilities.readCredentials();
    this.boundListeners.push(listener);
    this.istioGateway ??= new networking.Gateway(this.gateway, 'Gateway', {
      metadata: { name: this.gateway.name, namespace: this.gateway.namespaceName },
      spec: {
        selector: this.gateway.podLabels,
        servers: Lazy.any({ produce: () => renderIngressServers(this.boundListeners.map(listenerIntent)) }),
      },
    });
  }

  public allowRequests(rule: IngressAccessRule): void {
    checkAccessRule(this.gateway.node.path, rule);
    this.accessRules.push(rule);
    const gateway = this.gateway;
    this.allowPolicy ??= new security.AuthorizationPolicy(gateway, 'AccessPolicy', {
      metadata: { name: `${gateway.name}-access`, namespace: gateway.namespaceName },
      spec: Lazy.any({
        produce: (): security.AuthorizationPolicySpec => ({
          selector: { matchLabels: gateway.podLabels },
          action: security.AuthorizationPolicySpecAction.ALLOW,
          rules: uniqueSorted(this.accessRules.map(renderAccessRule)),
        }),
      }),
    });
  }

  public requireJwt(rule: IngressJwtRule): void {
    const gateway = this.gateway;
    checkJwtRule(gateway.node.path, rule);
    const twin = this.jwtRules.find(r => r.issuer === rule.issuer);
    if (twin) {
      throw new Error(`${gateway.node.path}: issuer '${rule.issuer}' already has a JWT rule (jwksUri ${twin.jwksUri}); `
        + 'a RequestAuthentication validates each issuer once, so merge the two');
    }
    this.jwtRules.push(rule);
    this.jwtPolicies ??= [
      new security.RequestAuthentication(gateway, 'RequestAuthentication', {
        metadata: { name: `${gateway.name}-jwt`, namespace: gateway.namespaceName },
        spec: Lazy.any({
          produce: (): security.RequestAuthenticationSpec => ({
            selector: { matchLabels: gateway.podLabels },
            // The generated class writes jwksUri as the proto field name `jwks_uri`: the CRD lists both spellings
            // and istiod's protojson decoding accepts either.
            jwtRules: [...this.jwtRules].sort((a, b) => a.issuer.localeCompare(b.issuer)).map(r => ({
              issuer: r.issuer,
              jwksUri: r.jwksUri,
              audiences: r.audiences && [...r.audiences].sort(),
              forwardOriginalToken: r.forwardOriginalToken,
            })),
          }),
        }),
      }),
      // A RequestAuthentication only rejects invalid tokens; this rejects requests with none (403), on the paths
      // that require one.
      new security.AuthorizationPolicy(gateway, 'RequireJwt', {
        metadata: { name: `${gateway.name}-require-jwt`, namespace: gateway.namespaceName },
        spec: Lazy.any({
          produce: (): security.AuthorizationPolicySpec => ({
            selector: { matchLabels: gateway.podLabels },
            action: security.AuthorizationPolicySpecAction.DENY,
            rules: uniqueSorted(this.jwtRules.map(r => ({
              from: [{ source: { notRequestPrincipals: ['*'] } }],
              // With HTTP attributes only, a DENY rule also denies every TCP connection in its scope; the ports keep
              // it to the listeners where the gateway sees HTTP.
              to: [{ operation: { paths: r.paths && [...r.paths].sort(), ports: this.httpPodPorts().map(String) } }],
            }))),
          }),
        }),
      }),
    ];
  }

  /** The pod ports of the listeners where the gateway sees HTTP requests (what AuthorizationPolicy ports match). */
  private httpPodPorts(): number[] {
    const ports = this.boundListeners.filter(l => l.terminatesHttp).map(l => this.gateway.targetPortOf(l.port) ?? l.port);
    return [...new Set(ports)].sort((a, b) => a - b);
  }

  /** In from anywhere on the listeners' pod ports and the health port; out to DNS, istiod and the destinations. */
  private renderNetworkPolicy(): kplus.k8s.NetworkPolicySpec {
    const podPorts = this.boundListeners.map(l => this.gateway.targetPortOf(l.port) ?? l.port);
    const ingress: kplus.k8s.NetworkPolicyIngressRule[] = [{ ports: NetworkPolicyRender.tcp([...podPorts, STATUS_PORT]) }];
    if (this.metricsNamespaces.length > 0) {
      ingress.push({ from: NetworkPolicyRender.namespaces(this.metricsNamespaces), ports: NetworkPolicyRender.tcp(METRICS_PORTS) });
    }
    const destinations = this.boundRoutes.flatMap(route => route.destinations());
    return {
      podSelector: { matchLabels: this.gateway.podLabels },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [
        ...NetworkPolicyRender.infrastructure(this.clusterServices),
        ...NetworkPolicyRender.canonical(destinations.map(d => ({
          to: [NetworkPolicyRender.podsIn(d.pods.namespaceName, d.pods.labels)],
          ports: d.pods.port === undefined ? undefined : NetworkPolicyRender.tcp([d.pods.port]),
        }))),
      ],
    };
  }

  /** What istiod would drop or serve wrongly, which depends on every listener and route of the gateway. */
  private validate(): string[] {
    const path = this.gateway.node.path;
    const errors: string[] = [];
    const byPort = new Map<number, IngressListener[]>();
    for (const listener of this.boundListeners) byPort.set(listener.port, [...byPort.get(listener.port) ?? [], listener]);
    for (const [port, listeners] of byPort) {
      const seen = new Map<string, IngressListener>();
      for (const listener of listeners) {
        for (const host of listener.hosts) {
          if (seen.has(host)) {
            // pilot/pkg/model/gateway.go, CheckDuplicates: a TLS server repeating a host of its port is skipped.
            errors.push(`${path}: host '${host}' is served twice on port ${port}; istiod skips the second server. `
              + 'List each host in one listener per port');
          }
          seen.set(host, listener);
        }
      }
      const names = listeners.map(l => listenerPortName(listenerIntent(l)));
      for (const name of names.filter((n, i) => names.indexOf(n) !== i)) {
        errors.push(`${path}: two listeners on port ${port} would share the server port name '${name}' (their first hosts read `
          + 'alike); istiod tells HTTPS servers apart by it. Reorder their hosts');
      }
    }
    const byCredential = new Map<string, IngressListener>();
    for (const listener of this.boundListeners.filter(l => l.tls)) {
      const other = byCredential.get(listener.tls!.credentialName);
      if (other) {
        // istioctl analyze IST0138; HTTP/2 clients reuse a connection for every host of a certificate and get 404s
        // from the server the connection was opened on.
        errors.push(`${path}: certificate '${listener.tls!.credentialName}' is used by two listeners (${other.hosts.join(', ')} `
          + `and ${listener.hosts.join(', ')}); HTTP/2 clients reuse one connection for both and get 404s. Serve all its `
          + 'hosts from one listener');
      }
      byCredential.set(listener.tls!.credentialName, listener);
    }
    if (this.jwtRules.length > 0) {
      if (this.httpPodPorts().length === 0) {
        errors.push(`${path}: requireJwt needs an HTTP or HTTPS listener: a token is read from HTTP requests, and a `
          + 'passthrough listener never sees them');
      }
      const jwtPorts = this.httpPodPorts();
      const shared = this.boundListeners.filter(l => !l.terminatesHttp && jwtPorts.includes(this.gateway.targetPortOf(l.port) ?? l.port));
      for (const listener of shared) {
        errors.push(`${path}: passthrough listener ${listener.hosts.join(', ')} shares port ${listener.port} with HTTPS listeners that `
          + 'require a JWT; the DENY rule for requests without a token would refuse its TLS connections. Move it to another port');
      }
    }
    errors.push(...this.unservedHosts(), ...this.competingRoutes());
    return errors;
  }

  /** Route hosts no listener of the right kind serves: istiod answers them 404 (NR). */
  private unservedHosts(): string[] {
    const errors: string[] = [];
    for (const route of this.boundRoutes) {
      const fitting = this.boundListeners.filter(l => l.terminatesHttp !== route.passthrough && !l.httpsRedirect);
      for (const host of route.hosts) {
        if (!fitting.some(l => l.hosts.some(served => served === '*' || Names.hostSubsetOf(host, served)))) {
          const kind = route.passthrough ? 'a passthrough listener (IngressListener.tlsPassthrough)' : 'an HTTP or HTTPS listener';
          errors.push(`${route.node.path}: host '${host}' is served by no ${route.passthrough ? 'passthrough' : 'HTTP or HTTPS'} `
            + `listener of ingress gateway ${this.gateway.node.path}, so every request to it gets 404 (NR); add ${kind} for it`);
        }
      }
    }
    return errors;
  }

  /** Two routes of one host with the same match: which one wins depends on creation time (istiod merges them). */
  private competingRoutes(): string[] {
    const errors: string[] = [];
    const claimed = new Map<string, IIngressRoute>();
    for (const route of this.boundRoutes) {
      for (const host of route.hosts) {
        for (const key of route.matchKeys()) {
          const id = JSON.stringify([route.passthrough, host, key]);
          const other = claimed.get(id);
          if (other && other !== route) {
            errors.push(`${route.node.path}: routes ${other.node.path} and ${route.node.path} both match ${key === 'default' ? 'every other request' : key} `
              + `for host '${host}'; istiod would take the older one. Put the rules of one host and match in one route`);
          }
          claimed.set(id, route);
        }
      }
    }
    return errors;
  }
}

function listenerIntent(listener: IngressListener): ListenerIntent {
  return {
    protocol: listener.protocol as ListenerIntent['protocol'],
    port: listener.port,
    hosts: listener.hosts,
    httpsRedirect: listener.httpsRedirect,
    tls: listener.tls && {
      mode: listener.tls.mode,
      credentialName: listener.tls.credentialName,
      minProtocolVersion: listener.tls.minProtocolVersion,
      subjectAltNames: listener.tls.subjectAltNames,
    },
  };
}

function renderAccessRule(rule: IngressAccessRule): security.AuthorizationPolicySpecRules {
  const sorted = (list?: string[]) => list && [...new Set(list)].sort();
  const operation = { hosts: sorted(rule.hosts), paths: sorted(rule.paths), methods: sorted(rule.methods) };
  return {
    from: rule.sourceCidrs && [{ source: { remoteIpBlocks: sorted(rule.sourceCidrs) } }],
    to: operation.hosts || operation.paths || operation.methods ? [{ operation }] : undefined,
  };
}

function uniqueSorted<T>(items: T[]): T[] {
  const unique = new Map(items.map(item => [JSON.stringify(item), item]));
  return [...unique.keys()].sort().map(key => unique.get(key)!);
}

/**
 * Istio applies a `Gateway` to every pod its selector matches, in any namespace (unless istiod runs with
 * PILOT_SCOPE_GATEWAY_TO_NAMESPACE): two ingress gateways over the same pods merge their servers, where a repeated
 * host or HTTPS port name silently drops one.
 */
function checkAcrossGateways(edges: IngressGatewayEdge[]): string[] {
  const errors: string[] = [];
  const gateways = edges.map(edge => edge.owner);
  gateways.forEach((a, i) => gateways.slice(i + 1).forEach(b => {
    if (selectorMatches({ matchLabels: a.podLabels }, b.podLabels) || selectorMatches({ matchLabels: b.podLabels }, a.podLabels)) {
      errors.push(`${b.node.path}: ingress gateways ${a.node.path} and ${b.node.path} select the same pods (Istio applies a `
        + 'Gateway to matching pods of every namespace); their servers would merge and istiod drops repeated hosts and port '
        + 'names. Use one gateway with all the listeners, or give each its own pod labels');
    }
  }));
  return errors;
}
