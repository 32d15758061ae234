// IPv4 receive (net/ipv4/ip_input.c, ip_forward.c): header checks with the kernel's counters,
// the input route, local delivery (reassembly, raw sockets, ICMP, unknown protocols) and
// forwarding (TTL, MTU/DF, decrement, egress).
import { IFF_LOOPBACK, IFF_NOARP, type NetDevice, RX_OTHERHOST_DROPPED } from '../device.ts';
import { KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { PACKET_HOST, PACKET_LOOPBACK, PACKET_OTHERHOST, skbPool } from '../skb.ts';
import { u32 } from '../../wire/bytes.ts';
import { decIpv4Ttl, ipv4ChecksumOk } from '../../wire/ipv4.ts';
import { NUD_CONNECTED, NUD_DELAY, NUD_PROBE, RTCF_BROADCAST, RTCF_DOREDIRECT } from './constants.ts';
import { icmpRcv, icmpSendError } from './icmp.ts';
import { udpRcv } from './udp.ts';
import { neighHhOutput, neighXmitConnected } from './arp.ts';
import type { Neighbour } from './neigh.ts';
import { ipOutput, pathMtu } from './output.ts';
import { routeInput, type Rtable } from './rtable.ts';
import { NF_INET_FORWARD, NF_INET_LOCAL_IN, NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING, nfHook } from '../netfilter/hooks.ts';
import { inetAddrType } from './route-lookup.ts';
import {
  IP_FORW_DATAGRAMS, IP_FRAG_FAILS, IP_IN_ADDR_ERRORS, IP_IN_DELIVERS, IP_IN_HDR_ERRORS,
  IP_IN_RECEIVES, IP_IN_UNKNOWN_PROTOS, IP_OUT_TRANSMITS, IPEXT_OUT_OCTETS,
  IPEXT_IN_BCAST_OCTETS, IPEXT_IN_BCAST_PKTS, IPEXT_IN_CSUM_ERRORS, IPEXT_IN_NO_ROUTES, IPEXT_IN_NOECT, IPEXT_IN_OCTETS,
  IPEXT_IN_TRUNCATED,
} from './snmp.ts';

const EHOSTUNREACH = 113;
const ENETUNREACH = 101;
const EACCES = 13;

/** ip_rcv: an IPv4 packet received on `dev` (header at pool.nh). Consumes the slot. */
export function ipRcv(ns: NetNs, slot: number, dev: NetDevice): void {
  const pool = skbPool;
  if (pool.pktType[slot] === PACKET_OTHERHOST) {
    dev.stats.c[RX_OTHERHOST_DROPPED]++;
    pool.release(slot);
    return;
  }
  const snmp = ns.inet.snmp.ip;
  snmp[IP_IN_RECEIVES]++;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const avail = pool.head[slot] + pool.len[slot] - nh;
  if (avail < 20 || b[nh] >>> 4 !== 4 || (b[nh] & 0x0f) < 5) return drop(ns, slot, IP_IN_HDR_ERRORS);
  const hlen = (b[nh] & 0x0f) << 2;
  if (avail < hlen) return drop(ns, slot, IP_IN_HDR_ERRORS);
  if (!ipv4ChecksumOk(b, nh)) {
    ns.inet.snmp.ipExt[IPEXT_IN_CSUM_ERRORS]++;
    return drop(ns, slot, IP_IN_HDR_ERRORS);
  }
  const total = (b[nh + 2] << 8) | b[nh + 3];
  if (avail < total) {
    ns.inet.snmp.ipExt[IPEXT_IN_TRUNCATED]++;
    pool.release(slot);
    return;
  }
  if (total < hlen) return drop(ns, slot, IP_IN_HDR_ERRORS);
  const ext = ns.inet.snmp.ipExt;
  ext[IPEXT_IN_OCTETS] += total;
  ext[IPEXT_IN_NOECT + (b[nh + 1] & 3)]++;
  // pskb_trim_rcsum: link-layer padding goes.
  pool.len[slot] = nh - pool.head[slot] + total;
  pool.iif[slot] = dev;
  // A frame br_netfilter already took through PREROUTING skips it here (ip_sabotage_in).
  if (pool.nfBridged[slot] !== 0) {
    pool.nfBridged[slot] = 0;
    return ipRcvFinish(ns, slot, dev, b, nh, NF_ANY);
  }
  const hooks = ns.inet.nfActiveHooks();
  if ((hooks & (1 << NF_INET_PRE_ROUTING)) === 0) return ipRcvFinish(ns, slot, dev, b, nh, hooks);
  if (!nfHook(ns, NF_INET_PRE_ROUTING, slot, dev, undefined)) return;
  // conntrack's defragmentation may have made the packet a whole datagram in a new buffer.
  ipRcvFinish(ns, slot, dev, pool.data[slot], pool.nh[slot], NF_ANY);
}

/** ipRcvFinish's `hooks` when the rules may have changed since they were looked at: every hook is called. */
const NF_ANY = 0x1f;
/** The hooks after the input route of a forwarded packet. */
const NF_FORWARD_OUT = (1 << NF_INET_FORWARD) | (1 << NF_INET_POST_ROUTING);

/**
 * ip_rcv_finish: the input route, then local delivery or forwarding. `hooks`: the netfilter
 * hooks with rules (NetNs.inet.nfActiveHooks) if no rule ran since that was read, else NF_ANY.
 */
function ipRcvFinish(ns: NetNs, slot: number, dev: NetDevice, b: Uint8Array, nh: number, hooks: number): void {
  const pool = skbPool;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const ext = ns.inet.snmp.ipExt;
  // int32 addresses for the fast path: an address from 128.0.0.0 up read as an unsigned number
  // is beyond the small-integer range, a heap number when passed to a call that is not inlined
  // (with netfilter active, cachedForward was not: 24 bytes a packet from 172.17/16).
  const dst32 = (b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19];
  const src32 = (b[nh + 12] << 24) | (b[nh + 13] << 16) | (b[nh + 14] << 8) | b[nh + 15];
  // A packet looped back by this host still has the route it was sent with (loopback_xmit
  // keeps its dst): no input route, so no martian checks; only local destinations are taken.
  if (dev.isLoopback) {
    const type = inetAddrType(ns, dst32 >>> 0);
    if (type === 'local' || type === 'broadcast' || type === 'multicast') ipLocalDeliver(ns, slot, type !== 'local');
    else pool.release(slot);
    return;
  }
  // The fast path: a cached route that depends on the destination alone.
  const cached = ns.inet.cachedForward(dev, dst32, src32);
  if (cached !== undefined) {
    if (cached.type === 'local') ipLocalDeliver(ns, slot, false);
    else ipForwardCached(ns, slot, cached, b, nh, total, hooks);
    return;
  }
  ipRcvRoute(ns, slot, dev, b, nh, total, ext);
}

/** ip_rcv_finish without a cached route: the input route lookup (and caching it). */
function ipRcvRoute(ns: NetNs, slot: number, dev: NetDevice, b: Uint8Array, nh: number, total: number, ext: Float64Array): void {
  const pool = skbPool;
  const dst = u32(b, nh + 16);
  const src = u32(b, nh + 12);
  let rt: Rtable;
  try {
    rt = routeInput(ns, { dst, src, tos: b[nh + 1], dev, mark: pool.mark[slot], proto: b[nh + 9] });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    // Martians and the like: dropped.
    pool.release(slot);
    return;
  }
  ns.inet.cacheForward(dev, dst, rt, (rt.flags & RTCF_DOREDIRECT) !== 0);
  if (rt.error) return ipError(ns, slot, rt);
  if (rt.flags & RTCF_BROADCAST) {
    ext[IPEXT_IN_BCAST_PKTS]++;
    ext[IPEXT_IN_BCAST_OCTETS] += total;
  }
  if (rt.type === 'local' || rt.type === 'broadcast' || rt.type === 'multicast') {
    ipLocalDeliver(ns, slot, (rt.flags & RTCF_BROADCAST) !== 0 || rt.type === 'multicast');
    return;
  }
  ipForward(ns, slot, rt);
}

function drop(ns: NetNs, slot: number, counter: number): void {
  ns.inet.snmp.ip[counter]++;
  skbPool.release(slot);
}

/** ip_error: the input route ended in an error. With forwarding off, counted only. */
function ipError(ns: NetNs, slot: number, rt: Rtable): void {
  const pool = skbPool;
  const dev = pool.iif[slot]!;
  const snmp = ns.inet.snmp.ip;
  const forwarding = Number(ns.sysctl.get(`net.ipv4.conf.${dev.name}.forwarding`) ?? 0) !== 0;
  if (!forwarding) {
    if (rt.error === EHOSTUNREACH) snmp[IP_IN_ADDR_ERRORS]++;
    else if (rt.error === ENETUNREACH) ns.inet.snmp.ipExt[IPEXT_IN_NO_ROUTES]++;
    pool.release(slot);
    return;
  }
  let code = -1;
  if (rt.error === EHOSTUNREACH) code = 1;
  else if (rt.error === ENETUNREACH) {
    code = 0;
    ns.inet.snmp.ipExt[IPEXT_IN_NO_ROUTES]++;
  }
  else if (rt.error === EACCES) code = 13;
  if (code >= 0) {
    const b = pool.data[slot];
    const src = u32(b, pool.nh[slot] + 12);
    if (ns.inet.ratelimit.allowRouteError(src, ns.world.now())) icmpSendError(ns, slot, 3, code, 0);
  }
  pool.release(slot);
}

/**
 * ip_rcv for a broadcast this host sent, looped back to itself by ip_mc_output
 * (dev_loopback_xmit): it comes in on the sending device as PACKET_LOOPBACK with its output
 * route (broadcast, local) still attached, so it is counted and delivered locally without an
 * input route. Captures never see it. Consumes the slot.
 */
export function ipRcvLoopedBroadcast(ns: NetNs, slot: number, dev: NetDevice): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const total = (b[nh + 2] << 8) | b[nh + 3];
  ns.inet.snmp.ip[IP_IN_RECEIVES]++;
  const ext = ns.inet.snmp.ipExt;
  ext[IPEXT_IN_OCTETS] += total;
  ext[IPEXT_IN_NOECT + (b[nh + 1] & 3)]++;
  ext[IPEXT_IN_BCAST_PKTS]++;
  ext[IPEXT_IN_BCAST_OCTETS] += total;
  pool.len[slot] = nh - pool.head[slot] + total;
  pool.iif[slot] = dev;
  pool.pktType[slot] = PACKET_LOOPBACK;
  if (!nfHook(ns, NF_INET_PRE_ROUTING, slot, dev, undefined)) return;
  ipLocalDeliver(ns, slot, true);
}

