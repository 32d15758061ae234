import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MacTable } from '../../src/kernel/bridge/fdb-table.ts';

describe('MacTable', () => {
  it('stores, replaces and deletes MACs', () => {
    const t = new MacTable(4);
    const a = Uint8Array.from([2, 0, 0, 0, 0, 1]);
    const b = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(t.get(a, 0)).toBe(-1);
    t.set(a, 0, 7);
    t.set(b, 0, 9);
    expect(t.get(a, 0)).toBe(7);
    expect(t.get(b, 0)).toBe(9);
    t.set(a, 0, 8);
    expect(t.get(a, 0)).toBe(8);
    expect(t.size).toBe(2);
    expect(t.deleteKey(0x0200, 1)).toBe(true);
    expect(t.get(a, 0)).toBe(-1);
    expect(t.deleteKey(0x0200, 1)).toBe(false);
    expect(t.size).toBe(1);
  });

  it('behaves like a Map under random operations (growth, tombstones)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'del'), fc.integer({ min: 0, max: 300 }), fc.nat(1000)), { maxLength: 2000 }), (ops) => {
        const t = new MacTable(2);
        const m = new Map<number, number>();
        for (const [op, k, v] of ops) {
          const hi = k & 0x3, lo = (k * 2654435761) | 0;
          if (op === 'set') { t.setKey(hi, lo, v); m.set(k, v); } else { expect(t.deleteKey(hi, lo)).toBe(m.delete(k)); }
        }
        expect(t.size).toBe(m.size);
        for (let k = 0; k <= 300; k++) expect(t.getKey(k & 0x3, (k * 2654435761) | 0)).toBe(m.get(k) ?? -1);
      }),
      { numRuns: 100 },
    );
  });
});
