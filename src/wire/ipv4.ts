// IPv4 header (RFC 791). Options are decoded in ipv4-options.ts.
import { u16, u32, setU16, setU32 } from './bytes.ts';
import { formatIpv4At, parseIpv4Addr } from './addr.ts';
import { checksumOk, checksumReplace16, internetChecksum } from './checksum.ts';
import { DecodeError, need } from './errors.ts';
import { emitIpv4Options, parseIpv4Options, type Ipv4Option } from './ipv4-options.ts';

export const IPV4_VERSION_IHL = 0;
export const IPV4_TOS = 1;
export const IPV4_TOTAL_LENGTH = 2;
export const IPV4_ID = 4;
export const IPV4_FRAG = 6;
export const IPV4_TTL = 8;
export const IPV4_PROTOCOL = 9;
export const IPV4_CHECKSUM = 10;
export const IPV4_SRC = 12;
export const IPV4_DST = 16;
export const IPV4_MIN_HLEN = 20;

export const IP_RF = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

// Hot-path accessors (`o` = offset of the IPv4 header).
export function ipv4Version(b: Uint8Array, o: number): number {
  return b[o] >>> 4;
}
/** Header length in bytes (IHL × 4). */
export function ipv4HeaderLength(b: Uint8Array, o: number): number {
  return (b[o] & 0x0f) << 2;
}
export function ipv4Tos(b: Uint8Array, o: number): number {
  return b[o + IPV4_TOS];
}
export function ipv4TotalLength(b: Uint8Array, o: number): number {
  return u16(b, o + IPV4_TOTAL_LENGTH);
}
export function ipv4Id(b: Uint8Array, o: number): number {
  return u16(b, o + IPV4_ID);
}
/** The flags + fragment offset word. */
export function ipv4FragWord(b: Uint8Array, o: number): number {
  return u16(b, o + IPV4_FRAG);
}
export function ipv4Ttl(b: Uint8Array, o: number): number {
  return b[o + IPV4_TTL];
}
export function ipv4Protocol(b: Uint8Array, o: number): number {
  return b[o + IPV4_PROTOCOL];
}
export function ipv4Checksum(b: Uint8Array, o: number): number {
  return u16(b, o + IPV4_CHECKSUM);
}
export function ipv4Src(b: Uint8Array, o: number): number {
  return u32(b, o + IPV4_SRC);
}
export function ipv4Dst(b: Uint8Array, o: number): number {
  return u32(b, o + IPV4_DST);
}
export function setIpv4Src(b: Uint8Array, o: number, v: number): void {
  setU32(b, o + IPV4_SRC, v);
}
export function setIpv4Dst(b: Uint8Array, o: number, v: number): void {
  setU32(b, o + IPV4_DST, v);
}
export function setIpv4TotalLength(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + IPV4_TOTAL_LENGTH, v);
}
export function setIpv4Id(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + IPV4_ID, v);
}
export function setIpv4FragWord(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + IPV4_FRAG, v);
}
export function setIpv4Ttl(b: Uint8Array, o: number, v: number): void {
  b[o + IPV4_TTL] = v;
}
export function setIpv4Checksum(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + IPV4_CHECKSUM, v);
}
/** True when the header checksum is right. */
export function ipv4ChecksumOk(b: Uint8Array, o: number): boolean {
  const hlen = ipv4HeaderLength(b, o);
  if (hlen !== IPV4_MIN_HLEN) return checksumOk(b, o, hlen);
  // The common 20-byte header, unrolled: this runs for every received packet. The high and
  // low bytes of the words are summed apart (one shift, not ten); the offset masked to 30 bits
  // (a buffer is smaller) lets the indexes be added without overflow checks.
  const p = o & 0x3fffffff;
  const hi = b[p] + b[p + 2] + b[p + 4] + b[p + 6] + b[p + 8] + b[p + 10] + b[p + 12] + b[p + 14] + b[p + 16] + b[p + 18];
  const lo = b[p + 1] + b[p + 3] + b[p + 5] + b[p + 7] + b[p + 9] + b[p + 11] + b[p + 13] + b[p + 15] + b[p + 17] + b[p + 19];
  let s = (hi << 8) + lo;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}
/** Recomputes and stores the header checksum. */
export function updateIpv4Checksum(b: Uint8Array, o: number): void {
  setU16(b, o + IPV4_CHECKSUM, 0);
  setU16(b, o + IPV4_CHECKSUM, internetChecksum(b, o, ipv4HeaderLength(b, o)));
}
/** TTL − 1 with the RFC 1624 incremental checksum update, as a router does. */
export function decIpv4Ttl(b: Uint8Array, o: number): void {
  const ttl = b[o + 8];
  if (ttl === 0) {
    // (Wraps to 255: not the word minus 0x100. Routers never get here.)
    const oldWord = u16(b, o + IPV4_TTL);
    b[o + IPV4_TTL] = 255;
    setU16(b, o + IPV4_CHECKSUM, checksumReplace16(u16(b, o + IPV4_CHECKSUM), oldWord, u16(b, o + IPV4_TTL)));
    return;
  }
  // The TTL is the high byte of its word, so the word drops by 0x100 and the checksum rises by
  // 0x100 with end-around carry: what checksumReplace16 works out, as ip_decrease_ttl does it.
  b[o + 8] = ttl - 1;
  let c = ((b[o + 10] << 8) | b[o + 11]) + 0x100;
  if (c >= 0xffff) c -= 0xffff;
  b[o + 10] = c >>> 8;
  b[o + 11] = c & 0xff;
}

