// The bridge forwarding database's index: an open-addressing hash table keyed by 48-bit MAC
// address (as a 16-bit high part and a 32-bit low part, so no key is ever a heap number),
// mapping to a small integer entry id. Each slot is four int32 in one array (low part, high
// part, id, unused), so a probe reads one cache line. Lookups and inserts allocate nothing.

const EMPTY = -1;
const TOMBSTONE = -2;

export class MacTable {
  /** Per slot: lo, hi, id (or EMPTY / TOMBSTONE), unused. */
  private slots: Int32Array;
  private mask: number;
  private used = 0;
  /** Live keys. */
  size = 0;

  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.slots = MacTable.empty(n);
    this.mask = n - 1;
  }

  private static empty(n: number): Int32Array {
    const slots = new Int32Array(n * 4);
    for (let i = 2; i < slots.length; i += 4) slots[i] = EMPTY;
    return slots;
  }

  private static hash(hi: number, lo: number): number {
    const h = Math.imul(lo ^ (hi << 16), 0x9e3779b1);
    return h ^ (h >>> 15);
  }

  /** The id stored for the MAC at b[o..o+5], or -1. */
  get(b: Uint8Array, o: number): number {
    const hi = (b[o] << 8) | b[o + 1];
    const lo = (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5];
    return this.getKey(hi, lo);
  }

  getKey(hi: number, lo: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = MacTable.hash(hi, lo) & mask;
    for (;;) {
      const s = i << 2;
      const id = slots[s + 2];
      if (slots[s] === lo && slots[s + 1] === hi && id >= 0) return id;
      if (id === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Stores `id` for the MAC (replacing an existing mapping). */
  set(b: Uint8Array, o: number, id: number): void {
    this.setKey((b[o] << 8) | b[o + 1], (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5], id);
  }

  setKey(hi: number, lo: number, id: number): void {
    if ((this.used + 1) * 4 > (this.mask + 1) * 3) this.rehash(this.size + 16);
    const slots = this.slots;
    let i = MacTable.hash(hi, lo) & this.mask;
    let free = -1;
    for (;;) {
      const s = i << 2;
      const cur = slots[s + 2];
      if (cur === EMPTY) break;
      if (cur === TOMBSTONE) {
        if (free < 0) free = i;
      } else if (slots[s] === lo && slots[s + 1] === hi) {
        slots[s + 2] = id;
        return;
      }
      i = (i + 1) & this.mask;
    }
    if (free >= 0) i = free;
    else this.used++;
    const s = i << 2;
    slots[s] = lo;
    slots[s + 1] = hi;
    slots[s + 2] = id;
    this.size++;
  }

  deleteKey(hi: number, lo: number): boolean {
    const slots = this.slots;
    let i = MacTable.hash(hi, lo) & this.mask;
    for (;;) {
      const s = i << 2;
      const id = slots[s + 2];
      if (id === EMPTY) return false;
      if (id !== TOMBSTONE && slots[s] === lo && slots[s + 1] === hi) {
        slots[s + 2] = TOMBSTONE;
        this.size--;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.slots = MacTable.empty(n);
    this.mask = n - 1;
    this.used = 0;
    this.size = 0;
    for (let s = 0; s < old.length; s += 4) if (old[s + 2] >= 0) this.setKey(old[s + 1], old[s], old[s + 2]);
  }
}
