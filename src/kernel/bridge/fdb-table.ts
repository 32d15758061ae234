// The bridge forwarding database's index: an open-addressing hash table in typed arrays keyed
// by 48-bit MAC address (as a 16-bit high part and a 32-bit low part, so no key is ever a heap
// number), mapping to a small integer entry id. Lookups and inserts allocate nothing.

const EMPTY = -1;
const TOMBSTONE = -2;

export class MacTable {
  private hi: Uint16Array;
  private lo: Int32Array;
  /** Entry id per slot, or EMPTY / TOMBSTONE. */
  private ids: Int32Array;
  private mask: number;
  private used = 0;
  /** Live keys. */
  size = 0;

  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.hi = new Uint16Array(n);
    this.lo = new Int32Array(n);
    this.ids = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
  }

  private static hash(hi: number, lo: number): number {
    let h = Math.imul(lo ^ (hi << 16) ^ (hi >>> 3), 0x9e3779b1);
    h ^= h >>> 15;
    return Math.imul(h, 0x85ebca77) ^ (h >>> 13);
  }

  /** The id stored for the MAC at b[o..o+5], or -1. */
  get(b: Uint8Array, o: number): number {
    const hi = (b[o] << 8) | b[o + 1];
    const lo = (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5];
    return this.getKey(hi, lo);
  }

  getKey(hi: number, lo: number): number {
    const ids = this.ids;
    let i = MacTable.hash(hi, lo) & this.mask;
    for (;;) {
      const id = ids[i];
      if (id === EMPTY) return -1;
      if (id !== TOMBSTONE && this.lo[i] === lo && this.hi[i] === hi) return id;
      i = (i + 1) & this.mask;
    }
  }

  /** Stores `id` for the MAC (replacing an existing mapping). */
  set(b: Uint8Array, o: number, id: number): void {
    this.setKey((b[o] << 8) | b[o + 1], (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5], id);
  }

  setKey(hi: number, lo: number, id: number): void {
    if ((this.used + 1) * 4 > this.ids.length * 3) this.rehash(this.size * 2 + 16);
    const ids = this.ids;
    let i = MacTable.hash(hi, lo) & this.mask;
    let free = -1;
    for (;;) {
      const cur = ids[i];
      if (cur === EMPTY) break;
      if (cur === TOMBSTONE) {
        if (free < 0) free = i;
      } else if (this.lo[i] === lo && this.hi[i] === hi) {
        ids[i] = id;
        return;
      }
      i = (i + 1) & this.mask;
    }
    if (free >= 0) i = free;
    else this.used++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    ids[i] = id;
    this.size++;
  }

  deleteKey(hi: number, lo: number): boolean {
    const ids = this.ids;
    let i = MacTable.hash(hi, lo) & this.mask;
    for (;;) {
      const id = ids[i];
      if (id === EMPTY) return false;
      if (id !== TOMBSTONE && this.lo[i] === lo && this.hi[i] === hi) {
        ids[i] = TOMBSTONE;
        this.size--;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  private rehash(capacity: number): void {
    const { hi, lo, ids } = this;
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.hi = new Uint16Array(n);
    this.lo = new Int32Array(n);
    this.ids = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) this.setKey(hi[i], lo[i], ids[i]);
  }
}
