import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import {
  EgressGateway, EgressGrantee, EgressInventory, EgressInventoryFormat, EgressRoute, ExternalPort, ExternalService, IEgressGrantee,
  KubernetesExternalService, KubernetesExternalTarget, MeshEgressLockdown,
} from '../../src';

// Random apps, built with their add*/grant* calls in random orders: the inventory's bytes never change, the
// inventory read back from the manifests is the tree's, and the flowchart of every app parses.

interface Plan {
  readonly services: Array<{ readonly https: boolean; readonly hosts: number; readonly routed: boolean; readonly laterHost: boolean }>;
  readonly grants: Array<{ readonly service: number; readonly grantee: number; readonly firstHostOnly: boolean; readonly getOnly: boolean }>;
}

const GRANTEES = 6;

const plan: fc.Arbitrary<Plan> = fc.integer({ min: 1, max: 3 }).chain(n => fc.record({
  services: fc.array(fc.record({ https: fc.boolean(), hosts: fc.integer({ min: 1, max: 2 }), routed: fc.boolean(), laterHost: fc.boolean() }),
    { minLength: n, maxLength: n }),
  grants: fc.array(fc.record({
    service: fc.integer({ min: 0, max: n - 1 }),
    grantee: fc.integer({ min: 0, max: GRANTEES - 1 }),
    firstHostOnly: fc.boolean(),
    getOnly: fc.boolean(),
  }), { maxLength: 6 }),
}));

/** The plan's constructs, with its calls made in `order` (a permutation; undefined: as listed). */
function build(p: Plan, order?: number[]): App {
  const app = Testing.app();
  const gateway = new EgressGateway(new Chart(app, 'egress-gateway', { namespace: 'istio-egress' }), 'gateway');
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const lockdown = new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: ['shop'] });
  const workload = (ns: string) => {
    const chart = new Chart(app, ns, { namespace: ns });
    return new kplus.Deployment(chart, 'app', {
      containers: [{ image: 'example/app:1.0', securityContext: { user: 1000 } }],
      serviceAccount: new kplus.ServiceAccount(chart, 'app-sa'),
    });
  };
  const grantees: IEgressGrantee[] = [
    EgressGrantee.workload(workload('shop')),
    EgressGrantee.workload(workload('blog')),
    EgressGrantee.serviceAccount('shop', 'batch'),
    EgressGrantee.wholeNamespace('blog'),
    EgressGrantee.pods({ namespaceName: 'blog', labels: { app: 'legacy' }, serviceAccountName: 'legacy' }),
    EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'billing' } }),
  ];
  const calls: Array<() => void> = [() => lockdown.addNamespace('blog')];
  p.services.forEach((s, i) => {
    const hosts = Array.from({ length: s.hosts }, (_, h) => `h${h}.s${i}.example.com`);
    const service = new ExternalService(egress, `s${i}`, { hosts, ports: [s.https ? ExternalPort.https() : ExternalPort.http()] });
    if (s.laterHost) calls.push(() => service.addHost(`late.s${i}.example.com`));
    if (!s.routed) return;
    const route = new EgressRoute(egress, `r${i}`, { gateway, service });
    for (const g of p.grants.filter(grant => grant.service === i)) {
      const options = { hosts: g.firstHostOnly ? [hosts[0]] : undefined, methods: g.getOnly && !s.https ? ['GET'] : undefined };
      calls.push(() => route.grantEgress(grantees[g.grantee], options));
    }
  });
  (order ?? calls.map((_, i) => i)).forEach(i => calls[i]());
  return app;
}

function callCount(p: Plan): number {
  return 1 + p.services.filter(s => s.laterHost).length + p.grants.filter(g => p.services[g.service].routed).length;
}

const FORMATS = [EgressInventoryFormat.JSON, EgressInventoryFormat.MARKDOWN, EgressInventoryFormat.MERMAID];
const permutation = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });

describe('EgressInventory | order and sources', () => {
  test('the order of calls never changes a byte, and the manifests give the tree\'s inventory', () => {
    fc.assert(fc.property(
      plan.chain(p => fc.tuple(fc.constant(p), fc.array(permutation(callCount(p)), { minLength: 2, maxLength: 2 }))),
      ([p, orders]) => {
        const app = build(p);
        const reference = EgressInventory.of(app);
        const bytes = FORMATS.map(f => reference.render(f));
        for (const order of orders) {
          const other = EgressInventory.of(build(p, order));
          expect(FORMATS.map(f => other.render(f))).toEqual(bytes);
        }
        const manifests = parseAllDocuments(app.synthYaml()).map(doc => doc.toJS());
        expect(EgressInventory.fromManifests(manifests).render(EgressInventoryFormat.JSON))
          .toEqual(reference.withoutProvenance().render(EgressInventoryFormat.JSON));
      },
    ), { numRuns: 30 });
  });

  test('the flowchart of a large random app parses with the mermaid package\'s parser', () => {
    const everything: Plan = {
      services: [
        { https: true, hosts: 2, routed: true, laterHost: true },
        { https: false, hosts: 2, routed: true, laterHost: false },
        { https: false, hosts: 1, routed: false, laterHost: true },
      ],
      grants: Array.from({ length: GRANTEES }, (_, grantee) => ({ service: grantee % 2, grantee, firstHostOnly: grantee % 3 === 0, getOnly: true })),
    };
    const app = build(everything);
    const apps = new Chart(app, 'apps', { namespace: 'apps' });
    new KubernetesExternalService(apps, 'wiki', { target: KubernetesExternalTarget.fromAddresses('198.35.26.96'), ports: [ExternalPort.https()] });
    new KubernetesExternalService(apps, 'httpbin', { target: KubernetesExternalTarget.fromExternalName('httpbin.org'), ports: [ExternalPort.http()] });
    const text = EgressInventory.of(app).render(EgressInventoryFormat.MERMAID);
    expect(text).toMatch(/via Service apps\//);
    const result = spawnSync(process.execPath, [path.join(__dirname, 'mermaid-parse.mjs')], { input: text, encoding: 'utf8' });
    expect([result.stderr, result.status]).toEqual(['', 0]);
  });
});
