// `ip route get` (iproute_get in ip/iproute.c, inet_rtm_getroute in net/ipv4/route.c): resolve
// one destination as an output route, or as an input route when `iif` is given.
import { EINVAL, EHOSTUNREACH, KernelError } from '../../kernel/errors.ts';
import { routeInput, routeOutput, type Rtable } from '../../kernel/ipv4/rtable.ts';
import { ToolExit } from '../tool.ts';
import { Args, matches, rtnl } from './args.ts';
import { getAddr, getPrefix, getU32, invargRaw, type Family } from './inet-args.ts';
import type { IpContext } from './ip.ts';
import { Printer } from './printer.ts';
import { NO_FILTER, fibMsg, printRoute, rtMsg, type RouteMsg } from './route-print.ts';
import { ROUTE_USAGE } from './route-usage.ts';
import { dsfieldA2n } from './rt-names.ts';

const IPPROTO: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, ipv6: 41 };

interface GetArgs {
  dst: number;
  src: number;
  srcLen: number;
  tos: number;
  mark: number;
  uid: number | undefined;
  iif: string | undefined;
  oif: string | undefined;
  proto: number | undefined;
  sport: number | undefined;
  dport: number | undefined;
  fibmatch: boolean;
  connected: boolean;
  fromOk: boolean;
}

function parse(ctx: IpContext, argv: string[]): GetArgs {
  let family: Family | undefined = ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
  const g: GetArgs = {
    dst: 0, src: 0, srcLen: 0, tos: 0, mark: 0, uid: undefined, iif: undefined, oif: undefined, proto: undefined,
    sport: undefined, dport: undefined, fibmatch: false, connected: false, fromOk: false,
  };
  let found = false;
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'tos' || matches(arg, 'dsfield')) {
      const v = a.value();
      const t = dsfieldA2n(v);
      if (t === undefined) invargRaw('TOS value is invalid\n', v);
      g.tos = t!;
    } else if (matches(arg, 'from')) {
      const v = a.value();
      if (matches(v, 'help')) throw new ToolExit(255, ROUTE_USAGE);
      const p = getPrefix(v, family);
      family ??= p.family;
      g.fromOk = true;
      g.src = p.bytelen ? p.v4 : 0;
      g.srcLen = p.bitlen;
    } else if (matches(arg, 'iif')) {
      g.iif = a.value();
    } else if (matches(arg, 'mark')) {
      const v = a.value();
      const m = getU32(v);
      if (m === undefined) invargRaw('invalid mark value', v);
      g.mark = m!;
    } else if (matches(arg, 'oif') || arg === 'dev') {
      g.oif = a.value();
    } else if (matches(arg, 'notify')) {
      // RTM_F_NOTIFY: nothing to see without a listener.
    } else if (matches(arg, 'connected')) {
      g.connected = true;
    } else if (matches(arg, 'vrf')) {
      invargRaw('Invalid VRF\n', a.value());
    } else if (matches(arg, 'uid')) {
      const v = a.value();
      const u = getU32(v);
      if (u === undefined) invargRaw('invalid UID\n', v);
      g.uid = u;
    } else if (matches(arg, 'fibmatch')) {
      g.fibmatch = true;
    } else if (arg === 'as') {
      let v = a.value();
      if (v === 'to') v = a.value();
      family ??= getAddr(v, family).family;
    } else if (matches(arg, 'sport') || matches(arg, 'dport')) {
      const v = a.value();
      const n = getU32(v);
      if (n === undefined || n > 0xffff) invargRaw(`invalid ${matches(arg, 'sport') ? 'sport' : 'dport'}\n`, v);
      if (matches(arg, 'sport')) g.sport = n;
      else g.dport = n;
    } else if (matches(arg, 'ipproto')) {
      const v = a.value();
      const n = IPPROTO[v] ?? getU32(v);
      if (n === undefined || n > 255) invargRaw('Invalid "ipproto" value\n', v);
      g.proto = n;
    } else {
      const v = arg === 'to' ? a.value() : arg;
      if (matches(v, 'help')) throw new ToolExit(255, ROUTE_USAGE);
      const p = getPrefix(v, family);
      family ??= p.family;
      if (p.family === 'inet' && p.bitlen !== 32) ctx.io.err(`Warning: /${p.bitlen} as prefix is invalid, only /32 (or none) is supported.\n`);
      if (p.family === 'inet6') throw new ToolExit(2, 'RTNETLINK answers: Network is unreachable\n');
      g.dst = p.v4;
      found = true;
    }
  }
  if (!found) throw new ToolExit(1, 'need at least a destination address\n');
  return g;
}

function resolve(ctx: IpContext, g: GetArgs, src: number): Rtable {
  const ns = ctx.ns;
  if (g.srcLen !== 0 && g.srcLen !== 32) throw new KernelError(EINVAL, 'ipv4: Invalid values in header for route get request');
  if (g.iif !== undefined) {
    const dev = ns.device(g.iif)!;
    const rt = routeInput(ns, { dst: g.dst, src, tos: g.tos, dev, mark: g.mark, proto: g.proto });
    if (rt.error) throw new KernelError(rt.error);
    return rt;
  }
  return routeOutput(ns, {
    dst: g.dst, src, tos: g.tos, oif: g.oif !== undefined ? ns.device(g.oif)!.ifindex : 0, mark: g.mark, uid: g.uid,
    proto: g.proto, sport: g.sport, dport: g.dport,
  });
}

/** iproute_get. */
export function routeGet(ctx: IpContext, argv: string[]): number {
  const g = parse(ctx, argv);
  for (const name of [g.iif, g.oif]) {
    if (name !== undefined && !ctx.ns.device(name)) throw new ToolExit(1, `Cannot find device "${name}"\n`);
  }
  const o = { details: ctx.opts.details, numeric: ctx.opts.numeric, stats: ctx.opts.stats };
  const answer = (src: number): RouteMsg => rtnl(() => {
    const rt = resolve(ctx, g, src);
    if (g.fibmatch) {
      if (!rt.fib) throw new KernelError(EHOSTUNREACH);
      return fibMsg(ctx.ns, rt.fib.route, rt.fib.table);
    }
    const m = rtMsg(ctx.ns, rt, { dst: g.dst, src, mark: g.mark, uid: g.uid });
    if (ctx.opts.stats) m.cacheinfo = { ...m.cacheinfo, users: rt.input ? 1 : 2 };
    return m;
  });
  const m = answer(g.src);
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  if (g.connected && !g.fromOk) {
    // iproute2 turns the answer's prefsrc into a source, then sends its unchanged request
    // again: the same answer, printed a second time (as text: its JSON writer is gone).
    p.begin();
    printRoute(p, m, NO_FILTER, o);
    p.end();
    ctx.io.out(p.output());
    if (m.prefsrc === undefined && m.src === undefined) throw new ToolExit(1, 'Failed to connect the route\n');
    const q = new Printer(false, false, ctx.opts.oneline);
    printRoute(q, answer(g.src), NO_FILTER, o);
    ctx.io.out(q.output());
    return 0;
  }
  p.begin();
  printRoute(p, m, NO_FILTER, o);
  p.end();
  ctx.io.out(p.output());
  return 0;
}
