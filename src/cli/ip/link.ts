// `ip link` (iproute2 6.1 iplink.c do_iplink, iplink_parse, iplink_modify; link_veth.c) and
// the kernel side of RTM_NEWLINK/RTM_DELLINK it drives (rtnl_newlink, do_setlink, rtnl_dellink).
import {
  IFF_ALLMULTI, IFF_MULTICAST, IFF_NOARP, IFF_NOTRAILERS, IFF_PROMISC, IFF_UP, isValidEtherAddr, type NetDevice,
} from '../../kernel/device.ts';
import { EADDRNOTAVAIL, EEXIST, EINVAL, EOPNOTSUPP, KernelError } from '../../kernel/errors.ts';
import { Bridge } from '../../kernel/bridge/bridge.ts';
import { validIfname } from '../../kernel/netns.ts';
import { allocName } from '../../kernel/world.ts';
import { changeBridgeLink, parseBridgeOptions, parseSlaveOptions } from './link-bridge.ts';
import type { NetNs } from '../../kernel/netns.ts';
import { ToolExit } from '../tool.ts';
import { getInteger } from './addr-args.ts';
import { ipaddrList, invargText } from './addr-list.ts';
import { Args, duparg, duparg2, matches, rtnl } from './args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { LINK_USAGE } from './usage.ts';

const IFF_DYNAMIC = 0x8000;
const IFALIASZ = 256;

export const ipLink: IpObject = (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return ipaddrList(ctx, [], 'list', true);
  if (matches(cmd, 'add')) return modify(ctx, 'add', rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return modify(ctx, 'set', rest);
  if (matches(cmd, 'replace')) return modify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'del', rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return ipaddrList(ctx, rest, 'list', true);
  if (matches(cmd, 'xstats') || matches(cmd, 'afstats') || matches(cmd, 'property')) {
    throw new ToolExit(1, `ip link ${cmd}: not supported by nslab\n`);
  }
  if (matches(cmd, 'help')) {
    if (rest[0] === 'veth') {
      ctx.io.out('Usage: ip link <options> type veth [peer <options>]\nTo get <options> type \'ip link add help\'\n');
      return 0;
    }
    throw new ToolExit(255, LINK_USAGE);
  }
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip link help".\n`);
};

/** One ifinfomsg and its attributes, as iplink_parse builds it. */
interface LinkRequest {
  flags: number;
  change: number;
  name: string | undefined;
  dev: string | undefined;
  index: number;
  address: Uint8Array | undefined;
  mtu: number | undefined;
  txqlen: number | undefined;
  netns: NetNs | undefined;
  master: number | undefined;
  alias: string | undefined;
  group: number | undefined;
  carrier: boolean | undefined;
  type: string | undefined;
  /** Arguments after `type TYPE`. */
  typeArgs: string[];
}

/** check_ifname. */
function validName(name: string): boolean {
  return name.length > 0 && name.length < 16 && !/[/\s]/.test(name);
}

/** ll_addr_a2n: colon-separated hex bytes; prints its own error. */
function parseLladdr(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const part of text.split(':')) {
    const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(part);
    const v = m ? parseInt(m[1], 16) : NaN;
    if (!m || v > 255) throw new ToolExit(1, `"${part}" is invalid lladdr.\n`);
    bytes.push(v);
    if (bytes.length === 32) break;
  }
  return Uint8Array.from(bytes);
}

function onOff(key: string, v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new ToolExit(1, `Error: argument of "${key}" must be "on" or "off", not "${v}"\n`);
}

