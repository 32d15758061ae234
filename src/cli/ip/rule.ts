// `ip rule` (iproute2 6.1 ip/iprule.c): add, delete, list/show, flush, over the kernel's policy
// rules (net/core/fib_rules.c).
import { FR_ACT_NAMES, IPPROTO_NAMES } from './rule-names.ts';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_KERNEL } from '../../kernel/ipv4/constants.ts';
import { emptyTable } from '../../kernel/ipv4/route.ts';
import { newRule, type FibRule, type RuleAction } from '../../kernel/ipv4/rules.ts';
import { formatIpv4Addr } from '../../wire/addr.ts';
import { IFNAMSIZ } from '../../kernel/netns.ts';
import { ToolExit } from '../tool.ts';
import { Args, matches, rtnl } from './args.ts';
import { getPrefix, getU32, invargRaw, prefixMatch, type Family, type InetPrefix } from './inet-args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { Printer } from './printer.ts';
import { RULE_USAGE } from './route-usage.ts';
import { dsfieldA2n, dsfieldN2a, protoA2n, protoN2a, realmN2a, realmsA2n, tableA2n, tableN2a } from './rt-names.ts';

export const ipRule: IpObject = (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return ruleList(ctx, [], false);
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) return ruleList(ctx, rest, false);
  if (matches(cmd, 'save') || matches(cmd, 'restore')) throw new ToolExit(1, `ip rule ${cmd}: not supported by nslab\n`);
  if (matches(cmd, 'add')) return modify(ctx, true, rest);
  if (matches(cmd, 'delete')) return modify(ctx, false, rest);
  if (matches(cmd, 'flush')) return ruleList(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ToolExit(255, RULE_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip rule help".\n`);
};

function checkIfname(name: string, msg: string): string {
  if (name.length >= IFNAMSIZ || name === '' || /[/\s]/.test(name)) invargRaw(msg, name);
  return name;
}

function portRange(v: string, msg: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?/.exec(v);
  if (!m) invargRaw(msg, v);
  const lo = Number(m![1]) & 0xffff;
  return [lo, m![2] !== undefined ? Number(m![2]) & 0xffff : lo];
}

function uidRange(v: string): [number, number] {
  const m = /^(\d+)-(\d+)/.exec(v);
  if (!m) invargRaw('invalid UID range\n', v);
  return [Number(m![1]) >>> 0, Number(m![2]) >>> 0];
}

function ipproto(v: string): number {
  const n = IPPROTO_NAMES.indexOf(v);
  if (n >= 0) return n;
  const x = getU32(v);
  if (x === undefined || x > 255) invargRaw('Invalid "ipproto" value\n', v);
  return x!;
}

function fwmark(v: string): [number, number | undefined] {
  const slash = v.indexOf('/');
  const mark = getU32(slash < 0 ? v : v.slice(0, slash));
  if (mark === undefined) invargRaw('fwmark value is invalid\n', slash < 0 ? v : v.slice(0, slash));
  if (slash < 0) return [mark!, undefined];
  const mask = getU32(v.slice(slash + 1));
  if (mask === undefined) invargRaw('fwmask value is invalid\n', v.slice(slash + 1));
  return [mark!, mask];
}

/** iprule_modify. */
function modify(ctx: IpContext, add: boolean, argv: string[]): number {
  if (argv.length === 0) throw new ToolExit(1, `"ip rule ${add ? 'add' : 'del'}" requires arguments.\n`);
  const family: Family | undefined = ctx.opts.family === 'inet' || ctx.opts.family === 'inet6' ? ctx.opts.family : undefined;
  const r: Partial<FibRule> = {};
  let action: RuleAction | undefined = add ? 'table' : undefined;
  let table = 0;
  let tableOk = false;
  let priority: number | undefined;
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (arg === 'not') {
      r.invert = true;
    } else if (arg === 'from' || arg === 'to') {
      const p = getPrefix(a.value(), family);
      if (arg === 'from') Object.assign(r, { src: p.v4, srcLen: p.bitlen });
      else Object.assign(r, { dst: p.v4, dstLen: p.bitlen });
    } else if (matches(arg, 'preference') || matches(arg, 'order') || matches(arg, 'priority')) {
      const v = a.value();
      priority = getU32(v);
      if (priority === undefined) invargRaw('preference value is invalid\n', v);
    } else if (arg === 'tos' || matches(arg, 'dsfield')) {
      const v = a.value();
      const t = dsfieldA2n(v);
      if (t === undefined) invargRaw('TOS value is invalid\n', v);
      r.tos = t;
    } else if (arg === 'fwmark') {
      const [mark, mask] = fwmark(a.value());
      r.fwmark = mark;
      if (mask !== undefined) r.fwmask = mask;
    } else if (matches(arg, 'realms')) {
      const v = a.value();
      r.realms = realmsA2n(v);
      if (r.realms === undefined) invargRaw('invalid realms\n', v);
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      const p = protoA2n(v);
      if (p === undefined) invargRaw('"protocol" value is invalid\n', v);
      r.protocol = p;
    } else if (matches(arg, 'tun_id')) {
      a.value();
    } else if (matches(arg, 'table') || arg === 'lookup') {
      const v = a.value();
      const t = tableA2n(v);
      if (t === undefined) invargRaw('invalid table ID\n', v);
      table = t!;
      tableOk = true;
    } else if (matches(arg, 'suppress_prefixlength') || arg === 'sup_pl') {
      const v = a.value();
      const n = /^-?(0[xX][0-9a-fA-F]+|\d+)$/.test(v) ? Number(v) : NaN;
      if (!(n >= 0 && n <= 0x7fffffff)) invargRaw('suppress_prefixlength value is invalid\n', v);
      r.suppressPrefixlen = n;
    } else if (matches(arg, 'suppress_ifgroup') || arg === 'sup_group') {
      const v = a.value();
      const g = v === 'default' ? 0 : getU32(v);
      if (g === undefined) invargRaw('Invalid "suppress_ifgroup" value\n', v);
      r.suppressIfgroup = g;
    } else if (arg === 'dev' || arg === 'iif') {
      r.iif = checkIfname(a.value(), '"iif"/"dev" not a valid ifname');
    } else if (arg === 'oif') {
      r.oif = checkIfname(a.value(), '"oif" not a valid ifname');
    } else if (arg === 'l3mdev') {
      tableOk = true;
    } else if (arg === 'uidrange') {
      [r.uidStart, r.uidEnd] = uidRange(a.value());
    } else if (arg === 'nat' || matches(arg, 'map-to')) {
      throw new ToolExit(2, 'RTNETLINK answers: Operation not supported\n');
    } else if (arg === 'ipproto') {
      r.ipProto = ipproto(a.value());
    } else if (arg === 'sport') {
      r.sport = portRange(a.value(), 'invalid port range\n');
    } else if (arg === 'dport') {
      r.dport = portRange(a.value(), 'invalid dport range\n');
    } else {
      const v = arg === 'type' ? a.value() : arg;
      if (matches(v, 'help')) throw new ToolExit(255, RULE_USAGE);
      if (matches(v, 'goto')) {
        action = 'goto';
        const t = a.value();
        const target = getU32(t);
        if (target === undefined) invargRaw('invalid target\n', t);
        r.target = target;
      } else if (matches(v, 'nop')) {
        action = 'nop';
      } else {
        const act = FR_ACT_NAMES.find(([name, exact]) => (exact ? v === name : matches(v, name)));
        if (!act) invargRaw('Failed to parse rule type', v);
        action = act![2];
      }
      tableOk = true;
    }
  }
  if (!tableOk && add) table = RT_TABLE_MAIN;
  const ns = ctx.ns;
  return rtnl(() => {
    if (add) {
      const rule = newRule({ ...r, action, table, priority: priority ?? 0 });
      ns.ipv4.rules.add(rule, priority !== undefined, () => emptyTable(ns));
    } else {
      ns.ipv4.rules.delete({ ...r, action, table, priority });
    }
    return 0;
  });
}

