// A network namespace: its own devices (ifindex space), IPv4 state, sysctls and the ids it
// gives other namespaces (nsids).
import {
  IFF_ALLMULTI, IFF_DEBUG, IFF_LOOPBACK, IFF_MULTICAST, IFF_NOARP, IFF_NOTRAILERS, IFF_PROMISC, IFF_UP, type NetDevice,
  type NetdevEvent,
} from './device.ts';

const IFF_PORTSEL = 0x2000;
const IFF_AUTOMEDIA = 0x4000;
const IFF_DYNAMIC = 0x8000;
import { EEXIST, EINVAL, ENODEV, EOPNOTSUPP, KernelError } from './errors.ts';
import { Ipv4 } from './ipv4/ipv4.ts';
import { Ipv4Stack } from './ipv4/stack.ts';
import { icmpSendError } from './ipv4/icmp.ts';
import { UdpTable } from './ipv4/udp-socket.ts';
import { NetfilterState } from './netfilter/index.ts';
import { flushQueue, invalidated, solicit } from './ipv4/arp.ts';
import { Addrconf } from './ipv6/addrconf.ts';
import { Loopback } from './loopback.ts';
import { Sysctls } from './sysctl.ts';
import type { World } from './world.ts';
import { type CtTable, jiffiesOf } from './netfilter/conntrack.ts';

export const IFNAMSIZ = 16;

export class NetNs {
  readonly devices = new Map<number, NetDevice>();
  readonly byName = new Map<string, NetDevice>();
  readonly sysctl = new Sysctls();
  readonly ipv4: Ipv4;
  /** The IPv4 packet path's state (counters, IDs, rate limits, queues, sockets). */
  readonly inet: Ipv4Stack;
  /** The UDP sockets, by local port. */
  readonly udp = new UdpTable();
  /** iptables' tables of the namespace. */
  readonly netfilter = new NetfilterState();
  /** The IPv6 addresses the kernel configures by itself (::1, link-locals). */
  readonly addrconf: Addrconf;
  readonly lo: Loopback;
  /** Ids this namespace gives to other namespaces (peernet2id), allocated on first need. */
  readonly nsids = new NsidMap();
  /** net->ifindex: where the cyclic ifindex allocation resumes. */
  private nextIfindex = 1;

  constructor(readonly world: World, readonly name: string) {
    this.ipv4 = new Ipv4(this);
    this.inet = new Ipv4Stack(this);
    // ip_expire: a datagram not completed in time gets "fragment reassembly time exceeded" back,
    // quoting its first fragment (when that one came).
    this.inet.reasmTimedOut = (first) => {
      if (first >= 0) icmpSendError(this, first, 11, 1, 0);
    };
    this.ipv4.neigh.solicit = (n) => solicit(this, n);
    this.ipv4.neigh.invalidated = (n) => invalidated(this, n);
    this.ipv4.neigh.validated = (n) => flushQueue(this, n);
    this.addrconf = new Addrconf(this);
    this.sysctl.onGet('net.netfilter.nf_conntrack_count', () => {
      const ct = this.netfilter.conntrack as CtTable | undefined;
      if (ct === undefined) return '0';
      ct.gc(jiffiesOf(this.world.now()));
      return String(ct.count);
    });
    // nf_conntrack_max and _buckets are the kernel's global values: another namespace reads the
    // initial one's (and may not write them).
    const host = this.world.host as NetNs | undefined;
    if (host !== undefined) {
      for (const key of ['net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets']) {
        this.sysctl.onGet(key, () => host.sysctl.get(key) ?? '0');
      }
    }
    this.sysctl.onSet(/^net\.ipv4\.(ip_forward|conf\.all\.forwarding)$/, (k, v) => this.setForwarding(k, v));
    this.sysctl.onSet(/^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/, (k, v) => this.setDisableIpv6(k, v));
    this.lo = new Loopback(this);
    this.register(this.lo);
  }

