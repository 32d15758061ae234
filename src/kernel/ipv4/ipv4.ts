// A namespace's IPv4 state: addresses, routing tables, policy rules, neighbours, and what
// happens to them as devices come and go.
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import { RT_SCOPE_NOWHERE, RT_TABLE_LOCAL, RT_TABLE_MAIN } from './constants.ts';
import { Devinet } from './devinet.ts';
import { FibTable, REJECT_TYPES, RTNH_F_LINKDOWN, type FibRoute } from './fib.ts';
import { NeighTable } from './neigh.ts';
import { RuleList } from './rules.ts';

/** 224.0.0.1: every IPv4 device that is up has joined it (ip_mc_up). */
export const IGMP_ALL_HOSTS = 0xe0000001;

export class Ipv4 {
  readonly devinet: Devinet;
  /** Tables that exist (fib_new_table makes them on first use; none in a new namespace). */
  readonly tables = new Map<number, FibTable>();
  readonly rules: RuleList;
  readonly neigh: NeighTable;
  /** fib_has_custom_local_routes: a `local` route was added from userspace. */
  customLocalRoutes = false;
  /** Multicast groups joined on a device besides 224.0.0.1 (IGMP state lives with the data plane). */
  readonly mcGroups = new Map<NetDevice, Set<number>>();
  /** Bumped on any route or rule change (lookup caches rebuild). */
  generation = 0;

  constructor(readonly ns: NetNs) {
    this.devinet = new Devinet(this);
    this.rules = new RuleList(ns);
    this.neigh = new NeighTable(ns);
  }

  /**
   * The table with this id; created when `create` (fib_new_table). Without custom rules the
   * local table is an alias of main's trie, so making local makes main too.
   */
  table(id: number, create: true): FibTable;
  table(id: number, create: boolean): FibTable | undefined;
  table(id: number, create: boolean): FibTable | undefined {
    let t = this.tables.get(id);
    if (!t && create) {
      if (id === RT_TABLE_LOCAL && !this.rules.custom) this.table(RT_TABLE_MAIN, true);
      t = new FibTable(id);
      this.tables.set(id, t);
    }
    return t;
  }

  /**
   * Table ids in dump order: the kernel walks its table hash (id & 255), and each bucket from
   * the newest table to the oldest.
   */
  tableIds(): number[] {
    const ids = [...this.tables.keys()];
    return ids.map((id, i) => ({ id, i })).sort((a, b) => (a.id & 255) - (b.id & 255) || b.i - a.i).map((x) => x.id);
  }

  routesChanged(): void {
    this.generation++;
  }

  /** RTNH_F_LINKDOWN: the next hop's device has no carrier (host-scope next hops never do). */
  linkdown(r: FibRoute): boolean {
    return r.dev !== undefined && !r.dev.carrier && r.nhScope !== RT_SCOPE_NOWHERE && !REJECT_TYPES.has(r.type);
  }

  nhFlags(r: FibRoute): number {
    return r.nhFlags | (this.linkdown(r) ? RTNH_F_LINKDOWN : 0);
  }

  /** ip_check_mc_rcu: has the device joined this group? */
  mcJoined(dev: NetDevice, group: number): boolean {
    if (!dev.up) return false;
    return group === IGMP_ALL_HOSTS || (this.mcGroups.get(dev)?.has(group) ?? false);
  }

  /** NETDEV_UP: addresses' routes come back. */
  devUp(dev: NetDevice): void {
    this.devinet.devUp(dev);
  }

  /**
   * NETDEV_DOWN (fib_sync_down_dev + fib_flush, arp_ifdown): routes whose next hop uses the
   * device die, except host-scope ones (the `local` routes of its addresses stay); every
   * neighbour on it goes, permanent ones included.
   */
  devDown(dev: NetDevice): void {
    this.neigh.flushDev(dev, false);
    for (const t of this.tables.values()) t.removeWhere((r) => r.dev === dev && r.nhScope !== RT_SCOPE_NOWHERE);
    this.routesChanged();
  }

  /** NETDEV_CHANGE with the carrier gone (neigh_carrier_down): neighbours but permanent ones go. */
  carrierDown(dev: NetDevice): void {
    // IN_DEV_ARP_EVICT_NOCARRIER: conf/all and the device's both on.
    const on = (k: string) => this.ns.sysctl.get(`net.ipv4.conf.${k}.arp_evict_nocarrier`) !== '0';
    if (!dev.carrier && on('all') && on(dev.name)) this.neigh.flushDev(dev, true);
    this.routesChanged();
  }

  /** NETDEV_UNREGISTER: the device and all its addresses and routes go. */
  devGone(dev: NetDevice): void {
    this.neigh.flushDev(dev, false);
    this.neigh.dropProxies(dev);
    this.devinet.devGone(dev);
    for (const t of this.tables.values()) t.removeWhere((r) => r.dev === dev);
    this.mcGroups.delete(dev);
    this.routesChanged();
  }
}