interface RuleFilter {
  not: boolean;
  pref: number | undefined;
  src: InetPrefix | undefined;
  dst: InetPrefix | undefined;
  tos: number | undefined;
  fwmark: number;
  fwmask: number;
  iif: string | undefined;
  oif: string | undefined;
  tb: number;
  protocol: number | undefined;
}

function parseFilter(argv: string[]): RuleFilter {
  const f: RuleFilter = { not: false, pref: undefined, src: undefined, dst: undefined, tos: undefined, fwmark: 0, fwmask: 0, iif: undefined, oif: undefined, tb: 0, protocol: undefined };
  const a = new Args(argv);
  while (a.more()) {
    const arg = a.next();
    if (matches(arg, 'preference') || matches(arg, 'order') || matches(arg, 'priority')) {
      const v = a.value();
      f.pref = getU32(v);
      if (f.pref === undefined) invargRaw('preference value is invalid\n', v);
    } else if (arg === 'not') {
      f.not = true;
    } else if (arg === 'tos' || arg === 'dsfield') {
      const v = a.value();
      f.tos = dsfieldA2n(v);
      if (f.tos === undefined) invargRaw('TOS value is invalid\n', v);
    } else if (arg === 'fwmark') {
      const [mark, mask] = fwmark(a.value());
      f.fwmark = mark;
      f.fwmask = mask ?? 0;
    } else if (arg === 'dev' || arg === 'iif') {
      f.iif = checkIfname(a.value(), '"iif"/"dev" not a valid ifname');
    } else if (arg === 'oif') {
      f.oif = checkIfname(a.value(), '"oif" not a valid ifname');
    } else if (arg === 'l3mdev' || arg === 'uidrange' || matches(arg, 'tun_id') || arg === 'ipproto' || arg === 'sport' || arg === 'dport') {
      if (arg !== 'l3mdev') a.value();
    } else if (matches(arg, 'lookup') || matches(arg, 'table')) {
      const v = a.value();
      const t = tableA2n(v);
      if (t === undefined) invargRaw('table id value is invalid\n', v);
      f.tb = t!;
    } else if (matches(arg, 'from') || matches(arg, 'src')) {
      f.src = getPrefix(a.value(), 'inet');
    } else if (matches(arg, 'protocol')) {
      const v = a.value();
      const p = protoA2n(v);
      if (p === undefined && v !== 'all') invargRaw('invalid "protocol"\n', v);
      f.protocol = p;
    } else {
      const v = matches(arg, 'dst') || matches(arg, 'to') ? a.value() : arg;
      f.dst = getPrefix(v, 'inet');
    }
  }
  return f;
}

