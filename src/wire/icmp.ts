// ICMP (RFC 792, RFC 950, RFC 1191, RFC 1812 codes).
import { u16, u32, setU16, setU32 } from './bytes.ts';
import { formatIpv4Addr, parseIpv4Addr } from './addr.ts';
import { checksumOk, internetChecksum } from './checksum.ts';
import { DecodeError, need } from './errors.ts';
import { parseIpv4, type Ipv4Header } from './ipv4.ts';

export const ICMP_TYPE = 0;
export const ICMP_CODE = 1;
export const ICMP_CHECKSUM = 2;
export const ICMP_ID = 4;
export const ICMP_SEQ = 6;
export const ICMP_HLEN = 8;

export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_ROUTERADVERT = 9;
export const ICMP_ROUTERSOLICIT = 10;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;

// Destination unreachable codes (RFC 792, 1122, 1812).
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_NET_UNKNOWN = 6;
export const ICMP_HOST_UNKNOWN = 7;
export const ICMP_HOST_ISOLATED = 8;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_NET_UNR_TOS = 11;
export const ICMP_HOST_UNR_TOS = 12;
export const ICMP_PKT_FILTERED = 13;
export const ICMP_PREC_VIOLATION = 14;
export const ICMP_PREC_CUTOFF = 15;

/** Types whose body quotes the offending datagram. */
export function icmpIsError(type: number): boolean {
  return type === ICMP_DEST_UNREACH || type === ICMP_SOURCE_QUENCH || type === ICMP_REDIRECT ||
    type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETERPROB;
}
/** Types with an identifier and sequence number in the second word. */
export function icmpHasIdSeq(type: number): boolean {
  return type === ICMP_ECHO || type === ICMP_ECHOREPLY || (type >= ICMP_TIMESTAMP && type <= ICMP_ADDRESSREPLY);
}

// Hot-path accessors (`o` = offset of the ICMP header).
export function icmpType(b: Uint8Array, o: number): number {
  return b[o + ICMP_TYPE];
}
export function icmpCode(b: Uint8Array, o: number): number {
  return b[o + ICMP_CODE];
}
export function icmpChecksum(b: Uint8Array, o: number): number {
  return u16(b, o + ICMP_CHECKSUM);
}
export function icmpId(b: Uint8Array, o: number): number {
  return u16(b, o + ICMP_ID);
}
export function icmpSeq(b: Uint8Array, o: number): number {
  return u16(b, o + ICMP_SEQ);
}
export function setIcmpType(b: Uint8Array, o: number, v: number): void {
  b[o + ICMP_TYPE] = v;
}
export function setIcmpId(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + ICMP_ID, v);
}
export function setIcmpChecksum(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + ICMP_CHECKSUM, v);
}
/** Recomputes the checksum over `len` bytes of ICMP message. */
export function updateIcmpChecksum(b: Uint8Array, o: number, len: number): void {
  setU16(b, o + ICMP_CHECKSUM, 0);
  setU16(b, o + ICMP_CHECKSUM, internetChecksum(b, o, len));
}

export interface IcmpQuoted {
  /** The quoted IPv4 header (its payload is whatever was quoted after it; usually cut short). */
  ip: Ipv4Header;
  /** Up to the first 8 bytes after the quoted header (the transport header's start). */
  first8: Uint8Array;
}

export interface IcmpMessage {
  type: number;
  code: number;
  checksum: number;
  /** null when the message is cut short and the checksum cannot be checked. */
  checksumValid: boolean | null;
  /** The 32-bit word after the checksum, as on the wire. */
  rest: number;
  /** Echo, timestamp, information and address mask messages. */
  identifier?: number;
  sequence?: number;
  /** Destination unreachable code 4 (RFC 1191). */
  nextHopMtu?: number;
  /** Redirect. */
  gateway?: string;
  /** Parameter problem. */
  pointer?: number;
  /** Timestamp and timestamp reply (ms since midnight UT). */
  originate?: number;
  receive?: number;
  transmit?: number;
  /** Address mask request/reply. */
  addressMask?: string;
  /** Bytes after the 8-byte header. */
  data: Uint8Array;
  /** Error messages: the quoted datagram. */
  quoted?: IcmpQuoted;
}

