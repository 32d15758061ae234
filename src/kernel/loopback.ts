// The loopback device: every namespace has one, ifindex 1, down until `ip link set lo up`.
// It always has carrier and never gets link watch events, so its operstate stays UNKNOWN.
import { IFF_LOOPBACK, NET_ADDR_PERM, NetDevice } from './device.ts';
import type { NetNs } from './netns.ts';

export const ARPHRD_LOOPBACK = 772;

export class Loopback extends NetDevice {
  readonly kind = 'loopback';
  readonly type = ARPHRD_LOOPBACK;
  readonly driver = '';

  constructor(ns: NetNs) {
    super(ns, 'lo', IFF_LOOPBACK);
    this.addrAssignType = NET_ADDR_PERM;
    this.broadcast.fill(0);
    this.mtu = 65536;
    this.minMtu = 0;
    this.maxMtu = 0;
  }
}
