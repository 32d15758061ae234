// Connection tracking (nf_conntrack_core.c): the table of one namespace. A connection has an
// original and a reply tuple; both are hashed, so a packet in either direction finds it with one
// lookup. Tuples live in typed arrays indexed by node = id * 2 + direction, chained per bucket:
// looking a packet up allocates nothing. Connection objects exist only for connections (made
// on a flow's first packet). Timeouts are deadlines in jiffies of virtual time, checked when an
// entry is looked up or listed (the kernel's gc worker does the same work in the background).
// Events (nf_conntrack_ecache.c, what ctnetlink sends to `conntrack -E`): listeners on the table
// get NEW at confirm, UPDATE for the status and state changes a packet caused (cached on the
// connection, delivered when the packet passes nf_confirm) and DESTROY when a confirmed entry
// goes. With no listener nothing is cached or made: every call site checks `listeners.length`.
// While a listener exists, a gc worker in virtual time removes expired entries as the kernel's
// does (late: see CtTable.gcInterval), so their DESTROY events come without a packet or listing.
import type { NetNs } from '../netns.ts';
import { DEFAULT_EPOCH_MS, type Clock } from '../world.ts';
import type { Sysctls } from '../sysctl.ts';
import type { CtRef } from '../skb.ts';

export * from './conntrack-consts.ts';
export * from './conntrack-conn.ts';
import { Conn, CT_F64_WORDS, CT_F_TIMEOUT, CT_STATUS, CT_USE, CT_WORDS, ctKeyOffset, type CtWords } from './conntrack-conn.ts';
import { IPCT_DESTROY, IPCT_NEW, IPS_CONFIRMED, IPS_DYING, IPS_FIXED_TIMEOUT } from './conntrack-consts.ts';

/** One event as ctnetlink reports it; the connection's tuples are still in the table when a listener runs. */
export interface CtEvent {
  /** IPCT_* bits: IPCT_NEW or IPCT_DESTROY set the kind, anything else is an update. */
  events: number;
  conn: Conn;
  /** CTA_TIMEOUT in seconds, or -1 when the message carries none (a destroy with no time left). */
  timeout: number;
  /** Netlink port id of the process whose request caused the event; 0 for the kernel's own. */
  portid: number;
}
export type CtListener = (tab: CtTable, ev: CtEvent) => void;

export const CT_DIR_ORIGINAL = 0;
export const CT_DIR_REPLY = 1;

/** The kernel's HZ (this kernel: 250); conntrack timeouts run on jiffies. */
export const HZ = 250;
// The gc worker's tuning (nf_conntrack_core.c, GC_SCAN_*), in jiffies.
const GC_SCAN_INTERVAL_MIN = 1 * HZ;
const GC_SCAN_INTERVAL_MAX = 60 * HZ;
const GC_SCAN_INTERVAL_CLAMP = 300 * HZ;
const GC_SCAN_INITIAL_COUNT = 100;
/** Jiffies of virtual time `ms`, counted from the default epoch so they stay small integers
 * (V8 keeps them unboxed: a deadline stored per packet allocates nothing). Only differences matter. */
export function jiffiesOf(ms: number): number {
  return Math.floor(((ms - DEFAULT_EPOCH_MS) * HZ) / 1000);
}



function hashTuple(seed: number, src: number, dst: number, sport: number, dport: number, proto: number): number {
  let h = Math.imul(src ^ seed, 0x9e3779b1);
  h = Math.imul((h ^ (h >>> 15)) + dst, 0x85ebca77);
  h = Math.imul((h ^ (h >>> 13)) + ((sport << 16) | dport), 0xc2b2ae3d);
  h = Math.imul((h ^ (h >>> 16)) + proto, 0x27d4eb2f);
  // int32, not uint32: a value beyond the small-integer range crossing a call is a heap number.
  return h ^ (h >>> 15);
}

/** The hash that places a tuple in the lookup table (its top bits pick the bucket, at least 8
 * bits are left for the key's protocol byte): three independent products and one mixing step,
 * a shorter chain of dependent multiplies than hashTuple, which a lookup waits on. hashTuple
 * stays the dump order's hash. */
function lookupHash(seed: number, src: number, dst: number, ports: number, proto: number): number {
  const h = Math.imul(src ^ seed, 0x9e3779b1) ^ Math.imul(dst + proto, 0x85ebca77) ^ Math.imul(ports ^ (seed >>> 7), 0xc2b2ae3d);
  return Math.imul(h ^ (h >>> 16), 0x27d4eb2f);
}

/** Per-CPU statistics the kernel keeps (`conntrack -S`, /proc/net/stat/nf_conntrack). */
export interface CtStats {
  found: number;
  invalid: number;
  insert: number;
  insert_failed: number;
  drop: number;
  early_drop: number;
  error: number;
  search_restart: number;
  clash_resolve: number;
  chaintoolong: number;
}

