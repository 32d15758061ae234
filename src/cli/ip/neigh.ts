// `ip neigh` (iproute2 6.1 ip/ipneigh.c): add, change, replace, delete, get, show, flush over the
// namespace's ARP table (net/core/neighbour.c).
import type { NetDevice } from '../../kernel/device.ts';
import { KernelError } from '../../kernel/errors.ts';
import {
  NTF_EXT_LEARNED, NTF_PROXY, NTF_ROUTER, NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_NONE,
  NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE, NUD_VALID,
} from '../../kernel/ipv4/constants.ts';
import type { Neighbour } from '../../kernel/ipv4/neigh.ts';
import { formatIpv4Addr, formatMac } from '../../wire/addr.ts';
import { ToolExit } from '../tool.ts';
import { Args, duparg, duparg2, matches, rtnl } from './args.ts';
import { getAddr, getPrefix, getU32, invargRaw, llAddrA2n, prefixMatch, type Family, type InetPrefix } from './inet-args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { Printer } from './printer.ts';
import { NEIGH_USAGE } from './route-usage.ts';
import { protoA2n, protoN2a } from './rt-names.ts';

export const ipNeigh: IpObject = (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return showOrFlush(ctx, [], false);
  if (matches(cmd, 'add')) return modify(ctx, rest, { create: true, excl: true, replace: false, del: false });
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, rest, { create: false, excl: false, replace: true, del: false });
  if (matches(cmd, 'replace')) return modify(ctx, rest, { create: true, excl: false, replace: true, del: false });
  if (matches(cmd, 'delete')) return modify(ctx, rest, { create: false, excl: false, replace: false, del: true });
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return showOrFlush(ctx, rest, false);
  if (matches(cmd, 'flush')) return showOrFlush(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ToolExit(255, NEIGH_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip neigh help".\n`);
};

/** nud_state_a2n. */
function nudA2n(arg: string): number | undefined {
  if (matches(arg, 'permanent')) return NUD_PERMANENT;
  if (matches(arg, 'reachable')) return NUD_REACHABLE;
  const exact: Record<string, number> = {
    noarp: NUD_NOARP, none: NUD_NONE, stale: NUD_STALE, incomplete: NUD_INCOMPLETE, delay: NUD_DELAY, probe: NUD_PROBE,
  };
  if (Object.hasOwn(exact, arg)) return exact[arg];
  if (matches(arg, 'failed')) return NUD_FAILED;
  const v = getU32(arg);
  if (v === undefined || v >= 0x100 || (v & (v - 1)) !== 0) return undefined;
  return v;
}

function family(ctx: IpContext): Family | undefined {
  return ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
}

interface ModifyMode {
  create: boolean;
  excl: boolean;
  replace: boolean;
  del: boolean;
}

/** ipneigh_modify. */
function modify(ctx: IpContext, argv: string[], mode: ModifyMode): number {
  let state = NUD_PERMANENT;
  let flags = 0;
  let devName: string | undefined;
  let lla: string | undefined;
  let dst: InetPrefix | undefined;
  let devOk = false;
  let protocol = 0;
  const fam = family(ctx);
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (matches(arg, 'lladdr')) {
      const v = a.value();
      if (lla !== undefined) duparg('lladdr', v);
      lla = v;
    } else if (arg === 'nud') {
      const v = a.value();
      const s = nudA2n(v);
      if (s === undefined) invargRaw('nud state is bad', v);
      state = s!;
    } else if (matches(arg, 'proxy')) {
      const v = a.value();
      if (matches(v, 'help')) throw new ToolExit(255, NEIGH_USAGE);
      if (dst) duparg('address', v);
      dst = getAddr(v, fam);
      devOk = true;
      flags |= NTF_PROXY;
    } else if (arg === 'router') {
      flags |= NTF_ROUTER;
    } else if (arg === 'use' || arg === 'managed') {
      if (arg === 'managed') state = NUD_NONE;
    } else if (matches(arg, 'extern_learn')) {
      flags |= NTF_EXT_LEARNED;
    } else if (arg === 'dev') {
      devName = a.value();
      devOk = true;
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      const p = protoA2n(v);
      if (p === undefined) invargRaw('"protocol" value is invalid\n', v);
      protocol = p!;
    } else {
      let v = arg;
      if (v === 'to') v = a.value();
      if (matches(v, 'help')) v = a.value();
      if (dst) duparg2('to', v);
      dst = getAddr(v, fam);
    }
  }
  if (!devOk || !dst) throw new ToolExit(255, 'Device and destination are required arguments.\n');
  const lladdr = lla !== undefined && lla !== 'null' ? llAddrA2n(lla) : undefined;
  let dev: NetDevice | undefined;
  if (devName !== undefined) {
    dev = ctx.ns.device(devName);
    if (!dev) throw new ToolExit(1, `Cannot find device "${devName}"\n`);
  }
  if (dst.family === 'inet6') throw new ToolExit(2, 'RTNETLINK answers: Operation not supported\n');
  const tbl = ctx.ns.ipv4.neigh;
  const addr = dst.v4;
  try {
    rtnl(() => {
      if (flags & NTF_PROXY) {
        if (mode.del) tbl.deleteProxy(dev, addr);
        else tbl.addProxy(dev, addr, flags);
        return;
      }
      if (!dev) throw new KernelError(22, 'Device not specified');
      if (mode.del) tbl.delete(dev, addr);
      else tbl.add({ dev, addr, lladdr, state, flags, protocol, create: mode.create, excl: mode.excl, replace: mode.replace });
    });
  } catch (e) {
    // ipneigh_modify exits 2 itself when the kernel refuses.
    if (e instanceof ToolExit) throw new ToolExit(2, e.stderr);
    throw e;
  }
  return 0;
}

