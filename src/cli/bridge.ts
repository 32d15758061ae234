// `bridge` (iproute2 6.1 bridge/bridge.c, bridge/link.c): global options, `bridge link` (show
// and set of bridge ports) and `bridge fdb` (bridge-fdb.ts).
import type { NetNs } from '../kernel/netns.ts';
import { portSetport, type PortOptions } from '../kernel/bridge/options.ts';
import {
  BR_BCAST_FLOOD, BR_BPDU_GUARD, BR_FLOOD, BR_HAIRPIN_MODE, BR_ISOLATED, BR_LEARNING, BR_MCAST_FLOOD,
  BR_MULTICAST_FAST_LEAVE, BR_MULTICAST_TO_UNICAST, BR_NEIGH_SUPPRESS, BR_PORT_LOCKED, BR_ROOT_BLOCK, BR_VLAN_TUNNEL,
  PORT_STATE_NAMES,
} from '../kernel/bridge/port.ts';
import { EOPNOTSUPP, KernelError } from '../kernel/errors.ts';
import { IFF_UP } from '../kernel/device.ts';
import { bridgeFdb, bridgeRtnl } from './bridge-fdb.ts';
import { matches, netnsOption } from './ip/args.ts';
import { printLinkFlags } from './ip/link-print.ts';
import { onOff } from './ip/link-bridge.ts';
import { Printer } from './ip/printer.ts';
import { ToolExit, type Tool, type ToolContext } from './tool.ts';

export interface BridgeOptions {
  stats: number;
  details: boolean;
  json: boolean;
  pretty: boolean;
  oneline: boolean;
}

export interface BridgeCtx extends ToolContext {
  opts: BridgeOptions;
}

const USAGE = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }
`;

export const bridge: Tool = (ctx) => {
  const opts: BridgeOptions = { stats: 0, details: false, json: false, pretty: false, oneline: false };
  const argv = ctx.argv.slice(1);
  let ns: NetNs = ctx.ns;
  try {
    while (argv.length && argv[0].startsWith('-')) {
      let opt = argv.shift()!;
      if (opt === '--') break;
      if (opt.startsWith('--')) opt = opt.slice(1);
      if (matches(opt, '-help')) throw new ToolExit(255, USAGE);
      if (matches(opt, '-Version')) {
        ctx.io.out('bridge utility, 6.1.0\n');
        return 0;
      }
      if (matches(opt, '-stats') || matches(opt, '-statistics')) opts.stats++;
      else if (matches(opt, '-details')) opts.details = true;
      else if (matches(opt, '-oneline')) opts.oneline = true;
      else if (matches(opt, '-timestamp') || matches(opt, '-compressvlans') || matches(opt, '-force') || opt === '-4' || opt === '-6') continue;
      else if (matches(opt, '-json')) opts.json = true;
      else if (matches(opt, '-pretty')) opts.pretty = true;
      else if (matches(opt, '-netns')) ns = netnsOption(ctx, argv);
      else throw new ToolExit(255, `Option "${opt}" is unknown, try "bridge help".\n`);
    }
    if (argv.length === 0) throw new ToolExit(255, USAGE);
    const bctx: BridgeCtx = { ...ctx, ns, opts };
    const obj = argv.shift()!;
    if (matches(obj, 'link')) return bridgeLink(bctx, argv);
    if (matches(obj, 'fdb')) return bridgeFdb(bctx, argv);
    if (matches(obj, 'help')) throw new ToolExit(255, USAGE);
    if (matches(obj, 'mdb') || matches(obj, 'vlan') || matches(obj, 'vni') || matches(obj, 'monitor')) {
      throw new ToolExit(1, `bridge ${obj}: not supported by nslab\n`);
    }
    throw new ToolExit(255, `Object "${obj}" is unknown, try "bridge help".\n`);
  } catch (e) {
    if (e instanceof ToolExit) {
      ctx.io.err(e.stderr);
      return e.status;
    }
    throw e;
  }
};

const LINK_USAGE = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]
`;