/** ip_local_deliver: reassembly, then the protocol. */
function ipLocalDeliver(ns: NetNs, slot: number, broadcast: boolean): void {
  const pool = skbPool;
  let b = pool.data[slot];
  let nh = pool.nh[slot];
  if (((b[nh + 6] << 8) | b[nh + 7]) & 0x3fff) {
    const whole = ns.inet.reasm.add(slot);
    if (whole < 0) return;
    slot = whole;
    b = pool.data[slot];
    nh = pool.nh[slot];
  }
  if (!nfHook(ns, NF_INET_LOCAL_IN, slot, pool.iif[slot], undefined)) return;
  const proto = b[nh + 9];
  const snmp = ns.inet.snmp.ip;
  // raw_local_deliver: every raw socket of the protocol gets a copy.
  let raw = false;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  for (const s of ns.inet.rawSockets) {
    if (s.protocol !== proto || (s.bindDev && s.bindDev !== pool.iif[slot])) continue;
    s.deliver({ bytes: b.slice(nh, nh + total), time: ns.world.now(), dev: pool.iif[slot] });
    raw = true;
  }
  if (proto === 1) {
    snmp[IP_IN_DELIVERS]++;
    icmpRcv(ns, slot, broadcast);
  } else if (proto === 17) {
    snmp[IP_IN_DELIVERS]++;
    udpRcv(ns, slot, broadcast);
  } else if (raw) {
    snmp[IP_IN_DELIVERS]++;
  } else {
    // No handler: protocol unreachable (not for broadcasts).
    snmp[IP_IN_UNKNOWN_PROTOS]++;
    if (!broadcast && pool.pktType[slot] === PACKET_HOST) icmpSendError(ns, slot, 3, 2, 0);
  }
  pool.release(slot);
}

