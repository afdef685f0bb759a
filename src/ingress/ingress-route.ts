import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { IngressAction } from './ingress-action';
import { IIngressGateway, IIngressRoute } from './ingress-contracts';
import { ResolvedIngressDestination } from './ingress-destination';
import { IngressMatch, IngressValueMatch } from './ingress-match';
import { checkMatch, matchesEverything, renderMatch, renderValueMatch } from './match-rules';
import { checkRouteHosts, checkRuleOptions, routeName } from './route-checks';
import * as networking from '../../imports/networking.istio.io';
import { HttpHeaderChanges, HttpRetries } from '../mesh/request-shaping';
import { renderExportTo } from '../private/export-to';
import { namespaceOf } from '../private/namespace';
import { validateAtSynth } from '../private/synth-validation';
import { istioDuration, renderRequestShaping } from '../render/istio/request-shaping';

/**
 * A rewrite of a forwarded request.
 */
export interface IngressRewrite {
  /**
   * Replaces the matched path prefix (or the whole path of an exact match), e.g. `/` to strip `/api`.
   * @default - the path is kept
   */
  readonly path?: string;
  /**
   * Replaces the Host (authority) header.
   * @default - the host is kept
   */
  readonly host?: string;
}

/**
 * CORS answers of a rule, given by the gateway to browsers' preflight requests.
 */
export interface IngressCors {
  /** Origins allowed to call (`IngressValueMatch.exact('https://app.example.com')`). */
  readonly allowOrigins: IngressValueMatch[];
  /**
   * Methods allowed.
   * @default - the browser's simple methods
   */
  readonly allowMethods?: string[];
  /**
   * Request headers allowed.
   * @default - none beyond the simple ones
   */
  readonly allowHeaders?: string[];
  /**
   * Response headers the browser may read.
   * @default - none beyond the simple ones
   */
  readonly exposeHeaders?: string[];
  /**
   * How long the browser may cache a preflight answer.
   * @default - the browser's default
   */
  readonly maxAge?: Duration;
  /**
   * Whether the browser may send credentials (cookies).
   * @default false
   */
  readonly allowCredentials?: boolean;
}

/**
 * What a rule does and how it treats the requests it forwards.
 */
export interface IngressRuleOptions {
  /** Forward, redirect or answer. */
  readonly action: IngressAction;
  /**
   * Request timeout.
   * @default - none
   */
  readonly timeout?: Duration;
  /**
   * Retries.
   * @default - Istio's default retry policy
   */
  readonly retries?: HttpRetries;
  /**
   * Header changes on forwarded requests.
   * @default - none
   */
  readonly requestHeaders?: HttpHeaderChanges;
  /**
   * Header changes on responses.
   * @default - none
   */
  readonly responseHeaders?: HttpHeaderChanges;
  /**
   * Path or host rewrite of forwarded requests (not with a redirect or an answer; Istio rejects a rewrite with a
   * redirect).
   * @default - none
   */
  readonly rewrite?: IngressRewrite;
  /**
   * CORS policy.
   * @default - no CORS answers
   */
  readonly cors?: IngressCors;
}

/**
 * A rule of a route: requests matching any of `matches` get `action`. Rules are evaluated by ascending `priority`,
 * the first match wins (Istio evaluates a VirtualService's HTTP routes in order); priorities are unique per route.
 */
export interface IngressRule extends IngressRuleOptions {
  /** Where the rule is evaluated: lower first. */
  readonly priority: number;
  /** The ways a request matches the rule (any of them); each is a set of conditions that must all hold. */
  readonly matches: IngressMatch[];
}

/**
 * Properties of an `IngressRoute`.
 */
