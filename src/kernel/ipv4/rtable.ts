// Route resolution (net/ipv4/route.c): the route a locally generated packet takes
// (ip_route_output_key_hash_rcu, __mkroute_output) and the one a received packet takes
// (ip_route_input_rcu, ip_route_input_slow, __mkroute_input), as struct rtable.
import { IFF_LOOPBACK, type NetDevice } from '../device.ts';
import { EHOSTUNREACH, EINVAL, ENETUNREACH, ENODEV, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import {
  LOOPBACK_IFINDEX, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RTCF_BROADCAST, RTCF_DOREDIRECT, RTCF_LOCAL,
  RTCF_MULTICAST, isLbcast, isLocalMulticast, isLoopback, isMulticast, isZeronet, type RouteType,
} from './constants.ts';
import type { FibResult } from './fib.ts';
import type { Neighbour } from './neigh.ts';
import { fibLookup, inetSelectAddr, ipDevFind, resultPrefsrc, routeLocalnet } from './route-lookup.ts';

/** struct rtable: where a packet goes and how. */
export interface Rtable {
  input: boolean;
  type: RouteType;
  /** RTCF_* flags (RTCF_DOREDIRECT when a redirect would be sent). */
  flags: number;
  /** dst.dev: the output device (lo for local delivery). */
  dev: NetDevice;
  /** The next hop when it is a gateway (rt_uses_gateway), else 0. */
  gateway: number;
  /** Output routes: the source address chosen (fl4.saddr). */
  src: number;
  /** Input routes: the receiving device's ifindex. */
  iif: number;
  /** dst.error: an input route that ends in ip_error (ENETUNREACH, EHOSTUNREACH, EACCES). */
  error: number;
  /** The table the route came from (0 when none was used). */
  table: number;
  /** The FIB entry used, if any (`ip route get fibmatch`). */
  fib: FibResult | undefined;
  metrics: Map<string, number>;
  metricsLock: number;
  /** dst.tclassid: the next hop's realms. */
  realms: number;
  /** The `mtu` metric, 0 when none (read per packet: no Map lookup on the packet path). */
  mtu: number;
  /** The gateway's neighbour entry as last looked up (dst->neighbour), valid while the
   * neighbour table's generation is `neighGen`. */
  neigh: Neighbour | undefined;
  neighGen: number;
}

export interface OutputRequest {
  dst: number;
  src?: number;
  tos?: number;
  oif?: number;
  mark?: number;
  uid?: number;
  proto?: number;
  sport?: number;
  dport?: number;
}

function isLo(dev: NetDevice): boolean {
  return (dev.flags & IFF_LOOPBACK) !== 0;
}

function dscpOf(tos: number | undefined): number {
  return (tos ?? 0) & 0xfc;
}

/** rt_set_nexthop + the rest of rt_dst_alloc's fields. */
function makeRt(res: FibResult | undefined, withNexthop: boolean, fields: Pick<Rtable, 'input' | 'type' | 'flags' | 'dev' | 'src' | 'iif'>): Rtable {
  const fi = withNexthop ? res?.route : undefined;
  // Every field written out in one order (no spread): all routes share one hidden class, so
  // the packet path's property reads stay monomorphic.
  return {
    input: fields.input,
    type: fields.type,
    flags: fields.flags,
    dev: fields.dev,
    src: fields.src,
    iif: fields.iif,
    gateway: fi && fi.gateway && fi.nhScope === RT_SCOPE_LINK ? fi.gateway : 0,
    error: 0,
    table: res?.table ?? 0,
    fib: res,
    metrics: fi ? fi.metrics : new Map(),
    metricsLock: fi ? fi.metricsLock : 0,
    realms: fi ? fi.realms : 0,
    mtu: fi ? fi.metrics.get('mtu') ?? 0 : 0,
    neigh: undefined,
    neighGen: -1,
  };
}

/** __mkroute_output. */
function mkrouteOutput(ns: NetNs, res: FibResult | undefined, type: RouteType, dst: number, src: number, origOif: number, dev: NetDevice, flags: number): Rtable {
  if (isLoopback(src) && !isLo(dev) && !routeLocalnet(ns, dev)) throw new KernelError(EINVAL);
  let withNh = true;
  if (isLbcast(dst)) {
    type = 'broadcast';
    withNh = false;
  } else if (isMulticast(dst)) {
    type = 'multicast';
  } else if (isZeronet(dst)) {
    throw new KernelError(EINVAL);
  }
  if (isLo(dev)) flags |= RTCF_LOCAL;
  if (type === 'broadcast') {
    flags |= RTCF_BROADCAST | RTCF_LOCAL;
  } else if (type === 'multicast') {
    flags |= RTCF_MULTICAST | RTCF_LOCAL;
    if (!ns.ipv4.mcJoined(dev, dst)) flags &= ~RTCF_LOCAL;
    if (res && res.prefixlen < 4) withNh = false;
  }
  return makeRt(res, withNh, { input: false, type, flags: flags >>> 0, dev, src, iif: origOif });
}

/** ip_route_output_key_hash_rcu (what `ip route get ADDR [from] [oif] [mark] [tos]` asks). */
export function routeOutput(ns: NetNs, req: OutputRequest): Rtable {
  let src = req.src ?? 0;
  let dst = req.dst;
  let oif = req.oif ?? 0;
  const origOif = oif;
  let dev: NetDevice | undefined;
  const flow = () => ({
    src, dst, tos: dscpOf(req.tos), mark: req.mark ?? 0, iif: LOOPBACK_IFINDEX, oif, uid: req.uid ?? 0,
    proto: req.proto, sport: req.sport, dport: req.dport, scope: RT_SCOPE_UNIVERSE,
  });
  if (src) {
    if (isMulticast(src) || isLbcast(src) || isZeronet(src)) throw new KernelError(EINVAL);
    if (!oif && (isMulticast(dst) || isLbcast(dst))) {
      dev = ipDevFind(ns, src);
      if (!dev) throw new KernelError(ENETUNREACH);
      return mkrouteOutput(ns, undefined, 'unspec', dst, src, origOif, dev, 0);
    }
    if (!ipDevFind(ns, src)) throw new KernelError(ENETUNREACH);
  }
  if (oif) {
    dev = ns.deviceByIndex(oif);
    if (!dev) throw new KernelError(ENODEV);
    if (!dev.up) throw new KernelError(ENETUNREACH);
    if (isLocalMulticast(dst) || isLbcast(dst)) {
      if (!src) src = inetSelectAddr(ns, dev, 0, RT_SCOPE_LINK);
      return mkrouteOutput(ns, undefined, 'unspec', dst, src, origOif, dev, 0);
    }
    if (!src) {
      if (isMulticast(dst)) src = inetSelectAddr(ns, dev, 0, RT_SCOPE_UNIVERSE);
      else if (!dst) src = inetSelectAddr(ns, dev, 0, RT_SCOPE_HOST);
    }
  }
  if (!dst) {
    dst = src;
    if (!dst) dst = src = 0x7f000001;
    return mkrouteOutput(ns, undefined, 'local', dst, src, origOif, ns.lo, RTCF_LOCAL);
  }
  let res: FibResult;
  try {
    res = fibLookup(ns, flow());
  } catch (e) {
    if (oif && dev) {
      // No route but an interface was given: assume the destination is on link.
      if (!src) src = inetSelectAddr(ns, dev, 0, RT_SCOPE_LINK);
      return mkrouteOutput(ns, undefined, 'unicast', dst, src, origOif, dev, 0);
    }
    throw e;
  }
  if (res.type === 'local') {
    if (!src) src = res.route.prefsrc || dst;
    return mkrouteOutput(ns, res, 'local', dst, src, res.route.dev?.ifindex ?? origOif, ns.lo, RTCF_LOCAL);
  }
  // fib_select_path: the source from the route when none was asked for.
  if (!src) src = resultPrefsrc(ns, res);
  return mkrouteOutput(ns, res, res.type, dst, src, origOif, res.route.dev ?? ns.lo, 0);
}

export interface InputRequest {
  dst: number;
  src: number;
  tos?: number;
  /** The receiving device. */
  dev: NetDevice;
  mark?: number;
  proto?: number;
}

function conf(ns: NetNs, dev: NetDevice, key: string): number {
  return ns.sysctl.conf4(dev.name, key);
}

function confAll(ns: NetNs, key: string): number {
  return ns.sysctl.conf4('all', key);
}

/** IN_DEV_RPFILTER etc.: the larger of conf/all and the device's value. */
function maxConf(ns: NetNs, dev: NetDevice, key: string): number {
  return Math.max(confAll(ns, key), conf(ns, dev, key));
}

function orConf(ns: NetNs, dev: NetDevice, key: string): boolean {
  return confAll(ns, key) !== 0 || conf(ns, dev, key) !== 0;
}

/**
 * fib_validate_source: whether a packet from `src` may arrive on `dev`. Returns 1 when the
 * source is directly connected (which makes redirects possible), 0 when acceptable; throws
 * EINVAL (a martian source, or a reverse-path failure).
 */
export function validateSource(ns: NetNs, src: number, dst: number, tos: number, oif: number, dev: NetDevice, mark: number): number {
  const rpf = maxConf(ns, dev, 'rp_filter');
  const accept = orConf(ns, dev, 'accept_local');
  if (!rpf && (dev.ifindex !== oif || !orConf(ns, dev, 'send_redirects'))) {
    if (accept) return 0;
    if (!ns.ipv4.customLocalRoutes && !ns.ipv4.rules.custom) {
      if (ipDevFind(ns, src)) throw new KernelError(EINVAL);
      return 0;
    }
  }
  const flow = {
    src: dst, dst: src, tos, mark: orConf(ns, dev, 'src_valid_mark') ? mark : 0, iif: oif || LOOPBACK_IFINDEX, oif: 0, scope: RT_SCOPE_UNIVERSE,
  };
  const lastResort = (): number => {
    if (rpf) throw new KernelError(EINVAL);
    return 0;
  };
  let res: FibResult;
  try {
    res = fibLookup(ns, flow);
  } catch {
    return lastResort();
  }
  if (res.type !== 'unicast' && (res.type !== 'local' || !accept)) throw new KernelError(EINVAL);
  if (res.route.dev === dev || (res.type === 'local' && isLo(dev))) return res.route.nhScope >= RT_SCOPE_HOST ? 1 : 0;
  if (ns.ipv4.devinet.list(dev).length === 0) return lastResort();
  if (rpf === 1) throw new KernelError(EINVAL);
  try {
    const r2 = fibLookup(ns, { ...flow, oif: dev.ifindex }, true);
    return r2.type === 'unicast' && r2.route.nhScope >= RT_SCOPE_HOST ? 1 : 0;
  } catch {
    return 0;
  }
}

/**
 * ip_route_input_rcu: the route of a received packet. Throws EINVAL for packets the kernel
 * drops outright (martians, unjoined multicast); an unroutable packet gets a route whose
 * `error` says what ip_error reports (EHOSTUNREACH with forwarding off).
 */
export function routeInput(ns: NetNs, req: InputRequest): Rtable {
  const { dst, src, dev } = req;
  const tos = dscpOf(req.tos);
  const mark = req.mark ?? 0;
  const base = { input: true, src: 0, iif: dev.ifindex };
  if (isMulticast(dst)) {
    // ip_check_mc_rcu: only a joined group is ours (IGMP to it, whatever its source filter).
    const our = ns.ipv4.mcJoined(dev, dst);
    if (!our) throw new KernelError(EINVAL);
    // ip_route_input_mc: ip_mc_validate_source.
    if (isMulticast(src) || isLbcast(src) || (isLoopback(src) && !routeLocalnet(ns, dev))) throw new KernelError(EINVAL);
    if (isZeronet(src)) {
      if (!isLocalMulticast(dst) && req.proto !== 2) throw new KernelError(EINVAL);
    } else {
      validateSource(ns, src, 0, tos, 0, dev, mark);
    }
    return makeRt(undefined, false, { ...base, type: 'multicast', flags: (RTCF_MULTICAST | RTCF_LOCAL) >>> 0, dev: ns.lo });
  }
  if (isMulticast(src) || isLbcast(src)) throw new KernelError(EINVAL);
  const brdInput = (res: FibResult | undefined): Rtable => {
    if (!isZeronet(src)) validateSource(ns, src, 0, tos, 0, dev, mark);
    return makeRt(res, false, { ...base, type: 'broadcast', flags: (RTCF_BROADCAST | RTCF_LOCAL) >>> 0, dev: ns.lo });
  };
  if (isLbcast(dst) || (src === 0 && dst === 0)) return brdInput(undefined);
  if (isZeronet(src) || isZeronet(dst)) throw new KernelError(EINVAL);
  if ((isLoopback(dst) || isLoopback(src)) && !routeLocalnet(ns, dev)) throw new KernelError(EINVAL);
  const forwarding = conf(ns, dev, 'forwarding') !== 0;
  const noRoute = (err: number): Rtable => {
    const rt = makeRt(undefined, false, { ...base, type: 'unreachable', flags: 0, dev: ns.lo });
    rt.error = err;
    return rt;
  };
  let res: FibResult;
  try {
    res = fibLookup(ns, { src, dst, tos, mark, iif: dev.ifindex, oif: 0, scope: RT_SCOPE_UNIVERSE, proto: req.proto });
  } catch (e) {
    const errno = e instanceof KernelError ? e.errno : ENETUNREACH;
    return noRoute(forwarding ? errno : EHOSTUNREACH);
  }
  if (res.type === 'broadcast') {
    if (conf(ns, dev, 'bc_forwarding') && confAll(ns, 'bc_forwarding')) return forwardRoute(ns, res, req, tos, mark);
    return brdInput(res);
  }
  if (res.type === 'local') {
    validateSource(ns, src, dst, tos, 0, dev, mark);
    return makeRt(res, false, { ...base, type: 'local', flags: RTCF_LOCAL >>> 0, dev: ns.lo });
  }
  if (!forwarding) return noRoute(EHOSTUNREACH);
  if (res.type !== 'unicast') throw new KernelError(EINVAL);
  return forwardRoute(ns, res, req, tos, mark);
}

/** __mkroute_input: a route that forwards the packet out of the next hop's device. */
function forwardRoute(ns: NetNs, res: FibResult, req: InputRequest, tos: number, mark: number): Rtable {
  const out = res.route.dev ?? ns.lo;
  const direct = validateSource(ns, req.src, req.dst, tos, out.ifindex, req.dev, mark);
  let flags = 0;
  if (out === req.dev && direct && orConf(ns, out, 'send_redirects') &&
    (orConf(ns, out, 'shared_media') || onlink(ns, out, req.src, res.route.gateway))) {
    flags |= RTCF_DOREDIRECT;
  }
  return makeRt(res, true, { input: true, type: res.type, flags, dev: out, src: 0, iif: req.dev.ifindex });
}

/** inet_addr_onlink: both addresses on a subnet of one of the device's addresses. */
function onlink(ns: NetNs, dev: NetDevice, a: number, b: number): boolean {
  return ns.ipv4.devinet.list(dev).some((ifa) => {
    const mask = ifa.prefixlen === 0 ? 0 : (~0 << (32 - ifa.prefixlen)) >>> 0;
    return ((a ^ ifa.address) & mask) === 0 && (!b || ((b ^ ifa.address) & mask) === 0);
  });
}
