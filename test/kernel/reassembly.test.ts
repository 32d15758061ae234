import { describe, expect, it } from 'vitest';
import { SkbPool } from '../../src/kernel/skb.ts';
import { fragment } from '../../src/kernel/ipv4/fragment.ts';
import { Reassembler, type ReassemblyHooks } from '../../src/kernel/ipv4/reassembly.ts';
import { emitIpv4, hex } from '../../src/wire/index.ts';

function setup() {
  const pool = new SkbPool(64);
  const timers: Array<{ at: number; fire: () => void; live: boolean }> = [];
  const counts: Record<string, number> = {};
  const timedOut: number[] = [];
  const hooks: ReassemblyHooks = {
    setTimer: (ms, fire) => { const t = { at: ms, fire, live: true }; timers.push(t); return { cancel: () => { t.live = false; } }; },
    timedOut: (first) => timedOut.push(first),
    count: (w) => { counts[w] = (counts[w] ?? 0) + 1; },
  };
  return { pool, r: new Reassembler(pool, hooks), timers, counts, timedOut };
}

const dgram = emitIpv4({
  version: 4, ihl: 5, tos: 0, totalLength: 3028, id: 7, rf: false, df: false, mf: false, fragmentOffset: 0,
  ttl: 64, protocol: 1, src: '10.0.0.1', dst: '10.0.0.2', options: [], payload: new Uint8Array(3008).map((_, i) => (i * 7) & 0xff),
});

function frags(pool: SkbPool): number[] {
  const s = pool.fromBytes(dgram);
  const out: number[] = [];
  fragment(pool, s, 1500, (f) => out.push(f));
  pool.release(s);
  return out;
}

describe('Reassembler', () => {
  it('rebuilds the datagram from fragments in any order, byte for byte', () => {
    const { pool, r, counts } = setup();
    const [a, b, c] = frags(pool);
    expect(r.add(c)).toBe(-1);
    expect(r.add(a)).toBe(-1);
    const out = r.add(b);
    expect(hex(pool.bytes(out))).toBe(hex(dgram));
    pool.release(out);
    expect(pool.inUse).toBe(0);
    expect(counts).toEqual({ reqds: 3, oks: 1 });
    expect(r.pending).toBe(0);
  });

  it('drops the whole datagram on an overlapping fragment', () => {
    const { pool, r, counts } = setup();
    const [a, b, c] = frags(pool);
    const dup = pool.clone(a);
    expect(r.add(a)).toBe(-1);
    expect(r.add(dup)).toBe(-1);
    expect(r.pending).toBe(0);
    expect(counts.fails).toBe(1);
    pool.release(b);
    pool.release(c);
    expect(pool.inUse).toBe(0);
  });

  it('times out an incomplete queue and reports its first fragment', () => {
    const { pool, r, timers, timedOut, counts } = setup();
    const [a, b, c] = frags(pool);
    r.add(a);
    r.add(c);
    expect(timers[0].at).toBe(30_000);
    timers[0].fire();
    expect(timedOut).toEqual([a]);
    expect(counts).toMatchObject({ timeout: 1, fails: 1 });
    pool.release(b);
    expect(pool.inUse).toBe(0);
  });
});
