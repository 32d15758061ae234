// 802.1D spanning tree, as the kernel runs it (net/bridge/br_stp.c): root and designated port
// selection, port states, topology change detection and acknowledgement, configuration BPDUs.
import type { Bridge } from './bridge.ts';
import { sendConfigBpdu, sendTcnBpdu, type ConfigBpdu } from './stp-bpdu.ts';
import {
  BR_ROOT_BLOCK, BR_STATE_BLOCKING, BR_STATE_DISABLED, BR_STATE_FORWARDING, BR_STATE_LEARNING, BR_STATE_LISTENING,
  type BridgePort, cmpId,
} from './port.ts';
import { HZ, jiffiesNow, roundJiffies } from './timer.ts';

export const BR_NO_STP = 0;
export const BR_KERNEL_STP = 1;

/** MESSAGE_AGE_INCR: one STP tick, at least a jiffy. */
const MESSAGE_AGE_INCR = Math.floor(HZ / 256) + 1;
/** BR_HOLD_TIME. */
const HOLD_TIME = HZ;

export function isRootBridge(br: Bridge): boolean {
  return cmpId(br.bridgeId, br.designatedRoot) === 0;
}

export function isDesignatedPort(p: BridgePort): boolean {
  return cmpId(p.designatedBridge, p.br.bridgeId) === 0 && p.designatedPort === p.portId;
}

/** br_set_state. */
export function setState(p: BridgePort, state: number): void {
  p.state = state;
}

function getPort(br: Bridge, portNo: number): BridgePort | undefined {
  return br.portByNo[portNo];
}

function shouldBecomeRootPort(p: BridgePort, rootPort: number): boolean {
  const br = p.br;
  if (p.state === BR_STATE_DISABLED || isDesignatedPort(p)) return false;
  if (cmpId(br.bridgeId, p.designatedRoot) <= 0) return false;
  if (!rootPort) return true;
  const rp = getPort(br, rootPort)!;
  let t = cmpId(p.designatedRoot, rp.designatedRoot);
  if (t !== 0) return t < 0;
  const a = p.designatedCost + p.pathCost;
  const b = rp.designatedCost + rp.pathCost;
  if (a !== b) return a < b;
  t = cmpId(p.designatedBridge, rp.designatedBridge);
  if (t !== 0) return t < 0;
  if (p.designatedPort !== rp.designatedPort) return p.designatedPort < rp.designatedPort;
  return p.portId < rp.portId;
}

function rootSelection(br: Bridge): void {
  let rootPort = 0;
  for (const p of br.ports) {
    if (!shouldBecomeRootPort(p, rootPort)) continue;
    if (p.flags & BR_ROOT_BLOCK) {
      setState(p, BR_STATE_LISTENING);
      if (br.forwardDelay > 0) p.forwardDelayTimer.mod(jiffiesNow(br.ns.world) + br.forwardDelay);
    } else {
      rootPort = p.portNo;
    }
  }
  br.rootPort = rootPort;
  if (!rootPort) {
    br.designatedRoot.set(br.bridgeId);
    br.rootPathCost = 0;
  } else {
    const p = getPort(br, rootPort)!;
    br.designatedRoot.set(p.designatedRoot);
    br.rootPathCost = p.designatedCost + p.pathCost;
  }
}

export function becomeRootBridge(br: Bridge): void {
  br.maxAge = br.bridgeMaxAge;
  br.helloTime = br.bridgeHelloTime;
  br.forwardDelay = br.bridgeForwardDelay;
  topologyChangeDetection(br);
  br.tcnTimer.del();
  if (br.up) {
    configBpduGeneration(br);
    br.helloTimer.mod(jiffiesNow(br.ns.world) + br.helloTime);
  }
}

function transmitConfig(p: BridgePort): void {
  if (p.holdTimer.pending) {
    p.configPending = 1;
    return;
  }
  const br = p.br;
  const now = jiffiesNow(br.ns.world);
  let messageAge = 0;
  if (!isRootBridge(br)) {
    const root = getPort(br, br.rootPort)!;
    messageAge = now - root.designatedAge + MESSAGE_AGE_INCR;
  }
  const bpdu: ConfigBpdu = {
    topologyChange: br.topologyChange, topologyChangeAck: p.topologyChangeAck, root: br.designatedRoot.slice(),
    rootPathCost: br.rootPathCost, bridgeId: br.bridgeId.slice(), portId: p.portId, messageAge,
    maxAge: br.maxAge, helloTime: br.helloTime, forwardDelay: br.forwardDelay,
  };
  if (bpdu.messageAge < br.maxAge) {
    sendConfigBpdu(p, bpdu);
    p.topologyChangeAck = 0;
    p.configPending = 0;
    if (br.stpEnabled === BR_KERNEL_STP) p.holdTimer.mod(roundJiffies(now + HOLD_TIME, now));
  }
}

