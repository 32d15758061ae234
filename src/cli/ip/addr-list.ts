// `ip address show|flush` and `ip link show` (iproute2 6.1 ipaddr_list_flush_or_save): the
// filters, the link and address dumps, and how they are joined.
import { IFF_UP, type NetDevice } from '../../kernel/device.ts';
import { IFA_F_SECONDARY, RT_SCOPE_NOWHERE } from '../../kernel/ipv4/constants.ts';
import type { InIfAddr } from '../../kernel/ipv4/devinet.ts';
import type { Inet6IfAddr } from '../../kernel/ipv6/addrconf.ts';
import type { NetNs } from '../../kernel/netns.ts';
import { prefixMask } from '../../wire/addr.ts';
import { ToolExit } from '../tool.ts';
import { addrFlagByName, inet6AddrMsg, inetAddrMsg, printAddrInfo, type AddrMsg } from './addr-print.ts';
import { Args, duparg2, matches } from './args.ts';
import { getPrefix, type AddrPrefix as InetPrefix } from './addr-args.ts';
import type { IpContext } from './ip.ts';
import { printLinkInfo, printStats64, type Family, type LinkPrintOptions } from './link-print.ts';
import { Printer } from './printer.ts';
import { ADDR_USAGE, LINK_USAGE } from './usage.ts';

interface AddrFilter {
  family: Family;
  dev: NetDevice | undefined;
  scope: number;
  scopemask: number;
  up: boolean;
  flags: number;
  flagmask: number;
  label: string | undefined;
  group: number;
  /** 0: any; -1: `nomaster`; else the master's ifindex. */
  master: number;
  kind: string | undefined;
  slaveKind: string | undefined;
  pfx: InetPrefix | undefined;
}

/** rtnl_rtscope_a2n with Debian's rt_scopes. */
export function scopeNumber(text: string): number | undefined {
  const names: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
  if (text in names) return names[text];
  return /^(0x[0-9a-fA-F]+|\d+)$/.test(text) && Number(text) <= 255 ? Number(text) : undefined;
}

/** invarg with iproute2's message as written (a message ending in "\n" leaves an empty line). */
export function invargText(msg: string, arg: string): never {
  throw new ToolExit(255, `Error: argument "${arg}" is wrong: ${msg}\n`);
}

/** fnmatch(3) without flags: `*`, `?` and `[...]`. */
function fnmatch(pattern: string, s: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 2);
      if (j < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(s);
}

function parseFilter(ctx: IpContext, argv: string[], doLink: boolean): AddrFilter {
  const f: AddrFilter = {
    family: doLink ? 'link' : ctx.opts.family, dev: undefined, scope: 0, scopemask: 0, up: false, flags: 0, flagmask: 0,
    label: undefined, group: -1, master: 0, kind: undefined, slaveKind: undefined, pfx: undefined,
  };
  let devName: string | undefined;
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'to') {
      const v = a.value();
      f.pfx = getPrefix(v, f.family === 'inet' || f.family === 'inet6' ? f.family : undefined);
      if (f.family === 'any') f.family = f.pfx.family;
    } else if (arg === 'scope') {
      const v = a.value();
      f.scopemask = -1;
      let s = scopeNumber(v);
      if (s === undefined) {
        if (v !== 'all') invargText('invalid "scope"\n', v);
        s = RT_SCOPE_NOWHERE;
        f.scopemask = 0;
      }
      f.scope = s;
    } else if (arg === 'up') {
      f.up = true;
    } else if (applyFlagFilter(f, arg)) {
      // a FLAG
    } else if (arg === 'label') {
      f.label = a.value();
    } else if (arg === 'group') {
      const v = a.value();
      const g = v === 'default' ? 0 : /^\d+$/.test(v) ? Number(v) : undefined;
      if (g === undefined) invargText('Invalid "group" value\n', v);
      f.group = g;
    } else if (arg === 'master' || arg === 'vrf') {
      const v = a.value();
      const m = ctx.ns.device(v);
      if (!m) invargText(arg === 'vrf' ? 'Not a valid VRF name\n' : 'Device does not exist\n', v);
      if (arg === 'vrf') invargText('Not a valid VRF name\n', v);
      f.master = m.ifindex;
    } else if (arg === 'nomaster') {
      f.master = -1;
    } else if (arg === 'type') {
      const v = a.value();
      if (v.endsWith('_slave')) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else {
      let name = arg;
      if (arg === 'dev') name = a.value();
      else if (matches(arg, 'help')) throw new ToolExit(255, doLink ? LINK_USAGE : ADDR_USAGE);
      if (devName !== undefined) duparg2('dev', name);
      devName = name;
    }
  }
  if (devName !== undefined) {
    f.dev = ctx.ns.getLink(devName);
    if (!f.dev) throw new ToolExit(1, `Device "${devName}" does not exist.\n`);
  }
  return f;
}

