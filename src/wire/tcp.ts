// TCP header (RFC 9293): ports, flags and options kept raw; checksum over the IPv4 pseudo-header.
import { u16, u32, setU16, setU32 } from './bytes.ts';
import { fold, internetChecksum, onesSum, pseudoHeaderSum } from './checksum.ts';
import { DecodeError, need } from './errors.ts';
import { IPPROTO_TCP } from './ipv4.ts';
import type { PseudoHeader } from './udp.ts';

export const TCP_SPORT = 0;
export const TCP_DPORT = 2;
export const TCP_SEQ = 4;
export const TCP_ACK = 8;
export const TCP_OFFSET_FLAGS = 12;
export const TCP_WINDOW = 14;
export const TCP_CHECKSUM = 16;
export const TCP_URGENT = 18;
export const TCP_MIN_HLEN = 20;

export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK_FLAG = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
/** The AE bit (formerly NS, RFC 3540). */
export const TCP_AE = 0x100;

export function tcpSrcPort(b: Uint8Array, o: number): number {
  return u16(b, o + TCP_SPORT);
}
export function tcpDstPort(b: Uint8Array, o: number): number {
  return u16(b, o + TCP_DPORT);
}
/** Flags (9 bits, AE included). */
export function tcpFlags(b: Uint8Array, o: number): number {
  return u16(b, o + TCP_OFFSET_FLAGS) & 0x1ff;
}
export function tcpHeaderLength(b: Uint8Array, o: number): number {
  return (b[o + TCP_OFFSET_FLAGS] >>> 4) << 2;
}
export function tcpChecksum(b: Uint8Array, o: number): number {
  return u16(b, o + TCP_CHECKSUM);
}
export function setTcpSrcPort(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + TCP_SPORT, v);
}
export function setTcpDstPort(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + TCP_DPORT, v);
}
export function setTcpChecksum(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + TCP_CHECKSUM, v);
}
/** The checksum field for a segment of `len` bytes at `o`. */
export function computeTcpChecksum(b: Uint8Array, o: number, len: number, src: number, dst: number): number {
  const saved = u16(b, o + TCP_CHECKSUM);
  setU16(b, o + TCP_CHECKSUM, 0);
  const c = internetChecksum(b, o, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len));
  setU16(b, o + TCP_CHECKSUM, saved);
  return c;
}

export interface TcpOption {
  kind: number;
  /** Bytes of the option, kind and length included. */
  raw: Uint8Array;
  mss?: number;
  windowScale?: number;
  timestamp?: { value: number; echo: number };
  /** SACK blocks as [left, right] pairs. */
  sack?: Array<[number, number]>;
  malformed?: string;
}

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Header length in 32-bit words. */
  dataOffset: number;
  /** The three reserved bits between the data offset and the AE bit. */
  reserved: number;
  flags: number;
  window: number;
  checksum: number;
  checksumValid: boolean | null;
  urgentPointer: number;
  /** Option bytes, raw (decode with parseTcpOptions). */
  options: Uint8Array;
  payload: Uint8Array;
}

export interface ParseTcpOptions {
  pseudo?: PseudoHeader;
  /** The segment is cut short: skip the checksum check. */
  truncated?: boolean;
}

export function parseTcp(b: Uint8Array, o = 0, end = b.length, opts: ParseTcpOptions = {}): TcpSegment {
  need('tcp', 'header', o, TCP_MIN_HLEN, end);
  const dataOffset = b[o + TCP_OFFSET_FLAGS] >>> 4;
  if (dataOffset < 5) throw new DecodeError('tcp', 'data offset', o + TCP_OFFSET_FLAGS, `header length ${dataOffset * 4} < 20`);
  const hlen = dataOffset * 4;
  if (o + hlen > end) throw new DecodeError('tcp', 'data offset', o + TCP_OFFSET_FLAGS, `header length ${hlen} beyond the ${end - o} bytes available`);
  const len = end - o;
  const checksum = u16(b, o + TCP_CHECKSUM);
  const checksumValid = opts.pseudo && !opts.truncated
    ? fold(onesSum(b, o, len, pseudoHeaderSum(opts.pseudo.src, opts.pseudo.dst, IPPROTO_TCP, len))) === 0xffff
    : null;
  return {
    srcPort: u16(b, o + TCP_SPORT),
    dstPort: u16(b, o + TCP_DPORT),
    seq: u32(b, o + TCP_SEQ),
    ack: u32(b, o + TCP_ACK),
    dataOffset,
    reserved: (b[o + TCP_OFFSET_FLAGS] >>> 1) & 0x7,
    flags: u16(b, o + TCP_OFFSET_FLAGS) & 0x1ff,
    window: u16(b, o + TCP_WINDOW),
    checksum,
    checksumValid,
    urgentPointer: u16(b, o + TCP_URGENT),
    options: b.subarray(o + TCP_MIN_HLEN, o + hlen),
    payload: b.subarray(o + hlen, end),
  };
}

