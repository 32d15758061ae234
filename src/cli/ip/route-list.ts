// `ip route list|show|flush SELECTOR` (iproute_list_flush_or_save and filter_nlmsg in
// ip/iproute.c): the dump of one table or all, filtered and printed; flush deletes what matches.
import { KernelError } from '../../kernel/errors.ts';
import { RT_TABLE_MAIN, routeTypeCode } from '../../kernel/ipv4/constants.ts';
import type { FibRoute } from '../../kernel/ipv4/fib.ts';
import { delRoute, matchOf } from '../../kernel/ipv4/route.ts';
import type { NetNs } from '../../kernel/netns.ts';
import { ToolExit } from '../tool.ts';
import { Args, matches } from './args.ts';
import { getPrefix, getU32, invargRaw, prefixMatch, type Family, type InetPrefix } from './inet-args.ts';
import type { IpContext } from './ip.ts';
import { Printer } from './printer.ts';
import { ipv6RouteMsgs } from './route-v6.ts';
import { fibMsg, printRoute, type RouteMsg, type RoutePrintFilter } from './route-print.ts';
import { dsfieldA2n, protoA2n, realmsA2n, rtntypeA2n, scopeA2n, tableA2n } from './rt-names.ts';
import { ROUTE_USAGE } from './route-usage.ts';

interface ListFilter extends RoutePrintFilter {
  tbAll: boolean;
  cloned: boolean;
  protocol: number;
  scope: number;
  tos: number;
  oif: number;
  iif: number;
  metric: number;
  realm: number;
  realmmask: number;
  mark: number;
  markmask: boolean;
  rdst: InetPrefix | undefined;
  mdst: InetPrefix | undefined;
  rsrc: InetPrefix | undefined;
  msrc: InetPrefix | undefined;
  rvia: InetPrefix | undefined;
  rprefsrc: InetPrefix | undefined;
}

function familyOf(ctx: IpContext): Family | undefined {
  return ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
}

