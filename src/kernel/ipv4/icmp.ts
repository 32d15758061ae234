// ICMP (net/ipv4/icmp.c): receiving (echo and timestamp answered, errors passed to sockets, path
// MTU learnt), and sending errors about a packet with the kernel's rules: never about an ICMP
// error, a non-first fragment, or a broadcast/multicast; 576-byte limit; TOS 0xc0 | (tos&0x1e);
// the source the return route picks (or the packet's destination when it was for us); rate
// limits per destination and global.
import type { NetNs } from '../netns.ts';
import { KernelError } from '../errors.ts';
import { PACKET_HOST, skbPool } from '../skb.ts';
import { setU16, setU32, u16, u32 } from '../../wire/bytes.ts';
import { internetChecksum, checksumOk } from '../../wire/checksum.ts';
import { updateIpv4Checksum } from '../../wire/ipv4.ts';
import { isLbcast, isMulticast, isZeronet } from './constants.ts';
import { ipOutput } from './output.ts';
import { udpErr } from './udp.ts';
import { routeOutput, type Rtable } from './rtable.ts';
import { NF_INET_LOCAL_OUT, nfHook } from '../netfilter/hooks.ts';
import {
  ICMP_IN_CSUM_ERRORS, ICMP_IN_ERRORS, ICMP_IN_MSGS, ICMP_OUT_MSGS, ICMP_OUT_RATELIMIT_GLOBAL, ICMP_OUT_RATELIMIT_HOST,
  IP_OUT_REQUESTS, icmpTypeIndex,
} from './snmp.ts';

/** Types that are errors (icmp_pointers[type].error). */
function isErrorType(t: number): boolean {
  return t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
}

function sysctlInt(ns: NetNs, key: string, dflt: number): number {
  return Number(ns.sysctl.get(key) ?? dflt);
}

/** Counts an outgoing ICMP message of `type` (icmp_out_count). */
export function icmpOutCount(ns: NetNs, type: number): void {
  const s = ns.inet.snmp;
  s.icmp[ICMP_OUT_MSGS]++;
  const i = icmpTypeIndex(type, true);
  if (i >= 0) s.icmp[i]++;
  s.icmpMsgOut[type]++;
}

/** icmpv4_xrlim_allow + icmp_global_allow. */
function allowed(ns: NetNs, type: number, code: number, dst: number, rt: Rtable): boolean {
  if (type > 18) return true;
  if (type === 3 && code === 4) return true;
  const mask = sysctlInt(ns, 'net.ipv4.icmp_ratemask', 6168);
  if (!((1 << type) & mask)) return true;
  if (rt.dev.isLoopback) return true;
  const now = ns.world.now();
  const rl = ns.inet.ratelimit;
  if (!rl.allowGlobal(now, sysctlInt(ns, 'net.ipv4.icmp_msgs_per_sec', 1000), sysctlInt(ns, 'net.ipv4.icmp_msgs_burst', 50))) {
    ns.inet.snmp.icmp[ICMP_OUT_RATELIMIT_GLOBAL]++;
    return false;
  }
  if (!rl.allowHost(dst, now, sysctlInt(ns, 'net.ipv4.icmp_ratelimit', 1000))) {
    ns.inet.snmp.icmp[ICMP_OUT_RATELIMIT_HOST]++;
    return false;
  }
  return true;
}

/**
 * Builds and sends an ICMP message carrying `body` (what follows the 8-byte header) to `dst`
 * from `src` (0: the route's choice). Returns false when it could not go (no route, rate limit).
 */