/** get_filter: FLAG, -FLAG, dynamic, primary. */
function applyFlagFilter(f: AddrFilter, arg: string): boolean {
  let inv = false;
  let name = arg;
  if (name.startsWith('-')) {
    inv = true;
    name = name.slice(1);
  }
  if (name === 'dynamic') {
    inv = !inv;
    name = 'permanent';
  } else if (name === 'primary') {
    inv = !inv;
    name = 'secondary';
  }
  const mask = addrFlagByName(name);
  if (mask === undefined) return false;
  if (inv) f.flags &= ~mask;
  else f.flags |= mask;
  f.flagmask |= mask;
  return true;
}

/** The address dump of a namespace in kernel order: IPv4 of every device, then IPv6. */
function addressDump(ns: NetNs, family: Family, only: NetDevice | undefined): AddrMsg[] {
  const devs = only ? [only] : ns.deviceList();
  const out: AddrMsg[] = [];
  const now = ns.world.now();
  if (family === 'any' || family === 'inet') for (const d of devs) for (const a of ns.ipv4.devinet.list(d)) out.push(inetAddrMsg(a, now));
  if (family === 'any' || family === 'inet6') for (const d of devs) for (const a of ns.addrconf.list(d)) out.push(inet6AddrMsg(a));
  return out;
}

/** The per-address filters of print_addrinfo / ipaddr_filter (not `up`, not the device). */
function addrMatches(f: AddrFilter, a: AddrMsg): boolean {
  if ((f.scope ^ a.scope) & f.scopemask) return false;
  if ((f.flags ^ a.flags) & f.flagmask) return false;
  if ((f.family === 'inet' || f.family === 'inet6') && a.family !== f.family) return false;
  if (f.label !== undefined && !fnmatch(f.label, a.label ?? a.dev.name)) return false;
  if (f.pfx && f.pfx.bitlen > 0) {
    if (a.family !== f.pfx.family || a.local4 === undefined) return false;
    const m = prefixMask(f.pfx.bitlen);
    if (((a.local4 ^ f.pfx.v4) & m) !== 0) return false;
  }
  return true;
}

/** print_linkinfo's own filters. */
function linkFiltered(f: AddrFilter, dev: NetDevice): boolean {
  if (f.up && !(dev.reportedFlags() & IFF_UP)) return true;
  if (f.group !== -1 && dev.group !== f.group) return true;
  if (f.master > 0 && dev.master?.ifindex !== f.master) return true;
  if (f.master < 0 && dev.master) return true;
  if (f.kind !== undefined && dev.kind !== f.kind) return true;
  if (f.slaveKind !== undefined && !(dev.master && dev.master.kind === f.slaveKind)) return true;
  return false;
}

