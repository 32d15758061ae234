// iproute2's print_route (ip/iproute.c) over an rtmsg-like record: what the kernel reports for a
// FIB entry (fib_dump_info) or for a resolved route (rt_fill_info, `ip route get`).
import { formatIpv4Addr } from '../../wire/addr.ts';
import {
  RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTCF_BROADCAST, RTCF_DIRECTDST, RTCF_DIRECTSRC, RTCF_DNAT, RTCF_DOREDIRECT,
  RTCF_FAST, RTCF_LOCAL, RTCF_MASQ, RTCF_MULTICAST, RTCF_NOTIFY, RTCF_REDIRECTED, RTCF_REJECT, RTCF_SNAT, RTCF_TPROXY,
  RTM_F_CLONED, RTM_F_NOTIFY, RTM_F_OFFLOAD, RTM_F_OFFLOAD_FAILED, RTM_F_TRAP, RTPROT_BOOT, routeTypeCode,
  type RouteType,
} from '../../kernel/ipv4/constants.ts';
import {
  RTAX_NAMES, RTNH_F_DEAD, RTNH_F_LINKDOWN, RTNH_F_OFFLOAD, RTNH_F_ONLINK, RTNH_F_PERVASIVE, RTNH_F_TRAP, RTNH_F_UNRESOLVED,
  type FibRoute,
} from '../../kernel/ipv4/fib.ts';
import type { Rtable } from '../../kernel/ipv4/rtable.ts';
import type { NetNs } from '../../kernel/netns.ts';
import type { Printer } from './printer.ts';
import { dsfieldN2a, protoN2a, realmN2a, rtntypeN2a, scopeN2a, tableN2a } from './rt-names.ts';

/** An RTM_NEWROUTE message: the rtmsg header and the attributes iproute2 looks at. */
export interface RouteMsg {
  family: 'inet' | 'inet6';
  type: RouteType;
  /** RTA_DST as text (undefined when absent), and rtm_dst_len. */
  dst: string | undefined;
  dstLen: number;
  src: string | undefined;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  /** rtm_flags (RTNH_F_* and, for cached routes, RTCF_* bits and RTM_F_CLONED). */
  flags: number;
  gateway: string | undefined;
  dev: string | undefined;
  prefsrc: string | undefined;
  priority: number | undefined;
  metrics: Map<string, number>;
  metricsLock: number;
  /** RTA_FLOW: realms (from << 16 | to), 0 when absent. */
  realms: number;
  mark: number | undefined;
  uid: number | undefined;
  iif: string | undefined;
  /** RTA_CACHEINFO users for `ip -s route get`. */
  cacheinfo: { users: number; expires?: number } | undefined;
  /** RTA_PREF (IPv6 router preference), printed as `pref medium`. */
  pref: string | undefined;
  /** The IPv4 key fields, for filtering. */
  dst4: number;
  src4: number;
  gateway4: number;
  prefsrc4: number;
  oif: number;
}

/** What a list filter hides (iproute2 prints nothing for the field it filters on). */
export interface RoutePrintFilter {
  typemask: number;
  tb: number;
  tosmask: boolean;
  protocolmask: boolean;
  scopemask: boolean;
  oifmask: boolean;
  iifmask: boolean;
  metricmask: boolean;
  /** The realms a list filters on are hidden: realmmask == ~0. */
  realmsAll: boolean;
  viaBitlen: number;
  prefsrcBitlen: number;
}

export const NO_FILTER: RoutePrintFilter = {
  typemask: 0, tb: 0, tosmask: false, protocolmask: false, scopemask: false, oifmask: false, iifmask: false,
  metricmask: false, realmsAll: false, viaBitlen: -1, prefsrcBitlen: -1,
};

export interface RoutePrintOptions {
  details: boolean;
  numeric: boolean;
  stats: number;
}

/** fib_dump_info for one FIB entry. */
export function fibMsg(ns: NetNs, r: FibRoute, table = r.table): RouteMsg {
  return {
    family: 'inet', type: r.type, dst: r.len ? formatIpv4Addr(r.dst) : undefined, dstLen: r.len, src: undefined, srcLen: 0,
    tos: r.tos, table, protocol: r.protocol, scope: r.scope, flags: ns.ipv4.nhFlags(r),
    gateway: r.gateway ? formatIpv4Addr(r.gateway) : undefined, dev: r.dev?.name,
    prefsrc: r.prefsrc ? formatIpv4Addr(r.prefsrc) : undefined, priority: r.priority || undefined,
    metrics: r.metrics, metricsLock: r.metricsLock, realms: r.realms, mark: undefined, uid: undefined, iif: undefined, cacheinfo: undefined,
    pref: undefined, dst4: r.dst, src4: 0, gateway4: r.gateway, prefsrc4: r.prefsrc, oif: r.dev?.ifindex ?? 0,
  };
}

export interface GetRequest {
  dst: number;
  src: number;
  mark: number;
  uid: number | undefined;
}

