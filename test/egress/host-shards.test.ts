import * as fc from 'fast-check';
import { HostShard, HostShards } from '../../src/private/host-shards';

// Issue 14: how a gateway's hosts are split among the objects they share. The split is a function of the set of
// hosts (not of the order they came in), every shard stays under its budget, and one more host changes one shard,
// or, when the new host is a marker, splits one in two.

const hostName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}\.(com|org|io)$/);
const hostSet = (max: number) => fc.uniqueArray(hostName, { minLength: 1, maxLength: max });
const unit = () => 1;

/** Shards as comparable text: id and hosts. */
const shape = (shards: HostShard[]) => shards.map(s => `${s.id}:${s.hosts.join(',')}`);

describe('HostShards |', () => {
  test('every host lands in exactly one shard, whatever order the hosts come in', () => {
    fc.assert(fc.property(hostSet(400), fc.integer({ min: 1, max: 40 }), (hosts, meanHosts) => {
      const shards = HostShards.plan(hosts, unit, { meanHosts });
      expect(shards.flatMap(s => s.hosts).sort()).toEqual([...hosts].sort());
      expect(shape(HostShards.plan([...hosts].reverse(), unit, { meanHosts }))).toEqual(shape(shards));
      expect(shards[0].id).toEqual('');
      expect(new Set(shards.map(s => s.id)).size).toEqual(shards.length);
    }), { numRuns: 60 });
  });

  test('one more host changes only its own shard, or splits it in two when it is a marker; the others stay as they were', () => {
    fc.assert(fc.property(hostSet(300), hostName, fc.integer({ min: 2, max: 30 }), (hosts, extra, meanHosts) => {
      fc.pre(!hosts.includes(extra));
      // Without a budget to cut at, only markers end shards.
      const before = shape(HostShards.plan(hosts, unit, { meanHosts, budget: Infinity }));
      const after = shape(HostShards.plan([...hosts, extra], unit, { meanHosts, budget: Infinity }));
      const removed = before.filter(s => !after.includes(s));
      const added = after.filter(s => !before.includes(s));
      expect(removed.length).toBeLessThanOrEqual(1);
      expect(added.length).toBeGreaterThanOrEqual(1);
      expect(added.length).toBeLessThanOrEqual(2);
      expect(added.join(',').split(/[:,]/)).toContain(extra);
      if (added.length === 2) {
        // A split: the old shard's id stays with its first part, the new host names the second.
        const [oldId] = removed[0].split(':');
        expect(added.map(s => s.split(':')[0])).toContain(oldId);
        expect(added.map(s => s.split(':')[1].split(',')[0])).toContain(extra);
      }
    }), { numRuns: 200 });
  });

  test('a shard over its budget is cut at denser markers until every shard fits', () => {
    fc.assert(fc.property(hostSet(500), fc.integer({ min: 20, max: 400 }), (hosts, budget) => {
      const weightOf = (host: string) => host.length;
      const shards = HostShards.plan(hosts, weightOf, { budget });
      for (const shard of shards) {
        const weight = shard.hosts.reduce((sum, h) => sum + weightOf(h), 0);
        if (shard.hosts.length > 1) expect(weight).toBeLessThanOrEqual(budget);
      }
      expect(shards.flatMap(s => s.hosts).sort()).toEqual([...hosts].sort());
    }), { numRuns: 60 });
  });

  test('shards hold about meanHosts hosts: the count follows the number of hosts, not the other way round', () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
    for (const n of [1_000, 10_000]) {
      const shards = HostShards.plan(hosts(n), unit, { meanHosts: 64, budget: Infinity });
      expect(shards.length).toBeGreaterThan(n / 64 / 2);
      expect(shards.length).toBeLessThan(n / 64 * 2);
    }
    // Under a budget that long runs exceed, the cut pieces are joined again while they fit: few more shards than markers.
    const cutOnly = HostShards.plan(hosts(10_000), () => 142, { meanHosts: 160, budget: Infinity }).length;
    const budgeted = HostShards.plan(hosts(10_000), () => 142, { meanHosts: 160, budget: 48 * 1024 });
    expect(budgeted.every(s => s.hosts.length * 142 <= 48 * 1024)).toBe(true);
    expect(budgeted.length).toBeLessThan(cutOnly * 1.3);
    // Few hosts: one shard, named as the gateway is.
    expect(shape(HostShards.plan(['a.com', 'b.com'], unit))).toHaveLength(1);
    expect(HostShards.plan(['a.com', 'b.com'], unit)[0].id).toEqual('');
  });
});
