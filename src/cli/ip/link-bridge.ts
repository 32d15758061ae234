// `ip link … type bridge` and `type bridge_slave` (iproute2 6.1 iplink_bridge.c,
// iplink_bridge_slave.c): their options, and what `ip -d link` prints for a bridge and a port.
import { Bridge } from '../../kernel/bridge/bridge.ts';
import { type BridgeOptions, type PortOptions, bridgeChangelink, portSetport } from '../../kernel/bridge/options.ts';
import {
  BR_BCAST_FLOOD, BR_BPDU_GUARD, BR_FLOOD, BR_HAIRPIN_MODE, BR_ISOLATED, BR_LEARNING, BR_MCAST_FLOOD,
  BR_MULTICAST_FAST_LEAVE, BR_MULTICAST_TO_UNICAST, BR_NEIGH_SUPPRESS, BR_PORT_LOCKED, BR_PROXYARP, BR_PROXYARP_WIFI,
  BR_ROOT_BLOCK, BR_VLAN_TUNNEL, PORT_STATE_NAMES, type BridgeId, type BridgePort,
} from '../../kernel/bridge/port.ts';
import { jiffiesToClock } from '../../kernel/bridge/timer.ts';
import { EOPNOTSUPP, KernelError } from '../../kernel/errors.ts';
import type { NetDevice } from '../../kernel/device.ts';
import { ToolExit } from '../tool.ts';
import { invargText } from './addr-list.ts';
import { Args, matches, parseUnsigned } from './args.ts';
import type { Printer } from './printer.ts';

const BRIDGE_USAGE = `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
`;

const SLAVE_USAGE = `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]
`;

/** Numeric bridge options: keyword, maximum, where the value goes. */
type Num = [string, number, (o: BridgeOptions, v: number) => void, boolean?];
const mc = (k: keyof NonNullable<BridgeOptions['mcast']>) => (o: BridgeOptions, v: number) => {
  o.mcast = { ...o.mcast, [k]: v };
};
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;
const U64 = Number.MAX_SAFE_INTEGER;
/** In iproute2's order (an abbreviation means the first keyword it prefixes); `true`: exact keyword. */
const BRIDGE_NUMERIC: Num[] = [
  ['forward_delay', U32, (o, v) => { o.forwardDelay = v; }], ['hello_time', U32, (o, v) => { o.helloTime = v; }],
  ['max_age', U32, (o, v) => { o.maxAge = v; }], ['ageing_time', U32, (o, v) => { o.ageingTime = v; }],
  ['stp_state', U32, (o, v) => { o.stpState = v; }], ['priority', U16, (o, v) => { o.priority = v; }],
  ['vlan_filtering', U8, (o, v) => { o.vlanFiltering = v; }],
];
const BRIDGE_NUMERIC2: Num[] = [
  ['no_linklocal_learn', U8, mc('noLinklocalLearn'), true],
];
const BRIDGE_NUMERIC3: Num[] = [
  ['vlan_default_pvid', U16, () => {}], ['vlan_stats_enabled', U8, () => {}], ['vlan_stats_per_port', U8, () => {}],
  ['mcast_router', U8, mc('mcastRouter')], ['mcast_snooping', U8, (o, v) => { o.mcastSnooping = v; }],
  ['mcast_vlan_snooping', U8, mc('mcastVlanSnooping'), true], ['mcast_query_use_ifaddr', U8, mc('mcastQueryUseIfaddr')],
  ['mcast_querier', U8, mc('mcastQuerier')], ['mcast_hash_elasticity', U32, mc('mcastHashElasticity')],
  ['mcast_hash_max', U32, mc('mcastHashMax')], ['mcast_last_member_count', U32, mc('mcastLastMemberCount')],
  ['mcast_startup_query_count', U32, mc('mcastStartupQueryCount')],
  ['mcast_last_member_interval', U64, mc('mcastLastMemberInterval')],
  ['mcast_membership_interval', U64, mc('mcastMembershipInterval')], ['mcast_querier_interval', U64, mc('mcastQuerierInterval')],
  ['mcast_query_interval', U64, mc('mcastQueryInterval')], ['mcast_query_response_interval', U64, mc('mcastQueryResponseInterval')],
  ['mcast_startup_query_interval', U64, mc('mcastStartupQueryInterval')], ['mcast_stats_enabled', U8, mc('mcastStatsEnabled')],
  ['mcast_igmp_version', U8, mc('mcastIgmpVersion')], ['mcast_mld_version', U8, mc('mcastMldVersion')],
  ['nf_call_iptables', U8, (o, v) => { o.nfCallIptables = v; }], ['nf_call_ip6tables', U8, (o, v) => { o.nfCallIp6tables = v; }],
  ['nf_call_arptables', U8, (o, v) => { o.nfCallArptables = v; }],
];

