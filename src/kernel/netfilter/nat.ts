// NAT (nf_nat_core.c, nf_nat_masquerade.c): the mapping of a connection is chosen on its first
// packet (nf_nat_setup_info: keep the original tuple if it is free, else find another within
// the range) and stored as the connection's altered reply tuple; nat-packet.ts applies it to
// every packet of the connection in both directions.
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import { fibLookup, inetSelectAddr } from '../ipv4/route-lookup.ts';
import { RT_SCOPE_UNIVERSE } from '../ipv4/constants.ts';
import {
  IPS_CONFIRMED, IPS_DST_NAT, IPS_DST_NAT_DONE, IPS_NAT_MASK, IPS_SEQ_ADJUST,
  IPS_SRC_NAT, IPS_SRC_NAT_DONE, type Conn, type CtTable,
} from './conntrack.ts';
import { icmpInvertType } from './conntrack-proto.ts';
import {
  NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_OFFSET, NF_NAT_RANGE_PROTO_RANDOM,
  NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED, type NatTarget,
} from './types.ts';

import { NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC } from './nat-packet.ts';

export { NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC, manipPkt, natIcmpReplyTranslation, natPacket } from './nat-packet.ts';

const RANDOM_ALL = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY;
/** NF_NAT_MAX_ATTEMPTS. */
const MAX_ATTEMPTS = 128;

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** The range being applied (module state: NAT setup runs once per connection, but needs no objects). */
type Range = Omit<NatTarget, 'kind'>;
const range: Range = { flags: 0, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0, basePort: 0 };

/** A tuple under construction. */
const tu = { src: 0, dst: 0, sport: 0, dport: 0, proto: 0 };
const orig = { src: 0, dst: 0, sport: 0, dport: 0, proto: 0 };

/** Node `n`'s tuple, inverted, into `t` (nf_ct_invert_tuple). */
function invertInto(tab: CtTable, n: number, t: typeof tu): void {
  const proto = tab.tProto[n];
  t.proto = proto;
  t.src = tab.tDst[n] >>> 0;
  t.dst = tab.tSrc[n] >>> 0;
  if (proto === IPPROTO_ICMP) {
    t.sport = tab.tSport[n];
    const type = tab.tDport[n] >> 8;
    t.dport = (icmpInvertType(type) << 8) | (tab.tDport[n] & 0xff);
  } else {
    t.sport = tab.tDport[n];
    t.dport = tab.tSport[n];
  }
}

/** The node of a confirmed connection other than `ignore` holding the reply of original tuple `t`, or -1. */
function clashNode(tab: CtTable, nowJ: number, t: typeof tu, ignore: Conn): number {
  let sport: number, dport: number;
  if (t.proto === IPPROTO_ICMP) {
    sport = t.sport;
    dport = (icmpInvertType(t.dport >> 8) << 8) | (t.dport & 0xff);
  } else {
    sport = t.dport;
    dport = t.sport;
  }
  const n = tab.find(nowJ, t.dst, t.src, sport, dport, t.proto);
  if (n === -1 || n >> 1 === ignore.id) return -1;
  // nf_conntrack_tuple_taken counts the clash as "found".
  tab.stats.found++;
  return n;
}

/** nf_nat_used_tuple: would a connection with original tuple `t` clash with one in the table? */
function usedTuple(tab: CtTable, nowJ: number, t: typeof tu, ignore: Conn): boolean {
  return clashNode(tab, nowJ, t, ignore) !== -1;
}

/** nf_nat_used_tuple_new: as usedTuple for the unaltered original, but a clash of two un-NATed
 * UDP/ICMP connections that are each other's reverse is let through (resolved at confirmation). */