function sendIcmp(ns: NetNs, dst: number, src: number, tos: number, type: number, code: number, rest: number, body: Uint8Array, limit: boolean, idFrom?: number): boolean {
  let rt: Rtable;
  try {
    rt = routeOutput(ns, { dst, src: src || undefined, tos, proto: 1 });
  } catch (e) {
    if (e instanceof KernelError) return false;
    throw e;
  }
  if (limit && !allowed(ns, type, code, dst, rt)) return false;
  const pool = skbPool;
  const total = 28 + body.length;
  const slot = pool.alloc(total);
  const b = pool.data[slot];
  const o = pool.head[slot];
  pool.nh[slot] = o;
  const saddr = src || rt.src;
  b[o] = 0x45;
  b[o + 1] = tos;
  setU16(b, o + 2, total);
  setU16(b, o + 4, idFrom ?? ns.inet.idents.next(dst, saddr, 1, ns.world.now(), 1));
  setU16(b, o + 6, 0);
  b[o + 8] = sysctlInt(ns, 'net.ipv4.ip_default_ttl', 64);
  b[o + 9] = 1;
  setU32(b, o + 12, saddr);
  setU32(b, o + 16, dst);
  b[o + 20] = type;
  b[o + 21] = code;
  setU16(b, o + 22, 0);
  setU32(b, o + 24, rest);
  b.set(body, o + 28);
  setU16(b, o + 22, internetChecksum(b, o + 20, 8 + body.length));
  updateIpv4Checksum(b, o);
  ns.inet.snmp.ip[IP_OUT_REQUESTS]++;
  icmpOutCount(ns, type);
  if (!nfHook(ns, NF_INET_LOCAL_OUT, slot, undefined, rt.dev)) return true;
  ipOutput(ns, slot, rt, true);
  return true;
}

/**
 * icmp_send (__icmp_send): an error of `type`/`code` about the packet at pool.nh[slot] (as it
 * stands now). `info` is the next-hop MTU for "fragmentation needed" or a redirect gateway.
 * The caller keeps the packet.
 */
export function icmpSendError(ns: NetNs, slot: number, type: number, code: number, info: number, opts: { routeErrorChecked?: boolean } = {}): boolean {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const end = pool.head[slot] + pool.len[slot];
  if (nh + 20 > end) return false;
  const hlen = (b[nh] & 0x0f) << 2;
  const saddrOrig = u32(b, nh + 12);
  const daddrOrig = u32(b, nh + 16);
  // Only about the first fragment, never about link-layer broadcasts or odd sources.
  if (u16(b, nh + 6) & 0x1fff) return false;
  if (pool.iif[slot] !== undefined && pool.pktType[slot] !== PACKET_HOST) return false;
  if (isMulticast(daddrOrig) || isLbcast(daddrOrig) || isZeronet(saddrOrig) || isMulticast(saddrOrig) || isLbcast(saddrOrig)) return false;
  // Never an error about an ICMP error.
  if (b[nh + 9] === 1 && nh + hlen < end && isErrorType(b[nh + hlen])) return false;
  // The source: the packet's destination when it was for us, else what the return route picks.
  const local = ns.ipv4.devinet.isLocal(daddrOrig);
  const src = local ? daddrOrig : 0;
  const tos = 0xc0 | (b[nh + 1] & 0x1e);
  // 576 bytes in all: 20 + 8 + at most 548 of the original.
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const quoteLen = Math.min(548, Math.min(total, end - nh));
  const rest = type === 3 && code === 4 ? info & 0xffff : type === 5 ? info >>> 0 : type === 12 ? (info << 24) >>> 0 : 0;
  void opts;
  return sendIcmp(ns, saddrOrig, src, tos, type, code, rest, b.slice(nh, nh + quoteLen), true);
}

/** Milliseconds since midnight UT (the ICMP timestamp format) of virtual time. */
function msSinceMidnight(ns: NetNs): number {
  return Math.floor(ns.world.now()) % 86_400_000;
}

/**
 * icmp_rcv for a locally delivered ICMP message (IPv4 header at pool.nh). The caller has
 * already given raw sockets their copies; this answers echoes and timestamps and passes errors
 * to the sockets' error queues.
 */
