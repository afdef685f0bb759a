import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  EgressGateway, EgressGrantee, EgressRoute, EgressTls, ExternalPort, ExternalService, GatewayInstall, IEgressGateway,
  IEgressGrant, IEgressGrantee, ManifestValidator, MeshEgressLockdown, PodIdentity, Reachability,
} from '../../src';

// Issue 13: random *valid* apps (several services and gateways, routes in every TLS mode, lockdowns, grants of every
// grantee kind). For each: no validator finding; only gateway pods reach the internet; each grant gives exactly its
// grantee a path, at the network (NetworkPolicy) and at the gateway (AuthorizationPolicy), and nobody else one;
// synthesizing twice gives the same bytes; every declared host is in the output.

type Mode = 'passthrough' | 'plaintext' | 'originate' | 'mutual';
type GranteeKind = 'workload' | 'serviceAccount' | 'namespace' | 'pods';

interface ServicePlan { readonly hosts: number; readonly mode: Mode }
interface GatewayPlan {
  readonly deployed: boolean;
  readonly namespaces: number;
  readonly services: ServicePlan[];
  readonly grants: Array<{ readonly service: number; readonly namespace: number; readonly kind: GranteeKind; readonly firstHostOnly: boolean }>;
}

const MODES: Mode[] = ['passthrough', 'plaintext', 'originate', 'mutual'];
const KINDS: GranteeKind[] = ['workload', 'serviceAccount', 'namespace', 'pods'];

const gatewayPlan: fc.Arbitrary<GatewayPlan> = fc.record({
  deployed: fc.boolean(),
  namespaces: fc.integer({ min: 1, max: 2 }),
  services: fc.array(fc.record({ hosts: fc.integer({ min: 1, max: 2 }), mode: fc.constantFrom(...MODES) }), { minLength: 1, maxLength: 3 }),
  grants: fc.array(fc.record({
    service: fc.nat(), namespace: fc.nat(), kind: fc.constantFrom(...KINDS), firstHostOnly: fc.boolean(),
  }), { maxLength: 5 }),
});
const appPlan = fc.array(gatewayPlan, { minLength: 1, maxLength: 2 });

interface Built {
  readonly app: App;
  readonly hosts: string[];
  readonly gateways: Array<{ gateway: IEgressGateway; pod?: PodIdentity; grants: IEgressGrant[]; routes: EgressRoute[] }>;
}

function build(plan: GatewayPlan[]): Built {
  const app = Testing.app();
  const hosts: string[] = [];
  const gateways: Built['gateways'] = plan.map((g, gi) => {
    const config = new Chart(app, `egress-${gi}`, { namespace: `egress-config-${gi}` });
    // The first gateway may be istioctl's; the others are deployed with names of their own, so no two select each other.
    const gateway: IEgressGateway = g.deployed || gi > 0
      ? new EgressGateway(new Chart(app, `gateway-${gi}`, { namespace: `istio-egress-${gi}` }), 'gateway', { name: `egress-${gi}` })
      : EgressGateway.fromExisting(config, 'gateway');
    const namespaces = Array.from({ length: g.namespaces }, (_, k) => `apps-${gi}-${k}`);
    new MeshEgressLockdown(config, 'lockdown', { gateway, namespaces });

    const routes = g.services.map((s, si) => {
      const names = Array.from({ length: s.hosts }, (_, h) => `h${h}.s${si}.g${gi}.example.com`);
      hosts.push(...names);
      const tlsPorts = s.mode === 'passthrough' ? [ExternalPort.https()] : s.mode === 'plaintext' ? [ExternalPort.http()] : [ExternalPort.http(), ExternalPort.https()];
      const service = new ExternalService(config, `s${si}`, { hosts: names, ports: tlsPorts });
      const tls = s.mode === 'originate' ? EgressTls.originate() : s.mode === 'mutual' ? EgressTls.originateMutual({ credentialName: 'client' }) : undefined;
      return new EgressRoute(config, `r${si}`, { gateway, service, tls, ports: s.mode === 'passthrough' ? [443] : [80] });
    });

    const workloads = namespaces.map(ns => {
      const chart = new Chart(app, ns, { namespace: ns });
      const make = (id: string, labels: { [k: string]: string } = {}) => {
        const sa = new kplus.ServiceAccount(chart, `${id}-sa`);
        const w = new kplus.Deployment(chart, id, {
          containers: [{ image: `example/${id}:1.0`, securityContext: { user: 1000 } }], serviceAccount: sa, podMetadata: { labels },
        });
        return { w, sa: sa.name };
      };
      return { ns, app: make('app'), other: make('other'), legacy: make('legacy', { tier: 'legacy' }) };
    });
    const grants = g.grants.map(grant => {
      const route = routes[grant.service % routes.length];
      const ws = workloads[grant.namespace % workloads.length];
      const grantee: IEgressGrantee = grant.kind === 'workload' ? EgressGrantee.workload(ws.app.w)
        : grant.kind === 'serviceAccount' ? EgressGrantee.serviceAccount(ws.ns, 'batch')
          : grant.kind === 'namespace' ? EgressGrantee.wholeNamespace(ws.ns)
            : EgressGrantee.pods({ namespaceName: ws.ns, labels: { tier: 'legacy' }, serviceAccountName: ws.legacy.sa });
      return route.grantEgress(grantee, grant.firstHostOnly ? { hosts: [route.hosts[0]] } : {});
    });
    return { gateway, grants, routes };
  }).map((g, gi) => ({ ...g, pod: plan[gi].deployed || gi > 0 ? undefined : istioctlPod() }));
  return { app, hosts, gateways };
}