/** iplink_parse. `create` is NLM_F_CREATE. */
function parseLink(ctx: IpContext, argv: string[], create: boolean): LinkRequest {
  const r: LinkRequest = {
    flags: 0, change: 0, name: undefined, dev: undefined, index: 0, address: undefined, mtu: undefined, txqlen: undefined,
    netns: undefined, master: undefined, alias: undefined, group: undefined, carrier: undefined, type: undefined, typeArgs: [],
  };
  const flag = (bit: number, on: boolean) => {
    r.change |= bit;
    if (on) r.flags |= bit;
    else r.flags &= ~bit;
  };
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'up' || arg === 'down') flag(IFF_UP, arg === 'up');
    else if (arg === 'name') {
      const v = a.value();
      if (r.name !== undefined) duparg('name', v);
      if (!validName(v)) invargText('"name" not a valid ifname', v);
      r.name = v;
      r.dev ??= v;
    } else if (arg === 'index') {
      const v = a.value();
      if (r.index) duparg('index', v);
      r.index = Number.parseInt(v, 10) || 0;
      if (r.index <= 0) invargText('Invalid "index" value', v);
    } else if (matches(arg, 'address')) {
      r.address = parseLladdr(a.value());
    } else if (matches(arg, 'broadcast') || arg === 'brd') {
      parseLladdr(a.value());
    } else if (matches(arg, 'txqueuelen') || arg === 'qlen' || matches(arg, 'txqlen')) {
      const v = a.value();
      if (r.txqlen !== undefined) duparg('txqueuelen', v);
      r.txqlen = getInteger(v);
      if (r.txqlen === undefined) invargText('Invalid "txqueuelen" value\n', v);
    } else if (arg === 'mtu') {
      const v = a.value();
      if (r.mtu !== undefined) duparg('mtu', v);
      r.mtu = getInteger(v);
      if (r.mtu === undefined) invargText('Invalid "mtu" value\n', v);
    } else if (arg === 'netns') {
      const v = a.value();
      if (r.netns !== undefined) duparg('netns', v);
      r.netns = ctx.world.netns.get(v);
      if (!r.netns) {
        const pid = getInteger(v);
        if (pid === undefined) invargText('Invalid "netns" value\n', v);
        // Only init (pid 1) exists in nslab; it lives in the initial namespace.
        if (pid !== 1) throw new ToolExit(2, 'RTNETLINK answers: No such process\n');
        r.netns = ctx.world.host;
      }
    } else if (arg === 'multicast') flag(IFF_MULTICAST, onOff('multicast', a.value()));
    else if (arg === 'allmulticast') flag(IFF_ALLMULTI, onOff('allmulticast', a.value()));
    else if (arg === 'promisc') flag(IFF_PROMISC, onOff('promisc', a.value()));
    else if (arg === 'trailers') flag(IFF_NOTRAILERS, !onOff('trailers', a.value()));
    else if (arg === 'arp') flag(IFF_NOARP, !onOff('arp', a.value()));
    else if (matches(arg, 'dynamic')) flag(IFF_DYNAMIC, onOff('dynamic', a.value()));
    else if (arg === 'carrier') {
      const v = a.value();
      if (v !== 'on' && v !== 'off') throw new ToolExit(1, `Error: argument of "carrier" must be "on" or "off", not "${v}"\n`);
      r.carrier = v === 'on';
    } else if (matches(arg, 'master')) {
      const v = a.value();
      const m = ctx.ns.device(v);
      if (!m) invargText('Device does not exist\n', v);
      r.master = m.ifindex;
    } else if (matches(arg, 'nomaster')) {
      r.master = 0;
    } else if (matches(arg, 'type')) {
      r.type = a.value();
      r.typeArgs = a.rest();
    } else if (matches(arg, 'alias')) {
      const v = a.value();
      if (Buffer.byteLength(v) >= IFALIASZ) invargText('alias too long\n', v);
      r.alias = v;
    } else if (arg === 'group') {
      const v = a.value();
      if (r.group !== undefined) duparg('group', v);
      const g = v === 'default' ? 0 : getInteger(v);
      if (g === undefined || g < 0) invargText('Invalid "group" value\n', v);
      r.group = g;
    } else {
      if (matches(arg, 'help')) throw new ToolExit(255, LINK_USAGE);
      let v = arg;
      if (arg === 'dev') v = a.value();
      if (r.dev !== r.name) duparg2('dev', v);
      if (!/^[^/\s]+$/.test(v)) invargText('"dev" not a valid ifname', v);
      r.dev = v;
    }
  }
  if (r.name === undefined) r.name = r.dev;
  else if (r.dev === undefined) r.dev = r.name;
  if (!create) {
    if (r.dev === undefined) throw new ToolExit(255, 'Not enough information: "dev" argument is required.\n');
    const dev = ctx.ns.getLink(r.dev);
    if (!dev) throw new ToolExit(1, `Cannot find device "${r.dev}"\n`);
    if (r.address && r.address.length !== 6) {
      throw new ToolExit(1, `Invalid address length ${r.address.length} - must be 6 bytes\n`);
    }
    if (r.index && !r.netns) throw new ToolExit(255, 'index can be used only when creating devices or when moving device to another netns.\n');
    if (r.name === r.dev) r.name = undefined;
  } else if (r.name !== r.dev) {
    throw new ToolExit(255, 'both "name" and "dev" cannot be used when creating devices.\n');
  }
  return r;
}

/** iplink_modify. */
function modify(ctx: IpContext, cmd: 'add' | 'set' | 'replace' | 'del', argv: string[]): number {
  const create = cmd === 'add' || cmd === 'replace';
  const r = parseLink(ctx, argv, create);
  let peer: LinkRequest | undefined;
  if (r.type !== undefined) {
    if (r.type === 'veth' && r.typeArgs.length) {
      if (r.typeArgs[0] !== 'peer') {
        // link_veth.c's usage goes to stdout (it uses printf).
        ctx.io.out('Usage: ip link <options> type veth [peer <options>]\nTo get <options> type \'ip link add help\'\n');
        return 1;
      }
      peer = parseLink(ctx, r.typeArgs.slice(1), create);
      if (peer.type !== undefined) duparg('type', peer.type);
    } else if (r.type === 'bridge') {
      parseBridgeOptions(r.typeArgs);
    } else if (r.type === 'bridge_slave') {
      parseSlaveOptions(r.typeArgs);
    } else if (r.type !== 'veth' && r.typeArgs.length) {
      throw new ToolExit(1, `Garbage instead of arguments "${r.typeArgs[0]} ...". Try "ip link help".\n`);
    }
  } else if (create) {
    throw new ToolExit(1, 'Not enough information: "type" argument is required\n');
  }
  rtnl(() => ctx.world.rtnl(() => {
    if (cmd === 'del') return delLink(ctx, r);
    const existing = r.dev !== undefined ? ctx.ns.device(r.dev) : undefined;
    // rtnl_newlink: NLM_F_REPLACE on a device that exists is not supported.
    if (cmd === 'replace' && existing) throw new KernelError(EOPNOTSUPP);
    if (create) return newLink(ctx, r, peer);
    if (existing) setLink(ctx, existing, r);
  }));
  return 0;
}

