// Longest-prefix match for the packet path: a multibit trie with 8-bit strides (four levels of
// 256-entry nodes) and leaf pushing, in one Int32Array. A lookup is at most four array reads and
// allocates nothing; memory grows with the routes, not with the address space (10 000
// namespaces each with a few routes stay small), and 100 000 routes build in milliseconds.

const NODE = 256;

export class Lpm<T> {
  /** Entries: 0 = no route, > 0 = result index + 1, < 0 = -(child node offset). */
  private nodes = new Int32Array(NODE * 4);
  private used = NODE;
  private readonly results: T[] = [];

  /** Builds from prefixes given in any order; for equal prefixes the first one given wins. */
  constructor(entries: ReadonlyArray<{ dst: number; len: number; value: T }> = []) {
    const order = entries.map((e, i) => i).sort((a, b) => entries[a].len - entries[b].len || a - b);
    const seen = new Set<string>();
    for (const i of order) {
      const e = entries[i];
      const key = `${e.dst}/${e.len}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.insert(e.dst >>> 0, e.len, e.value);
    }
  }

  get size(): number {
    return this.results.length;
  }

  private newNode(fill: number): number {
    if (this.used + NODE > this.nodes.length) {
      const n = new Int32Array(this.nodes.length * 2);
      n.set(this.nodes);
      this.nodes = n;
    }
    const at = this.used;
    this.nodes.fill(fill, at, at + NODE);
    this.used += NODE;
    return at;
  }

  /** Must be called in ascending prefix length (the constructor does). */
  private insert(dst: number, len: number, value: T): void {
    this.results.push(value);
    const v = this.results.length;
    let node = 0;
    for (let level = 0; ; level++) {
      const shift = 24 - 8 * level;
      const idx = (dst >>> shift) & 0xff;
      const end = 8 * (level + 1);
      if (len <= end) {
        // The prefix ends in this node: it covers 2^(end-len) entries. No children can exist
        // under them yet, because longer prefixes are inserted later.
        const span = 1 << (end - len);
        const start = idx & ~(span - 1);
        for (let k = start; k < start + span; k++) this.set(node + k, v);
        return;
      }
      const e = this.nodes[node + idx];
      if (e < 0) node = -e;
      else {
        const child = this.newNode(e);
        this.nodes[node + idx] = -child;
        node = child;
      }
    }
  }

  /** Sets an entry, pushing the value down into a child node if there is one. */
  private set(at: number, v: number): void {
    const e = this.nodes[at];
    if (e < 0) {
      for (let k = 0; k < NODE; k++) this.set(-e + k, v);
    } else {
      this.nodes[at] = v;
    }
  }

  /** The index + 1 of the longest matching prefix's value, or 0. Allocation-free. */
  lookupIndex(addr: number): number {
    const nodes = this.nodes;
    let e = nodes[(addr >>> 24) & 0xff];
    if (e >= 0) return e;
    e = nodes[-e + ((addr >>> 16) & 0xff)];
    if (e >= 0) return e;
    e = nodes[-e + ((addr >>> 8) & 0xff)];
    if (e >= 0) return e;
    return nodes[-e + (addr & 0xff)];
  }

  /** The value of the longest matching prefix, or undefined. */
  lookup(addr: number): T | undefined {
    const i = this.lookupIndex(addr);
    return i === 0 ? undefined : this.results[i - 1];
  }

  /** The value for an index from lookupIndex. */
  value(index: number): T {
    return this.results[index - 1];
  }
}
