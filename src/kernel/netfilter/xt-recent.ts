// -m recent (xt_recent.c): per-namespace tables of addresses, each with the times (jiffies of
// virtual time) it was last seen. A table exists while a rule names it; it is made by the first
// such rule (and flushed when a rule asks for more time stamps than it keeps). Entries live in
// a Map keyed by the (masked) int32 address and on a doubly linked LRU list (the least recently
// seen first: evicted when the table is full, reaped by --reap); an evicted entry's object is
// reused, so a steady flow allocates nothing. /proc/net/xt_recent/NAME prints them.
import type { NetNs } from '../netns.ts';
import { HZ, jiffiesOf } from './conntrack.ts';
import type { NetfilterState } from './index.ts';
import { TABLE_ORDER } from './table.ts';
import {
  XT_RECENT_CHECK, XT_RECENT_DEST, XT_RECENT_REAP, XT_RECENT_REMOVE, XT_RECENT_SET, XT_RECENT_TTL, XT_RECENT_UPDATE,
  type RecentMatch,
} from './xt-types.ts';

/** Module parameters ip_list_tot and ip_pkt_list_tot (defaults). */
const IP_LIST_TOT = 100;
const IP_PKT_LIST_TOT = 20;

class RecentEntry {
  prev: RecentEntry | undefined = undefined;
  next: RecentEntry | undefined = undefined;
  constructor(public addr: number, public ttl: number, public index: number, public nstamps: number, public stamps: Int32Array) {}
}

export class RecentTable {
  readonly entries = new Map<number, RecentEntry>();
  /** LRU list: head least recently seen. */
  head: RecentEntry | undefined = undefined;
  tail: RecentEntry | undefined = undefined;
  constructor(readonly name: string, public maxMask: number) {}

  unlink(e: RecentEntry): void {
    if (e.prev === undefined) this.head = e.next;
    else e.prev.next = e.next;
    if (e.next === undefined) this.tail = e.prev;
    else e.next.prev = e.prev;
    e.prev = e.next = undefined;
  }

  append(e: RecentEntry): void {
    e.prev = this.tail;
    e.next = undefined;
    if (this.tail === undefined) this.head = e;
    else this.tail.next = e;
    this.tail = e;
  }

  remove(e: RecentEntry): void {
    this.unlink(e);
    this.entries.delete(e.addr);
  }

  clear(): void {
    this.entries.clear();
    this.head = this.tail = undefined;
  }
}

const KEY = 'xt_recent/';

/** roundup_pow_of_two(n) - 1, as recent_mt_check sizes a table's time stamps. */
function nstampMask(hitCount: number): number {
  const n = hitCount < IP_PKT_LIST_TOT ? IP_PKT_LIST_TOT : hitCount || 32;
  let p = 1;
  while (p < n) p <<= 1;
  return p - 1;
}

/** The names of recent tables some rule of the namespace uses. */
function usedNames(st: NetfilterState): Set<string> {
  const names = new Set<string>();
  for (const t of TABLE_ORDER) {
    const table = st.tables[t];
    if (!table.exists) continue;
    for (const c of table.existing('created')) for (const r of c.rules) for (const m of r.matches) if (m.kind === 'recent') names.add(m.name);
  }
  return names;
}

const cache = new WeakMap<RecentMatch, RecentTable>();

/** The table a rule's match uses (cold path: once per match object, i.e. per commit). */
function tableOf(ns: NetNs, m: RecentMatch): RecentTable {
  let t = cache.get(m);
  if (t !== undefined) return t;
  const st = ns.netfilter;
  // Tables no rule names any more are gone (recent_mt_destroy of their last rule).
  const used = usedNames(st);
  for (const k of [...st.ruleState.keys()]) if (k.startsWith(KEY) && !used.has(k.slice(KEY.length))) st.ruleState.delete(k);
  const mask = nstampMask(m.hitCount);
  t = st.ruleState.get(KEY + m.name) as RecentTable | undefined;
  if (t === undefined) {
    t = new RecentTable(m.name, mask);
    st.ruleState.set(KEY + m.name, t);
  } else if (mask > t.maxMask) {
    t.clear();
    t.maxMask = mask;
  }
  cache.set(m, t);
  return t;
}

