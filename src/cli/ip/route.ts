// `ip route` (iproute2 6.1 ip/iproute.c): add, change, replace, prepend, append, delete,
// list/show, flush, get.
import type { NetDevice } from '../../kernel/device.ts';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_BOOT, type RouteType } from '../../kernel/ipv4/constants.ts';
import { RTAX_NAMES } from '../../kernel/ipv4/fib.ts';
import { addRoute, delRoute, type RouteChangeMode } from '../../kernel/ipv4/route.ts';
import { ToolExit } from '../tool.ts';
import { Args, duparg2, matches, rtnl } from './args.ts';
import { getAddr, getPrefix, getU32, invargRaw, type Family, type InetPrefix } from './inet-args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { routeGet } from './route-get.ts';
import { routeList } from './route-list.ts';
import { ROUTE_USAGE } from './route-usage.ts';
import { dsfieldA2n, protoA2n, realmsA2n, rtntypeA2n, scopeA2n, tableA2n } from './rt-names.ts';

export const ipRoute: IpObject = (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return routeList(ctx, [], false);
  if (matches(cmd, 'add')) return modify(ctx, 'add', rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return modify(ctx, 'replace', rest);
  if (matches(cmd, 'prepend')) return modify(ctx, 'prepend', rest);
  if (matches(cmd, 'append')) return modify(ctx, 'append', rest);
  if (matches(cmd, 'test')) return modify(ctx, 'test', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'delete', rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return routeList(ctx, rest, false);
  if (matches(cmd, 'get')) return routeGet(ctx, rest);
  if (matches(cmd, 'flush')) return routeList(ctx, rest, true);
  if (matches(cmd, 'save') || matches(cmd, 'restore') || matches(cmd, 'showdump')) {
    throw new ToolExit(1, `ip route ${cmd}: not supported by nslab\n`);
  }
  if (matches(cmd, 'help')) throw new ToolExit(255, ROUTE_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip route help".\n`);
};

/** Metrics that take `[lock] NUMBER` and their invarg names. */
const NUMERIC_METRICS: Record<string, [string, boolean]> = {
  mtu: ['"mtu" value is invalid\n', true], hoplimit: ['"hoplimit" value is invalid\n', true],
  advmss: ['"mss" value is invalid\n', true], reordering: ['"reordering" value is invalid\n', false],
  window: ['"window" value is invalid\n', false], cwnd: ['"cwnd" value is invalid\n', false],
  initcwnd: ['"initcwnd" value is invalid\n', false], initrwnd: ['"initrwnd" value is invalid\n', false],
  ssthresh: ['"ssthresh" value is invalid\n', false],
};

/** The route metric a keyword names, in iproute_modify's order (exact words and prefixes). */
function metricKeyword(arg: string): string | undefined {
  const order: Array<[string, boolean]> = [
    ['mtu', true], ['hoplimit', true], ['advmss', true], ['reordering', false], ['rtt', true], ['rto_min', true],
    ['window', false], ['cwnd', false], ['initcwnd', false], ['initrwnd', false], ['features', false], ['quickack', false],
    ['congctl', false], ['rttvar', false], ['ssthresh', false],
  ];
  return order.find(([w, exact]) => (exact ? arg === w : matches(arg, w)))?.[0];
}

/** get_time_rtt: milliseconds, or a raw number. */
function timeRtt(text: string): { val: number; raw: boolean } | undefined {
  const m = /^([0-9]*\.?[0-9]+|0[xX][0-9a-fA-F]+)(s|sec|secs|ms|msec|msecs)?$/i.exec(text);
  if (!m) return undefined;
  let t = m[1].startsWith('0x') || m[1].startsWith('0X') ? parseInt(m[1], 16) : Number(m[1]);
  if (m[2] && /^s/i.test(m[2])) t *= 1000;
  return { val: Math.ceil(t), raw: m[2] === undefined };
}

type Mode = RouteChangeMode | 'test' | 'delete';

/** iproute_modify. */
function modify(ctx: IpContext, mode: Mode, argv: string[]): number {
  const del = mode === 'delete';
  let family: Family | undefined = ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
  let type: RouteType = del ? 'unspec' : 'unicast';
  let table = RT_TABLE_MAIN;
  let tableOk = false;
  let scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  let scopeOk = false;
  let protocol = del ? 0 : RTPROT_BOOT;
  let dst: InetPrefix | undefined;
  let gw: InetPrefix | undefined;
  let prefsrc: InetPrefix | undefined;
  let tos = 0;
  let priority: number | undefined;
  let devName: string | undefined;
  let onlink = false;
  let realms: number | undefined;
  const metrics = new Map<string, number>();
  let lock = 0;
  const a = new Args(argv);
  const lockable = (name: string): string => {
    let v = a.value();
    if (v === 'lock') {
      lock |= 1 << RTAX_NAMES.indexOf(name);
      v = a.value();
    }
    return v;
  };
  while (a.more()) {
    const arg = a.next();
    if (arg === 'src') {
      prefsrc = getAddr(a.value(), family);
      family ??= prefsrc.family;
    } else if (arg === 'as') {
      let v = a.value();
      if (v === 'to') v = a.value();
      family ??= getAddr(v, family).family;
    } else if (arg === 'via') {
      if (gw) invargRaw('use nexthop syntax to specify multiple via\n', arg);
      let v = a.value();
      let f = family;
      if (v === 'inet' || v === 'inet6') {
        f = v;
        v = a.value();
      }
      gw = getAddr(v, f);
      family ??= gw.family;
    } else if (arg === 'from') {
      const p = getPrefix(a.value(), family);
      family ??= p.family;
    } else if (arg === 'tos' || matches(arg, 'dsfield')) {
      const v = a.value();
      const t = dsfieldA2n(v);
      if (t === undefined) invargRaw('"tos" value is invalid\n', v);
      tos = t!;
    } else if (arg === 'expires') {
      const v = a.value();
      if (getU32(v) === undefined) invargRaw('"expires" value is invalid\n', v);
    } else if (matches(arg, 'metric') || matches(arg, 'priority') || arg === 'preference') {
      const v = a.value();
      priority = getU32(v);
      if (priority === undefined) invargRaw('"metric" value is invalid\n', v);
    } else if (arg === 'scope') {
      const v = a.value();
      const s = scopeA2n(v);
      if (s === undefined) invargRaw('invalid "scope" value\n', v);
      scope = s!;
      scopeOk = true;
    } else if (metricKeyword(arg) !== undefined) {
      const name = metricKeyword(arg)!;
      if (name === 'rtt' || name === 'rttvar' || name === 'rto_min') {
        const v = name === 'rto_min' ? a.value() : lockable(name);
        if (name === 'rto_min') lock |= 1 << RTAX_NAMES.indexOf('rto_min');
        const t = timeRtt(v);
        if (!t) invargRaw(`"${name}" value is invalid\n`, v);
        metrics.set(name, name === 'rtt' && !t!.raw ? t!.val * 8 : name === 'rttvar' && !t!.raw ? t!.val * 4 : t!.val);
      } else if (name === 'features') {
        const v = a.value();
        if (v !== 'ecn') invargRaw('"features" value not valid\n', v);
        metrics.set('features', 1);
      } else if (name === 'quickack') {
        const v = a.value();
        const n = getU32(v);
        if (n === undefined) invargRaw(`"${name}" value is invalid\n`, v);
        if (n !== 0 && n !== 1) invargRaw(`"${name}" value should be 0 or 1\n`, v);
        metrics.set(name, n!);
      } else if (name === 'congctl') {
        lockable('congctl');
      } else {
        const v = lockable(name);
        const n = getU32(v);
        if (n === undefined || (name === 'hoplimit' && n > 255)) invargRaw(NUMERIC_METRICS[name][0], v);
        metrics.set(name, n!);
      }
    } else if (matches(arg, 'realms')) {
      const v = a.value();
      realms = realmsA2n(v);
      if (realms === undefined) invargRaw('"realm" value is invalid\n', v);
    } else if (arg === 'onlink') {
      onlink = true;
    } else if (arg === 'nexthop' || arg === 'nhid' || arg === 'encap') {
      throw new ToolExit(2, 'RTNETLINK answers: Operation not supported\n');
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      const p = protoA2n(v);
      if (p === undefined) invargRaw('"protocol" value is invalid\n', v);
      protocol = p!;
    } else if (matches(arg, 'table')) {
      const v = a.value();
      const t = tableA2n(v);
      if (t === undefined) invargRaw('"table" value is invalid\n', v);
      table = t!;
      tableOk = true;
    } else if (matches(arg, 'vrf')) {
      invargRaw('Invalid VRF\n', a.value());
    } else if (arg === 'dev' || arg === 'oif') {
      devName = a.value();
    } else if (matches(arg, 'pref')) {
      a.value();
    } else if (arg === 'ttl-propagate') {
      const v = a.value();
      if (!matches(v, 'enabled') && !matches(v, 'disabled')) invargRaw('"ttl-propagate" value is invalid\n', v);
    } else if (matches(arg, 'fastopen_no_cookie')) {
      const v = a.value();
      const n = getU32(v);
      if (n === undefined) invargRaw('"fastopen_no_cookie" value is invalid\n', v);
      if (n !== 0 && n !== 1) invargRaw('"fastopen_no_cookie" value should be 0 or 1\n', v);
      metrics.set('fastopen_no_cookie', n!);
    } else {
      let v = arg === 'to' ? a.value() : arg;
      if ((v[0] < '0' || v[0] > '9')) {
        const t = rtntypeA2n(v);
        if (t !== undefined) {
          v = a.value();
          if (typeof t === 'number') throw new ToolExit(2, 'RTNETLINK answers: Invalid argument\n');
          type = t;
        }
      }
      if (matches(v, 'help')) throw new ToolExit(255, ROUTE_USAGE);
      if (dst) duparg2('to', v);
      dst = getPrefix(v, family);
      family ??= dst.family;
    }
  }
  if (!dst) throw new ToolExit(255, ROUTE_USAGE);
  let dev: NetDevice | undefined;
  if (devName !== undefined) {
    dev = ctx.ns.device(devName);
    if (!dev) throw new ToolExit(1, `Cannot find device "${devName}"\n`);
  }
  if (!tableOk && ['local', 'broadcast', 'nat', 'anycast'].includes(type)) table = RT_TABLE_LOCAL;
  if (!scopeOk) {
    if (family === 'inet6') scope = RT_SCOPE_UNIVERSE;
    else if (type === 'local' || type === 'nat') scope = RT_SCOPE_HOST;
    else if (type === 'broadcast' || type === 'multicast' || type === 'anycast') scope = RT_SCOPE_LINK;
    else if (type === 'unicast' || type === 'unspec') {
      if (del) scope = RT_SCOPE_NOWHERE;
      else if (!gw) scope = RT_SCOPE_LINK;
    }
  }
  if (family === 'inet6') throw new ToolExit(2, 'Error: IPv6 is disabled on nexthop device.\n');
  const ns = ctx.ns;
  const d = dst;
  return rtnl(() => {
    if (del) {
      delRoute(ns, {
        table, dst: d.v4, len: d.bitlen, tos, type: type === 'unspec' ? undefined : type, scope, protocol: protocol || undefined,
        prefsrc: prefsrc?.v4 || undefined, priority, gateway: gw?.v4 || undefined, dev, metrics: metrics.size ? metrics : undefined,
        realms,
      });
    } else {
      addRoute(ns, {
        table, type, dst: d.v4, len: d.bitlen, tos, priority: priority ?? 0, protocol, scope, prefsrc: prefsrc?.v4 ?? 0,
        gateway: gw?.v4 ?? 0, dev, onlink, metrics, metricsLock: lock, realms: realms ?? 0,
      }, mode === 'test' ? 'add' : mode as RouteChangeMode);
    }
    return 0;
  });
}
