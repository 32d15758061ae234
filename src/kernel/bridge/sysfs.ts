// /sys/class/net/BRIDGE/bridge/* and /sys/class/net/PORT/brport/* (br_sysfs_br.c,
// br_sysfs_if.c), as `cat` reads them.
import type { NetDevice } from '../device.ts';
import { Bridge } from './bridge.ts';
import {
  BR_BCAST_FLOOD, BR_BPDU_GUARD, BR_FLOOD, BR_HAIRPIN_MODE, BR_LEARNING, BR_MCAST_FLOOD, BR_ROOT_BLOCK, type BridgeId,
} from './port.ts';
import { jiffiesToClock } from './timer.ts';

function id(x: BridgeId): string {
  const h = [...x].map((b) => b.toString(16).padStart(2, '0'));
  return `${h[0]}${h[1]}.${h.slice(2).join('')}`;
}

/** The content of `bridge/NAME` or `brport/NAME` under a device's sysfs directory, if it has one. */
export function bridgeSysfs(dev: NetDevice, file: string): string | undefined {
  const [dir, name] = file.split('/');
  let v: string | number | undefined;
  if (dir === 'bridge' && dev instanceof Bridge) {
    const br = dev;
    const files: Record<string, string | number> = {
      forward_delay: jiffiesToClock(br.forwardDelay), hello_time: jiffiesToClock(br.helloTime), max_age: jiffiesToClock(br.maxAge),
      ageing_time: jiffiesToClock(br.ageingTime), stp_state: br.stpEnabled, priority: (br.bridgeId[0] << 8) | br.bridgeId[1],
      bridge_id: id(br.bridgeId), root_id: id(br.designatedRoot), root_port: br.rootPort, root_path_cost: br.rootPathCost,
      topology_change: br.topologyChange, topology_change_detected: br.topologyChangeDetected,
      hello_timer: br.helloTimer.value(), tcn_timer: br.tcnTimer.value(), topology_change_timer: br.topologyChangeTimer.value(),
      gc_timer: br.gcTimer.value(), group_fwd_mask: br.groupFwdMask ? `0x${br.groupFwdMask.toString(16)}` : '0',
      group_addr: [...br.groupAddr].map((b) => b.toString(16).padStart(2, '0')).join(':'), vlan_filtering: br.vlanFiltering,
      multicast_snooping: br.mcastSnooping, nf_call_iptables: br.nfCallIptables, nf_call_ip6tables: br.nfCallIp6tables,
      nf_call_arptables: br.nfCallArptables,
    };
    v = files[name];
  } else if (dir === 'brport' && dev.brPort) {
    const p = dev.brPort;
    const flag = (bit: number) => ((p.flags & bit) !== 0 ? 1 : 0);
    const files: Record<string, string | number> = {
      state: p.state, port_no: `0x${p.portNo.toString(16)}`, port_id: `0x${p.portId.toString(16)}`, priority: p.priority,
      path_cost: p.pathCost, designated_root: id(p.designatedRoot), designated_bridge: id(p.designatedBridge),
      designated_port: p.designatedPort, designated_cost: p.designatedCost, change_ack: p.topologyChangeAck,
      config_pending: p.configPending, message_age_timer: p.messageAgeTimer.value(),
      forward_delay_timer: p.forwardDelayTimer.value(), hold_timer: p.holdTimer.value(), hairpin_mode: flag(BR_HAIRPIN_MODE),
      learning: flag(BR_LEARNING), unicast_flood: flag(BR_FLOOD), multicast_flood: flag(BR_MCAST_FLOOD),
      broadcast_flood: flag(BR_BCAST_FLOOD), bpdu_guard: flag(BR_BPDU_GUARD), root_block: flag(BR_ROOT_BLOCK),
    };
    v = files[name];
  }
  return v === undefined ? undefined : `${v}\n`;
}
