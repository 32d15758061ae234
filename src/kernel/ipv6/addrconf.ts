// The little of IPv6 nslab models (net/ipv6/addrconf.c): the addresses the kernel configures by
// itself when IPv6 is not disabled — ::1 on loopback when it comes up, and an EUI-64
// link-local address on an Ethernet device once it is up with carrier (tentative until
// duplicate address detection ends). Nothing IPv6 is sent or received.
import { IFF_LOOPBACK, type NetDevice } from '../device.ts';
import { EACCES, EADDRNOTAVAIL, EEXIST, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { IFA_F_PERMANENT, IFA_F_TENTATIVE, INFINITY_LIFE_TIME, RT_SCOPE_HOST, RT_SCOPE_LINK } from '../ipv4/constants.ts';

export interface Inet6IfAddr {
  dev: NetDevice;
  /** 16 bytes. */
  addr: Uint8Array;
  prefixlen: number;
  scope: number;
  flags: number;
  validLft: number;
  preferredLft: number;
}

/** DAD: up to rtr_solicit_delay (1 s) before the one probe, then retrans_time (1 s). */
const DAD_RETRANS_MS = 1000;
const RTR_SOLICIT_DELAY_MS = 1000;

export class Addrconf {
  private readonly byDev = new Map<NetDevice, Inet6IfAddr[]>();

  constructor(private readonly ns: NetNs) {}

  list(dev: NetDevice): Inet6IfAddr[] {
    return this.byDev.get(dev) ?? [];
  }

  /** net.ipv6.conf.DEV.disable_ipv6. */
  disabled(dev: NetDevice): boolean {
    return this.ns.sysctl.get(`net.ipv6.conf.${dev.name}.disable_ipv6`) === '1';
  }

  /** NETDEV_UP: loopback gets ::1; others get their link-local once the link is ready. */
  devUp(dev: NetDevice): void {
    if (this.disabled(dev)) return;
    if (dev.flags & IFF_LOOPBACK) {
      if (!this.list(dev).length) this.add(dev, loopbackAddr(), 128, RT_SCOPE_HOST, IFA_F_PERMANENT);
      return;
    }
    this.devChange(dev);
  }

  /** NETDEV_CHANGE: a device whose link became ready gets its link-local address. */
  devChange(dev: NetDevice): void {
    if (!dev.up || this.disabled(dev) || dev.flags & IFF_LOOPBACK || dev.type !== 1) return;
    const ready = dev.operState === 'UP' || dev.operState === 'UNKNOWN';
    if (!ready || this.list(dev).some((a) => a.scope === RT_SCOPE_LINK)) return;
    this.dad(this.add(dev, eui64LinkLocal(dev.mac), 64, RT_SCOPE_LINK, IFA_F_PERMANENT | IFA_F_TENTATIVE));
  }

  /** NETDEV_DOWN / NETDEV_UNREGISTER, or IPv6 disabled: every address goes. */
  devDown(dev: NetDevice): void {
    this.byDev.delete(dev);
  }

  /** disable_ipv6 changed for a device. */
  disableChanged(dev: NetDevice): void {
    if (this.disabled(dev)) this.devDown(dev);
    else if (dev.up) this.devUp(dev);
  }

  /**
   * `ip addr add ADDR/LEN dev DEV` for IPv6 (inet6_addr_add): refused while IPv6 is disabled on
   * the device; tentative until DAD ends when the device is up.
   */
  addManual(dev: NetDevice, addr: Uint8Array, prefixlen: number, flags: number): Inet6IfAddr {
    if (this.disabled(dev)) throw new KernelError(EACCES, 'ipv6: IPv6 is disabled on this device');
    if (this.list(dev).some((a) => a.prefixlen === prefixlen && sameAddr(a.addr, addr))) throw new KernelError(EEXIST);
    const a = this.add(dev, addr, prefixlen, ipv6Scope(addr), flags | IFA_F_PERMANENT | (dev.up ? IFA_F_TENTATIVE : 0));
    if (dev.up) this.dad(a);
    return a;
  }

  /** inet6_addr_del. */
  remove(a: Inet6IfAddr): void {
    const list = this.list(a.dev);
    const i = list.indexOf(a);
    if (i < 0) throw new KernelError(EADDRNOTAVAIL);
    list.splice(i, 1);
    if (!list.length) this.byDev.delete(a.dev);
  }

  private dad(a: Inet6IfAddr): void {
    const delay = this.ns.world.rng.below(RTR_SOLICIT_DELAY_MS) + DAD_RETRANS_MS;
    this.ns.world.clock.setTimeout(() => {
      a.flags &= ~IFA_F_TENTATIVE;
    }, delay);
  }

  /** ipv6_link_dev_addr: a device's list is sorted by scope, wider first, newest first within one. */
  private add(dev: NetDevice, addr: Uint8Array, prefixlen: number, scope: number, flags: number): Inet6IfAddr {
    const a: Inet6IfAddr = { dev, addr, prefixlen, scope, flags, validLft: INFINITY_LIFE_TIME, preferredLft: INFINITY_LIFE_TIME };
    const list = this.byDev.get(dev) ?? [];
    const rank = srcScope(addr);
    const at = list.findIndex((x) => rank >= srcScope(x.addr));
    list.splice(at < 0 ? list.length : at, 0, a);
    this.byDev.set(dev, list);
    return a;
  }
}

function sameAddr(a: Uint8Array, b: Uint8Array): boolean {
  return a.every((x, i) => x === b[i]);
}

/** ipv6_addr_scope as an rtnetlink scope: host for ::1, link for fe80::/10, site for fec0::/10. */
export function ipv6Scope(a: Uint8Array): number {
  if (a.every((x, i) => x === (i === 15 ? 1 : 0))) return RT_SCOPE_HOST;
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0x80) return RT_SCOPE_LINK;
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0xc0) return 200;
  return 0;
}

/** ipv6_addr_src_scope: larger is wider (global 0xe, site 5, link and loopback 2). */
function srcScope(a: Uint8Array): number {
  const s = ipv6Scope(a);
  return s === 0 ? 0xe : s === 200 ? 5 : 2;
}

function loopbackAddr(): Uint8Array {
  const a = new Uint8Array(16);
  a[15] = 1;
  return a;
}

/** fe80::/64 with the interface id made from the MAC (U/L bit flipped, ff:fe in the middle). */
export function eui64LinkLocal(mac: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  a.set([mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]], 8);
  return a;
}

/** RFC 5952 text form, as inet_ntop prints it. */
export function formatIpv6(a: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((a[i] << 8) | a[i + 1]);
  // The longest run of two or more zero words becomes "::" (the first one on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped and -compatible forms are printed with a dotted quad, as glibc does.
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff)) && !(bestLen === 6 && words[6] === 0 && words[7] <= 1)) {
    const v4 = `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}
