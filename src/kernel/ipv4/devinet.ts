// IPv4 addresses on devices (net/ipv4/devinet.c: in_device, in_ifaddr) and the routes they
// imply (net/ipv4/fib_frontend.c: fib_add_ifaddr, fib_del_ifaddr): a `local` route per address,
// and for a primary a prefix route and the subnet's broadcast route.
import { prefixMask } from '../../wire/addr.ts';
import { IFF_LOOPBACK, type NetDevice } from '../device.ts';
import { EADDRNOTAVAIL, EEXIST, EINVAL, KernelError } from '../errors.ts';
import {
  IFA_F_DEPRECATED, IFA_F_NOPREFIXROUTE, IFA_F_PERMANENT, IFA_F_SECONDARY, INFINITY_LIFE_TIME, RT_SCOPE_HOST,
  RT_SCOPE_LINK, RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_KERNEL, type RouteType,
} from './constants.ts';
import { newRoute } from './fib.ts';
import type { Ipv4 } from './ipv4.ts';

export interface InIfAddr {
  dev: NetDevice;
  /** The address (IFA_LOCAL). */
  local: number;
  /** The peer address for point-to-point (IFA_ADDRESS); equals `local` otherwise. */
  address: number;
  prefixlen: number;
  /** Broadcast address, 0 when none was given. */
  broadcast: number;
  scope: number;
  label: string;
  flags: number;
  /** Lifetimes in seconds as given (INFINITY_LIFE_TIME for forever). */
  validLft: number;
  preferredLft: number;
  /** Metric of the prefix route (`metric` on `ip addr add`). */
  rtPriority: number;
  /** Virtual time (ms) the lifetimes were last set (ifa_tstamp). */
  tstamp: number;
}

/** inet_ifa_match: `addr` is in the subnet of `ifa`. */
export function ifaMatch(addr: number, ifa: InIfAddr): boolean {
  return ((addr ^ ifa.address) & prefixMask(ifa.prefixlen)) === 0;
}

function sameSubnet(a: InIfAddr, b: InIfAddr): boolean {
  return a.prefixlen === b.prefixlen && ifaMatch(a.address, b);
}

/** ipv4_is_zeronet: 0.0.0.0/8. */
function zeronet(addr: number): boolean {
  return addr >>> 24 === 0;
}

export interface AddAddressRequest {
  dev: NetDevice;
  local: number;
  address?: number;
  prefixlen: number;
  broadcast?: number;
  scope?: number;
  label?: string;
  flags?: number;
  validLft?: number;
  preferredLft?: number;
  metric?: number;
}

/** Lifetimes left, in seconds, as the kernel reports them (inet_fill_ifaddr). */
export function ifaLifetimes(ifa: InIfAddr, now: number): { valid: number; preferred: number } {
  if (ifa.flags & IFA_F_PERMANENT) return { valid: INFINITY_LIFE_TIME, preferred: INFINITY_LIFE_TIME };
  let valid = ifa.validLft;
  let preferred = ifa.preferredLft;
  if (preferred !== INFINITY_LIFE_TIME) {
    const t = Math.floor((now - ifa.tstamp) / 1000);
    preferred = preferred > t ? preferred - t : 0;
    if (valid !== INFINITY_LIFE_TIME) valid = valid > t ? valid - t : 0;
  }
  return { valid, preferred };
}

export class Devinet {
  /** Addresses per device, in the kernel's list order (primaries by scope, then secondaries). */
  readonly byDev = new Map<NetDevice, InIfAddr[]>();

  constructor(private readonly ip: Ipv4) {}

  list(dev: NetDevice): InIfAddr[] {
    return this.byDev.get(dev) ?? [];
  }

  all(): InIfAddr[] {
    return [...this.byDev.values()].flat();
  }

