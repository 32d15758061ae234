// Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113) and LINKTYPE_LINUX_SLL2 (276),
// what `tcpdump -i any` writes.
import { u16, u32 } from './bytes.ts';
import { formatMac } from './addr.ts';
import { need } from './errors.ts';

export const SLL_HLEN = 16;
export const SLL2_HLEN = 20;

/** Packet types (sll_pkttype). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;

export interface SllHeader {
  /** 1 for SLL, 2 for SLL2. */
  version: 1 | 2;
  packetType: number;
  /** ARPHRD_ type of the device (1 = Ethernet, 772 = loopback). */
  arphrdType: number;
  /** Link-layer address length and the address (colon hex, `addressLength` bytes of the 8). */
  addressLength: number;
  address: string;
  /** The 8 address bytes as stored (for exact re-emission). */
  addressField: Uint8Array;
  /** Protocol type (EtherType, or a Linux protocol number). */
  protocol: number;
  /** SLL2 only: the interface index and the reserved word. */
  ifindex?: number;
  reserved?: number;
  headerLength: number;
  payload: Uint8Array;
}

export function parseSll(b: Uint8Array, o = 0, end = b.length): SllHeader {
  need('sll', 'header', o, SLL_HLEN, end);
  const addressLength = u16(b, o + 4);
  return {
    version: 1,
    packetType: u16(b, o),
    arphrdType: u16(b, o + 2),
    addressLength,
    address: formatMac(b, o + 6, Math.min(addressLength, 8)),
    addressField: b.slice(o + 6, o + 14),
    protocol: u16(b, o + 14),
    headerLength: SLL_HLEN,
    payload: b.subarray(o + SLL_HLEN, end),
  };
}

export function parseSll2(b: Uint8Array, o = 0, end = b.length): SllHeader {
  need('sll2', 'header', o, SLL2_HLEN, end);
  const addressLength = b[o + 11];
  return {
    version: 2,
    protocol: u16(b, o),
    reserved: u16(b, o + 2),
    ifindex: u32(b, o + 4),
    arphrdType: u16(b, o + 8),
    packetType: b[o + 10],
    addressLength,
    address: formatMac(b, o + 12, Math.min(addressLength, 8)),
    addressField: b.slice(o + 12, o + 20),
    headerLength: SLL2_HLEN,
    payload: b.subarray(o + SLL2_HLEN, end),
  };
}

export function emitSll(h: SllHeader): Uint8Array {
  const hlen = h.version === 1 ? SLL_HLEN : SLL2_HLEN;
  const buf = new Uint8Array(hlen + h.payload.length);
  const v = new DataView(buf.buffer);
  if (h.version === 1) {
    v.setUint16(0, h.packetType);
    v.setUint16(2, h.arphrdType);
    v.setUint16(4, h.addressLength);
    buf.set(h.addressField, 6);
    v.setUint16(14, h.protocol);
  } else {
    v.setUint16(0, h.protocol);
    v.setUint16(2, h.reserved ?? 0);
    v.setUint32(4, h.ifindex ?? 0);
    v.setUint16(8, h.arphrdType);
    buf[10] = h.packetType;
    buf[11] = h.addressLength;
    buf.set(h.addressField, 12);
  }
  buf.set(h.payload, hlen);
  return buf;
}
