// The bridge device (net/bridge/br_device.c, br_if.c): a software switch with ports. Its MAC
// follows its ports (the lowest port MAC) until the user sets one, its MTU their minimum until
// the user sets one, its carrier whether a port forwards; frames it sends go through its
// forwarding database like frames received on a port.
import { EADDRNOTAVAIL, EBUSY, EINVAL, ELOOP, EXFULL, KernelError } from '../errors.ts';
import {
  IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, NET_ADDR_RANDOM, NET_ADDR_SET, NetDevice, isValidEtherAddr,
  type NetdevEvent,
} from '../device.ts';
import type { NetNs } from '../netns.ts';
import type { Net } from '../netif.ts';
import type { Clock, World } from '../world.ts';
import { Fdb } from './fdb.ts';
import { fdbAddLocal, fdbCleanup, fdbDeleteByPort, fdbChangeAddr } from './fdb-ops.ts';
import { SnooperGroup } from './igmp.ts';
import { brDevXmit, brHandleFrame } from './input.ts';
import { BR_MAX_PORTS, BR_STATE_DISABLED, BridgePort, isOperUp, newBridgeId } from './port.ts';
import {
  forwardDelayTimerExpired, helloTimerExpired, holdTimerExpired, messageAgeTimerExpired, tcnTimerExpired,
  topologyChangeTimerExpired, BR_NO_STP,
} from './stp.ts';
import { disableBridge, disablePort, enableBridge, enablePort, recalculateBridgeId, changeBridgeId, portCarrierCheck } from './stp-if.ts';
import { BrTimer, HZ, jiffiesNow } from './timer.ts';

const ETH_DATA_LEN = 1500;
const TSO_MAX_SIZE = 524280;
const GSO_LEGACY_MAX_SIZE = 65536;
const TIMER_HANDLERS = { messageAge: messageAgeTimerExpired, forwardDelay: forwardDelayTimerExpired, hold: holdTimerExpired };

/** The multicast options `ip -d link` shows, with the kernel's defaults (kept, not acted on). */
export const MCAST_DEFAULTS = {
  mcastRouter: 1, mcastQueryUseIfaddr: 0, mcastQuerier: 0, mcastHashElasticity: 16, mcastHashMax: 4096,
  mcastLastMemberCount: 2, mcastStartupQueryCount: 2, mcastLastMemberInterval: 100, mcastMembershipInterval: 26000,
  mcastQuerierInterval: 25500, mcastQueryInterval: 12500, mcastQueryResponseInterval: 1000,
  mcastStartupQueryInterval: 3124, mcastStatsEnabled: 0, mcastIgmpVersion: 2, mcastMldVersion: 1,
  mcastVlanSnooping: 0, noLinklocalLearn: 0,
};
export type McastOptions = typeof MCAST_DEFAULTS;

