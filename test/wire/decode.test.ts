import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DecodeError, decodeFrame, emitEthernet, emitIcmp, emitIpv4, emitUdp, fromHex, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  parseSll, parseSll2, emitSll,
} from '../../src/wire/index.ts';

function ping(): Uint8Array {
  const icmp = emitIcmp({ type: 8, code: 0, identifier: 7, sequence: 1, data: new Uint8Array(56).map((_, i) => i) });
  const ip = emitIpv4({
    version: 4, ihl: 5, tos: 0, totalLength: 20 + icmp.length, id: 1, rf: false, df: true, mf: false, fragmentOffset: 0,
    ttl: 64, protocol: 1, src: '10.1.1.1', dst: '10.1.1.2', options: [], payload: icmp,
  });
  return emitEthernet({ dst: '02:00:00:00:01:02', src: '02:00:00:00:01:01', vlans: [], etherType: 0x0800, payload: ip });
}

describe('decodeFrame', () => {
  it('decodes every layer of an echo request', () => {
    const f = decodeFrame(ping());
    expect(f.error).toBeUndefined();
    expect(f.ethernet?.etherType).toBe(0x0800);
    expect(f.ipv4).toMatchObject({ src: '10.1.1.1', dst: '10.1.1.2', checksumValid: true });
    expect(f.icmp).toMatchObject({ type: 8, identifier: 7, sequence: 1, checksumValid: true });
  });

  it('decodes UDP with its checksum checked against the pseudo-header', () => {
    const udp = emitUdp({ srcPort: 5000, dstPort: 53, payload: fromHex('00'), pseudo: { src: 0x0a010101, dst: 0x0a010102 } });
    const ip = emitIpv4({
      version: 4, ihl: 5, tos: 0, totalLength: 20 + udp.length, id: 1, rf: false, df: false, mf: false, fragmentOffset: 0,
      ttl: 64, protocol: 17, src: '10.1.1.1', dst: '10.1.1.2', options: [], payload: udp,
    });
    const f = decodeFrame(emitEthernet({ dst: '02:00:00:00:01:02', src: '02:00:00:00:01:01', vlans: [], etherType: 0x0800, payload: ip }));
    expect(f.udp).toMatchObject({ srcPort: 5000, dstPort: 53, checksumValid: true });
  });

  it('keeps the layers it could read and records where it stopped', () => {
    const b = ping();
    b[14] = 0x43;
    const f = decodeFrame(b);
    expect(f.ethernet).toBeDefined();
    expect(f.ipv4).toBeUndefined();
    expect(f.error).toEqual(new DecodeError('ipv4', 'ihl', 14, 'header length 12 < 20'));
  });

  it('accepts a frame cut by the snapshot length', () => {
    const b = ping().slice(0, 50);
    const f = decodeFrame(b, { originalLength: 98 });
    expect(f.error).toBeUndefined();
    expect(f.ipv4?.truncated).toBe(true);
    expect(f.icmp?.checksumValid).toBeNull();
    expect(decodeFrame(b).error?.field).toBe('total length');
  });

  it('decodes Linux cooked v1 and v2 headers', () => {
    const ip = ping().subarray(14);
    const v1 = fromHex('0000 0001 0006 020000000101 0000 0800');
    const f1 = new Uint8Array(v1.length + ip.length);
    f1.set(v1); f1.set(ip, v1.length);
    expect(decodeFrame(f1, { linkType: LINKTYPE_LINUX_SLL })).toMatchObject({ sll: { version: 1, packetType: 0, address: '02:00:00:00:01:01', protocol: 0x800 }, icmp: { type: 8 } });
    expect(emitSll(parseSll(f1))).toEqual(f1);
    const v2 = fromHex('0800 0000 00000003 0001 04 06 020000000101 0000');
    const f2 = new Uint8Array(v2.length + ip.length);
    f2.set(v2); f2.set(ip, v2.length);
    expect(decodeFrame(f2, { linkType: LINKTYPE_LINUX_SLL2 })).toMatchObject({ sll: { version: 2, ifindex: 3, packetType: 4 }, icmp: { sequence: 1 } });
    expect(emitSll(parseSll2(f2))).toEqual(f2);
  });

  it('never throws anything but records a DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(1, 113, 276), (bytes, linkType) => {
        const f = decodeFrame(bytes, { linkType });
        if (f.error) expect(f.error).toBeInstanceOf(DecodeError);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on mutations of a valid frame', () => {
    const base = ping();
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(base.length), (i, v, cut) => {
        const b = base.slice(0, Math.max(cut, 1));
        if (i < b.length) b[i] = v;
        const f = decodeFrame(b);
        if (f.error) expect(f.error).toBeInstanceOf(DecodeError);
      }),
      { numRuns: 5000 },
    );
  });
});
