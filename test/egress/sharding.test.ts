import { Chart, Testing } from 'cdk8s';
import {
  EgressGateway, EgressGrantee, EgressRoute, ExternalPort, ExternalService, MeshEgressLockdown,
} from '../../src';
import { HostShards } from '../../src/private/host-shards';
import { byKind, synthValid } from '../util';

// Issue 14: a gateway's shared objects are split into shards of about 160 hosts. The validator checks the references
// across them (each VirtualService names the Gateway that serves its host: IST-XREF-GATEWAY-NOT-FOUND, IST0132; each
// subset is defined: IST-XREF-SUBSET-NOT-FOUND), so every app here synthesizes through `synthValid`.

interface Plan {
  /** Host indexes, in the order their routes are declared. */
  readonly hosts: number[];
  readonly namespaces: string[];
  /** The namespaces granted host i; every namespace when omitted. */
  readonly grantsOf?: (i: number) => string[];
}

const hostName = (i: number) => `h${i}.example.com`;

function build(plan: Plan) {
  const app = Testing.app();
  const egress = new Chart(app, 'egress', { namespace: 'egress-config' });
  const gateway = EgressGateway.fromExisting(egress, 'gateway');
  new MeshEgressLockdown(egress, 'lockdown', { gateway, namespaces: plan.namespaces });
  const routes = new Map<number, EgressRoute>();
  const add = (i: number) => {
    const service = new ExternalService(egress, `host-${i}`, { hosts: [hostName(i)], ports: [i % 2 ? ExternalPort.https() : ExternalPort.http()] });
    const route = new EgressRoute(egress, `route-${i}`, { gateway, service });
    for (const namespace of plan.grantsOf?.(i) ?? plan.namespaces) route.grantEgress(EgressGrantee.wholeNamespace(namespace));
    routes.set(i, route);
  };
  plan.hosts.forEach(add);
  return { app, egress, add };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const keyOf = (m: any) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
const gatewayOf = (manifests: any[], host: string) => byKind(manifests, 'VirtualService').find(vs => vs.spec.hosts[0] === host).spec.gateways[1];

describe('Sharded gateway objects |', () => {
  const N = 800;

  test('many hosts: several Gateways, AuthorizationPolicies and hop DestinationRules, every reference resolved', () => {
    const manifests = synthValid(build({ hosts: range(N), namespaces: ['shop', 'blog'] }).egress);
    const gateways = byKind(manifests, 'Gateway');
    expect(gateways.length).toEqual(HostShards.plan(range(N).map(hostName), () => 1).length);
    expect(gateways.length).toBeGreaterThan(2);
    // One server per host:port, each in exactly one Gateway, and that is the one its VirtualService names.
    const servedBy = new Map<string, string>();
    for (const gateway of gateways) {
      for (const server of gateway.spec.servers) servedBy.set(server.hosts[0].split('/')[1], `istio-system/${gateway.metadata.name}`);
    }
    expect(servedBy.size).toEqual(N);
    for (const i of range(N)) expect(gatewayOf(manifests, hostName(i))).toEqual(servedBy.get(hostName(i)));
    // The AuthorizationPolicies share the Gateways' names and split: each one's hosts are its Gateway's.
    const allow = byKind(manifests, 'AuthorizationPolicy').filter(p => p.spec.action === 'ALLOW');
    expect(allow.map(p => p.metadata.name).sort()).toEqual(gateways.map(g => g.metadata.name).sort());
    for (const policy of allow) {
      const hosts = policy.spec.rules.flatMap((r: any) => [...r.when?.[0].values ?? [], ...r.to[0].operation.hosts ?? []]);
      const served = gateways.find(g => g.metadata.name === policy.metadata.name).spec.servers.map((s: any) => s.hosts[0].split('/')[1]);
      expect(new Set(hosts)).toEqual(new Set(served));
    }
    // One group of namespaces: its hop rules all carry the same exportTo, so istiod merges them for each client.
    const hop = byKind(manifests, 'DestinationRule');
    expect(hop.length).toBeGreaterThan(1);
    expect(new Set(hop.map(dr => JSON.stringify(dr.spec.exportTo)))).toEqual(new Set([JSON.stringify(['.', 'blog', 'egress-config', 'shop'])]));
    expect(hop.flatMap(dr => dr.spec.subsets).length).toEqual(N);
  });

  test('the split depends on the hosts, not on the order they were declared in', () => {
    const forward = synthValid(build({ hosts: range(N), namespaces: ['shop'] }).egress);
    const backward = synthValid(build({ hosts: range(N).reverse(), namespaces: ['shop'] }).egress);
    const shared = (ms: any[]) => ms.filter(m => ['Gateway', 'DestinationRule', 'AuthorizationPolicy'].includes(m.kind));
    expect(JSON.stringify(shared(backward))).toEqual(JSON.stringify(shared(forward)));
  });

  test('one more host rewrites one object of each shared kind (its shards) and no other host\'s objects', () => {
    const before = synthValid(build({ hosts: range(N), namespaces: ['shop'] }).egress);
    // A host that is not a marker: it joins a shard and moves nobody.
    const extra = range(1000).map(i => N + i).find(i => {
      const shards = (hosts: number[]) => HostShards.plan(hosts.map(hostName), () => 1).map(s => s.id);
      return shards([...range(N), i]).length === shards(range(N)).length;
    })!;
    const after = synthValid(build({ hosts: [...range(N), extra], namespaces: ['shop'] }).egress);
    const was = new Map(before.map(m => [keyOf(m), JSON.stringify(m)]));
    const changed = after.filter(m => was.has(keyOf(m)) && was.get(keyOf(m)) !== JSON.stringify(m)).map(m => m.kind).sort();
    const added = after.filter(m => !was.has(keyOf(m))).map(m => m.kind).sort();
    expect(changed).toEqual(['AuthorizationPolicy', 'DestinationRule', 'Gateway']);
    expect(added).toEqual(['ServiceEntry', 'VirtualService']);
  });

  test('synthesizing, adding hosts, and synthesizing again gives what a fresh app gives', () => {
    const first = build({ hosts: range(N), namespaces: ['shop'] });
    synthValid(first.egress);
    range(200).forEach(i => first.add(N + i));
    const again = synthValid(first.egress);
    expect(JSON.stringify(again)).toEqual(JSON.stringify(synthValid(build({ hosts: range(N + 200), namespaces: ['shop'] }).egress)));
  });

  test('each namespace sees the hop subsets of exactly the hosts granted to it, in one group istiod merges', () => {
    // shop and blog share a host, so they are one group; news is granted hosts of its own.
    const grantsOf = (i: number) => (i < 150 ? ['shop'] : i < 160 ? ['shop', 'blog'] : i < 200 ? ['blog'] : ['news']);
    const manifests = synthValid(build({ hosts: range(300), namespaces: ['shop', 'blog', 'news'], grantsOf }).egress);
    const hop = byKind(manifests, 'DestinationRule');
    const seenBy = (ns: string) => hop.filter(dr => dr.spec.exportTo.includes(ns));
    for (const ns of ['shop', 'blog', 'news']) {
      // One exportTo among the rules a namespace sees: istiod merges them (mergeDestinationRule), else keeps one.
      expect(new Set(seenBy(ns).map(dr => JSON.stringify(dr.spec.exportTo))).size).toEqual(1);
    }
    const subsetsOf = (ns: string) => seenBy(ns).flatMap(dr => dr.spec.subsets.map((s: any) => s.trafficPolicy.portLevelSettings[0].tls.sni)).sort();
    expect(subsetsOf('news')).toEqual(range(100).map(i => hostName(200 + i)).sort());
    expect(subsetsOf('shop')).toEqual(range(200).map(hostName).sort());
    expect(seenBy('news').every(dr => dr.metadata.name.startsWith('istio-egressgateway-hop-news'))).toBe(true);
    // The VirtualServices and ServiceEntries are exported only where granted, and the Sidecar imports their namespace.
    const vsSeen = (ns: string) => byKind(manifests, 'VirtualService').filter(vs => vs.spec.exportTo.includes(ns)).length;
    expect([vsSeen('shop'), vsSeen('blog'), vsSeen('news')]).toEqual([160, 50, 100]);
    const sidecar = byKind(manifests, 'Sidecar').find(s => s.metadata.namespace === 'news');
    expect(sidecar.spec.egress[0].hosts).toEqual(['./*', 'blog/*', 'egress-config/*', 'istio-system/*', 'shop/*']);
  });
});