/** rt_fill_info for `ip route get`. */
export function rtMsg(ns: NetNs, rt: Rtable, req: GetRequest): RouteMsg {
  const src = !rt.input && rt.src !== req.src ? formatIpv4Addr(rt.src) : undefined;
  return {
    family: 'inet', type: rt.type, dst: formatIpv4Addr(req.dst), dstLen: 32, src: req.src ? formatIpv4Addr(req.src) : undefined,
    srcLen: req.src ? 32 : 0, tos: rt.fib?.route.tos ?? 0, table: rt.table, protocol: 0, scope: RT_SCOPE_UNIVERSE,
    flags: ((rt.flags & ~0xffff) | RTM_F_CLONED) >>> 0, gateway: rt.gateway ? formatIpv4Addr(rt.gateway) : undefined,
    dev: rt.dev.name, prefsrc: src, priority: undefined, metrics: rt.metrics, metricsLock: rt.metricsLock, realms: rt.realms,
    mark: req.mark || undefined, uid: rt.input ? undefined : req.uid ?? 0,
    iif: rt.input ? ns.deviceByIndex(rt.iif)?.name : undefined, cacheinfo: undefined, pref: undefined,
    dst4: req.dst, src4: req.src, gateway4: rt.gateway, prefsrc4: rt.src, oif: rt.dev.ifindex,
    ...pmtuException(ns, rt, req.dst),
  };
}

/** A learnt path MTU (route cache exception) shows as `expires Nsec` and an `mtu` metric. */
function pmtuException(ns: NetNs, rt: Rtable, dst: number): Partial<RouteMsg> {
  if (rt.input) return {};
  const mtu = ns.inet.pmtuFor(dst);
  const e = ns.inet.pmtu.get(dst | 0);
  if (!mtu || !e) return {};
  const metrics = new Map(rt.metrics);
  metrics.set('mtu', mtu);
  return { metrics, cacheinfo: { users: rt.input ? 1 : 2, expires: Math.floor((e.expires - ns.world.now()) / 1000) } };
}

