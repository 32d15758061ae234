// The bridge's packet path (br_input.c, br_forward.c, br_device.c's br_dev_xmit): learning the
// source on the ingress port, the FDB lookup, delivery to one port, flooding with the per-port
// flags, and passing frames up the bridge device's own stack. No objects, closures or arrays
// are made per frame; copies for flooding are packet buffers from the pool.
import { MULTICAST, RX_BYTES, RX_PACKETS, TX_BYTES, TX_PACKETS, type NetDevice } from '../device.ts';
import { TAP_IN } from '../netif.ts';
import { PACKET_BROADCAST, PACKET_HOST, skbPool } from '../skb.ts';
import type { Bridge } from './bridge.ts';
import { FDB_LOCAL, FDB_STICKY, FDB_TO_BRIDGE, macHi, macLo } from './fdb.ts';
import { bridgeNf, nfCallIptables } from './netfilter.ts';
import {
  BR_BCAST_FLOOD, BR_FLOOD, BR_HAIRPIN_MODE, BR_LEARNING, BR_MCAST_FLOOD, BR_PROXYARP, BR_STATE_DISABLED,
  BR_STATE_FORWARDING, BR_STATE_LEARNING, type BridgePort,
} from './port.ts';
import { stpRcv, type StpHandlers } from './stp-bpdu.ts';
import { receivedConfigBpdu, receivedTcnBpdu } from './stp.ts';
import { disablePort } from './stp-if.ts';

const PKT_UNICAST = 0;
const PKT_MULTICAST = 1;
const PKT_BROADCAST = 2;
const ETH_HLEN = 14;
/** VLAN_HLEN: is_skb_forwardable allows an MTU-sized payload plus a VLAN tag. */
const VLAN_HLEN = 4;

const STP_HANDLERS: StpHandlers = { config: receivedConfigBpdu, tcn: receivedTcnBpdu, disablePort };

/**
 * br_fdb_update: learn (or refresh, or move) the source MAC (as the FDB's 16 + 32-bit key) on
 * port `p`. The clock is read here rather than passed in: a millisecond timestamp passed to a
 * function V8 does not inline would be a heap number.
 */
function fdbUpdate(br: Bridge, p: BridgePort, hi: number, lo: number): void {
  if ((br.topologyChange ? br.forwardDelay : br.ageingTime) === 0) return;
  const fdb = br.fdb;
  const id = fdb.index.getKey(hi, lo);
  if (id >= 0) {
    const f = fdb.flags[id];
    if (f & FDB_LOCAL) return;
    // As br_fdb_update: the entry is not written when the time has not moved.
    const now = br.clock.now;
    if (fdb.updated[id] !== now) fdb.updated[id] = now;
    if (fdb.port[id] !== p.portNo && !(f & FDB_STICKY)) fdb.port[id] = p.portNo;
    return;
  }
  fdb.create(hi, lo, p.portNo, 0, br.clock.now);
}

/** should_deliver: not back out of the ingress port unless hairpin, and only to forwarding ports. */
function shouldDeliver(p: BridgePort, from: NetDevice): boolean {
  return ((p.flags & BR_HAIRPIN_MODE) !== 0 || from !== p.dev) && p.state === BR_STATE_FORWARDING;
}

/** is_skb_forwardable: a frame of `len` bytes fits the port device's MTU (plus a VLAN tag). */
function forwardable(len: number, to: NetDevice): boolean {
  return len <= to.mtu + ETH_HLEN + VLAN_HLEN;
}

/** Whether br_netfilter's FORWARD and POSTROUTING hooks see the frame (an IPv4 frame not sent by the bridge itself). */
function nfForward(br: Bridge, slot: number, from: NetDevice): boolean {
  const pool = skbPool;
  return bridgeNf.hooks !== undefined && from !== br && isIpv4(pool.data[slot], pool.head[slot]) && nfCallIptables(br);
}

/**
 * __br_forward → br_forward_finish → br_dev_queue_push_xmit: out of the port's device. `nf`
 * is nfForward's answer for the frame (the same for all of a flood's copies).
 */