function recordConfigInformation(p: BridgePort, bpdu: ConfigBpdu): void {
  p.designatedRoot.set(bpdu.root);
  p.designatedCost = bpdu.rootPathCost;
  p.designatedBridge.set(bpdu.bridgeId);
  p.designatedPort = bpdu.portId;
  const now = jiffiesNow(p.br.ns.world);
  p.designatedAge = now - bpdu.messageAge;
  p.messageAgeTimer.mod(now + (bpdu.maxAge - bpdu.messageAge));
}

function recordConfigTimeoutValues(br: Bridge, bpdu: ConfigBpdu): void {
  br.maxAge = bpdu.maxAge;
  br.helloTime = bpdu.helloTime;
  br.forwardDelay = bpdu.forwardDelay;
  setTopologyChange(br, bpdu.topologyChange);
}

function transmitTcn(br: Bridge): void {
  const p = getPort(br, br.rootPort);
  if (p) sendTcnBpdu(p);
}

function shouldBecomeDesignatedPort(p: BridgePort): boolean {
  const br = p.br;
  if (isDesignatedPort(p)) return true;
  if (cmpId(p.designatedRoot, br.designatedRoot) !== 0) return true;
  if (br.rootPathCost !== p.designatedCost) return br.rootPathCost < p.designatedCost;
  const t = cmpId(br.bridgeId, p.designatedBridge);
  if (t !== 0) return t < 0;
  return p.portId < p.designatedPort;
}

function designatedPortSelection(br: Bridge): void {
  for (const p of br.ports) {
    if (p.state !== BR_STATE_DISABLED && shouldBecomeDesignatedPort(p)) becomeDesignatedPort(p);
  }
}

function supersedesPortInfo(p: BridgePort, bpdu: ConfigBpdu): boolean {
  let t = cmpId(bpdu.root, p.designatedRoot);
  if (t !== 0) return t < 0;
  if (bpdu.rootPathCost !== p.designatedCost) return bpdu.rootPathCost < p.designatedCost;
  t = cmpId(bpdu.bridgeId, p.designatedBridge);
  if (t !== 0) return t < 0;
  if (cmpId(bpdu.bridgeId, p.br.bridgeId) !== 0) return true;
  return bpdu.portId <= p.designatedPort;
}

function topologyChangeAcknowledged(br: Bridge): void {
  br.topologyChangeDetected = 0;
  br.tcnTimer.del();
}

function topologyChangeDetection(br: Bridge): void {
  if (br.stpEnabled !== BR_KERNEL_STP || !br.up) return;
  const now = jiffiesNow(br.ns.world);
  if (isRootBridge(br)) {
    setTopologyChange(br, 1);
    br.topologyChangeTimer.mod(now + br.bridgeForwardDelay + br.bridgeMaxAge);
  } else if (!br.topologyChangeDetected) {
    transmitTcn(br);
    br.tcnTimer.mod(now + br.bridgeHelloTime);
  }
  br.topologyChangeDetected = 1;
}

export function configBpduGeneration(br: Bridge): void {
  for (const p of br.ports) {
    if (p.state !== BR_STATE_DISABLED && isDesignatedPort(p)) transmitConfig(p);
  }
}

export function configurationUpdate(br: Bridge): void {
  rootSelection(br);
  designatedPortSelection(br);
}

export function becomeDesignatedPort(p: BridgePort): void {
  const br = p.br;
  p.designatedRoot.set(br.designatedRoot);
  p.designatedCost = br.rootPathCost;
  p.designatedBridge.set(br.bridgeId);
  p.designatedPort = p.portId;
}

function makeBlocking(p: BridgePort): void {
  if (p.state === BR_STATE_DISABLED || p.state === BR_STATE_BLOCKING) return;
  if (p.state === BR_STATE_FORWARDING || p.state === BR_STATE_LEARNING) topologyChangeDetection(p.br);
  setState(p, BR_STATE_BLOCKING);
  p.forwardDelayTimer.del();
}

function makeForwarding(p: BridgePort): void {
  const br = p.br;
  if (p.state !== BR_STATE_BLOCKING) return;
  if (br.stpEnabled === BR_NO_STP || br.forwardDelay === 0) {
    setState(p, BR_STATE_FORWARDING);
    topologyChangeDetection(br);
    p.forwardDelayTimer.del();
  } else {
    setState(p, BR_STATE_LISTENING);
  }
  if (br.forwardDelay !== 0) p.forwardDelayTimer.mod(jiffiesNow(br.ns.world) + br.forwardDelay);
}