function touch(t: RecentTable, e: RecentEntry, now: number): void {
  e.index &= t.maxMask;
  e.stamps[e.index++] = now;
  if (e.index > e.nstamps) e.nstamps = e.index;
  t.unlink(e);
  t.append(e);
}

/** recent_mt for the IPv4 packet at `nh` of `b`; `forwarded`: the TTL is counted as before
 * forwarding (an output device and no local socket). */
export function recentMatch(ns: NetNs, m: RecentMatch, b: Uint8Array, nh: number, forwarded: boolean): boolean {
  const t = tableOf(ns, m);
  const o = m.side === XT_RECENT_DEST ? nh + 16 : nh + 12;
  const addr = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) & (m.mask | 0);
  let ttl = b[nh + 8];
  if (forwarded) ttl = (ttl + 1) & 0xff;
  const now = jiffiesOf(ns.world.now());
  let ret = m.invert;
  const cs = m.checkSet;
  let e = t.entries.get(addr);
  if (e !== undefined && cs & XT_RECENT_TTL && ttl !== 0 && e.ttl !== 0 && e.ttl !== ttl) e = undefined;
  if (e === undefined) {
    if (!(cs & XT_RECENT_SET)) return ret;
    let fresh: RecentEntry | undefined;
    if (t.entries.size >= IP_LIST_TOT && t.head !== undefined) {
      fresh = t.head;
      t.remove(fresh);
      if (fresh.stamps.length !== t.maxMask + 1) fresh = undefined;
    }
    if (fresh === undefined) fresh = new RecentEntry(addr, ttl, 1, 1, new Int32Array(t.maxMask + 1));
    fresh.addr = addr;
    fresh.ttl = ttl;
    fresh.index = 1;
    fresh.nstamps = 1;
    fresh.stamps[0] = now;
    t.entries.set(addr, fresh);
    t.append(fresh);
    return !ret;
  }
  if (cs & XT_RECENT_SET) ret = !ret;
  else if (cs & XT_RECENT_REMOVE) {
    t.remove(e);
    return !ret;
  } else if (cs & (XT_RECENT_CHECK | XT_RECENT_UPDATE)) {
    const time = now - m.seconds * HZ;
    let hits = 0;
    for (let i = 0; i < e.nstamps; i++) {
      if (m.seconds !== 0 && time > e.stamps[i]) continue;
      if (m.hitCount === 0 || ++hits >= m.hitCount) {
        ret = !ret;
        break;
      }
    }
    if (cs & XT_RECENT_REAP) reap(t, time, e);
  }
  if (cs & XT_RECENT_SET || (cs & XT_RECENT_UPDATE && ret)) {
    if (t.entries.get(addr) === e) {
      touch(t, e, now);
      e.ttl = ttl;
    }
  }
  return ret;
}

/** recent_entry_reap: the least recently used entry goes when its last stamp is older than `time`. */
function reap(t: RecentTable, time: number, working: RecentEntry): void {
  const e = t.head;
  if (e === undefined || e === working) return;
  if (time > e.stamps[(e.index - 1) & t.maxMask]) t.remove(e);
}

function ip(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The names under /proc/net/xt_recent/ (tables some rule uses). */
export function recentTableNames(ns: NetNs): string[] {
  return [...usedNames(ns.netfilter)];
}

/** /proc/net/xt_recent/NAME, or undefined when no rule uses such a table. */
export function procXtRecent(ns: NetNs, name: string): string | undefined {
  if (!usedNames(ns.netfilter).has(name)) return undefined;
  const t = ns.netfilter.ruleState.get(KEY + name) as RecentTable | undefined;
  if (t === undefined) return '';
  let out = '';
  for (let e = t.head; e !== undefined; e = e.next) {
    const last = e.stamps[(e.index - 1) & t.maxMask];
    out += `src=${ip(e.addr)} ttl: ${e.ttl} last_seen: ${last >>> 0} oldest_pkt: ${e.index}`;
    for (let i = 0; i < e.nstamps; i++) out += `, ${e.stamps[i] >>> 0}`;
    out += '\n';
  }
  return out;
}
