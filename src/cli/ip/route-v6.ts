// The IPv6 routes the kernel makes for the addresses nslab has (addrconf): a prefix route per
// address in main (fe80::/64 for a link-local), a local route per address once DAD is done, and
// ff00::/8 per device with IPv6 running — listed as an IPv6 route dump lists them.
import { IFF_LOOPBACK } from '../../kernel/device.ts';
import { IFA_F_NOPREFIXROUTE, IFA_F_TENTATIVE, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_KERNEL, type RouteType } from '../../kernel/ipv4/constants.ts';
import { formatIpv6 } from '../../kernel/ipv6/addrconf.ts';
import type { NetNs } from '../../kernel/netns.ts';
import type { RouteMsg } from './route-print.ts';

interface V6Route {
  table: number;
  type: RouteType;
  dst: Uint8Array;
  len: number;
  dev: string;
  metric: number;
  order: number;
}

function masked(a: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, len - 8 * i));
    out[i] = a[i] & (bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** fib6 tree walk order: by address, a covering prefix after what it covers. */
function compare(a: V6Route, b: V6Route): number {
  for (let i = 0; i < 16; i++) if (a.dst[i] !== b.dst[i]) return a.dst[i] - b.dst[i];
  return b.len - a.len || a.metric - b.metric || a.order - b.order;
}

/** The IPv6 routes in dump order: main, then local. */
export function ipv6RouteMsgs(ns: NetNs): RouteMsg[] {
  const routes: V6Route[] = [];
  let order = 0;
  const mcast = new Uint8Array(16);
  mcast[0] = 0xff;
  for (const dev of ns.deviceList()) {
    const addrs = ns.addrconf.list(dev);
    if (!addrs.length) continue;
    const lo = (dev.flags & IFF_LOOPBACK) !== 0;
    for (const a of addrs) {
      if (!lo && a.prefixlen < 128 && !(a.flags & IFA_F_NOPREFIXROUTE)) {
        routes.push({ table: RT_TABLE_MAIN, type: 'unicast', dst: masked(a.addr, a.prefixlen), len: a.prefixlen, dev: dev.name, metric: 256, order: order++ });
      }
      if (!(a.flags & IFA_F_TENTATIVE)) {
        routes.push({ table: RT_TABLE_LOCAL, type: 'local', dst: a.addr, len: 128, dev: lo ? 'lo' : dev.name, metric: 0, order: order++ });
      }
    }
    if (!lo) routes.push({ table: RT_TABLE_LOCAL, type: 'multicast', dst: mcast, len: 8, dev: dev.name, metric: 256, order: order++ });
  }
  const sorted = [...routes.filter((r) => r.table === RT_TABLE_MAIN).sort(compare), ...routes.filter((r) => r.table === RT_TABLE_LOCAL).sort(compare)];
  return sorted.map((r) => ({
    family: 'inet6', type: r.type, dst: formatIpv6(r.dst), dstLen: r.len, src: undefined, srcLen: 0, tos: 0, table: r.table,
    protocol: RTPROT_KERNEL, scope: RT_SCOPE_UNIVERSE, flags: 0, gateway: undefined, dev: r.dev, prefsrc: undefined,
    priority: r.metric, metrics: new Map(), metricsLock: 0, realms: 0, mark: undefined, uid: undefined, iif: undefined, cacheinfo: undefined,
    pref: 'medium', dst4: 0, src4: 0, gateway4: 0, prefsrc4: 0, oif: ns.device(r.dev)?.ifindex ?? 0,
  }));
}