/** br_port_state_selection: also decides the bridge's carrier (on while a port forwards). */
export function portStateSelection(br: Bridge): void {
  let live = 0;
  for (const p of br.ports) {
    if (p.state === BR_STATE_DISABLED) continue;
    if (p.portNo === br.rootPort) {
      p.configPending = 0;
      p.topologyChangeAck = 0;
      makeForwarding(p);
    } else if (isDesignatedPort(p)) {
      p.messageAgeTimer.del();
      makeForwarding(p);
    } else {
      p.configPending = 0;
      p.topologyChangeAck = 0;
      makeBlocking(p);
    }
    if (p.state === BR_STATE_FORWARDING) live++;
  }
  br.setCarrier(live > 0);
}

export function receivedConfigBpdu(p: BridgePort, bpdu: ConfigBpdu): void {
  const br = p.br;
  const wasRoot = isRootBridge(br);
  if (supersedesPortInfo(p, bpdu)) {
    recordConfigInformation(p, bpdu);
    configurationUpdate(br);
    portStateSelection(br);
    if (!isRootBridge(br) && wasRoot) {
      br.helloTimer.del();
      if (br.topologyChangeDetected) {
        br.topologyChangeTimer.del();
        transmitTcn(br);
        br.tcnTimer.mod(jiffiesNow(br.ns.world) + br.bridgeHelloTime);
      }
    }
    if (p.portNo === br.rootPort) {
      recordConfigTimeoutValues(br, bpdu);
      configBpduGeneration(br);
      if (bpdu.topologyChangeAck) topologyChangeAcknowledged(br);
    }
  } else if (isDesignatedPort(p)) {
    transmitConfig(p);
  }
}

export function receivedTcnBpdu(p: BridgePort): void {
  if (!isDesignatedPort(p)) return;
  topologyChangeDetection(p.br);
  p.topologyChangeAck = 1;
  transmitConfig(p);
}

/** __br_set_topology_change: while it lasts, entries age after twice the forward delay. */
function setTopologyChange(br: Bridge, val: number): void {
  if (br.stpEnabled === BR_KERNEL_STP && br.topologyChange !== val) {
    br.ageingTime = val ? 2 * br.forwardDelay : br.bridgeAgeingTime;
  }
  br.topologyChange = val;
}

/** __br_set_forward_delay. */
export function setForwardDelayJiffies(br: Bridge, t: number): void {
  br.bridgeForwardDelay = t;
  if (isRootBridge(br)) br.forwardDelay = t;
}

/** Timer handlers (br_stp_timer.c). */
export function helloTimerExpired(br: Bridge): void {
  if (!br.up) return;
  configBpduGeneration(br);
  const now = jiffiesNow(br.ns.world);
  if (br.stpEnabled === BR_KERNEL_STP) br.helloTimer.mod(roundJiffies(now + br.helloTime, now));
}

export function messageAgeTimerExpired(p: BridgePort): void {
  const br = p.br;
  if (p.state === BR_STATE_DISABLED) return;
  const wasRoot = isRootBridge(br);
  becomeDesignatedPort(p);
  configurationUpdate(br);
  portStateSelection(br);
  if (isRootBridge(br) && !wasRoot) becomeRootBridge(br);
}

export function forwardDelayTimerExpired(p: BridgePort): void {
  const br = p.br;
  if (p.state === BR_STATE_LISTENING) {
    setState(p, BR_STATE_LEARNING);
    p.forwardDelayTimer.mod(jiffiesNow(br.ns.world) + br.forwardDelay);
  } else if (p.state === BR_STATE_LEARNING) {
    setState(p, BR_STATE_FORWARDING);
    if (br.ports.some((q) => q.state !== BR_STATE_DISABLED && cmpId(q.designatedBridge, br.bridgeId) === 0)) {
      topologyChangeDetection(br);
    }
    br.setCarrier(true);
  }
}

export function tcnTimerExpired(br: Bridge): void {
  if (!isRootBridge(br) && br.up) {
    transmitTcn(br);
    br.tcnTimer.mod(jiffiesNow(br.ns.world) + br.bridgeHelloTime);
  }
}

export function topologyChangeTimerExpired(br: Bridge): void {
  br.topologyChangeDetected = 0;
  setTopologyChange(br, 0);
}

export function holdTimerExpired(p: BridgePort): void {
  if (p.configPending) transmitConfig(p);
}
