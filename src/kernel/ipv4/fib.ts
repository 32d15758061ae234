// Routing tables (the FIB, net/ipv4/fib_trie.c): per table, the aliases of each prefix kept in
// the kernel's list order, dumped by prefix, and looked up longest prefix first with the
// kernel's per-alias checks (TOS, scope, reject types, next hop usability).
import { prefixMask } from '../../wire/addr.ts';
import type { NetDevice } from '../device.ts';
import {
  RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, type RouteType,
} from './constants.ts';

/** Next-hop flags (RTNH_F_*). */
export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;

/** Route metrics by RTAX_* index (the order iproute2 prints them in). */
export const RTAX_NAMES: readonly string[] = [
  '', 'lock', 'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit',
  'initcwnd', 'features', 'rto_min', 'initrwnd', 'quickack', 'congctl', 'fastopen_no_cookie',
];

/** IP_MAX_MTU: larger `mtu` metrics are clamped to it. */
export const IP_MAX_MTU = 0xfff0;

/** DSCP bits a route's TOS is compared on (INET_DSCP_LEGACY_TOS_MASK). */
export const LEGACY_TOS_MASK = 0x1c;

export interface FibRoute {
  table: number;
  type: RouteType;
  /** Destination prefix (host bits zero) and its length. */
  dst: number;
  len: number;
  tos: number;
  /** The metric (fib_priority). */
  priority: number;
  protocol: number;
  /** fib_scope. */
  scope: number;
  /** Preferred source address (`src`), 0 when none. */
  prefsrc: number;
  /** Gateway (`via`), 0 when none. */
  gateway: number;
  dev: NetDevice | undefined;
  /** RTNH_F_ONLINK when given by the user; LINKDOWN/DEAD are derived from the device. */
  nhFlags: number;
  /** The next hop's scope (fib_nh_scope): what the gateway was found with, HOST on-link, NOWHERE for host routes. */
  nhScope: number;
  /** Route metrics (`mtu`, `advmss`, …) keyed by iproute2 name. */
  metrics: Map<string, number>;
  /** RTAX_LOCK: bit i set when metric RTAX_NAMES[i] is locked. */
  metricsLock: number;
  /** Route realms (RTA_FLOW, the next hop's tclassid): source realm << 16 | destination realm. */
  realms: number;
}

/** The result of a table lookup (struct fib_result). */
export interface FibResult {
  route: FibRoute;
  table: number;
  type: RouteType;
  prefixlen: number;
  scope: number;
}

/** What a table lookup matches on (the parts of struct flowi4 fib_table_lookup reads). */
export interface FibFlow {
  dst: number;
  tos: number;
  /** Output interface index, 0 for any. */
  oif: number;
  /** flowi4_scope: routes of a narrower scope number are skipped. */
  scope: number;
}

/** Errors a route type gives when a lookup hits it (fib_props[].error); throw continues. */
export const REJECT_TYPES: ReadonlySet<RouteType> = new Set(['blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve']);

/** fib_props[type].scope: the widest scope a route of that type may have. */
export function minScopeOf(type: RouteType): number {
  switch (type) {
    case 'local': return RT_SCOPE_HOST;
    case 'broadcast': case 'anycast': return RT_SCOPE_LINK;
    case 'unspec': case 'nat': case 'xresolve': return RT_SCOPE_NOWHERE;
    default: return RT_SCOPE_UNIVERSE;
  }
}

function groupKey(dst: number, len: number): number {
  return dst * 33 + len;
}

/** Same fib_info: next hop, protocol, scope, prefsrc, metrics (what makes two routes "the same"). */
export function sameInfo(a: FibRoute, b: FibRoute): boolean {
  if (a.protocol !== b.protocol || a.scope !== b.scope || a.prefsrc !== b.prefsrc || a.priority !== b.priority) return false;
  if (a.gateway !== b.gateway || a.dev !== b.dev || (a.nhFlags & RTNH_F_ONLINK) !== (b.nhFlags & RTNH_F_ONLINK)) return false;
  if (a.metricsLock !== b.metricsLock || a.metrics.size !== b.metrics.size || a.realms !== b.realms) return false;
  for (const [k, v] of a.metrics) if (b.metrics.get(k) !== v) return false;
  return true;
}

