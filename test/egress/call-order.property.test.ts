import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, IEgressGateway, IEgressGrantee,
  MeshEgressLockdown,
} from '../../src';
import { expectOrderIndependent } from '../call-order';

// The order of calls never matters: an app is built from the same constructs in the same order, and then its
// add*/grant* calls are made in several random orders. Every synthesis must emit the same objects, byte for byte.
// (The position of an object in its chart's file follows the order its construct was created in, as everywhere
// in cdk8s, so objects are compared by identity: kind, namespace and name.)

interface ServicePlan {
  readonly hosts: string[];
  /** Hosts added with addHost after construction. */
  readonly laterHosts: string[];
  readonly https: boolean;
  /** Whether the route names its hosts (the initial ones and the later ones) or carries every host. */
  readonly namedHosts: boolean;
  /** A plain HTTP port 80 added to an HTTPS service later (routed when the route carries every port). */
  readonly laterHttpPort: boolean;
  /** A TLS port 8443 added later, which a deployed gateway must add to its Service (an installed one has no 8443). */
  readonly laterTlsPort: boolean;
}

interface GrantPlan {
  readonly service: number;
  readonly grantee: number;
  /** Grant only the service's first host rather than every host of the route. */
  readonly firstHostOnly: boolean;
}

interface AppPlan {
  readonly deployedGateway: boolean;
  readonly services: ServicePlan[];
  readonly grants: GrantPlan[];
  /** Namespaces locked at construction; the others of NAMESPACES are locked with addNamespace. */
  readonly lockedAtStart: number;
  readonly allowInCluster: boolean;
}

const NAMESPACES = ['shop', 'blog', 'pay'];
/** Grantee kinds, over the namespaces: a workload per namespace, a ServiceAccount, a whole namespace, labelled pods. */
const GRANTEES = 8;

const servicePlan = (index: number) => fc.record({
  hosts: fc.integer({ min: 1, max: 2 }).map(n => Array.from({ length: n }, (_, i) => `h${i}.s${index}.example.com`)),
  laterHosts: fc.integer({ min: 0, max: 2 }).map(n => Array.from({ length: n }, (_, i) => `late${i}.s${index}.example.com`)),
  https: fc.boolean(),
  namedHosts: fc.boolean(),
  laterHttpPort: fc.boolean(),
  laterTlsPort: fc.boolean(),
});

const appPlan: fc.Arbitrary<AppPlan> = fc.integer({ min: 1, max: 3 }).chain(serviceCount => fc.record({
  deployedGateway: fc.boolean(),
  services: fc.tuple(...Array.from({ length: serviceCount }, (_, i) => servicePlan(i))),
  grants: fc.array(fc.record({
    service: fc.integer({ min: 0, max: serviceCount - 1 }),
    grantee: fc.integer({ min: 0, max: GRANTEES - 1 }),
    firstHostOnly: fc.boolean(),
  }), { minLength: 1, maxLength: 6 }),
  lockedAtStart: fc.integer({ min: 1, max: NAMESPACES.length }),
  allowInCluster: fc.boolean(),
}));

/** Builds the plan's constructs, then makes its `add*` and `grant*` calls in the order `order` gives them. */
function build(plan: AppPlan, order: number[]): App {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway: IEgressGateway = plan.deployedGateway
    ? new EgressGateway(new Chart(app, 'gateway', { namespace: 'istio-egress' }), 'gateway')
    : EgressGateway.fromExisting(egress, 'gateway');
  const lockdown = new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: NAMESPACES.slice(0, plan.lockedAtStart) });

  const workloads = NAMESPACES.map(ns => {
    const chart = new Chart(app, ns, { namespace: ns });
    return new kplus.Deployment(chart, 'app', {
      containers: [{ image: `example/${ns}:1.0`, securityContext: { user: 1000 } }],
      serviceAccount: new kplus.ServiceAccount(chart, 'app-sa'),
    });
  });
  const grantees: IEgressGrantee[] = [
    ...workloads.map(w => EgressGrantee.workload(w)),
    EgressGrantee.serviceAccount('shop', 'batch'),
    EgressGrantee.serviceAccount('blog', 'batch'),
    EgressGrantee.wholeNamespace('pay'),
    EgressGrantee.pods({ namespaceName: 'blog', labels: { app: 'legacy' }, serviceAccountName: 'legacy' }),
    EgressGrantee.pods({ namespaceName: 'shop', labels: { app: 'billing' } }),
  ];

  const calls: Array<() => void> = [];
  plan.services.forEach((s, i) => {
    const service = new ExternalService(egress, `s${i}`, {
      hosts: s.hosts, ports: [s.https ? ExternalPort.https() : ExternalPort.http()],
    });
    const route = new EgressRoute(egress, `r${i}`, {
      gateway, service, hosts: s.namedHosts ? [s.hosts[0]] : undefined, ports: s.namedHosts ? [s.https ? 443 : 80] : undefined,
    });
    if (s.namedHosts) s.hosts.slice(1).forEach(host => calls.push(() => route.addHost(host)));
    for (const host of s.laterHosts) {
      calls.push(() => service.addHost(host));
      if (s.namedHosts) calls.push(() => route.addHost(host));
    }
    if (s.laterHttpPort && s.https) calls.push(() => service.addPort(ExternalPort.http()));
    if (s.laterTlsPort && plan.deployedGateway) calls.push(() => service.addPort(ExternalPort.tls(8443)));
    for (const g of plan.grants.filter(grant => grant.service === i)) {
      calls.push(() => route.grantEgress(grantees[g.grantee], g.firstHostOnly ? { hosts: [s.hosts[0]] } : {}));
    }
  });
  NAMESPACES.slice(plan.lockedAtStart).forEach(ns => calls.push(() => lockdown.addNamespace(ns)));
  if (plan.allowInCluster) {
    calls.push(() => lockdown.allowInCluster(kplus.Namespaces.select(egress, 'data', { names: ['data'] }), [kplus.NetworkPolicyPort.tcp(5432)]));
  }
  expect(order.length).toEqual(calls.length);
  order.forEach(i => calls[i]());
  return app;
}

/** Every object of the app, by identity, as the bytes it synthesizes to. */

/** How many calls `build` makes for a plan: what the permutations permute. */
function callCount(plan: AppPlan): number {
  let n = NAMESPACES.length - plan.lockedAtStart + (plan.allowInCluster ? 1 : 0) + plan.grants.length;
  for (const s of plan.services) {
    n += (s.namedHosts ? s.hosts.length - 1 : 0) + s.laterHosts.length * (s.namedHosts ? 2 : 1) + (s.laterHttpPort && s.https ? 1 : 0)
      + (s.laterTlsPort && plan.deployedGateway ? 1 : 0);
  }
  return n;
}


describe('The order of calls never matters |', () => {
  test('random apps synthesize to the same objects whatever order their add*/grant* calls come in', () => {
    expectOrderIndependent(appPlan, callCount, build, 40);
  });
});
