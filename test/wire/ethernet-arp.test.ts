import { describe, expect, it } from 'vitest';
import {
  DecodeError, emitArp, emitEthernet, ethDstIsBroadcast, ethDstIsGroup, ethType, fromHex, macKey, parseArp, parseEthernet,
  arpIsEthIpv4, arpOp, arpSpa, arpTpa, writeArpEthIpv4, ARPOP_REQUEST, hex,
} from '../../src/wire/index.ts';

// An ARP request as the kernel sends it on a veth: 42 bytes, no padding (kernel-facts §6).
const ARP_REQUEST = fromHex(
  'ffffffffffff 020000000101 0806' +
  '0001 0800 06 04 0001 020000000101 0a010101 000000000000 0a010102',
);

describe('ethernet', () => {
  it('decodes and re-emits an untagged frame', () => {
    const h = parseEthernet(ARP_REQUEST);
    expect(h).toMatchObject({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:01:01', vlans: [], etherType: 0x0806, headerLength: 14 });
    expect(h.payload.length).toBe(28);
    expect(emitEthernet(h)).toEqual(ARP_REQUEST);
    expect(ethType(ARP_REQUEST, 0)).toBe(0x0806);
    expect(ethDstIsBroadcast(ARP_REQUEST, 0)).toBe(true);
    expect(ethDstIsGroup(ARP_REQUEST, 0)).toBe(true);
    expect(ethDstIsGroup(ARP_REQUEST, 6)).toBe(false);
  });

  it('decodes 802.1Q and stacked 802.1ad tags', () => {
    const f = fromHex('020000000102 020000000101 8100 a064 0800 4500');
    const h = parseEthernet(f);
    expect(h.vlans).toEqual([{ tpid: 0x8100, pcp: 5, dei: 0, vid: 100 }]);
    expect(h.etherType).toBe(0x0800);
    expect(h.headerLength).toBe(18);
    expect(emitEthernet(h)).toEqual(f);
    const q = fromHex('020000000102 020000000101 88a8 100a 8100 3064 0806');
    const hq = parseEthernet(q);
    expect(hq.vlans).toEqual([{ tpid: 0x88a8, pcp: 0, dei: 1, vid: 10 }, { tpid: 0x8100, pcp: 1, dei: 1, vid: 100 }]);
    expect(emitEthernet(hq)).toEqual(q);
  });

  it('rejects truncated headers and tags with the offset', () => {
    expect(() => parseEthernet(fromHex('0200000001'))).toThrow(new DecodeError('ethernet', 'header', 0, 'truncated: need 14 bytes, have 5'));
    expect(() => parseEthernet(fromHex('020000000102 020000000101 8100 a0'))).toThrow(DecodeError);
    try {
      parseEthernet(fromHex('020000000102 020000000101 8100 a0'));
    } catch (e) {
      expect((e as DecodeError).offset).toBe(14);
      expect((e as DecodeError).field).toBe('802.1q tag');
    }
  });

  it('makes distinct numeric keys of MACs', () => {
    const a = fromHex('ffffffffffff');
    expect(macKey(a, 0)).toBe(0xffffffffffff);
    expect(macKey(fromHex('020000000101'), 0)).toBe(0x020000000101);
  });
});

describe('arp', () => {
  it('decodes an Ethernet/IPv4 request and re-emits it', () => {
    const a = parseArp(ARP_REQUEST, 14);
    expect(a).toEqual({
      htype: 1, ptype: 0x0800, hlen: 6, plen: 4, op: 1,
      sha: '02:00:00:00:01:01', spa: '10.1.1.1', tha: '00:00:00:00:00:00', tpa: '10.1.1.2',
      trailer: new Uint8Array(0),
    });
    expect(emitArp(a)).toEqual(ARP_REQUEST.subarray(14));
    expect(arpIsEthIpv4(ARP_REQUEST, 14)).toBe(true);
    expect(arpOp(ARP_REQUEST, 14)).toBe(ARPOP_REQUEST);
    expect(arpSpa(ARP_REQUEST, 14)).toBe(0x0a010101);
    expect(arpTpa(ARP_REQUEST, 14)).toBe(0x0a010102);
  });

  it('writes a request in place, byte for byte', () => {
    const b = new Uint8Array(28);
    writeArpEthIpv4(b, 0, 1, ARP_REQUEST, 6, 0x0a010101, new Uint8Array(6), 0, 0x0a010102);
    expect(hex(b)).toBe(hex(ARP_REQUEST, 14));
  });

  it('keeps Ethernet padding as a trailer', () => {
    const padded = new Uint8Array(46);
    padded.set(ARP_REQUEST.subarray(14));
    const a = parseArp(padded);
    expect(a.trailer.length).toBe(18);
    expect(emitArp(a)).toEqual(padded);
  });

  it('decodes any hardware and protocol sizes', () => {
    const b = fromHex('0006 86dd 02 03 0002 aabb 010203 ccdd 040506');
    const a = parseArp(b);
    expect(a).toMatchObject({ htype: 6, ptype: 0x86dd, hlen: 2, plen: 3, op: 2, sha: 'aa:bb', spa: '01:02:03', tha: 'cc:dd', tpa: '04:05:06' });
    expect(emitArp(a)).toEqual(b);
  });

  it('rejects sizes that do not fit and truncated headers', () => {
    expect(() => parseArp(fromHex('0001 0800 06 04 0001 0200'))).toThrow(
      new DecodeError('arp', 'addresses', 8, 'hlen 6 and plen 4 need 28 bytes, have 10'),
    );
    expect(() => parseArp(fromHex('0001 0800 ff ff 0001'))).toThrow(DecodeError);
    expect(() => parseArp(fromHex('0001 08'))).toThrow(new DecodeError('arp', 'header', 0, 'truncated: need 8 bytes, have 3'));
  });
});
