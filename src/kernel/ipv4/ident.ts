// IP identification for packets that do not carry a per-socket counter (ip_select_ident →
// ip_idents_reserve): a table of 2048 counters picked by a keyed hash of (dst, src, protocol);
// within one jiffy a counter goes up by one per packet, and after a pause it jumps by a random
// amount below the jiffies elapsed. The key and the jumps come from the world's seeded generator.
import type { Rng } from '../rng.ts';

const IDENTS = 2048;
/** HZ=250: one jiffy is 4 ms. */
export const JIFFY_MS = 4;

export class IpIdents {
  private readonly ids = new Uint16Array(IDENTS);
  private readonly stamps = new Float64Array(IDENTS).fill(-1);
  private readonly k0: number;
  private readonly k1: number;

  constructor(private readonly rng: Rng) {
    this.k0 = rng.u32();
    this.k1 = rng.u32();
    // The counters start wherever the boot left them: random.
    for (let i = 0; i < IDENTS; i++) this.ids[i] = rng.u32() & 0xffff;
  }

  /** A small keyed mix standing in for the kernel's siphash (its output is random anyway). */
  private bucket(dst: number, src: number, protocol: number): number {
    let h = (dst ^ this.k0) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h ^= src ^ this.k1;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    h ^= protocol;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    return (h ^ (h >>> 15)) & (IDENTS - 1);
  }

  /** The ID for the next packet of (dst, src, protocol) at virtual time `nowMs`; `segs` IDs are reserved. */
  next(dst: number, src: number, protocol: number, nowMs: number, segs = 1): number {
    const b = this.bucket(dst, src, protocol);
    const now = Math.floor(nowMs / JIFFY_MS);
    const old = this.stamps[b];
    let delta = 0;
    if (old !== now) {
      if (old >= 0) delta = this.rng.below(now - old);
      this.stamps[b] = now;
    }
    const id = (this.ids[b] + delta) & 0xffff;
    this.ids[b] = (id + segs) & 0xffff;
    return id;
  }
}