function usedTupleNew(tab: CtTable, nowJ: number, t: typeof tu, c: Conn): boolean {
  const n = clashNode(tab, nowJ, t, c);
  if (n === -1) return false;
  if (t.proto === IPPROTO_TCP || c.status & (IPS_NAT_MASK | IPS_SEQ_ADJUST)) return true;
  const o = tab.conns[n >> 1]!;
  if (o.status & (IPS_NAT_MASK | IPS_SEQ_ADJUST)) return true;
  const a = o.id * 2;
  const r = c.id * 2 + 1;
  const same = tab.tSrc[a] === tab.tSrc[r] && tab.tDst[a] === tab.tDst[r] && tab.tSport[a] === tab.tSport[r] && tab.tDport[a] === tab.tDport[r] && tab.tProto[a] === tab.tProto[r];
  return !same;
}

function inRangeAddr(addr: number): boolean {
  return addr >>> 0 >= range.minAddr >>> 0 && addr >>> 0 <= range.maxAddr >>> 0;
}

/** l4proto_in_range. */
function l4InRange(t: typeof tu, manip: number): boolean {
  if (t.proto === IPPROTO_ICMP) return t.sport >= range.minPort && t.sport <= range.maxPort;
  if (t.proto !== IPPROTO_TCP && t.proto !== IPPROTO_UDP) return true;
  const port = manip === NF_NAT_MANIP_SRC ? t.sport : t.dport;
  return port >= range.minPort && port <= range.maxPort;
}

/** nf_in_range (for a source mapping). */
function nfInRange(t: typeof tu): boolean {
  if (range.flags & NF_NAT_RANGE_MAP_IPS && !inRangeAddr(t.src)) return false;
  if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) return true;
  return l4InRange(t, NF_NAT_MANIP_SRC);
}

/** find_appropriate_src: an existing source mapping of the same source (address, port, protocol). */
function findAppropriateSrc(tab: CtTable, nowJ: number, c: Conn): boolean {
  for (const o of tab.conns) {
    if (o === undefined || o === c || !o.hashed || !(o.status & IPS_SRC_NAT_DONE)) continue;
    const n = o.id * 2;
    if (tab.tProto[n] !== orig.proto || tab.tSrc[n] >>> 0 !== orig.src || tab.tSport[n] !== orig.sport) continue;
    invertInto(tab, n + 1, tu);
    tu.dst = orig.dst;
    tu.dport = orig.dport;
    tu.proto = orig.proto;
    if (nfInRange(tu)) return true;
  }
  void nowJ;
  return false;
}

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * jhash2 over the four 32-bit words of an nf_inet_addr holding an IPv4 address (the address,
 * then three zero words), as find_best_ips_proto hashes a tuple's source: Bob Jenkins' lookup3
 * as the kernel's jhash.h defines it.
 */
