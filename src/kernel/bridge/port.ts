// A bridge port (struct net_bridge_port): the enslaved device, its number and STP identity, its
// flags (learning, flooding, hairpin, …), its STP state and timers.
import type { NetDevice } from '../device.ts';
import type { Bridge } from './bridge.ts';
import { BrTimer } from './timer.ts';

/** Port states (BR_STATE_*), as `bridge link` names them. */
export const BR_STATE_DISABLED = 0;
export const BR_STATE_LISTENING = 1;
export const BR_STATE_LEARNING = 2;
export const BR_STATE_FORWARDING = 3;
export const BR_STATE_BLOCKING = 4;
export const PORT_STATE_NAMES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/** Port flags (BR_*). */
export const BR_HAIRPIN_MODE = 0x1;
export const BR_BPDU_GUARD = 0x2;
export const BR_ROOT_BLOCK = 0x4;
export const BR_MULTICAST_FAST_LEAVE = 0x8;
export const BR_ADMIN_COST = 0x10;
export const BR_LEARNING = 0x20;
export const BR_FLOOD = 0x40;
export const BR_PROXYARP = 0x100;
export const BR_PROXYARP_WIFI = 0x400;
export const BR_MCAST_FLOOD = 0x800;
export const BR_MULTICAST_TO_UNICAST = 0x1000;
export const BR_VLAN_TUNNEL = 0x2000;
export const BR_BCAST_FLOOD = 0x4000;
export const BR_NEIGH_SUPPRESS = 0x8000;
export const BR_ISOLATED = 0x10000;
export const BR_PORT_LOCKED = 0x40000;

/** Port numbers are 10 bits (BR_PORT_BITS); the priority takes the 6 bits above. */
export const BR_PORT_BITS = 10;
export const BR_MAX_PORTS = 1 << BR_PORT_BITS;
export const BR_MAX_PORT_PRIORITY = 0xffff >> BR_PORT_BITS;
export const BR_MIN_PATH_COST = 1;
export const BR_MAX_PATH_COST = 65535;

/** A bridge identifier: 2 bytes of priority and the MAC, compared as bytes (memcmp). */
export type BridgeId = Uint8Array;

export function newBridgeId(): BridgeId {
  return new Uint8Array(8);
}

/** memcmp of two bridge ids (the sign only): as two big-endian words, without a byte loop
 * (STP's port state selection compares every port's id on each port change). */
export function cmpId(a: BridgeId, b: BridgeId): number {
  const a0 = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  const b0 = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  if (a0 !== b0) return a0 < b0 ? -1 : 1;
  const a1 = ((a[4] << 24) | (a[5] << 16) | (a[6] << 8) | a[7]) >>> 0;
  const b1 = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
  return a1 === b1 ? 0 : a1 < b1 ? -1 : 1;
}

export class BridgePort {
  readonly br: Bridge;
  readonly dev: NetDevice;
  readonly portNo: number;
  priority = 0x8000 >> BR_PORT_BITS;
  pathCost: number;
  flags = BR_LEARNING | BR_FLOOD | BR_MCAST_FLOOD | BR_BCAST_FLOOD;
  state = BR_STATE_DISABLED;
  portId = 0;
  readonly designatedRoot = newBridgeId();
  readonly designatedBridge = newBridgeId();
  designatedPort = 0;
  designatedCost = 0;
  /** jiffies when the designated information was made (its message age subtracted). */
  designatedAge = 0;
  topologyChangeAck = 0;
  configPending = 0;
  /** Kept for `ip -d link` (IFLA_BRPORT_MULTICAST_ROUTER, IFLA_BRPORT_GROUP_FWD_MASK). */
  mcastRouter = 1;
  groupFwdMask = 0;
  readonly messageAgeTimer: BrTimer;
  readonly forwardDelayTimer: BrTimer;
  readonly holdTimer: BrTimer;

  constructor(br: Bridge, dev: NetDevice, portNo: number, handlers: { messageAge(p: BridgePort): void; forwardDelay(p: BridgePort): void; hold(p: BridgePort): void }) {
    this.br = br;
    this.dev = dev;
    this.portNo = portNo;
    this.pathCost = portCost(dev);
    const world = br.ns.world;
    this.messageAgeTimer = new BrTimer(world, () => handlers.messageAge(this));
    this.forwardDelayTimer = new BrTimer(world, () => handlers.forwardDelay(this));
    this.holdTimer = new BrTimer(world, () => handlers.hold(this));
  }

  /** br_make_port_id. */
  makePortId(priority = this.priority): number {
    return ((priority << BR_PORT_BITS) | (this.portNo & (BR_MAX_PORTS - 1))) & 0xffff;
  }
}

/** netif_oper_up: operstate UP or UNKNOWN. */
export function isOperUp(dev: NetDevice): boolean {
  const s = dev.operstate();
  return s === 'UP' || s === 'UNKNOWN';
}

/** port_cost: from the link speed (veth: 10 Gb/s → 2); 100 when unknown. */
function portCost(dev: NetDevice): number {
  return dev.kind === 'veth' ? 2 : 100;
}
