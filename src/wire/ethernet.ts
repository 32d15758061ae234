// Ethernet II, with optional 802.1Q / 802.1ad tags.
import { u16, setU16 } from './bytes.ts';
import { formatMac, writeMac } from './addr.ts';
import { DecodeError, need } from './errors.ts';

export const ETH_ALEN = 6;
export const ETH_HLEN = 14;
export const ETH_DST = 0;
export const ETH_SRC = 6;
export const ETH_TYPE = 12;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Values up to this are an 802.3 length, not an EtherType. */
export const ETH_MAX_LENGTH_FIELD = 1500;

// Hot-path accessors: `o` is the offset of the Ethernet header in `b`.
export function ethType(b: Uint8Array, o: number): number {
  return u16(b, o + ETH_TYPE);
}
export function setEthType(b: Uint8Array, o: number, v: number): void {
  setU16(b, o + ETH_TYPE, v);
}
/** True if the destination MAC has the group bit (broadcast or multicast). */
export function ethDstIsGroup(b: Uint8Array, o: number): boolean {
  return (b[o + ETH_DST] & 1) === 1;
}
export function ethDstIsBroadcast(b: Uint8Array, o: number): boolean {
  return (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff;
}
/** Copies a 6-byte MAC from (src, so) to (dst, d) without allocating. */
export function copyMac(dst: Uint8Array, d: number, src: Uint8Array, so: number): void {
  dst[d] = src[so];
  dst[d + 1] = src[so + 1];
  dst[d + 2] = src[so + 2];
  dst[d + 3] = src[so + 3];
  dst[d + 4] = src[so + 4];
  dst[d + 5] = src[so + 5];
}
/** 48-bit MAC at `o` as a number (exact in a double), for table keys. */
export function macKey(b: Uint8Array, o: number): number {
  return (b[o] * 0x10000000000) + (((b[o + 1] << 24) | (b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]) >>> 0) * 0x100 + b[o + 5];
}

export interface VlanTag {
  /** 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  tpid: number;
  /** Priority code point, 0–7. */
  pcp: number;
  /** Drop eligible indicator (formerly CFI). */
  dei: number;
  /** VLAN identifier, 0–4095. */
  vid: number;
}

export interface EthernetHeader {
  dst: string;
  src: string;
  /** Tags in wire order (outermost first); empty for an untagged frame. */
  vlans: VlanTag[];
  /** The inner EtherType, or the 802.3 length when ≤ 1500. */
  etherType: number;
  /** Bytes of header: 14 plus 4 per tag. */
  headerLength: number;
  /** Everything after the header (upper layer and any padding). */
  payload: Uint8Array;
}

/** Decodes the Ethernet header at `o` (frame ends at `end`). Tags are peeled while the type is 0x8100/0x88a8. */
export function parseEthernet(b: Uint8Array, o = 0, end = b.length): EthernetHeader {
  need('ethernet', 'header', o, ETH_HLEN, end);
  const vlans: VlanTag[] = [];
  let p = o + ETH_TYPE;
  let type = u16(b, p);
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) {
    if (p + 6 > end) throw new DecodeError('ethernet', '802.1q tag', p + 2, 'truncated: need 4 bytes');
    const tci = u16(b, p + 2);
    vlans.push({ tpid: type, pcp: tci >>> 13, dei: (tci >>> 12) & 1, vid: tci & 0xfff });
    p += 4;
    type = u16(b, p);
  }
  return {
    dst: formatMac(b, o + ETH_DST),
    src: formatMac(b, o + ETH_SRC),
    vlans,
    etherType: type,
    headerLength: p + 2 - o,
    payload: b.subarray(p + 2, end),
  };
}

/** Header length `emitEthernet` writes for this record. */
export function ethernetLength(h: Pick<EthernetHeader, 'vlans' | 'payload'>): number {
  return ETH_HLEN + 4 * h.vlans.length + h.payload.length;
}

/** Writes header and payload at `o`; returns the bytes written. */
export function emitEthernetInto(buf: Uint8Array, o: number, h: Omit<EthernetHeader, 'headerLength'>): number {
  writeMac(buf, o + ETH_DST, h.dst);
  writeMac(buf, o + ETH_SRC, h.src);
  let p = o + ETH_TYPE;
  for (const t of h.vlans) {
    setU16(buf, p, t.tpid);
    setU16(buf, p + 2, (t.pcp << 13) | (t.dei << 12) | t.vid);
    p += 4;
  }
  setU16(buf, p, h.etherType);
  buf.set(h.payload, p + 2);
  return p + 2 + h.payload.length - o;
}

export function emitEthernet(h: Omit<EthernetHeader, 'headerLength'>): Uint8Array {
  const buf = new Uint8Array(ethernetLength(h));
  emitEthernetInto(buf, 0, h);
  return buf;
}