/** rtnl_dellink. */
function delLink(ctx: IpContext, r: LinkRequest): void {
  const dev = ctx.ns.requireDevice(r.dev!);
  ctx.world.deleteDevice(dev);
}

/** rtnl_newlink creating a device (only veth is known to nslab). */
function newLink(ctx: IpContext, r: LinkRequest, peer: LinkRequest | undefined): void {
  // rtnl_newlink looks the device up by index first when one is given, else by name.
  if (r.index ? ctx.ns.deviceByIndex(r.index) : r.dev !== undefined && ctx.ns.device(r.dev)) throw new KernelError(EEXIST);
  if (r.type === 'bridge') return newBridge(ctx, r);
  if (r.type !== 'veth') throw new KernelError(EOPNOTSUPP, 'Unknown device type');
  const devNs = r.netns ?? ctx.ns;
  // Without `peer …`, the peer is made from the same attributes (veth_newlink's tbp = tb).
  const p = peer ?? { ...r, name: undefined, address: undefined, flags: 0, change: 0, index: 0 };
  const [a, b] = ctx.world.addVeth(
    { ns: devNs, name: r.name, mac: r.address, mtu: r.mtu, txqueuelen: r.txqlen, ifindex: r.index },
    { ns: p.netns ?? ctx.ns, name: p.name, mac: p.address, mtu: p.mtu, txqueuelen: p.txqlen, up: (p.change & p.flags & IFF_UP) !== 0,
      ifindex: p.index },
  );
  for (const [dev, req] of [[b, p], [a, r]] as Array<[NetDevice, LinkRequest]>) {
    if (req.group !== undefined) dev.group = req.group;
    if (req.change) dev.ns.changeFlags(dev, (req.flags & req.change) | (dev.flags & ~req.change));
  }
}

/** br_dev_newlink: registered with its MAC, then its options (a failure deletes it again), then up. */
function newBridge(ctx: IpContext, r: LinkRequest): void {
  const ns = r.netns ?? ctx.ns;
  const name = r.name ?? allocName(ns, 'bridge%d');
  if (!validIfname(name)) throw new KernelError(EINVAL);
  if (r.address && !isValidEtherAddr(r.address)) throw new KernelError(EADDRNOTAVAIL);
  const br = Bridge.create(ns, name, r.address);
  if (r.mtu !== undefined) {
    br.validateMtu(r.mtu);
    br.mtu = r.mtu;
  }
  if (r.txqlen !== undefined) br.txqueuelen = r.txqlen;
  if (r.group !== undefined) br.group = r.group;
  try {
    changeBridgeLink(br, 'bridge', r.typeArgs);
  } catch (e) {
    ctx.world.deleteDevice(br);
    throw e;
  }
  if (r.change) ns.changeFlags(br, (r.flags & r.change) | (br.flags & ~r.change));
}

/** do_setlink, in the kernel's order: netns, address, mtu, group, name, alias, flags, master, carrier, txqlen. */
function setLink(ctx: IpContext, dev: NetDevice, r: LinkRequest): void {
  // rtnl_newlink on an existing device: the kind's (or the master's) changelink first.
  if (r.type === 'bridge' || r.type === 'bridge_slave') changeBridgeLink(dev, r.type, r.typeArgs);
  if (r.netns && r.netns !== dev.ns) ctx.world.moveDevice(dev, r.netns, r.index);
  const ns = dev.ns;
  if (r.address) ns.setMacAddress(dev, r.address);
  if (r.mtu !== undefined) ns.setMtu(dev, r.mtu);
  if (r.group !== undefined) ns.setGroup(dev, r.group);
  if (r.name !== undefined) ns.rename(dev, r.name);
  if (r.alias !== undefined) ns.setAlias(dev, r.alias);
  if (r.change) {
    const promisc = dev.gflags & (IFF_PROMISC | IFF_ALLMULTI);
    ns.changeFlags(dev, (r.flags & r.change) | ((dev.flags | promisc) & ~r.change));
  }
  if (r.master !== undefined) ns.setMaster(dev, r.master);
  // dev_change_carrier: only devices with ndo_change_carrier (none in nslab) allow it.
  if (r.carrier !== undefined) throw new KernelError(EOPNOTSUPP);
  if (r.txqlen !== undefined) ns.setTxqueuelen(dev, r.txqlen);
}
