// `brctl` (bridge-utils 1.7.1): the bridge ioctls (add/delete bridges and ports) and the sysfs
// files it reads and writes (/sys/class/net/BR/bridge/*, /sys/class/net/PORT/brport/*).
import { Bridge } from '../kernel/bridge/bridge.ts';
import { fdbFillbuf } from '../kernel/bridge/fdb-ops.ts';
import { PORT_STATE_NAMES, type BridgeId, type BridgePort } from '../kernel/bridge/port.ts';
import { portSetport } from '../kernel/bridge/options.ts';
import {
  setAgeingTime, setBridgePriority, setForwardDelay, setHelloTime, setMaxAge, setPathCost, setPortPriority, stpSetEnabled,
} from '../kernel/bridge/stp-if.ts';
import { formatTimer, jiffiesToClock } from '../kernel/bridge/timer.ts';
import type { NetDevice } from '../kernel/device.ts';
import { EBUSY, EEXIST, EINVAL, ELOOP, ENODEV, ENXIO, EOPNOTSUPP, EPERM, KernelError, strerror } from '../kernel/errors.ts';
import type { NetNs } from '../kernel/netns.ts';
import { validIfname } from '../kernel/netns.ts';
import { formatMac } from '../wire/addr.ts';
import type { Tool } from './tool.ts';

const COMMANDS: Array<[string, number, string]> = [
  ['addbr', 1, '<bridge>\t\tadd bridge'], ['delbr', 1, '<bridge>\t\tdelete bridge'],
  ['addif', 2, '<bridge> <device>\tadd interface to bridge'], ['delif', 2, '<bridge> <device>\tdelete interface from bridge'],
  ['hairpin', 3, '<bridge> <port> {on|off}\tturn hairpin on/off'], ['setageing', 2, '<bridge> <time>\t\tset ageing time'],
  ['setbridgeprio', 2, '<bridge> <prio>\t\tset bridge priority'], ['setfd', 2, '<bridge> <time>\t\tset bridge forward delay'],
  ['sethello', 2, '<bridge> <time>\t\tset hello time'], ['setmaxage', 2, '<bridge> <time>\t\tset max message age'],
  ['setpathcost', 3, '<bridge> <port> <cost>\tset path cost'], ['setportprio', 3, '<bridge> <port> <prio>\tset port priority'],
  ['show', 0, '[ <bridge> ]\t\tshow a list of bridges'], ['showmacs', 1, '<bridge>\t\tshow a list of mac addrs'],
  ['showstp', 1, '<bridge>\t\tshow bridge stp info'], ['stp', 2, '<bridge> {on|off}\tturn stp on/off'],
];

function help(): string {
  return 'Usage: brctl [commands]\ncommands:\n' + COMMANDS.map(([n, , h]) => `\t${n.padEnd(10)}\t${h}\n`).join('');
}

/** The errno of a kernel call (0 when it succeeded). */
function errnoOf(f: () => void): number {
  try {
    f();
    return 0;
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
}

function bridgeDev(ns: NetNs, name: string): Bridge | undefined {
  const d = ns.device(name);
  return d instanceof Bridge ? d : undefined;
}

/** br_dump_bridge_id: `8000.020000000101`. */
function bridgeId(id: BridgeId): string {
  return [...id].map((b, i) => (i === 2 ? '.' : '') + b.toString(16).padStart(2, '0')).join('');
}

/** strtotimeval + __tv_to_jiffies: seconds (a float) to clock_t. */
function seconds(text: string): number | undefined {
  const m = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text);
  if (!m) return undefined;
  const secs = Number.parseFloat(m[0]);
  const sec = Math.trunc(secs);
  const usec = Math.trunc(1000000 * (secs - sec));
  return Math.floor((sec * 1000000 + usec) / 10000);
}

