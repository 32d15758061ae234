// One device as `ip link` / `ip address` print it (iproute2 6.1 print_linkinfo,
// print_linkinfo_brief, print_stats64): plain, -d, -br, -o, -s/-s -s and JSON.
import {
  IFF_ALLMULTI, IFF_BROADCAST, IFF_DEBUG, IFF_ECHO, IFF_LOOPBACK, IFF_LOWER_UP, IFF_MASTER, IFF_MULTICAST, IFF_NOARP,
  IFF_NOTRAILERS, IFF_POINTOPOINT, IFF_PROMISC, IFF_RUNNING, IFF_SLAVE, IFF_UP, IFF_DORMANT, type LinkStats, type NetDevice,
} from '../../kernel/device.ts';
import { formatMac } from '../../wire/addr.ts';
import { Bridge } from '../../kernel/bridge/bridge.ts';
import { printBridgeOptions, printSlaveOptions } from './link-bridge.ts';
import type { Printer } from './printer.ts';

const IFF_PORTSEL = 0x2000;
const IFF_AUTOMEDIA = 0x4000;
const IFF_DYNAMIC = 0x8000;

/** The flag names in the order iproute2 prints them. */
const FLAG_NAMES: Array<[number, string]> = [
  [IFF_LOOPBACK, 'LOOPBACK'], [IFF_BROADCAST, 'BROADCAST'], [IFF_POINTOPOINT, 'POINTOPOINT'], [IFF_MULTICAST, 'MULTICAST'],
  [IFF_NOARP, 'NOARP'], [IFF_ALLMULTI, 'ALLMULTI'], [IFF_PROMISC, 'PROMISC'], [IFF_MASTER, 'MASTER'], [IFF_SLAVE, 'SLAVE'],
  [IFF_DEBUG, 'DEBUG'], [IFF_DYNAMIC, 'DYNAMIC'], [IFF_AUTOMEDIA, 'AUTOMEDIA'], [IFF_PORTSEL, 'PORTSEL'],
  [IFF_NOTRAILERS, 'NOTRAILERS'], [IFF_UP, 'UP'], [IFF_LOWER_UP, 'LOWER_UP'], [IFF_DORMANT, 'DORMANT'], [IFF_ECHO, 'ECHO'],
];

export type Family = 'any' | 'inet' | 'inet6' | 'link';

export interface LinkPrintOptions {
  /** filter.family: 'link' for `ip link` and -0. */
  family: Family;
  /** `ip link` (do_link) rather than `ip address`. */
  doLink: boolean;
  details: boolean;
  stats: number;
  brief: boolean;
  /**
   * The message came from a full link message (RTM_GETLINK, or a dump of any family but
   * inet6); an inet6 dump (`ip -6 addr`) carries only name, address, mtu, link and operstate.
   */
  full: boolean;
}

/** ll_type_n2a. */
export function linkTypeName(type: number): string {
  switch (type) {
    case 1: return 'ether';
    case 772: return 'loopback';
    case 776: return 'sit';
    case 778: return 'gre';
    case 65534: return 'none';
    default: return `[${type}]`;
  }
}

/** rtnl_group_n2a with Debian's /etc/iproute2/group (0 = default). */
export function groupName(group: number): string {
  return group === 0 ? 'default' : String(group);
}

/** print_link_flags: `<FLAGS> ` (a JSON array "flags"). */
export function printLinkFlags(p: Printer, flags: number, mdown: boolean): void {
  p.openArray('flags', '<');
  const sep = (rest: number) => (rest ? ',' : '');
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) p.any(null, `NO-CARRIER${sep(flags)}`, 'NO-CARRIER');
  flags &= ~IFF_RUNNING;
  for (const [bit, name] of FLAG_NAMES) {
    if (flags & bit) {
      flags &= ~bit;
      p.any(null, `${name}${sep(flags)}`, name);
    }
  }
  if (flags) p.any(null, flags.toString(16), flags.toString(16));
  if (mdown) p.any(null, ',M-DOWN', 'M-DOWN');
  p.closeArray('> ');
}

/**
 * print_name_and_link: NAME, NAME@PEER (same namespace; returns M-DOWN when the peer is down)
 * or NAME@ifN (peer elsewhere). The peer is looked up by index in the device's own namespace.
 */