  /** The first primary address of a device within a scope (inet_select_addr's candidate). */
  primary(dev: NetDevice, scopeMax = RT_SCOPE_LINK): InIfAddr | undefined {
    return this.list(dev).find((a) => !(a.flags & IFA_F_SECONDARY) && a.scope <= scopeMax);
  }

  /** True if `addr` is configured on any device of the namespace. */
  isLocal(addr: number): boolean {
    for (const list of this.byDev.values()) for (const a of list) if (a.local === addr) return true;
    return false;
  }

  /**
   * inet_rtm_newaddr. An address that exists (same local, prefix and subnet) fails with EEXIST
   * for `add`; for `change`/`replace` only its metric and lifetimes are updated.
   */
  add(req: AddAddressRequest, mode: 'add' | 'replace' = 'add'): InIfAddr {
    if (req.prefixlen > 32) throw new KernelError(EINVAL, 'ipv4: Invalid prefix length');
    const ifa: InIfAddr = {
      dev: req.dev, local: req.local >>> 0, address: (req.address ?? req.local) >>> 0, prefixlen: req.prefixlen,
      broadcast: (req.broadcast ?? 0) >>> 0, scope: req.scope ?? 0, label: req.label ?? req.dev.name,
      flags: (req.flags ?? 0) & ~IFA_F_SECONDARY, validLft: INFINITY_LIFE_TIME, preferredLft: INFINITY_LIFE_TIME,
      rtPriority: req.metric ?? 0, tstamp: 0,
    };
    const existing = this.list(req.dev).find((a) => a.prefixlen === ifa.prefixlen && ifaMatch(ifa.address, a) && a.local === ifa.local);
    if (existing) {
      if (mode === 'add') throw new KernelError(EEXIST, 'ipv4: Address already assigned');
      if (existing.rtPriority !== ifa.rtPriority) this.modifyPrefixMetric(existing, ifa.rtPriority);
      this.setLifetime(existing, req.validLft, req.preferredLft);
      return existing;
    }
    this.setLifetime(ifa, req.validLft, req.preferredLft);
    this.insert(ifa);
    return ifa;
  }

  /** set_ifa_lifetime. */
  private setLifetime(ifa: InIfAddr, valid = INFINITY_LIFE_TIME, preferred = INFINITY_LIFE_TIME): void {
    ifa.flags &= ~(IFA_F_PERMANENT | IFA_F_DEPRECATED);
    ifa.validLft = valid;
    ifa.preferredLft = preferred;
    if (valid === INFINITY_LIFE_TIME) ifa.flags |= IFA_F_PERMANENT;
    if (preferred === 0) ifa.flags |= IFA_F_DEPRECATED;
    ifa.tstamp = this.ip.ns.world.now();
    if (valid !== INFINITY_LIFE_TIME) {
      const stamp = ifa.tstamp;
      this.ip.ns.world.clock.setTimeout(() => {
        // check_lifetime: an address whose valid lifetime ran out is deleted.
        if (ifa.tstamp === stamp && this.list(ifa.dev).includes(ifa)) this.ip.ns.world.rtnl(() => this.delete(ifa));
      }, valid * 1000);
    }
    if (preferred !== INFINITY_LIFE_TIME && preferred !== 0) {
      const stamp = ifa.tstamp;
      this.ip.ns.world.clock.setTimeout(() => {
        if (ifa.tstamp === stamp) ifa.flags |= IFA_F_DEPRECATED;
      }, preferred * 1000);
    }
  }

