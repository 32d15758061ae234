// What netlink can change on a bridge and on its ports (br_netlink.c's br_changelink and
// br_setport), applied in the kernel's order: an error stops the rest, what came before stays.
import { EINVAL, KernelError } from '../errors.ts';
import type { Bridge, McastOptions } from './bridge.ts';
import { fdbDeleteByPort, fdbFlush } from './fdb-ops.ts';
import { FDB_STATIC } from './fdb.ts';
import {
  BR_BCAST_FLOOD, BR_BPDU_GUARD, BR_FLOOD, BR_HAIRPIN_MODE, BR_ISOLATED, BR_LEARNING, BR_MCAST_FLOOD,
  BR_MULTICAST_FAST_LEAVE, BR_MULTICAST_TO_UNICAST, BR_NEIGH_SUPPRESS, BR_PORT_LOCKED, BR_PROXYARP, BR_PROXYARP_WIFI,
  BR_ROOT_BLOCK, BR_VLAN_TUNNEL, type BridgePort,
} from './port.ts';
import {
  setAgeingTime, setBridgePriority, setForwardDelay, setHelloTime, setMaxAge, setPathCost, setPortPriority, setPortState,
  stpSetEnabled,
} from './stp-if.ts';

/** IFLA_BR_* values (times in clock_t, as netlink carries them). */
export interface BridgeOptions {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  stpState?: number;
  priority?: number;
  vlanFiltering?: number;
  groupFwdMask?: number;
  groupAddr?: Uint8Array;
  fdbFlush?: boolean;
  mcastSnooping?: number;
  nfCallIptables?: number;
  nfCallIp6tables?: number;
  nfCallArptables?: number;
  /** The multicast values the bridge keeps for `ip -d link` without acting on them. */
  mcast?: Partial<McastOptions>;
}

/** BR_GROUPFWD_RESTRICTED: STP, MAC pause and 802.1X/LACP addresses may not be forwarded. */
const GROUPFWD_RESTRICTED = 0x0007;

/** br_changelink. */
export function bridgeChangelink(br: Bridge, o: BridgeOptions): void {
  if (o.forwardDelay !== undefined) setForwardDelay(br, o.forwardDelay);
  if (o.helloTime !== undefined) setHelloTime(br, o.helloTime);
  if (o.maxAge !== undefined) setMaxAge(br, o.maxAge);
  if (o.ageingTime !== undefined) setAgeingTime(br, o.ageingTime);
  if (o.stpState !== undefined) stpSetEnabled(br, o.stpState !== 0);
  if (o.priority !== undefined) setBridgePriority(br, o.priority);
  if (o.vlanFiltering !== undefined && o.vlanFiltering !== 0) throw new KernelError(95, 'VLAN filtering is not supported by nslab');
  if (o.groupFwdMask !== undefined) {
    if (o.groupFwdMask & GROUPFWD_RESTRICTED) throw new KernelError(EINVAL, 'bridge: Invalid group forward mask');
    br.groupFwdMask = o.groupFwdMask;
  }
  if (o.groupAddr !== undefined) {
    const a = o.groupAddr;
    const linkLocal = a[0] === 0x01 && a[1] === 0x80 && a[2] === 0xc2 && a[3] === 0 && a[4] === 0 && (a[5] & 0xf0) === 0;
    if (a.length !== 6 || !linkLocal || a[5] === 1 || a[5] === 2 || a[5] === 3) throw new KernelError(EINVAL);
    br.groupAddr.set(a);
  }
  if (o.fdbFlush) fdbFlush(br, { flags: 0, mask: FDB_STATIC });
  if (o.mcast) Object.assign(br.mcast, o.mcast);
  if (o.mcastSnooping !== undefined) multicastToggle(br, o.mcastSnooping !== 0);
  if (o.nfCallIptables !== undefined) br.nfCallIptables = o.nfCallIptables ? 1 : 0;
  if (o.nfCallIp6tables !== undefined) br.nfCallIp6tables = o.nfCallIp6tables ? 1 : 0;
  if (o.nfCallArptables !== undefined) br.nfCallArptables = o.nfCallArptables ? 1 : 0;
}

/** br_multicast_toggle: the snoopers' groups are joined while snooping is on and the bridge up. */
function multicastToggle(br: Bridge, on: boolean): void {
  if ((br.mcastSnooping !== 0) === on) return;
  br.mcastSnooping = on ? 1 : 0;
  if (!on) br.snoopers.leave();
  else if (br.up) br.snoopers.join(true);
}

/** IFLA_BRPORT_* values; the flags are on/off. */
export interface PortOptions {
  hairpin?: boolean;
  guard?: boolean;
  fastLeave?: boolean;
  rootBlock?: boolean;
  learning?: boolean;
  flood?: boolean;
  mcastFlood?: boolean;
  mcastToUnicast?: boolean;
  bcastFlood?: boolean;
  proxyArp?: boolean;
  proxyArpWifi?: boolean;
  vlanTunnel?: boolean;
  neighSuppress?: boolean;
  isolated?: boolean;
  locked?: boolean;
  cost?: number;
  priority?: number;
  state?: number;
  flush?: boolean;
  mcastRouter?: number;
  groupFwdMask?: number;
}

const FLAG_OPTIONS: Array<[keyof PortOptions, number]> = [
  ['hairpin', BR_HAIRPIN_MODE], ['guard', BR_BPDU_GUARD], ['fastLeave', BR_MULTICAST_FAST_LEAVE],
  ['rootBlock', BR_ROOT_BLOCK], ['learning', BR_LEARNING], ['flood', BR_FLOOD], ['mcastFlood', BR_MCAST_FLOOD],
  ['mcastToUnicast', BR_MULTICAST_TO_UNICAST], ['bcastFlood', BR_BCAST_FLOOD], ['proxyArp', BR_PROXYARP],
  ['proxyArpWifi', BR_PROXYARP_WIFI], ['vlanTunnel', BR_VLAN_TUNNEL], ['neighSuppress', BR_NEIGH_SUPPRESS],
  ['isolated', BR_ISOLATED], ['locked', BR_PORT_LOCKED],
];

/** br_setport: flags, then cost, priority, state, flush. */
export function portSetport(p: BridgePort, o: PortOptions): void {
  for (const [key, bit] of FLAG_OPTIONS) {
    const v = o[key];
    if (v === undefined) continue;
    if (v) p.flags |= bit;
    else p.flags &= ~bit;
  }
  if (o.mcastRouter !== undefined) p.mcastRouter = o.mcastRouter;
  if (o.groupFwdMask !== undefined) p.groupFwdMask = o.groupFwdMask;
  if (o.cost !== undefined) setPathCost(p, o.cost);
  if (o.priority !== undefined) setPortPriority(p, o.priority);
  if (o.state !== undefined) setPortState(p, o.state);
  if (o.flush) fdbDeleteByPort(p.br, p.portNo, false);
}