function istioctlPod(): PodIdentity {
  return { namespaceName: GatewayInstall.ISTIOCTL.namespaceName, name: 'istio-egressgateway', labels: GatewayInstall.ISTIOCTL.podLabels };
}

/** What `cdk8s synth` writes, chart by chart (the gateways' shards are made in the synth pass). */
function synthesize(app: App): any[] {
  return app.charts.flatMap(chart => chart.toJson());
}

/** Whether the gateway's ALLOW rules admit `principal` (in `namespace`) to `host` (by SNI, or by Host header). */
function admitted(rules: any[], principal: string, namespace: string, host: string): boolean {
  return rules.some(rule => {
    const sources = (rule.from ?? []).map((f: any) => f.source);
    const from = sources.some((s: any) => (s.principals ?? []).includes(principal) || (s.namespaces ?? []).includes(namespace));
    const sni = (rule.when ?? []).some((w: any) => w.key === 'connection.sni' && w.values.includes(host));
    const http = (rule.to ?? []).some((t: any) => (t.operation?.hosts ?? []).includes(host));
    return from && (sni || http);
  });
}

describe('Random valid apps |', () => {
  test('no findings; only gateways leave; a grant opens exactly its grantee\'s path; deterministic; every host emitted', () => {
    fc.assert(fc.property(appPlan, plan => {
      const built = build(plan);
      const manifests = synthesize(built.app);
      // (i) What the cluster and istiod would say: nothing, not even a warning.
      expect(ManifestValidator.validateManifests(manifests, { failOnWarnings: true, externalGateways: [] })).toEqual([]);
      // (iv) The same plan, built and synthesized again, gives the same bytes.
      expect(JSON.stringify(synthesize(build(plan).app))).toEqual(JSON.stringify(manifests));
      // (v) Every declared host has its ServiceEntry and its VirtualService.
      const seHosts = new Set(manifests.filter(m => m.kind === 'ServiceEntry').flatMap(m => m.spec.hosts));
      const vsHosts = new Set(manifests.filter(m => m.kind === 'VirtualService').flatMap(m => m.spec.hosts));
      expect(built.hosts.filter(h => !seHosts.has(h) || !vsHosts.has(h))).toEqual([]);

      const r = Reachability.of(manifests);
      built.gateways.forEach(g => g.pod && r.addPod(g.pod));
      const gatewayPods = built.gateways.map(g => g.pod
        ?? r.pods.find(p => p.namespaceName === g.gateway.namespaceName && p.name.includes(g.gateway.name))!);
      // (ii) Only gateway pods reach an internet address, and each exactly on the ports its routes dial.
      for (const port of [80, 443, 8080]) {
        const dialling = built.gateways.map((g, i) => ({ g, pod: gatewayPods[i] }))
          .filter(({ g }) => g.routes.some(route => route.legs().some(leg => leg.dialledPorts.includes(port))));
        expect([port, r.podsReachingAddress('93.184.216.34', port).map(p => p.name).sort()])
          .toEqual([port, dialling.map(({ pod }) => pod.name).sort()]);
      }
      // (iii) Per gateway, per client pod: the network path and the gateway's admission are exactly what its grants give.
      built.gateways.forEach((g, gi) => {
        const allow = manifests.find(m => m.kind === 'AuthorizationPolicy' && m.spec.action === 'ALLOW' && m.metadata.namespace === g.gateway.namespaceName);
        const rules = allow?.spec.rules ?? [];
        const clientPods = r.pods.filter(p => p.namespaceName.startsWith(`apps-${gi}-`));
        for (const pod of clientPods) {
          const sa = manifests.find(m => m.kind === 'Deployment' && m.metadata.name === pod.name)!.spec.template.spec.serviceAccountName;
          const principal = g.gateway.mesh.principal(pod.namespaceName, sa);
          const matches = (grant: IEgressGrant) => {
            const c = grant.grantee.toEgressGranteeConfig();
            return c.namespaceName === pod.namespaceName && (!c.podLabels || Object.entries(c.podLabels).every(([k, v]) => pod.labels[k] === v));
          };
          const identityMatches = (grant: IEgressGrant) => {
            const c = grant.grantee.toEgressGranteeConfig();
            return c.namespaceName === pod.namespaceName && (c.serviceAccountName === undefined || c.serviceAccountName === sa);
          };
          for (const route of g.routes) {
            for (const leg of route.legs()) {
              const podPort = g.gateway.targetPortOf(leg.port) ?? leg.port;
              const network = g.grants.some(grant => matches(grant)
                && grant.route.legs().some(l => (g.gateway.targetPortOf(l.port) ?? l.port) === podPort));
              expect([pod.name, podPort, r.canReachPod(pod, gatewayPods[gi], podPort)]).toEqual([pod.name, podPort, network]);
              const gateway = g.grants.some(grant => identityMatches(grant) && grant.route === route && grant.hosts.includes(leg.host));
              expect([principal, leg.host, admitted(rules, principal, pod.namespaceName, leg.host)]).toEqual([principal, leg.host, gateway]);
            }
          }
        }
      });
    }), { numRuns: 1000 });
  });
});