/** Decodes the option bytes of a segment (MSS, window scale, SACK, timestamps; others raw). */
export function parseTcpOptions(opts: Uint8Array): TcpOption[] {
  const out: TcpOption[] = [];
  let p = 0;
  while (p < opts.length) {
    const kind = opts[p];
    if (kind === 0 || kind === 1) {
      out.push({ kind, raw: opts.slice(p, p + 1) });
      p++;
      continue;
    }
    const len = p + 1 < opts.length ? opts[p + 1] : 0;
    if (len < 2 || p + len > opts.length) {
      out.push({ kind, raw: opts.slice(p), malformed: `bad length ${len}` });
      break;
    }
    const o: TcpOption = { kind, raw: opts.slice(p, p + len) };
    if (kind === 2 && len === 4) o.mss = u16(opts, p + 2);
    else if (kind === 3 && len === 3) o.windowScale = opts[p + 2];
    else if (kind === 8 && len === 10) o.timestamp = { value: u32(opts, p + 2), echo: u32(opts, p + 6) };
    else if (kind === 5 && (len - 2) % 8 === 0) {
      o.sack = [];
      for (let q = p + 2; q < p + len; q += 8) o.sack.push([u32(opts, q), u32(opts, q + 4)]);
    }
    out.push(o);
    p += len;
  }
  return out;
}

export type TcpSegmentInput = Omit<TcpSegment, 'checksumValid' | 'checksum' | 'dataOffset' | 'reserved'> & {
  /** Left out: 5 + options / 4. */
  dataOffset?: number;
  reserved?: number;
  /** Left out: computed from `pseudo` (or 0 without one). */
  checksum?: number;
  pseudo?: PseudoHeader;
};

export function emitTcpInto(buf: Uint8Array, o: number, s: TcpSegmentInput): number {
  const dataOffset = s.dataOffset ?? 5 + Math.ceil(s.options.length / 4);
  const hlen = dataOffset * 4;
  setU16(buf, o + TCP_SPORT, s.srcPort);
  setU16(buf, o + TCP_DPORT, s.dstPort);
  setU32(buf, o + TCP_SEQ, s.seq);
  setU32(buf, o + TCP_ACK, s.ack);
  setU16(buf, o + TCP_OFFSET_FLAGS, (dataOffset << 12) | ((s.reserved ?? 0) << 9) | (s.flags & 0x1ff));
  setU16(buf, o + TCP_WINDOW, s.window);
  setU16(buf, o + TCP_CHECKSUM, 0);
  setU16(buf, o + TCP_URGENT, s.urgentPointer);
  buf.fill(0, o + TCP_MIN_HLEN, o + hlen);
  buf.set(s.options, o + TCP_MIN_HLEN);
  buf.set(s.payload, o + hlen);
  const len = hlen + s.payload.length;
  let checksum = s.checksum;
  if (checksum === undefined) checksum = s.pseudo ? computeTcpChecksum(buf, o, len, s.pseudo.src, s.pseudo.dst) : 0;
  setU16(buf, o + TCP_CHECKSUM, checksum);
  return len;
}

export function emitTcp(s: TcpSegmentInput): Uint8Array {
  const dataOffset = s.dataOffset ?? 5 + Math.ceil(s.options.length / 4);
  const buf = new Uint8Array(dataOffset * 4 + s.payload.length);
  emitTcpInto(buf, 0, s);
  return buf;
}
