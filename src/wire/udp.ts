// UDP header (RFC 768), checksum over the IPv4 pseudo-header.
import { u16, setU16 } from './bytes.ts';
import { fold, internetChecksum, onesSum, pseudoHeaderSum } from './checksum.ts';
import { DecodeError, need } from './errors.ts';
import { IPPROTO_UDP } from './ipv4.ts';

export const UDP_SPORT = 0;
export const UDP_DPORT = 2;
export const UDP_LENGTH = 4;
export const UDP_CHECKSUM = 6;
export const UDP_HLEN = 8;

export function udpSrcPort(b: Uint8Array, o: number): number {
  return u16(b, o + UDP_SPORT);
}
export function udpDstPort(b: Uint8Array, o: number): number {
  return u16(b, o + UDP_DPORT);
}
export function udpLength(b: Uint8Array, o: number): number {
  return u16(b, o + UDP_LENGTH);
}
export function udpChecksum(b: Uint8Array, o: number): number {
  return u16(b, o + UDP_CHECKSUM);
}
export function setUdpSrcPort(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + UDP_SPORT, v);
}
export function setUdpDstPort(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + UDP_DPORT, v);
}
export function setUdpChecksum(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + UDP_CHECKSUM, v);
}

/** The checksum field for a datagram of `len` bytes at `o` (0 is sent as 0xffff, RFC 768). */
export function computeUdpChecksum(b: Uint8Array, o: number, len: number, src: number, dst: number): number {
  const saved = u16(b, o + UDP_CHECKSUM);
  setU16(b, o + UDP_CHECKSUM, 0);
  const c = internetChecksum(b, o, len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len));
  setU16(b, o + UDP_CHECKSUM, saved);
  return c === 0 ? 0xffff : c;
}

export interface PseudoHeader {
  /** IPv4 source and destination as uint32. */
  src: number;
  dst: number;
}

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  /** null when it cannot be checked: no pseudo-header given, checksum 0 (none), or cut short. */
  checksumValid: boolean | null;
  /** Bytes 8 … length (fewer when cut short). */
  payload: Uint8Array;
  /** Bytes after `length` that the enclosing packet still carried. */
  trailer: Uint8Array;
  truncated: boolean;
}

export interface ParseUdpOptions {
  pseudo?: PseudoHeader;
  /** Accept a datagram whose bytes end before its length field says (a cut-off capture). */
  allowTruncated?: boolean;
}

export function parseUdp(b: Uint8Array, o = 0, end = b.length, opts: ParseUdpOptions = {}): UdpDatagram {
  need('udp', 'header', o, UDP_HLEN, end);
  const length = u16(b, o + UDP_LENGTH);
  if (length < UDP_HLEN) throw new DecodeError('udp', 'length', o + UDP_LENGTH, `length ${length} < 8`);
  let stop = o + length;
  let truncated = false;
  if (stop > end) {
    if (!opts.allowTruncated) throw new DecodeError('udp', 'length', o + UDP_LENGTH, `length ${length} beyond the ${end - o} bytes available`);
    truncated = true;
    stop = end;
  }
  const checksum = u16(b, o + UDP_CHECKSUM);
  let checksumValid: boolean | null = null;
  if (opts.pseudo && checksum !== 0 && !truncated) {
    const sum = onesSum(b, o, length, pseudoHeaderSum(opts.pseudo.src, opts.pseudo.dst, IPPROTO_UDP, length));
    checksumValid = fold(sum) === 0xffff;
  }
  return {
    srcPort: u16(b, o + UDP_SPORT),
    dstPort: u16(b, o + UDP_DPORT),
    length,
    checksum,
    checksumValid,
    payload: b.subarray(o + UDP_HLEN, stop),
    trailer: b.subarray(stop, end),
    truncated,
  };
}

export type UdpDatagramInput = Pick<UdpDatagram, 'srcPort' | 'dstPort' | 'payload'> & {
  /** Left out: 8 + payload length. */
  length?: number;
  /** Left out: computed from `pseudo` (or 0 without one). */
  checksum?: number;
  trailer?: Uint8Array;
  pseudo?: PseudoHeader;
};

export function emitUdpInto(buf: Uint8Array, o: number, d: UdpDatagramInput): number {
  const length = d.length ?? UDP_HLEN + d.payload.length;
  setU16(buf, o + UDP_SPORT, d.srcPort);
  setU16(buf, o + UDP_DPORT, d.dstPort);
  setU16(buf, o + UDP_LENGTH, length);
  setU16(buf, o + UDP_CHECKSUM, 0);
  buf.set(d.payload, o + UDP_HLEN);
  const body = UDP_HLEN + d.payload.length;
  const trailer = d.trailer ?? new Uint8Array(0);
  buf.set(trailer, o + body);
  let checksum = d.checksum;
  if (checksum === undefined) checksum = d.pseudo ? computeUdpChecksum(buf, o, body, d.pseudo.src, d.pseudo.dst) : 0;
  setU16(buf, o + UDP_CHECKSUM, checksum);
  return body + trailer.length;
}

export function emitUdp(d: UdpDatagramInput): Uint8Array {
  const buf = new Uint8Array(UDP_HLEN + d.payload.length + (d.trailer?.length ?? 0));
  emitUdpInto(buf, 0, d);
  return buf;
}