function printNameAndLink(p: Printer, dev: NetDevice, fmt: (s: string) => string, o: LinkPrintOptions): boolean {
  let name = dev.name;
  let mdown = false;
  const iflink = dev.iflink();
  const netnsid = o.full ? dev.ns.notifyLink(dev) : undefined;
  if (iflink !== dev.ifindex || netnsid !== undefined) {
    if (iflink === 0) {
      if (p.json) p.js('link', null);
      else name += '@NONE';
    } else if (netnsid !== undefined) {
      if (p.json) p.js('link_index', iflink);
      else name += `@if${iflink}`;
    } else {
      const peer = dev.ns.deviceByIndex(iflink);
      const peerName = peer ? peer.name : `if${iflink}`;
      if (p.json) p.js('link', peerName);
      else name += `@${peerName}`;
      // ll_index_to_flags gives -1 (all flags) for an unknown index.
      mdown = peer ? !(peer.reportedFlags() & IFF_UP) : false;
    }
  }
  p.any('ifname', fmt(name), name);
  return mdown;
}

/** print_linkinfo: one device. */
export function printLinkInfo(p: Printer, dev: NetDevice, o: LinkPrintOptions): void {
  const flags = dev.reportedFlags();
  if (o.brief) {
    printLinkBrief(p, dev, o);
    return;
  }
  p.any('ifindex', `${dev.ifindex}: `, dev.ifindex);
  const mdown = printNameAndLink(p, dev, (s) => `${s}: `, o);
  printLinkFlags(p, flags, mdown);
  p.any('mtu', `mtu ${dev.mtu} `, dev.mtu);
  if (o.full) p.any('qdisc', `qdisc ${dev.qdisc} `, dev.qdisc);
  if (o.full && dev.master) p.any('master', `master ${dev.master.name} `, dev.master.name);
  const state = dev.operstate();
  if (p.json) p.js('operstate', state);
  else p.fp(`state ${state} `);
  if (o.doLink && o.full) p.any('linkmode', 'mode DEFAULT ', 'DEFAULT');
  if (o.full) p.any('group', `group ${groupName(dev.group)} `, groupName(dev.group));
  if (dev.txqueuelen) p.any('txqlen', `qlen ${dev.txqueuelen}`, dev.txqueuelen);
  if (o.family === 'any' || o.family === 'link' || o.details) {
    p.nl();
    p.any('link_type', `    link/${linkTypeName(dev.type)} `, linkTypeName(dev.type));
    p.any('address', formatMac(dev.mac), formatMac(dev.mac));
    if (o.full) {
      p.fp(dev.flags & IFF_POINTOPOINT ? ' peer ' : ' brd ');
      if (dev.flags & IFF_POINTOPOINT) p.js('link_pointtopoint', true);
      p.any('broadcast', formatMac(dev.broadcast), formatMac(dev.broadcast));
    }
  }
  const netnsid = o.full ? dev.ns.notifyLink(dev) : undefined;
  if (netnsid !== undefined) {
    if (p.json) p.js('link_netnsid', netnsid);
    else {
      const name = nsidName(dev, netnsid);
      p.fp(name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${netnsid}`);
    }
  }
  if (o.details && o.full) printDetails(p, dev, o);
  if ((o.doLink || o.details) && o.full && dev.alias !== undefined) {
    p.fp(`${p.sl}    `);
    p.any('ifalias', `alias ${dev.alias}`, dev.alias);
  }
  if (o.doLink && o.stats && o.full) {
    p.nl();
    printStats64(p, dev.stats, dev.carrierChanges, o.stats);
  }
  p.fp('\n');
}

/** The `ip netns` name whose id (in the device's namespace) is `nsid`, as get_name_from_nsid finds it. */
function nsidName(dev: NetDevice, nsid: number): string | undefined {
  for (const [name, ns] of dev.ns.world.netns) if (dev.ns.nsids.get(ns) === nsid) return name;
  return undefined;
}

/** The -d part of print_linkinfo. */
function printDetails(p: Printer, dev: NetDevice, o: LinkPrintOptions): void {
  p.any('promiscuity', ` promiscuity ${dev.promiscuity} `, dev.promiscuity);
  p.any('allmulti', ` allmulti ${dev.allmulti} `, dev.allmulti);
  p.any('min_mtu', `minmtu ${dev.minMtu} `, dev.minMtu);
  p.any('max_mtu', `maxmtu ${dev.maxMtu} `, dev.maxMtu);
  if (dev.kind !== 'loopback') {
    p.openObject('linkinfo');
    p.nl();
    p.any('info_kind', `    ${dev.kind} `, dev.kind);
    if (dev instanceof Bridge) {
      p.openObject('info_data');
      printBridgeOptions(p, dev);
      p.closeObject();
    }
    if (dev.brPort) {
      p.nl();
      p.any('info_slave_kind', '    bridge_slave ', 'bridge');
      p.openObject('info_slave_data');
      printSlaveOptions(p, dev.brPort);
      p.closeObject();
    }
    p.closeObject();
  }
  if (o.doLink) p.any('inet6_addr_gen_mode', `addrgenmode ${dev.addrGenMode} `, dev.addrGenMode);
  p.any('num_tx_queues', `numtxqueues ${dev.numTxQueues} `, dev.numTxQueues);
  p.any('num_rx_queues', `numrxqueues ${dev.numRxQueues} `, dev.numRxQueues);
  p.any('gso_max_size', `gso_max_size ${dev.gsoMaxSize} `, dev.gsoMaxSize);
  p.any('gso_max_segs', `gso_max_segs ${dev.gsoMaxSegs} `, dev.gsoMaxSegs);
  p.any('tso_max_size', `tso_max_size ${dev.tsoMaxSize} `, dev.tsoMaxSize);
  p.any('tso_max_segs', `tso_max_segs ${dev.tsoMaxSegs} `, dev.tsoMaxSegs);
  p.any('gro_max_size', `gro_max_size ${dev.groMaxSize} `, dev.groMaxSize);
}

/** print_linkinfo_brief: `NAME@PEER        STATE          [MAC <FLAGS> ]`. */
function printLinkBrief(p: Printer, dev: NetDevice, o: LinkPrintOptions): void {
  const mdown = printNameAndLink(p, dev, (s) => `${s.padEnd(16)} `, o);
  const state = dev.operstate();
  p.any('operstate', `${state.padEnd(14)} `, state);
  if (o.family === 'link') {
    p.any('address', `${formatMac(dev.mac)} `, formatMac(dev.mac));
    printLinkFlags(p, dev.reportedFlags(), mdown);
    p.fp('\n');
  }
}

/** size_columns: widen each column to fit its values. */
function sizeColumns(cols: number[], ...vals: number[]): void {
  vals.forEach((v, i) => {
    const len = String(v).length;
    if (len > cols[i]) cols[i] = len;
  });
}

const num = (width: number, v: number) => `${String(v).padStart(width)} `;

/** print_stats64: the RX/TX table (`-s`), with the error lines for `-s -s`. */
export function printStats64(p: Printer, s: LinkStats, carrierChanges: number, level: number): void {
  if (p.json) {
    p.openObject('stats64').openObject('rx');
    p.js('bytes', s.rxBytes).js('packets', s.rxPackets).js('errors', s.rxErrors).js('dropped', s.rxDropped)
      .js('over_errors', s.rxOverErrors).js('multicast', s.multicast);
    if (s.rxCompressed) p.js('compressed', s.rxCompressed);
    if (level > 1) {
      p.js('length_errors', s.rxLengthErrors).js('crc_errors', s.rxCrcErrors).js('frame_errors', s.rxFrameErrors)
        .js('fifo_errors', s.rxFifoErrors).js('missed_errors', s.rxMissedErrors);
      if (s.rxNohandler) p.js('nohandler', s.rxNohandler);
      if (s.rxOtherhostDropped) p.js('otherhost', s.rxOtherhostDropped);
    }
    p.closeObject().openObject('tx');
    p.js('bytes', s.txBytes).js('packets', s.txPackets).js('errors', s.txErrors).js('dropped', s.txDropped)
      .js('carrier_errors', s.txCarrierErrors).js('collisions', s.collisions);
    if (s.txCompressed) p.js('compressed', s.txCompressed);
    if (level > 1) {
      p.js('aborted_errors', s.txAbortedErrors).js('fifo_errors', s.txFifoErrors).js('window_errors', s.txWindowErrors)
        .js('heartbeat_errors', s.txHeartbeatErrors).js('carrier_changes', carrierChanges);
    }
    p.closeObject().closeObject();
    return;
  }
  const cols = ['*X errors:'.length, 'packets'.length, 'errors'.length, 'dropped'.length, 'heartbt'.length, 'overrun'.length,
    'compressed'.length, 'otherhost'.length];
  sizeColumns(cols, s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissedErrors, s.multicast, s.rxCompressed, 0);
  if (level > 1) {
    sizeColumns(cols, 0, s.rxLengthErrors, s.rxCrcErrors, s.rxFrameErrors, s.rxFifoErrors, s.rxOverErrors, s.rxNohandler,
      s.rxOtherhostDropped);
  }
  sizeColumns(cols, s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors, s.collisions, s.txCompressed, 0);
  if (level > 1) {
    sizeColumns(cols, 0, 0, s.txAbortedErrors, s.txFifoErrors, s.txWindowErrors, s.txHeartbeatErrors, carrierChanges, 0);
  }
  const sl = p.sl;
  const hdr = (a: string, b: string, c: string) => `    ${a}: ${'bytes'.padStart(cols[0] - 4)} ${'packets'.padStart(cols[1])} ${'errors'.padStart(cols[2])} ` +
    `${'dropped'.padStart(cols[3])} ${b.padStart(cols[4])} ${c.padStart(cols[5])} `;
  let t = hdr('RX', 'missed', 'mcast') + (s.rxCompressed ? 'compressed' : '').padStart(cols[6]) + sl;
  t += '    ' + num(cols[0], s.rxBytes) + num(cols[1], s.rxPackets) + num(cols[2], s.rxErrors) + num(cols[3], s.rxDropped) +
    num(cols[4], s.rxMissedErrors) + num(cols[5], s.multicast);
  if (s.rxCompressed) t += num(cols[6], s.rxCompressed);
  if (level > 1) {
    t += sl + `    RX errors:${''.padStart(cols[0] - 10)} ${'length'.padStart(cols[1])} ${'crc'.padStart(cols[2])} ` +
      `${'frame'.padStart(cols[3])} ${'fifo'.padStart(cols[4])} ${'overrun'.padStart(cols[5])}` +
      (s.rxNohandler ? ' nohandler'.padStart(cols[6] + 1) : '') + (s.rxOtherhostDropped ? ' otherhost'.padStart(cols[7] + 1) : '') + sl;
    t += ''.padStart(cols[0] + 5) + num(cols[1], s.rxLengthErrors) + num(cols[2], s.rxCrcErrors) + num(cols[3], s.rxFrameErrors) +
      num(cols[4], s.rxFifoErrors) + num(cols[5], s.rxOverErrors);
    if (s.rxNohandler) t += num(cols[6], s.rxNohandler);
    if (s.rxOtherhostDropped) t += num(cols[7], s.rxOtherhostDropped);
  }
  t += sl;
  t += hdr('TX', 'carrier', 'collsns') + (s.txCompressed ? 'compressed' : '').padStart(cols[6]) + sl;
  t += '    ' + num(cols[0], s.txBytes) + num(cols[1], s.txPackets) + num(cols[2], s.txErrors) + num(cols[3], s.txDropped) +
    num(cols[4], s.txCarrierErrors) + num(cols[5], s.collisions);
  if (s.txCompressed) t += num(cols[6], s.txCompressed);
  if (level > 1) {
    t += sl + `    TX errors:${''.padStart(cols[0] - 10)} ${'aborted'.padStart(cols[1])} ${'fifo'.padStart(cols[2])} ` +
      `${'window'.padStart(cols[3])} ${'heartbt'.padStart(cols[4])} ${'transns'.padStart(cols[5])}` + sl;
    t += ''.padStart(cols[0] + 5) + num(cols[1], s.txAbortedErrors) + num(cols[2], s.txFifoErrors) + num(cols[3], s.txWindowErrors) +
      num(cols[4], s.txHeartbeatErrors) + num(cols[5], carrierChanges);
  }
  p.fp(t);
}
