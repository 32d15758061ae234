// fib_lookup (net/ipv4/fib_rules.c, include/net/ip_fib.h): the policy rules, or without custom
// rules the merged local+main trie and then the default table; and the address helpers route
// resolution uses (inet_addr_type, inet_select_addr, __ip_dev_find).
import { prefixMask } from '../../wire/addr.ts';
import type { NetDevice } from '../device.ts';
import { EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import {
  IFA_F_SECONDARY, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_DEFAULT, RT_TABLE_LOCAL,
  RT_TABLE_MAIN, isLbcast, isMulticast, isZeronet, type RouteType,
} from './constants.ts';
import { FibTable, type FibResult, type FibRoute } from './fib.ts';
import type { FlowKey } from './rules.ts';

/** A lookup flow: the rule selector fields plus the scope a table lookup may go down to. */
export interface LookupFlow extends FlowKey {
  scope?: number;
}

/** -EAGAIN: "nothing here, go on" (a table without a match, or a `throw` route). */
const EAGAIN = 11;

/** fib_props[type].error. */
export function routeTypeErrno(type: RouteType): number {
  switch (type) {
    case 'blackhole': return EINVAL;
    case 'unreachable': return EHOSTUNREACH;
    case 'prohibit': return EACCES;
    case 'throw': return EAGAIN;
    case 'nat': case 'xresolve': return EINVAL;
    default: return 0;
  }
}

function ignoreLinkdown(ns: NetNs, dev: NetDevice): boolean {
  return ns.sysctl.conf4('all', 'ignore_routes_with_linkdown') > 0 || ns.sysctl.conf4(dev.name, 'ignore_routes_with_linkdown') > 0;
}

/** fib_table_lookup over tables sharing a trie: a result, a reject errno, or EAGAIN. */
function lookupIn(ns: NetNs, ids: readonly number[], flow: LookupFlow, ignoreLinkstate: boolean): FibResult | number {
  const tables = ids.map((id) => ns.ipv4.table(id, false)).filter((t): t is FibTable => t !== undefined);
  if (!tables.length) return EAGAIN;
  const usable = (r: FibRoute): boolean => {
    if (flow.oif && r.dev?.ifindex !== flow.oif) return false;
    return ignoreLinkstate || !r.dev || !ns.ipv4.linkdown(r) || !ignoreLinkdown(ns, r.dev);
  };
  const res = FibTable.lookupMerged(tables, { dst: flow.dst, tos: flow.tos, oif: flow.oif, scope: flow.scope ?? RT_SCOPE_UNIVERSE }, usable);
  if (!res) return EAGAIN;
  return routeTypeErrno(res.type) || res;
}

/** fib_rules_lookup with fib4_rule_action and fib4_rule_suppress. */
function rulesLookup(ns: NetNs, flow: LookupFlow, ignoreLinkstate: boolean): FibResult | number {
  const rules = ns.ipv4.rules;
  const list = rules.rules;
  for (let i = 0; i < list.length; i++) {
    const rule = list[i];
    if (!rules.matches(rule, flow)) continue;
    if (rule.action === 'goto') {
      // Jump: the target's own selector is tested next.
      const j = rule.ctarget ? list.indexOf(rule.ctarget) : -1;
      if (j >= 0) i = j - 1;
      continue;
    }
    let r: FibResult | number;
    switch (rule.action) {
      case 'nop': continue;
      case 'unreachable': r = ENETUNREACH; break;
      case 'prohibit': r = EACCES; break;
      case 'blackhole': r = EINVAL; break;
      default: r = lookupIn(ns, [rule.table], flow, ignoreLinkstate);
    }
    if (typeof r !== 'number') {
      if (r.prefixlen <= rule.suppressPrefixlen) continue;
      if (rule.suppressIfgroup !== -1 && r.route.dev?.group === rule.suppressIfgroup) continue;
    }
    if (r !== EAGAIN) return r;
  }
  return EAGAIN;
}

/**
 * fib_lookup. Throws ENETUNREACH when nothing matched, or a reject route's or rule's error
 * (EHOSTUNREACH, EACCES, EINVAL, ENETUNREACH).
 */
export function fibLookup(ns: NetNs, flow: LookupFlow, ignoreLinkstate = false): FibResult {
  let r: FibResult | number;
  if (ns.ipv4.rules.custom) {
    r = rulesLookup(ns, flow, ignoreLinkstate);
  } else {
    // Local and main share one trie here: a result's table is main's (res->table).
    r = lookupIn(ns, [RT_TABLE_LOCAL, RT_TABLE_MAIN], flow, ignoreLinkstate);
    if (typeof r !== 'number') r = { ...r, table: RT_TABLE_MAIN };
    if (typeof r === 'number' && ns.ipv4.table(RT_TABLE_DEFAULT, false)) {
      r = lookupIn(ns, [RT_TABLE_DEFAULT], flow, ignoreLinkstate);
    }
  }
  if (typeof r === 'number') throw new KernelError(r === EAGAIN ? ENETUNREACH : r);
  return r;
}

/** inet_addr_type: what the local table says an address is (unicast when it says nothing). */
export function inetAddrType(ns: NetNs, addr: number): RouteType {
  if (isZeronet(addr) || isLbcast(addr)) return 'broadcast';
  if (isMulticast(addr)) return 'multicast';
  const res = ns.ipv4.table(RT_TABLE_LOCAL, false)?.lookup({ dst: addr, tos: 0, oif: 0, scope: RT_SCOPE_UNIVERSE }, () => true);
  return res ? res.type : 'unicast';
}

export function routeLocalnet(ns: NetNs, dev: NetDevice): boolean {
  return ns.sysctl.conf4('all', 'route_localnet') > 0 || ns.sysctl.conf4(dev.name, 'route_localnet') > 0;
}

/** inet_select_addr: a primary address of `dev` within `scope` (on `dst`'s subnet if any), else of any device. */
export function inetSelectAddr(ns: NetNs, dev: NetDevice | undefined, dst: number, scope: number): number {
  const devinet = ns.ipv4.devinet;
  let addr = 0;
  if (dev) {
    const localnet = routeLocalnet(ns, dev) ? RT_SCOPE_LINK : RT_SCOPE_HOST;
    for (const a of devinet.list(dev)) {
      if (a.flags & IFA_F_SECONDARY) continue;
      if (Math.min(a.scope, localnet) > scope) continue;
      if (!dst || ((a.address ^ dst) & prefixMask(a.prefixlen)) === 0) return a.local;
      if (!addr) addr = a.local;
    }
    if (addr) return addr;
  }
  // Loopback comes first, so its non-loopback addresses are preferred.
  for (const d of ns.deviceList()) {
    for (const a of devinet.list(d)) {
      if (a.flags & IFA_F_SECONDARY) continue;
      if (a.scope !== RT_SCOPE_LINK && a.scope <= scope) return a.local;
    }
  }
  return 0;
}

/** __ip_dev_find / inet_lookup_ifaddr: the device a configured address is on. */
export function ipDevFind(ns: NetNs, addr: number): NetDevice | undefined {
  for (const list of ns.ipv4.devinet.byDev.values()) for (const a of list) if (a.local === addr) return a.dev;
  return undefined;
}

/** fib_result_prefsrc: the route's `src`, else an address of its device within its scope. */
export function resultPrefsrc(ns: NetNs, res: FibResult): number {
  const r = res.route;
  return r.prefsrc || inetSelectAddr(ns, r.dev, r.gateway, r.scope);
}
