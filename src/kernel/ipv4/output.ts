// IPv4 output (net/ipv4/ip_output.c): locally generated packets (ip_local_out) and the common
// tail every packet takes (ip_output → ip_finish_output → fragmentation → neighbour output).
import { skbPool } from '../skb.ts';
import type { NetDevice } from '../device.ts';
import { EACCES, EMSGSIZE, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { setU16, setU32 } from '../../wire/bytes.ts';
import { updateIpv4Checksum } from '../../wire/ipv4.ts';
import { RTCF_BROADCAST, RTCF_MULTICAST } from './constants.ts';
import { fragment } from './fragment.ts';
import { ipRcvLoopedBroadcast } from './input.ts';
import { icmpOutCount } from './icmp.ts';
import { NEIGH_BROADCAST, NEIGH_MULTICAST, NEIGH_UNICAST, neighOutput } from './arp.ts';
import type { Rtable } from './rtable.ts';
import { routeOutput } from './rtable.ts';
import {
  IP_FRAG_CREATES, IP_FRAG_FAILS, IP_FRAG_OKS, IP_OUT_NO_ROUTES, IP_OUT_REQUESTS, IP_OUT_TRANSMITS, IPEXT_OUT_BCAST_OCTETS,
  IPEXT_OUT_BCAST_PKTS, IPEXT_OUT_OCTETS,
} from './snmp.ts';
import type { PmtuDisc } from './raw.ts';
import { NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, nfHook } from '../netfilter/hooks.ts';

const EPERM = 1;

export const IP_DF = 0x4000;

/** What a sender asks for (the parts of a socket and its sendmsg that shape the packet). */
export interface LocalSend {
  dst: number;
  /** 0: chosen by the route. */
  src?: number;
  protocol: number;
  tos?: number;
  /** 0: net.ipv4.ip_default_ttl. */
  ttl?: number;
  pmtudisc?: PmtuDisc;
  oif?: NetDevice;
  mark?: number;
  /** SO_BROADCAST. */
  broadcast?: boolean;
  /** The transport header and data. */
  payload: Uint8Array;
  /** IP ID policy: 'auto' (the kernel's choice), or a fixed value (connected sockets' counters). */
  id?: number;
}

/** The result of a local send: 0, or a negative errno; `mtu` is set for EMSGSIZE. */
export interface SendResult {
  error: number;
  mtu: number;
  src: number;
}

function defaultTtl(ns: NetNs): number {
  return Number(ns.sysctl.get('net.ipv4.ip_default_ttl') ?? 64);
}

/** The MTU a packet to `dst` leaving by `rt` may use (device MTU, route metric, learnt PMTU). */
export function pathMtu(ns: NetNs, dev: NetDevice, dst: number, rt?: Rtable): number {
  let mtu = dev.mtu;
  if (rt !== undefined && rt.mtu !== 0 && rt.mtu < mtu) mtu = rt.mtu;
  if (ns.inet.pmtu.size !== 0) {
    const p = ns.inet.pmtuFor(dst);
    if (p && p < mtu) mtu = p;
  }
  return mtu;
}

/**
 * Sends a locally generated packet (raw_sendmsg / icmp_push_reply → ip_local_out). Route
 * errors come back as negative errnos, as the socket call would return them.
 */
export function ipSendLocal(ns: NetNs, req: LocalSend): SendResult {
  const inet = ns.inet;
  let rt: Rtable;
  try {
    rt = routeOutput(ns, { dst: req.dst, src: req.src, tos: req.tos, oif: req.oif?.ifindex, mark: req.mark, proto: req.protocol });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    inet.snmp.ip[IP_OUT_NO_ROUTES]++;
    return { error: -e.errno, mtu: 0, src: 0 };
  }
  if (rt.flags & RTCF_BROADCAST && !req.broadcast) return { error: -EACCES, mtu: 0, src: rt.src };
  const pmtudisc = req.pmtudisc ?? 'want';
  const hlen = 20;
  const total = hlen + req.payload.length;
  const mtu = pathMtu(ns, rt.dev, req.dst, rt);
  const df = pmtudisc === 'want' || pmtudisc === 'do' || pmtudisc === 'probe';
  // PMTUDISC_DO and PROBE may not fragment locally: EMSGSIZE, reported with the MTU.
  if ((pmtudisc === 'do' || pmtudisc === 'probe') && total > mtu) return { error: -EMSGSIZE, mtu, src: rt.src };
  // Even a datagram that may be fragmented cannot be larger than 64 KiB (still reported with the MTU).
  if (total > 0xffff) return { error: -EMSGSIZE, mtu, src: rt.src };
  const pool = skbPool;
  const slot = pool.alloc(total);
  const b = pool.data[slot];
  const o = pool.head[slot];
  pool.nh[slot] = o;
  b[o] = 0x45;
  b[o + 1] = req.tos ?? 0;
  setU16(b, o + 2, total);
  // DF packets that may not be fragmented (no ignore_df) get ID 0 without a connected socket;
  // everything else the hashed per-destination counter.
  const ignoreDf = pmtudisc === 'want' || pmtudisc === 'dont';
  const mayFragment = total > mtu && ignoreDf;
  const frag = df && !mayFragment ? IP_DF : 0;
  setU16(b, o + 6, frag);
  const id = req.id ?? (frag && !ignoreDf ? 0 : inet.idents.next(req.dst, rt.src, req.protocol, ns.world.now(), 1));
  setU16(b, o + 4, id);
  b[o + 8] = req.ttl || defaultTtl(ns);
  b[o + 9] = req.protocol;
  setU32(b, o + 12, rt.src);
  setU32(b, o + 16, req.dst);
  b.set(req.payload, o + hlen);
  updateIpv4Checksum(b, o);
  pool.mark[slot] = req.mark ?? 0;
  inet.snmp.ip[IP_OUT_REQUESTS]++;
  // __ip_make_skb: a locally made ICMP message is counted by its type.
  if (req.protocol === 1 && req.payload.length) icmpOutCount(ns, req.payload[0]);
  // ip_local_out: the OUTPUT hook; a drop there is the sender's EPERM.
  if (!nfHook(ns, NF_INET_LOCAL_OUT, slot, undefined, rt.dev)) {
    ns.world.net.run();
    return { error: -EPERM, mtu: 0, src: rt.src };
  }
  // ip_route_me_harder: a destination NAT at OUTPUT routes the packet again.
  const newDst = ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0;
  if (newDst !== req.dst >>> 0) {
    try {
      rt = routeOutput(ns, { dst: newDst, src: rt.src, tos: req.tos, oif: req.oif?.ifindex, mark: pool.mark[slot], proto: req.protocol });
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      pool.release(slot);
      ns.world.net.run();
      return { error: -e.errno, mtu: 0, src: 0 };
    }
  }
  ipOutput(ns, slot, rt, ignoreDf);
  ns.world.net.run();
  return { error: 0, mtu: 0, src: rt.src };
}

/**
 * ip_output/ip_finish_output: counts, fragments if the packet is larger than the path MTU and
 * may be fragmented, and hands each piece to the neighbour layer. The slot holds the IPv4
 * packet at pool.nh (its link header, if any, before it is rewritten).
 */
export function ipOutput(ns: NetNs, slot: number, rt: Rtable, ignoreDf: boolean): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const total = (b[nh + 2] << 8) | b[nh + 3];
  pool.len[slot] = pool.head[slot] <= nh ? nh - pool.head[slot] + total : total;
  const dst = ((b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19]) >>> 0;
  const mtu = pathMtu(ns, rt.dev, dst, rt);
  const snmp = ns.inet.snmp.ip;
  if (!nfHook(ns, NF_INET_POST_ROUTING, slot, undefined, rt.dev)) return;
  // ip_mc_output: a broadcast this host sends goes to itself too, whole, before any fragmenting.
  if (!rt.input && rt.flags & RTCF_BROADCAST && !rt.dev.isLoopback) ipRcvLoopedBroadcast(ns, pool.clone(slot), rt.dev);
  // A datagram conntrack reassembled leaves in pieces no larger than those it came in.
  const fragMax = pool.fragMax[slot];
  if (total > mtu || fragMax !== 0) {
    if ((b[nh + 6] & 0x40) && (!ignoreDf || fragMax > mtu)) {
      snmp[IP_FRAG_FAILS]++;
      pool.release(slot);
      return;
    }
    fragmentOutput(ns, slot, rt, fragMax !== 0 && fragMax < mtu ? fragMax : mtu);
    return;
  }
  finishOutput2(ns, slot, rt);
}