function numeric(a: Args, o: BridgeOptions, arg: string, table: Num[]): boolean {
  const e = table.find(([k, , , exact]) => (exact ? arg === k : matches(arg, k)));
  if (!e) return false;
  const text = a.value();
  const v = parseUnsigned(text, e[1]);
  if (v === undefined) invargText(`invalid ${e[0]}`, text);
  e[2](o, v);
  return true;
}

/** bridge_parse_opt. */
export function parseBridgeOptions(argv: string[]): BridgeOptions {
  const o: BridgeOptions = {};
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (numeric(a, o, arg, BRIDGE_NUMERIC)) continue;
    if (matches(arg, 'vlan_protocol')) {
      const v = a.value();
      if (v !== '802.1Q' && v !== '802.1q' && v !== '802.1ad') invargText('invalid vlan_protocol', v);
    } else if (matches(arg, 'group_fwd_mask')) {
      const v = a.value();
      const n = parseUnsigned(v, U16);
      if (n === undefined) invargText('invalid group_fwd_mask', v);
      o.groupFwdMask = n;
    } else if (matches(arg, 'group_address')) {
      o.groupAddr = Uint8Array.from(a.value().split(':').map((x) => parseInt(x, 16)));
    } else if (numeric(a, o, arg, BRIDGE_NUMERIC2)) {
      continue;
    } else if (matches(arg, 'fdb_flush')) {
      o.fdbFlush = true;
    } else if (numeric(a, o, arg, BRIDGE_NUMERIC3)) {
      continue;
    } else if (matches(arg, 'help')) {
      throw new ToolExit(1, BRIDGE_USAGE);
    } else {
      throw new ToolExit(1, `bridge: unknown command "${arg}"?\n${BRIDGE_USAGE}`);
    }
  }
  return o;
}

const SLAVE_FLAGS: Array<[string, keyof PortOptions]> = [
  ['hairpin', 'hairpin'], ['guard', 'guard'], ['root_block', 'rootBlock'], ['fastleave', 'fastLeave'], ['learning', 'learning'],
  ['flood', 'flood'], ['mcast_flood', 'mcastFlood'], ['bcast_flood', 'bcastFlood'], ['mcast_to_unicast', 'mcastToUnicast'],
  ['proxy_arp', 'proxyArp'], ['proxy_arp_wifi', 'proxyArpWifi'],
];

/** parse_on_off: a prefix of "off" or "on". */
export function onOff(key: string, v: string, status: number): boolean {
  if (matches(v, 'off')) return false;
  if (matches(v, 'on')) return true;
  throw new ToolExit(status, `Error: argument of "${key}" must be one of "off", "on", not "${v}"\n`);
}

/** bridge_slave_parse_opt. */
export function parseSlaveOptions(argv: string[]): PortOptions {
  const o: PortOptions = {};
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    const num = (what: string, max: number): number => {
      const v = a.value();
      const n = parseUnsigned(v, max);
      if (n === undefined) invargText(what, v);
      return n;
    };
    if (matches(arg, 'fdb_flush')) o.flush = true;
    else if (matches(arg, 'state')) o.state = num('state is invalid', U8);
    else if (matches(arg, 'priority')) o.priority = num('priority is invalid', U16);
    else if (matches(arg, 'cost')) o.cost = num('cost is invalid', U32);
    else if (matches(arg, 'mcast_router')) o.mcastRouter = num('invalid mcast_router', U8);
    else if (matches(arg, 'mcast_fast_leave')) o.fastLeave = onOff('mcast_fast_leave', a.value(), 1);
    else if (matches(arg, 'neigh_suppress')) o.neighSuppress = onOff('neigh_suppress', a.value(), 1);
    else if (matches(arg, 'group_fwd_mask')) o.groupFwdMask = num('invalid group_fwd_mask', U16);
    else if (matches(arg, 'vlan_tunnel')) o.vlanTunnel = onOff('vlan_tunnel', a.value(), 1);
    else if (matches(arg, 'isolated')) o.isolated = onOff('isolated', a.value(), 1);
    else if (matches(arg, 'locked')) o.locked = onOff('locked', a.value(), 1);
    else if (matches(arg, 'help')) throw new ToolExit(1, SLAVE_USAGE);
    else {
      const flag = SLAVE_FLAGS.find(([k]) => matches(arg, k));
      if (!flag) throw new ToolExit(1, `bridge_slave: unknown option "${arg}"?\n${SLAVE_USAGE}`);
      (o as Record<string, boolean>)[flag[1]] = onOff(flag[0], a.value(), 1);
    }
  }
  return o;
}