function jhashAddr(word: number, initval: number): number {
  let a = (0xdeadbeef + (4 << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  // The first three words (the address, 0, 0), then __jhash_mix.
  a = (a + word) >>> 0;
  a = (a - c) >>> 0; a ^= rol32(c, 4); c = (c + b) >>> 0;
  b = (b - a) >>> 0; b ^= rol32(a, 6); a = (a + c) >>> 0;
  c = (c - b) >>> 0; c ^= rol32(b, 8); b = (b + a) >>> 0;
  a = (a - c) >>> 0; a ^= rol32(c, 16); c = (c + b) >>> 0;
  b = (b - a) >>> 0; b ^= rol32(a, 19); a = (a + c) >>> 0;
  c = (c - b) >>> 0; c ^= rol32(b, 4); b = (b + a) >>> 0;
  // The last word (0), then __jhash_final.
  a >>>= 0; b >>>= 0; c >>>= 0;
  c ^= b; c = (c - rol32(b, 14)) >>> 0;
  a ^= c; a = (a - rol32(c, 11)) >>> 0;
  b ^= a; b = (b - rol32(a, 25)) >>> 0;
  c ^= b; c = (c - rol32(b, 16)) >>> 0;
  a ^= c; a = (a - rol32(c, 4)) >>> 0;
  b ^= a; b = (b - rol32(a, 14)) >>> 0;
  c ^= b; c = (c - rol32(b, 24)) >>> 0;
  return c >>> 0;
}

/** The address as the kernel's u32 holds it in memory on a little-endian machine. */
function be32Word(addr: number): number {
  return (((addr & 0xff) << 24) | ((addr & 0xff00) << 8) | ((addr >>> 8) & 0xff00) | (addr >>> 24)) >>> 0;
}

/** find_best_ips_proto: an address of the range, chosen by a hash of the tuple's addresses. */
function findBestIps(t: typeof tu, manip: number): void {
  if (!(range.flags & NF_NAT_RANGE_MAP_IPS)) return;
  let chosen: number;
  if (range.minAddr === range.maxAddr) chosen = range.minAddr;
  else {
    const j = jhashAddr(be32Word(t.src), range.flags & NF_NAT_RANGE_PERSISTENT ? 0 : be32Word(t.dst));
    const dist = ((range.maxAddr >>> 0) - (range.minAddr >>> 0) + 1) >>> 0;
    // reciprocal_scale(j, dist); dist 0 means the whole 2^32 space.
    const scaled = dist === 0 ? j : Math.floor((j * dist) / 2 ** 32);
    chosen = ((range.minAddr >>> 0) + scaled) >>> 0;
  }
  if (manip === NF_NAT_MANIP_SRC) t.src = chosen;
  else t.dst = chosen;
}

/** nf_nat_l4proto_unique_tuple. */
function uniqueL4(tab: CtTable, nowJ: number, t: typeof tu, manip: number, c: Conn, ns: NetNs): void {
  let min: number;
  let size: number;
  let key: 'sport' | 'dport';
  if (t.proto === IPPROTO_ICMP) {
    key = 'sport';
    if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
      min = 0;
      size = 65536;
    } else {
      min = range.minPort;
      size = range.maxPort - range.minPort + 1;
    }
  } else if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) {
    key = manip === NF_NAT_MANIP_SRC ? 'sport' : 'dport';
    if (!(range.flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
      if (manip === NF_NAT_MANIP_DST) return;
      const port = t[key];
      if (port < 1024) {
        if (port < 512) {
          min = 1;
          size = 511;
        } else {
          min = 600;
          size = 1023 - 600 + 1;
        }
      } else {
        min = 1024;
        size = 65535 - 1024 + 1;
      }
    } else {
      let lo = range.minPort;
      let hi = range.maxPort;
      if (hi < lo) [lo, hi] = [hi, lo];
      min = lo;
      size = hi - lo + 1;
    }
  } else return;
  let off: number;
  if (range.flags & NF_NAT_RANGE_PROTO_OFFSET) off = (t[key] - range.basePort) & 0xffff;
  else if (range.flags & RANDOM_ALL || manip !== NF_NAT_MANIP_DST) off = ns.world.rng.u32() & 0xffff;
  else off = 0;
  let attempts = Math.min(size, MAX_ATTEMPTS);
  for (;;) {
    for (let i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
      t[key] = min + (off % size);
      if (!usedTuple(tab, nowJ, t, c)) return;
    }
    if (attempts >= size || attempts < 16) return;
    attempts >>= 1;
    off = ns.world.rng.u32() & 0xffff;
  }
}

/** get_unique_tuple: the new tuple (in `tu`) for the connection whose current tuple is `orig`. */
function getUniqueTuple(tab: CtTable, nowJ: number, c: Conn, manip: number, ns: NetNs): void {
  if (manip === NF_NAT_MANIP_SRC && !(range.flags & RANDOM_ALL)) {
    if (nfInRange(orig)) {
      if (!usedTupleNew(tab, nowJ, orig, c)) {
        Object.assign(tu, orig);
        return;
      }
    } else if (findAppropriateSrc(tab, nowJ, c)) {
      if (!usedTuple(tab, nowJ, tu, c)) return;
    }
  }
  Object.assign(tu, orig);
  findBestIps(tu, manip);
  if (!(range.flags & RANDOM_ALL)) {
    if (range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      if (!(range.flags & NF_NAT_RANGE_PROTO_OFFSET) && l4InRange(tu, manip) && (range.minPort === range.maxPort || !usedTuple(tab, nowJ, tu, c))) return;
    } else if (!usedTuple(tab, nowJ, tu, c)) return;
  }
  uniqueL4(tab, nowJ, tu, manip, c, ns);
}

/** nf_nat_setup_info with the range in `range`. */
function setupInfo(ns: NetNs, tab: CtTable, c: Conn, manip: number, nowJ: number): void {
  if (c.status & IPS_CONFIRMED) return;
  const r = c.id * 2 + 1;
  invertInto(tab, r, orig);
  getUniqueTuple(tab, nowJ, c, manip, ns);
  if (tu.src !== orig.src || tu.dst !== orig.dst || tu.sport !== orig.sport || tu.dport !== orig.dport) {
    // The reply tuple becomes the inverse of the new one, so replies find the connection.
    let sport: number, dport: number;
    if (tu.proto === IPPROTO_ICMP) {
      sport = tu.sport;
      dport = (icmpInvertType(tu.dport >> 8) << 8) | (tu.dport & 0xff);
    } else {
      sport = tu.dport;
      dport = tu.sport;
    }
    tab.setTuple(r, tu.dst, tu.src, sport, dport, tu.proto);
    c.status |= manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
  }
  c.status |= manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
}

export function natInitialized(c: Conn, manip: number): boolean {
  return (c.status & (manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE)) !== 0;
}

/** nf_nat_alloc_null_binding: the identity mapping (which may still move a clashing port). */
export function natNullBinding(ns: NetNs, tab: CtTable, c: Conn, manip: number, nowJ: number): void {
  const r = c.id * 2 + 1;
  const ip = manip === NF_NAT_MANIP_SRC ? tab.tDst[r] >>> 0 : tab.tSrc[r] >>> 0;
  range.flags = NF_NAT_RANGE_MAP_IPS;
  range.minAddr = range.maxAddr = ip;
  range.minPort = range.maxPort = range.basePort = 0;
  setupInfo(ns, tab, c, manip, nowJ);
}

/**
 * The SNAT, DNAT, MASQUERADE and REDIRECT targets: set the connection's mapping. Returns false
 * when the packet is to be dropped (MASQUERADE on a device without an address).
 */
export function natTarget(ns: NetNs, tab: CtTable, c: Conn, t: NatTarget, hook: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, daddr: number, nowJ: number): boolean {
  range.flags = t.flags;
  range.minAddr = t.minAddr >>> 0;
  range.maxAddr = t.maxAddr >>> 0;
  range.minPort = t.minPort;
  range.maxPort = t.maxPort;
  range.basePort = t.basePort;
  let manip = t.kind === 'SNAT' || t.kind === 'MASQUERADE' ? NF_NAT_MANIP_SRC : NF_NAT_MANIP_DST;
  if (t.kind === 'MASQUERADE') {
    if (outDev === undefined) return false;
    let nh = daddr;
    try {
      const res = fibLookup(ns, { dst: daddr, src: 0, tos: 0, oif: outDev.ifindex, iif: 0, mark: 0, scope: RT_SCOPE_UNIVERSE } as never);
      if (res.route.gateway) nh = res.route.gateway;
    } catch {
      // No route: the destination itself decides the address.
    }
    const src = inetSelectAddr(ns, outDev, nh, RT_SCOPE_UNIVERSE);
    if (src === 0) return false;
    range.flags |= NF_NAT_RANGE_MAP_IPS;
    range.minAddr = range.maxAddr = src >>> 0;
    c.masqIndex = outDev.ifindex;
  } else if (t.kind === 'REDIRECT') {
    let dst: number;
    if (hook === 3) dst = 0x7f000001;
    else {
      dst = 0;
      if (inDev !== undefined) {
        const a = ns.ipv4.devinet.list(inDev)[0];
        if (a !== undefined) dst = a.local >>> 0;
      }
      if (dst === 0) return false;
    }
    range.flags |= NF_NAT_RANGE_MAP_IPS;
    range.minAddr = range.maxAddr = dst;
    manip = NF_NAT_MANIP_DST;
  }
  if (natInitialized(c, manip)) return true;
  setupInfo(ns, tab, c, manip, nowJ);
  return true;
}