/** print_neigh_state. */
function printState(p: Printer, nud: number): void {
  p.openArray('state');
  const names: Array<[number, string]> = [
    [NUD_INCOMPLETE, 'INCOMPLETE'], [NUD_REACHABLE, 'REACHABLE'], [NUD_STALE, 'STALE'], [NUD_DELAY, 'DELAY'],
    [NUD_PROBE, 'PROBE'], [NUD_FAILED, 'FAILED'], [NUD_NOARP, 'NOARP'], [NUD_PERMANENT, 'PERMANENT'],
  ];
  for (const [bit, name] of names) if (nud & bit) p.any(null, `${name} `, name);
  p.closeArray();
}

/** An age as iproute2 prints it: jiffies (HZ 250) → clock_t (USER_HZ 100) → whole seconds. */
function ageSeconds(ms: number): number {
  const jiffies = Math.floor(Math.max(0, ms) / 4);
  return Math.floor(Math.floor((jiffies * 100) / 250) / 100);
}

interface ShowFilter {
  index: number;
  state: number;
  pfx: InetPrefix | undefined;
  proxy: boolean;
  protocol: number;
}

/** print_neigh for one entry. */
function printNeigh(ctx: IpContext, p: Printer, n: Neighbour, f: ShowFilter): void {
  const dst = formatIpv4Addr(n.addr);
  const lladdr = n.state & NUD_VALID && n.lladdr ? formatMac(n.lladdr) : undefined;
  p.openObject();
  if (ctx.opts.brief) {
    p.any('dst', `${dst.padEnd(39)} `, dst);
    if (!f.index) p.any('dev', `${n.dev.name.padEnd(16)} `, n.dev.name);
    if (lladdr) p.any('lladdr', lladdr, lladdr);
    p.fp('\n');
    p.closeObject();
    return;
  }
  p.any('dst', `${dst} `, dst);
  if (!f.index) p.fp('dev ').any('dev', `${n.dev.name} `, n.dev.name);
  if (lladdr) p.fp('lladdr ').any('lladdr', `${lladdr} `, lladdr);
  if (n.flags & NTF_ROUTER) p.any('router', 'router ', null);
  if (n.flags & NTF_EXT_LEARNED) p.any('extern_learn', 'extern_learn ', null);
  if (ctx.opts.stats) {
    const now = ctx.world.now();
    // The pending timer holds the only reference nslab's entries have.
    const ref = n.timerAt !== undefined ? 1 : 0;
    if (ref) p.any('refcnt', ` ref ${ref}`, ref);
    const used = ageSeconds(now - n.used);
    const confirmed = ageSeconds(now - n.confirmed);
    const updated = ageSeconds(now - n.updated);
    p.any('used', ` used ${used}`, used).any('confirmed', `/${confirmed}`, confirmed).any('updated', `/${updated}`, updated);
    p.any('probes', `probes ${n.probes} `, n.probes);
  }
  if (n.state) printState(p, n.state);
  if (n.protocol) {
    const name = protoN2a(n.protocol, ctx.opts.numeric);
    p.any('protocol', `proto ${name} `, name);
  }
  p.fp('\n');
  p.closeObject();
}

/** The dump filter of print_neigh. */
function shown(f: ShowFilter, n: Neighbour): boolean {
  if (f.index && n.dev.ifindex !== f.index) return false;
  if (!(f.state & n.state) && (n.state || !(f.state & 0x100))) return false;
  if (f.pfx && f.pfx.bitlen > 0 && !prefixMatch(n.addr, f.pfx.v4, f.pfx.bitlen)) return false;
  if (f.protocol && n.protocol !== f.protocol) return false;
  return true;
}