function parseFilter(ctx: IpContext, argv: string[]): ListFilter {
  const f: ListFilter = {
    typemask: 0, tb: RT_TABLE_MAIN, tbAll: false, cloned: false, tosmask: false, protocolmask: false, scopemask: false,
    oifmask: false, iifmask: false, metricmask: false, realmsAll: false, realm: 0, realmmask: 0, mark: 0, markmask: false, viaBitlen: -1, prefsrcBitlen: -1, protocol: 0, scope: 0, tos: 0,
    oif: 0, iif: 0, metric: 0, rdst: undefined, mdst: undefined, rsrc: undefined, msrc: undefined, rvia: undefined, rprefsrc: undefined,
  };
  const fam = familyOf(ctx);
  let od: string | undefined;
  let id: string | undefined;
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (matches(arg, 'table')) {
      const v = a.value();
      const tid = tableA2n(v);
      if (tid === undefined) {
        if (v === 'all') f.tb = 0;
        else if (v === 'cache') f.cloned = true;
        else if (v === 'help') throw new ToolExit(255, ROUTE_USAGE);
        else invargRaw('table id value is invalid\n', v);
      } else f.tb = tid;
    } else if (matches(arg, 'cached') || matches(arg, 'cloned')) {
      f.cloned = true;
    } else if (arg === 'tos' || matches(arg, 'dsfield')) {
      const v = a.value();
      const t = dsfieldA2n(v);
      if (t === undefined) invargRaw('TOS value is invalid\n', v);
      f.tos = t!;
      f.tosmask = true;
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      const prot = protoA2n(v);
      f.protocolmask = true;
      if (prot === undefined) {
        if (v !== 'all') invargRaw('invalid "protocol"\n', v);
        f.protocolmask = false;
      } else f.protocol = prot;
    } else if (matches(arg, 'scope')) {
      const v = a.value();
      const sc = scopeA2n(v);
      f.scopemask = true;
      if (sc === undefined) {
        if (v !== 'all') invargRaw('invalid "scope"\n', v);
        f.scopemask = false;
      } else f.scope = sc;
    } else if (matches(arg, 'type')) {
      const v = a.value();
      const t = rtntypeA2n(v);
      if (t === undefined) invargRaw('node type value is invalid\n', v);
      f.typemask = 1 << (typeof t === 'number' ? t : routeTypeCode(t!));
    } else if (arg === 'dev' || arg === 'oif') {
      od = a.value();
    } else if (arg === 'iif') {
      id = a.value();
    } else if (arg === 'mark') {
      const v = a.value();
      const m = getU32(v);
      if (m === undefined) invargRaw('invalid mark value', v);
      f.mark = m!;
      f.markmask = true;
    } else if (matches(arg, 'realms')) {
      const v = a.value();
      const r = realmsA2n(v);
      if (r === undefined) invargRaw('invalid realms\n', v);
      f.realm = r!;
      f.realmmask = 0xffffffff;
      if ((f.realm & 0xffff) === 0 && v.endsWith('/')) f.realmmask &= ~0xffff;
      if ((f.realm & 0xffff0000) === 0 && (!v.includes('/') || v.startsWith('/'))) f.realmmask &= 0xffff;
      f.realmmask >>>= 0;
      f.realmsAll = f.realmmask === 0xffffffff;
    } else if (matches(arg, 'metric') || matches(arg, 'priority') || arg === 'preference') {
      const v = a.value();
      const m = getU32(v);
      if (m === undefined) invargRaw('"metric" value is invalid\n', v);
      f.metric = m!;
      f.metricmask = true;
    } else if (arg === 'via') {
      let v = a.value();
      if (v === 'inet' || v === 'inet6') v = a.value();
      f.rvia = getPrefix(v, fam);
      f.viaBitlen = f.rvia.bitlen;
    } else if (arg === 'src') {
      f.rprefsrc = getPrefix(a.value(), fam);
      f.prefsrcBitlen = f.rprefsrc.bitlen;
    } else if (matches(arg, 'from')) {
      const v = a.value();
      if (matches(v, 'root')) f.rsrc = getPrefix(a.value(), fam);
      else if (matches(v, 'match')) f.msrc = getPrefix(a.value(), fam);
      else {
        f.msrc = getPrefix(matches(v, 'exact') ? a.value() : v, fam);
        f.rsrc = f.msrc;
      }
    } else {
      const v = matches(arg, 'to') ? a.value() : arg;
      if (matches(v, 'root')) f.rdst = getPrefix(a.value(), fam);
      else if (matches(v, 'match')) f.mdst = getPrefix(a.value(), fam);
      else {
        f.mdst = getPrefix(matches(v, 'exact') ? a.value() : v, fam);
        f.rdst = f.mdst;
      }
    }
  }
  for (const [name, set] of [[id, (i: number) => { f.iif = i; f.iifmask = true; }], [od, (i: number) => { f.oif = i; f.oifmask = true; }]] as const) {
    if (name === undefined) continue;
    const dev = ctx.ns.device(name);
    if (!dev) throw new ToolExit(1, `Cannot find device "${name}"\n`);
    set(dev.ifindex);
  }
  return f;
}

/** filter_nlmsg. */
function keep(f: ListFilter, m: RouteMsg): boolean {
  if (f.cloned) return false;
  if (f.tb && m.table !== f.tb) return false;
  if (f.protocolmask && m.protocol !== f.protocol) return false;
  if (f.scopemask && m.scope !== f.scope) return false;
  if (f.typemask && !(f.typemask & (1 << routeTypeCode(m.type)))) return false;
  if (f.tosmask && m.tos !== f.tos) return false;
  // A prefix read as AF_UNSPEC `all`/`any` filters nothing; `default` only by length.
  const on = (p: InetPrefix | undefined): p is InetPrefix => p !== undefined && !(p.unspec && !p.lenGiven);
  const famBad = (p: InetPrefix) => !p.unspec && p.family !== m.family;
  if (on(f.rdst) && (famBad(f.rdst) || f.rdst.bitlen > m.dstLen)) return false;
  if (on(f.mdst) && (famBad(f.mdst) || f.mdst.bitlen < m.dstLen)) return false;
  if (on(f.rsrc) && (famBad(f.rsrc) || f.rsrc.bitlen > m.srcLen)) return false;
  if (on(f.msrc) && (famBad(f.msrc) || f.msrc.bitlen < m.srcLen)) return false;
  if (on(f.rvia) && famBad(f.rvia)) return false;
  if (on(f.rprefsrc) && famBad(f.rprefsrc)) return false;
  if (m.family === 'inet') {
    if (on(f.rdst) && !prefixMatch(m.dst4, f.rdst.v4, f.rdst.bitlen)) return false;
    if (on(f.mdst) && !prefixMatch(m.dst4, f.mdst.v4, m.dstLen)) return false;
    if (on(f.rsrc) && !prefixMatch(m.src4, f.rsrc.v4, f.rsrc.bitlen)) return false;
    if (on(f.msrc) && !prefixMatch(m.src4, f.msrc.v4, m.srcLen)) return false;
    if (on(f.rvia) && !prefixMatch(m.gateway4, f.rvia.v4, f.rvia.bitlen)) return false;
    if (on(f.rprefsrc) && !prefixMatch(m.prefsrc4, f.rprefsrc.v4, f.rprefsrc.bitlen)) return false;
  }
  if (f.iifmask) return false;
  if (f.oifmask && m.oif !== f.oif) return false;
  if (f.metricmask && (m.priority ?? 0) !== f.metric) return false;
  if (f.realmmask && ((m.realms ^ f.realm) & f.realmmask) !== 0) return false;
  if (f.markmask && ((m.mark ?? 0) ^ f.mark) !== 0) return false;
  return true;
}

