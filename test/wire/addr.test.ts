import { describe, expect, it } from 'vitest';
import {
  AddressError, formatCidr, formatIpv4Addr, formatMac, parseCidr, parseHardwareAddress, parseIpv4Addr, parseMac, prefixMask,
} from '../../src/wire/index.ts';

describe('addresses', () => {
  it('parses and formats MACs', () => {
    expect(parseMac('02:00:00:00:0a:01')).toEqual(Uint8Array.from([2, 0, 0, 0, 10, 1]));
    expect(parseMac('2:0:0:0:a:1')).toEqual(Uint8Array.from([2, 0, 0, 0, 10, 1]));
    expect(formatMac(Uint8Array.from([0xff, 0xee, 0, 1, 2, 3]))).toBe('ff:ee:00:01:02:03');
    expect(() => parseMac('02:00:00:00:0a')).toThrow(AddressError);
    expect(() => parseMac('02:00:00:00:0a:1g')).toThrow('invalid MAC address "02:00:00:00:0a:1g"');
    expect(parseHardwareAddress('01:02:03')).toEqual(Uint8Array.from([1, 2, 3]));
  });

  it('parses and formats IPv4 addresses as uint32', () => {
    expect(parseIpv4Addr('10.1.1.1')).toBe(0x0a010101);
    expect(parseIpv4Addr('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4Addr(0xc0a80001)).toBe('192.168.0.1');
    for (const bad of ['10.1.1', '10.1.1.256', '10.1.1.1.1', 'a.b.c.d', '', '1..1.1']) {
      expect(() => parseIpv4Addr(bad)).toThrow(AddressError);
    }
  });

  it('parses prefixes', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ addr: 0x0a000000, len: 8 });
    expect(parseCidr('10.1.1.1')).toEqual({ addr: 0x0a010101, len: 32 });
    expect(formatCidr({ addr: 0xac110001, len: 16 })).toBe('172.17.0.1/16');
    expect(() => parseCidr('10.0.0.0/33')).toThrow(AddressError);
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
  });
});
