import { describe, expect, it } from 'vitest';
import { SKB_MAX_INLINE, SkbPool } from '../../src/kernel/skb.ts';

/** A packet of `len` bytes whose head has been moved by `shift` (pull, or push when negative). */
function packet(pool: SkbPool, len: number, shift: number): number {
  const bytes = new Uint8Array(len + Math.max(shift, 0)).map((_, i) => (i * 37 + 11) & 0xff);
  const slot = pool.fromBytes(bytes);
  if (shift > 0) pool.pull(slot, shift);
  else if (shift < 0) pool.data[slot].fill(0xa5, pool.push(slot, -shift), pool.head[slot] - shift);
  pool.nh[slot] = pool.head[slot] + Math.min(14, pool.len[slot]);
  pool.mark[slot] = 0xdeadbeef;
  pool.pktType[slot] = 3;
  pool.nfBridged[slot] = 1;
  pool.fragMax[slot] = 1234;
  pool.ctinfo[slot] = 7;
  return slot;
}

describe('SkbPool.copy (the bridge flood\'s clone)', () => {
  it('gives the same frame and metadata as clone, whatever the length and alignment', () => {
    const pool = new SkbPool(8);
    for (const len of [0, 1, 7, 8, 13, 60, 64, 65, 100, 1514, SKB_MAX_INLINE - 8, SKB_MAX_INLINE, SKB_MAX_INLINE + 100]) {
      for (const shift of [0, 1, 3, 14, -2, -14]) {
        const src = packet(pool, len, shift);
        const a = pool.clone(src);
        const b = pool.copy(src);
        expect(pool.bytes(b)).toEqual(pool.bytes(src));
        for (const s of [a, b]) {
          expect(pool.nh[s] - pool.head[s]).toBe(pool.nh[src] - pool.head[src]);
          expect([pool.len[s], pool.mark[s], pool.pktType[s], pool.nfBridged[s], pool.fragMax[s], pool.ctinfo[s]])
            .toEqual([pool.len[src], 0xdeadbeef, 3, 1, 1234, 7]);
        }
        // The copy is its own: writing it leaves the original alone.
        if (len > 0) {
          pool.data[b][pool.head[b]] ^= 0xff;
          expect(pool.data[src][pool.head[src]]).not.toBe(pool.data[b][pool.head[b]]);
        }
        for (const s of [src, a, b]) pool.release(s);
      }
    }
    expect(pool.inUse).toBe(0);
  });
});
