import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkAccessRule, checkJwtRule, pathsOverlap } from './access-checks';
import { IngressAccessRule, IngressJwtRule } from './ingress-access';
import { IIngressGatewayRouting, IIngressRoute } from './ingress-contracts';
import { IngressGatewayOptions } from './ingress-gateway-options';
import { IngressListener, IngressProtocol } from './ingress-listener';
import * as networking from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';
import type { IstioMesh } from '../mesh/istio-mesh';
import { AppRegistry } from '../private/app-registry';
import { ClusterServices, resolveClusterServices } from '../private/cluster-services';
import { groupBy } from '../private/collections';
import { podPortOf } from '../private/gateway-ports';
import { checkNamespaceName } from '../private/kubernetes-names';
import { labelsOverlap } from '../private/label-selector';
import { Names } from '../private/names';
import { validateAtSynth } from '../private/synth-validation';
import { ListenerIntent, renderIngressServers } from '../render/istio/ingress-gateway';
import { jwtPathGroups, renderAccessRules, renderJwtDenyRules, renderJwtRules } from '../render/istio/ingress-policies';
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

/** The gateway pod ports by what their listeners do with the traffic. */
interface PodPorts {
  /** Ports where the gateway serves HTTP requests (HTTP or HTTPS listeners that do not only redirect). */
  readonly http: number[];
  /** Ports whose listeners only redirect to HTTPS. */
  readonly redirectOnly: number[];
  /** Ports with passthrough listeners: TCP to the gateway, which sees no request. */
  readonly passthrough: number[];
}

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
    this.metricsNamespaces.forEach(namespace => checkNamespaceName(path, 'metricsNamespaces', namespace));
    validateAtSynth(gateway);
    gateway.node.addValidation({ validate: () => this.validate() });
    AppRegistry.of(gateway).join<IngressGatewayEdge>('ingress-gateways', gateway, this, checkAcrossGateways);

    if (options.confinePods ?? true) {
      // Named after the gateway whose pods it confines: in from anywhere on the listeners, out only to the mesh.
      new kplus.k8s.KubeNetworkPolicy(gateway, 'NetworkPolicy', {
        metadata: { name: gateway.name, namespace: gateway.namespaceName },
        spec: Lazy.any({
          produce: () => NetworkPolicyRender.confinedIngressGateway({
            podLabels: gateway.podLabels,
            listenerPodPorts: this.boundListeners.map(l => this.podPortOf(l)),
            metricsNamespaces: this.metricsNamespaces,
            services: this.clusterServices,
            backends: this.boundRoutes.flatMap(route => route.destinations()).map(d => d.pods),
          }),
        }),
      });
    }
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
        servers: Lazy.any({ produce: () => renderIngressServers(this.boundListeners.map(l => this.listenerIntent(l))) }),
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
        produce: (): security.AuthorizationPolicySpec => {
          const ports = this.podPorts();
          return {
            selector: { matchLabels: gateway.podLabels },
            action: security.AuthorizationPolicySpecAction.ALLOW,
            rules: renderAccessRules(this.accessRules.map(r => ({
              ...r,
              // HTTP conditions only ever match where the gateway sees requests; saying so keeps istiod from
              // skipping the rule on TCP filter chains with a warning.
              podPorts: r.ports ? r.ports.map(p => this.podPortOfService(p)) : hasHttpCondition(r) ? ports.http : undefined,
            })), ports.redirectOnly),
          };
        },
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
          // The generated class writes jwksUri as the proto field name `jwks_uri`: the CRD lists both spellings
          // and istiod's protojson decoding accepts either.
          produce: (): security.RequestAuthenticationSpec => ({
            selector: { matchLabels: gateway.podLabels },
            jwtRules: renderJwtRules(this.jwtRules),
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
            rules: renderJwtDenyRules(jwtPathGroups(this.jwtRules), this.podPorts().http),
          }),
        }),
      }),
    ];
  }

  private podPortOf(listener: IngressListener): number {
    return this.podPortOfService(listener.port);
  }

  private podPortOfService(port: number): number {
    return podPortOf(this.gateway, port);
  }

  private podPorts(): PodPorts {
    const byPort = groupBy(this.boundListeners, l => this.podPortOf(l));
    const ports = (test: (listeners: IngressListener[]) => boolean) =>
      [...byPort.entries()].filter(([, listeners]) => test(listeners)).map(([port]) => port).sort((a, b) => a - b);
    return {
      http: ports(ls => ls.some(l => l.terminatesHttp && !l.httpsRedirect)),
      redirectOnly: ports(ls => ls.every(l => l.httpsRedirect)),
      passthrough: ports(ls => ls.some(l => !l.terminatesHttp)),
    };
  }

  /**
   * A listener as its server renders: each host bound for the namespaces of the routes that serve it (a route of
   * another namespace cannot attach a VirtualService to the gateway's hosts), or for the gateway's own namespace
   * while no route serves it.
   */
  private listenerIntent(listener: IngressListener): ListenerIntent {
    const routes = this.boundRoutes.filter(r => r.passthrough !== listener.terminatesHttp);
    const servedHosts = listener.hosts.flatMap(host => {
      const namespaces = [...new Set(routes.filter(r => r.hosts.some(h => Names.hostsOverlap(h, host))).map(r => r.namespaceName))].sort();
      return namespaces.length > 0 ? namespaces.map(ns => `${ns}/${host}`) : [`./${host}`];
    });
    return {
      protocol: listener.protocol as ListenerIntent['protocol'],
      port: listener.port,
      hosts: listener.hosts,
      servedHosts,
      httpsRedirect: listener.httpsRedirect,
      tls: listener.tls && {
        mode: listener.tls.mode,
        credentialName: listener.tls.credentialName,
        minProtocolVersion: listener.tls.minProtocolVersion,
        subjectAltNames: listener.tls.subjectAltNames,
      },
    };
  }

  /** What istiod would drop or serve wrongly, which depends on every listener and route of the gateway. */
  private validate(): string[] {
    return [...this.duplicateServers(), ...this.sharedCertificates(), ...this.edgePolicies(), ...this.unservedHosts(), ...this.competingRoutes()];
  }

  /** pilot/pkg/model/gateway.go, CheckDuplicates: a TLS server repeating a host of its port is skipped. */
  private duplicateServers(): string[] {
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const listener of this.boundListeners) {
      for (const host of listener.hosts) {
        const key = `${listener.port} ${host}`;
        if (seen.has(key)) {
          errors.push(`${this.gateway.node.path}: host '${host}' is served twice on port ${listener.port}; istiod skips the second `
            + 'server. List each host in one listener per port');
        }
        seen.add(key);
      }
    }
    return errors;
  }

  /**
   * istioctl analyze IST0138: one certificate for different hosts on one port. HTTP/2 clients reuse a connection for
   * every host the certificate covers (same port) and get 404s from the server it was opened on.
   */
  private sharedCertificates(): string[] {
    const errors: string[] = [];
    const first = new Map<string, IngressListener>();
    for (const listener of this.boundListeners.filter(l => l.tls)) {
      const key = `${listener.port} ${listener.tls!.credentialName}`;
      const other = first.get(key);
      if (other && other.hosts.join() !== listener.hosts.join()) {
        errors.push(`${this.gateway.node.path}: certificate '${listener.tls!.credentialName}' is used by two listeners on port `
          + `${listener.port} (${other.hosts.join(', ')} and ${listener.hosts.join(', ')}); HTTP/2 clients reuse one connection `
          + 'for both and get 404s. Serve all its hosts from one listener');
      }
      first.set(key, other ?? listener);
    }
    return errors;
  }

  /** Access rules and JWT requirements that would deny what their listeners carry, or overlap. */
  private edgePolicies(): string[] {
    const path = this.gateway.node.path;
    const errors: string[] = [];
    const ports = this.podPorts();
    const served = new Set(this.boundListeners.map(l => l.port));
    for (const rule of this.accessRules) {
      for (const port of rule.ports ?? []) {
        if (!served.has(port)) errors.push(`${path}: access rule port ${port} has no listener (listeners: ${[...served].join(', ') || 'none'})`);
        if (hasHttpCondition(rule) && ports.passthrough.includes(this.podPortOfService(port)) && !ports.http.includes(this.podPortOfService(port))) {
          errors.push(`${path}: access rule on port ${port} has hosts, paths or methods, which a passthrough listener never sees; `
            + 'match its connections by sourceCidrs and ports only');
        }
      }
    }
    if (this.accessRules.length > 0) {
      // builder.go skips ALLOW rules with HTTP conditions on TCP filter chains: a passthrough port that no
      // TCP-matchable rule admits is left with an ALLOW policy nothing matches, and every connection is refused.
      for (const port of ports.passthrough) {
        const admits = this.accessRules.some(r => !hasHttpCondition(r)
          && (r.ports === undefined || r.ports.some(p => this.podPortOfService(p) === port)));
        if (!admits) {
          errors.push(`${path}: no access rule admits the passthrough listeners' connections on pod port ${port} (their requests `
            + 'are encrypted, so host, path and method rules never match them, and Istio refuses every connection); add '
            + 'allowRequests({ ports: [<listener port>] }), with sourceCidrs to limit who connects');
        }
      }
    }
    if (this.jwtRules.length > 0 && ports.http.length === 0) {
      errors.push(`${path}: requireJwt needs an HTTP or HTTPS listener that serves requests: a token is read from HTTP `
        + 'requests, and passthrough or redirect-only listeners never see them');
    }
    for (const port of ports.passthrough.filter(p => this.jwtRules.length > 0 && ports.http.includes(p))) {
      errors.push(`${path}: a passthrough listener shares pod port ${port} with HTTPS listeners that require a JWT; the DENY rule `
        + 'for requests without a token would refuse its TLS connections. Move it to another port');
    }
    const groups = jwtPathGroups(this.jwtRules);
    groups.forEach((a, i) => groups.slice(i + 1).forEach(b => {
      if (pathsOverlap(a.paths, b.paths)) {
        errors.push(`${path}: JWT requirements of ${a.issuers.join(', ')} (paths ${a.paths?.join(', ') ?? 'all'}) and of `
          + `${b.issuers.join(', ')} (paths ${b.paths?.join(', ') ?? 'all'}) overlap; a request there would need a token of `
          + 'each, and carries one. Give requirements that share paths the same paths (a token of any of their issuers admits)');
      }
    }));
    return errors;
  }

  /** Route hosts no listener of the right kind serves: istiod answers them 404 (NR). */
  private unservedHosts(): string[] {
    const errors: string[] = [];
    for (const route of this.boundRoutes) {
      const fitting = this.boundListeners.filter(l => l.terminatesHttp !== route.passthrough && !l.httpsRedirect);
      for (const host of route.hosts) {
        // pilot/pkg/networking/core/gateway.go serves the intersection of the route's and the server's hosts.
        if (!fitting.some(l => l.hosts.some(served => Names.hostsOverlap(host, served)))) {
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

/** Whether an access rule has conditions only HTTP requests carry. */
function hasHttpCondition(rule: IngressAccessRule): boolean {
  return rule.hosts !== undefined || rule.paths !== undefined || rule.methods !== undefined;
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
    if (labelsOverlap(a.podLabels, b.podLabels)) {
      errors.push(`${b.node.path}: ingress gateways ${a.node.path} and ${b.node.path} select the same pods (Istio applies a `
        + 'Gateway to matching pods of every namespace); their servers would merge and istiod drops repeated hosts and port '
        + 'names. Use one gateway with all the listeners, or give each its own pod labels');
    }
  }));
  return errors;
}
