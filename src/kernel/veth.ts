// veth (drivers/net/veth.c): a pair of Ethernet devices, each the other's wire. Carrier is on
// only while both ends are up; the peer may live in another namespace.
import { IFF_BROADCAST, IFF_MULTICAST, NetDevice } from './device.ts';
import type { NetNs } from './netns.ts';

export const ARPHRD_ETHER = 1;

/** Queues a veth gets: one per possible CPU (veth_get_num_queues); the recorded host had 2. */
export const VETH_NUM_QUEUES = 2;

export class Veth extends NetDevice {
  readonly kind = 'veth';
  readonly type = ARPHRD_ETHER;
  readonly driver = 'veth';
  override readonly driverVersion = '1.0';
  /** The other end (set right after both ends are made; kept after the pair is deleted). */
  peer!: Veth;

  constructor(ns: NetNs, name: string) {
    super(ns, name, IFF_BROADCAST | IFF_MULTICAST);
    this.numTxQueues = VETH_NUM_QUEUES;
    this.numRxQueues = VETH_NUM_QUEUES;
  }

  /** veth_get_iflink: the peer's ifindex (in the peer's namespace), 0 without a peer. */
  override iflink(): number {
    return this.peer ? this.peer.ifindex : 0;
  }

  /** veth_get_link_net. */
  override linkNs(): NetNs {
    return this.peer ? this.peer.ns : this.ns;
  }

  /** veth_open: carrier on for both ends once both are up. */
  override open(): void {
    super.open();
    if (this.peer?.up) {
      this.setCarrier(true);
      this.peer.setCarrier(true);
    }
  }

  /** veth_close: carrier off for both ends. */
  override stop(): void {
    super.stop();
    this.setCarrier(false);
    this.peer?.setCarrier(false);
  }
}
