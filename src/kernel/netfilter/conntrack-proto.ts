// nf_conntrack_in and nf_confirm, with the protocol trackers (nf_conntrack_proto_icmp.c, _udp.c,
// _tcp.c, _generic.c): which connection a packet belongs to, in which direction, in which state
// (ctinfo), and how long the connection lives on. ICMP errors are RELATED to the connection of
// the packet they quote. A packet's connection is attached to its slot (pool.ct/ctinfo).
import { internetChecksum, onesSum, pseudoHeaderSum, fold } from '../../wire/checksum.ts';
import type { NetNs } from '../netns.ts';
import { printk } from '../kmsg.ts';
import type { Reassembler } from '../ipv4/reassembly.ts';
import { skbPool, type SkbPool } from '../skb.ts';
import {
  CT_DIR_REPLY, IP_CT_ESTABLISHED, IP_CT_ESTABLISHED_REPLY, IP_CT_NEW, IP_CT_RELATED, IP_CT_RELATED_REPLY, IP_CT_UNTRACKED,
  IPS_ASSURED, IPS_CONFIRMED, IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_SRC_NAT, IPS_DYING, IPS_EXPECTED, IPS_FIXED_TIMEOUT, IPS_SEEN_REPLY, HZ, type Conn, type CtTable, ctTableOf, jiffiesOf,
  IPCT_ASSURED, IPCT_PROTOINFO, IPCT_REPLY, CT_EVENTS, CT_F64_WORDS, CT_F_STREAM, CT_F_TIMEOUT, CT_STATUS, CT_USE, CT_WORDS,
} from './conntrack.ts';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** NF_ACCEPT / NF_DROP as the hooks return them. */
export const CT_ACCEPT = 1;
export const CT_DROP = 0;
/** nfConntrackIn: accepted, and NAT at this hook has nothing to do (a connection with no
 * destination mapping in the packet's direction, and none to set up): the caller skips the NAT stage. */
export const CT_ACCEPT_NO_NAT = 2;

/** ICMP error types (their packets are RELATED, never NEW). */
export function icmpIsError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** icmp invmap: the type of the answer to a query type (and back); -1 when there is none. */
export function icmpInvertType(type: number): number {
  switch (type) {
    case 8: return 0;
    case 0: return 8;
    case 13: return 14;
    case 14: return 13;
    case 15: return 16;
    case 16: return 15;
    case 17: return 18;
    case 18: return 17;
    default: return 0xff;
  }
}

/** Types that may start a connection (valid_new). */
function icmpValidNew(type: number): boolean {
  return type === 8 || type === 13 || type === 15 || type === 17;
}

// ---- timeouts, from the namespace's sysctls (re-read when a sysctl changes) ----------------

interface Timeouts {
  gen: number;
  /** The initial namespace's sysctl generation when `max` was read: nf_conntrack_max is global
   * (checked only where a connection is made, the one place `max` is used). */
  hostGen: number;
  icmp: number;
  udp: number;
  udpStream: number;
  generic: number;
  tcp: Int32Array;
  checksum: boolean;
  max: number;
}
const TCP_TIMEOUT_KEYS = ['', 'syn_sent', 'syn_recv', 'established', 'fin_wait', 'close_wait', 'last_ack', 'time_wait', 'close', 'syn_sent'];

function timeoutsOf(ns: NetNs, tab: CtTable): Timeouts {
  const t = tab.timeouts as Timeouts | undefined;
  if (t !== undefined && t.gen === tab.sysctl.generation) return t;
  return readTimeouts(ns, tab);
}

/** Kept apart from timeoutsOf: its closure would make every call allocate a context. */
function readTimeouts(ns: NetNs, tab: CtTable): Timeouts {
  const gen = ns.sysctl.generation;
  const s = (k: string): number => ns.sysctl.getInt(`net.netfilter.nf_conntrack_${k}`) * HZ;
  const tcp = new Int32Array(10);
  for (let i = 1; i < 10; i++) tcp[i] = s(`tcp_timeout_${TCP_TIMEOUT_KEYS[i]}`);
  const t: Timeouts = {
    gen, hostGen: ns.world.host.sysctl.generation, icmp: s('icmp_timeout'), udp: s('udp_timeout'), udpStream: s('udp_timeout_stream'), generic: s('generic_timeout'), tcp,
    checksum: ns.sysctl.getInt('net.netfilter.nf_conntrack_checksum') !== 0,
    max: ns.sysctl.getInt('net.netfilter.nf_conntrack_max'),
  };
  tab.timeouts = t;
  return t;
}

