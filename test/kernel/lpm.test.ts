import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Lpm } from '../../src/kernel/ipv4/lpm.ts';
import { prefixMask } from '../../src/wire/addr.ts';

function naive(entries: Array<{ dst: number; len: number; value: number }>, addr: number): number | undefined {
  let best: { len: number; value: number } | undefined;
  for (const e of entries) {
    if (((addr & prefixMask(e.len)) >>> 0) !== ((e.dst & prefixMask(e.len)) >>> 0)) continue;
    if (!best || e.len > best.len) best = e;
  }
  return best?.value;
}

describe('Lpm (8-bit stride trie)', () => {
  it('finds the longest prefix', () => {
    const t = new Lpm([
      { dst: 0, len: 0, value: 'default' },
      { dst: 0x0a000000, len: 8, value: '10/8' },
      { dst: 0x0a010000, len: 16, value: '10.1/16' },
      { dst: 0x0a010100, len: 24, value: '10.1.1/24' },
      { dst: 0x0a010101, len: 32, value: '10.1.1.1' },
      { dst: 0x0a010180, len: 25, value: '10.1.1.128/25' },
    ]);
    expect(t.lookup(0x0a010101)).toBe('10.1.1.1');
    expect(t.lookup(0x0a010102)).toBe('10.1.1/24');
    expect(t.lookup(0x0a0101ff)).toBe('10.1.1.128/25');
    expect(t.lookup(0x0a010201)).toBe('10.1/16');
    expect(t.lookup(0x0a020201)).toBe('10/8');
    expect(t.lookup(0x08080808)).toBe('default');
    expect(new Lpm<string>([]).lookup(1)).toBeUndefined();
  });

  it('keeps the first of equal prefixes', () => {
    const t = new Lpm([{ dst: 0x0a000000, len: 8, value: 1 }, { dst: 0x0a000000, len: 8, value: 2 }]);
    expect(t.lookup(0x0a000001)).toBe(1);
    expect(t.size).toBe(1);
  });

  it('agrees with a linear scan on random tables', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dst: fc.integer({ min: 0, max: 0xffffffff }), len: fc.integer({ min: 0, max: 32 }) }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 30 }),
        (prefixes, addrs) => {
          const seen = new Set<string>();
          const entries = prefixes
            .map((p, i) => ({ dst: (p.dst & prefixMask(p.len)) >>> 0, len: p.len, value: i }))
            .filter((e) => !seen.has(`${e.dst}/${e.len}`) && seen.add(`${e.dst}/${e.len}`));
          const t = new Lpm(entries);
          for (const a of [...addrs, ...entries.map((e) => e.dst)]) expect(t.lookup(a)).toBe(naive(entries, a));
        },
      ),
      { numRuns: 300 },
    );
  });
});