/** `ip address show|flush …` and (doLink) `ip link show …`. */
export function ipaddrList(ctx: IpContext, argv: string[], action: 'list' | 'flush', doLink: boolean): number {
  if (action === 'flush') {
    if (argv.length === 0) throw new ToolExit(1, 'Flush requires arguments.\n');
    if (ctx.opts.family === 'link') throw new ToolExit(1, 'Cannot flush link addresses.\n');
  }
  const f = parseFilter(ctx, argv, doLink);
  if (action === 'flush') return flush(ctx, f);
  const o = ctx.opts;
  const p = new Printer(o.json, o.pretty, o.oneline);
  const lo: LinkPrintOptions = { family: f.family, doLink, details: o.details, stats: o.stats, brief: o.brief, full: true };
  p.begin();
  // A lone device for `ip link show DEV` (RTM_GETLINK), a dump otherwise.
  let links: NetDevice[];
  if (f.dev) links = [f.dev];
  else {
    // The dump is asked for in the -4/-6/-0 family; only an inet6 dump is the reduced one.
    lo.full = doLink || o.family !== 'inet6';
    links = ctx.ns.deviceList();
    if (f.master !== 0 || f.kind !== undefined) links = links.filter((d) => !linkFiltered({ ...f, up: false, group: -1 }, d));
  }
  let addrs: AddrMsg[] = [];
  const noLink = f.family !== 'link' && o.oneline;
  if (f.family !== 'link') {
    addrs = addressDump(ctx.ns, f.family, f.dev);
    // ipaddr_filter: a link stays if one of its addresses passes, or it has none at all.
    links = links.filter((d) => {
      const mine = addrs.filter((a) => a.dev === d);
      if (mine.some((a) => addrMatches(f, a))) return true;
      return mine.length === 0 && f.family === 'any';
    });
  }
  for (const dev of links) {
    p.openObject();
    let res = 0;
    if (linkFiltered(f, dev)) res = -1;
    else if (f.label !== undefined) res = 0;
    else if (o.brief || !noLink) {
      printLinkInfo(p, dev, lo);
      res = o.brief ? 0 : 1;
    }
    if (res >= 0 && f.family !== 'link') {
      p.openArray('addr_info');
      for (const a of addrs) {
        if (a.dev !== dev) continue;
        if (f.up && !(dev.reportedFlags() & IFF_UP)) continue;
        p.openObject();
        if (addrMatches(f, a)) printAddrInfo(p, a, o.brief, o.oneline);
        p.closeObject();
      }
      p.closeArray();
      if (o.brief) p.fp('\n');
    }
    if (res > 0 && !doLink && o.stats) {
      printStats64(p, dev.stats, dev.carrierChanges, o.stats);
      p.nl();
    }
    p.closeObject();
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

/** ipaddr_flush: delete what matches, round after round, until nothing is left. */
function flush(ctx: IpContext, f: AddrFilter): number {
  const stats = ctx.opts.stats;
  let out = '';
  for (let round = 0; ; ) {
    const victims = addressDump(ctx.ns, f.family, f.dev).filter((a) => addrMatches(f, a));
    if (victims.length === 0) {
      if (stats) out += round === 0 ? 'Nothing to flush.\n' : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`;
      break;
    }
    round++;
    ctx.world.rtnl(() => {
      for (const a of victims) deleteAddress(ctx.ns, a);
    });
    if (stats) out += `\n*** Round ${round}, deleting ${victims.length} addresses ***\n`;
    if (!(f.flags & IFA_F_SECONDARY) && f.flagmask & IFA_F_SECONDARY) break;
  }
  ctx.io.out(out);
  return 0;
}

/** RTM_DELADDR with the dumped address (EADDRNOTAVAIL ignored: a primary took it already). */
function deleteAddress(ns: NetNs, a: AddrMsg): void {
  if (a.family === 'inet') {
    const ifa = a.ifa as InIfAddr;
    if (ns.ipv4.devinet.list(ifa.dev).includes(ifa)) ns.ipv4.devinet.delete(ifa);
  } else {
    ns.addrconf.remove(a.ifa as Inet6IfAddr);
  }
}