function xmitPort(br: Bridge, p: BridgePort, slot: number, from: NetDevice, nf: boolean): void {
  const to = p.dev;
  if (!forwardable(skbPool.len[slot], to)) {
    skbPool.release(slot);
    return;
  }
  if (nf && !nfForwardHooks(br, slot, from, to)) return;
  br.net.xmit(slot, to);
}

/** NF_BR_FORWARD then NF_BR_POST_ROUTING; false when they took the frame. */
function nfForwardHooks(br: Bridge, slot: number, from: NetDevice, to: NetDevice): boolean {
  const nf = bridgeNf.hooks!;
  return nf.forward(slot, br, from, to) && nf.postRouting(slot, br, to);
}

function isIpv4(b: Uint8Array, o: number): boolean {
  return b[o + 12] === 0x08 && b[o + 13] === 0x00;
}

/** br_forward: to the one port the destination is behind. */
function forward(br: Bridge, to: BridgePort | undefined, slot: number, localRcv: boolean, from: NetDevice): void {
  if (to !== undefined && shouldDeliver(to, from)) {
    xmitPort(br, to, localRcv ? skbPool.copy(slot) : slot, from, nfForward(br, slot, from));
    return;
  }
  if (!localRcv) skbPool.release(slot);
}

/**
 * br_flood: a copy to every eligible port in port-list order (the last gets the frame itself
 * unless it also goes up the bridge's stack). Frames the bridge sends itself ignore the
 * multicast and broadcast flood flags. A frame too long for a port is not copied for it.
 */
function flood(br: Bridge, slot: number, pktType: number, localRcv: boolean, from: NetDevice): void {
  const pool = skbPool;
  const ports = br.ports;
  const localOrig = from === br;
  const len = pool.len[slot];
  const nf = nfForward(br, slot, from);
  let prev: BridgePort | undefined;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i];
    const f = p.flags;
    if (pktType === PKT_UNICAST) {
      if (!(f & BR_FLOOD)) continue;
    } else if (pktType === PKT_MULTICAST) {
      if (!(f & BR_MCAST_FLOOD) && !localOrig) continue;
    } else if (!(f & BR_BCAST_FLOOD) && !localOrig) {
      continue;
    }
    if (f & BR_PROXYARP || !shouldDeliver(p, from)) continue;
    if (prev !== undefined && forwardable(len, prev.dev)) xmitPort(br, prev, pool.copy(slot), from, nf);
    prev = p;
  }
  if (prev === undefined) {
    if (!localRcv) pool.release(slot);
    return;
  }
  xmitPort(br, prev, localRcv ? pool.copy(slot) : slot, from, nf);
}

/** br_pass_frame_up: counted on the bridge (without the Ethernet header), seen by its taps, up its stack. */
function passUp(br: Bridge, slot: number): void {
  const pool = skbPool;
  br.stats.c[RX_PACKETS]++;
  br.stats.c[RX_BYTES] += pool.len[slot] - ETH_HLEN;
  pool.dev[slot] = br;
  if (br.taps.length) br.net.tap(slot, br, TAP_IN);
  br.net.deliverUp(slot, br);
}

