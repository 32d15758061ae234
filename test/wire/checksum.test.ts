import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checksumOk, checksumReplace16, checksumReplace32, fold, fromHex, internetChecksum, onesSum, pseudoHeaderSum, u16, u32,
} from '../../src/wire/index.ts';

describe('RFC 1071 checksum', () => {
  it('matches the RFC 1071 section 3 example', () => {
    // 00 01 f2 03 f4 f5 f6 f7: the folded sum is ddf2, so the checksum is 220d.
    const b = fromHex('0001f203f4f5f6f7');
    expect(fold(onesSum(b, 0, b.length))).toBe(0xddf2);
    expect(internetChecksum(b, 0, b.length)).toBe(0x220d);
  });

  it('gives the checksum of a well-known IPv4 header', () => {
    const h = fromHex('450000730000400040110000c0a80001c0a800c7');
    expect(internetChecksum(h, 0, 20)).toBe(0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(checksumOk(h, 0, 20)).toBe(true);
    h[8] = 0x3f;
    expect(checksumOk(h, 0, 20)).toBe(false);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(fold(onesSum(fromHex('0102ab'), 0, 3))).toBe(0x0102 + 0xab00);
  });

  it('folds long buffers without losing carries', () => {
    const b = new Uint8Array(200_000).fill(0xff);
    expect(fold(onesSum(b, 0, b.length))).toBe(0xffff);
  });

  it('adds the pseudo-header', () => {
    // 10.0.0.1 → 10.0.0.2, UDP, length 8
    expect(pseudoHeaderSum(0x0a000001, 0x0a000002, 17, 8)).toBe(0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 8);
  });
});

describe('RFC 1624 incremental update', () => {
  it('gives 0x0000 for the RFC 1624 section 4 example, where eqn. 2 gives 0xffff', () => {
    // HC = 0xdd2f, m = 0x5555 → m' = 0x3285.
    expect(checksumReplace16(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('turns 0xfeff into 0x0000 on a TTL 64 → 63 change (seen on the kernel)', () => {
    expect(checksumReplace16(0xfeff, 0x4001, 0x3f01)).toBe(0x0000);
  });

  it('equals a full recompute for random 16- and 32-bit changes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.constantFrom(0, 2, 4, 6, 8, 12, 14, 16, 18), fc.integer({ min: 0, max: 0xffff }), (bytes, w, nv) => {
        const h = bytes.slice(); // w: any 16-bit word but the checksum (bytes 10–11)
        h[10] = 0; h[11] = 0;
        const c = internetChecksum(h, 0, 20);
        h[10] = c >>> 8; h[11] = c & 0xff;
        const old = u16(h, w);
        h[w] = nv >>> 8; h[w + 1] = nv & 0xff;
        const inc = checksumReplace16(c, old, nv);
        h[10] = 0; h[11] = 0;
        const full = internetChecksum(h, 0, 20);
        // One's complement has two zeros; the incremental form never yields 0xffff from a valid sum.
        expect(inc === full || (inc === 0 && full === 0xffff) || (inc === 0xffff && full === 0)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, nv) => {
        const h = bytes.slice();
        h[10] = 0; h[11] = 0;
        const c = internetChecksum(h, 0, 20);
        const old = u32(h, 12);
        h[12] = nv >>> 24; h[13] = (nv >>> 16) & 0xff; h[14] = (nv >>> 8) & 0xff; h[15] = nv & 0xff;
        const inc = checksumReplace32(c, old, nv);
        const full = internetChecksum(h, 0, 20);
        expect(inc === full || (inc === 0 && full === 0xffff) || (inc === 0xffff && full === 0)).toBe(true);
      }),
    );
  });
});
