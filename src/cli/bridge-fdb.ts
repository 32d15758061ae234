// `bridge fdb` (iproute2 6.1 bridge/fdb.c) and the kernel's RTM_NEWNEIGH/DELNEIGH/GETNEIGH for
// AF_BRIDGE (rtnl_fdb_add/del/dump): the bridge's FDB, and every device's own address lists.
import { Bridge } from '../kernel/bridge/bridge.ts';
import { devMcList, devUcList, dfltFdbAdd, dfltFdbDel } from '../kernel/bridge/addr-lists.ts';
import {
  NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE, NUD_STALE, fdbAddEntry, fdbDeleteEntry, fdbFlush, fdbToNud,
} from '../kernel/bridge/fdb-ops.ts';
import { FDB_ADDED_BY_USER, FDB_LOCAL, FDB_STATIC, FDB_STICKY, FDB_TO_BRIDGE } from '../kernel/bridge/fdb.ts';
import { jiffiesToClock, MS_PER_JIFFY } from '../kernel/bridge/timer.ts';
import type { NetDevice } from '../kernel/device.ts';
import { EINVAL, EOPNOTSUPP, KernelError, strerror } from '../kernel/errors.ts';
import type { NetNs } from '../kernel/netns.ts';
import { formatMac } from '../wire/addr.ts';
import { matches } from './ip/args.ts';
import { Printer } from './ip/printer.ts';
import { ToolExit } from './tool.ts';
import type { BridgeCtx } from './bridge.ts';

const NTF_USE = 0x01;
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_EXT_LEARNED = 0x10;
const NTF_OFFLOADED = 0x20;
const NTF_STICKY = 0x40;
const NTF_ROUTER = 0x80;

const FDB_USAGE = `Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
	       [ via DEV ] [ src_vni VNI ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]
       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV
              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]
       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]
              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]
              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]
              [ [no]offloaded ]
`;

/** How rtnl_talk reports a kernel error in `bridge` (exit 255). */
export function bridgeRtnl(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    throw new ToolExit(255, e.extack ? `Error: ${e.extack}.\n` : `RTNETLINK answers: ${strerror(e.errno)}\n`);
  }
}

