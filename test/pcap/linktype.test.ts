import { describe, expect, it } from 'vitest';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NAMES,
  TCPDUMP_SLL2_WARNING,
  effectiveSnaplen,
  encodePcap,
  encodePcapng,
  formatLinkType,
  maxSnaplenForLinkType,
  parseCapture,
  tcpdumpReadingLine,
} from '../../src/pcap/index.ts';
import { concat, shb } from './build.ts';

describe('link types', () => {
  it('has the LINKTYPE numbers of the pcap registry', () => {
    expect([LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]).toEqual([1, 113, 276]);
  });
  it('prints libpcap names and descriptions, or the bare number', () => {
    expect(formatLinkType(1)).toBe('EN10MB (Ethernet)');
    expect(formatLinkType(113)).toBe('LINUX_SLL (Linux cooked v1)');
    expect(formatLinkType(276)).toBe('LINUX_SLL2 (Linux cooked v2)');
    expect(formatLinkType(101)).toBe('RAW (Raw IPv4/IPv6)');
    expect(formatLinkType(147)).toBe('147');
    expect(LINKTYPE_NAMES.get(0)).toEqual({ name: 'NULL', description: 'BSD loopback' });
  });
  it('knows libpcap snapshot limits', () => {
    expect(maxSnaplenForLinkType(1)).toBe(262144);
    expect(maxSnaplenForLinkType(249)).toBe(1048576);
    expect(effectiveSnaplen(1, 0)).toBe(262144);
    expect(effectiveSnaplen(1, 0x80000000)).toBe(262144);
    expect(effectiveSnaplen(1, 0x7fffffff)).toBe(0x7fffffff);
    expect(effectiveSnaplen(1, 96)).toBe(96);
  });
});

describe("tcpdump's reading line", () => {
  it('for pcap headers', () => {
    const h = (o: Parameters<typeof encodePcap>[1]) => parseCapture(encodePcap([], o)).header!;
    expect(tcpdumpReadingLine('capture.pcap', h({}))).toBe('reading from file capture.pcap, link-type EN10MB (Ethernet), snapshot length 262144');
    expect(tcpdumpReadingLine('x', h({ linkType: 113, snaplen: 65535 }))).toBe('reading from file x, link-type LINUX_SLL (Linux cooked v1), snapshot length 65535');
    expect(tcpdumpReadingLine('x', h({ linkType: 276, snaplen: 0 }))).toBe('reading from file x, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144');
    expect(tcpdumpReadingLine('x', h({ linkType: 147, snaplen: 1500 }))).toBe('reading from file x, link-type 147, snapshot length 1500');
    expect(TCPDUMP_SLL2_WARNING).toBe('Warning: interface names might be incorrect');
  });
  it('for pcapng, from the first interface', () => {
    const bytes = encodePcapng([], { interfaces: [{ linkType: 276, snaplen: 9000 }, { linkType: 1 }] });
    expect(tcpdumpReadingLine('c.pcapng', parseCapture(bytes).header!)).toBe(
      'reading from file c.pcapng, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 9000',
    );
    const none = parseCapture(concat(shb(true))).header!;
    expect(none).toMatchObject({ linkType: null, snaplen: null });
    expect(() => tcpdumpReadingLine('n.pcapng', none)).toThrow('n.pcapng: the capture file has no Interface Description Blocks');
  });
});
