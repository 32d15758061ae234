// STP's interface to the rest of the bridge (net/bridge/br_stp_if.c): enabling and disabling
// the bridge and its ports, the bridge id (and so the MAC) as ports come and go, priorities and
// path costs, turning STP on and off, and the STP times users set.
import { EBUSY, EINVAL, ENETDOWN, ERANGE, KernelError } from '../errors.ts';
import type { Bridge } from './bridge.ts';
import { fdbChangeMacAddress, fdbDeleteByPort } from './fdb-ops.ts';
import {
  BR_ADMIN_COST, BR_MAX_PATH_COST, BR_MAX_PORT_PRIORITY, BR_MIN_PATH_COST, BR_STATE_BLOCKING, BR_STATE_DISABLED,
  type BridgePort, cmpId, isOperUp,
} from './port.ts';
import {
  BR_KERNEL_STP, BR_NO_STP, becomeDesignatedPort, becomeRootBridge, configBpduGeneration, configurationUpdate,
  isDesignatedPort, isRootBridge, portStateSelection, setForwardDelayJiffies, setState,
} from './stp.ts';
import { HZ, clockToJiffies, jiffiesNow } from './timer.ts';

const MIN_FORWARD_DELAY = 2 * HZ;
const MAX_FORWARD_DELAY = 30 * HZ;
const MIN_HELLO_TIME = HZ;
const MAX_HELLO_TIME = 10 * HZ;
const MIN_MAX_AGE = 6 * HZ;
const MAX_MAX_AGE = 40 * HZ;

/** br_init_port. */
function initPort(p: BridgePort): void {
  p.portId = p.makePortId();
  becomeDesignatedPort(p);
  setState(p, BR_STATE_BLOCKING);
  p.topologyChangeAck = 0;
  p.configPending = 0;
}

/** br_stp_enable_bridge: hello timer (kernel STP), FDB garbage collection, the ports that are up. */
export function enableBridge(br: Bridge): void {
  const now = jiffiesNow(br.ns.world);
  if (br.stpEnabled === BR_KERNEL_STP) br.helloTimer.mod(now + br.helloTime);
  br.scheduleGc(HZ / 10);
  configBpduGeneration(br);
  for (const p of br.ports) if (p.dev.up && isOperUp(p.dev)) enablePort(p);
}

/** br_stp_disable_bridge. */
export function disableBridge(br: Bridge): void {
  for (const p of br.ports) if (p.state !== BR_STATE_DISABLED) disablePort(p);
  br.topologyChange = 0;
  br.topologyChangeDetected = 0;
  br.helloTimer.del();
  br.topologyChangeTimer.del();
  br.tcnTimer.del();
  br.gcTimer.del();
}

/** br_stp_enable_port. */
export function enablePort(p: BridgePort): void {
  initPort(p);
  portStateSelection(p.br);
}

/** br_stp_disable_port: its learnt entries go. */
export function disablePort(p: BridgePort): void {
  const br = p.br;
  const wasRoot = isRootBridge(br);
  becomeDesignatedPort(p);
  setState(p, BR_STATE_DISABLED);
  p.topologyChangeAck = 0;
  p.configPending = 0;
  p.messageAgeTimer.del();
  p.forwardDelayTimer.del();
  p.holdTimer.del();
  fdbDeleteByPort(br, p.portNo, false);
  configurationUpdate(br);
  portStateSelection(br);
  if (isRootBridge(br) && !wasRoot) becomeRootBridge(br);
}

/** br_port_carrier_check: NETDEV_CHANGE on a port (its operstate changed). */
export function portCarrierCheck(p: BridgePort): void {
  const br = p.br;
  if (!br.up) return;
  if (p.dev.up && isOperUp(p.dev)) {
    if (p.state === BR_STATE_DISABLED) enablePort(p);
  } else if (p.state !== BR_STATE_DISABLED) {
    disablePort(p);
  }
}

/** br_stp_change_bridge_id: the MAC, the bridge id, and the ports' ids that named the old one. */
export function changeBridgeId(br: Bridge, addr: Uint8Array): void {
  const wasRoot = isRootBridge(br);
  fdbChangeMacAddress(br, addr);
  const old = br.bridgeId.slice(2);
  br.bridgeId.set(addr, 2);
  br.mac.set(addr);
  for (const p of br.ports) {
    if (sameMac(p.designatedBridge, old)) p.designatedBridge.set(addr, 2);
    if (sameMac(p.designatedRoot, old)) p.designatedRoot.set(addr, 2);
  }
  configurationUpdate(br);
  portStateSelection(br);
  if (isRootBridge(br) && !wasRoot) becomeRootBridge(br);
}

function sameMac(id: Uint8Array, mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (id[2 + i] !== mac[i]) return false;
  return true;
}

/** br_stp_recalculate_bridge_id: the lowest port MAC (zeros without ports), unless the user set one. */
export function recalculateBridgeId(br: Bridge): boolean {
  if (br.addrAssignType === 3) return false;
  let addr: Uint8Array = new Uint8Array(6);
  let first = true;
  for (const p of br.ports) {
    if (first || cmpMac(p.dev.mac, addr) < 0) addr = p.dev.mac;
    first = false;
  }
  if (sameMac(br.bridgeId, addr)) return false;
  changeBridgeId(br, addr.slice());
  return true;
}