export function bridgeFdb(ctx: BridgeCtx, argv: string[]): number {
  if (argv.length === 0) return fdbShow(ctx, []);
  const [cmd, ...rest] = argv;
  if (matches(cmd, 'add')) return fdbModify(ctx, 'add', rest);
  if (matches(cmd, 'append')) return fdbModify(ctx, 'append', rest);
  if (matches(cmd, 'replace')) return fdbModify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return fdbModify(ctx, 'del', rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return fdbShow(ctx, rest);
  if (cmd === 'flush') return fdbFlushCmd(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(255, FDB_USAGE);
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "bridge fdb help".\n`);
}

const STATE_NAMES: Array<[string, number]> = [['permanent', NUD_PERMANENT], ['static', NUD_NOARP], ['temp', NUD_NOARP], ['stale', NUD_STALE], ['reachable', NUD_REACHABLE], ['dynamic', NUD_REACHABLE]];

function stateText(s: number, json: boolean): string {
  if (s & NUD_PERMANENT) return 'permanent';
  if (s & NUD_NOARP) return 'static';
  if (s & NUD_STALE) return 'stale';
  if (s & NUD_REACHABLE) return '';
  return json ? `0x${s.toString(16)}` : `state=0x${s.toString(16)}`;
}

interface FdbMsg {
  mac: string;
  ifindex: number;
  flags: number;
  state: number;
  master?: NetDevice;
  /** NDA_CACHEINFO (clock_t) for the bridge's own entries. */
  used?: number;
  updated?: number;
}

/** rtnl_fdb_dump: per device in ifindex order, the bridge's entries for a port, then the device's own lists. */
function dump(ns: NetNs, brDev: NetDevice | undefined, brportIdx: number): FdbMsg[] {
  const out: FdbMsg[] = [];
  const dflt = (dev: NetDevice) => {
    if (dev.type !== 1) return;
    for (const mac of [...devUcList(dev), ...devMcList(dev)]) out.push({ mac, ifindex: dev.ifindex, flags: NTF_SELF, state: NUD_PERMANENT });
  };
  const brEntries = (br: Bridge, portNo: number) => {
    const fdb = br.fdb;
    const now = br.world.clock.now;
    const clock = (t: number) => jiffiesToClock(Math.floor(now / MS_PER_JIFFY) - Math.floor(t / MS_PER_JIFFY));
    for (const id of fdb.ids()) {
      if (fdb.port[id] !== portNo) continue;
      const dev = portNo === FDB_TO_BRIDGE ? br : br.portByNo[portNo]!.dev;
      out.push({
        mac: formatMac(fdb.mac(id)), ifindex: dev.ifindex, flags: fdb.flags[id] & FDB_STICKY ? NTF_STICKY : 0,
        state: fdbToNud(br, id), master: br, used: clock(fdb.used[id]), updated: clock(fdb.updated[id]),
      });
    }
  };
  for (const dev of ns.deviceList()) {
    if (brportIdx && dev.ifindex !== brportIdx) continue;
    if (brDev && dev !== brDev && !(dev.brPort && dev.master === brDev)) continue;
    if (dev.brPort) brEntries(dev.brPort.br, dev.brPort.portNo);
    if (dev instanceof Bridge) {
      dflt(dev);
      brEntries(dev, FDB_TO_BRIDGE);
    } else {
      dflt(dev);
    }
  }
  return out;
}

function fdbShow(ctx: BridgeCtx, argv: string[]): number {
  let filterDev: string | undefined;
  let br: string | undefined;
  let filterState = 0;
  let filterDynamic = false;
  let filterVlan = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
      return argv[++i];
    };
    if (a === 'brport' || a === 'dev') filterDev = next();
    else if (a === 'br') br = next();
    else if (a === 'vlan') filterVlan = Number.parseInt(next(), 10) || 0;
    else if (a === 'state') {
      const v = next();
      const named = STATE_NAMES.find(([n]) => matches(v, n));
      const s = named ? named[1] : v === 'all' ? ~0 : Number(v);
      if (!Number.isInteger(s)) throw new ToolExit(255, `Error: argument "${v}" is wrong: invalid state\n`);
      filterState |= s;
    } else if (a === 'dynamic') filterDynamic = true;
    else if (matches(a, 'help')) throw new ToolExit(255, FDB_USAGE);
  }
  const ns = ctx.ns;
  let brDev: NetDevice | undefined;
  if (br !== undefined) {
    brDev = ns.device(br);
    if (!brDev) throw new ToolExit(255, `Cannot find bridge device "${br}"\n`);
  }
  let filterIndex = 0;
  if (filterDev !== undefined) {
    const d = ns.device(filterDev);
    if (!d) throw new ToolExit(255, `Cannot find device "${filterDev}"\n`);
    filterIndex = d.ifindex;
  }
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, false);
  p.begin();
  for (const m of dump(ns, brDev, filterIndex)) {
    if (filterState && !(m.state & filterState)) continue;
    if (filterVlan) continue;
    if (filterDynamic && m.state & NUD_PERMANENT) continue;
    p.openObject();
    p.any('mac', `${m.mac} `, m.mac);
    if (!filterIndex) {
      const name = ns.deviceByIndex(m.ifindex)?.name ?? `if${m.ifindex}`;
      p.fp('dev ').any('ifname', `${name} `, name);
    }
    if (ctx.opts.stats && m.used !== undefined) {
      const u = Math.floor(m.used / 100);
      const up = Math.floor(m.updated! / 100);
      if (p.json) p.js('used', u).js('updated', up);
      else p.fp(`used ${u}/${up} `);
    }
    p.openArray('flags', '');
    const flagNames: Array<[number, string]> = [[NTF_SELF, 'self'], [NTF_ROUTER, 'router'], [NTF_EXT_LEARNED, 'extern_learn'], [NTF_OFFLOADED, 'offload'], [NTF_MASTER, 'master'], [NTF_STICKY, 'sticky']];
    for (const [bit, name] of flagNames) if (m.flags & bit) p.any(null, `${name} `, name);
    p.closeArray('');
    if (m.master) p.any('master', `master ${m.master.name} `, m.master.name);
    const st = stateText(m.state, p.json);
    p.any('state', `${st}\n`, st);
    p.closeObject();
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

/** sscanf("%hhx:%hhx:…"): six hex numbers separated by colons (each kept to its low byte). */
function parseMac(text: string): Uint8Array | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || !parts.slice(0, 6).every((x) => /^\s*(0[xX])?[0-9a-fA-F]+/.test(x))) return undefined;
  return Uint8Array.from(parts.slice(0, 6).map((x) => parseInt(x, 16) & 0xff));
}

function fdbModify(ctx: BridgeCtx, cmd: 'add' | 'append' | 'replace' | 'del', argv: string[]): number {
  let d: string | undefined;
  let addr: string | undefined;
  let flags = 0;
  let state = NUD_NOARP;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
      return argv[++i];
    };
    if (a === 'dev') d = next();
    else if (a === 'dst' || a === 'nhid' || a === 'port' || a === 'vni' || a === 'src_vni' || a === 'via') next();
    else if (a === 'self') flags |= NTF_SELF;
    else if (matches(a, 'master')) flags |= NTF_MASTER;
    else if (matches(a, 'router')) flags |= NTF_ROUTER;
    else if (matches(a, 'local') || matches(a, 'permanent')) state |= NUD_PERMANENT;
    else if (matches(a, 'temp') || matches(a, 'static')) state |= NUD_REACHABLE;
    else if (matches(a, 'dynamic')) state = (state | NUD_REACHABLE) & ~NUD_NOARP;
    else if (matches(a, 'vlan')) next();
    else if (matches(a, 'use')) flags |= NTF_USE;
    else if (matches(a, 'extern_learn')) flags |= NTF_EXT_LEARNED;
    else if (matches(a, 'sticky')) flags |= NTF_STICKY;
    else {
      let v = a;
      if (a === 'to') v = next();
      if (matches(v, 'help')) throw new ToolExit(255, FDB_USAGE);
      if (addr !== undefined) throw new ToolExit(255, `Error: either "to" is duplicate, or "${v}" is a garbage.\n`);
      addr = v;
    }
  }
  if (d === undefined || addr === undefined) throw new ToolExit(255, 'Device and address are required arguments.\n');
  if (!(flags & (NTF_SELF | NTF_MASTER))) flags |= NTF_SELF;
  if (!(state & (NUD_PERMANENT | NUD_REACHABLE))) state |= NUD_PERMANENT;
  const mac = parseMac(addr);
  if (!mac) throw new ToolExit(255, `Invalid mac address ${addr}\n`);
  const dev = ctx.ns.device(d);
  if (!dev) throw new ToolExit(255, `Cannot find device "${d}"\n`);
  bridgeRtnl(() => (cmd === 'del' ? fdbDel(dev, mac, flags) : fdbAdd(dev, mac, flags, state, cmd)));
  return 0;
}

/** rtnl_fdb_add. */
function fdbAdd(dev: NetDevice, mac: Uint8Array, flags: number, state: number, cmd: 'add' | 'append' | 'replace'): void {
  if (dev.type !== 1) throw new KernelError(EINVAL, 'FDB add only supported for Ethernet devices');
  let err: KernelError | undefined = new KernelError(EOPNOTSUPP);
  const excl = cmd === 'add';
  const sticky = (flags & NTF_STICKY) !== 0;
  if ((!flags || flags & NTF_MASTER) && dev.brPort) {
    fdbAddEntry(dev.brPort.br, dev.brPort, mac, state, sticky, true, excl);
    err = undefined;
    flags &= ~NTF_MASTER;
  }
  if (flags & NTF_SELF) {
    if (dev instanceof Bridge) fdbAddEntry(dev, undefined, mac, state, sticky, true, excl);
    else dfltFdbAdd(dev, mac, state);
    err = undefined;
  }
  if (err) throw err;
}

/** rtnl_fdb_del. */
function fdbDel(dev: NetDevice, mac: Uint8Array, flags: number): void {
  if (dev.type !== 1) throw new KernelError(EINVAL, 'FDB delete only supported for Ethernet devices');
  let err: KernelError | undefined = new KernelError(EOPNOTSUPP);
  if ((!flags || flags & NTF_MASTER) && dev.brPort) {
    fdbDeleteEntry(dev.brPort.br, dev.brPort, mac);
    err = undefined;
    flags &= ~NTF_MASTER;
  }
  if (flags & NTF_SELF) {
    if (dev instanceof Bridge) fdbDeleteEntry(dev, undefined, mac);
    else dfltFdbDel(dev, mac);
    err = undefined;
  }
  if (err) throw err;
}

/** `bridge fdb flush` (RTM_DELNEIGH with NLM_F_BULK → br_fdb_delete_bulk). */
function fdbFlushCmd(ctx: BridgeCtx, argv: string[]): number {
  let d: string | undefined;
  let port: string | undefined;
  let flags = 0;
  let stateMask = 0;
  let state = 0;
  let flagsMask = 0;
  let ntf = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
      return argv[++i];
    };
    const st = (on: boolean, bits: number, mask: number) => {
      state = on ? state | bits : state & ~bits;
      stateMask |= mask;
    };
    const fl = (on: boolean, bit: number) => {
      ntf = on ? ntf | bit : ntf & ~bit;
      flagsMask |= bit;
    };
    if (a === 'dev') d = next();
    else if (a === 'master') flags |= NTF_MASTER;
    else if (a === 'self') flags |= NTF_SELF;
    else if (a === 'permanent' || a === 'nopermanent') st(a === 'permanent', NUD_PERMANENT, NUD_PERMANENT);
    else if (a === 'static') st(true, NUD_NOARP, NUD_NOARP | NUD_PERMANENT);
    else if (a === 'nostatic') st(false, NUD_NOARP, NUD_NOARP);
    else if (a === 'dynamic') {
      state &= ~NUD_NOARP | NUD_PERMANENT;
      stateMask |= NUD_NOARP | NUD_PERMANENT;
    } else if (a === 'nodynamic') st(true, NUD_NOARP, NUD_NOARP);
    else if (a === 'added_by_user' || a === 'noadded_by_user') fl(a === 'added_by_user', NTF_USE);
    else if (a === 'extern_learn' || a === 'noextern_learn') fl(a === 'extern_learn', NTF_EXT_LEARNED);
    else if (a === 'sticky' || a === 'nosticky') fl(a === 'sticky', NTF_STICKY);
    else if (a === 'offloaded' || a === 'nooffloaded') fl(a === 'offloaded', NTF_OFFLOADED);
    else if (a === 'brport') {
      if (port !== undefined) throw new ToolExit(255, `Error: either "brport" is duplicate, or "${a}" is a garbage.\n`);
      port = next();
    } else if (a === 'vlan') next();
    else if (a === 'help') next();
  }
  if (d === undefined) throw new ToolExit(255, 'Device is a required argument.\n');
  const dev = ctx.ns.device(d);
  if (!dev) throw new ToolExit(255, `Cannot find bridge device "${d}"\n`);
  let portDev: NetDevice | undefined;
  if (port !== undefined) {
    portDev = ctx.ns.device(port);
    if (!portDev) throw new ToolExit(255, `Cannot find bridge port device "${port}"\n`);
  }
  if (!(flags & (NTF_SELF | NTF_MASTER))) flags |= NTF_SELF;
  const toFdb = (s: number, n: number) => (s & NUD_PERMANENT ? FDB_LOCAL : 0) | (s & NUD_NOARP ? FDB_STATIC : 0) |
    (n & NTF_USE ? FDB_ADDED_BY_USER : 0) | (n & NTF_STICKY ? FDB_STICKY : 0);
  bridgeRtnl(() => {
    const bulk = (target: NetDevice, viaPort: boolean) => {
      const br = target instanceof Bridge ? target : target.brPort?.br;
      if (!br) throw new KernelError(EINVAL, 'bridge: Device is not a bridge port');
      let portNo: number | undefined;
      const pd = portDev ?? (viaPort ? target : undefined);
      if (pd) portNo = pd === br ? FDB_TO_BRIDGE : pd.brPort?.br === br ? pd.brPort.portNo : -1;
      fdbFlush(br, { port: portNo, flags: toFdb(state, ntf), mask: toFdb(stateMask, flagsMask) });
    };
    let err: KernelError | undefined = new KernelError(EOPNOTSUPP);
    if (flags & NTF_MASTER && dev.brPort) {
      bulk(dev, true);
      err = undefined;
    }
    if (flags & NTF_SELF && dev instanceof Bridge) {
      bulk(dev, false);
      err = undefined;
    }
    if (err) throw err;
  });
  return 0;
}
