import { ApiObject, App, Chart } from 'cdk8s';
import { EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, MeshEgressLockdown } from '../src';

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
  const grantees = namespaces.map(ns => EgressGrantee.namespace(ns));
  const add = (id: string, host: string, https: boolean) => {
    const service = new ExternalService(egress, `host-${id}`, {
      hosts: [host],
      ports: [https ? ExternalPort.https() : ExternalPort.http()],
    });
    const route = new EgressRoute(egress, `route-${id}`, { gateway, service });
    for (const grantee of grantees) route.grantEgress(grantee);
  };
  for (let i = 0; i < scenario.hosts; i++) add(String(i), hostName(i), isHttps(i));
  if (scenario.extra) add('extra', 'extra.example.com', scenario.extra === 'https');
  return app;
}

/** The synthesized objects of an app, per chart, in output order. */
export interface ChartManifests {
  readonly id: string;
  readonly manifests: any[];
}

/** What each chart of `app` renders, without writing files or running validations. */
export function chartManifests(app: App): ChartManifests[] {
  return app.charts.map(chart => ({ id: chart.node.id, manifests: chart.toJson() }));
}

/**
 * The floor: the same objects as plain `ApiObject`s in charts of the same ids, so `synth()` writes the same files.
 * Nothing is left to compute but cdk8s' own resolve, sort and YAML output.
 */
export function buildBaselineApp(charts: ChartManifests[], outdir: string): App {
  const app = new App({ outdir });
  for (const { id, manifests } of charts) {
    const chart = new Chart(app, id);
    manifests.forEach((manifest, i) => new ApiObject(chart, `o${i}`, manifest));
  }
  return app;
}
