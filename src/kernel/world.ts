// The emulated machine: every namespace, one virtual clock, one seeded random generator, and
// the machine-wide parts of the kernel (link watch, the rtnl lock, the UTS hostname).
import { createClock } from '@sinonjs/fake-timers';
import { Net, type ProtocolHandlers } from './netif.ts';
import { ipRcv } from './ipv4/input.ts';
import { arpRcv } from './ipv4/arp.ts';
import { ETH_MAX_MTU, ETH_MIN_MTU, NET_ADDR_RANDOM, NET_ADDR_SET, isValidEtherAddr, type NetDevice } from './device.ts';
import { EADDRNOTAVAIL, EEXIST, EINVAL, ENOENT, ENOTCONN, EOPNOTSUPP, KernelError } from './errors.ts';
import { Kmsg } from './kmsg.ts';
import { LinkWatch } from './linkwatch.ts';
import { NetNs, validIfname } from './netns.ts';
import { Rng } from './rng.ts';
import { Veth } from './veth.ts';

/** The virtual clock (what @sinonjs/fake-timers' createClock returns). */
export type Clock = ReturnType<typeof createClock>;

export interface WorldOptions {
  seed?: number;
  /** Wall-clock time the run starts at, ms since the epoch (capture timestamps start here). */
  epochMs?: number;
  /** The machine's hostname (`hostname`); namespaces share it (they share the UTS namespace). */
  hostname?: string;
}

/** The ptype handlers, one object for every world: per-world closures would give optimised
 * code a different call target in each world, and deoptimise it in the second. */
const PROTOCOL_HANDLERS: ProtocolHandlers = {
  ipv4: (slot, dev) => ipRcv(dev.ns, slot, dev),
  arp: (slot, dev) => arpRcv(dev.ns, slot, dev),
};

/** 2025-01-01T00:00:00Z: the default start of virtual time. */
export const DEFAULT_EPOCH_MS = Date.UTC(2025, 0, 1);

/** nslab's machine name unless told otherwise (also what fixtures/ip/record.sh sets). */
export const DEFAULT_HOSTNAME = 'nslab';

/**
 * Told when a device is registered in a namespace (created, or moved in) and when it is
 * unregistered from one (deleted, or moved out): captures (--pcap-dir, `tcpdump -i any`) use it.
 */
export type DeviceListener = (dev: NetDevice, ns: NetNs, registered: boolean) => void;

/** What `ip link add … type veth` asks for, for one end. */
export interface VethEnd {
  ns: NetNs;
  /** undefined: the kernel picks `vethN`. */
  name?: string;
  mac?: Uint8Array;
  mtu?: number;
  txqueuelen?: number;
  /** `up` given for this end. For the peer it fails: it is configured before the pair is tied. */
  up?: boolean;
  /** `index N`: this ifindex, or EEXIST when it is taken. */
  ifindex?: number;
}

export class World {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly seed: number;
  /** uname -n: one UTS namespace for the whole machine. */
  hostname: string;
  /** The initial namespace (`host` where nslab needs a name for it). */
  readonly host: NetNs;
  /** Named namespaces (`ip netns add`), in creation order. */
  readonly netns = new Map<string, NetNs>();
  readonly linkwatch: LinkWatch;
  /** The packet path: buffers, the delivery queue, device transmit and receive. */
  readonly net: Net;
  /** Called from NetNs.register/unregister (see DeviceListener). */
  readonly deviceListeners: DeviceListener[] = [];
  /** The kernel log (printk ring buffer, `dmesg`): one for the machine, as on Linux. */
  readonly kmsg = new Kmsg();
  /** Nesting depth of rtnl sections; link watch runs when the outermost one ends. */
  private rtnlDepth = 0;

  constructor(opts: WorldOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.rng = new Rng(this.seed);
    this.clock = createClock(opts.epochMs ?? DEFAULT_EPOCH_MS);
    this.hostname = opts.hostname ?? DEFAULT_HOSTNAME;
    this.linkwatch = new LinkWatch(this);
    this.net = new Net(() => this.clock.now);
    this.net.handlers = PROTOCOL_HANDLERS;
    this.host = new NetNs(this, 'host');
    this.host.sysctl.initNet = true;
  }

  /** Virtual time in ms since the epoch. */
  now(): number {
    return this.clock.now;
  }

  /**
   * Runs a configuration change under the rtnl lock: deferred work that needs the lock (link
   * watch) runs when the outermost section ends, as the kernel's work items do after rtnl_unlock.
   */
  rtnl<T>(fn: () => T): T {
    this.rtnlDepth++;
    try {
      return fn();
    } finally {
      if (--this.rtnlDepth === 0) this.linkwatch.runOwed();
    }
  }

  /** Deferred work was queued: run it now unless an rtnl section is open. */
  afterRtnl(): void {
    if (this.rtnlDepth === 0) this.linkwatch.runOwed();
  }

  /** A named namespace, or the host one for '' / 'host' when no namespace has that name. */
  ns(name: string): NetNs | undefined {
    return this.netns.get(name) ?? (name === 'host' || name === '' ? this.host : undefined);
  }

  addNetns(name: string): NetNs {
    if (this.netns.has(name)) throw new KernelError(EEXIST);
    const ns = new NetNs(this, name);
    // conf/all and conf/default start as copies of the initial namespace's (devconf_inherit_init_net=0).
    for (const key of ['forwarding']) {
      for (const scope of ['all', 'default']) {
        const k = `net.ipv4.conf.${scope}.${key}`;
        ns.sysctl.store(k, this.host.sysctl.get(k) ?? '0');
      }
    }
    ns.sysctl.store('net.ipv4.ip_forward', this.host.sysctl.get('net.ipv4.conf.all.forwarding') ?? '0');
    this.netns.set(name, ns);
    return ns;
  }