export class Bridge extends NetDevice {
  readonly kind = 'bridge';
  readonly type = 1;
  readonly driver = 'bridge';
  override readonly driverVersion = '2.3';
  /** br->port_list: the newest port first. */
  readonly ports: BridgePort[] = [];
  /** Ports by number (1…1023). */
  readonly portByNo: Array<BridgePort | undefined> = [];
  readonly fdb = new Fdb();
  readonly bridgeId = newBridgeId();
  readonly designatedRoot = newBridgeId();
  rootPathCost = 0;
  rootPort = 0;
  /** STP times in jiffies: the ones in force and the bridge's own. */
  maxAge = 20 * HZ;
  helloTime = 2 * HZ;
  forwardDelay = 15 * HZ;
  bridgeMaxAge = 20 * HZ;
  bridgeHelloTime = 2 * HZ;
  bridgeForwardDelay = 15 * HZ;
  ageingTime = 300 * HZ;
  bridgeAgeingTime = 300 * HZ;
  stpEnabled = BR_NO_STP;
  topologyChange = 0;
  topologyChangeDetected = 0;
  groupFwdMask = 0;
  readonly groupAddr = Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x00);
  vlanFiltering = 0;
  mcastSnooping = 1;
  readonly mcast: McastOptions = { ...MCAST_DEFAULTS };
  /** Per-bridge br_netfilter switches (IFLA_BR_NF_CALL_*). */
  nfCallIptables = 0;
  nfCallIp6tables = 0;
  nfCallArptables = 0;
  mtuSetByUser = false;
  /** nfCallIptables()'s answer and the sysctl generation it was computed at. */
  nfGeneration = -1;
  nfOn = false;
  readonly snoopers: SnooperGroup;
  readonly helloTimer: BrTimer;
  readonly tcnTimer: BrTimer;
  readonly topologyChangeTimer: BrTimer;
  readonly gcTimer: BrTimer;
  /** The machine and its packet path (a bridge never changes namespace). */
  readonly world: World;
  readonly net: Net;
  /** world.clock, one load away on the packet path (packets are in skb.ts's skbPool). */
  readonly clock: Clock;

  constructor(ns: NetNs, name: string) {
    super(ns, name, IFF_BROADCAST | IFF_MULTICAST);
    this.world = ns.world;
    this.net = ns.world.net;
    this.clock = ns.world.clock;
    this.bridgeId[0] = 0x80;
    this.designatedRoot.set(this.bridgeId);
    this.tsoMaxSize = GSO_LEGACY_MAX_SIZE;
    // Created without carrier; linkwatch_init_dev makes the operstate DOWN at registration.
    this.carrierOn = false;
    this.operState = 'DOWN';
    const world = ns.world;
    this.snoopers = new SnooperGroup(this);
    this.helloTimer = new BrTimer(world, () => helloTimerExpired(this));
    this.tcnTimer = new BrTimer(world, () => tcnTimerExpired(this));
    this.topologyChangeTimer = new BrTimer(world, () => topologyChangeTimerExpired(this));
    this.gcTimer = new BrTimer(world, () => fdbCleanup(this));
    const net = world.net;
    net.bridgeRx ??= brHandleFrame;
    net.bridgeXmit ??= brDevXmit;
    net.sched.explain ??= explainStorm;
  }

  /**
   * `ip link add NAME type bridge` / `brctl addbr` (br_dev_setup, br_dev_newlink): a random MAC
   * (or the one asked for, which fixes it), a local FDB entry for it, a bridge id of 8000 and
   * zeros until the MAC is chosen.
   */
  static create(ns: NetNs, name: string, mac?: Uint8Array): Bridge {
    const br = new Bridge(ns, name);
    br.mac.set(mac ?? ns.world.rng.mac());
    br.addrAssignType = mac ? NET_ADDR_SET : NET_ADDR_RANDOM;
    ns.register(br);
    if (mac) changeBridgeId(br, mac);
    else fdbAddLocal(br, 0, br.mac);
    return br;
  }

  /** br_dev_open: STP on for the ports that are up, the snoopers' groups joined. */
  override open(): void {
    super.open();
    enableBridge(this);
    if (this.mcastSnooping) this.snoopers.join(false);
  }

  /** br_dev_stop. */
  override stop(): void {
    disableBridge(this);
    this.snoopers.stop();
    super.stop();
  }

  /** br_set_mac_address: the user's MAC is the bridge's for good (NET_ADDR_SET). */
  override setMacAddress(mac: Uint8Array): void {
    if (!isValidEtherAddr(mac)) throw new KernelError(EADDRNOTAVAIL);
    this.addrAssignType = NET_ADDR_SET;
    if (!this.mac.every((b, i) => b === mac[i])) changeBridgeId(this, mac);
  }

  /** br_add_if. */
  override addSlave(dev: NetDevice): void {
    if (dev.flags & IFF_LOOPBACK || dev.type !== 1 || !isValidEtherAddr(dev.mac)) throw new KernelError(EINVAL);
    if (dev instanceof Bridge) throw new KernelError(ELOOP, 'Can not enslave a bridge to a bridge');
    if (dev.master) throw new KernelError(EBUSY);
    let portNo = 1;
    while (portNo < BR_MAX_PORTS && this.portByNo[portNo]) portNo++;
    if (portNo >= BR_MAX_PORTS) throw new KernelError(EXFULL);
    const p = new BridgePort(this, dev, portNo, TIMER_HANDLERS);
    p.portId = p.makePortId();
    p.designatedRoot.set(this.designatedRoot);
    p.designatedBridge.set(this.bridgeId);
    p.designatedPort = p.portId;
    p.designatedCost = this.rootPathCost;
    p.state = BR_STATE_DISABLED;
    dev.allmulti++;
    dev.promiscuity++;
    dev.master = this;
    dev.brPort = p;
    this.ports.unshift(p);
    this.portByNo[portNo] = p;
    fdbAddLocal(this, portNo, dev.mac);
    recalculateBridgeId(this);
    if (dev.up && isOperUp(dev) && this.up) enablePort(p);
    this.mtuAutoAdjust();
    this.setGsoLimits();
  }

  /** br_del_if (and del_nbp). */
  override delSlave(dev: NetDevice): void {
    const p = dev.brPort;
    if (!p || p.br !== this) throw new KernelError(EINVAL);
    dev.allmulti = Math.max(0, dev.allmulti - 1);
    dev.promiscuity = Math.max(0, dev.promiscuity - 1);
    disablePort(p);
    this.ports.splice(this.ports.indexOf(p), 1);
    fdbDeleteByPort(this, p.portNo, true);
    this.portByNo[p.portNo] = undefined;
    p.messageAgeTimer.del();
    p.forwardDelayTimer.del();
    p.holdTimer.del();
    dev.master = undefined;
    dev.brPort = undefined;
    this.mtuAutoAdjust();
    this.setGsoLimits();
    recalculateBridgeId(this);
  }

  /** br_device_event for a port, and the bridge's own unregistration (br_dev_delete). */
  override notifierCall(dev: NetDevice, event: NetdevEvent): void {
    if (dev === this) {
      if (event === 'unregister') for (const p of [...this.ports]) this.delSlave(p.dev);
      else if (event === 'changemtu') this.mtuSetByUser = true;
      return;
    }
    const p = dev.brPort;
    if (!p) return;
    switch (event) {
      case 'changemtu':
        this.mtuAutoAdjust();
        break;
      case 'changeaddr':
        fdbChangeAddr(p, dev.mac);
        recalculateBridgeId(this);
        break;
      case 'change':
        portCarrierCheck(p);
        break;
      case 'down':
        if (this.up) disablePort(p);
        break;
      case 'up':
        if (this.up && isOperUp(dev)) enablePort(p);
        break;
      case 'unregister':
        this.delSlave(dev);
        break;
    }
  }

  /** br_mtu_auto_adjust: the ports' minimum, unless the user set the MTU. */
  private mtuAutoAdjust(): void {
    if (this.mtuSetByUser) return;
    let mtu = 0;
    for (const p of this.ports) if (!mtu || p.dev.mtu < mtu) mtu = p.dev.mtu;
    this.mtu = mtu || ETH_DATA_LEN;
  }

  /** br_set_gso_limits. */
  private setGsoLimits(): void {
    let size = TSO_MAX_SIZE;
    for (const p of this.ports) size = Math.min(size, p.dev.tsoMaxSize);
    this.tsoMaxSize = size;
  }

  /** The bridge's multicast list entries beyond the all-nodes one (for `bridge fdb show`). */
  mcAddresses(): string[] {
    const allHosts = this.up ? ['01:00:5e:00:00:01'] : [];
    if (!this.snoopers.joined) return allHosts;
    const snoop = ['01:00:5e:00:00:6a', '33:33:00:00:00:6a'];
    return this.snoopers.joinedAfterAllHosts ? [...allHosts, ...snoop] : [...snoop, ...allHosts];
  }

  /** mod_delayed_work(gc_work, delay): the next FDB garbage collection. */
  scheduleGc(delayJiffies: number): void {
    this.gcTimer.mod(jiffiesNow(this.world) + delayJiffies);
  }
}

/**
 * Scheduler.explain: the bridges whose ports (or the veths facing them) a storm went round, and
 * whether STP could have broken the loop.
 */
function explainStorm(devices: NetDevice[]): string | undefined {
  const bridges = new Set<Bridge>();
  for (const d of devices) {
    if (d.brPort) bridges.add(d.brPort.br);
    const peer = d.kind === 'veth' ? (d as NetDevice & { peer?: NetDevice }).peer : undefined;
    if (peer?.brPort) bridges.add(peer.brPort.br);
  }
  if (bridges.size === 0) return undefined;
  const list = [...bridges].map((b) => `${b.ns.name}/${b.name} (STP ${b.stpEnabled ? 'on' : 'off'})`).join(', ');
  const off = [...bridges].some((b) => b.stpEnabled === 0);
  return `a forwarding loop through bridge${bridges.size > 1 ? 's' : ''} ${list}` +
    (off ? '; with STP off nothing breaks it: turn STP on (ip link set BRIDGE type bridge stp_state 1) or remove a link' : '');
}
