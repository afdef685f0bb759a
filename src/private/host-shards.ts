import { createHash } from 'crypto';

/**
 * How the hosts of a gateway are split among the objects they share (its Istio Gateways, DestinationRules and
 * AuthorizationPolicies), so that no object grows with the allow-list and one more host rewrites one object of each.
 *
 * Hosts are laid out in the order of a hash of their name, and a shard ends where a "marker" host begins the next:
 * a host is a marker when another, independent part of its hash falls below 1 / `meanHosts`. Both are functions of
 * the host alone, so a shard does not depend on the order hosts were declared in, and adding or removing a host that
 * is not a marker changes only the shard it falls in. Only a marker moves hosts: the ones after it in its shard, up
 * to the next marker, into a new shard it names (about `meanHosts` of them, for one change in `meanHosts`).
 *
 * Runs between markers are random in length, so a shard whose hosts weigh more than `budget` is cut again at the
 * markers of the next, four times denser, level, and so on until each piece fits (at the last level every host is a
 * marker), and neighbouring pieces are joined again while they fit. That keeps every shard under the budget whatever
 * the number of hosts, deterministically; within such a shard, one more host may move the cuts.
 */
export class HostShards {
  /**
   * Splits `hosts` (duplicates ignored) into shards of about `meanHosts` hosts, each weighing at most `budget`
   * (unless one host alone does) by `weightOf`. The first shard in hash order has the id '' and keeps it whatever
   * hosts are added; every other is named by its first host's hash, which no host added elsewhere changes.
   */
  public static plan(hosts: Iterable<string>, weightOf: (host: string) => number, options: ShardOptions = {}): HostShard[] {
    const meanHosts = options.meanHosts ?? DEFAULT_MEAN_HOSTS;
    const budget = options.budget ?? DEFAULT_BUDGET;
    const entries = [...new Set(hosts)].map(host => placeOf(host, meanHosts))
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.host < b.host ? -1 : 1));
    const cut = (run: Place[], level: number): Place[][] => {
      const pieces: Place[][] = [];
      let current: Place[] = [];
      for (const entry of run) {
        if (current.length > 0 && entry.level <= level) {
          pieces.push(current);
          current = [];
        }
        current.push(entry);
      }
      if (current.length > 0) pieces.push(current);
      return pieces.flatMap(piece => (piece.length > 1 && level < LEVELS && weight(piece) > budget ? refit(cut(piece, level + 1)) : [piece]));
    };
    // The denser markers cut a run into far more pieces than its weight needs: neighbours are put back together,
    // in order, while they fit. Only a run over the budget is cut this way, so only there can one host move others.
    const refit = (pieces: Place[][]): Place[][] => {
      const fitted: Place[][] = [];
      let lastWeight = 0;
      for (const piece of pieces) {
        const pieceWeight = weight(piece);
        if (fitted.length > 0 && lastWeight + pieceWeight <= budget) {
          fitted[fitted.length - 1].push(...piece);
          lastWeight += pieceWeight;
        } else {
          fitted.push([...piece]);
          lastWeight = pieceWeight;
        }
      }
      return fitted;
    };
    const weight = (run: Place[]) => run.reduce((sum, entry) => sum + weightOf(entry.host), 0);
    return cut(entries, 1).map((run, i) => ({ id: i === 0 ? '' : run[0].position, hosts: run.map(e => e.host) }));
  }
}

/** How large shards are. */
export interface ShardOptions {
  /**
   * The number of hosts a shard holds on average: one host in this many is a marker.
   * @default 160
   */
  readonly meanHosts?: number;
  /**
   * The most a shard may weigh, in the unit of the weights.
   * @default 48 KiB
   */
  readonly budget?: number;
}

/** One shard: its id ('' for the first) and its hosts, in hash order. */
export interface HostShard {
  readonly id: string;
  readonly hosts: string[];
}

/**
 * 160 hosts of about 150 bytes of servers or subsets each make objects of about 24 KiB, and with three kinds of shared
 * object that is about 0.02 objects per host: with a Sidecar and two NetworkPolicies per locked namespace, 2,000 hosts
 * granted to 50 namespaces stay under 2.1 objects per host.
 */
const DEFAULT_MEAN_HOSTS = 160;

/** Room for the shared part of an object (selector, exportTo, the grantees' identities) under 64 KiB. */
const DEFAULT_BUDGET = 48 * 1024;

/** Marker levels: level L marks one host in meanHosts / 4^(L-1); at the last every host is one. */
const LEVELS = 4;

interface Place {
  readonly host: string;
  /** Twelve hex digits of the host's hash: its place in the order, and the id of a shard it begins. */
  readonly position: string;
  /** The densest level at which the host is not yet a marker, plus one: 1 for a marker at every level. */
  readonly level: number;
}

function placeOf(host: string, meanHosts: number): Place {
  const hash = createHash('sha256').update(host).digest();
  const mark = hash.readUInt32BE(8) / 2 ** 32;
  let level = 1;
  while (level < LEVELS && mark >= 4 ** (level - 1) / meanHosts) level++;
  return { host, position: hash.toString('hex', 0, 6), level };
}