export interface IngressRouteProps {
  /** The ingress gateway the route binds to. */
  readonly gateway: IIngressGateway;
  /** The hosts (Host header) the route serves; each must be served by an HTTP or HTTPS listener of the gateway. */
  readonly hosts: string[];
  /**
   * The rules, in any order (they are evaluated by priority); more with `addRule`.
   * @default - none
   */
  readonly rules?: IngressRule[];
  /**
   * What requests that match no rule get. Without one they get 404 from the gateway.
   * @default - 404 for requests no rule matches
   */
  readonly defaultRule?: IngressRuleOptions;
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
 * HTTP routing through an ingress gateway for some hosts: one VirtualService bound to the gateway (`gateways:
 * [<namespace>/<name>]`, exported only to its own and the gateway's namespace, so sidecars never load it), with
 * rules matched by path, headers, query parameters and method, evaluated by priority.
 *
 * Synth refuses what Istio would reject or silently ignore: a host no listener of the gateway serves (404 NR), a
 * destination port the Service does not expose, weights that sum to 0, a redirect with a rewrite, two rules with
 * one match (the second is never reached), a rule that matches everything ahead of others, and two routes of one
 * host competing for the same requests.
 */
export class IngressRoute extends Construct implements IIngressRoute {
  /** The gateway the route binds to. */
  public readonly gateway: IIngressGateway;
  public readonly namespaceName: string;
  public readonly passthrough: boolean = false;
  /** The VirtualService's name. */
  public readonly name: string;

  private readonly _hosts: string[];
  /** Each rule with the canonical text of each of its matches, worked out once when it is added. */
  private readonly rules: Array<{ readonly rule: IngressRule; readonly keys: string[] }> = [];
  private defaultRule?: IngressRuleOptions;

  public constructor(scope: Construct, id: string, props: IngressRouteProps) {
    super(scope, id);
    const path = this.node.path;
    this.gateway = props.gateway;
    this.namespaceName = namespaceOf(this, props.namespaceName, 'an ingress route');
    this.name = routeName(path, id, props.name);
    this._hosts = [...props.hosts];
    checkRouteHosts(path, this._hosts);
    validateAtSynth(this);
    const gatewayRef = props.gateway.routing.bindRoute(this);
    if (props.defaultRule) this.addDefaultRule(props.defaultRule);
    for (const rule of props.rules ?? []) this.addRule(rule);
    this.node.addValidation({ validate: () => this.validateRules() });

    new networking.VirtualService(this, 'VirtualService', {
      metadata: { name: this.name, namespace: this.namespaceName },
      spec: Lazy.any({
        produce: (): networking.VirtualServiceSpec => ({
          hosts: [...this._hosts].sort(),
          gateways: [gatewayRef],
          exportTo: renderExportTo([props.gateway.namespaceName], this.namespaceName),
          http: this.renderHttp(),
        }),
      }),
    });
  }

  public get hosts(): string[] {
    return [...this._hosts];
  }

  /**
   * Adds what requests that match no rule get (the `defaultRule` prop). A route has one: adding a second is
   * refused rather than letting the later call win.
   */
  public addDefaultRule(options: IngressRuleOptions): void {
    if (this.defaultRule) {
      throw new Error(`${this.node.path}: the route already has a defaultRule; a route has one catch-all, so change that one`);
    }
    checkRuleOptions(`${this.node.path} defaultRule`, options);
    this.defaultRule = options;
  }

  /** Adds a rule; its priority places it among the others, whatever the order of calls. */
  public addRule(rule: IngressRule): void {
    const owner = `${this.node.path} rule ${rule.priority}`;
    if (!Number.isInteger(rule.priority) || rule.priority < 0) {
      throw new Error(`${this.node.path}: rule priority ${rule.priority} must be a whole number of at least 0`);
    }
    const twin = this.rules.find(r => r.rule.priority === rule.priority);
    if (twin) {
      throw new Error(`${this.node.path}: two rules have priority ${rule.priority}; priorities order the rules, so give each its own`);
    }
    if (rule.matches.length === 0) {
      throw new Error(`${owner}: a rule needs at least one match; put a catch-all action in the route's defaultRule`);
    }
    const keys = rule.matches.map(match => checkMatch(owner, match));
    checkRuleOptions(owner, rule);
    this.rules.push({ rule, keys });
  }

  public matchKeys(): string[] {
    const keys = this.rules.flatMap(r => r.keys);
    return this.defaultRule ? [...keys, 'default'] : keys;
  }

  public destinations(): ResolvedIngressDestination[] {
    const mesh = this.gateway.mesh;
    return this.sortedRules().flatMap(({ owner, options }) =>
      options.action.destinations.map(d => d.resolve(owner, mesh)));
  }

  private sortedRules(): Array<{ owner: string; name: string; matches?: IngressMatch[]; options: IngressRuleOptions }> {
    const rules = this.byPriority().map(({ rule }) => ({
      owner: `${this.node.path} rule ${rule.priority}`, name: `rule-${rule.priority}`, matches: rule.matches, options: rule as IngressRuleOptions,
    }));
    return this.defaultRule
      ? [...rules, { owner: `${this.node.path} defaultRule`, name: 'default', options: this.defaultRule }]
      : rules;
  }

  private byPriority() {
    return [...this.rules].sort((a, b) => a.rule.priority - b.rule.priority);
  }

  /** Unreachable rules: a match given twice, or rules after one that matches everything. */
  private validateRules(): string[] {
    const errors: string[] = [];
    const seen = new Map<string, number>();
    const sorted = this.byPriority();
    for (const { rule, keys } of sorted) {
      for (const key of keys) {
        const earlier = seen.get(key);
        if (earlier !== undefined && earlier !== rule.priority) {
          errors.push(`${this.node.path}: rule ${rule.priority} repeats a match of rule ${earlier} (${key}), which Istio `
            + 'evaluates first, so it is never reached; drop it or give it another condition');
        }
        seen.set(key, earlier ?? rule.priority);
      }
    }
    const everything = sorted.find(({ rule }) => rule.matches.some(matchesEverything));
    if (everything && (everything !== sorted[sorted.length - 1] || this.defaultRule)) {
      errors.push(`${this.node.path}: rule ${everything.rule.priority} matches every request (path prefix '/'), so the rules after `
        + 'it are never reached; make it the defaultRule or give it a later priority');
    }
    try {
      this.destinations();
    } catch (e) {
      errors.push((e as Error).message);
    }
    if (this.rules.length === 0 && !this.defaultRule) {
      errors.push(`${this.node.path}: the route has no rules, so it sends nothing anywhere; add a rule or a defaultRule`);
    }
    return errors;
  }

  private renderHttp(): networking.VirtualServiceSpecHttp[] {
    return this.sortedRules().map(({ owner, name, matches, options }) => {
      const action = options.action;
      const shaping = renderRequestShaping(owner, options) ?? {};
      const destinations = action.destinations.map(d => d.resolve(owner, this.gateway.mesh));
      const response = options.responseHeaders;
      return {
        name,
        match: matches?.map(renderMatch),
        route: destinations.length === 0 ? undefined : destinations.map(d => ({
          destination: { host: d.host, port: { number: d.port } },
          weight: destinations.length > 1 ? d.weight : undefined,
        })),
        redirect: action.redirectTo && {
          scheme: action.redirectTo.scheme,
          authority: action.redirectTo.host,
          port: action.redirectTo.port,
          uri: action.redirectTo.path,
          redirectCode: action.redirectTo.statusCode,
        },
        directResponse: action.status === undefined ? undefined : {
          status: action.status,
          body: action.body === undefined ? undefined : { string: action.body },
        },
        rewrite: options.rewrite && { uri: options.rewrite.path, authority: options.rewrite.host },
        timeout: shaping.timeout,
        retries: shaping.retries,
        headers: shaping.headers || response ? {
          request: shaping.headers?.request,
          response: response && { set: response.set, add: response.add, remove: response.remove },
        } : undefined,
        corsPolicy: options.cors && {
          allowOrigins: options.cors.allowOrigins.map(o => renderValueMatch(o)!),
          allowMethods: options.cors.allowMethods,
          allowHeaders: options.cors.allowHeaders,
          exposeHeaders: options.cors.exposeHeaders,
          maxAge: options.cors.maxAge && istioDuration(options.cors.maxAge),
          allowCredentials: options.cors.allowCredentials,
        },
      };
    });
  }
}