/** sscanf("%i"). */
function cInt(text: string): number | undefined {
  const m = /^\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
  if (!m) return undefined;
  const v = m[2].startsWith('0x') || m[2].startsWith('0X') ? parseInt(m[2], 16) : m[2].length > 1 && m[2][0] === '0' ? parseInt(m[2], 8) : parseInt(m[2], 10);
  return m[1] === '-' ? -v : v;
}

function onOff(v: string): boolean | undefined {
  if (v === 'on' || v === 'yes' || v === '1') return true;
  if (v === 'off' || v === 'no' || v === '0') return false;
  return undefined;
}

export const brctl: Tool = (ctx) => {
  const ns = ctx.ns;
  const world = ctx.world;
  const out = (t: string) => ctx.io.out(t);
  const err = (t: string) => ctx.io.err(t);
  const argv = ctx.argv.slice(1);
  if (argv[0] === '-h' || argv[0] === '--help') {
    out(help());
    return 0;
  }
  if (argv[0] === '-V' || argv[0] === '--version') {
    out('bridge-utils, 1.7\n');
    return 0;
  }
  if (argv.length === 0) {
    out(help());
    return 1;
  }
  const cmd = COMMANDS.find(([n]) => n === argv[0]);
  if (!cmd) {
    err(`never heard of command [${argv[0]}]\n`);
    out(help());
    return 1;
  }
  if (argv.length < cmd[1] + 1) {
    out(`Incorrect number of arguments for command\nUsage: brctl ${cmd[0]} ${cmd[2]}\n`);
    return 1;
  }
  const rtnl = (f: () => void) => errnoOf(() => world.rtnl(f));
  const [, a1, a2, a3] = argv;
  switch (cmd[0]) {
    case 'addbr': {
      const e = rtnl(() => {
        if (!validIfname(a1)) throw new KernelError(EINVAL);
        if (ns.device(a1)) throw new KernelError(EEXIST);
        Bridge.create(ns, a1);
      });
      if (e === EEXIST) err(`device ${a1} already exists; can't create bridge with the same name\n`);
      else if (e) err(`add bridge failed: ${strerror(e)}\n`);
      return e ? 1 : 0;
    }
    case 'delbr': {
      const e = rtnl(() => {
        const d = ns.device(a1);
        if (!d) throw new KernelError(ENXIO);
        if (!(d instanceof Bridge)) throw new KernelError(EPERM);
        if (d.up) throw new KernelError(EBUSY);
        world.deleteDevice(d);
      });
      if (e === ENXIO) err(`bridge ${a1} doesn't exist; can't delete it\n`);
      else if (e === EBUSY) err(`bridge ${a1} is still up; can't delete it\n`);
      else if (e) err(`can't delete bridge ${a1}: ${strerror(e)}\n`);
      return e ? 1 : 0;
    }
    case 'addif':
    case 'delif': {
      const add = cmd[0] === 'addif';
      for (const ifname of argv.slice(2)) {
        const dev = ns.device(ifname);
        const e = !dev ? ENODEV : rtnl(() => {
          const b = ns.device(a1);
          if (!b) throw new KernelError(ENODEV);
          if (!(b instanceof Bridge)) throw new KernelError(EOPNOTSUPP);
          if (add) b.addSlave(dev);
          else b.delSlave(dev);
        });
        if (!e) continue;
        if (e === ENODEV) err(dev ? `bridge ${a1} does not exist!\n` : `interface ${ifname} does not exist!\n`);
        else if (add && e === EBUSY) err(`device ${ifname} is already a member of a bridge; can't add it to bridge ${a1}.\n`);
        else if (add && e === ELOOP) err(`device ${ifname} is a bridge device itself; can't add a bridge device to a bridge device.\n`);
        else if (!add && e === EINVAL) err(`device ${ifname} is not a port of ${a1}\n`);
        else err(add ? `can't add ${ifname} to bridge ${a1}: ${strerror(e)}\n` : `can't delete ${ifname} from ${a1}: ${strerror(e)}\n`);
        return 1;
      }
      return 0;
    }
    case 'show':
      return show(ns, argv.slice(1), out, err);
    case 'showmacs': {
      const br = bridgeDev(ns, a1);
      if (!br) {
        err('read of forward table failed: No such file or directory\n');
        return 1;
      }
      const rows = fdbFillbuf(br).sort((x, y) => cmpBytes(x.mac, y.mac));
      out('port no\tmac addr\t\tis local?\tageing timer\n');
      for (const r of rows) out(`${String(r.portNo).padStart(3)}\t${formatMac(r.mac)}\t${r.isLocal ? 'yes' : 'no'}\t\t${formatTimer(r.ageing)}\n`);
      return 0;
    }
    case 'showstp': {
      const br = bridgeDev(ns, a1);
      if (!br) {
        err(ns.device(a1) ? `device ${a1} is not a bridge!\n` : `bridge ${a1} does not exist!\n`);
        return 1;
      }
      out(showStp(br));
      return 0;
    }
    case 'stp': {
      const on = onOff(a2);
      if (on === undefined) {
        err('expect on/off for argument\n');
        return 1;
      }
      return setBridge(a1, 'set stp status failed', (br) => stpSetEnabled(br, on));
    }
    case 'setageing':
    case 'setfd':
    case 'sethello':
    case 'setmaxage': {
      const what = { setageing: ['ageing time', setAgeingTime], setfd: ['forward delay', setForwardDelay], sethello: ['hello timer', setHelloTime], setmaxage: ['max age', setMaxAge] } as const;
      const [name, set] = what[cmd[0]];
      const v = seconds(a2);
      if (v === undefined) {
        err(`bad ${name} value\n`);
        return 1;
      }
      return setBridge(a1, `set ${name} failed`, (br) => set(br, v));
    }
    case 'setbridgeprio': {
      const v = cInt(a2);
      if (v === undefined) {
        err('bad priority\n');
        return 1;
      }
      return setBridge(a1, 'set bridge priority failed', (br) => setBridgePriority(br, v & 0xffff));
    }
    case 'setpathcost':
    case 'setportprio':
    case 'hairpin': {
      if (cmd[0] === 'hairpin') {
        const on = onOff(a3);
        if (on === undefined) {
          err('expect on/off for argument\n');
          return 1;
        }
        if (!ns.device(a2)) err(`interface ${a2} does not exist!\n`);
        else if (!ns.device(a1)) err(`bridge ${a1} does not exist!\n`);
        else return setPort(a2, `can't set ${a2} to hairpin on bridge ${a1}`, (p) => portSetport(p, { hairpin: on }));
        return 1;
      }
      const v = cInt(a3);
      if (v === undefined) {
        err(cmd[0] === 'setpathcost' ? 'bad path cost value\n' : 'bad path priority value\n');
        return 1;
      }
      if (cmd[0] === 'setpathcost') return setPort(a2, 'set path cost failed', (p) => setPathCost(p, v));
      return setPort(a2, 'set port priority failed', (p) => setPortPriority(p, v));
    }
  }
  return 0;

  /** br_set: the bridge's sysfs file (ENODEV when there is none). */
  function setBridge(name: string, msg: string, f: (br: Bridge) => void): number {
    const e = rtnl(() => {
      const br = bridgeDev(ns, name);
      if (!br) throw new KernelError(ENODEV);
      f(br);
    });
    if (e) err(`${msg}: ${strerror(e)}\n`);
    return e ? 1 : 0;
  }

  /** port_set: the port's brport sysfs file (the bridge's name plays no part). */
  function setPort(portName: string, msg: string, f: (p: BridgePort) => void): number {
    const e = rtnl(() => {
      const p = ns.device(portName)?.brPort;
      if (!p) throw new KernelError(ENODEV);
      f(p);
    });
    if (e) err(`${msg}: ${strerror(e)}\n`);
    return e ? 1 : 0;
  }
};

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Names sorted as alphasort does (strcmp in the C locale). */
function sortNames(devs: NetDevice[]): NetDevice[] {
  return [...devs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function show(ns: NetNs, names: string[], out: (t: string) => void, err: (t: string) => void): number {
  let header = true;
  let errs = 0;
  const one = (name: string): void => {
    const br = bridgeDev(ns, name);
    if (!br) {
      err(ns.device(name) ? `device ${name} is not a bridge!\n` : `bridge ${name} does not exist!\n`);
      errs++;
      return;
    }
    if (header) out('bridge name\tbridge id\t\tSTP enabled\tinterfaces\n');
    header = false;
    const ports = sortNames(br.ports.map((p) => p.dev)).map((d) => d.name);
    out(`${name}\t\t${bridgeId(br.bridgeId)}\t${br.stpEnabled ? 'yes' : 'no'}\t\t${ports.join('\n\t\t\t\t\t\t\t')}\n`);
  };
  if (names.length === 0) for (const d of sortNames(ns.deviceList().filter((d) => d instanceof Bridge))) one(d.name);
  else for (const n of names) one(n);
  return errs > 0 ? 1 : 0;
}

/** br_dump_info. */
function showStp(br: Bridge): string {
  const t = (clock: number) => formatTimer(clock);
  const j = (x: number) => t(jiffiesToClock(x));
  let s = `${br.name}\n bridge id\t\t${bridgeId(br.bridgeId)}\n designated root\t${bridgeId(br.designatedRoot)}\n`;
  s += ` root port\t\t${String(br.rootPort).padStart(4)}\t\t\tpath cost\t\t${String(br.rootPathCost).padStart(4)}\n`;
  s += ` max age\t\t${j(br.maxAge)}\t\t\tbridge max age\t\t${j(br.maxAge)}\n`;
  s += ` hello time\t\t${j(br.helloTime)}\t\t\tbridge hello time\t${j(br.helloTime)}\n`;
  s += ` forward delay\t\t${j(br.forwardDelay)}\t\t\tbridge forward delay\t${j(br.forwardDelay)}\n`;
  s += ` ageing time\t\t${j(br.ageingTime)}\n`;
  s += ` hello timer\t\t${t(br.helloTimer.value())}\t\t\ttcn timer\t\t${t(br.tcnTimer.value())}\n`;
  s += ` topology change timer\t${t(br.topologyChangeTimer.value())}\t\t\tgc timer\t\t${t(br.gcTimer.value())}\n`;
  s += ` flags\t\t\t${br.topologyChange ? 'TOPOLOGY_CHANGE ' : ''}${br.topologyChangeDetected ? 'TOPOLOGY_CHANGE_DETECTED ' : ''}\n\n\n`;
  for (const dev of sortNames(br.ports.map((p) => p.dev))) {
    const p = dev.brPort!;
    s += `${dev.name} (${p.portNo})\n port id\t\t${p.portId.toString(16).padStart(4, '0')}`;
    s += `\t\t\tstate\t\t${PORT_STATE_NAMES[p.state].padStart(15)}\n`;
    s += ` designated root\t${bridgeId(p.designatedRoot)}\tpath cost\t\t${String(p.pathCost).padStart(4)}\n`;
    s += ` designated bridge\t${bridgeId(p.designatedBridge)}\tmessage age timer\t${t(p.messageAgeTimer.value())}\n`;
    s += ` designated port\t${p.designatedPort.toString(16).padStart(4, '0')}\t\t\tforward delay timer\t${t(p.forwardDelayTimer.value())}\n`;
    s += ` designated cost\t${String(p.designatedCost).padStart(4)}\t\t\thold timer\t\t${t(p.holdTimer.value())}\n`;
    s += ` flags\t\t\t${p.configPending ? 'CONFIG_PENDING ' : ''}${p.topologyChangeAck ? 'TOPOLOGY_CHANGE_ACK ' : ''}`;
    if (p.flags & 1) s += '\n hairpin mode\t\t   1';
    s += '\n\n';
  }
  return s;
}