  /** `ip netns del`: its devices go; veth peers elsewhere go with them. */
  delNetns(name: string): void {
    const ns = this.netns.get(name);
    if (!ns) throw new KernelError(ENOENT);
    this.rtnl(() => {
      for (const dev of ns.deviceList().reverse()) if (dev.kind !== 'loopback' && dev.registered) this.deleteDevice(dev);
    });
    this.netns.delete(name);
    for (const other of this.allNs()) other.nsids.delete(ns);
  }

  allNs(): NetNs[] {
    return [this.host, ...this.netns.values()];
  }

  /**
   * `ip link add NAME type veth peer name PEER [netns NS]` (veth_newlink): the peer is made and
   * numbered first, then `dev`; both start without carrier.
   */
  addVeth(devEnd: VethEnd, peerEnd: VethEnd): [Veth, Veth] {
    for (const end of [devEnd, peerEnd]) {
      if (end.name !== undefined && !validIfname(end.name)) throw new KernelError(EINVAL);
      if (end.mac && !isValidEtherAddr(end.mac)) throw new KernelError(EADDRNOTAVAIL);
      if (end.mtu !== undefined && (end.mtu < ETH_MIN_MTU || end.mtu > ETH_MAX_MTU)) throw new KernelError(EINVAL);
    }
    if (devEnd.name !== undefined && devEnd.ns.device(devEnd.name)) throw new KernelError(EEXIST);
    return this.rtnl(() => {
      const peerName = peerEnd.name ?? allocName(peerEnd.ns, 'veth%d');
      if (peerEnd.ns.device(peerName)) throw new KernelError(EEXIST);
      const b = this.makeVeth(peerEnd, peerName);
      // veth_newlink takes the peer's index only when the device got one too.
      peerEnd.ns.register(b, false, devEnd.ifindex ? peerEnd.ifindex ?? 0 : 0);
      b.setCarrier(false);
      if (peerEnd.up) {
        // rtnl_configure_link(peer): veth_open without a peer yet is ENOTCONN.
        peerEnd.ns.unregister(b);
        this.linkwatch.forget(b);
        throw new KernelError(ENOTCONN);
      }
      const name = devEnd.name ?? allocName(devEnd.ns, 'veth%d');
      const a = this.makeVeth(devEnd, name);
      try {
        devEnd.ns.register(a, false, devEnd.ifindex ?? 0);
      } catch (e) {
        peerEnd.ns.unregister(b);
        this.linkwatch.forget(b);
        throw e;
      }
      a.setCarrier(false);
      a.peer = b;
      b.peer = a;
      a.realNumTxQueues = a.realNumRxQueues = b.realNumTxQueues = b.realNumRxQueues = 1;
      // rtnl_configure_link(dev) notifies: dev's namespace gets an id for the peer's.
      devEnd.ns.notifyLink(a);
      return [a, b];
    });
  }

  private makeVeth(end: VethEnd, name: string): Veth {
    const v = new Veth(end.ns, name);
    if (end.mac) {
      v.mac.set(end.mac);
      v.addrAssignType = NET_ADDR_SET;
    } else {
      v.mac.set(this.rng.mac());
      v.addrAssignType = NET_ADDR_RANDOM;
    }
    if (end.mtu !== undefined) v.mtu = end.mtu;
    if (end.txqueuelen !== undefined) v.txqueuelen = end.txqueuelen;
    return v;
  }

  /**
   * `ip link set DEV netns NS` (__dev_change_net_namespace): the device is closed, loses its
   * addresses, routes and qdisc, and keeps its ifindex if that is free in `to`.
   */
  moveDevice(dev: NetDevice, to: NetNs, newIfindex = 0): void {
    if (dev.kind === 'loopback' || dev.kind === 'bridge') throw new KernelError(EINVAL, 'The interface netns is immutable');
    if (dev.ns === to) return;
    if (to.device(dev.name)) throw new KernelError(EEXIST, 'An interface with the same name exists in the target netns');
    if (newIfindex && to.deviceByIndex(newIfindex)) {
      throw new KernelError(EEXIST, `The ifindex ${newIfindex} is not available in the target netns`);
    }
    this.rtnl(() => {
      const from = dev.ns;
      // The departure notice carries the device's id in its new namespace (IFLA_NEW_NETNSID).
      from.nsidFor(to);
      from.unregister(dev, true);
      dev.qdisc = 'noop';
      to.register(dev, true, newIfindex);
      to.notifyLink(dev);
    });
  }

  /** `ip link del`: a veth takes its peer with it; loopback cannot go. */
  deleteDevice(dev: NetDevice): void {
    if (dev.kind === 'loopback') throw new KernelError(EOPNOTSUPP);
    this.rtnl(() => {
      const victims = dev instanceof Veth && dev.peer ? [dev, dev.peer] : [dev];
      for (const d of victims) if (d.up) d.ns.setDown(d);
      for (const d of victims) {
        if (!d.registered) continue;
        d.ns.unregister(d);
        this.linkwatch.forget(d);
        d.destroy();
      }
    });
  }
}

/** dev_alloc_name: the lowest free N for a `name%d` pattern in a namespace. */
export function allocName(ns: NetNs, pattern: string): string {
  for (let n = 0; ; n++) {
    const name = pattern.replace('%d', String(n));
    if (!ns.device(name)) return name;
  }
}