/** rtnl_newlink/changelink with IFLA_INFO_KIND bridge or IFLA_INFO_SLAVE_KIND bridge on an existing device. */
export function changeBridgeLink(dev: NetDevice, type: string, argv: string[]): void {
  if (type === 'bridge') {
    const o = parseBridgeOptions(argv);
    if (!(dev instanceof Bridge)) throw new KernelError(EOPNOTSUPP);
    bridgeChangelink(dev, o);
  } else {
    const o = parseSlaveOptions(argv);
    if (!dev.brPort) throw new KernelError(EOPNOTSUPP);
    portSetport(dev.brPort, o);
  }
}

/** ether_ntoa-style bridge id: `8000.2:0:0:0:1:5`. */
function formatBridgeIdShort(id: BridgeId): string {
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return `${hex(id[0])}${hex(id[1])}.${[...id.subarray(2)].map((b) => b.toString(16)).join(':')}`;
}

function timer(p: Printer, key: string, clock: number): void {
  const text = `${Math.floor(clock / 100)}.${String(clock % 100).padStart(2, '0')}`;
  if (p.jw) p.jw.name(key).raw(text);
  else p.fp(`${key} ${text.padStart(7)} `);
}

const u = (p: Printer, key: string, v: number, text = key) => p.any(key, `${text} ${v} `, v);

/** bridge_print_opt. */
export function printBridgeOptions(p: Printer, br: Bridge): void {
  const j = (x: number) => jiffiesToClock(x);
  u(p, 'forward_delay', j(br.forwardDelay));
  u(p, 'hello_time', j(br.helloTime));
  u(p, 'max_age', j(br.maxAge));
  u(p, 'ageing_time', j(br.ageingTime));
  u(p, 'stp_state', br.stpEnabled);
  u(p, 'priority', (br.bridgeId[0] << 8) | br.bridgeId[1]);
  u(p, 'vlan_filtering', br.vlanFiltering);
  const id = formatBridgeIdShort(br.bridgeId);
  p.any('bridge_id', `bridge_id ${id} `, id);
  // iproute2 6.1 prints the bridge id again here (it reads IFLA_BR_BRIDGE_ID for the root id).
  p.any('root_id', `designated_root ${id} `, id);
  u(p, 'root_port', br.rootPort);
  u(p, 'root_path_cost', br.rootPathCost);
  u(p, 'topology_change', br.topologyChange);
  u(p, 'topology_change_detected', br.topologyChangeDetected);
  timer(p, 'hello_timer', br.helloTimer.value());
  timer(p, 'tcn_timer', br.tcnTimer.value());
  timer(p, 'topology_change_timer', br.topologyChangeTimer.value());
  timer(p, 'gc_timer', br.gcTimer.value());
  const mask = br.groupFwdMask ? `0x${br.groupFwdMask.toString(16)}` : '0';
  p.any('group_fwd_mask', `group_fwd_mask ${mask} `, mask);
  const ga = [...br.groupAddr].map((b) => b.toString(16).padStart(2, '0')).join(':');
  p.any('group_addr', `group_address ${ga} `, ga);
  const m = br.mcast;
  u(p, 'mcast_snooping', br.mcastSnooping);
  u(p, 'no_linklocal_learn', m.noLinklocalLearn);
  u(p, 'mcast_vlan_snooping', m.mcastVlanSnooping);
  u(p, 'mcast_router', m.mcastRouter);
  u(p, 'mcast_query_use_ifaddr', m.mcastQueryUseIfaddr);
  u(p, 'mcast_querier', m.mcastQuerier);
  u(p, 'mcast_hash_elasticity', m.mcastHashElasticity);
  u(p, 'mcast_hash_max', m.mcastHashMax);
  u(p, 'mcast_last_member_cnt', m.mcastLastMemberCount, 'mcast_last_member_count');
  u(p, 'mcast_startup_query_cnt', m.mcastStartupQueryCount, 'mcast_startup_query_count');
  u(p, 'mcast_last_member_intvl', m.mcastLastMemberInterval, 'mcast_last_member_interval');
  u(p, 'mcast_membership_intvl', m.mcastMembershipInterval, 'mcast_membership_interval');
  u(p, 'mcast_querier_intvl', m.mcastQuerierInterval, 'mcast_querier_interval');
  u(p, 'mcast_query_intvl', m.mcastQueryInterval, 'mcast_query_interval');
  u(p, 'mcast_query_response_intvl', m.mcastQueryResponseInterval, 'mcast_query_response_interval');
  u(p, 'mcast_startup_query_intvl', m.mcastStartupQueryInterval, 'mcast_startup_query_interval');
  u(p, 'mcast_stats_enabled', m.mcastStatsEnabled);
  u(p, 'mcast_igmp_version', m.mcastIgmpVersion);
  u(p, 'mcast_mld_version', m.mcastMldVersion);
  u(p, 'nf_call_iptables', br.nfCallIptables);
  u(p, 'nf_call_ip6tables', br.nfCallIp6tables);
  u(p, 'nf_call_arptables', br.nfCallArptables);
}

