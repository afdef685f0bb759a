import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  IIngressGateway, IngressAction, IngressDestination, IngressGateway, IngressListener, IngressPassthroughRoute, IngressPath,
  IngressRoute, IngressTls,
} from '../../src';
import { expectOrderIndependent } from '../call-order';

// The order of calls never matters at the edge either: an app is built from the same constructs, and then its
// addListener/addRule/allowRequests/requireJwt calls (and Service port bindings) are made in random orders. Every
// synthesis must emit the same objects, byte for byte, and what they emit draws no validator finding.

interface HostPlan {
  readonly https: boolean;
  /** An HTTP listener on 80 that redirects the host to HTTPS (with `https`). */
  readonly redirect: boolean;
  /** The host's rules split over two routes (their matches differ, so they do not compete). */
  readonly split: boolean;
  /** Rule paths, by priority; each rule forwards to one of the services. */
  readonly rules: Array<{ readonly priority: number; readonly service: number }>;
  readonly catchAll: boolean;
}

interface EdgePlan {
  readonly deployedGateway: boolean;
  readonly hosts: HostPlan[];
  readonly accessRules: number;
  readonly jwt: boolean;
  /** Services whose port is bound after the routes are made. */
  readonly lateBinding: boolean;
  /** A passthrough listener and route on 9443, admitted by a port rule when there are access rules. */
  readonly passthrough: boolean;
}

const SERVICES = 3;

const hostPlan = fc.record({
  https: fc.boolean(),
  redirect: fc.boolean(),
  split: fc.boolean(),
  rules: fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 4 })
    .chain(priorities => fc.tuple(...priorities.map(p => fc.record({
      priority: fc.constant(p), service: fc.integer({ min: 0, max: SERVICES - 1 }),
    })))),
  catchAll: fc.boolean(),
});

const edgePlan: fc.Arbitrary<EdgePlan> = fc.record({
  deployedGateway: fc.boolean(),
  hosts: fc.array(hostPlan, { minLength: 1, maxLength: 3 }),
  accessRules: fc.integer({ min: 0, max: 2 }),
  jwt: fc.boolean(),
  lateBinding: fc.boolean(),
  passthrough: fc.boolean(),
});

function build(plan: EdgePlan, order: number[]): App {
  const app = Testing.app();
  const edge = new Chart(app, 'edge', { namespace: 'istio-ingress' });
  const gateway: IIngressGateway = plan.deployedGateway ? new IngressGateway(edge, 'gateway')
    : IngressGateway.fromExisting(edge, 'gateway', { additionalPorts: [{ port: 9443, targetPort: 9443, name: 'tls-9443' }] });
  const apps = new Chart(app, 'apps', { namespace: 'apps' });
  const calls: Array<() => void> = [];
  const services = Array.from({ length: SERVICES }, (_, i) => {
    const pods = new kplus.Deployment(apps, `pods${i}`, { containers: [{ image: `example/s${i}:1.0`, securityContext: { user: 1000 } }] });
    const service = new kplus.Service(apps, `s${i}`, { metadata: { name: `s${i}` }, selector: pods, ports: plan.lateBinding ? [] : [{ port: 8000 + i }] });
    if (plan.lateBinding) calls.push(() => service.bind(8000 + i, { targetPort: 9000 + i }));
    return service;
  });
  plan.hosts.forEach((h, i) => {
    const host = `h${i}.example.com`;
    calls.push(() => gateway.addListener(h.https
      ? IngressListener.https({ hosts: [host], tls: IngressTls.simple(`h${i}-credential`) })
      : IngressListener.http({ hosts: [host] })));
    if (h.https && h.redirect) calls.push(() => gateway.addListener(IngressListener.http({ hosts: [host], httpsRedirect: true })));
    const route = new IngressRoute(apps, `route${i}`, { gateway, hosts: [host] });
    const catchAll = { action: IngressAction.forward(IngressDestination.service(services[0], { port: 8000 })) };
    if (h.catchAll) calls.push(() => route.addDefaultRule(catchAll));
    const second = h.split && h.rules.length > 1 ? new IngressRoute(apps, `route${i}-more`, { gateway, hosts: [host] }) : undefined;
    for (const [k, r] of h.rules.entries()) {
      const target = second && k % 2 === 1 ? second : route;
      calls.push(() => target.addRule({
        priority: r.priority,
        matches: [{ path: IngressPath.prefix(`/p${r.priority}/`) }],
        action: IngressAction.forward(IngressDestination.service(services[r.service], { port: 8000 + r.service })),
      }));
    }
  });
  if (plan.passthrough) {
    calls.push(() => gateway.addListener(IngressListener.tlsPassthrough({ hosts: ['tls.example.com'], port: 9443 })));
    new IngressPassthroughRoute(apps, 'tls', { gateway, hosts: ['tls.example.com'], destination: IngressDestination.service(services[1], { port: 8001 }) });
    if (plan.accessRules > 0) calls.push(() => gateway.allowRequests({ ports: [9443] }));
  }
  for (let i = 0; i < plan.accessRules; i++) calls.push(() => gateway.allowRequests({ paths: [`/p${i}/*`], methods: ['GET'] }));
  if (plan.jwt) calls.push(() => gateway.requireJwt({ issuer: 'issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }));
  expect(order.length).toEqual(calls.length);
  order.forEach(i => calls[i]());
  return app;
}

function callCount(plan: EdgePlan): number {
  return (plan.lateBinding ? SERVICES : 0)
    + plan.hosts.reduce((n, h) => n + 1 + (h.https && h.redirect ? 1 : 0) + (h.catchAll ? 1 : 0) + h.rules.length, 0)
    + plan.accessRules + (plan.jwt ? 1 : 0) + (plan.passthrough ? 1 + (plan.accessRules > 0 ? 1 : 0) : 0);
}


describe('The order of calls never matters at the edge |', () => {
  test('random ingress apps synthesize to the same objects whatever order their add* calls come in', () => {
    expectOrderIndependent(edgePlan, callCount, build, 30);
  });
});