function refresh(c: Conn, nowJ: number, extra: number): void {
  if (c.status & IPS_FIXED_TIMEOUT) return;
  c.timeout = nowJ + extra;
}

// ---- TCP (nf_conntrack_proto_tcp.c's state table; windows are not tracked) -----------------

const sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7, sCL = 8, sS2 = 9, sIV = 10, sIG = 11;
/** tcp_conntracks[dir][index][state]; index: syn, synack, fin, ack, rst, none. */
const TCP_TABLE: readonly (readonly (readonly number[])[])[] = [
  [
    [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

function tcpIndex(flags: number): number {
  if (flags & 0x04) return 4;
  if (flags & 0x02) return flags & 0x10 ? 1 : 0;
  if (flags & 0x01) return 2;
  if (flags & 0x10) return 3;
  return 5;
}

/** tcp_valid_flags: the flag combinations a TCP segment may carry (others are INVALID). */
function tcpValidFlags(flags: number): boolean {
  const f = flags & 0x3f & ~0x20 & ~0x08; // URG and PSH do not matter
  switch (f) {
    case 0x02: case 0x12: case 0x04: case 0x14: case 0x11: case 0x10: return true;
    default: return false;
  }
}

/** tcp_new + tcp_packet without window tracking. Returns false for an INVALID packet. */
function tcpPacket(c: Conn, dir: number, flags: number, nowJ: number, t: Timeouts, isNew: boolean, loose: boolean): boolean {
  const index = tcpIndex(flags);
  if (isNew) {
    const st = TCP_TABLE[0][index][sNO];
    if (st >= sIV) return false;
    if (st === sES && !loose) return false;
    c.tcpState = st;
    refresh(c, nowJ, t.tcp[st]);
    return true;
  }
  const old = c.tcpState;
  const st = TCP_TABLE[dir][index][old];
  if (st === sIV) return false;
  if (st === sIG) return true;
  c.tcpState = st;
  if (!(c.status & IPS_ASSURED) && old === sSR && st === sES && dir === 0) c.status |= IPS_ASSURED;
  let tmo = t.tcp[st];
  if (!(c.status & IPS_SEEN_REPLY) && dir === 0 && st === sES) tmo = Math.min(tmo, 300 * HZ);
  refresh(c, nowJ, tmo);
  if (st === sCL && index === 4) c.timeout = nowJ + t.tcp[sCL];
  return true;
}

// ---- nf_defrag_ipv4 --------------------------------------------------------------------------

/** The namespace's reassembly queues for conntrack (ip_defrag's IP_DEFRAG_CONNTRACK_IN user). */
function defragOf(ns: NetNs, tab: CtTable): Reassembler {
  let r = tab.defrag as Reassembler | undefined;
  if (r !== undefined) return r;
  // ip_expire for a conntrack queue: an error only when the datagram was for this host.
  r = ns.inet.newReassembler((first) => {
    if (first < 0) return;
    const pool = skbPool;
    const b = pool.data[first];
    const nh = pool.nh[first];
    const dst = ((b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19]) >>> 0;
    if (ns.ipv4.devinet.isLocal(dst)) ns.inet.reasmTimedOut(first);
  });
  tab.defrag = r;
  return r;
}

/**
 * ipv4_conntrack_defrag at PREROUTING (-400): a fragment is held until its datagram is whole,
 * which then goes on in the same slot. False when the fragment was taken (kept or dropped).
 */
export function nfDefrag(ns: NetNs, pool: SkbPool, slot: number): boolean {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  if ((((b[nh + 6] << 8) | b[nh + 7]) & 0x3fff) === 0) return true;
  // A packet that already has its connection (looped back) is not gathered again.
  if (pool.ct[slot] !== 0 || pool.ctinfo[slot] === IP_CT_UNTRACKED) return true;
  return defragOf(ns, ctTableOf(ns)).addInPlace(slot);
}

// ---- nf_conntrack_in -------------------------------------------------------------------------

/** Counts an INVALID packet (it keeps no connection). */
function invalid(tab: CtTable): number {
  tab.stats.invalid++;
  return CT_ACCEPT;
}

function checksumBad(b: Uint8Array, th: number, end: number, proto: number, saddr: number, daddr: number): boolean {
  if (proto === IPPROTO_ICMP) return internetChecksum(b, th, end - th) !== 0;
  const len = end - th;
  const sum = onesSum(b, th, len, pseudoHeaderSum(saddr, daddr, proto, len));
  return (~fold(sum) & 0xffff) !== 0;
}

/**
 * nf_conntrack_in at PREROUTING or OUTPUT (hook 0 or 3): attaches the packet's connection,
 * creating an unconfirmed one for a packet that starts a flow. Returns CT_DROP when the table
 * is full (the caller drops and frees the packet), CT_ACCEPT_NO_NAT when the NAT stage that
 * follows at this hook would leave the packet as it is.
 */
export function nfConntrackIn(ns: NetNs, pool: SkbPool, slot: number, hook: number): number {
  if (pool.ct[slot] !== 0 || pool.ctinfo[slot] === IP_CT_UNTRACKED) return CT_ACCEPT;
  const tab = ctTableOf(ns);
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const end = nh + ((b[nh + 2] << 8) | b[nh + 3]);
  const th = nh + ((b[nh] & 0x0f) << 2);
  const proto = b[nh + 9];
  // int32 addresses: no heap number when passed on (see conntrack.ts).
  const saddr = (b[nh + 12] << 24) | (b[nh + 13] << 16) | (b[nh + 14] << 8) | b[nh + 15];
  const daddr = (b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19];
  // A fragment here was not gathered (a locally sent one at OUTPUT): no ports, INVALID.
  if ((((b[nh + 6] << 8) | b[nh + 7]) & 0x3fff) !== 0) return invalid(tab);
  const nowJ = tab.jiffies();
  const t = timeoutsOf(ns, tab);
  const verify = t.checksum && hook === 0;
  let sport = 0;
  let dport = 0;
  let flags = 0;
  if (proto === IPPROTO_ICMP) {
    if (th + 8 > end) return invalid(tab);
    if (verify && checksumBad(b, th, end, proto, saddr, daddr)) return invalid(tab);
    const type = b[th];
    if (type > 18) return invalid(tab);
    if (icmpIsError(type)) return icmpError(tab, pool, slot, b, th, end, daddr, nowJ);
    sport = (b[th + 4] << 8) | b[th + 5];
    dport = (type << 8) | b[th + 1];
  } else if (proto === IPPROTO_UDP) {
    if (th + 8 > end) return invalid(tab);
    const ulen = (b[th + 4] << 8) | b[th + 5];
    if (ulen > end - th || ulen < 8) return invalid(tab);
    if (verify && ((b[th + 6] << 8) | b[th + 7]) !== 0 && checksumBad(b, th, end, proto, saddr, daddr)) return invalid(tab);
    sport = (b[th] << 8) | b[th + 1];
    dport = (b[th + 2] << 8) | b[th + 3];
  } else if (proto === IPPROTO_TCP) {
    if (th + 20 > end) return invalid(tab);
    const doff = (b[th + 12] >>> 4) << 2;
    if (doff < 20 || th + doff > end) return invalid(tab);
    flags = b[th + 13];
    if (!tcpValidFlags(flags)) return invalid(tab);
    if (verify && checksumBad(b, th, end, proto, saddr, daddr)) return invalid(tab);
    sport = (b[th] << 8) | b[th + 1];
    dport = (b[th + 2] << 8) | b[th + 3];
  }
  const n = tab.find(nowJ, saddr, daddr, sport, dport, proto);
  let id: number;
  let ctinfo: number;
  if (n === -1) {
    // init_conntrack: the reply tuple is the inverse.
    let rsport = dport;
    let rdport = sport;
    if (proto === IPPROTO_ICMP) {
      const inv = icmpInvertType(dport >> 8);
      if (inv === 0xff || !icmpValidNew(dport >> 8)) return invalid(tab);
      rsport = sport;
      rdport = (inv << 8) | (dport & 0xff);
    } else if (proto !== IPPROTO_UDP && proto !== IPPROTO_TCP) {
      rsport = rdport = 0;
    }
    const lim = t.hostGen === ns.world.host.sysctl.generation ? t : readTimeouts(ns, tab);
    if (lim.max > 0 && tab.count + 1 > lim.max) {
      tab.stats.drop++;
      printk(ns.world, 4, 'nf_conntrack: table full, dropping packet', ns.name);
      return CT_DROP;
    }
    const c = tab.create(proto);
    id = c.id;
    tab.setTuple(c.id * 2, saddr, daddr, sport, dport, proto);
    tab.setTuple(c.id * 2 + 1, daddr, saddr, rsport, rdport, proto);
    ctinfo = IP_CT_NEW;
    if (proto === IPPROTO_UDP) c.streamTs = nowJ + 2 * HZ;
    if (proto === IPPROTO_TCP && !tcpPacket(c, 0, flags, nowJ, t, true, ns.sysctl.getInt('net.netfilter.nf_conntrack_tcp_loose') !== 0)) {
      tab.kill(c);
      return invalid(tab);
    }
  } else {
    id = n >> 1;
    const status = tab.cw[id * CT_WORDS + CT_STATUS];
    if ((n & 1) === CT_DIR_REPLY) ctinfo = IP_CT_ESTABLISHED_REPLY;
    else if (status & IPS_SEEN_REPLY) ctinfo = IP_CT_ESTABLISHED;
    else if (status & IPS_EXPECTED) ctinfo = IP_CT_RELATED;
    else ctinfo = IP_CT_NEW;
    if (proto === IPPROTO_TCP && !tcpEstablished(tab, tab.conns[id]!, n & 1, flags, nowJ, t)) return invalid(tab);
  }
  // The connection's words (conntrack-conn.ts): its state without its Conn object.
  const w = tab.cw;
  const o = id * CT_WORDS;
  let status = w[o + CT_STATUS];
  if (proto !== IPPROTO_TCP) {
    // nf_ct_refresh: a fixed timeout stays.
    let extra = t.generic;
    if (proto === IPPROTO_ICMP) extra = t.icmp;
    else if (proto === IPPROTO_UDP) {
      extra = t.udp;
      if (status & IPS_SEEN_REPLY && nowJ - tab.cf[id * CT_F64_WORDS + CT_F_STREAM] > 0) {
        extra = t.udpStream;
        if ((status & IPS_ASSURED) === 0) {
          status |= IPS_ASSURED;
          w[o + CT_STATUS] = status;
          if (tab.listeners.length !== 0) w[o + CT_EVENTS] |= IPCT_ASSURED;
        }
      }
    }
    if ((status & IPS_FIXED_TIMEOUT) === 0) tab.cf[id * CT_F64_WORDS + CT_F_TIMEOUT] = nowJ + extra;
  }
  // pool.setCt on a slot without a connection, the reference taken in the words themselves.
  w[o + CT_USE]++;
  pool.ct[slot] = id + 1;
  pool.ctTab[slot] = tab;
  pool.ctinfo[slot] = ctinfo;
  if (ctinfo === IP_CT_ESTABLISHED_REPLY) {
    if ((status & IPS_SEEN_REPLY) === 0) {
      w[o + CT_STATUS] = status | IPS_SEEN_REPLY;
      if (tab.listeners.length !== 0) w[o + CT_EVENTS] |= IPCT_REPLY;
    }
    // A reply is mapped back to the original destination by a source NAT (natStage's test).
    return status & IPS_SRC_NAT ? CT_ACCEPT : CT_ACCEPT_NO_NAT;
  }
  // An established packet, or a NEW one whose destination mapping is set up (a flow not answered
  // yet: every packet is NEW), without a destination mapping.
  if ((ctinfo !== IP_CT_ESTABLISHED && ctinfo !== IP_CT_NEW) || (status & IPS_DST_NAT) !== 0) return CT_ACCEPT;
  return ctinfo === IP_CT_ESTABLISHED || (status & IPS_DST_NAT_DONE) !== 0 ? CT_ACCEPT_NO_NAT : CT_ACCEPT;
}

/** tcp_packet for a packet of a known connection (events cached while there are listeners).
 * False for an INVALID packet. */
function tcpEstablished(tab: CtTable, c: Conn, dir: number, flags: number, nowJ: number, t: Timeouts): boolean {
  const oldState = c.tcpState;
  const oldStatus = c.status;
  if (!tcpPacket(c, dir, flags, nowJ, t, false, true)) return false;
  if (tab.listeners.length !== 0) {
    if (c.tcpState !== oldState) c.events |= IPCT_PROTOINFO;
    if (c.status & ~oldStatus & IPS_ASSURED) c.events |= IPCT_ASSURED;
  }
  // A reset as the only answer: no connection was ever established, it goes at once.
  if (flags & 0x04 && !(c.status & IPS_SEEN_REPLY)) tab.kill(c);
  return true;
}

/** nf_conntrack_icmpv4_error: an ICMP error is RELATED to the connection of the packet it quotes. */
function icmpError(tab: CtTable, pool: SkbPool, slot: number, b: Uint8Array, th: number, end: number, outerDaddr: number, nowJ: number): number {
  const ip = th + 8;
  if (ip + 20 > end || b[ip] >> 4 !== 4) return invalid(tab);
  if ((((b[ip + 6] << 8) | b[ip + 7]) & 0x1fff) !== 0) return invalid(tab);
  const l4 = ip + ((b[ip] & 0x0f) << 2);
  const proto = b[ip + 9];
  const isrc = (b[ip + 12] << 24) | (b[ip + 13] << 16) | (b[ip + 14] << 8) | b[ip + 15];
  const idst = (b[ip + 16] << 24) | (b[ip + 17] << 16) | (b[ip + 18] << 8) | b[ip + 19];
  // The inverse of the quoted packet's tuple is what the table holds for its answer.
  let sport = 0;
  let dport = 0;
  if (proto === IPPROTO_ICMP) {
    if (l4 + 8 > end) return invalid(tab);
    const inv = icmpInvertType(b[l4]);
    if (inv === 0xff) return invalid(tab);
    sport = (b[l4 + 4] << 8) | b[l4 + 5];
    dport = (inv << 8) | b[l4 + 1];
  } else if (proto === IPPROTO_UDP || proto === IPPROTO_TCP) {
    if (l4 + 4 > end) return invalid(tab);
    sport = (b[l4 + 2] << 8) | b[l4 + 3];
    dport = (b[l4] << 8) | b[l4 + 1];
  }
  const n = tab.find(nowJ, idst, isrc, sport, dport, proto);
  if (n === -1) return invalid(tab);
  const dir = n & 1;
  // The error must go to where the connection's packets in that direction come from.
  if (tab.tDst[n] !== outerDaddr) return invalid(tab);
  pool.setCt(slot, tab, n >> 1, dir === CT_DIR_REPLY ? IP_CT_RELATED_REPLY : IP_CT_RELATED);
  return CT_ACCEPT;
}

/**
 * nf_confirm at the end of POSTROUTING and INPUT: a new connection enters the table. Returns
 * CT_DROP when an equal connection got there first (the packet is dropped).
 */
export function nfConfirm(ns: NetNs, pool: SkbPool, slot: number): number {
  const id = pool.ct[slot];
  if (id === 0) return CT_ACCEPT;
  const tab = pool.ctTab[slot] as CtTable;
  const o = (id - 1) * CT_WORDS;
  if (tab.cw[o + CT_STATUS] & IPS_CONFIRMED) {
    // nf_ct_deliver_cached_events: what this packet changed (only cached while there are listeners).
    if (tab.cw[o + CT_EVENTS] !== 0) tab.deliverCached(tab.conns[id - 1]!, jiffiesOf(ns.world.now()));
    return CT_ACCEPT;
  }
  const c = tab.conns[id - 1]!;
  if (c.status & IPS_DYING) return CT_DROP;
  if (tab.confirm(c, jiffiesOf(ns.world.now()))) return CT_ACCEPT;
  tab.stats.insert_failed++;
  tab.stats.drop++;
  return CT_DROP;
}
