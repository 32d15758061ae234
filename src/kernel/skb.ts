// Packet buffers (the kernel's sk_buff), without an object per packet: a packet is a slot
// number, its bytes live in a shared arena (or, for the rare packet larger than a slot, in a
// buffer of its own), and its metadata lives in typed arrays indexed by the slot.
import type { NetDevice } from './device.ts';

/** Bytes kept free before the frame so headers can be pushed without copying. */
export const SKB_HEADROOM = 64;
/**
 * Arena slot size: headroom plus a 1500-byte IP packet with Ethernet and VLAN headers, and
 * not a power of two: 33 cache lines, so the frames of consecutive slots (a flood's copies)
 * fall in different cache sets instead of competing for two.
 */
export const SKB_SLOT_SIZE = 2112;
/** Largest frame a slot holds. */
export const SKB_MAX_INLINE = SKB_SLOT_SIZE - SKB_HEADROOM;

/** pkt_type values (as eth_type_trans sets them). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_LOOPBACK = 5;

/** A conntrack table, as the pool sees it: packets hold references to its connections. */
export interface CtRef {
  get(id: number): void;
  put(id: number): void;
}

/**
 * Slots the metadata arrays are made for. They are never replaced below this many packets in
 * flight, so TurboFan can treat them (and, for the process-wide pool, their addresses) as
 * constants; arenas for the frames' bytes are added as needed. Past it they are reallocated.
 */
export const SKB_METADATA_SLOTS = 1 << 16;

/**
 * Copies `n` 64-bit words from `from[sw…]` to `to[dw…]`. A Float64Array copy keeps every bit
 * pattern, NaNs included (loads and stores, no arithmetic); four words a step, as V8 does not
 * unroll loops itself.
 */
export function copyWords(to: Float64Array, dw: number, from: Float64Array, sw: number, n: number): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    to[dw + k] = from[sw + k];
    to[dw + k + 1] = from[sw + k + 1];
    to[dw + k + 2] = from[sw + k + 2];
    to[dw + k + 3] = from[sw + k + 3];
  }
  for (; k < n; k++) to[dw + k] = from[sw + k];
}

export class SkbPool {
  // Every typed array is made here, in its declaration, and replaced only past
  // SKB_METADATA_SLOTS: a field V8 has seen written once keeps its constant value in optimised
  // code (a field declared without a value and set in the constructor is written twice).
  /** The buffer holding each slot's bytes (its arena, or its own buffer for a large packet). */
  data: Uint8Array[] = [];
  /** Offset of the packet's first byte (its link-layer header) in `data[slot]`. */
  head = new Int32Array(SKB_METADATA_SLOTS);
  /** Packet length in bytes from `head`. */
  len = new Int32Array(SKB_METADATA_SLOTS);
  /** Offset of the network header in `data[slot]`. */
  nh = new Int32Array(SKB_METADATA_SLOTS);
  /** skb->mark. */
  mark = new Uint32Array(SKB_METADATA_SLOTS);
  pktType = new Uint8Array(SKB_METADATA_SLOTS);
  /** 1 when br_netfilter ran the IPv4 PREROUTING hook on this bridged frame (skb->nf_bridge):
   * if it is then delivered locally, ip_rcv does not run PREROUTING again (ip_sabotage_in). */
  nfBridged = new Uint8Array(SKB_METADATA_SLOTS);
  /** IPCB(skb)->frag_max_size: the largest fragment a datagram reassembled by conntrack came in
   * (it leaves in fragments no larger), 0 for a datagram that was never fragmented. */
  fragMax = new Uint16Array(SKB_METADATA_SLOTS);
  /** skb->_nfct: the packet's connection (its id + 1 in `ctTab`), 0 for none. */
  ct = new Int32Array(SKB_METADATA_SLOTS);
  /** enum ip_conntrack_info of the packet (IP_CT_UNTRACKED with ct 0: untracked). */
  ctinfo = new Uint8Array(SKB_METADATA_SLOTS);
  /** The conntrack table `ct` refers to. */
  ctTab: Array<CtRef | undefined> = [];
  /** The device the packet is being received on or sent from. */
  dev: Array<NetDevice | undefined> = [];
  /** Input device of a forwarded or locally delivered packet (skb->skb_iif). */
  iif: Array<NetDevice | undefined> = [];
  /** Each slot's place in an arena, to return to after holding a large packet. */
  private home: Uint8Array[] = [];
  /** The same arenas as 64-bit words, for copying frames eight bytes at a time. */
  private homeF64: Float64Array[] = [];
  private homeOff = new Int32Array(SKB_METADATA_SLOTS);
  /** 1 while a slot's bytes are in a buffer of their own instead of its arena place (a byte
   * test on release instead of comparing two array entries). */
  private own = new Uint8Array(SKB_METADATA_SLOTS);
  /** Free slots, used as a stack. */
  private free = new Int32Array(SKB_METADATA_SLOTS);
  private freeTop = 0;
  private capacity = 0;
  /** Slots currently allocated (for leak checks). */
  inUse = 0;

