// The network device (struct net_device): what every device type shares. Veth, loopback and
// the bridge extend it.
import { EADDRNOTAVAIL, EINVAL, KernelError } from './errors.ts';
import type { NetNs } from './netns.ts';
import type { BridgePort } from './bridge/port.ts';

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MASTER = 0x400;
export const IFF_SLAVE = 0x800;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;
export const IFF_ECHO = 0x40000;

/** RFC 2863 operational states (IF_OPER_*), as `ip link` names them. */
export type OperState = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';
export const OPERSTATE_CODE: Record<OperState, number> = {
  UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6,
};

/** How the MAC address was assigned (addr_assign_type). */
export const NET_ADDR_PERM = 0;
export const NET_ADDR_RANDOM = 1;
export const NET_ADDR_STOLEN = 2;
export const NET_ADDR_SET = 3;

/** The counters of rtnl_link_stats64 that `ip -s link` shows, in LinkStats' order. */
const LINK_STATS_NAMES = [
  'rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxErrors', 'txErrors', 'rxDropped', 'txDropped',
  'multicast', 'collisions', 'rxLengthErrors', 'rxOverErrors', 'rxCrcErrors', 'rxFrameErrors',
  'rxFifoErrors', 'rxMissedErrors', 'txAbortedErrors', 'txCarrierErrors', 'txFifoErrors',
  'txHeartbeatErrors', 'txWindowErrors', 'rxCompressed', 'txCompressed', 'rxNohandler', 'rxOtherhostDropped',
] as const;

/**
 * rtnl_link_stats64, the counters `ip -s link` shows. They live in a Float64Array behind named
 * accessors: a byte counter passes the small-integer range after 16 M frames of 64 bytes, and a
 * number field crossing it mid-run deoptimised the packet path into allocating on every count.
 */
export class LinkStats {
  /** The counters, in LINK_STATS_NAMES order. */
  readonly c = new Float64Array(LINK_STATS_NAMES.length);
}
// The accessor declarations (the getters and setters are defined on the prototype below).
export interface LinkStats extends Record<(typeof LINK_STATS_NAMES)[number], number> {}
LINK_STATS_NAMES.forEach((name, i) => {
  Object.defineProperty(LinkStats.prototype, name, {
    get(this: LinkStats) {
      return this.c[i];
    },
    set(this: LinkStats, v: number) {
      this.c[i] = v;
    },
    enumerable: true,
    configurable: false,
  });
});

/** Indexes into LinkStats.c for the packet path (a direct typed-array count, no accessor). */
export const RX_PACKETS = 0;
export const TX_PACKETS = 1;
export const RX_BYTES = 2;
export const TX_BYTES = 3;
export const RX_DROPPED = 6;
export const TX_DROPPED = 7;
export const MULTICAST = 8;
export const RX_OTHERHOST_DROPPED = 24;

export function emptyStats(): LinkStats {
  return new LinkStats();
}

export type DeviceKind = 'loopback' | 'veth' | 'bridge' | 'dummy' | 'vlan';

/** The netdevice notifier events a master (a bridge) hears about its ports and itself. */
export type NetdevEvent = 'up' | 'down' | 'change' | 'changeaddr' | 'changemtu' | 'unregister';

/** Minimum MTU of Ethernet devices (ETH_MIN_MTU) and maximum (ETH_MAX_MTU). */
export const ETH_MIN_MTU = 68;
export const ETH_MAX_MTU = 65535;

/** is_valid_ether_addr: not multicast and not all zero. */
export function isValidEtherAddr(mac: Uint8Array): boolean {
  return mac.length === 6 && (mac[0] & 1) === 0 && mac.some((b) => b !== 0);
}

export abstract class NetDevice {
  abstract readonly kind: DeviceKind;
  /** ARPHRD_* type: 1 Ethernet, 772 loopback. */
  abstract readonly type: number;
  /** Driver name for `ethtool -i`. */
  abstract readonly driver: string;
  readonly driverVersion: string = '';

  ns: NetNs;
  ifindex: number;
  name: string;
  /** Administrative and capability flags (IFF_UP, IFF_BROADCAST, …), without the derived ones. */
  flags: number;
  readonly mac = new Uint8Array(6);
  readonly broadcast = new Uint8Array(6).fill(0xff);
  addrAssignType = NET_ADDR_RANDOM;
  mtu = 1500;
  minMtu = ETH_MIN_MTU;
  maxMtu = ETH_MAX_MTU;
  txqueuelen = 1000;
  group = 0;
  /** ifalias (`ip link set … alias`); undefined when none. */
  alias: string | undefined;
  /** Queueing discipline name: `noop` until the device first comes up (and again after a move). */
  qdisc = 'noop';
  /** Counters of `promisc on` style requests plus the kernel's own users (a bridge port adds one). */
  promiscuity = 0;
  allmulti = 0;
  /** The IFF_PROMISC / IFF_ALLMULTI requests made through `ip link set` (dev->gflags). */
  gflags = 0;
  /** netif_carrier_on/off transitions (carrier_up_count, carrier_down_count). */
  carrierUpCount = 0;
  carrierDownCount = 0;
  readonly stats: LinkStats = emptyStats();
  /** Packet captures on this device (tcpdump, --pcap-dir): see netif.ts. */
  readonly taps: Array<(frame: Uint8Array, direction: number, dev: NetDevice, timeMs: number) => void> = [];
  /** The bridge this device is a port of. */
  master: NetDevice | undefined;
  /** Its port in that bridge (the rx_handler_data of a bridge port). */
  brPort: BridgePort | undefined;
  /** Sizes `ip -d link` shows. */
  gsoMaxSize = 65536;
  gsoMaxSegs = 65535;
  groMaxSize = 65536;
  tsoMaxSize = 524280;
  tsoMaxSegs = 65535;
  numTxQueues = 1;
  numRxQueues = 1;
  realNumTxQueues = 1;
  realNumRxQueues = 1;
  /** IPv6 address generation mode (`addrgenmode`). */
  addrGenMode = 'eui64';
  /** dev->operstate as link watch last set it; reported only while the device is up. */
  operState: OperState = 'UNKNOWN';
  /** An event for this device waits in the link watch queue. */
  linkwatchPending = false;
  /** netif_carrier_ok(): a device has carrier from birth until its driver says otherwise. */
  protected carrierOn = true;