export type InsertMode = 'add' | 'replace' | 'change' | 'append' | 'prepend';

export class FibTable {
  /** Aliases of each prefix, in the kernel's list order (TOS descending, then metric). */
  private readonly groups = new Map<number, FibRoute[]>();
  /** Prefix lengths in use, longest first (the trie's backtracking order). */
  private lengths: number[] = [];
  /** Bumped on every change, so lookup caches know to rebuild. */
  generation = 0;
  private dumpCache: FibRoute[] | undefined;
  /** The prefix lengths of this table and another one merged (local and main), for as long as
   * neither changes (`lengths` arrays are replaced, never modified). */
  private merged: { mine: number[]; theirs: number[]; lengths: number[] } | undefined;
  private dumpGeneration = -1;

  constructor(readonly id: number) {}

  /** Every route in dump order: by prefix, longer first, then list order. */
  get routes(): FibRoute[] {
    if (this.dumpCache && this.dumpGeneration === this.generation) return this.dumpCache;
    const keys = [...this.groups.keys()].sort((a, b) => {
      const da = Math.floor(a / 33), db = Math.floor(b / 33);
      return da !== db ? da - db : (b % 33) - (a % 33);
    });
    this.dumpCache = keys.flatMap((k) => this.groups.get(k)!);
    this.dumpGeneration = this.generation;
    return this.dumpCache;
  }

  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.length;
    return n;
  }

  /** This table's and `other`'s prefix lengths, longest first, without duplicates. */
  mergedLengths(other: FibTable): number[] {
    const m = this.merged;
    if (m !== undefined && m.mine === this.lengths && m.theirs === other.lengths) return m.lengths;
    const lengths = [...new Set([...this.lengths, ...other.lengths])].sort((a, b) => b - a);
    this.merged = { mine: this.lengths, theirs: other.lengths, lengths };
    return lengths;
  }

  /** Routes for exactly this prefix, in list order. */
  find(dst: number, len: number): FibRoute[] {
    return this.groups.get(groupKey(dst, len)) ?? [];
  }

  private changed(): void {
    this.generation++;
  }

  private groupFor(r: FibRoute): FibRoute[] {
    const k = groupKey(r.dst, r.len);
    let g = this.groups.get(k);
    if (!g) {
      g = [];
      this.groups.set(k, g);
      if (!this.lengths.includes(r.len)) this.lengths = [...this.lengths, r.len].sort((a, b) => b - a);
    }
    return g;
  }

  /**
   * fib_table_insert: returns an errno-style failure ('EEXIST', 'ENOENT') or undefined. The
   * kernel's own routes (fib_magic) use 'append'.
   */
  insertMode(r: FibRoute, mode: InsertMode): 'EEXIST' | 'ENOENT' | undefined {
    const g = this.groupFor(r);
    // fib_find_alias: the first alias with a lower TOS, or the same TOS and a metric >= ours.
    let first = g.findIndex((fa) => fa.tos < r.tos || (fa.tos === r.tos && fa.priority >= r.priority));
    let at = first < 0 ? g.length : first;
    if (first >= 0 && g[first].tos === r.tos && g[first].priority === r.priority) {
      if (mode === 'add') return this.dropEmpty(g, 'EEXIST');
      let match = -1;
      let end = first;
      for (; end < g.length && g[end].tos === r.tos && g[end].priority === r.priority; end++) {
        if (match < 0 && g[end].type === r.type && sameInfo(g[end], r)) match = end;
      }
      if (mode === 'replace' || mode === 'change') {
        if (match >= 0) return match === first ? undefined : 'EEXIST';
        g[first] = r;
        this.changed();
        return undefined;
      }
      if (match >= 0) return 'EEXIST';
      at = mode === 'append' ? end : first;
    } else {
      first = -1;
    }
    if (mode === 'change') return this.dropEmpty(g, 'ENOENT');
    g.splice(at, 0, r);
    this.changed();
    return undefined;
  }

  private dropEmpty<T>(g: FibRoute[], v: T): T {
    if (g.length === 0) this.forgetGroup(g);
    return v;
  }

  private forgetGroup(g: FibRoute[]): void {
    for (const [k, v] of this.groups) {
      if (v !== g) continue;
      this.groups.delete(k);
      const len = k % 33;
      if (![...this.groups.keys()].some((x) => x % 33 === len)) this.lengths = this.lengths.filter((l) => l !== len);
      return;
    }
  }

  /** Kernel-made routes (fib_magic: NLM_F_CREATE | NLM_F_APPEND). */
  insert(r: FibRoute): void {
    this.insertMode(r, 'append');
  }

  remove(r: FibRoute): boolean {
    const g = this.groups.get(groupKey(r.dst, r.len));
    const i = g ? g.indexOf(r) : -1;
    if (!g || i < 0) return false;
    g.splice(i, 1);
    if (g.length === 0) this.forgetGroup(g);
    this.changed();
    return true;
  }

  removeWhere(pred: (r: FibRoute) => boolean): FibRoute[] {
    const gone = this.routes.filter(pred);
    for (const r of gone) this.remove(r);
    return gone;
  }

  /**
   * fib_table_lookup: the longest prefix holding `flow.dst` with an alias that passes the
   * checks. Reject types end the lookup (returned as the result; the caller turns them into
   * errors, `throw` into "try the next rule"). `usable` is the next-hop check.
   */
  lookup(flow: FibFlow, usable: (r: FibRoute) => boolean): FibResult | undefined {
    return FibTable.lookupMerged([this], flow, usable);
  }

  /**
   * The lookup over tables sharing one trie (local and main without custom rules): longest
   * prefix first across all of them, and for one prefix the tables in the order given.
   */
  static lookupMerged(tables: readonly FibTable[], flow: FibFlow, usable: (r: FibRoute) => boolean): FibResult | undefined {
    const lengths = tables.length === 1 ? tables[0].lengths : tables.length === 2 ? tables[0].mergedLengths(tables[1]) :
      [...new Set(tables.flatMap((t) => t.lengths))].sort((a, b) => b - a);
    for (const len of lengths) {
      const key = groupKey((flow.dst & prefixMask(len)) >>> 0, len);
      for (const t of tables) {
        const g = t.groups.get(key);
        if (!g) continue;
        for (const fa of g) {
          if (fa.tos && fa.tos !== (flow.tos & LEGACY_TOS_MASK)) continue;
          if (fa.scope < flow.scope) continue;
          if (!REJECT_TYPES.has(fa.type) && !usable(fa)) continue;
          return { route: fa, table: t.id, type: fa.type, prefixlen: len, scope: fa.scope };
        }
      }
    }
    return undefined;
  }
}

/** A route with the defaults for what the caller left out. */
export function newRoute(fields: Partial<FibRoute> & Pick<FibRoute, 'table' | 'type' | 'dst' | 'len'>): FibRoute {
  const scope = fields.scope ?? (fields.type === 'unicast' && !fields.gateway ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
  return {
    tos: 0,
    priority: 0,
    protocol: 0,
    prefsrc: 0,
    gateway: 0,
    dev: undefined,
    nhFlags: 0,
    nhScope: fields.gateway ? RT_SCOPE_LINK : scope === RT_SCOPE_HOST ? RT_SCOPE_NOWHERE : RT_SCOPE_HOST,
    metrics: new Map(),
    metricsLock: 0,
    realms: 0,
    ...fields,
    scope,
  };
}
