import { describe, expect, it } from 'vitest';
import { SkbPool } from '../../src/kernel/skb.ts';
import { fragment } from '../../src/kernel/ipv4/fragment.ts';
import { emitIpv4, hex, parseIpv4 } from '../../src/wire/index.ts';

function datagram(payloadLen: number, options: Uint8Array = new Uint8Array(0)): Uint8Array {
  const payload = new Uint8Array(payloadLen).map((_, i) => i & 0xff);
  const ihl = 5 + options.length / 4;
  return emitIpv4({
    version: 4, ihl, tos: 0, totalLength: ihl * 4 + payloadLen, id: 0xbeef, rf: false, df: false, mf: false,
    fragmentOffset: 0, ttl: 63, protocol: 1, src: '10.1.0.2', dst: '10.2.0.2',
    options: options.length ? [{ type: options[0], name: 'unknown', raw: options, length: options.length }] : [], payload,
  });
}

function split(bytes: Uint8Array, mtu: number): Uint8Array[] {
  const pool = new SkbPool(16);
  const slot = pool.fromBytes(bytes);
  const out: Uint8Array[] = [];
  fragment(pool, slot, mtu, (f) => { out.push(pool.bytes(f)); pool.release(f); });
  pool.release(slot);
  expect(pool.inUse).toBe(0);
  return out;
}

describe('fragment (ip_do_fragment layout)', () => {
  it('splits 1228 bytes at MTU 1000 into 996 + 252, offsets 0 and 122 (kernel-facts §7)', () => {
    const d = datagram(1208);
    const frags = split(d, 1000);
    expect(frags.map((f) => f.length)).toEqual([996, 252]);
    const [a, b] = frags.map((f) => parseIpv4(f));
    expect(a).toMatchObject({ id: 0xbeef, mf: true, df: false, fragmentOffset: 0, totalLength: 996, ttl: 63, checksumValid: true });
    expect(b).toMatchObject({ id: 0xbeef, mf: false, fragmentOffset: 122, totalLength: 252, checksumValid: true });
    // The payloads join back into the original payload.
    expect(hex(new Uint8Array([...a.payload, ...b.payload]))).toBe(hex(d.subarray(20)));
  });

  it('splits a 3028-byte datagram at 1500 into 1500 + 1500 + 68', () => {
    expect(split(datagram(3008), 1500).map((f) => f.length)).toEqual([1500, 1500, 68]);
  });

  it('copies only copied options into later fragments, NOPs the others', () => {
    const rr = new Uint8Array([7, 7, 4, 0, 0, 0, 0, 0x94, 4, 0, 0, 0]); // RR (not copied) + RA (copied)
    const frags = split(datagram(100, rr), 60);
    expect(hex(frags[0].subarray(20, 32))).toBe(hex(rr));
    expect(hex(frags[1].subarray(20, 32))).toBe('01010101010101' + '9404000000');
    expect(frags.map((f) => parseIpv4(f).checksumValid)).toEqual(frags.map(() => true));
  });
});