  /** __inet_insert_ifa. */
  private insert(ifa: InIfAddr): void {
    const list = this.list(ifa.dev);
    let lastPrimary = -1;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (!(a.flags & IFA_F_SECONDARY) && ifa.scope <= a.scope) lastPrimary = i;
      if (a.prefixlen === ifa.prefixlen && ifaMatch(a.address, ifa)) {
        if (a.local === ifa.local) throw new KernelError(EEXIST, 'ipv4: Address already assigned');
        if (a.scope !== ifa.scope) throw new KernelError(EINVAL, 'ipv4: Invalid scope value');
        ifa.flags |= IFA_F_SECONDARY;
      }
    }
    if (ifa.flags & IFA_F_SECONDARY) list.push(ifa);
    else list.splice(lastPrimary + 1, 0, ifa);
    this.byDev.set(ifa.dev, list);
    this.addRoutes(ifa);
  }

  /** inet_rtm_deladdr: the first address matching local, label and (when given) prefix. */
  find(dev: NetDevice, sel: { local?: number; prefixlen?: number; address?: number; label?: string }): InIfAddr {
    const a = this.list(dev).find((x) =>
      (sel.local === undefined || x.local === sel.local) &&
      (sel.label === undefined || x.label === sel.label) &&
      (sel.address === undefined || (x.prefixlen === sel.prefixlen && ifaMatch(sel.address, x))));
    if (!a) throw new KernelError(EADDRNOTAVAIL, 'ipv4: Address not found');
    return a;
  }

  /**
   * __inet_del_ifa: a primary takes the secondaries of its subnet with it, unless
   * promote_secondaries is set, in which case the first of them becomes the primary.
   * Returns the addresses that went.
   */
  delete(ifa1: InIfAddr): InIfAddr[] {
    const list = this.list(ifa1.dev);
    const gone: InIfAddr[] = [];
    const sys = this.ip.ns.sysctl;
    const promoteOn = sys.get(`net.ipv4.conf.${ifa1.dev.name}.promote_secondaries`) === '1' ||
      sys.get('net.ipv4.conf.all.promote_secondaries') === '1';
    let promote: InIfAddr | undefined;
    let prevProm: InIfAddr | undefined;
    let lastPrim: InIfAddr | undefined;
    const pos1 = list.indexOf(ifa1);
    if (!(ifa1.flags & IFA_F_SECONDARY)) {
      for (const ifa of list.slice(pos1 + 1)) {
        if (!(ifa.flags & IFA_F_SECONDARY) && ifa1.scope <= ifa.scope) lastPrim = ifa;
        if (!(ifa.flags & IFA_F_SECONDARY) || !sameSubnet(ifa, ifa1)) {
          prevProm = ifa;
          continue;
        }
        if (promoteOn) {
          promote = ifa;
          break;
        }
        list.splice(list.indexOf(ifa), 1);
        gone.push(ifa);
        this.addressGone(ifa);
      }
    }
    if (promote) {
      // Routes of the subnet's secondaries change their prefsrc: remove them first.
      for (const ifa of list.slice(list.indexOf(promote))) if (sameSubnet(ifa, ifa1)) this.delRoutes(ifa, ifa1);
    }
    list.splice(pos1, 1);
    gone.push(ifa1);
    this.addressGone(ifa1);
    if (promote) {
      const nextSec = list.slice(list.indexOf(promote) + 1);
      if (prevProm) {
        // The promoted address moves to just after the last primary of its scope or wider.
        list.splice(list.indexOf(promote), 1);
        list.splice(lastPrim ? list.indexOf(lastPrim) + 1 : pos1, 0, promote);
      }
      promote.flags &= ~IFA_F_SECONDARY;
      this.addRoutes(promote);
      for (const ifa of nextSec) if (sameSubnet(ifa, ifa1)) this.addRoutes(ifa);
    }
    if (list.length === 0) this.byDev.delete(ifa1.dev);
    return gone;
  }

  /** The NETDEV_DOWN address notifier (fib_inetaddr_event) for an address that left the list. */
  private addressGone(ifa: InIfAddr): void {
    this.delRoutes(ifa);
    if (this.list(ifa.dev).length === 0) {
      // The last address went: every route through the device goes (fib_disable_ip).
      for (const t of this.ip.tables.values()) t.removeWhere((r) => r.dev === ifa.dev);
      this.ip.routesChanged();
    }
  }

  /** Device came up: every address gets its routes (again). */
  devUp(dev: NetDevice): void {
    for (const a of this.list(dev)) this.addRoutes(a);
  }

  /** Device removed from the namespace (inetdev_destroy): addresses and their routes go. */
  devGone(dev: NetDevice): void {
    const list = this.list(dev);
    this.byDev.delete(dev);
    for (const a of [...list]) this.delRoutes(a);
  }

  /** inet_ifa_byprefix: the primary address of a subnet. */
  private byPrefix(dev: NetDevice, prefix: number, prefixlen: number): InIfAddr | undefined {
    return this.list(dev).find((a) => !(a.flags & IFA_F_SECONDARY) && a.prefixlen === prefixlen && ifaMatch(prefix, a));
  }

  /** fib_magic(RTM_NEWROUTE / RTM_DELROUTE, …). */
  private magic(add: boolean, type: RouteType, dst: number, len: number, prim: InIfAddr, priority: number): void {
    const table = type === 'unicast' ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
    const scope = type === 'local' ? RT_SCOPE_HOST : RT_SCOPE_LINK;
    const dstNet = (dst & prefixMask(len)) >>> 0;
    const t = this.ip.table(table, add);
    if (!t) return;
    const match = t.routes.find((r) => r.type === type && r.dst === dstNet && r.len === len && r.tos === 0 && r.dev === prim.dev &&
      r.prefsrc === prim.local && r.protocol === RTPROT_KERNEL && r.scope === scope && r.gateway === 0 && (!add || r.priority === priority));
    if (add) {
      if (match) return;
      t.insert(newRoute({ table, type, dst: dstNet, len, protocol: RTPROT_KERNEL, priority, scope, prefsrc: prim.local, dev: prim.dev }));
    } else {
      if (!match) return;
      t.remove(match);
    }
    this.ip.routesChanged();
  }

  /** fib_modify_prefix_metric: the prefix route moves to the new metric. */
  private modifyPrefixMetric(ifa: InIfAddr, metric: number): void {
    const prefix = (ifa.address & prefixMask(ifa.prefixlen)) >>> 0;
    if (!ifa.dev.up || ifa.flags & (IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE) || zeronet(prefix) || ifa.prefixlen === 32) {
      ifa.rtPriority = metric;
      return;
    }
    const type: RouteType = ifa.dev.flags & IFF_LOOPBACK ? 'local' : 'unicast';
    this.magic(false, type, prefix, ifa.prefixlen, ifa, ifa.rtPriority);
    ifa.rtPriority = metric;
    this.magic(true, type, prefix, ifa.prefixlen, ifa, metric);
  }

  /** fib_add_ifaddr. */
  addRoutes(ifa: InIfAddr): void {
    const dev = ifa.dev;
    const mask = prefixMask(ifa.prefixlen);
    const prefix = (ifa.address & mask) >>> 0;
    const prim = ifa.flags & IFA_F_SECONDARY ? this.byPrefix(dev, prefix, ifa.prefixlen) : ifa;
    if (!prim) return;
    this.magic(true, 'local', ifa.local, 32, prim, 0);
    if (!dev.up) return;
    if (ifa.broadcast && ifa.broadcast !== 0xffffffff) this.magic(true, 'broadcast', ifa.broadcast, 32, prim, 0);
    if (!zeronet(prefix) && !(ifa.flags & IFA_F_SECONDARY) && (prefix !== ifa.local || ifa.prefixlen < 32)) {
      if (!(ifa.flags & IFA_F_NOPREFIXROUTE)) {
        this.magic(true, dev.flags & IFF_LOOPBACK ? 'local' : 'unicast', prefix, ifa.prefixlen, prim, ifa.rtPriority);
      }
      // The subnet broadcast, except for /31 and /32.
      if (ifa.prefixlen < 31) this.magic(true, 'broadcast', (prefix | ~mask) >>> 0, 32, prim, 0);
    }
  }

  /** fib_del_ifaddr: removes the routes no remaining address of the device still needs. */
  delRoutes(ifa: InIfAddr, iprim?: InIfAddr): void {
    const dev = ifa.dev;
    const mask = prefixMask(ifa.prefixlen);
    const brd = (ifa.address | ~mask) >>> 0;
    const any = (ifa.address & mask) >>> 0;
    let prim: InIfAddr = ifa;
    let subnet = false;
    const LOCAL_OK = 1, BRD_OK = 2, BRD0_OK = 4, BRD1_OK = 8;
    let ok = 0;
    const list = this.list(dev);
    if (ifa.flags & IFA_F_SECONDARY) {
      const p = this.byPrefix(dev, any, ifa.prefixlen);
      if (!p) return;
      prim = p;
    } else if (!zeronet(any) && (any !== ifa.local || ifa.prefixlen < 32)) {
      if (!(ifa.flags & IFA_F_NOPREFIXROUTE)) this.magic(false, dev.flags & IFF_LOOPBACK ? 'local' : 'unicast', any, ifa.prefixlen, prim, 0);
      subnet = true;
    }
    let gone = true;
    let prim1: InIfAddr | undefined;
    let samePrefsrc = false;
    for (const ifa1 of list) {
      if (ifa1 === ifa) {
        gone = false;
        continue;
      }
      if (iprim && ifa1.prefixlen === iprim.prefixlen && ifaMatch(ifa1.address, iprim)) continue;
      if (ifa1.flags & IFA_F_SECONDARY) {
        if (ifa1.prefixlen === prim.prefixlen && ifaMatch(ifa1.address, prim)) {
          prim1 = prim;
        } else {
          if (!samePrefsrc) continue;
          if (!prim1 || ifa1.prefixlen !== prim1.prefixlen || !ifaMatch(ifa1.address, prim1)) prim1 = this.byPrefix(dev, ifa1.address, ifa1.prefixlen);
          if (!prim1 || prim1.local !== prim.local) continue;
        }
      } else {
        if (prim.local !== ifa1.local) continue;
        prim1 = ifa1;
        if (prim !== prim1) samePrefsrc = true;
      }
      if (ifa.local === ifa1.local) ok |= LOCAL_OK;
      if (ifa.broadcast === ifa1.broadcast) ok |= BRD_OK;
      if (brd === ifa1.broadcast) ok |= BRD1_OK;
      if (any === ifa1.broadcast) ok |= BRD0_OK;
      if (prim1 === ifa1 && ifa1.prefixlen < 31) {
        const m1 = prefixMask(ifa1.prefixlen);
        const brd1 = (ifa1.address | ~m1) >>> 0;
        const any1 = (ifa1.address & m1) >>> 0;
        if (!zeronet(any1)) {
          if (ifa.broadcast === brd1 || ifa.broadcast === any1) ok |= BRD_OK;
          if (brd === brd1 || brd === any1) ok |= BRD1_OK;
          if (any === brd1 || any === any1) ok |= BRD0_OK;
        }
      }
    }
    if (!(ok & BRD_OK)) this.magic(false, 'broadcast', ifa.broadcast, 32, prim, 0);
    if (subnet && ifa.prefixlen < 31) {
      if (!(ok & BRD1_OK)) this.magic(false, 'broadcast', brd, 32, prim, 0);
      if (!(ok & BRD0_OK)) this.magic(false, 'broadcast', any, 32, prim, 0);
    }
    if (!(ok & LOCAL_OK)) {
      this.magic(false, 'local', ifa.local, 32, prim, 0);
      if (gone && !this.isLocal(ifa.local)) {
        // fib_sync_down_addr: main-table routes that used the address as prefsrc go too.
        const main = this.ip.table(RT_TABLE_MAIN, false);
        if (main?.removeWhere((r) => r.prefsrc === ifa.local).length) this.ip.routesChanged();
      }
    }
  }
}