export interface Ipv4Header {
  version: number;
  /** Header length in 32-bit words. */
  ihl: number;
  tos: number;
  totalLength: number;
  id: number;
  /** Reserved ("evil") bit. */
  rf: boolean;
  df: boolean;
  mf: boolean;
  /** Fragment offset in 8-byte units. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  /** Whether `checksum` is right for the header as read. */
  checksumValid: boolean;
  src: string;
  dst: string;
  options: Ipv4Option[];
  /** Bytes from the end of the header to `totalLength` (fewer when truncated, see below). */
  payload: Uint8Array;
  /** True when the bytes end before `totalLength` (only allowed with `allowTruncated`). */
  truncated: boolean;
}

export interface ParseIpv4Options {
  /**
   * Accept a datagram whose bytes end before its total length: the header must still be whole.
   * ICMP errors quote such cut-off datagrams, and captures may be cut by a snapshot length.
   */
  allowTruncated?: boolean;
}

export function parseIpv4(b: Uint8Array, o = 0, end = b.length, opts: ParseIpv4Options = {}): Ipv4Header {
  need('ipv4', 'header', o, IPV4_MIN_HLEN, end);
  const version = b[o] >>> 4;
  if (version !== 4) throw new DecodeError('ipv4', 'version', o, `version ${version}, expected 4`);
  const ihl = b[o] & 0x0f;
  if (ihl < 5) throw new DecodeError('ipv4', 'ihl', o, `header length ${ihl * 4} < 20`);
  const hlen = ihl * 4;
  if (o + hlen > end) throw new DecodeError('ipv4', 'ihl', o, `header length ${hlen} beyond the ${end - o} bytes available`);
  const totalLength = u16(b, o + IPV4_TOTAL_LENGTH);
  if (totalLength < hlen) {
    throw new DecodeError('ipv4', 'total length', o + IPV4_TOTAL_LENGTH, `total length ${totalLength} < header length ${hlen}`);
  }
  let truncated = false;
  let stop = o + totalLength;
  if (stop > end) {
    if (!opts.allowTruncated) {
      throw new DecodeError('ipv4', 'total length', o + IPV4_TOTAL_LENGTH, `total length ${totalLength} beyond the ${end - o} bytes available`);
    }
    truncated = true;
    stop = end;
  }
  const frag = u16(b, o + IPV4_FRAG);
  return {
    version,
    ihl,
    tos: b[o + IPV4_TOS],
    totalLength,
    id: u16(b, o + IPV4_ID),
    rf: (frag & IP_RF) !== 0,
    df: (frag & IP_DF) !== 0,
    mf: (frag & IP_MF) !== 0,
    fragmentOffset: frag & IP_OFFMASK,
    ttl: b[o + IPV4_TTL],
    protocol: b[o + IPV4_PROTOCOL],
    checksum: u16(b, o + IPV4_CHECKSUM),
    checksumValid: checksumOk(b, o, hlen),
    src: formatIpv4At(b, o + IPV4_SRC),
    dst: formatIpv4At(b, o + IPV4_DST),
    options: parseIpv4Options(b, o + IPV4_MIN_HLEN, o + hlen),
    payload: b.subarray(o + hlen, stop),
    truncated,
  };
}

export type Ipv4HeaderInput = Omit<Ipv4Header, 'checksumValid' | 'truncated' | 'checksum'> & {
  /** Left out: computed. */
  checksum?: number;
};

/** Bytes `emitIpv4` writes: the header (ihl × 4) and the payload. */
export function ipv4Length(h: Pick<Ipv4Header, 'ihl' | 'payload'>): number {
  return h.ihl * 4 + h.payload.length;
}

/**
 * Writes the header and payload as recorded (checksum, lengths and options as given, so a parsed
 * record round-trips exactly); a left-out checksum is computed.
 */
export function emitIpv4Into(buf: Uint8Array, o: number, h: Ipv4HeaderInput): number {
  const hlen = h.ihl * 4;
  buf[o] = (h.version << 4) | (h.ihl & 0x0f);
  buf[o + IPV4_TOS] = h.tos;
  setU16(buf, o + IPV4_TOTAL_LENGTH, h.totalLength);
  setU16(buf, o + IPV4_ID, h.id);
  setU16(buf, o + IPV4_FRAG, (h.rf ? IP_RF : 0) | (h.df ? IP_DF : 0) | (h.mf ? IP_MF : 0) | (h.fragmentOffset & IP_OFFMASK));
  buf[o + IPV4_TTL] = h.ttl;
  buf[o + IPV4_PROTOCOL] = h.protocol;
  setU16(buf, o + IPV4_CHECKSUM, 0);
  setU32(buf, o + IPV4_SRC, parseIpv4Addr(h.src));
  setU32(buf, o + IPV4_DST, parseIpv4Addr(h.dst));
  const optEnd = emitIpv4Options(buf, o + IPV4_MIN_HLEN, h.options);
  buf.fill(0, optEnd, o + hlen);
  buf.set(h.payload, o + hlen);
  if (h.checksum === undefined) updateIpv4Checksum(buf, o);
  else setU16(buf, o + IPV4_CHECKSUM, h.checksum);
  return hlen + h.payload.length;
}

export function emitIpv4(h: Ipv4HeaderInput): Uint8Array {
  const buf = new Uint8Array(ipv4Length(h));
  emitIpv4Into(buf, 0, h);
  return buf;
}