function bridgeLink(ctx: BridgeCtx, argv: string[]): number {
  if (argv.length === 0) return linkShow(ctx, []);
  const [cmd, ...rest] = argv;
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkSet(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return linkShow(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(255, LINK_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "bridge link help".\n`);
}

/** brlink_show: every bridge port (AF_BRIDGE link dump), as print_linkinfo prints it. */
function linkShow(ctx: BridgeCtx, argv: string[]): number {
  let filter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== 'dev') continue;
    if (i + 1 >= argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
    if (filter !== undefined) throw new ToolExit(255, `Error: duplicate "dev": "${argv[i + 1]}" is the second value.\n`);
    filter = argv[++i];
  }
  const ns = ctx.ns;
  let filterIndex = 0;
  if (filter !== undefined) {
    const d = ns.device(filter);
    if (!d) throw new ToolExit(255, `Cannot find device "${filter}"\n`);
    filterIndex = d.ifindex;
  }
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  p.begin();
  for (const dev of ns.deviceList()) {
    const port = dev.brPort;
    if (!port || (filterIndex && dev.ifindex !== filterIndex)) continue;
    p.openObject();
    p.any('ifindex', `${dev.ifindex}: `, dev.ifindex);
    // print_name_and_link: IFLA_LINK without a netns id, so the peer's index is looked up here.
    let name = dev.name;
    let mdown = false;
    const iflink = dev.iflink();
    if (iflink !== dev.ifindex) {
      const peer = ns.deviceByIndex(iflink);
      const link = peer ? peer.name : `if${iflink}`;
      if (p.json) p.js('link', link);
      else name += `@${link}`;
      mdown = peer ? !(peer.reportedFlags() & IFF_UP) : false;
    }
    p.any('ifname', `${name}: `, dev.name);
    printLinkFlags(p, dev.reportedFlags(), mdown);
    p.any('mtu', `mtu ${dev.mtu} `, dev.mtu);
    p.any('master', `master ${port.br.name} `, port.br.name);
    const st = PORT_STATE_NAMES[port.state];
    p.any('state', `state ${st} `, st);
    p.any('priority', `priority ${port.priority} `, port.priority);
    p.any('cost', `cost ${port.pathCost} `, port.pathCost);
    if (ctx.opts.details) {
      p.fp(`${p.sl}    `);
      const f = port.flags;
      const flags: Array<[string, number]> = [
        ['hairpin', BR_HAIRPIN_MODE], ['guard', BR_BPDU_GUARD], ['root_block', BR_ROOT_BLOCK], ['fastleave', BR_MULTICAST_FAST_LEAVE],
        ['learning', BR_LEARNING], ['flood', BR_FLOOD], ['mcast_flood', BR_MCAST_FLOOD], ['bcast_flood', BR_BCAST_FLOOD],
      ];
      for (const [k, bit] of flags) p.any(k, `${k} ${f & bit ? 'on' : 'off'} `, (f & bit) !== 0);
      p.any('mcast_router', `mcast_router ${port.mcastRouter} `, port.mcastRouter);
      const more: Array<[string, number]> = [
        ['mcast_to_unicast', BR_MULTICAST_TO_UNICAST], ['neigh_suppress', BR_NEIGH_SUPPRESS], ['vlan_tunnel', BR_VLAN_TUNNEL],
        ['isolated', BR_ISOLATED], ['locked', BR_PORT_LOCKED],
      ];
      for (const [k, bit] of more) p.any(k, `${k} ${f & bit ? 'on' : 'off'} `, (f & bit) !== 0);
    }
    p.fp('\n');
    p.closeObject();
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

const LINK_FLAGS: Array<[string, keyof PortOptions]> = [
  ['guard', 'guard'], ['hairpin', 'hairpin'], ['fastleave', 'fastLeave'], ['root_block', 'rootBlock'], ['learning', 'learning'],
  ['learning_sync', 'learning'], ['flood', 'flood'], ['mcast_flood', 'mcastFlood'], ['bcast_flood', 'bcastFlood'],
  ['mcast_to_unicast', 'mcastToUnicast'], ['neigh_suppress', 'neighSuppress'], ['vlan_tunnel', 'vlanTunnel'],
  ['isolated', 'isolated'], ['locked', 'locked'],
];

/** brlink_modify → rtnl_bridge_setlink → br_setlink on the port's bridge. */
function linkSet(ctx: BridgeCtx, argv: string[]): number {
  let d: string | undefined;
  const o: PortOptions = {};
  let cost = 0;
  let self = false;
  let master = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
      return argv[++i];
    };
    const flag = LINK_FLAGS.find(([k]) => k === a);
    if (a === 'dev') d = next();
    else if (flag && flag[0] !== 'learning_sync') (o as Record<string, boolean>)[flag[1]] = onOff(flag[0], next(), 234);
    else if (a === 'learning_sync') onOff(a, next(), 234);
    else if (a === 'mcast_router') o.mcastRouter = Number.parseInt(next(), 10) || 0;
    else if (a === 'cost') cost = Number.parseInt(next(), 10) || 0;
    else if (a === 'priority') o.priority = Number.parseInt(next(), 10) || 0;
    else if (a === 'state') {
      const v = next();
      const n = /^-?\d+$/.test(v) ? Number(v) : PORT_STATE_NAMES.indexOf(v);
      if (n === -1) throw new ToolExit(255, 'Error: invalid STP port state\n');
      if (n >= 0) o.state = n & 0xff;
    } else if (a === 'hwmode') {
      const v = next();
      if (v !== 'vepa' && v !== 'veb') throw new ToolExit(255, 'Mode argument must be "vepa" or "veb".\n');
      self = true;
    } else if (a === 'self') self = true;
    else if (a === 'master') master = true;
    else if (a === 'backup_port') {
      const v = next();
      if (!ctx.ns.device(v)) throw new ToolExit(255, `Error: device ${v} does not exist\n`);
    } else if (a === 'nobackup_port') continue;
    else throw new ToolExit(255, LINK_USAGE);
  }
  if (d === undefined) throw new ToolExit(255, 'Device is a required argument.\n');
  const dev = ctx.ns.device(d);
  if (!dev) throw new ToolExit(255, `Cannot find bridge device "${d}"\n`);
  if (cost > 0) o.cost = cost;
  bridgeRtnl(() => {
    const port = dev.brPort;
    if ((master || !self) && port) {
      portSetport(port, o);
      return;
    }
    throw new KernelError(EOPNOTSUPP);
  });
  return 0;
}