function keep(f: RuleFilter, r: FibRule): boolean {
  if (f.pref !== undefined && f.pref !== r.priority) return false;
  if (f.not && !r.invert) return false;
  if (f.src && (f.src.bitlen > r.srcLen || (f.src.bitlen > 0 && !prefixMatch(r.src, f.src.v4, f.src.bitlen)))) return false;
  if (f.dst && (f.dst.bitlen > r.dstLen || (f.dst.bitlen > 0 && !prefixMatch(r.dst, f.dst.v4, f.dst.bitlen)))) return false;
  if (f.tos !== undefined && f.tos !== r.tos) return false;
  if (f.fwmark && f.fwmark !== r.fwmark) return false;
  if (f.fwmask && f.fwmask !== r.fwmask) return false;
  if (f.iif !== undefined && r.iif !== f.iif) return false;
  if (f.oif !== undefined && r.oif !== f.oif) return false;
  if (f.tb > 0 && f.tb !== r.table) return false;
  return true;
}

/** print_rule. */
function printRule(ctx: IpContext, p: Printer, r: FibRule): void {
  const num = ctx.opts.numeric;
  p.openObject();
  p.any('priority', `${r.priority}:\t`, r.priority);
  if (r.invert) p.any('not', 'not ', null);
  if (r.srcLen) {
    p.fp('from ').any('src', formatIpv4Addr(r.src), formatIpv4Addr(r.src));
    if (r.srcLen !== 32) p.any('srclen', `/${r.srcLen}`, r.srcLen);
  } else {
    p.any('src', 'from all', 'all');
  }
  if (r.dstLen) {
    p.fp(' to ').any('dst', formatIpv4Addr(r.dst), formatIpv4Addr(r.dst));
    if (r.dstLen !== 32) p.any('dstlen', `/${r.dstLen}`, r.dstLen);
  }
  if (r.tos) p.any('tos', ` tos ${dsfieldN2a(r.tos, num)}`, dsfieldN2a(r.tos, num));
  if (r.fwmark || r.fwmask) {
    const hex = (v: number) => (v ? `0x${v.toString(16)}` : '0');
    p.any('fwmark', ` fwmark ${hex(r.fwmark)}`, hex(r.fwmark));
    if (r.fwmask !== 0xffffffff) p.any('fwmask', `/${hex(r.fwmask)}`, hex(r.fwmask));
  }
  for (const [key, name] of [['iif', r.iif], ['oif', r.oif]] as const) {
    if (name === undefined) continue;
    p.fp(` ${key} `).any(key, name, name);
    if (!ctx.ns.device(name)) p.any(`${key}_detached`, ' [detached]', null);
  }
  if (r.uidStart !== 0 || r.uidEnd !== 0xffffffff) {
    p.any('uid_start', ` uidrange ${r.uidStart}`, r.uidStart).any('uid_end', `-${r.uidEnd}`, r.uidEnd);
  }
  if (r.ipProto) {
    const n = IPPROTO_NAMES[r.ipProto] || `ipproto-${r.ipProto}`;
    p.any('ipproto', ` ipproto ${n}`, n);
  }
  for (const [key, [lo, hi]] of [['sport', r.sport], ['dport', r.dport]] as const) {
    if (!lo && !hi) continue;
    if (lo === hi) p.any(key, ` ${key} ${lo}`, lo);
    else p.any(`${key}_start`, ` ${key} ${lo}`, lo).any(`${key}_end`, `-${hi}`, hi);
  }
  if (r.table) {
    const t = tableN2a(r.table, num);
    p.any('table', ` lookup ${t}`, t);
    if (r.suppressPrefixlen !== -1) p.any('suppress_prefixlen', ` suppress_prefixlength ${r.suppressPrefixlen}`, r.suppressPrefixlen);
    if (r.suppressIfgroup !== -1) {
      const g = r.suppressIfgroup === 0 && !num ? 'default' : String(r.suppressIfgroup);
      p.any('suppress_ifgroup', ` suppress_ifgroup ${g}`, g);
    }
  }
  if (r.realms) {
    const from = r.realms >>> 16;
    const to = realmN2a(r.realms & 0xffff, num);
    if (from) p.any('flow_from', ` realms ${realmN2a(from, num)}/`, realmN2a(from, num));
    else p.fp(' realms ');
    p.any('flow_to', to, to);
  }
  if (r.action === 'goto') {
    p.any('goto', ` goto ${r.target}`, r.target);
    if (!r.ctarget) p.any('unresolved', ' [unresolved]', null);
  } else if (r.action === 'nop') {
    p.any('nop', ' nop', null);
  } else if (r.action !== 'table') {
    p.any('action', ` ${r.action}`, r.action);
  }
  if ((r.protocol && r.protocol !== RTPROT_KERNEL) || ctx.opts.details) {
    const n = protoN2a(r.protocol, num);
    p.any('protocol', ` proto ${n}`, n);
  }
  p.fp('\n');
  p.closeObject();
}

/** The IPv6 rules of a namespace (nslab has no IPv6 routing: only the defaults). */
const IPV6_RULES: FibRule[] = [
  newRule({ priority: 0, table: RT_TABLE_LOCAL, protocol: RTPROT_KERNEL }),
  newRule({ priority: 32766, table: RT_TABLE_MAIN, protocol: RTPROT_KERNEL }),
];

/** iprule_list_flush_or_save for list and flush. */
function ruleList(ctx: IpContext, argv: string[], flush: boolean): number {
  const f = parseFilter(argv);
  const rules = ctx.opts.family === 'inet6' ? IPV6_RULES : ctx.ns.ipv4.rules.rules;
  if (flush) {
    for (const r of [...rules]) {
      if (!keep(f, r) || (f.protocol !== undefined && r.protocol !== f.protocol) || r.priority === 0) continue;
      if (rules !== IPV6_RULES) ctx.ns.ipv4.rules.remove(r);
    }
    return 0;
  }
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, ctx.opts.oneline);
  p.begin();
  for (const r of rules) if (keep(f, r)) printRule(ctx, p, r);
  p.end();
  ctx.io.out(p.output());
  return 0;
}