  constructor(initialSlots = 4096) {
    this.grow(initialSlots);
  }

  /** Adds `add` slots (cold path: only when more packets are in flight than ever before). */
  private grow(add: number): void {
    const old = this.capacity;
    const cap = old + add;
    if (cap > this.head.length) this.growMetadata(Math.max(cap, this.head.length * 2));
    const arena = new Uint8Array(add * SKB_SLOT_SIZE);
    const f64 = new Float64Array(arena.buffer);
    for (let i = 0; i < add; i++) {
      const slot = old + i;
      this.home[slot] = arena;
      this.homeF64[slot] = f64;
      this.homeOff[slot] = i * SKB_SLOT_SIZE;
      this.data[slot] = arena;
      this.dev[slot] = undefined;
      this.iif[slot] = undefined;
      this.ctTab[slot] = undefined;
      // Lower slots on top of the stack: they are handed out first.
      this.free[this.freeTop++] = cap - 1 - i;
    }
    this.capacity = cap;
  }

  /** Reallocates the metadata arrays for `cap` slots (more than SKB_METADATA_SLOTS in flight). */
  private growMetadata(cap: number): void {
    const grown = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.head = grown(this.head, (n) => new Int32Array(n));
    this.len = grown(this.len, (n) => new Int32Array(n));
    this.nh = grown(this.nh, (n) => new Int32Array(n));
    this.ct = grown(this.ct, (n) => new Int32Array(n));
    this.homeOff = grown(this.homeOff, (n) => new Int32Array(n));
    this.free = grown(this.free, (n) => new Int32Array(n));
    this.ctinfo = grown(this.ctinfo, (n) => new Uint8Array(n));
    this.fragMax = grown(this.fragMax, (n) => new Uint16Array(n));
    this.mark = grown(this.mark, (n) => new Uint32Array(n));
    this.pktType = grown(this.pktType, (n) => new Uint8Array(n));
    this.nfBridged = grown(this.nfBridged, (n) => new Uint8Array(n));
    this.own = grown(this.own, (n) => new Uint8Array(n));
  }

  /**
   * A packet of `len` bytes after SKB_HEADROOM bytes of headroom; its bytes are not cleared.
   * A frame larger than a slot gets a buffer of its own (an allocation, but only for such
   * packets: loopback jumbo frames, reassembled datagrams).
   */
  alloc(len: number): number {
    if (this.freeTop === 0) this.grow(this.capacity);
    const slot = this.free[--this.freeTop];
    this.inUse++;
    let head: number;
    if (len > SKB_MAX_INLINE) {
      this.data[slot] = new Uint8Array(SKB_HEADROOM + len);
      this.own[slot] = 1;
      head = SKB_HEADROOM;
    } else {
      // A free slot's data is its arena (release puts it back): nothing to store here.
      head = this.homeOff[slot] + SKB_HEADROOM;
    }
    this.head[slot] = head;
    this.len[slot] = len;
    this.nh[slot] = head;
    this.mark[slot] = 0;
    this.pktType[slot] = PACKET_HOST;
    this.nfBridged[slot] = 0;
    this.ctinfo[slot] = 0;
    this.fragMax[slot] = 0;
    return slot;
  }

  /** A copy of a packet in a new slot, with the same metadata. */
  clone(src: number): number {
    const len = this.len[src];
    const slot = this.alloc(len);
    // Without subarray(): a view object per copy would be an allocation per flooded frame.
    const from = this.data[src];
    const to = this.data[slot];
    const s = this.head[src];
    if (from === this.home[src] && to === this.home[slot]) {
      // Both in arenas: the copy starts at the same offset modulo 8, so most of it goes by words.
      const d = (this.head[slot] -= (this.head[slot] - s) & 7);
      let i = 0;
      for (; i < len && (s + i) & 7; i++) to[d + i] = from[s + i];
      const n = (len - i) >> 3;
      copyWords(this.homeF64[slot], (d + i) >> 3, this.homeF64[src], (s + i) >> 3, n);
      for (i += n << 3; i < len; i++) to[d + i] = from[s + i];
    } else {
      const d = this.head[slot];
      for (let i = 0; i < len; i++) to[d + i] = from[s + i];
    }
    this.nh[slot] = this.head[slot] + (this.nh[src] - s);
    this.copyMeta(src, slot);
    if (this.ct[src] !== 0) this.setCt(slot, this.ctTab[src]!, this.ct[src] - 1, this.ctinfo[src]);
    return slot;
  }

  /** The per-packet fields a copy shares with its original (not its place, length or connection). */
  private copyMeta(src: number, slot: number): void {
    this.mark[slot] = this.mark[src];
    this.pktType[slot] = this.pktType[src];
    this.nfBridged[slot] = this.nfBridged[src];
    this.ctinfo[slot] = this.ctinfo[src];
    this.fragMax[slot] = this.fragMax[src];
    this.dev[slot] = this.dev[src];
    this.iif[slot] = this.iif[src];
  }