export function icmpRcv(ns: NetNs, slot: number, broadcast: boolean): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const hlen = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const o = nh + hlen;
  const len = total - hlen;
  const snmp = ns.inet.snmp;
  if (len < 8) {
    snmp.icmp[ICMP_IN_ERRORS]++;
    return;
  }
  if (!checksumOk(b, o, len)) {
    snmp.icmp[ICMP_IN_CSUM_ERRORS]++;
    snmp.icmp[ICMP_IN_ERRORS]++;
    return;
  }
  const type = b[o];
  snmp.icmp[ICMP_IN_MSGS]++;
  const ti = icmpTypeIndex(type, false);
  if (ti >= 0) snmp.icmp[ti]++;
  snmp.icmpMsgIn[type]++;
  const src = u32(b, nh + 12);
  const dst = u32(b, nh + 16);
  const tos = b[nh + 1];
  if (type === 8 || type === 13) {
    if (broadcast && sysctlInt(ns, 'net.ipv4.icmp_echo_ignore_broadcasts', 1)) {
      snmp.icmp[ICMP_IN_ERRORS]++;
      return;
    }
    if (type === 8 && sysctlInt(ns, 'net.ipv4.icmp_echo_ignore_all', 0)) return;
    // icmp_reply: from the address that was asked, with the request's whole TOS byte.
    const replySrc = broadcast ? 0 : dst;
    if (type === 8) {
      sendIcmp(ns, src, replySrc, tos, 0, 0, u32(b, o + 4), b.slice(o + 8, o + len), false);
    } else if (len >= 20) {
      const body = b.slice(o + 8, o + 20);
      const now = msSinceMidnight(ns);
      setU32(body, 4, now);
      setU32(body, 8, now);
      sendIcmp(ns, src, replySrc, tos, 14, 0, u32(b, o + 4), body, false);
    } else {
      snmp.icmp[ICMP_IN_ERRORS]++;
    }
    return;
  }
  // Source quench is discarded (icmp_discard) and a redirect stops at the route (raw_err's
  // ipv4_sk_redirect): only these errors reach the sockets.
  if ((type === 3 || type === 11 || type === 12) && len >= 8 + 20) {
    icmpUnreach(ns, b, o, len, src);
  }
}

/** icmp_unreach: an error about something we sent: PMTU learning and the sockets' error queues. */
function icmpUnreach(ns: NetNs, b: Uint8Array, o: number, len: number, offender: number): void {
  const type = b[o];
  const code = b[o + 1];
  const q = o + 8;
  const qdst = u32(b, q + 16);
  const qproto = b[q + 9];
  const inet = ns.inet;
  let info = 0;
  if (type === 12) info = b[o + 4];
  if (type === 3 && code === 4) {
    info = u16(b, o + 6);
    // Only learnt when a socket owns the quoted packet (here: a raw socket of its protocol).
    if (info >= 68 && inet.rawSockets.some((s) => s.protocol === qproto)) {
      const cur = inet.pmtuFor(qdst);
      if (!cur || info < cur) inet.pmtu.set(qdst | 0, { mtu: info, expires: ns.world.now() + 1000 * Number(ns.sysctl.get('net.ipv4.route.mtu_expires') ?? 600) });
    }
  }
  // udp_err: the sending UDP socket, if any (it needs the quoted UDP ports).
  if (qproto === 17 && len >= 8 + ((b[q] & 0x0f) << 2) + 8) udpErr(ns, b, q, type, code, info, undefined);
  const errno = icmpErrno(type, code);
  for (const s of inet.rawSockets) {
    if (s.protocol !== qproto) continue;
    s.error({ errno, origin: 2, type, code, info, offender, quoted: b.slice(q, o + len), time: ns.world.now() });
  }
}

/** icmp_err_convert. */
function icmpErrno(type: number, code: number): number {
  if (type === 3) {
    const table = [101, 113, 111, 111, 90, 95, 101, 113, 64, 101, 113, 101, 113, 113, 113, 113];
    return table[code] ?? 113;
  }
  if (type === 11) return 113;
  if (type === 12) return 71;
  return 0;
}
