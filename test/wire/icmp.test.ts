import { describe, expect, it } from 'vitest';
import {
  DecodeError, checksumOk, emitIcmp, emitIpv4, fromHex, hex, icmpIsError, parseIcmp, type IcmpMessageInput,
} from '../../src/wire/index.ts';

// The datagram an error quotes: a UDP datagram 10.1.1.1:40000 → 10.2.2.2:9999 with 4 bytes of data.
const QUOTED = emitIpv4({
  version: 4, ihl: 5, tos: 0, totalLength: 32, id: 0xbeef, rf: false, df: true, mf: false, fragmentOffset: 0,
  ttl: 64, protocol: 17, src: '10.1.1.1', dst: '10.2.2.2', options: [],
  payload: fromHex('9c40 270f 000c 0000 74657374'),
});

function roundTrip(input: IcmpMessageInput): ReturnType<typeof parseIcmp> {
  const bytes = emitIcmp(input);
  expect(checksumOk(bytes, 0, bytes.length)).toBe(true);
  const m = parseIcmp(bytes);
  expect(m.checksumValid).toBe(true);
  expect(emitIcmp(m)).toEqual(bytes);
  return m;
}

describe('icmp', () => {
  it('builds an echo request byte for byte', () => {
    const b = emitIcmp({ type: 8, code: 0, identifier: 0x1234, sequence: 1, data: fromHex('0001020304050607') });
    // checksum = ~(0800+1234+0001+0001+0203+0405+0607) = ~2645 = d9ba
    expect(hex(b)).toBe('0800d9ba123400010001020304050607');
  });

  for (const type of [0, 8, 15, 16]) {
    it(`round-trips type ${type} with identifier and sequence`, () => {
      const m = roundTrip({ type, code: 0, identifier: 0xabcd, sequence: 7, data: fromHex('61626364') });
      expect(m).toMatchObject({ type, identifier: 0xabcd, sequence: 7, rest: 0xabcd0007 });
    });
  }

  it('decodes timestamp request and reply', () => {
    const m = roundTrip({ type: 14, code: 0, identifier: 1, sequence: 2, data: fromHex('00000064 000000c8 0000012c') });
    expect(m).toMatchObject({ originate: 100, receive: 200, transmit: 300 });
    expect(() => parseIcmp(emitIcmp({ type: 13, code: 0, identifier: 1, sequence: 2, data: fromHex('0000') }))).toThrow(
      new DecodeError('icmp', 'timestamps', 8, 'truncated: need 12 bytes, have 2'),
    );
  });

  it('decodes address mask request and reply', () => {
    expect(roundTrip({ type: 18, code: 0, identifier: 1, sequence: 1, data: fromHex('ffffff00') }).addressMask).toBe('255.255.255.0');
  });

  for (let code = 0; code <= 15; code++) {
    it(`decodes destination unreachable code ${code} and its quoted datagram`, () => {
      const m = roundTrip({ type: 3, code, nextHopMtu: code === 4 ? 1000 : undefined, data: QUOTED });
      expect(m.quoted?.ip).toMatchObject({ src: '10.1.1.1', dst: '10.2.2.2', protocol: 17, id: 0xbeef, totalLength: 32 });
      expect(m.quoted?.first8).toEqual(fromHex('9c40 270f 000c 0000'));
      expect(m.nextHopMtu).toBe(code === 4 ? 1000 : undefined);
      expect(m.rest).toBe(code === 4 ? 1000 : 0);
    });
  }

  it('decodes redirect, time exceeded, parameter problem and source quench', () => {
    expect(roundTrip({ type: 5, code: 1, gateway: '10.1.1.254', data: QUOTED }).gateway).toBe('10.1.1.254');
    expect(roundTrip({ type: 11, code: 1, data: QUOTED }).quoted?.ip.ttl).toBe(64);
    expect(roundTrip({ type: 12, code: 0, pointer: 9, data: QUOTED })).toMatchObject({ pointer: 9, rest: 0x09000000 });
    expect(roundTrip({ type: 4, code: 0, data: QUOTED }).quoted?.ip.protocol).toBe(17);
    expect([3, 4, 5, 11, 12].every(icmpIsError)).toBe(true);
    expect([0, 8, 13, 14, 15, 16, 17, 18].some(icmpIsError)).toBe(false);
  });

  it('accepts a quoted datagram cut short after its header (the 576-byte rule)', () => {
    const big = QUOTED.slice(0, 28);
    big[2] = 0x04; big[3] = 0x04; // quoted total length 1028
    const m = roundTrip({ type: 11, code: 0, data: big });
    expect(m.quoted?.ip.truncated).toBe(true);
    expect(m.quoted?.ip.totalLength).toBe(1028);
  });

  it('keeps unused bits of the second word as they were', () => {
    const m = roundTrip({ type: 3, code: 1, rest: 0xdeadbeef, data: QUOTED });
    expect(m.rest).toBe(0xdeadbeef);
  });

  it('flags a bad checksum', () => {
    const b = emitIcmp({ type: 8, code: 0, identifier: 1, sequence: 1, data: fromHex('00') });
    b[2] ^= 1;
    expect(parseIcmp(b).checksumValid).toBe(false);
    expect(parseIcmp(b, 0, b.length, { truncated: true }).checksumValid).toBeNull();
  });

  it('rejects a truncated header and an error quoting a truncated header', () => {
    expect(() => parseIcmp(fromHex('0800f7ff0000'))).toThrow(new DecodeError('icmp', 'header', 0, 'truncated: need 8 bytes, have 6'));
    const cut = emitIcmp({ type: 3, code: 3, data: QUOTED.slice(0, 12) });
    expect(() => parseIcmp(cut)).toThrow(new DecodeError('icmp', 'quoted ip header', 8, 'truncated: need 20 bytes, have 12'));
    const badInner = QUOTED.slice();
    badInner[0] = 0x43;
    expect(() => parseIcmp(emitIcmp({ type: 3, code: 3, data: badInner }))).toThrow(new DecodeError('ipv4', 'ihl', 8, 'header length 12 < 20'));
  });
});