  /**
   * ip_forward and conf.all.forwarding (one variable in the kernel) fan out to default and every
   * device (inet_forward_change), but only when the value changes (devinet_sysctl_forward).
   */
  private setForwarding(key: string, v: string): void {
    const other = key === 'net.ipv4.ip_forward' ? 'net.ipv4.conf.all.forwarding' : 'net.ipv4.ip_forward';
    if (this.sysctl.get(other) === v) return;
    // The value is stored as written (ip_forward=2 reads back as 2 everywhere).
    const on = v;
    this.sysctl.store('net.ipv4.ip_forward', on);
    this.sysctl.store('net.ipv4.conf.all.forwarding', on);
    this.sysctl.store('net.ipv4.conf.default.forwarding', on);
    this.sysctl.store('net.ipv4.conf.all.accept_redirects', on === '0' ? '1' : '0');
    for (const d of this.devices.values()) this.sysctl.store(`net.ipv4.conf.${d.name}.forwarding`, on);
  }

  /** conf.all.disable_ipv6 sets default and every device (addrconf_disable_change); addresses follow. */
  private setDisableIpv6(key: string, v: string): void {
    const scope = key.split('.')[3];
    if (scope === 'all') {
      this.sysctl.store('net.ipv6.conf.default.disable_ipv6', v);
      for (const d of this.devices.values()) this.sysctl.store(`net.ipv6.conf.${d.name}.disable_ipv6`, v);
      for (const d of this.devices.values()) this.addrconf.disableChanged(d);
    } else if (scope !== 'default') {
      const dev = this.byName.get(scope);
      if (dev) this.addrconf.disableChanged(dev);
    }
  }

  deviceByIndex(ifindex: number): NetDevice | undefined {
    return this.devices.get(ifindex);
  }

  device(name: string): NetDevice | undefined {
    return this.byName.get(name);
  }

  /** The device by name, or ENODEV (`Cannot find device "X"` is printed by the tools). */
  requireDevice(name: string): NetDevice {
    const d = this.byName.get(name);
    if (!d) throw new KernelError(ENODEV);
    return d;
  }

  /**
   * RTM_GETLINK for one device (how iproute2 resolves a name it has not seen): the kernel first
   * handles the device's pending link watch event (rtnl_getlink → linkwatch_sync_dev).
   */
  getLink(name: string): NetDevice | undefined {
    const dev = this.byName.get(name);
    if (dev) this.world.rtnl(() => this.world.linkwatch.sync(dev));
    return dev;
  }

