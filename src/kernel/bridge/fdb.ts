// The bridge's forwarding database (br_fdb.c): entries in typed arrays indexed by an entry id,
// found by MAC through the MacTable, and kept in a list newest first (br->fdb_list, the order
// of `bridge fdb show`). Learning and lookups allocate nothing; ageing runs as the kernel's gc
// work in virtual time.
import { MacTable } from './fdb-table.ts';

/** Entry flags (BR_FDB_*). */
export const FDB_LOCAL = 1;
export const FDB_STATIC = 2;
export const FDB_STICKY = 4;
export const FDB_ADDED_BY_USER = 8;

/** The entry belongs to the bridge device itself (f->dst == NULL). */
export const FDB_TO_BRIDGE = 0;

export function macHi(b: Uint8Array, o = 0): number {
  return (b[o] << 8) | b[o + 1];
}

export function macLo(b: Uint8Array, o = 0): number {
  return (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5];
}

export class Fdb {
  readonly index = new MacTable(64);
  hi = new Uint16Array(0);
  lo = new Int32Array(0);
  /** The port number the MAC is behind, or FDB_TO_BRIDGE. */
  port = new Int32Array(0);
  flags = new Uint8Array(0);
  /** Virtual time (ms) of the last update (learning) and use (forwarding). */
  updated = new Float64Array(0);
  used = new Float64Array(0);
  /** The fdb_list: a doubly linked list, newest first. */
  next = new Int32Array(0);
  prev = new Int32Array(0);
  head = -1;
  private free = new Int32Array(0);
  private freeTop = 0;
  count = 0;

  constructor() {
    this.grow(64);
  }

  private grow(add: number): void {
    const old = this.hi.length;
    const n = old + add;
    const copy = <T extends Uint16Array | Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.hi = copy(this.hi, new Uint16Array(n));
    this.lo = copy(this.lo, new Int32Array(n));
    this.port = copy(this.port, new Int32Array(n));
    this.flags = copy(this.flags, new Uint8Array(n));
    this.updated = copy(this.updated, new Float64Array(n));
    this.used = copy(this.used, new Float64Array(n));
    this.next = copy(this.next, new Int32Array(n));
    this.prev = copy(this.prev, new Int32Array(n));
    const free = new Int32Array(n);
    free.set(this.free.subarray(0, this.freeTop));
    this.free = free;
    for (let i = n - 1; i >= old; i--) this.free[this.freeTop++] = i;
  }

  /** The entry for the MAC at b[o..o+5], or -1. */
  find(b: Uint8Array, o: number): number {
    return this.index.get(b, o);
  }

  findKey(hi: number, lo: number): number {
    return this.index.getKey(hi, lo);
  }

  /** fdb_create: a new entry at the head of the list. */
  create(hi: number, lo: number, port: number, flags: number, now: number): number {
    if (this.freeTop === 0) this.grow(this.hi.length);
    const id = this.free[--this.freeTop];
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.port[id] = port;
    this.flags[id] = flags;
    this.updated[id] = now;
    this.used[id] = now;
    this.prev[id] = -1;
    this.next[id] = this.head;
    if (this.head >= 0) this.prev[this.head] = id;
    this.head = id;
    this.index.setKey(hi, lo, id);
    this.count++;
    return id;
  }

  /** fdb_delete. */
  delete(id: number): void {
    const p = this.prev[id];
    const n = this.next[id];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    this.index.deleteKey(this.hi[id], this.lo[id]);
    this.free[this.freeTop++] = id;
    this.count--;
  }

  /** Entry ids in list order (cold path: dumps, flushes; safe against deleting the current one). */
  ids(): number[] {
    const out: number[] = [];
    for (let id = this.head; id >= 0; id = this.next[id]) out.push(id);
    return out;
  }

  /** The entry's MAC as bytes (cold path). */
  mac(id: number): Uint8Array {
    const hi = this.hi[id];
    const lo = this.lo[id];
    return Uint8Array.of(hi >>> 8, hi & 0xff, (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}