/** do_show_or_flush. */
function showOrFlush(ctx: IpContext, argv: string[], flush: boolean): number {
  if (flush && argv.length === 0) throw new ToolExit(1, 'Flush requires arguments.\n');
  const f: ShowFilter = { index: 0, state: flush ? ~(NUD_PERMANENT | NUD_NOARP) : 0xff & ~NUD_NOARP, pfx: undefined, proxy: false, protocol: 0 };
  let devName: string | undefined;
  let stateGiven = false;
  const fam = family(ctx);
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'dev') {
      const v = a.value();
      if (devName !== undefined) duparg('dev', v);
      devName = v;
    } else if (arg === 'master' || arg === 'vrf') {
      const v = a.value();
      if (!ctx.ns.device(v)) invargRaw(arg === 'master' ? 'Device does not exist\n' : 'Not a valid VRF name\n', v);
    } else if (arg === 'nomaster' || arg === 'unused') {
      // Nothing is enslaved to a VRF here, and nothing holds a reference.
    } else if (arg === 'nud') {
      const v = a.value();
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let s = nudA2n(v);
      if (s === undefined) {
        if (v !== 'all') invargRaw('nud state is bad', v);
        s = ~0;
        if (flush) s &= ~NUD_NOARP;
      }
      f.state |= s === 0 ? 0x100 : s;
    } else if (arg === 'proxy') {
      f.proxy = true;
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      f.protocol = protoA2n(v) ?? (v === 'all' ? 0 : invargRaw('invalid "protocol"\n', v));
    } else {
      const v = arg === 'to' ? a.value() : arg;
      if (matches(v, 'help')) throw new ToolExit(255, NEIGH_USAGE);
      f.pfx = getPrefix(v, fam);
    }
  }
  if (devName !== undefined) {
    const dev = ctx.ns.device(devName);
    if (!dev) throw new ToolExit(1, `Cannot find device "${devName}"\n`);
    f.index = dev.ifindex;
  }
  const tbl = ctx.ns.ipv4.neigh;
  const v4 = ctx.opts.family !== 'inet6' && ctx.opts.family !== 'link';
  if (flush) {
    let round = 0;
    while (round < 10) {
      if (v4 && f.proxy) {
        const gone = tbl.proxies.filter((x) => !f.index || x.dev?.ifindex === f.index);
        for (const x of gone) tbl.deleteProxy(x.dev, x.addr);
        if (ctx.opts.stats) ctx.io.out(gone.length ? `\n*** Round 1, deleting ${gone.length} entries ***\n*** Flush is complete after 1 round ***\n` : 'Nothing to flush.\n');
        return 0;
      }
      const victims = v4 ? tbl.entries.filter((n) => shown(f, n)) : [];
      if (victims.length === 0) {
        if (ctx.opts.stats) ctx.io.out(round === 0 ? 'Nothing to flush.\n' : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
        return 0;
      }
      if (ctx.opts.stats >= 2) {
        const p = new Printer(false, false, ctx.opts.oneline);
        for (const n of victims) printNeigh(ctx, p, n, f);
        ctx.io.out(p.output());
      }
      round++;
      for (const n of victims) tbl.remove(n);
      if (ctx.opts.stats) ctx.io.out(`\n*** Round ${round}, deleting ${victims.length} entries ***\n`);
      f.state &= ~NUD_FAILED;
    }
    ctx.io.out('*** Flush not complete bailing out after 10 rounds\n');
    return 1;
  }
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  p.begin();
  if (v4 && f.proxy) {
    for (const x of tbl.proxies) {
      if (f.index && x.dev?.ifindex !== f.index) continue;
      const dst = formatIpv4Addr(x.addr);
      p.openObject().any('dst', `${dst} `, dst);
      if (!f.index && x.dev) p.fp('dev ').any('dev', `${x.dev.name} `, x.dev.name);
      p.any('proxy', 'proxy ', null).fp('\n').closeObject();
    }
  } else if (v4) {
    for (const n of tbl.entries) if (shown(f, n)) printNeigh(ctx, p, n, f);
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

/** ipneigh_get. */
function get(ctx: IpContext, argv: string[]): number {
  let devName: string | undefined;
  let dst: InetPrefix | undefined;
  let devOk = false;
  const fam = family(ctx);
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'dev') {
      devName = a.value();
      devOk = true;
    } else if (matches(arg, 'proxy')) {
      const v = a.value();
      if (dst) duparg('address', v);
      dst = getAddr(v, fam);
      devOk = true;
    } else {
      const v = arg === 'to' ? a.value() : arg;
      if (matches(v, 'help')) throw new ToolExit(255, NEIGH_USAGE);
      if (dst) duparg2('to', v);
      dst = getAddr(v, fam);
    }
  }
  if (!devOk || !dst) throw new ToolExit(1, 'Device and address are required arguments.\n');
  const dev = devName !== undefined ? ctx.ns.device(devName) : undefined;
  if (devName !== undefined && !dev) throw new ToolExit(1, `Cannot find device "${devName}"\n`);
  const n = dev ? ctx.ns.ipv4.neigh.lookup(dev, dst.v4) : undefined;
  if (!n) throw new ToolExit(2, 'Error: Neighbour entry not found.\n');
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  printNeigh(ctx, p, n, { index: 0, state: ~0, pfx: undefined, proxy: false, protocol: 0 });
  ctx.io.out(p.output());
  return 0;
}
