// NAT's packet manipulation (nf_nat_proto.c): a connection's mapping applied to one packet, in
// place: addresses, ports and ICMP identifiers rewritten with incremental checksum updates, and
// an ICMP error about a NATed connection translated inside (the quoted packet) and out.
import { checksumReplace16, checksumReplace32, internetChecksum } from '../../wire/checksum.ts';
import {
  CT_STATUS, CT_WORDS, ctKeyOffset, IP_CT_IS_REPLY, IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_NAT_MASK, IPS_SRC_NAT, IPS_SRC_NAT_DONE, type Conn, type CtTable,
} from './conntrack.ts';

export const NF_NAT_MANIP_SRC = 0;
export const NF_NAT_MANIP_DST = 1;

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;


function rd16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}
function rd32(b: Uint8Array, o: number): number {
  // int32: a value crossing a call stays a small integer or a register, never a heap number.
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** ICMP query types whose identifier NAT maps (icmp_manip_pkt). */
function icmpIsQuery(type: number): boolean {
  return type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18;
}

/**
 * nf_nat_ipv4_manip_pkt: rewrites the IPv4 packet at `iph` (ending at `end`): for a source manip
 * its source address and port (or ICMP identifier), for a destination manip its destination.
 * Returns false when the transport header is not all there.
 */
export function manipPkt(b: Uint8Array, iph: number, end: number, manip: number, addr: number, port: number): boolean {
  const hdr = iph + ((b[iph] & 0x0f) << 2);
  const proto = b[iph + 9];
  const addrOff = manip === NF_NAT_MANIP_SRC ? iph + 12 : iph + 16;
  const oldAddr = rd32(b, addrOff);
  const firstFrag = (rd16(b, iph + 6) & 0x1fff) === 0;
  if (firstFrag) {
    if (proto === IPPROTO_UDP) {
      if (hdr + 8 > end) return false;
      const portOff = manip === NF_NAT_MANIP_SRC ? hdr : hdr + 2;
      const oldPort = rd16(b, portOff);
      let check = rd16(b, hdr + 6);
      if (check !== 0) {
        check = checksumReplace32(check, oldAddr, addr);
        check = checksumReplace16(check, oldPort, port);
        if (check === 0) check = 0xffff;
        wr16(b, hdr + 6, check);
      }
      wr16(b, portOff, port);
    } else if (proto === IPPROTO_TCP) {
      if (hdr + 8 > end) return false;
      const portOff = manip === NF_NAT_MANIP_SRC ? hdr : hdr + 2;
      const oldPort = rd16(b, portOff);
      // A TCP header cut short (quoted in an ICMP error) has only its ports changed.
      if (hdr + 20 <= end) {
        let check = rd16(b, hdr + 16);
        check = checksumReplace32(check, oldAddr, addr);
        check = checksumReplace16(check, oldPort, port);
        wr16(b, hdr + 16, check);
      }
      wr16(b, portOff, port);
    } else if (proto === IPPROTO_ICMP) {
      if (hdr + 8 > end) return false;
      if (icmpIsQuery(b[hdr])) {
        const oldId = rd16(b, hdr + 4);
        wr16(b, hdr + 2, checksumReplace16(rd16(b, hdr + 2), oldId, port));
        wr16(b, hdr + 4, port);
      }
    }
  }
  wr16(b, iph + 10, checksumReplace32(rd16(b, iph + 10), oldAddr, addr));
  wr32(b, addrOff, addr);
  return true;
}

/** Whether the connection maps packets of `ctinfo`'s direction at a `manip` hook: a source NAT
 * rewrites sources going out and destinations coming back, a destination NAT the reverse. */
function mapped(c: Conn, ctinfo: number, manip: number): boolean {
  let bit = manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (ctinfo >= IP_CT_IS_REPLY) bit ^= IPS_NAT_MASK;
  return (c.status & bit) !== 0;
}

/**
 * nf_nat_packet: applies the mapping of connection `id` (its words `w`, CtTable.cw) for `manip`
 * to the packet at `nh` (of `ctinfo`'s direction). Returns false to drop it.
 */
export function natPacket(w: Int32Array, id: number, ctinfo: number, manip: number, b: Uint8Array, nh: number): boolean {
  let bit = manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  if (ctinfo >= IP_CT_IS_REPLY) bit ^= IPS_NAT_MASK;
  if ((w[id * CT_WORDS + CT_STATUS] & bit) === 0) return true;
  // The target is the inverse of the other direction's tuple (its packed key, in the same line).
  const o = ctKeyOffset(id * 2 + (ctinfo >= IP_CT_IS_REPLY ? 0 : 1));
  const key = w;
  const ports = key[o + 2];
  let addr: number, port: number;
  if (manip === NF_NAT_MANIP_SRC) {
    addr = key[o + 1];
    port = (key[o + 3] & 0xff) === IPPROTO_ICMP ? ports >>> 16 : ports & 0xffff;
  } else {
    addr = key[o];
    port = ports >>> 16;
  }
  return manipPkt(b, nh, nh + ((b[nh + 2] << 8) | b[nh + 3]), manip, addr, port);
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error about the connection gets the packet it quotes
 * mapped back (with the reverse manip), its checksum recomputed, then its own outer header
 * mapped like a reply. Returns false to drop it.
 */
export function natIcmpReplyTranslation(tab: CtTable, c: Conn, ctinfo: number, manip: number, b: Uint8Array, nh: number, end: number): boolean {
  const th = nh + ((b[nh] & 0x0f) << 2);
  if (th + 8 + 20 > end) return false;
  if (internetChecksum(b, th, end - th) !== 0) return false;
  if (b[th] === 5) {
    const done = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;
    if ((c.status & done) !== done || c.status & IPS_NAT_MASK) return false;
  }
  if (!mapped(c, ctinfo, manip)) return true;
  const m = c.id * 2 + (ctinfo >= IP_CT_IS_REPLY ? 0 : 1);
  const proto = tab.tProto[m];
  // The quoted packet is of the other direction: its tuple, with the reverse manip.
  const inner = th + 8;
  if (manip === NF_NAT_MANIP_SRC) {
    // Reverse: a destination manip of the quoted packet.
    if (!manipPkt(b, inner, end, NF_NAT_MANIP_DST, tab.tDst[m], proto === IPPROTO_ICMP ? tab.tSport[m] : tab.tDport[m])) return false;
  } else if (!manipPkt(b, inner, end, NF_NAT_MANIP_SRC, tab.tSrc[m], tab.tSport[m])) return false;
  b[th + 2] = 0;
  b[th + 3] = 0;
  wr16(b, th + 2, internetChecksum(b, th, end - th));
  // The outer header: like a reply to the other direction (addresses only: an error has no id).
  if (manip === NF_NAT_MANIP_SRC) return manipPkt(b, nh, end, NF_NAT_MANIP_SRC, tab.tDst[m], 0);
  return manipPkt(b, nh, end, NF_NAT_MANIP_DST, tab.tSrc[m], 0);
}