export class CtTable implements CtRef, CtWords {
  conns: Array<Conn | undefined> = [];
  /** Tuples per node (id * 2 + dir). */
  tSrc: Int32Array = new Int32Array(0);
  tDst: Int32Array = new Int32Array(0);
  tSport: Uint16Array = new Uint16Array(0);
  tDport: Uint16Array = new Uint16Array(0);
  tProto: Uint8Array = new Uint8Array(0);
  /** hashTuple of each node: the dump order (conntrack -L, /proc), not the lookup. */
  tHash: Int32Array = new Int32Array(0);
  /** Per connection CT_WORDS int32s (one cache line): the lookup keys of its two nodes, then
   * what a packet reads and changes (conntrack-conn.ts). */
  cw: Int32Array = new Int32Array(0);
  /** The same buffer as float64s (the deadlines). */
  cf: Float64Array = new Float64Array(0);
  next: Int32Array = new Int32Array(0);
  private buckets = new Int32Array(0);
  private bucketShift = 0;
  private freeIds: number[] = [];
  private capacity = 0;
  /** Connections allocated (unconfirmed included), as nf_conntrack_count counts them. */
  count = 0;
  private seqNext = 0;
  readonly seed: number;
  /** The namespace's sysctls and the world's clock, one load away (read per packet). */
  readonly sysctl: Sysctls;
  readonly clock: Clock;
  /** The timeouts and limits read from the sysctls (conntrack-proto.ts), per sysctl generation. */
  timeouts: unknown = undefined;
  /** conntrack's reassembly queues (conntrack-proto.ts), made at the first fragment. */
  defrag: unknown = undefined;
  /** `conntrack -E` and the like; empty means no event is made at all. */
  readonly listeners: CtListener[] = [];
  private gcTimer: unknown = undefined;
  /** The virtual time jiffies() last converted, and its jiffies (many packets share a ms). */
  private lastMs = -1;
  private lastJiffies = 0;
  readonly stats: CtStats = { found: 0, invalid: 0, insert: 0, insert_failed: 0, drop: 0, early_drop: 0, error: 0, search_restart: 0, clash_resolve: 0, chaintoolong: 0 };

  constructor(readonly ns: NetNs) {
    this.seed = ns.world.rng.u32() | 0;
    this.sysctl = ns.sysctl;
    this.clock = ns.world.clock;
    this.grow(64);
    this.rehash(1024);
  }

  private grow(add: number): void {
    const cap = this.capacity + add;
    const i32 = (a: Int32Array): Int32Array => { const b = new Int32Array(cap * 2); b.set(a); return b; };
    this.tSrc = i32(this.tSrc);
    this.tDst = i32(this.tDst);
    this.next = i32(this.next);
    const u16 = (a: Uint16Array): Uint16Array => { const b = new Uint16Array(cap * 2); b.set(a); return b; };
    this.tSport = u16(this.tSport);
    this.tDport = u16(this.tDport);
    const p = new Uint8Array(cap * 2);
    p.set(this.tProto);
    this.tProto = p;
    const h = new Int32Array(cap * 2);
    h.set(this.tHash);
    this.tHash = h;
    const cw = new Int32Array(cap * CT_WORDS);
    cw.set(this.cw);
    this.cw = cw;
    this.cf = new Float64Array(cw.buffer);
    for (let id = cap - 1; id >= this.capacity; id--) this.freeIds.push(id);
    this.capacity = cap;
  }

  private rehash(size: number): void {
    this.buckets = new Int32Array(size).fill(-1);
    this.bucketShift = 32 - Math.log2(size);
    for (const c of this.conns) {
      if (c === undefined || !c.hashed) continue;
      this.link(c.id * 2);
      this.link(c.id * 2 + 1);
    }
  }

  private link(n: number): void {
    const b = this.cw[ctKeyOffset(n) + 3] >>> this.bucketShift;
    this.next[n] = this.buckets[b];
    this.buckets[b] = n;
  }

  private unlink(n: number): void {
    const b = this.cw[ctKeyOffset(n) + 3] >>> this.bucketShift;
    let p = this.buckets[b];
    if (p === n) {
      this.buckets[b] = this.next[n];
      return;
    }
    while (p !== -1) {
      if (this.next[p] === n) {
        this.next[p] = this.next[n];
        return;
      }
      p = this.next[p];
    }
  }

