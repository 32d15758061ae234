// The FDB's control side (br_fdb.c): local entries for the ports' and the bridge's MACs, entries
// the user adds, replaces and deletes, flushing, and the garbage collection that ages entries.
import { EEXIST, EINVAL, ENOENT, EPERM, KernelError } from '../errors.ts';
import { isValidEtherAddr } from '../device.ts';
import type { Bridge } from './bridge.ts';
import { FDB_ADDED_BY_USER, FDB_LOCAL, FDB_STATIC, FDB_STICKY, FDB_TO_BRIDGE, macHi, macLo } from './fdb.ts';
import { BR_STATE_FORWARDING, BR_STATE_LEARNING, type BridgePort } from './port.ts';
import { MS_PER_JIFFY } from './timer.ts';

/** NUD states of `bridge fdb`. */
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;

/** hold_time: the forward delay while a topology change lasts, else the ageing time (ms). */
function holdTimeMs(br: Bridge): number {
  return (br.topologyChange ? br.forwardDelay : br.ageingTime) * MS_PER_JIFFY;
}

function hasExpired(br: Bridge, id: number): boolean {
  return !(br.fdb.flags[id] & FDB_STATIC) && br.fdb.updated[id] + holdTimeMs(br) <= br.ns.world.clock.now;
}

/** fdb_to_nud. */
export function fdbToNud(br: Bridge, id: number): number {
  const f = br.fdb.flags[id];
  if (f & FDB_LOCAL) return NUD_PERMANENT;
  if (f & FDB_STATIC) return NUD_NOARP;
  return hasExpired(br, id) ? NUD_STALE : NUD_REACHABLE;
}

/** fdb_add_local: a local (permanent) entry for a port's or the bridge's MAC. */
export function fdbAddLocal(br: Bridge, portNo: number, mac: Uint8Array): void {
  if (!isValidEtherAddr(mac)) return;
  const fdb = br.fdb;
  const hi = macHi(mac);
  const lo = macLo(mac);
  const id = fdb.findKey(hi, lo);
  if (id >= 0) {
    if (fdb.flags[id] & FDB_LOCAL) return;
    fdb.delete(id);
  }
  fdb.create(hi, lo, portNo, FDB_LOCAL | FDB_STATIC, br.ns.world.clock.now);
}

/** fdb_delete_local: a local entry moves to another port (or the bridge) with the same MAC, or goes. */
function fdbDeleteLocal(br: Bridge, portNo: number, id: number): void {
  const fdb = br.fdb;
  const hi = fdb.hi[id];
  const lo = fdb.lo[id];
  for (const op of br.ports) {
    if (op.portNo !== portNo && macHi(op.dev.mac) === hi && macLo(op.dev.mac) === lo) {
      fdb.port[id] = op.portNo;
      fdb.flags[id] &= ~FDB_ADDED_BY_USER;
      return;
    }
  }
  if (portNo !== FDB_TO_BRIDGE && macHi(br.mac) === hi && macLo(br.mac) === lo) {
    fdb.port[id] = FDB_TO_BRIDGE;
    fdb.flags[id] &= ~FDB_ADDED_BY_USER;
    return;
  }
  fdb.delete(id);
}

/** br_fdb_changeaddr: a port's MAC changed. */
export function fdbChangeAddr(p: BridgePort, mac: Uint8Array): void {
  const fdb = p.br.fdb;
  for (const id of fdb.ids()) {
    if (fdb.port[id] === p.portNo && fdb.flags[id] & FDB_LOCAL && !(fdb.flags[id] & FDB_ADDED_BY_USER)) {
      fdbDeleteLocal(p.br, p.portNo, id);
      break;
    }
  }
  fdbAddLocal(p.br, p.portNo, mac);
}

/** br_fdb_change_mac_address: the bridge's own MAC changed. */
export function fdbChangeMacAddress(br: Bridge, mac: Uint8Array): void {
  const fdb = br.fdb;
  const id = fdb.find(br.mac, 0);
  if (id >= 0 && fdb.flags[id] & FDB_LOCAL && fdb.port[id] === FDB_TO_BRIDGE && !(fdb.flags[id] & FDB_ADDED_BY_USER)) {
    fdbDeleteLocal(br, FDB_TO_BRIDGE, id);
  }
  fdbAddLocal(br, FDB_TO_BRIDGE, mac);
}

/** br_fdb_delete_by_port: the port's dynamic entries, or all of them (`all`). */
export function fdbDeleteByPort(br: Bridge, portNo: number, all: boolean): void {
  const fdb = br.fdb;
  for (const id of fdb.ids()) {
    if (fdb.port[id] !== portNo) continue;
    if (!all && fdb.flags[id] & FDB_STATIC) continue;
    if (fdb.flags[id] & FDB_LOCAL) fdbDeleteLocal(br, portNo, id);
    else fdb.delete(id);
  }
}

