// `ip address` (iproute2 6.1 ipaddress.c do_ipaddr, ipaddr_modify): add, change, replace,
// delete, show/list, flush.
import { IFA_F_NOPREFIXROUTE, INFINITY_LIFE_TIME, RT_SCOPE_HOST } from '../../kernel/ipv4/constants.ts';
import { prefixMask } from '../../wire/addr.ts';
import { ToolExit } from '../tool.ts';
import { ipaddrList, invargText, scopeNumber } from './addr-list.ts';
import { Args, duparg, duparg2, matches, rtnl } from './args.ts';
import { getAddr, getPrefix, getU32, type AddrFamily as Family, type AddrPrefix as InetPrefix } from './addr-args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { ADDR_USAGE } from './usage.ts';

export const ipAddr: IpObject = (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return ipaddrList(ctx, [], 'list', false);
  if (matches(cmd, 'add')) return modify(ctx, 'add', rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return modify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'del', rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return ipaddrList(ctx, rest, 'list', false);
  if (matches(cmd, 'flush')) return ipaddrList(ctx, rest, 'flush', false);
  if (matches(cmd, 'save') || matches(cmd, 'showdump') || matches(cmd, 'restore')) {
    throw new ToolExit(1, `ip address ${cmd}: not supported by nslab\n`);
  }
  if (matches(cmd, 'help')) throw new ToolExit(255, ADDR_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip address help".\n`);
};

/** ifa_flag_data entries `ip address add` accepts: [mask, readonly, v6 only]. */
const MODIFY_FLAGS: Record<string, [number, boolean, boolean]> = {
  secondary: [0x01, true, false], temporary: [0x01, true, false], nodad: [0x02, false, true], optimistic: [0x04, false, true],
  dadfailed: [0x08, true, true], home: [0x10, false, true], deprecated: [0x20, true, true], tentative: [0x40, true, true],
  permanent: [0x80, true, true], mngtmpaddr: [0x100, false, true], noprefixroute: [IFA_F_NOPREFIXROUTE, false, false],
  autojoin: [0x400, false, false], 'stable-privacy': [0x800, true, true],
};

/** ipaddr_modify. */
function modify(ctx: IpContext, cmd: 'add' | 'change' | 'replace' | 'del', argv: string[]): number {
  let family: Family | undefined = ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
  let devName: string | undefined;
  let label: string | undefined;
  let lcl: InetPrefix | undefined;
  let lclArg = '';
  let peer: InetPrefix | undefined;
  let brdMode: 'addr' | '+' | '-' | undefined;
  let brd: InetPrefix | undefined;
  let scope: number | undefined;
  let metric: number | undefined;
  let validLft: number | undefined;
  let preferredLft: number | undefined;
  let flags = 0;
  let prefixlen = 0;
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'peer' || arg === 'remote') {
      const v = a.value();
      if (peer) duparg('peer', v);
      peer = getPrefix(v, family);
      family ??= peer.family;
      prefixlen = peer.bitlen;
    } else if (matches(arg, 'broadcast') || arg === 'brd') {
      const v = a.value();
      if (brdMode) duparg('broadcast', v);
      if (v === '+' || v === '-') brdMode = v;
      else {
        brd = getAddr(v, family);
        family ??= brd.family;
        brdMode = 'addr';
      }
    } else if (arg === 'anycast') {
      const v = a.value();
      family ??= getAddr(v, family).family;
    } else if (arg === 'scope') {
      const v = a.value();
      scope = scopeNumber(v);
      if (scope === undefined) invargText('invalid scope value.', v);
    } else if (arg === 'dev') {
      devName = a.value();
    } else if (arg === 'label') {
      label = a.value();
    } else if (matches(arg, 'metric') || matches(arg, 'priority') || matches(arg, 'preference')) {
      const v = a.value();
      metric = getU32(v);
      if (metric === undefined) invargText('"metric" value is invalid\n', v);
    } else if (matches(arg, 'valid_lft')) {
      if (validLft !== undefined) duparg('valid_lft', arg);
      const v = a.value();
      validLft = v === 'forever' ? INFINITY_LIFE_TIME : getU32(v);
      if (validLft === undefined) invargText('valid_lft value', v);
    } else if (matches(arg, 'preferred_lft')) {
      if (preferredLft !== undefined) duparg('preferred_lft', arg);
      const v = a.value();
      preferredLft = v === 'forever' ? INFINITY_LIFE_TIME : getU32(v);
      if (preferredLft === undefined) invargText('preferred_lft value', v);
    } else if (MODIFY_FLAGS[arg]) {
      const [mask, readonly, v6] = MODIFY_FLAGS[arg];
      if (readonly) ctx.io.err(`Warning: ${arg} option is not mutable from userspace\n`);
      else if (v6 && family !== 'inet6') ctx.io.err(`Warning: ${arg} option can be set only for IPv6 addresses\n`);
      else flags |= mask;
    } else {
      let v = arg;
      if (arg === 'local') v = a.value();
      if (matches(v, 'help')) throw new ToolExit(255, ADDR_USAGE);
      if (lcl) duparg2('local', v);
      lclArg = v;
      lcl = getPrefix(v, family);
      family ??= lcl.family;
    }
  }
  if (devName === undefined) throw new ToolExit(1, 'Not enough information: "dev" argument is required.\n');
  let address: InetPrefix | undefined = peer;
  if (!peer && lcl) {
    if (cmd === 'del' && lcl.family === 'inet' && !lcl.lenGiven) {
      ctx.io.err('Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        `         Explicitly specify the prefix length (${lclArg}/32) to avoid this warning.\n` +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n');
    } else {
      address = lcl;
    }
  }
  if (prefixlen === 0) prefixlen = lcl ? lcl.bitlen : 0;
  let broadcast = brd?.v4;
  if ((brdMode === '+' || brdMode === '-') && cmd !== 'del') {
    if (family !== 'inet') throw new ToolExit(1, 'Broadcast can be set only for IPv4 addresses\n');
    const base = (address ?? lcl)!;
    if (base.bitlen <= 30) {
      const host = ~prefixMask(base.bitlen) >>> 0;
      broadcast = brdMode === '+' ? (base.v4 | host) >>> 0 : (base.v4 & ~host) >>> 0;
    } else broadcast = undefined;
  }
  if (scope === undefined && cmd !== 'del') scope = lcl && lcl.family === 'inet' && lcl.v4 >>> 24 === 127 ? RT_SCOPE_HOST : 0;
  const dev = ctx.ns.getLink(devName);
  if (!dev) throw new ToolExit(1, `Cannot find device "${devName}"\n`);
  if (validLft !== undefined || preferredLft !== undefined) {
    validLft ??= INFINITY_LIFE_TIME;
    preferredLft ??= INFINITY_LIFE_TIME;
    if (!validLft) throw new ToolExit(1, 'valid_lft is zero\n');
    if (validLft < preferredLft) throw new ToolExit(1, 'preferred_lft is greater than valid_lft\n');
  }
  if (flags & 0x400) throw new ToolExit(1, 'autojoin needs multicast address\n');
  const ns = ctx.ns;
  rtnl(() => ctx.world.rtnl(() => {
    if (family === 'inet6') {
      if (!lcl?.v6) throw new ToolExit(2, 'RTNETLINK answers: Invalid argument\n');
      if (cmd === 'del') {
        const v = ns.addrconf.list(dev).find((x) => x.prefixlen === prefixlen && x.addr.every((b, i) => b === lcl!.v6![i]));
        if (!v) throw new ToolExit(2, 'Error: ipv6: address not found.\n');
        ns.addrconf.remove(v);
      } else ns.addrconf.addManual(dev, lcl.v6, prefixlen, flags);
      return;
    }
    if (family === undefined) throw new ToolExit(2, 'RTNETLINK answers: Operation not supported\n');
    if (cmd === 'del') {
      const ifa = ns.ipv4.devinet.find(dev, { local: lcl?.v4, label, address: address?.v4, prefixlen });
      ns.ipv4.devinet.delete(ifa);
      return;
    }
    if (!lcl) throw new ToolExit(2, 'Error: ipv4: Local address is not supplied.\n');
    ns.ipv4.devinet.add({
      dev, local: lcl.v4, address: address?.v4, prefixlen, broadcast, scope, label, flags, metric,
      validLft, preferredLft,
    }, cmd === 'add' ? 'add' : 'replace');
  }));
  return 0;
}