/** The IPv4 routes of the dump (one table, or all tables in the kernel's order). */
function dump(ns: NetNs, tb: number): Array<[FibRoute, RouteMsg]> {
  const ids = tb ? [tb] : ns.ipv4.tableIds();
  const out: Array<[FibRoute, RouteMsg]> = [];
  for (const id of ids) for (const r of ns.ipv4.table(id, false)?.routes ?? []) out.push([r, fibMsg(ns, r)]);
  return out;
}

const NO_TABLE = 'Error: ipv4: FIB table does not exist.\n';

/** iproute_list_flush_or_save for list and flush. */
export function routeList(ctx: IpContext, argv: string[], flush: boolean): number {
  if (flush && argv.length === 0) throw new ToolExit(1, '"ip route flush" requires arguments.\n');
  const f = parseFilter(ctx, argv);
  const ns = ctx.ns;
  const family = ctx.opts.family === 'any' && f.tb ? 'inet' : ctx.opts.family;
  const v4 = family === 'any' || family === 'inet';
  const v6 = family === 'any' || family === 'inet6';
  const missing = v4 && f.tb !== 0 && !ns.ipv4.table(f.tb, false);
  if (flush) return routeFlush(ctx, f, missing, v4);
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  p.begin();
  const o = { details: ctx.opts.details, numeric: ctx.opts.numeric, stats: ctx.opts.stats };
  if (missing && f.tb !== RT_TABLE_MAIN) {
    ctx.io.out(p.jw ? p.jw.text() : '');
    throw new ToolExit(2, `${NO_TABLE}Dump terminated\n`);
  }
  if (v4 && !missing) for (const [, m] of dump(ns, f.tb)) if (keep(f, m)) printRoute(p, m, f, o);
  if (v6) for (const m of ipv6RouteMsgs(ns)) if (keep(f, m) && (!f.tb || f.tb === m.table)) printRoute(p, m, f, o);
  p.end();
  ctx.io.out(p.output());
  return 0;
}

/** iproute_flush: dump, delete what matched, repeat until a dump matches nothing. */
function routeFlush(ctx: IpContext, f: ListFilter, missing: boolean, v4: boolean): number {
  if (f.cloned) {
    if (ctx.opts.stats) ctx.io.out('*** IPv4 routing cache is flushed.\n');
    return 0;
  }
  const o = { details: ctx.opts.details, numeric: ctx.opts.numeric, stats: ctx.opts.stats };
  let round = 0;
  for (;;) {
    if (missing) throw new ToolExit(2, `${NO_TABLE}Flush terminated\n`);
    const victims = v4 ? dump(ctx.ns, f.tb).filter(([, m]) => keep(f, m)) : [];
    if (victims.length === 0) {
      if (ctx.opts.stats) {
        ctx.io.out(round === 0 ? 'Nothing to flush.\n' : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
      }
      return 0;
    }
    if (ctx.opts.stats >= 2) {
      const p = new Printer(false, false, ctx.opts.oneline);
      for (const [, m] of victims) printRoute(p, m, f, o);
      ctx.io.out(p.output());
    }
    round++;
    for (const [r] of victims) {
      try {
        delRoute(ctx.ns, matchOf(r));
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
      }
    }
    if (ctx.opts.stats) ctx.io.out(`\n*** Round ${round}, deleting ${victims.length} entries ***\n`);
  }
}
