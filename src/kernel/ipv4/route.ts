// Route changes from userspace (`ip route add/del/replace/change/append/prepend`) with the
// kernel's checks and extended-ack texts (net/ipv4/fib_frontend.c, fib_semantics.c, fib_trie.c).
import { prefixMask } from '../../wire/addr.ts';
import type { NetDevice } from '../device.ts';
import { EINVAL, ENETDOWN, ENODEV, ESRCH, EEXIST, ENOENT, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import {
  LOOPBACK_IFINDEX, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_TABLE_MAIN, RT_TABLE_UNSPEC, type RouteType,
} from './constants.ts';
import {
  IP_MAX_MTU, REJECT_TYPES, RTNH_F_ONLINK, minScopeOf, newRoute, type FibRoute, type InsertMode,
} from './fib.ts';
import { fibLookup, inetAddrType } from './route-lookup.ts';

export type RouteChangeMode = InsertMode;

/** What `ip route add` sends (an rtmsg with its attributes): a route's fields, plus `onlink`. */
export type RouteSpec = Pick<FibRoute, 'table' | 'type' | 'dst' | 'len' | 'tos' | 'priority' | 'protocol' | 'scope' | 'prefsrc' | 'gateway' | 'dev' | 'metrics'> & {
  onlink: boolean;
  metricsLock?: number;
  realms?: number;
};

function checkKey(dst: number, len: number): void {
  if (len > 32) throw new KernelError(EINVAL, 'Invalid prefix length');
  if (((dst & prefixMask(len)) >>> 0) !== dst >>> 0) throw new KernelError(EINVAL, 'Invalid prefix for given prefix length');
}

/** fib_check_nh_v4_gw: where the gateway is reachable from, and the next hop's scope. */
function checkGateway(ns: NetNs, spec: RouteSpec): { dev: NetDevice; nhScope: number } {
  const invalid = (): never => { throw new KernelError(EINVAL, 'Nexthop has invalid gateway'); };
  if (spec.onlink) {
    if (spec.scope >= RT_SCOPE_LINK) throw new KernelError(EINVAL, 'Nexthop has invalid scope');
    if (!spec.dev) throw new KernelError(ENODEV, 'Nexthop device required for onlink');
    if (!spec.dev.up) throw new KernelError(ENETDOWN, 'Nexthop device is not up');
    if (inetAddrType(ns, spec.gateway) !== 'unicast') invalid();
    return { dev: spec.dev, nhScope: RT_SCOPE_LINK };
  }
  const flow = {
    src: 0, dst: spec.gateway, tos: 0, mark: 0, iif: LOOPBACK_IFINDEX, oif: spec.dev?.ifindex ?? 0,
    scope: Math.max(spec.scope + 1, RT_SCOPE_LINK),
  };
  let res;
  const tbl = spec.table && spec.table !== RT_TABLE_MAIN ? ns.ipv4.table(spec.table, false) : undefined;
  if (tbl) {
    const r = tbl.lookup(flow, (fa) => !flow.oif || fa.dev?.ifindex === flow.oif);
    if (r && !REJECT_TYPES.has(r.type)) res = r;
  }
  if (!res) {
    try {
      res = fibLookup(ns, flow, true);
    } catch {
      return invalid();
    }
  }
  if (res.type !== 'unicast' && res.type !== 'local') invalid();
  const dev = res.route.dev;
  if (!dev) throw new KernelError(EINVAL, 'No egress device for nexthop gateway');
  if (!dev.up) throw new KernelError(ENETDOWN);
  return { dev, nhScope: res.scope };
}

/** fib_valid_prefsrc: the preferred source must be a local address (or the local route's own key). */
function validPrefsrc(ns: NetNs, spec: RouteSpec): boolean {
  if (spec.type === 'local' && spec.dst && spec.prefsrc === spec.dst) return true;
  return inetAddrType(ns, spec.prefsrc) === 'local';
}

/** fib_create_info: the route as the kernel would store it, or the kernel's error. */
function createInfo(ns: NetNs, spec: RouteSpec): FibRoute {
  if (minScopeOf(spec.type) > spec.scope) throw new KernelError(EINVAL, 'Invalid scope');
  const metrics = new Map(spec.metrics);
  const mtu = metrics.get('mtu');
  if (mtu !== undefined && mtu > IP_MAX_MTU) metrics.set('mtu', IP_MAX_MTU);
  const hop = metrics.get('hoplimit');
  if (hop !== undefined && hop > 255) metrics.set('hoplimit', 255);
  const route = newRoute({
    table: spec.table, type: spec.type, dst: spec.dst, len: spec.len, tos: spec.tos, priority: spec.priority,
    protocol: spec.protocol, scope: spec.scope, prefsrc: spec.prefsrc, gateway: spec.gateway, dev: spec.dev,
    nhFlags: spec.onlink ? RTNH_F_ONLINK : 0, metrics, metricsLock: spec.metricsLock ?? 0, realms: spec.realms ?? 0,
  });
  if (REJECT_TYPES.has(spec.type)) {
    if (spec.gateway || spec.dev) {
      throw new KernelError(EINVAL, 'Gateway, device and multipath can not be specified for this route type');
    }
    route.nhScope = RT_SCOPE_NOWHERE;
    return route;
  }
  if (!['unicast', 'local', 'broadcast', 'anycast', 'multicast'].includes(spec.type)) {
    throw new KernelError(EINVAL, 'Invalid route type');
  }
  if (spec.scope > RT_SCOPE_HOST) throw new KernelError(EINVAL, 'Invalid scope');
  if (spec.scope === RT_SCOPE_HOST) {
    if (spec.gateway) throw new KernelError(EINVAL, 'Route with host scope can not have a gateway');
    if (!spec.dev) throw new KernelError(ENODEV);
    route.nhScope = RT_SCOPE_NOWHERE;
  } else if (spec.gateway) {
    const nh = checkGateway(ns, spec);
    route.dev = nh.dev;
    route.nhScope = nh.nhScope;
  } else {
    // fib_check_nh_nongw.
    if (spec.onlink) throw new KernelError(EINVAL, 'Invalid flags for nexthop - PERVASIVE and ONLINK can not be set');
    if (!spec.dev) throw new KernelError(ENODEV);
    if (!spec.dev.up) throw new KernelError(ENETDOWN, 'Device for nexthop is not up');
    route.nhScope = RT_SCOPE_HOST;
  }
  if (spec.prefsrc && !validPrefsrc(ns, spec)) throw new KernelError(EINVAL, 'Invalid prefsrc address');
  return route;
}

/** inet_rtm_newroute: the table is made first (and stays even when the route is refused). */
export function addRoute(ns: NetNs, spec: RouteSpec, mode: RouteChangeMode): FibRoute {
  if (spec.tos & 0x03) throw new KernelError(EINVAL, 'Invalid dsfield (tos): ECN bits must be 0');
  const table = ns.ipv4.table(spec.table || RT_TABLE_MAIN, true);
  checkKey(spec.dst, spec.len);
  const route = createInfo(ns, { ...spec, table: table.id });
  const err = table.insertMode(route, mode);
  if (err === 'EEXIST') throw new KernelError(EEXIST);
  if (err === 'ENOENT') throw new KernelError(ENOENT);
  if (spec.type === 'local') ns.ipv4.customLocalRoutes = true;
  ns.ipv4.routesChanged();
  return route;
}

/** What `ip route del` gave: fields left out (undefined) match anything. */
export interface RouteMatch {
  table: number;
  dst: number;
  len: number;
  tos: number;
  type?: RouteType;
  /** RT_SCOPE_NOWHERE (or undefined) matches any scope. */
  scope?: number;
  protocol?: number;
  prefsrc?: number;
  priority?: number;
  gateway?: number;
  dev?: NetDevice;
  metrics?: Map<string, number>;
  realms?: number;
}

/** fib_table_delete: the first alias of the prefix (same TOS) matching what was given. */
export function routeMatches(r: FibRoute, m: RouteMatch): boolean {
  return (!m.type || m.type === 'unspec' || r.type === m.type) &&
    (m.scope === undefined || m.scope === RT_SCOPE_NOWHERE || r.scope === m.scope) &&
    (!m.prefsrc || r.prefsrc === m.prefsrc) &&
    (!m.protocol || r.protocol === m.protocol) &&
    (!m.priority || r.priority === m.priority) &&
    (!m.dev || r.dev === m.dev) &&
    (!m.gateway || r.gateway === m.gateway) &&
    (!(m.dev || m.gateway) || !m.realms || r.realms === m.realms) &&
    (!m.metrics || [...m.metrics].every(([k, v]) => r.metrics.get(k) === v));
}

export function delRoute(ns: NetNs, m: RouteMatch): FibRoute {
  const t = ns.ipv4.table(m.table || RT_TABLE_MAIN, false);
  if (!t) throw new KernelError(ESRCH, 'FIB table does not exist');
  checkKey(m.dst, m.len);
  const r = t.find(m.dst, m.len).find((x) => x.tos === m.tos && routeMatches(x, m));
  if (!r) throw new KernelError(ESRCH);
  t.remove(r);
  ns.ipv4.routesChanged();
  return r;
}

/** The match that deletes exactly `r` (what `ip route flush` sends back for each dumped route). */
export function matchOf(r: FibRoute): RouteMatch {
  return {
    table: r.table, dst: r.dst, len: r.len, tos: r.tos, type: r.type, scope: r.scope, protocol: r.protocol,
    prefsrc: r.prefsrc, priority: r.priority, gateway: r.gateway, dev: r.dev,
  };
}

/** fib_empty_table: the first table id not in use (for rules asking for table 0). */
export function emptyTable(ns: NetNs): number {
  let id = RT_TABLE_UNSPEC + 1;
  while (ns.ipv4.table(id, false)) id++;
  ns.ipv4.table(id, true);
  return id;
}