  constructor(ns: NetNs, name: string, flags: number) {
    this.ns = ns;
    this.name = name;
    this.flags = flags;
    this.ifindex = 0;
  }

  get up(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  /** IFF_LOOPBACK. */
  get isLoopback(): boolean {
    return (this.flags & IFF_LOOPBACK) !== 0;
  }

  /** netif_carrier_ok(). */
  get carrier(): boolean {
    return this.carrierOn;
  }

  /** carrier_changes as `ip -s -s link` shows it. */
  get carrierChanges(): number {
    return this.carrierUpCount + this.carrierDownCount;
  }

  /** True while the device is in its namespace's device list (reg_state REGISTERED). */
  get registered(): boolean {
    return this.ifindex !== 0 && this.ns.deviceByIndex(this.ifindex) === this;
  }

  /** The index of the device this one is linked to (dev_get_iflink); its own index when none. */
  iflink(): number {
    return this.ifindex;
  }

  /** The namespace `iflink` refers to (rtnl_link_ops->get_link_net); its own when none. */
  linkNs(): NetNs {
    return this.ns;
  }

  /** IFLA_OPERSTATE: the stored operstate while running, DOWN otherwise. */
  operstate(): OperState {
    return this.up ? this.operState : 'DOWN';
  }

  /** default_operstate(): what link watch stores when it handles an event for this device. */
  defaultOperstate(): OperState {
    if (!this.carrierOn) {
      // The device at our iflink index *in our own namespace* decides (even if unrelated).
      const iflink = this.iflink();
      if (iflink === this.ifindex) return 'DOWN';
      const peer = this.ns.deviceByIndex(iflink);
      if (!peer) return 'DOWN';
      return peer.carrier ? 'DOWN' : 'LOWERLAYERDOWN';
    }
    return 'UP';
  }

  /** Flags as the kernel reports them (dev_get_flags): RUNNING follows the operstate, LOWER_UP the carrier. */
  reportedFlags(): number {
    // dev_get_flags: PROMISC and ALLMULTI as the user asked for them (gflags), not the counters
    // (a bridge port is promiscuous without showing it).
    let f = (this.flags & ~(IFF_PROMISC | IFF_ALLMULTI | IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT)) |
      (this.gflags & (IFF_PROMISC | IFF_ALLMULTI));
    if (this.up) {
      if (this.operState === 'UP' || this.operState === 'UNKNOWN') f |= IFF_RUNNING;
      if (this.carrierOn) f |= IFF_LOWER_UP;
    }
    return f;
  }

  /** ndo_open: called by the namespace once the device is marked up; subclasses update carrier. */
  open(): void {
    this.flags |= IFF_UP;
    if (this.qdisc === 'noop') this.qdisc = this.defaultQdisc();
  }

  /** ndo_stop: called when the device is brought down. */
  stop(): void {
    this.flags &= ~IFF_UP;
  }

  /** noqueue for software devices (IFF_NO_QUEUE). */
  protected defaultQdisc(): string {
    return 'noqueue';
  }

  /** netif_carrier_on / netif_carrier_off. */
  setCarrier(on: boolean): void {
    if (on === this.carrierOn) return;
    this.carrierOn = on;
    if (!this.registered) return;
    if (on) this.carrierUpCount++;
    else this.carrierDownCount++;
    this.ns.world.linkwatch.fire(this);
    this.ns.carrierChanged(this);
  }

  /** dev_validate_mtu, with the kernel's extack texts. */
  validateMtu(mtu: number): void {
    if (mtu < 0 || mtu < this.minMtu) throw new KernelError(EINVAL, 'mtu less than device minimum');
    if (this.maxMtu > 0 && mtu > this.maxMtu) throw new KernelError(EINVAL, 'mtu greater than device maximum');
  }

  /** ndo_set_mac_address (eth_mac_addr): live change allowed, unicast non-zero only. */
  setMacAddress(mac: Uint8Array): void {
    if (mac.length !== this.mac.length) throw new KernelError(EINVAL);
    if (this.type === 1 && !isValidEtherAddr(mac)) throw new KernelError(EADDRNOTAVAIL);
    this.mac.set(mac);
    this.addrAssignType = NET_ADDR_SET;
  }

  /** ndo_add_slave: a device that takes ports (a bridge) implements it; `master` is set by it. */
  addSlave?(port: NetDevice): void;

  /** ndo_del_slave. */
  delSlave?(port: NetDevice): void;

  /** A master's netdevice notifier: events of its ports, and of itself. */
  notifierCall?(dev: NetDevice, event: NetdevEvent): void;

  /** Called when the device leaves its namespace for good (deleted). */
  destroy(): void {}
}