/** ip_fragment: kept out of ipOutput so its closure is not allocated for every packet. */
function fragmentOutput(ns: NetNs, slot: number, rt: Rtable, mtu: number): void {
  const snmp = ns.inet.snmp.ip;
  const n = fragment(skbPool, slot, mtu, (f) => finishOutput2(ns, f, rt));
  snmp[IP_FRAG_OKS]++;
  snmp[IP_FRAG_CREATES] += n;
  skbPool.release(slot);
}

/** ip_finish_output2: counted as transmitted, then to the neighbour (ARP) layer. */
function finishOutput2(ns: NetNs, slot: number, rt: Rtable): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  // The packet starts at the network header from here; the link header is rebuilt before it.
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const snmp = ns.inet.snmp;
  snmp.ip[IP_OUT_TRANSMITS]++;
  snmp.ipExt[IPEXT_OUT_OCTETS] += total;
  if (rt.flags & RTCF_BROADCAST) {
    snmp.ipExt[IPEXT_OUT_BCAST_PKTS]++;
    snmp.ipExt[IPEXT_OUT_BCAST_OCTETS] += total;
  }
  pool.head[slot] = nh;
  pool.len[slot] = total;
  const dst = ((b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19]) >>> 0;
  const nexthop = rt.gateway || dst;
  const kind = rt.flags & RTCF_BROADCAST ? NEIGH_BROADCAST : rt.flags & RTCF_MULTICAST ? NEIGH_MULTICAST : NEIGH_UNICAST;
  neighOutput(ns, slot, rt.dev, nexthop, kind, rt);
}