/** br_handle_frame: the rx handler of every bridge port (Net.bridgeRx). */
export function brHandleFrame(slot: number, dev: NetDevice): void {
  const p = dev.brPort!;
  const br = p.br;
  const pool = skbPool;
  const b = pool.data[slot];
  const o = pool.head[slot];
  // The source MAC as the FDB's key, read once.
  const srcHi = (b[o + 6] << 8) | b[o + 7];
  const srcLo = (b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11];
  // is_valid_ether_addr(source): not multicast, not zero.
  if (srcHi & 0x100 || (srcHi | srcLo) === 0) {
    pool.release(slot);
    return;
  }
  if (b[o] === 0x01 && b[o + 1] === 0x80 && b[o + 2] === 0xc2 && b[o + 3] === 0 && b[o + 4] === 0 && (b[o + 5] & 0xf0) === 0) {
    if (linkLocal(br, p, slot, b, o)) return;
  }
  const state = p.state;
  if (state !== BR_STATE_FORWARDING && state !== BR_STATE_LEARNING) {
    pool.release(slot);
    return;
  }
  const m = br.mac;
  if (b[o] === m[0] && b[o + 1] === m[1] && b[o + 2] === m[2] && b[o + 3] === m[3] && b[o + 4] === m[4] && b[o + 5] === m[5]) {
    pool.pktType[slot] = PACKET_HOST;
  }
  const nf = bridgeNf.hooks;
  if (nf !== undefined && isIpv4(b, o) && nfCallIptables(br) && !nf.preRouting(slot, br, dev)) return;
  // br_handle_frame_finish (the Ethernet header is as it came: the hook runs the IPv4 tables).
  if (p.state === BR_STATE_DISABLED) {
    pool.release(slot);
    return;
  }
  if (p.flags & BR_LEARNING) fdbUpdate(br, p, srcHi, srcLo);
  if (b[o] & 1) {
    groupFinish(br, p, slot, dev);
    return;
  }
  if (p.state === BR_STATE_LEARNING) {
    pool.release(slot);
    return;
  }
  const localRcv = br.promiscuity > 0;
  const fdb = br.fdb;
  const dst = fdb.index.getKey((b[o] << 8) | b[o + 1], (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]);
  if (dst < 0) {
    flood(br, slot, PKT_UNICAST, localRcv, dev);
  } else if (fdb.flags[dst] & FDB_LOCAL) {
    passUp(br, slot);
    return;
  } else {
    const now = br.clock.now;
    if (fdb.used[dst] !== now) fdb.used[dst] = now;
    forward(br, br.portByNo[fdb.port[dst]], slot, localRcv, dev);
  }
  if (localRcv) passUp(br, slot);
}

/** The rest of br_handle_frame_finish for a broadcast or multicast destination: flooded, and up the bridge's stack. */
function groupFinish(br: Bridge, p: BridgePort, slot: number, dev: NetDevice): void {
  // eth_type_trans on the port already told broadcast from multicast.
  const bcast = skbPool.pktType[slot] === PACKET_BROADCAST;
  if (p.state === BR_STATE_LEARNING) {
    skbPool.release(slot);
    return;
  }
  // Multicast: no querier, so no snooped group applies.
  if (!bcast) br.stats.c[MULTICAST]++;
  flood(br, slot, bcast ? PKT_BROADCAST : PKT_MULTICAST, true, dev);
  passUp(br, slot);
}

/**
 * 01:80:c2:00:00:0X (br_handle_frame's link-local part). Returns true when the frame was
 * consumed here; false when it is forwarded like any other frame.
 */
function linkLocal(br: Bridge, p: BridgePort, slot: number, b: Uint8Array, o: number): boolean {
  const last = b[o + 5];
  const mask = br.groupFwdMask;
  if (last === 0x00) {
    if (br.stpEnabled === 0 || mask & 1) return false;
  } else if (last === 0x01) {
    skbPool.release(slot);
    return true;
  } else if (mask & (1 << last)) {
    return false;
  }
  // __br_handle_local_finish: learn, then up the port's own stack (STP's LLC handler for BPDUs).
  if (p.flags & BR_LEARNING && (p.state === BR_STATE_LEARNING || p.state === BR_STATE_FORWARDING)) {
    fdbUpdate(br, p, macHi(b, o + 6), macLo(b, o + 6));
  }
  const pool = skbPool;
  if (last === 0x00) {
    stpRcv(p, b, o, o + pool.len[slot], STP_HANDLERS);
    pool.release(slot);
  } else {
    br.net.deliverUp(slot, p.dev);
  }
  return true;
}

/** br_dev_xmit: what the bridge device itself sends, through the same lookup. */
export function brDevXmit(slot: number, dev: NetDevice): void {
  const br = dev as Bridge;
  const pool = skbPool;
  const b = pool.data[slot];
  const o = pool.head[slot];
  br.stats.c[TX_PACKETS]++;
  br.stats.c[TX_BYTES] += pool.len[slot];
  if (b[o] & 1) {
    const bcast = (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff;
    flood(br, slot, bcast ? PKT_BROADCAST : PKT_MULTICAST, false, br);
    return;
  }
  const dst = br.fdb.find(b, o);
  if (dst >= 0) {
    const portNo = br.fdb.port[dst];
    if (portNo === FDB_TO_BRIDGE) pool.release(slot);
    else forward(br, br.portByNo[portNo], slot, false, br);
    return;
  }
  flood(br, slot, PKT_UNICAST, false, br);
}