  /** Devices in ifindex order (the order of a link dump). */
  deviceList(): NetDevice[] {
    return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  /** dev_index_reserve(net, 0): cyclic, so freed indexes are not reused soon. */
  private allocIfindex(): number {
    while (this.devices.has(this.nextIfindex)) this.nextIfindex++;
    return this.nextIfindex++;
  }

  /**
   * register_netdevice: a requested index must be free (EEXIST); a moved device keeps its index
   * when it is free here (keepIndex); anything else gets the next one.
   */
  register(dev: NetDevice, keepIndex = false, index = 0): void {
    if (this.byName.has(dev.name)) throw new KernelError(EEXIST);
    if (index && this.devices.has(index)) throw new KernelError(EEXIST);
    if (index) dev.ifindex = index;
    else if (!keepIndex || dev.ifindex === 0 || this.devices.has(dev.ifindex)) dev.ifindex = this.allocIfindex();
    dev.ns = this;
    this.devices.set(dev.ifindex, dev);
    this.byName.set(dev.name, dev);
    this.sysctl.addDevice(dev.name, (dev.flags & IFF_LOOPBACK) !== 0);
    for (const f of this.world.deviceListeners) f(dev, this, true);
  }

  /**
   * Removes a device (deleted, or leaving for another namespace): down first, addresses go. A
   * device that only moves keeps its pending link watch event.
   */
  unregister(dev: NetDevice, moving = false): void {
    if (dev.up) this.setDown(dev);
    this.netdevEvent(dev, 'unregister');
    if (!moving) this.world.linkwatch.forget(dev);
    this.ipv4.devGone(dev);
    this.addrconf.devDown(dev);
    this.devices.delete(dev.ifindex);
    this.byName.delete(dev.name);
    this.sysctl.removeDevice(dev.name);
    for (const f of this.world.deviceListeners) f(dev, this, false);
  }

  /** dev_change_name. Linux 6.18 renames running devices too. */
  rename(dev: NetDevice, name: string): void {
    if (name === dev.name) return;
    if (!validIfname(name)) throw new KernelError(EINVAL);
    if (this.byName.has(name)) throw new KernelError(EEXIST);
    this.world.rtnl(() => {
      this.byName.delete(dev.name);
      this.sysctl.renameDevice(dev.name, name);
      // inetdev_changename: the first address takes the new name, the others keep their
      // ":suffix" (or get ":N" for their position) after it.
      this.ipv4.devinet.list(dev).forEach((a, i) => {
        if (i === 0) {
          a.label = name;
          return;
        }
        const colon = a.label.indexOf(':');
        const dot = colon >= 0 ? a.label.slice(colon) : `:${i}`;
        a.label = dot.length + name.length < IFNAMSIZ ? name + dot : name.slice(0, IFNAMSIZ - dot.length - 1) + dot;
      });
      dev.name = name;
      this.byName.set(name, dev);
      this.notifyLink(dev);
    });
  }

  /** dev_open: ndo_open, then the NETDEV_UP notifiers (127.0.0.1 on lo, routes, IPv6). */
  setUp(dev: NetDevice): void {
    if (dev.up) return;
    this.world.rtnl(() => {
      dev.open();
      if (dev.kind === 'loopback' && this.ipv4.devinet.list(dev).length === 0) {
        // inetdev_event(NETDEV_UP) gives loopback 127.0.0.1/8 scope host.
        this.ipv4.devinet.add({ dev, local: 0x7f000001, prefixlen: 8, scope: 254 });
      }
      this.ipv4.devUp(dev);
      this.addrconf.devUp(dev);
      this.netdevEvent(dev, 'up');
      this.notifyLink(dev);
    });
  }

  /** call_netdevice_notifiers, for the listeners nslab has: the device's master (a bridge) and the device. */
  private netdevEvent(dev: NetDevice, event: NetdevEvent): void {
    dev.master?.notifierCall?.(dev, event);
    dev.notifierCall?.(dev, event);
  }

  /** dev_close: ndo_stop, then NETDEV_DOWN (routes through the device go, IPv6 addresses go). */
  setDown(dev: NetDevice): void {
    if (!dev.up) return;
    this.world.rtnl(() => {
      dev.stop();
      this.ipv4.devDown(dev);
      this.addrconf.devDown(dev);
      this.netdevEvent(dev, 'down');
      this.notifyLink(dev);
    });
  }

  /**
   * dev_change_flags: the settable flags (arp, multicast, …), then up/down, then the
   * promisc/allmulti requests, which count once each however often they are repeated.
   */
  changeFlags(dev: NetDevice, flags: number): void {
    this.world.rtnl(() => {
      const settable = IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC | IFF_MULTICAST | IFF_PORTSEL | IFF_AUTOMEDIA;
      const old = dev.flags;
      dev.flags = (flags & settable) | (dev.flags & ~settable);
      if ((old ^ flags) & IFF_UP) {
        if (old & IFF_UP) this.setDown(dev);
        else this.setUp(dev);
      }
      for (const bit of [IFF_PROMISC, IFF_ALLMULTI]) {
        if (!((flags ^ dev.gflags) & bit)) continue;
        const inc = flags & bit ? 1 : -1;
        dev.gflags ^= bit;
        if (bit === IFF_PROMISC) dev.promiscuity = Math.max(0, dev.promiscuity + inc);
        else dev.allmulti = Math.max(0, dev.allmulti + inc);
      }
      if ((old ^ dev.flags) & ~IFF_UP) this.notifyLink(dev);
    });
  }

  /** dev_set_mtu_ext: checked against the device's limits (extack texts as the kernel's). */
  setMtu(dev: NetDevice, mtu: number): void {
    if (mtu === dev.mtu) return;
    dev.validateMtu(mtu);
    this.world.rtnl(() => {
      dev.mtu = mtu;
      this.netdevEvent(dev, 'changemtu');
      this.notifyLink(dev);
    });
  }

  /** dev_set_mac_address. */
  setMacAddress(dev: NetDevice, mac: Uint8Array): void {
    this.world.rtnl(() => {
      dev.setMacAddress(mac);
      this.netdevEvent(dev, 'changeaddr');
      this.notifyLink(dev);
    });
  }

  /** dev_change_tx_queue_len. */
  setTxqueuelen(dev: NetDevice, len: number): void {
    this.world.rtnl(() => {
      dev.txqueuelen = len >>> 0;
      this.notifyLink(dev);
    });
  }

  /** dev_set_alias: an empty alias removes it. */
  setAlias(dev: NetDevice, alias: string): void {
    this.world.rtnl(() => {
      dev.alias = alias === '' ? undefined : alias;
      this.notifyLink(dev);
    });
  }

  /**
   * do_set_master: `master DEV` (ifindex) or `nomaster` (0). Only devices that take ports
   * (addSlave/delSlave) can be masters; anything else is EOPNOTSUPP.
   */
  setMaster(dev: NetDevice, ifindex: number): void {
    this.world.rtnl(() => {
      const upper = dev.master;
      if (upper) {
        if (upper.ifindex === ifindex) return;
        if (!upper.delSlave) throw new KernelError(EOPNOTSUPP);
        upper.delSlave(dev);
      }
      if (ifindex) {
        const m = this.deviceByIndex(ifindex);
        if (!m) throw new KernelError(EINVAL);
        if (!m.addSlave) throw new KernelError(EOPNOTSUPP);
        m.addSlave(dev);
      }
      this.notifyLink(dev);
    });
  }

  /** dev_set_group. */
  setGroup(dev: NetDevice, group: number): void {
    this.world.rtnl(() => {
      dev.group = group;
      this.notifyLink(dev);
    });
  }

  /** Carrier changes mark routes linkdown (derived at dump time); lookups must re-check. */
  carrierChanged(_dev: NetDevice): void {
    this.ipv4.routesChanged();
  }

  /** netdev_state_change (link watch handled an event of an up device): NETDEV_CHANGE. */
  stateChanged(dev: NetDevice): void {
    // Carrier lost: every neighbour of the device but the permanent ones goes (neigh_carrier_down).
    if (dev.up && !dev.carrier) this.ipv4.carrierDown(dev);
    this.addrconf.devChange(dev);
    this.netdevEvent(dev, 'change');
    this.notifyLink(dev);
  }

  /**
   * An RTM_NEWLINK for `dev` is built (a notification or a dump): when its link is in another
   * namespace, this namespace needs an id for that one (rtnl_fill_link_netnsid → peernet2id_alloc).
   * Returns that id, or undefined when the link is local.
   */
  notifyLink(dev: NetDevice): number | undefined {
    const linkNs = dev.linkNs();
    return linkNs === dev.ns ? undefined : dev.ns.nsidFor(linkNs);
  }

  /** The id this namespace uses for `other`, allocating the lowest free one (peernet2id_alloc). */
  nsidFor(other: NetNs): number {
    let id = this.nsids.get(other);
    if (id === undefined) {
      id = this.nsids.lowestFree();
      this.nsids.set(other, id);
    }
    return id;
  }
}

/**
 * A namespace's nsids, also indexed by id, so the lowest free id is found without rescanning
 * every peer (a namespace with 10 000 peers allocates 10 000 ids).
 */
export class NsidMap extends Map<NetNs, number> {
  private readonly used = new Set<number>();
  /** Every id below this is in use. */
  private floor = 0;

  override set(ns: NetNs, id: number): this {
    const old = super.get(ns);
    if (old !== undefined) this.forget(old);
    super.set(ns, id);
    this.used.add(id);
    return this;
  }

  override delete(ns: NetNs): boolean {
    const old = super.get(ns);
    if (old === undefined) return false;
    this.forget(old);
    return super.delete(ns);
  }

  override clear(): void {
    super.clear();
    this.used.clear();
    this.floor = 0;
  }

  private forget(id: number): void {
    this.used.delete(id);
    if (id < this.floor) this.floor = id;
  }

  /** peernet2id_alloc's choice: the lowest id not in use. */
  lowestFree(): number {
    while (this.used.has(this.floor)) this.floor++;
    return this.floor;
  }
}

/** dev_valid_name. */
export function validIfname(name: string): boolean {
  return name.length > 0 && name.length < IFNAMSIZ && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}