const RT_FLAGS: Array<[number, string]> = [
  [RTNH_F_DEAD, 'dead'], [RTNH_F_ONLINK, 'onlink'], [RTNH_F_PERVASIVE, 'pervasive'], [RTNH_F_OFFLOAD, 'offload'],
  [RTNH_F_TRAP, 'trap'], [RTM_F_NOTIFY, 'notify'], [RTNH_F_LINKDOWN, 'linkdown'], [RTNH_F_UNRESOLVED, 'unresolved'],
  [RTM_F_OFFLOAD, 'rt_offload'], [RTM_F_TRAP, 'rt_trap'], [RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

/** print_rt_flags. */
function printRtFlags(p: Printer, flags: number): void {
  p.openArray('flags');
  for (const [bit, name] of RT_FLAGS) if (flags & bit) p.any(null, `${name} `, name);
  p.closeArray();
}

const CACHE_FLAGS: Array<[number, string]> = [
  [RTCF_LOCAL, 'local'], [RTCF_REJECT, 'reject'], [RTCF_MULTICAST, 'mc'], [RTCF_BROADCAST, 'brd'], [RTCF_DNAT, 'dst-nat'],
  [RTCF_SNAT, 'src-nat'], [RTCF_MASQ, 'masq'], [RTCF_DIRECTDST, 'dst-direct'], [RTCF_DIRECTSRC, 'src-direct'],
  [RTCF_REDIRECTED, 'redirected'], [RTCF_DOREDIRECT, 'redirect'], [RTCF_FAST, 'fastroute'], [RTCF_NOTIFY, 'notify'],
  [RTCF_TPROXY, 'proxy'],
];

/** print_cache_flags. */
function printCacheFlags(p: Printer, flags: number): void {
  let f = flags & ~0xffff;
  if (p.jw) {
    p.jw.name('cache').startArray();
  } else {
    p.fp(`${p.sl}    cache `);
    if (f === 0) return;
    p.fp('<');
  }
  for (const [bit, name] of CACHE_FLAGS) {
    if (!(f & bit)) continue;
    f &= ~bit;
    if (p.jw) p.jw.value(name);
    else p.fp(`${name}${f ? ',' : '> '}`);
  }
  if (f) p.any('flags', `${(f >>> 0).toString(16)}>`, (f >>> 0).toString(16));
  p.jw?.endArray();
}

/** print_rta_flow. */
function printFlow(p: Printer, realms: number, numeric: boolean): void {
  const from = realms >>> 16;
  const to = realms & 0xffff;
  if (p.jw) {
    p.jw.name('flow').startObject();
    if (from) p.js('from', realmN2a(from, numeric));
    p.js('to', realmN2a(to, numeric));
    p.jw.endObject();
  } else {
    p.fp(`realm${from ? 's' : ''} `);
    if (from) p.fp(`${realmN2a(from, numeric)}/`);
    p.fp(`${realmN2a(to, numeric)} `);
  }
}

/** print_rta_metrics. */
function printMetrics(p: Printer, m: RouteMsg): void {
  if (!m.metrics.size && !m.metricsLock) return;
  if (p.jw) p.jw.name('metrics').startArray().startObject();
  for (let i = 2; i < RTAX_NAMES.length; i++) {
    const name = RTAX_NAMES[i];
    const locked = (m.metricsLock & (1 << i)) !== 0;
    if (!m.metrics.has(name) && !locked) continue;
    let val = m.metrics.get(name) ?? 0;
    if (name === 'hoplimit' && (val | 0) === -1) continue;
    p.fp(`${name} `);
    if (locked) p.fp('lock ');
    if (name === 'rtt' || name === 'rttvar' || name === 'rto_min') {
      if (name === 'rtt') val = Math.floor(val / 8);
      else if (name === 'rttvar') val = Math.floor(val / 4);
      if (p.jw) p.js(name, val);
      else p.fp(val >= 1000 ? `${val / 1e3}s ` : `${val}ms `);
    } else if (name === 'features') {
      if (val & 1) p.any('ecn', 'ecn ', null);
      if (val & ~1) p.any('features', `0x${val.toString(16)} `, `0x${val.toString(16)}`);
    } else {
      p.any(name, `${val} `, val);
    }
  }
  if (p.jw) p.jw.endObject().endArray();
}

/** print_route for one message (the caller has applied the filter). */
export function printRoute(p: Printer, m: RouteMsg, f: RoutePrintFilter, o: RoutePrintOptions): void {
  const hostLen = m.family === 'inet6' ? 128 : 32;
  const cloned = (m.flags & RTM_F_CLONED) !== 0;
  p.openObject();
  const code = routeTypeCode(m.type);
  if ((m.type !== 'unicast' || o.details) && (!f.typemask || f.typemask & (1 << code))) {
    const t = rtntypeN2a(m.type, o.numeric, code);
    p.any('type', `${t} `, t);
  }
  const dst = m.dst !== undefined ? (m.dstLen !== hostLen ? `${m.dst}/${m.dstLen}` : m.dst) : m.dstLen ? `0/${m.dstLen} ` : 'default';
  p.any('dst', `${dst} `, dst);
  if (m.src !== undefined) {
    const s = m.srcLen !== hostLen ? `${m.src}/${m.srcLen}` : m.src;
    p.any('from', `from ${s} `, s);
  }
  if (m.tos && !f.tosmask) {
    const t = dsfieldN2a(m.tos, o.numeric);
    p.any('tos', `tos ${t} `, t);
  }
  if (m.gateway !== undefined && f.viaBitlen !== hostLen) p.any('gateway', `via ${m.gateway} `, m.gateway);
  if (m.dev !== undefined && !f.oifmask) p.any('dev', `dev ${m.dev} `, m.dev);
  if (m.table && (m.table !== RT_TABLE_MAIN || o.details) && !f.tb) {
    const t = tableN2a(m.table, o.numeric);
    p.any('table', `table ${t} `, t);
  }
  if (!cloned) {
    if ((m.protocol !== RTPROT_BOOT || o.details) && !f.protocolmask) {
      const t = protoN2a(m.protocol, o.numeric);
      p.any('protocol', `proto ${t} `, t);
    }
    if ((m.scope !== RT_SCOPE_UNIVERSE || o.details) && !f.scopemask) {
      const t = scopeN2a(m.scope, o.numeric);
      p.any('scope', `scope ${t} `, t);
    }
  }
  if (m.prefsrc !== undefined && f.prefsrcBitlen !== hostLen) p.any('prefsrc', `src ${m.prefsrc} `, m.prefsrc);
  if (m.priority !== undefined && !f.metricmask) p.any('metric', `metric ${m.priority} `, m.priority);
  printRtFlags(p, m.flags);
  if (m.mark) {
    if (p.jw) p.js('mark', m.mark);
    else p.fp(m.mark >= 16 ? `mark 0x${m.mark.toString(16)} ` : `mark ${m.mark} `);
  }
  if (m.realms && !f.realmsAll) printFlow(p, m.realms, o.numeric);
  if (m.uid !== undefined) p.any('uid', `uid ${m.uid} `, m.uid);
  if (m.family === 'inet') {
    if (cloned) printCacheFlags(p, m.flags);
    if (m.cacheinfo?.expires !== undefined) p.any('expires', `expires ${m.cacheinfo.expires}sec `, m.cacheinfo.expires);
    if (m.cacheinfo && o.stats) p.any('users', `users ${m.cacheinfo.users} `, m.cacheinfo.users);
  }
  printMetrics(p, m);
  if (m.iif !== undefined && !f.iifmask) p.any('iif', `iif ${m.iif} `, m.iif);
  if (m.pref !== undefined) p.any('pref', `pref ${m.pref}`, m.pref);
  p.fp('\n');
  p.closeObject();
}