  /**
   * clone() made cheaper for a bridge flood, which copies one frame per port: the frame goes
   * by 64-bit words (a Float64Array copy keeps every bit pattern: loads and stores only) to
   * the same offset modulo 8, whole words, so a few bytes either side of it (in the new slot's
   * head- and tailroom) are copied too; every field is written once. Packets with a
   * connection, outside an arena or without a free slot take clone().
   */
  copy(src: number): number {
    const len = this.len[src];
    const s = this.head[src];
    if (this.freeTop === 0 || len > SKB_MAX_INLINE - 8 || this.ct[src] !== 0 || this.own[src] !== 0) {
      return this.clone(src);
    }
    const slot = this.free[--this.freeTop];
    this.inUse++;
    const base = this.homeOff[slot] + SKB_HEADROOM;
    const d = base - ((base - s) & 7);
    copyWords(this.homeF64[slot], d >> 3, this.homeF64[src], s >> 3, ((s + len + 7) >> 3) - (s >> 3));
    this.head[slot] = d;
    this.len[slot] = len;
    this.nh[slot] = d + (this.nh[src] - s);
    this.copyMeta(src, slot);
    return slot;
  }

  /**
   * skb_morph: `slot` takes over the packet in `from` (which is released), keeping the distance
   * between its own head and network header (the link header stays in front). Cold path: a
   * datagram conntrack reassembled continues as the fragment that completed it.
   */
  morph(slot: number, from: number): void {
    const linkLen = this.nh[slot] - this.head[slot];
    const ipLen = this.head[from] + this.len[from] - this.nh[from];
    const total = linkLen + ipLen;
    const src = this.data[from];
    const link = this.data[slot].slice(this.head[slot], this.nh[slot]);
    if (total > SKB_MAX_INLINE) {
      this.data[slot] = new Uint8Array(SKB_HEADROOM + total);
      this.own[slot] = 1;
      this.head[slot] = SKB_HEADROOM;
    } else {
      this.data[slot] = this.home[slot];
      this.own[slot] = 0;
      this.head[slot] = this.homeOff[slot] + SKB_HEADROOM;
    }
    const to = this.data[slot];
    const h = this.head[slot];
    to.set(link, h);
    to.set(src.subarray(this.nh[from], this.nh[from] + ipLen), h + linkLen);
    this.len[slot] = total;
    this.nh[slot] = h + linkLen;
    this.fragMax[slot] = this.fragMax[from];
    this.release(from);
  }

  /** A packet holding a copy of `bytes` (cold path: tests, injected frames). */
  fromBytes(bytes: Uint8Array): number {
    const slot = this.alloc(bytes.length);
    this.data[slot].set(bytes, this.head[slot]);
    return slot;
  }

  /** A copy of the packet's bytes (cold path). */
  bytes(slot: number): Uint8Array {
    return this.data[slot].slice(this.head[slot], this.head[slot] + this.len[slot]);
  }

  /** Prepends `n` bytes (skb_push); returns the new head offset. */
  push(slot: number, n: number): number {
    this.head[slot] -= n;
    this.len[slot] += n;
    return this.head[slot];
  }

  /** Drops `n` bytes from the front (skb_pull); returns the new head offset. */
  pull(slot: number, n: number): number {
    this.head[slot] += n;
    this.len[slot] -= n;
    return this.head[slot];
  }

  /** Attaches connection `id` of `tab` to the packet (nf_ct_set), dropping any previous one. */
  setCt(slot: number, tab: CtRef, id: number, ctinfo: number): void {
    if (this.ct[slot] !== 0) this.resetCt(slot);
    tab.get(id);
    this.ct[slot] = id + 1;
    this.ctTab[slot] = tab;
    this.ctinfo[slot] = ctinfo;
  }

  /** nf_reset_ct: the packet no longer refers to a connection. */
  resetCt(slot: number): void {
    const id = this.ct[slot];
    if (id !== 0) {
      this.ct[slot] = 0;
      this.ctTab[slot]!.put(id - 1);
      this.ctTab[slot] = undefined;
    }
    this.ctinfo[slot] = 0;
  }

  /** Returns the slot to the pool (kfree_skb / consume_skb). */
  release(slot: number): void {
    if (this.ct[slot] !== 0) this.resetCt(slot);
    if (this.own[slot] !== 0) {
      this.data[slot] = this.home[slot];
      this.own[slot] = 0;
    }
    this.dev[slot] = undefined;
    this.iif[slot] = undefined;
    this.free[this.freeTop++] = slot;
    this.inUse--;
  }
}

/**
 * The packet buffers of the whole process (the kernel's skbuff caches are global too): every
 * World's device layer uses this one, and the packet path reads it as a module constant, which
 * optimised code folds to fixed addresses. Slot numbers never reach output, so sharing it across
 * worlds changes nothing a scenario shows.
 */
export const skbPool = new SkbPool();
