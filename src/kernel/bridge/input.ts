// The bridge's packet path (br_input.c, br_forward.c, br_device.c's br_dev_xmit): learning the
// source on the ingress port, the FDB lookup, delivery to one port, flooding with the per-port
// flags, and passing frames up the bridge device's own stack. No objects, closures or arrays
// are made per frame; copies for flooding are packet buffers from the pool.
import type { NetDevice } from '../device.ts';
import { TAP_IN } from '../netif.ts';
import { PACKET_BROADCAST, PACKET_HOST } from '../skb.ts';
import type { Bridge } from './bridge.ts';
import { FDB_LOCAL, FDB_STICKY, FDB_TO_BRIDGE } from './fdb.ts';
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

/** br_fdb_update: learn (or refresh, or move) the source MAC at b[o..o+5] on port `p`. */
function fdbUpdate(br: Bridge, p: BridgePort, b: Uint8Array, o: number, now: number): void {
  if ((br.topologyChange ? br.forwardDelay : br.ageingTime) === 0) return;
  const fdb = br.fdb;
  const id = fdb.find(b, o);
  if (id >= 0) {
    if (fdb.flags[id] & FDB_LOCAL) return;
    fdb.updated[id] = now;
    if (fdb.port[id] !== p.portNo && !(fdb.flags[id] & FDB_STICKY)) fdb.port[id] = p.portNo;
    return;
  }
  fdb.create((b[o] << 8) | b[o + 1], (b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5], p.portNo, 0, now);
}

/** should_deliver: not back out of the ingress port unless hairpin, and only to forwarding ports. */
function shouldDeliver(p: BridgePort, from: NetDevice): boolean {
  return ((p.flags & BR_HAIRPIN_MODE) !== 0 || from !== p.dev) && p.state === BR_STATE_FORWARDING;
}

/** __br_forward → br_forward_finish → br_dev_queue_push_xmit: out of the port's device. */
function xmitPort(br: Bridge, p: BridgePort, slot: number, from: NetDevice): void {
  const net = br.net;
  const pool = net.pool;
  const to = p.dev;
  if (pool.len[slot] > to.mtu + ETH_HLEN + VLAN_HLEN) {
    pool.release(slot);
    return;
  }
  const nf = bridgeNf.hooks;
  if (nf !== undefined && from !== br && isIpv4(pool.data[slot], pool.head[slot]) && nfCallIptables(br)) {
    if (!nf.forward(slot, br, from, to) || !nf.postRouting(slot, br, to)) return;
  }
  net.xmit(slot, to);
}

function isIpv4(b: Uint8Array, o: number): boolean {
  return b[o + 12] === 0x08 && b[o + 13] === 0x00;
}

/** br_forward: to the one port the destination is behind. */
function forward(br: Bridge, to: BridgePort | undefined, slot: number, localRcv: boolean, from: NetDevice): void {
  if (to !== undefined && shouldDeliver(to, from)) {
    xmitPort(br, to, localRcv ? br.net.pool.copy(slot) : slot, from);
    return;
  }
  if (!localRcv) br.net.pool.release(slot);
}

/**
 * br_flood: a copy to every eligible port in port-list order (the last gets the frame itself
 * unless it also goes up the bridge's stack). Frames the bridge sends itself ignore the
 * multicast and broadcast flood flags.
 */
function flood(br: Bridge, slot: number, pktType: number, localRcv: boolean, from: NetDevice): void {
  const pool = br.net.pool;
  const ports = br.ports;
  const localOrig = from === br;
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
    if (prev !== undefined) xmitPort(br, prev, pool.copy(slot), from);
    prev = p;
  }
  if (prev === undefined) {
    if (!localRcv) pool.release(slot);
    return;
  }
  xmitPort(br, prev, localRcv ? pool.copy(slot) : slot, from);
}

/** br_pass_frame_up: counted on the bridge (without the Ethernet header), seen by its taps, up its stack. */
function passUp(br: Bridge, slot: number): void {
  const net = br.net;
  const pool = net.pool;
  br.stats.rxPackets++;
  br.stats.rxBytes += pool.len[slot] - ETH_HLEN;
  pool.dev[slot] = br;
  if (br.taps.length) net.tap(slot, br, TAP_IN);
  net.deliverUp(slot, br);
}

/** br_handle_frame: the rx handler of every bridge port (Net.bridgeRx). */
export function brHandleFrame(slot: number, dev: NetDevice): void {
  const p = dev.brPort!;
  const br = p.br;
  const pool = br.net.pool;
  const b = pool.data[slot];
  const o = pool.head[slot];
  // is_valid_ether_addr(source): not multicast, not zero.
  if (b[o + 6] & 1 || (b[o + 6] | b[o + 7] | b[o + 8] | b[o + 9] | b[o + 10] | b[o + 11]) === 0) {
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
  handleFrameFinish(br, p, slot, b, o, dev);
}

/** br_handle_frame_finish. */
function handleFrameFinish(br: Bridge, p: BridgePort, slot: number, b: Uint8Array, o: number, dev: NetDevice): void {
  const fdb = br.fdb;
  if (p.state === BR_STATE_DISABLED) {
    br.net.pool.release(slot);
    return;
  }
  const now = br.world.clock.now;
  if (p.flags & BR_LEARNING) fdbUpdate(br, p, b, o + 6, now);
  let localRcv = br.promiscuity > 0;
  let pktType = PKT_UNICAST;
  if (b[o] & 1) {
    // eth_type_trans on the port already told broadcast from multicast.
    if (br.net.pool.pktType[slot] === PACKET_BROADCAST) {
      pktType = PKT_BROADCAST;
      localRcv = true;
    } else {
      pktType = PKT_MULTICAST;
    }
  }
  if (p.state === BR_STATE_LEARNING) {
    br.net.pool.release(slot);
    return;
  }
  let dst = -1;
  if (pktType === PKT_MULTICAST) {
    // No querier, so no snooped group applies: flooded, and up the bridge's stack too.
    localRcv = true;
    br.stats.multicast++;
  } else if (pktType === PKT_UNICAST) {
    dst = fdb.find(b, o);
  }
  if (dst >= 0) {
    if (fdb.flags[dst] & FDB_LOCAL) {
      passUp(br, slot);
      return;
    }
    fdb.used[dst] = now;
    forward(br, br.portByNo[fdb.port[dst]], slot, localRcv, dev);
  } else {
    flood(br, slot, pktType, localRcv, dev);
  }
  if (localRcv) passUp(br, slot);
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
    br.net.pool.release(slot);
    return true;
  } else if (mask & (1 << last)) {
    return false;
  }
  // __br_handle_local_finish: learn, then up the port's own stack (STP's LLC handler for BPDUs).
  if (p.flags & BR_LEARNING && (p.state === BR_STATE_LEARNING || p.state === BR_STATE_FORWARDING)) {
    fdbUpdate(br, p, b, o + 6, br.world.clock.now);
  }
  const pool = br.net.pool;
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
  const pool = br.net.pool;
  const b = pool.data[slot];
  const o = pool.head[slot];
  br.stats.txPackets++;
  br.stats.txBytes += pool.len[slot];
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