/** ip_forward: TTL and MTU checks on the header as received, then decrement and send. */
function ipForward(ns: NetNs, slot: number, rt: Rtable): void {
  const pool = skbPool;
  const snmp = ns.inet.snmp.ip;
  if (pool.pktType[slot] !== PACKET_HOST) {
    pool.release(slot);
    return;
  }
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  if (b[nh + 8] <= 1) {
    icmpSendError(ns, slot, 11, 0, 0);
    return drop(ns, slot, IP_IN_HDR_ERRORS);
  }
  // ForwDatagrams (IPSTATS_MIB_INFORWDATAGRAMS) counts what passed the TTL check, even if
  // it then fails the MTU check (recorded: frag-needed, r1).
  snmp[IP_FORW_DATAGRAMS]++;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const dst = u32(b, nh + 16);
  const mtu = pathMtu(ns, rt.dev, dst, rt);
  if (total > mtu && b[nh + 6] & 0x40) {
    snmp[IP_FRAG_FAILS]++;
    icmpSendError(ns, slot, 3, 4, mtu);
    pool.release(slot);
    return;
  }
  decIpv4Ttl(b, nh);
  if (rt.flags & RTCF_DOREDIRECT) {
    // ip_rt_send_redirect: the gateway for this destination is on the sender's own link.
    sendRedirect(ns, slot, rt);
  }
  if (!nfHook(ns, NF_INET_FORWARD, slot, pool.iif[slot], rt.dev)) return;
  ipOutput(ns, slot, rt, false);
}

