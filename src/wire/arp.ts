// ARP (RFC 826). Any hardware/protocol address sizes decode; the hot accessors assume
// Ethernet/IPv4 (hlen 6, plen 4), the only kind the emulator sends.
import { u16, u32, setU16, setU32 } from './bytes.ts';
import { formatMac, formatIpv4At, parseHardwareAddress, parseIpv4Addr } from './addr.ts';
import { DecodeError, need } from './errors.ts';

export const ARP_HTYPE = 0;
export const ARP_PTYPE = 2;
export const ARP_HLEN = 4;
export const ARP_PLEN = 5;
export const ARP_OP = 6;
/** Ethernet/IPv4 field offsets. */
export const ARP_SHA = 8;
export const ARP_SPA = 14;
export const ARP_THA = 18;
export const ARP_TPA = 24;
/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_ETH_IPV4_LEN = 28;

export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARPOP_RREQUEST = 3;
export const ARPOP_RREPLY = 4;
export const ARPOP_INREQUEST = 8;
export const ARPOP_INREPLY = 9;
export const ARPOP_NAK = 10;

export function arpOp(b: Uint8Array, o: number): number {
  return u16(b, o + ARP_OP);
}
export function arpSpa(b: Uint8Array, o: number): number {
  return u32(b, o + ARP_SPA);
}
export function arpTpa(b: Uint8Array, o: number): number {
  return u32(b, o + ARP_TPA);
}
/** True when the header says Ethernet hardware (6) and IPv4 protocol (4) addresses. */
export function arpIsEthIpv4(b: Uint8Array, o: number): boolean {
  return u16(b, o + ARP_HTYPE) === ARPHRD_ETHER && u16(b, o + ARP_PTYPE) === 0x0800 && b[o + ARP_HLEN] === 6 && b[o + ARP_PLEN] === 4;
}
/** Writes a whole Ethernet/IPv4 ARP packet at `o`; MACs are copied from (macBuf, off). */
export function writeArpEthIpv4(
  b: Uint8Array, o: number, op: number,
  sha: Uint8Array, shaOff: number, spa: number,
  tha: Uint8Array, thaOff: number, tpa: number,
): void {
  setU16(b, o + ARP_HTYPE, ARPHRD_ETHER);
  setU16(b, o + ARP_PTYPE, 0x0800);
  b[o + ARP_HLEN] = 6;
  b[o + ARP_PLEN] = 4;
  setU16(b, o + ARP_OP, op);
  for (let i = 0; i < 6; i++) b[o + ARP_SHA + i] = sha[shaOff + i];
  setU32(b, o + ARP_SPA, spa);
  for (let i = 0; i < 6; i++) b[o + ARP_THA + i] = tha[thaOff + i];
  setU32(b, o + ARP_TPA, tpa);
}

export interface ArpPacket {
  htype: number;
  ptype: number;
  hlen: number;
  plen: number;
  op: number;
  /** Hardware addresses as colon hex (any length). */
  sha: string;
  tha: string;
  /** Protocol addresses: dotted decimal when plen is 4 and ptype IPv4, else colon hex. */
  spa: string;
  tpa: string;
  /** Bytes after the ARP packet (Ethernet padding). */
  trailer: Uint8Array;
}

function formatPa(b: Uint8Array, o: number, plen: number, ptype: number): string {
  return plen === 4 && ptype === 0x0800 ? formatIpv4At(b, o) : formatMac(b, o, plen);
}

export function parseArp(b: Uint8Array, o = 0, end = b.length): ArpPacket {
  need('arp', 'header', o, 8, end);
  const htype = u16(b, o + ARP_HTYPE);
  const ptype = u16(b, o + ARP_PTYPE);
  const hlen = b[o + ARP_HLEN];
  const plen = b[o + ARP_PLEN];
  const total = 8 + 2 * (hlen + plen);
  if (o + total > end) {
    throw new DecodeError('arp', 'addresses', o + 8, `hlen ${hlen} and plen ${plen} need ${total} bytes, have ${end - o}`);
  }
  let p = o + 8;
  const sha = formatMac(b, p, hlen); p += hlen;
  const spa = formatPa(b, p, plen, ptype); p += plen;
  const tha = formatMac(b, p, hlen); p += hlen;
  const tpa = formatPa(b, p, plen, ptype); p += plen;
  return { htype, ptype, hlen, plen, op: u16(b, o + ARP_OP), sha, spa, tha, tpa, trailer: b.subarray(p, end) };
}

function paBytes(text: string, plen: number, ptype: number): Uint8Array {
  if (plen === 4 && ptype === 0x0800) {
    const out = new Uint8Array(4);
    setU32(out, 0, parseIpv4Addr(text));
    return out;
  }
  return parseHardwareAddress(text);
}

export function arpLength(p: ArpPacket): number {
  return 8 + 2 * (p.hlen + p.plen) + p.trailer.length;
}

export function emitArpInto(buf: Uint8Array, o: number, p: ArpPacket): number {
  setU16(buf, o + ARP_HTYPE, p.htype);
  setU16(buf, o + ARP_PTYPE, p.ptype);
  buf[o + ARP_HLEN] = p.hlen;
  buf[o + ARP_PLEN] = p.plen;
  setU16(buf, o + ARP_OP, p.op);
  let q = o + 8;
  for (const [text, isHw] of [[p.sha, true], [p.spa, false], [p.tha, true], [p.tpa, false]] as const) {
    const bytes = isHw ? parseHardwareAddress(text) : paBytes(text, p.plen, p.ptype);
    const len = isHw ? p.hlen : p.plen;
    if (bytes.length !== len) throw new Error(`arp: address "${text}" is not ${len} bytes`);
    buf.set(bytes, q);
    q += len;
  }
  buf.set(p.trailer, q);
  return q + p.trailer.length - o;
}

export function emitArp(p: ArpPacket): Uint8Array {
  const buf = new Uint8Array(arpLength(p));
  emitArpInto(buf, 0, p);
  return buf;
}