function cmpMac(a: Uint8Array, b: Uint8Array): number {
  // As a 16-bit and a 32-bit big-endian part: this runs for every port on each port change.
  const a0 = (a[0] << 8) | a[1];
  const b0 = (b[0] << 8) | b[1];
  if (a0 !== b0) return a0 - b0;
  const a1 = ((a[2] << 24) | (a[3] << 16) | (a[4] << 8) | a[5]) >>> 0;
  const b1 = ((b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]) >>> 0;
  return a1 === b1 ? 0 : a1 < b1 ? -1 : 1;
}

/** br_stp_set_bridge_priority. */
export function setBridgePriority(br: Bridge, prio: number): void {
  const wasRoot = isRootBridge(br);
  for (const p of br.ports) {
    if (p.state !== BR_STATE_DISABLED && isDesignatedPort(p)) {
      p.designatedBridge[0] = (prio >>> 8) & 0xff;
      p.designatedBridge[1] = prio & 0xff;
    }
  }
  br.bridgeId[0] = (prio >>> 8) & 0xff;
  br.bridgeId[1] = prio & 0xff;
  configurationUpdate(br);
  portStateSelection(br);
  if (isRootBridge(br) && !wasRoot) becomeRootBridge(br);
}

/** br_stp_set_port_priority. */
export function setPortPriority(p: BridgePort, prio: number): void {
  if (prio > BR_MAX_PORT_PRIORITY) throw new KernelError(ERANGE);
  const id = p.makePortId(prio);
  if (isDesignatedPort(p)) p.designatedPort = id;
  p.portId = id;
  p.priority = prio;
  if (cmpId(p.br.bridgeId, p.designatedBridge) === 0 && p.portId < p.designatedPort) {
    becomeDesignatedPort(p);
    portStateSelection(p.br);
  }
}

/** br_stp_set_path_cost. */
export function setPathCost(p: BridgePort, cost: number): void {
  if (cost < BR_MIN_PATH_COST || cost > BR_MAX_PATH_COST) throw new KernelError(ERANGE);
  p.flags |= BR_ADMIN_COST;
  p.pathCost = cost;
  configurationUpdate(p.br);
  portStateSelection(p.br);
}

/** br_set_port_state (`bridge link set … state N`). */
export function setPortState(p: BridgePort, state: number): void {
  if (state > BR_STATE_BLOCKING) throw new KernelError(EINVAL);
  if (p.br.stpEnabled === BR_KERNEL_STP) throw new KernelError(EBUSY);
  if (!p.dev.up || (!isOperUp(p.dev) && state !== BR_STATE_DISABLED)) throw new KernelError(ENETDOWN);
  setState(p, state);
  portStateSelection(p.br);
}

/** br_stp_set_enabled: kernel STP (a namespace other than the initial one has no userspace helper). */
export function stpSetEnabled(br: Bridge, on: boolean): void {
  if (on) {
    if (br.stpEnabled !== BR_NO_STP) return;
    if (br.bridgeForwardDelay < MIN_FORWARD_DELAY) setForwardDelayJiffies(br, MIN_FORWARD_DELAY);
    else if (br.bridgeForwardDelay > MAX_FORWARD_DELAY) setForwardDelayJiffies(br, MAX_FORWARD_DELAY);
    br.stpEnabled = BR_KERNEL_STP;
    if (br.up) br.helloTimer.mod(jiffiesNow(br.ns.world) + br.helloTime);
    portStateSelection(br);
  } else if (br.stpEnabled !== BR_NO_STP) {
    br.stpEnabled = BR_NO_STP;
  }
}

/** br_set_forward_delay (clock_t): 2–30 s while STP runs. */
export function setForwardDelay(br: Bridge, val: number): void {
  const t = clockToJiffies(val);
  if (br.stpEnabled !== BR_NO_STP && (t < MIN_FORWARD_DELAY || t > MAX_FORWARD_DELAY)) throw new KernelError(ERANGE);
  setForwardDelayJiffies(br, t);
}

/** br_set_hello_time (clock_t): 1–10 s. */
export function setHelloTime(br: Bridge, val: number): void {
  const t = clockToJiffies(val);
  if (t < MIN_HELLO_TIME || t > MAX_HELLO_TIME) throw new KernelError(ERANGE);
  br.bridgeHelloTime = t;
  if (isRootBridge(br)) br.helloTime = t;
}

/** br_set_max_age (clock_t): 6–40 s. */
export function setMaxAge(br: Bridge, val: number): void {
  const t = clockToJiffies(val);
  if (t < MIN_MAX_AGE || t > MAX_MAX_AGE) throw new KernelError(ERANGE);
  br.bridgeMaxAge = t;
  if (isRootBridge(br)) br.maxAge = t;
}

/** br_set_ageing_time (clock_t): any value; 0 turns learning off. The gc runs at once. */
export function setAgeingTime(br: Bridge, val: number): void {
  const t = clockToJiffies(val);
  br.bridgeAgeingTime = t;
  br.ageingTime = t;
  br.scheduleGc(0);
}