/** br_fdb_cleanup (the gc work): expired entries go; it runs again when the next one expires. */
export function fdbCleanup(br: Bridge): void {
  const fdb = br.fdb;
  const now = br.ns.world.clock.now;
  const hold = holdTimeMs(br);
  let delay = hold;
  for (const id of fdb.ids()) {
    if (fdb.flags[id] & FDB_STATIC) continue;
    const expires = fdb.updated[id] + hold;
    if (expires > now) delay = Math.min(delay, expires - now);
    else fdb.delete(id);
  }
  br.scheduleGc(Math.max(Math.ceil(delay / MS_PER_JIFFY), Math.ceil(10 / MS_PER_JIFFY)));
}

export interface FdbFlushFilter {
  /** Only entries behind this port (0: the bridge itself; undefined: any). */
  port?: number;
  /** Only entries whose FDB_LOCAL/FDB_STATIC flags under `mask` equal `flags`. */
  flags: number;
  mask: number;
}

/** br_fdb_flush: every entry matching the filter. */
export function fdbFlush(br: Bridge, f: FdbFlushFilter): void {
  const fdb = br.fdb;
  for (const id of fdb.ids()) {
    if (f.port !== undefined && fdb.port[id] !== f.port) continue;
    if (f.mask && (fdb.flags[id] & f.mask) !== f.flags) continue;
    fdb.delete(id);
  }
}

/**
 * fdb_add_entry (`bridge fdb add/append/replace … master`, `… dev BRIDGE self`): `port` is
 * undefined for the bridge itself.
 */
export function fdbAddEntry(br: Bridge, p: BridgePort | undefined, mac: Uint8Array, state: number, sticky: boolean, create: boolean, excl: boolean): void {
  if (!(state & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE))) throw new KernelError(EINVAL);
  if (mac.every((b) => b === 0)) throw new KernelError(EINVAL);
  if (p && !(state & NUD_PERMANENT) && !(state & NUD_NOARP) && p.state !== BR_STATE_LEARNING && p.state !== BR_STATE_FORWARDING) {
    throw new KernelError(EPERM);
  }
  if (!p && !(state & NUD_PERMANENT)) throw new KernelError(EINVAL);
  if (sticky && state & NUD_PERMANENT) throw new KernelError(EINVAL);
  const fdb = br.fdb;
  const portNo = p ? p.portNo : FDB_TO_BRIDGE;
  const now = br.ns.world.clock.now;
  let id = fdb.find(mac, 0);
  let modified = false;
  if (id < 0) {
    if (!create) throw new KernelError(ENOENT);
    id = fdb.create(macHi(mac), macLo(mac), portNo, 0, now);
    modified = true;
  } else {
    if (excl) throw new KernelError(EEXIST);
    if (fdb.port[id] !== portNo) {
      fdb.port[id] = portNo;
      modified = true;
    }
  }
  if (fdbToNud(br, id) !== state) {
    if (state & NUD_PERMANENT) fdb.flags[id] |= FDB_LOCAL | FDB_STATIC;
    else if (state & NUD_NOARP) fdb.flags[id] = (fdb.flags[id] & ~FDB_LOCAL) | FDB_STATIC;
    else fdb.flags[id] &= ~(FDB_LOCAL | FDB_STATIC);
    modified = true;
  }
  if (sticky !== Boolean(fdb.flags[id] & FDB_STICKY)) {
    fdb.flags[id] ^= FDB_STICKY;
    modified = true;
  }
  fdb.flags[id] |= FDB_ADDED_BY_USER;
  fdb.used[id] = now;
  if (modified) fdb.updated[id] = now;
}

/** fdb_delete_by_addr_and_port (`bridge fdb del`). */
export function fdbDeleteEntry(br: Bridge, p: BridgePort | undefined, mac: Uint8Array): void {
  const fdb = br.fdb;
  const id = fdb.find(mac, 0);
  if (id < 0 || fdb.port[id] !== (p ? p.portNo : FDB_TO_BRIDGE)) throw new KernelError(ENOENT);
  fdb.delete(id);
}

/** An entry as brctl showmacs reads it (br_fdb_fillbuf). */
export interface FdbRecord {
  mac: Uint8Array;
  portNo: number;
  isLocal: boolean;
  /** clock_t since the last update (0 for static entries). */
  ageing: number;
}

/** br_fdb_fillbuf: entries behind a port that have not expired, in list order. */
export function fdbFillbuf(br: Bridge): FdbRecord[] {
  const fdb = br.fdb;
  const out: FdbRecord[] = [];
  const now = br.ns.world.clock.now;
  for (const id of fdb.ids()) {
    if (hasExpired(br, id) || fdb.port[id] === FDB_TO_BRIDGE) continue;
    const ageJiffies = Math.floor(now / MS_PER_JIFFY) - Math.floor(fdb.updated[id] / MS_PER_JIFFY);
    out.push({
      mac: fdb.mac(id), portNo: fdb.port[id], isLocal: Boolean(fdb.flags[id] & FDB_LOCAL),
      ageing: fdb.flags[id] & FDB_STATIC ? 0 : Math.floor((ageJiffies * 100) / 250),
    });
  }
  return out;
}
