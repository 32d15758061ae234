// A device's unicast and multicast address lists (dev->uc, dev->mc), which `bridge fdb show`
// lists as `self permanent` entries (ndo_dflt_fdb_dump) and `bridge fdb add … self` extends.
import { EEXIST, EINVAL, ENOENT, KernelError } from '../errors.ts';
import type { NetDevice } from '../device.ts';
import { Bridge } from './bridge.ts';
import { formatMac } from '../../wire/addr.ts';

const uc = new WeakMap<NetDevice, string[]>();
const mcExtra = new WeakMap<NetDevice, string[]>();

/** The unicast list: addresses added with `bridge fdb add … self` on a device without an FDB. */
export function devUcList(dev: NetDevice): readonly string[] {
  return uc.get(dev) ?? [];
}

/** The multicast list, in the order the kernel keeps it. */
export function devMcList(dev: NetDevice): string[] {
  // IPv6's all-nodes group is joined at registration, even with IPv6 disabled.
  const out = ['33:33:00:00:00:01'];
  if (dev instanceof Bridge) out.push(...dev.mcAddresses());
  else if (dev.up) out.push('01:00:5e:00:00:01');
  out.push(...(mcExtra.get(dev) ?? []));
  return out;
}

/** ndo_dflt_fdb_add: permanent addresses only, unicast to dev->uc, multicast to dev->mc (exclusive). */
export function dfltFdbAdd(dev: NetDevice, mac: Uint8Array, state: number): void {
  if (state && !(state & 0x80)) throw new KernelError(EINVAL);
  const text = formatMac(mac);
  const linkLocal = mac[0] === 0x01 && mac[1] === 0x80 && mac[2] === 0xc2 && mac[3] === 0 && mac[4] === 0 && (mac[5] & 0xf0) === 0;
  const map = !(mac[0] & 1) || linkLocal ? uc : mcExtra;
  const list = map.get(dev) ?? [];
  if (list.includes(text) || devMcList(dev).includes(text)) throw new KernelError(EEXIST);
  list.push(text);
  map.set(dev, list);
}

/** ndo_dflt_fdb_del. */
export function dfltFdbDel(dev: NetDevice, mac: Uint8Array): void {
  const text = formatMac(mac);
  for (const map of [uc, mcExtra]) {
    const list = map.get(dev);
    const i = list ? list.indexOf(text) : -1;
    if (list && i >= 0) {
      list.splice(i, 1);
      return;
    }
  }
  throw new KernelError(ENOENT);
}