  /** jiffiesOf(now), converted once per distinct virtual time. */
  jiffies(): number {
    const ms = this.clock.now;
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastJiffies = jiffiesOf(ms);
    }
    return this.lastJiffies;
  }

  /** Sets node `n`'s tuple and hash. */
  setTuple(n: number, src: number, dst: number, sport: number, dport: number, proto: number): void {
    this.tSrc[n] = src | 0;
    this.tDst[n] = dst | 0;
    this.tSport[n] = sport;
    this.tDport[n] = dport;
    this.tProto[n] = proto;
    this.tHash[n] = hashTuple(this.seed, src | 0, dst | 0, sport, dport, proto);
    const ports = (sport << 16) | dport;
    const o = ctKeyOffset(n);
    this.cw[o] = src | 0;
    this.cw[o + 1] = dst | 0;
    this.cw[o + 2] = ports;
    this.cw[o + 3] = (lookupHash(this.seed, src | 0, dst | 0, ports, proto) & ~0xff) | proto;
  }

  /**
   * The node whose tuple is the one given (confirmed connections only), or -1. An expired
   * connection found on the way is removed.
   */
  find(nowJ: number, src: number, dst: number, sport: number, dport: number, proto: number): number {
    const ports = (sport << 16) | dport;
    const h = lookupHash(this.seed, src | 0, dst | 0, ports, proto);
    const tag = (h & ~0xff) | proto;
    const w = this.cw;
    let n = this.buckets[h >>> this.bucketShift];
    while (n !== -1) {
      const o = ctKeyOffset(n);
      if (w[o + 3] === tag && w[o] === (src | 0) && w[o + 1] === (dst | 0) && w[o + 2] === ports) {
        const id = n >> 1;
        if (this.cf[id * CT_F64_WORDS + CT_F_TIMEOUT] - nowJ <= 0 && (w[id * CT_WORDS + CT_STATUS] & IPS_FIXED_TIMEOUT) === 0) {
          this.kill(this.conns[id]!);
          return -1;
        }
        return n;
      }
      n = this.next[n];
    }
    return -1;
  }

  /** Whether a confirmed connection other than `ignore` has a tuple equal to the given one. */
  taken(nowJ: number, src: number, dst: number, sport: number, dport: number, proto: number, ignore: Conn): boolean {
    const n = this.find(nowJ, src, dst, sport, dport, proto);
    return n !== -1 && n >> 1 !== ignore.id;
  }

  /** A new, unconfirmed connection with both tuples set (cold: once per flow). */
  create(proto: number): Conn {
    if (this.freeIds.length === 0) this.grow(this.capacity);
    const id = this.freeIds.pop()!;
    const c = new Conn(id, proto, this);
    // The words of a freed connection this id had.
    this.cw.fill(0, id * CT_WORDS, (id + 1) * CT_WORDS);
    c.ctid = this.ns.world.rng.u32();
    this.conns[id] = c;
    this.count++;
    return c;
  }

  /** __nf_conntrack_confirm: puts the connection in the hash. False when its tuples clash. */
  confirm(c: Conn, nowJ: number): boolean {
    const o = c.id * 2;
    for (let d = 0; d < 2; d++) {
      const n = o + d;
      const m = this.find(nowJ, this.tSrc[n], this.tDst[n], this.tSport[n], this.tDport[n], this.tProto[n]);
      if (m !== -1) return false;
    }
    c.status |= IPS_CONFIRMED;
    c.hashed = true;
    this.cw[c.id * CT_WORDS + CT_USE]++;
    c.seq = this.seqNext++;
    this.link(o);
    this.link(o + 1);
    if (this.count > this.buckets.length) this.rehash(this.buckets.length * 4);
    if (this.listeners.length !== 0) {
      const ev = c.events | IPCT_NEW;
      c.events = 0;
      this.emit(ev, c, nowJ, 0);
    }
    return true;
  }

  /** nf_ct_kill: out of the hash (a DESTROY event for a confirmed one, caused by `portid`); freed once no packet refers to it. */
  kill(c: Conn, portid = 0): void {
    if (c.hashed && this.listeners.length !== 0) {
      c.events = 0;
      this.emit(IPCT_DESTROY, c, jiffiesOf(this.ns.world.now()), portid);
    }
    if (c.hashed) {
      this.unlink(c.id * 2);
      this.unlink(c.id * 2 + 1);
      c.hashed = false;
      this.cw[c.id * CT_WORDS + CT_USE]--;
    }
    c.status |= IPS_DYING;
    if (this.cw[c.id * CT_WORDS + CT_USE] === 0) this.free(c);
  }

  private free(c: Conn): void {
    if (this.conns[c.id] !== c) return;
    c.detach();
    this.conns[c.id] = undefined;
    this.freeIds.push(c.id);
    this.count--;
  }

  get(id: number): void {
    this.cw[id * CT_WORDS + CT_USE]++;
  }

  /** A packet let go of connection `id`: an unconfirmed or killed one is freed with its last
   * packet (a hashed one keeps the hash's reference). */
  put(id: number): void {
    if (--this.cw[id * CT_WORDS + CT_USE] === 0) this.freeId(id);
  }

  /** Kept out of put, which is inlined in the packet path. */
  private freeId(id: number): void {
    const c = this.conns[id];
    if (c !== undefined) this.free(c);
  }

  /** The live connections in the order the kernel dumps them: by bucket of the original tuple's
   * hash in a table of `buckets` (net.netfilter.nf_conntrack_buckets), newest first within one.
   * Expired ones are removed on the way, unless `withExpired` (a flush takes them as they are). */
  dump(nowJ: number, withExpired = false): Conn[] {
    const out: Conn[] = [];
    for (const c of this.conns) {
      if (c === undefined || !c.hashed) continue;
      if (!withExpired && c.timeout - nowJ <= 0 && (c.status & IPS_FIXED_TIMEOUT) === 0) {
        this.kill(c);
        continue;
      }
      out.push(c);
    }
    const buckets = Math.max(1, this.ns.sysctl.getInt('net.netfilter.nf_conntrack_buckets'));
    const bucket = (c: Conn): number => Math.floor(((this.tHash[c.id * 2] >>> 0) * buckets) / 2 ** 32);
    return out.sort((a, b) => bucket(a) - bucket(b) || b.seq - a.seq);
  }

  /** Removes expired connections (the gc worker), so counts read as the kernel's after a while. */
  gc(nowJ: number): void {
    this.dump(nowJ);
  }

  /** Delivers the events a packet cached on `c` (nf_ct_deliver_cached_events, at nf_confirm). */
  deliverCached(c: Conn, nowJ: number): void {
    const ev = c.events;
    c.events = 0;
    if (ev !== 0 && this.listeners.length !== 0 && c.hashed) this.emit(ev, c, nowJ, 0);
  }

  /** Sends one event to every listener (cold: only runs while there are listeners). */
  private emit(events: number, c: Conn, nowJ: number, portid: number): void {
    const left = Math.floor(Math.max(0, c.timeout - nowJ) / HZ);
    // ctnetlink_dump_timeout: a destroy leaves out a timeout that reads 0.
    const timeout = events & IPCT_DESTROY && left === 0 ? -1 : left;
    const ev: CtEvent = { events, conn: c, timeout, portid };
    for (const l of [...this.listeners]) l(this, ev);
  }

  /** Adds an event listener; the gc worker runs while there is one. */
  listen(l: CtListener): void {
    this.listeners.push(l);
    if (this.gcTimer === undefined) this.scheduleGc();
  }

  unlisten(l: CtListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
    if (this.listeners.length === 0 && this.gcTimer !== undefined) {
      this.ns.world.clock.clearTimeout(this.gcTimer as number);
      this.gcTimer = undefined;
    }
  }

  /**
   * gc_worker's next_run, in jiffies: the running average of the entries' remaining lifetimes
   * (each clamped to 1..300 s), started from 60 s weighted as GC_SCAN_INITIAL_COUNT entries,
   * clamped to 1..60 s. With the few entries of a test namespace this is just under a minute;
   * the real worker scans every namespace's entries, so its phase there is arbitrary (the
   * recording saw expired entries reported 2 to 60 s after their timeout).
   */
  gcInterval(nowJ: number): number {
    let next = GC_SCAN_INTERVAL_MAX;
    let count = GC_SCAN_INITIAL_COUNT;
    for (const c of this.conns) {
      if (c === undefined || !c.hashed) continue;
      const expires = Math.min(Math.max(c.timeout - nowJ, GC_SCAN_INTERVAL_MIN), GC_SCAN_INTERVAL_CLAMP);
      next += Math.trunc((expires - next) / ++count);
    }
    return Math.min(Math.max(next, GC_SCAN_INTERVAL_MIN), GC_SCAN_INTERVAL_MAX);
  }

  private scheduleGc(): void {
    const world = this.ns.world;
    const delayJ = this.gcInterval(jiffiesOf(world.now()));
    this.gcTimer = world.clock.setTimeout(() => {
      this.gcTimer = undefined;
      if (this.listeners.length === 0) return;
      this.gc(jiffiesOf(world.now()));
      if (this.listeners.length !== 0 && this.gcTimer === undefined) this.scheduleGc();
    }, (delayJ * 1000) / HZ);
  }
}

/** The namespace's conntrack table, made when a rule first needs it. */
export function ctTableOf(ns: NetNs): CtTable {
  let t = ns.netfilter.conntrack as CtTable | undefined;
  if (t === undefined) {
    t = new CtTable(ns);
    ns.netfilter.conntrack = t;
  }
  return t;
}