const onoff = (p: Printer, key: string, on: boolean, text = key) => p.any(key, `${text} ${on ? 'on' : 'off'} `, on);

/** bridge_slave_print_opt. */
export function printSlaveOptions(p: Printer, port: BridgePort): void {
  const f = port.flags;
  const state = PORT_STATE_NAMES[port.state];
  p.any('state', `state ${state} `, state);
  u(p, 'priority', port.priority);
  u(p, 'cost', port.pathCost);
  onoff(p, 'hairpin', (f & BR_HAIRPIN_MODE) !== 0);
  onoff(p, 'guard', (f & BR_BPDU_GUARD) !== 0);
  onoff(p, 'root_block', (f & BR_ROOT_BLOCK) !== 0);
  onoff(p, 'fastleave', (f & BR_MULTICAST_FAST_LEAVE) !== 0);
  onoff(p, 'learning', (f & BR_LEARNING) !== 0);
  onoff(p, 'flood', (f & BR_FLOOD) !== 0);
  const hex = (v: number) => (v ? `0x${v.toString(16)}` : '0');
  p.any('id', `port_id ${hex(port.portId)} `, hex(port.portId));
  p.any('no', `port_no ${hex(port.portNo)} `, hex(port.portNo));
  u(p, 'designated_port', port.designatedPort);
  u(p, 'designated_cost', port.designatedCost);
  const db = formatBridgeIdShort(port.designatedBridge);
  p.any('bridge_id', `designated_bridge ${db} `, db);
  const dr = formatBridgeIdShort(port.designatedRoot);
  p.any('root_id', `designated_root ${dr} `, dr);
  timer(p, 'hold_timer', port.holdTimer.value());
  timer(p, 'message_age_timer', port.messageAgeTimer.value());
  timer(p, 'forward_delay_timer', port.forwardDelayTimer.value());
  u(p, 'topology_change_ack', port.topologyChangeAck);
  u(p, 'config_pending', port.configPending);
  onoff(p, 'proxy_arp', (f & BR_PROXYARP) !== 0);
  onoff(p, 'proxy_arp_wifi', (f & BR_PROXYARP_WIFI) !== 0);
  p.any('multicast_router', `mcast_router ${port.mcastRouter} `, port.mcastRouter);
  p.fp(`mcast_fast_leave ${f & BR_MULTICAST_FAST_LEAVE ? 'on' : 'off'} `);
  onoff(p, 'mcast_flood', (f & BR_MCAST_FLOOD) !== 0);
  onoff(p, 'bcast_flood', (f & BR_BCAST_FLOOD) !== 0);
  onoff(p, 'mcast_to_unicast', (f & BR_MULTICAST_TO_UNICAST) !== 0);
  onoff(p, 'neigh_suppress', (f & BR_NEIGH_SUPPRESS) !== 0);
  const gm = hex(port.groupFwdMask);
  p.any('group_fwd_mask', `group_fwd_mask ${gm} `, gm);
  const names = ['stp', '', 'lacp', '', '', '', '', '', '', '', '', '', '', '', 'lldp'];
  const str = [...Array(16).keys()].filter((i) => port.groupFwdMask & (1 << i)).map((i) => names[i] || `0x${(1 << i).toString(16)}`).join(',') || '0x0';
  p.any('group_fwd_mask_str', `group_fwd_mask_str ${str} `, str);
  onoff(p, 'vlan_tunnel', (f & BR_VLAN_TUNNEL) !== 0);
  onoff(p, 'isolated', (f & BR_ISOLATED) !== 0);
  onoff(p, 'locked', (f & BR_PORT_LOCKED) !== 0);
}
