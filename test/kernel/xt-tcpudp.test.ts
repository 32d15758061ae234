// The transport-header matches (src/kernel/netfilter/xt-tcpudp.ts): ports, TCP flags and
// options, and what happens on fragments and truncated headers (tcp_mt: offset 1 is dropped,
// later fragments just do not match; a header cut short is dropped).
import { describe, expect, it } from 'vitest';
import type { TcpMatch } from '../../src/kernel/netfilter/types.ts';
import { HOTDROP, MATCH, NO_MATCH, transportMatch } from '../../src/kernel/netfilter/xt-tcpudp.ts';

const tcp = (o: Partial<TcpMatch> = {}): TcpMatch => ({ kind: 'tcp', spts: [0, 65535], dpts: [0, 65535], option: 0, flgMask: 0, flgCmp: 0, invflags: 0, ...o });
// A TCP SYN from port 1000 to 80 with an MSS option (data offset 6 words).
const SYN = new Uint8Array([0x03, 0xe8, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0, 2, 4, 5, 0xb4]);

describe('tcp', () => {
  it('ports, flags and options', () => {
    expect(transportMatch(tcp({ dpts: [80, 80] }), SYN, 0, SYN.length, 0)).toBe(MATCH);
    expect(transportMatch(tcp({ dpts: [81, 90] }), SYN, 0, SYN.length, 0)).toBe(NO_MATCH);
    expect(transportMatch(tcp({ flgMask: 0x12, flgCmp: 0x02 }), SYN, 0, SYN.length, 0)).toBe(MATCH);
    expect(transportMatch(tcp({ flgMask: 0x12, flgCmp: 0x12 }), SYN, 0, SYN.length, 0)).toBe(NO_MATCH);
    expect(transportMatch(tcp({ option: 2 }), SYN, 0, SYN.length, 0)).toBe(MATCH);
    expect(transportMatch(tcp({ option: 3 }), SYN, 0, SYN.length, 0)).toBe(NO_MATCH);
  });

  it('fragments and short headers', () => {
    expect(transportMatch(tcp(), SYN, 0, SYN.length, 1)).toBe(HOTDROP);
    expect(transportMatch(tcp(), SYN, 0, SYN.length, 2)).toBe(NO_MATCH);
    expect(transportMatch(tcp(), SYN, 0, 19, 0)).toBe(HOTDROP);
    expect(transportMatch(tcp({ option: 2 }), SYN, 0, 22, 0)).toBe(HOTDROP);
  });
});
