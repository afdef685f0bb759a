import { ApiObject, App, Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import { EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, IEgressGrantee, MeshEgressLockdown } from '../src';

/** The scenario of issue 7: N external hosts through one egress gateway, locked down, granted to 10 namespaces. */
export interface EgressScenario {
  /** External hosts: even indexes plain HTTP (port 80), odd ones HTTPS passed through (port 443). */
  readonly hosts: number;
  /**
   * Locked-down namespaces, each granted every host.
   * @default 10
   */
  readonly namespaces?: number;
  /** One more host of this kind, to measure what a single host adds. */
  readonly extra?: 'http' | 'https';
  /**
   * Which hosts each namespace is granted: all of them, or a tenth (namespace k those whose index is k modulo 10; the
   * extra host goes to every namespace).
   * @default 'all'
   */
  readonly grants?: 'all' | 'tenth';
}

export const EGRESS_NAMESPACE = 'egress-config';

export function hostName(i: number): string {
  return `h${i}.example.com`;
}

/** Whether host `i` is HTTPS (passed through) rather than plain HTTP. */
export function isHttps(i: number): boolean {
  return i % 2 === 1;
}

export function namespaceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ns-${i}`);
}

/**
 * The construct app, as a platform team would write it against an istioctl-installed gateway (the Istio docs'
 * setup): one chart, one lockdown, per host an ExternalService and an EgressRoute granted to every namespace.
 */
export function buildEgressApp(scenario: EgressScenario, outdir: string): App {
  const app = new App({ outdir });
  const egress = new Chart(app, 'egress', { namespace: EGRESS_NAMESPACE });
  const gateway = EgressGateway.fromExisting(egress, 'gateway');
  const namespaces = namespaceNames(scenario.namespaces ?? 10);
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces });
  const grantees = namespaces.map(ns => EgressGrantee.wholeNamespace(ns));
  const add = (id: string, host: string, https: boolean, to: IEgressGrantee[]) => {
    const service = new ExternalService(egress, `host-${id}`, {
      hosts: [host],
      ports: [https ? ExternalPort.https() : ExternalPort.http()],
    });
    const route = new EgressRoute(egress, `route-${id}`, { gateway, service });
    for (const grantee of to) route.grantEgress(grantee);
  };
  const granteesOf = (i: number) => (scenario.grants === 'tenth' ? grantees.filter((_, k) => k % 10 === i % 10) : grantees);
  for (let i = 0; i < scenario.hosts; i++) add(String(i), hostName(i), isHttps(i), granteesOf(i));
  if (scenario.extra) add('extra', 'extra.example.com', scenario.extra === 'https', grantees);
  return app;
}

/** The synthesized objects of an app, per chart, in output order. */
export interface ChartManifests {
  readonly id: string;
  readonly manifests: any[];
  /** The construct path of each manifest's object below its chart (`host-0/Resource`), in the same order. */
  readonly paths: string[][];
}

/** What each chart of `app` renders (its validations included), without writing files. */
export function chartManifests(app: App): ChartManifests[] {
  return app.charts.map(chart => {
    // First: rendering makes the objects of a gateway's shards.
    const manifests = chart.toJson();
    const pathOf = new Map<string, string[]>();
    const depth = chart.node.scopes.length;
    for (const object of chart.node.findAll().filter(ApiObject.isApiObject)) {
      pathOf.set(`${object.kind} ${object.metadata.namespace} ${object.name}`, object.node.scopes.slice(depth).map(c => c.node.id));
    }
    const paths = manifests.map(m => pathOf.get(`${m.kind} ${m.metadata.namespace} ${m.metadata.name}`)!);
    return { id: chart.node.id, manifests, paths };
  });
}

/**
 * How a floor app emits the construct app's objects, each a step closer to the library:
 * - `api-object`: plain `ApiObject`s, the floor of issue 7: nothing left but cdk8s' own resolve, sort and YAML output;
 * - `l1`: the classes `cdk8s import` generated (networking/security.istio.io, cdk8s-plus-28's `k8s`), which convert
 *   their props to JSON once more;
 * - `l1-in-construct`: those classes at the construct paths the library gives them, each parent a bare `Construct`,
 *   with a `Lazy` spec and the object's name (the library chooses its names, so the files are the same): the shape of
 *   the library's construct tree and the idiom of cdk8s-plus, with none of the library's logic.
 */
export type Floor = 'api-object' | 'l1' | 'l1-in-construct';

/** The generated class of each kind the scenario emits. */
const L1_CLASSES: Record<string, new (scope: Construct, id: string, props: any) => ApiObject> = {
  ServiceEntry: networking.ServiceEntry,
  VirtualService: networking.VirtualService,
  Gateway: networking.Gateway,
  DestinationRule: networking.DestinationRule,
  Sidecar: networking.Sidecar,
  AuthorizationPolicy: security.AuthorizationPolicy,
  NetworkPolicy: k8s.KubeNetworkPolicy,
};

/** A manifest as props of its generated class: the same field names, but IntOrString ports are objects there. */
function l1Props(manifest: any): any {
  const { apiVersion: _apiVersion, kind, ...props } = manifest;
  if (kind === 'NetworkPolicy') {
    for (const rule of [...props.spec.ingress ?? [], ...props.spec.egress ?? []]) {
      for (const port of rule.ports ?? []) {
        if (port.port !== undefined) {
          port.port = typeof port.port === 'number' ? k8s.IntOrString.fromNumber(port.port) : k8s.IntOrString.fromString(port.port);
        }
      }
    }
  }
  return props;
}

/**
 * A floor app: the same objects in charts of the same ids, so `synth()` writes the same files (the bench compares
 * them byte for byte).
 */
export function buildBaselineApp(charts: ChartManifests[], outdir: string, floor: Floor = 'api-object'): App {
  const app = new App({ outdir });
  for (const { id, manifests, paths } of charts) {
    const chart = new Chart(app, id);
    manifests.forEach((manifest, i) => {
      if (floor === 'api-object') {
        new ApiObject(chart, `o${i}`, manifest);
        return;
      }
      const l1 = L1_CLASSES[manifest.kind];
      if (!l1) throw new Error(`bench: no generated class for kind ${manifest.kind}; add it to L1_CLASSES`);
      const props = l1Props(manifest);
      if (floor === 'l1') {
        new l1(chart, `o${i}`, props);
        return;
      }
      const ids = paths[i];
      let parent: Construct = chart;
      for (const segment of ids.slice(0, -1)) parent = parent.node.tryFindChild(segment) as Construct ?? new Construct(parent, segment);
      const { spec, ...rest } = props;
      new l1(parent, ids[ids.length - 1], { ...rest, spec: Lazy.any({ produce: () => spec }) });
    });
  }
  return app;
}