export interface ParseIcmpOptions {
  /** The message is cut short (snapshot length or a quoting error): skip the checksum check. */
  truncated?: boolean;
}

export function parseIcmp(b: Uint8Array, o = 0, end = b.length, opts: ParseIcmpOptions = {}): IcmpMessage {
  need('icmp', 'header', o, ICMP_HLEN, end);
  const type = b[o];
  const rest = u32(b, o + 4);
  const msg: IcmpMessage = {
    type,
    code: b[o + 1],
    checksum: u16(b, o + ICMP_CHECKSUM),
    checksumValid: opts.truncated ? null : checksumOk(b, o, end - o),
    rest,
    data: b.subarray(o + ICMP_HLEN, end),
  };
  const d = o + ICMP_HLEN;
  if (icmpHasIdSeq(type)) {
    msg.identifier = rest >>> 16;
    msg.sequence = rest & 0xffff;
    if ((type === ICMP_TIMESTAMP || type === ICMP_TIMESTAMPREPLY)) {
      need('icmp', 'timestamps', d, 12, end);
      msg.originate = u32(b, d);
      msg.receive = u32(b, d + 4);
      msg.transmit = u32(b, d + 8);
    } else if (type === ICMP_ADDRESS || type === ICMP_ADDRESSREPLY) {
      need('icmp', 'address mask', d, 4, end);
      msg.addressMask = formatIpv4Addr(u32(b, d));
    }
  } else if (type === ICMP_DEST_UNREACH && msg.code === ICMP_FRAG_NEEDED) {
    msg.nextHopMtu = rest & 0xffff;
  } else if (type === ICMP_REDIRECT) {
    msg.gateway = formatIpv4Addr(rest);
  } else if (type === ICMP_PARAMETERPROB) {
    msg.pointer = rest >>> 24;
  }
  if (icmpIsError(type)) {
    if (end - d < 20) throw new DecodeError('icmp', 'quoted ip header', d, `truncated: need 20 bytes, have ${end - d}`);
    const ip = parseIpv4(b, d, end, { allowTruncated: true });
    const t = d + ip.ihl * 4;
    msg.quoted = { ip, first8: b.subarray(t, Math.min(t + 8, end)) };
  }
  return msg;
}

/** The input to emit: `rest` may be left out and is then built from the typed fields. */
export type IcmpMessageInput = Omit<IcmpMessage, 'checksumValid' | 'quoted' | 'rest' | 'checksum'> & {
  rest?: number;
  /** Left out: computed. */
  checksum?: number;
};

function restOf(m: IcmpMessageInput): number {
  if (m.rest !== undefined) return m.rest >>> 0;
  if (icmpHasIdSeq(m.type)) return (((m.identifier ?? 0) << 16) | (m.sequence ?? 0)) >>> 0;
  if (m.type === ICMP_DEST_UNREACH && m.code === ICMP_FRAG_NEEDED) return (m.nextHopMtu ?? 0) & 0xffff;
  if (m.type === ICMP_REDIRECT) return m.gateway ? parseIpv4Addr(m.gateway) : 0;
  if (m.type === ICMP_PARAMETERPROB) return ((m.pointer ?? 0) << 24) >>> 0;
  return 0;
}

export function emitIcmpInto(buf: Uint8Array, o: number, m: IcmpMessageInput): number {
  buf[o] = m.type;
  buf[o + 1] = m.code;
  setU32(buf, o + 4, restOf(m));
  buf.set(m.data, o + ICMP_HLEN);
  const len = ICMP_HLEN + m.data.length;
  if (m.checksum === undefined) updateIcmpChecksum(buf, o, len);
  else setU16(buf, o + ICMP_CHECKSUM, m.checksum);
  return len;
}

export function emitIcmp(m: IcmpMessageInput): Uint8Array {
  const buf = new Uint8Array(ICMP_HLEN + m.data.length);
  emitIcmpInto(buf, 0, m);
  return buf;
}
