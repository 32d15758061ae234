// ARP (net/ipv4/arp.c) and neighbour output (neigh_resolve_output): resolving next hops,
// queueing packets while a neighbour is INCOMPLETE, answering requests for our addresses,
// learning from requests and replies, and the host-unreachable errors when resolution fails.
import { IFF_NOARP, type NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import { PACKET_HOST, PACKET_LOOPBACK, PACKET_OTHERHOST, skbPool } from '../skb.ts';
import { u16, u32 } from '../../wire/bytes.ts';
import { writeArpEthIpv4 } from '../../wire/arp.ts';
import { NUD_VALID } from './constants.ts';
import type { Neighbour } from './neigh.ts';
import { NEIGH_UPDATE_F_OVERRIDE } from './neigh.ts';
import { icmpSendError } from './icmp.ts';
import { inetAddrType, inetSelectAddr } from './route-lookup.ts';
import { routeInput, type Rtable } from './rtable.ts';

export const NEIGH_UNICAST = 0;
export const NEIGH_BROADCAST = 1;
export const NEIGH_MULTICAST = 2;

const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;
const ZERO_MAC = new Uint8Array(6);
const BCAST_MAC = new Uint8Array(6).fill(0xff);
/** Scratch for a multicast destination MAC. */
const MCAST_MAC = Uint8Array.of(0x01, 0x00, 0x5e, 0, 0, 0);

/** Writes an Ethernet header at b[o..o+13]. */
function writeEth(b: Uint8Array, o: number, dst: Uint8Array, src: Uint8Array, type: number): void {
  b[o] = dst[0];
  b[o + 1] = dst[1];
  b[o + 2] = dst[2];
  b[o + 3] = dst[3];
  b[o + 4] = dst[4];
  b[o + 5] = dst[5];
  b[o + 6] = src[0];
  b[o + 7] = src[1];
  b[o + 8] = src[2];
  b[o + 9] = src[3];
  b[o + 10] = src[4];
  b[o + 11] = src[5];
  b[o + 12] = type >>> 8;
  b[o + 13] = type & 0xff;
}

/** Writes the Ethernet header before the packet at pool.head (which moves back 14 bytes). */
function pushEth(slot: number, dst: Uint8Array, src: Uint8Array, type: number): void {
  const o = skbPool.push(slot, 14);
  writeEth(skbPool.data[slot], o, dst, src, type);
}

/**
 * neigh_output for an IPv4 packet (at pool.head, no link header yet) going out of `dev` to
 * `nexthop`: loopback and broadcast need no resolution; otherwise the neighbour entry decides
 * whether it goes now, waits in the queue, or is dropped.
 */
export function neighOutput(ns: NetNs, slot: number, dev: NetDevice, nexthop: number, kind: number, rt?: Rtable): void {
  const net = ns.world.net;
  if (dev.isLoopback) {
    pushEth(slot, ZERO_MAC, ZERO_MAC, ETH_P_IP);
    net.xmit(slot, dev);
    return;
  }
  if (kind === NEIGH_BROADCAST || dev.flags & IFF_NOARP) {
    pushEth(slot, kind === NEIGH_BROADCAST ? BCAST_MAC : ZERO_MAC, dev.mac, ETH_P_IP);
    net.xmit(slot, dev);
    return;
  }
  if (kind === NEIGH_MULTICAST) {
    // ip_eth_mc_map: 01:00:5e + the low 23 bits of the group (pushEth copies it out at once).
    MCAST_MAC[3] = (nexthop >>> 16) & 0x7f;
    MCAST_MAC[4] = (nexthop >>> 8) & 0xff;
    MCAST_MAC[5] = nexthop & 0xff;
    pushEth(slot, MCAST_MAC, dev.mac, ETH_P_IP);
    net.xmit(slot, dev);
    return;
  }
  const table = ns.ipv4.neigh;
  // The route remembers its next hop's entry (the kernel's dst holds a neighbour reference)
  // until entries are created or removed.
  let n: Neighbour;
  const cached = rt?.neigh;
  if (cached !== undefined && rt!.neighGen === table.generation && cached.addr === nexthop && cached.dev === dev) {
    n = cached;
  } else {
    n = table.lookup(dev, nexthop) ?? table.create(dev, nexthop);
    if (rt !== undefined) {
      rt.neigh = n;
      rt.neighGen = table.generation;
    }
  }
  const verdict = table.eventSend(n);
  if (verdict === 'send') {
    pushEth(slot, n.lladdr!, dev.mac, ETH_P_IP);
    net.xmit(slot, dev);
  } else if (verdict === 'queue') {
    enqueue(ns, n, slot);
  } else if (verdict === 'probe') {
    // __neigh_event_send queues the packet, then probes (immediate_probe).
    enqueue(ns, n, slot);
    table.solicit(n);
  } else {
    net.pool.release(slot);
  }
}

/**
 * neigh_output on an entry already known to be usable (NUD_CONNECTED, DELAY or PROBE):
 * neigh_event_send only marks it used, and the frame goes with its address.
 */
export function neighXmitConnected(ns: NetNs, slot: number, n: Neighbour): void {
  n.used = ns.world.clock.now;
  pushEth(slot, n.lladdr!, n.dev.mac, ETH_P_IP);
  ns.world.net.xmit(slot, n.dev);
}

/**
 * neigh_hh_output: neighXmitConnected for an IPv4 packet of `total` bytes at `nh` in `b`
 * (the slot's buffer) whose caller already has the buffer at hand: the Ethernet header is
 * written straight before the network header (where ip_finish_output2's push puts it).
 */
export function neighHhOutput(ns: NetNs, slot: number, n: Neighbour, b: Uint8Array, nh: number, total: number): void {
  const world = ns.world;
  n.used = world.clock.now;
  const pool = skbPool;
  const o = nh - 14;
  pool.head[slot] = o;
  pool.len[slot] = total + 14;
  const dev = n.dev;
  writeEth(b, o, n.lladdr!, dev.mac, ETH_P_IP);
  world.net.xmit(slot, dev);
}

/** __neigh_event_send's queueing: oldest packets are dropped past unres_qlen_bytes. */
function enqueue(ns: NetNs, n: Neighbour, slot: number): void {
  const q = ns.inet.arpQueue.get(n) ?? [];
  ns.inet.arpQueue.set(n, q);
  const pool = skbPool;
  const limit = ns.ipv4.neigh.parm(n.dev, 'unres_qlen_bytes');
  let bytes = pool.len[slot];
  for (const s of q) bytes += pool.len[s];
  while (q.length && bytes > limit) {
    const old = q.shift()!;
    bytes -= pool.len[old];
    pool.release(old);
  }
  q.push(slot);
}

/** The neighbour became valid: send what waited for it, in order (neigh_update's flush). */
export function flushQueue(ns: NetNs, n: Neighbour): void {
  const q = ns.inet.arpQueue.get(n);
  if (!q || !(n.state & NUD_VALID) || !n.lladdr) return;
  ns.inet.arpQueue.delete(n);
  for (const slot of q) {
    pushEth(slot, n.lladdr, n.dev.mac, ETH_P_IP);
    ns.world.net.xmit(slot, n.dev);
  }
}

/** Resolution failed (neigh_invalidate): every queued packet gets a host-unreachable error. */
export function invalidated(ns: NetNs, n: Neighbour): void {
  const q = ns.inet.arpQueue.get(n);
  ns.inet.arpQueue.delete(n);
  if (!q) return;
  for (const slot of q) {
    // arp_error_report → icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH); the packet is as it
    // was queued (a forwarded one already has its TTL decremented).
    icmpSendError(ns, slot, 3, 1, 0);
    skbPool.release(slot);
  }
}

/**
 * arp_solicit: a request for `n` (broadcast while resolving, unicast to the cached address
 * while probing). The sender address is the queued packet's source if it is ours, else the
 * device's address for the target (arp_announce 0).
 */
export function solicit(ns: NetNs, n: Neighbour): void {
  const table = ns.ipv4.neigh;
  let probes = n.probes - table.parm(n.dev, 'ucast_solicit');
  let dstHw: Uint8Array | undefined;
  if (probes < 0) {
    if (!(n.state & NUD_VALID) || !n.lladdr) return;
    dstHw = n.lladdr;
  } else {
    probes -= table.parm(n.dev, 'app_solicit');
    if (probes < 0) return;
  }
  let saddr = 0;
  const q = ns.inet.arpQueue.get(n);
  if (q && q.length) {
    // neigh_probe: the packet queued last.
    const pool = skbPool;
    const s = q[q.length - 1];
    const src = u32(pool.data[s], pool.head[s] + 12);
    if (inetAddrType(ns, src) === 'local') saddr = src;
  }
  if (!saddr) saddr = inetSelectAddr(ns, n.dev, n.addr, 253);
  arpSend(ns, n.dev, 1, dstHw ?? BCAST_MAC, n.dev.mac, saddr, ZERO_MAC, n.addr);
}

/** arp_create + arp_xmit: a 42-byte Ethernet/ARP frame, not padded on veth. */
export function arpSend(ns: NetNs, dev: NetDevice, op: number, ethDst: Uint8Array, sha: Uint8Array, sip: number, tha: Uint8Array, tip: number): void {
  if (!dev.up || dev.flags & IFF_NOARP) return;
  const pool = skbPool;
  const slot = pool.alloc(42);
  const b = pool.data[slot];
  const o = pool.head[slot];
  for (let i = 0; i < 6; i++) {
    b[o + i] = ethDst[i];
    b[o + 6 + i] = dev.mac[i];
  }
  b[o + 12] = ETH_P_ARP >>> 8;
  b[o + 13] = ETH_P_ARP & 0xff;
  writeArpEthIpv4(b, o + 14, op, sha, 0, sip, tha, 0, tip);
  ns.world.net.xmit(slot, dev);
}

/** arp_rcv + arp_process for a frame received on `dev` (ARP header at pool.nh). */
export function arpRcv(ns: NetNs, slot: number, dev: NetDevice): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const a = pool.nh[slot];
  const end = pool.head[slot] + pool.len[slot];
  const pt = pool.pktType[slot];
  try {
    if (pt === PACKET_OTHERHOST || pt === PACKET_LOOPBACK || dev.flags & IFF_NOARP || a + 28 > end) return;
    if (u16(b, a) !== 1 || u16(b, a + 2) !== ETH_P_IP || b[a + 4] !== 6 || b[a + 5] !== 4) return;
    const op = u16(b, a + 6);
    if (op !== 1 && op !== 2) return;
    const sha = b.slice(a + 8, a + 14);
    const sip = u32(b, a + 14);
    const tip = u32(b, a + 24);
    if (tip >>> 28 === 0xe) return;
    const table = ns.ipv4.neigh;
    // An ARP probe (sender 0.0.0.0) for one of our addresses: answer it, learn nothing.
    if (sip === 0) {
      if (op === 1 && inetAddrType(ns, tip) === 'local') arpSend(ns, dev, 2, sha, dev.mac, tip, sha, sip);
      return;
    }
    if (op === 1) {
      let local = false;
      // Only one of our addresses can route as local: requests for others (every container
      // on a bridge hears every request) skip the input route and the error it would throw.
      if (inetAddrType(ns, tip) === 'local') {
        try {
          local = routeInput(ns, { dst: tip, src: sip, dev }).type === 'local';
        } catch {
          local = false;
        }
      }
      if (local) {
        // neigh_event_ns: the asker is learnt as STALE, then answered (arp_ignore 0).
        const n = table.lookup(dev, sip) ?? table.create(dev, sip);
        table.update(n, sha, 0x04, NEIGH_UPDATE_F_OVERRIDE);
        flushQueue(ns, n);
        arpSend(ns, dev, 2, sha, dev.mac, tip, sha, sip);
        return;
      }
    }
    // Replies and others' requests only update an entry we already have (arp_accept 0).
    const n = table.lookup(dev, sip);
    if (!n) return;
    const isGarp = op === 1 && tip === sip;
    const override = ns.world.now() >= n.updated + 10 * table.parm(n.dev, 'locktime') || isGarp;
    const state = op !== 2 || pt !== PACKET_HOST ? 0x04 : 0x02;
    table.update(n, sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
    flushQueue(ns, n);
  } finally {
    pool.release(slot);
  }
}