/**
 * ip_forward → ip_output → ip_finish_output2 → neigh_output for a packet on a cached route
 * whose gateway's neighbour entry is usable: the same checks, counters and hooks as ipForward,
 * ipOutput and finishOutput2, in one function without re-reading the header. Anything it does
 * not cover (TTL expiry, a packet larger than the path MTU, a learnt PMTU, an unresolved or
 * changed neighbour, a device without ARP) goes the general way before anything is counted.
 */
function ipForwardCached(ns: NetNs, slot: number, rt: Rtable, b: Uint8Array, nh: number, total: number, hooks: number): void {
  const pool = skbPool;
  const out = rt.dev;
  const n = rt.neigh;
  if (pool.pktType[slot] !== PACKET_HOST || b[nh + 8] <= 1 || total > out.mtu || (rt.mtu !== 0 && total > rt.mtu) || pool.fragMax[slot] !== 0 ||
    ns.inet.pmtu.size !== 0 || rt.gateway === 0 || n === undefined || rt.neighGen !== ns.ipv4.neigh.generation ||
    (n.state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) === 0 || (out.flags & (IFF_LOOPBACK | IFF_NOARP)) !== 0) {
    ipForward(ns, slot, rt);
    return;
  }
  const snmp = ns.inet.snmp;
  snmp.ip[IP_FORW_DATAGRAMS]++;
  decIpv4Ttl(b, nh);
  // No base chain at FORWARD or POSTROUTING (nothing to run or count): no hook runs between
  // here and the device.
  if ((hooks & NF_FORWARD_OUT) !== 0) {
    ipForwardCachedHooks(ns, slot, out, n, nh, total);
    return;
  }
  snmp.ip[IP_OUT_TRANSMITS]++;
  snmp.ipExt[IPEXT_OUT_OCTETS] += total;
  neighHhOutput(ns, slot, n, b, nh, total);
}

/** ipForwardCached's second half when netfilter has chains at FORWARD or POSTROUTING. */
function ipForwardCachedHooks(ns: NetNs, slot: number, out: NetDevice, n: Neighbour, nh: number, total: number): void {
  const pool = skbPool;
  if (!nfHook(ns, NF_INET_FORWARD, slot, pool.iif[slot], out)) return;
  // ip_output: the link-layer header and padding go; then POSTROUTING.
  const head = pool.head[slot];
  pool.len[slot] = head <= nh ? nh - head + total : total;
  if (!nfHook(ns, NF_INET_POST_ROUTING, slot, undefined, out)) return;
  // ip_finish_output2.
  const snmp = ns.inet.snmp;
  snmp.ip[IP_OUT_TRANSMITS]++;
  snmp.ipExt[IPEXT_OUT_OCTETS] += total;
  pool.head[slot] = nh;
  pool.len[slot] = total;
  neighXmitConnected(ns, slot, n);
}

function sendRedirect(ns: NetNs, slot: number, rt: Rtable): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const gw = rt.gateway || u32(b, nh + 16);
  icmpSendError(ns, slot, 5, 1, gw);
}
