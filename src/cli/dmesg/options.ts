// dmesg's command line, read as util-linux reads it: getopt_long over the same option string,
// the groups of options that may not be combined, the list parsers of --level and --facility
// (with strtol's notion of a number), --time-format and --since/--until; then the settings that
// options imply for one another (-J turns off raw, prefixes and escaping; -d folds into the time
// format). The result is the run's Ctl and what to do: read, clear, or nothing (console controls).
import { Getopt, type LongOpt } from '../iptables/getopt.ts';
import { bootTimeMs } from '../../kernel/kmsg.ts';
import type { ToolContext } from '../tool.ts';
import { FACILITY_NAMES, LEVEL_NAMES, TimeFmt, type Ctl } from './format.ts';
import { USAGE } from './usage.ts';

// Long-only options take values past any character, so they cannot collide with a short one.
const OPT_TIME_FORMAT = 256;
const OPT_NOESC = 257;
const OPT_SINCE = 258;
const OPT_UNTIL = 259;

const c = (ch: string): number => ch.charCodeAt(0);

const LONGOPTS: readonly LongOpt[] = [
  { name: 'buffer-size', hasArg: 1, val: c('s') },
  { name: 'clear', hasArg: 0, val: c('C') },
  { name: 'color', hasArg: 2, val: c('L') },
  { name: 'console-level', hasArg: 1, val: c('n') },
  { name: 'console-off', hasArg: 0, val: c('D') },
  { name: 'console-on', hasArg: 0, val: c('E') },
  { name: 'decode', hasArg: 0, val: c('x') },
  { name: 'file', hasArg: 1, val: c('F') },
  { name: 'facility', hasArg: 1, val: c('f') },
  { name: 'follow', hasArg: 0, val: c('w') },
  { name: 'follow-new', hasArg: 0, val: c('W') },
  { name: 'human', hasArg: 0, val: c('H') },
  { name: 'help', hasArg: 0, val: c('h') },
  { name: 'json', hasArg: 0, val: c('J') },
  { name: 'kernel', hasArg: 0, val: c('k') },
  { name: 'level', hasArg: 1, val: c('l') },
  { name: 'since', hasArg: 1, val: OPT_SINCE },
  { name: 'syslog', hasArg: 0, val: c('S') },
  { name: 'raw', hasArg: 0, val: c('r') },
  { name: 'read-clear', hasArg: 0, val: c('c') },
  { name: 'reltime', hasArg: 0, val: c('e') },
  { name: 'show-delta', hasArg: 0, val: c('d') },
  { name: 'ctime', hasArg: 0, val: c('T') },
  { name: 'noescape', hasArg: 0, val: OPT_NOESC },
  { name: 'notime', hasArg: 0, val: c('t') },
  { name: 'nopager', hasArg: 0, val: c('P') },
  { name: 'until', hasArg: 1, val: OPT_UNTIL },
  { name: 'userspace', hasArg: 0, val: c('u') },
  { name: 'version', hasArg: 0, val: c('V') },
  { name: 'time-format', hasArg: 1, val: OPT_TIME_FORMAT },
  { name: 'force-prefix', hasArg: 0, val: c('p') },
];

/** Groups of options that contradict each other (ul_excl_t): the first one of a group seen wins,
 * and a second, different one ends dmesg. Each group is in ASCII order, as its message lists it. */
const EXCL: readonly string[] = ['CDEcnr', 'Hr', 'Lr', 'Sw', 'Tr', 'dr', 'er', 'rx', 'rt'];

/** errx/err: ends dmesg with `text` on stderr and `status`; thrown so that any depth can end it. */
export class Exit extends Error {
  constructor(readonly status: number, readonly text: string) {
    super(text);
  }
}

export const errx = (msg: string): Exit => new Exit(1, `dmesg: ${msg}\n`);
const TRY_HELP = "Try 'dmesg --help' for more information.\n";

/** What the command line asks for, besides the output settings in ctl. */
export interface Options {
  ctl: Ctl;
  action: 'read' | 'read-clear' | 'clear' | 'console';
  method: 'kmsg' | 'syslog' | 'file';
  /** -F's file. */
  filename: string;
  /** -w, -W: keep printing new records. */
  follow: boolean;
  /** -W: only records that come after the start. */
  end: boolean;
}

/** Reads the command line; a number is the exit status when it ends dmesg (--help, bad usage). */
export function parseOptions(ctx: ToolContext): Options | number {
  const { io } = ctx;
  const argv = ['dmesg', ...ctx.argv.slice(1)];
  const g = new Getopt(argv, 'CcDdEeF:f:HhJkL::l:n:iPprSs:TtuVWwx');
  let action: 'read' | 'read-clear' | 'clear' | 'console' = 'read';
  let method: 'kmsg' | 'syslog' | 'file' = 'kmsg';
  let filename = '';
  let delta = false;
  let follow = false;
  let end = false;
  let colormode: 'auto' | 'never' | 'always' | 'undef' = 'undef';
  const ctl: Ctl = {
    levels: new Set(), facilities: new Set(), fltrLev: false, fltrFac: false, timeFmt: TimeFmt.TIME,
    raw: false, noesc: false, decode: false, json: false, color: false, forcePrefix: false,
    bootSec: 0, since: 0, until: 0, lastSec: 0, lastUsec: 0, lastMin: 0, lastHour: 0, lastYday: 0,
    jsonStarted: false,
  };
  const exclSt: number[] = EXCL.map(() => 0);

  for (;;) {
    const opt = g.next(LONGOPTS);
    if (opt === -1) break;
    if (g.errors.length) {
      io.err(g.errors.join(''));
      g.errors.length = 0;
    }
    exclusive(opt, exclSt);
    const arg = g.optarg ?? '';
    switch (opt) {
      case c('C'): action = 'clear'; break;
      case c('c'): action = 'read-clear'; break;
      case c('D'): case c('E'): action = 'console'; break;
      case c('d'): delta = true; break;
      case c('e'): ctl.timeFmt = TimeFmt.RELTIME; break;
      case c('F'): filename = arg; method = 'file'; break;
      case c('f'):
        ctl.fltrFac = true;
        if (!bitarray(arg, ctl.facilities, parseFacility)) return 1;
        break;
      case c('H'):
        // Also colors (auto) and a pager: neither applies when stdout is not a terminal.
        ctl.timeFmt = TimeFmt.RELTIME;
        colormode = 'auto';
        break;
      case c('J'): ctl.json = true; break;
      case c('k'): ctl.fltrFac = true; ctl.facilities.add(0); break;
      case c('L'): {
        colormode = 'auto';
        if (g.optarg !== null) {
          const p = arg.startsWith('=') ? arg.slice(1) : arg;
          const m = ['auto', 'never', 'always'].find((x) => x === p.toLowerCase());
          if (m === undefined) throw errx(`unsupported color mode: '${p}'`);
          colormode = m as 'auto' | 'never' | 'always';
        }
        break;
      }
      case c('l'):
        ctl.fltrLev = true;
        if (!bitarray(arg, ctl.levels, (s, len) => parseLevel(s, len))) return 1;
        break;
      case c('n'): action = 'console'; parseLevel(arg, 0); break;
      case c('P'): break;
      case c('p'): ctl.forcePrefix = true; break;
      case c('r'): ctl.raw = true; break;
      case c('S'): method = 'syslog'; break;
      case c('s'): parseU32(arg, 'invalid buffer size argument'); break;
      case c('T'): ctl.timeFmt = TimeFmt.CTIME; break;
      case c('t'): ctl.timeFmt = TimeFmt.NONE; break;
      case c('u'):
        ctl.fltrFac = true;
        for (let n = 1; n < FACILITY_NAMES.length; n++) ctl.facilities.add(n);
        break;
      case c('w'): follow = true; break;
      case c('W'): follow = true; end = true; break;
      case c('x'): ctl.decode = true; break;
      case OPT_TIME_FORMAT: ctl.timeFmt = whichTimeFormat(arg); break;
      case OPT_NOESC: ctl.noesc = true; break;
      case OPT_SINCE: ctl.since = parseTimestamp(ctx, arg); break;
      case OPT_UNTIL: ctl.until = parseTimestamp(ctx, arg); break;
      case c('h'):
        io.out(USAGE);
        return 0;
      case c('V'):
        io.out('dmesg from util-linux 2.38.1\n');
        return 0;
      default:
        // Unknown options (getopt printed why), and -i: in the option string, handled by nothing.
        io.err(TRY_HELP);
        return 1;
    }
  }
  if (g.optind !== argv.length) {
    io.err('dmesg: bad usage\n' + TRY_HELP);
    return 1;
  }

  // JSON has its own time field and prints the text as data, so the options that would shape
  // the text are undone.
  if (ctl.json) {
    ctl.timeFmt = TimeFmt.TIME;
    delta = false;
    ctl.forcePrefix = false;
    ctl.raw = false;
    ctl.noesc = true;
  }
  const boot = bootTimeMs(ctx.world);
  ctl.bootSec = Math.floor(boot / 1000);
  if (delta) {
    if (ctl.timeFmt === TimeFmt.CTIME) ctl.timeFmt = TimeFmt.CTIME_DELTA;
    else if (ctl.timeFmt === TimeFmt.TIME) ctl.timeFmt = TimeFmt.TIME_DELTA;
    else if (ctl.timeFmt === TimeFmt.ISO8601) io.err('dmesg: --show-delta is ignored when used together with iso8601 time format\n');
    else ctl.timeFmt = TimeFmt.DELTA;
  }
  // stdout is never a terminal here, so 'auto' means no colors.
  if (!ctl.json) ctl.color = colormode === 'always';
  // Only /dev/kmsg can be waited on; a file or the syslog(2) buffer is read once.
  if (follow && method !== 'kmsg') follow = false;
  return { ctl, action, method, filename, follow, end };
}


/** err_exclusive_options: checks `opt` against the groups, remembering the first of each. */
function exclusive(opt: number, status: number[]): void {
  if (opt <= 0 || opt > 127) return;
  const ch = String.fromCharCode(opt);
  for (let e = 0; e < EXCL.length; e++) {
    const row = EXCL[e];
    if (!row.includes(ch)) continue;
    if (status[e] === 0) status[e] = opt;
    else if (status[e] !== opt) {
      let msg = 'dmesg: mutually exclusive arguments:';
      for (const o of row) {
        const long = LONGOPTS.find((l) => l.val === c(o));
        msg += long ? ` --${long.name}` : ` -${o}`;
      }
      throw new Exit(1, msg + '\n');
    }
  }
}

/** string_to_bitarray: a comma-separated list; false for an empty item (no message). */
function bitarray(list: string, set: Set<number>, name2bit: (s: string, len: number) => number): boolean {
  let begin = -1;
  for (let p = 0; p < list.length; p++) {
    let end = -1;
    if (begin < 0) begin = p;
    if (list[p] === ',') end = p;
    if (p + 1 === list.length) end = p + 1;
    if (end < 0) continue;
    if (end <= begin) return false;
    set.add(name2bit(list.slice(begin), end - begin));
    begin = -1;
  }
  return true;
}

/** strtol's prefix of `s` (base 10, after optional space and sign): [value, chars used, overflowed];
 * the lists accept a number only when it is the whole item. */
function strtol(s: string): [number, number, boolean] {
  const m = /^[ \t\n\v\f\r]*[+-]?\d+/.exec(s);
  if (!m) return [0, 0, false];
  const v = Number(m[0].trim());
  const overflow = !Number.isSafeInteger(v) || v > 2 ** 63 - 1 || v < -(2 ** 63);
  return [v, m[0].length, overflow];
}

/** parse_level: `len` 0 = the whole string, as a console level (1..8). */
function parseLevel(str: string, len: number): number {
  let offset = 0;
  if (!len) {
    len = str.length;
    offset = 1;
  }
  let overflow = false;
  if (/^\d/.test(str)) {
    const [v, used, ovf] = strtol(str);
    overflow = ovf;
    const x = v - offset;
    if (!ovf && used === len && x >= 0 && x < LEVEL_NAMES.length) return x + offset;
  } else {
    const item = str.slice(0, len).toLowerCase();
    const i = LEVEL_NAMES.indexOf(item);
    if (i >= 0) return i + offset;
  }
  if (overflow) throw errx(`failed to parse level '${str}': Numerical result out of range`);
  throw errx(`unknown level '${str}'`);
}

function parseFacility(str: string, len: number): number {
  let overflow = false;
  if (/^\d/.test(str)) {
    const [v, used, ovf] = strtol(str);
    overflow = ovf;
    if (!ovf && used === len && v >= 0 && v < FACILITY_NAMES.length) return v;
  } else {
    const i = FACILITY_NAMES.indexOf(str.slice(0, len).toLowerCase());
    if (i >= 0) return i;
  }
  if (overflow) throw errx(`failed to parse facility '${str}': Numerical result out of range`);
  throw errx(`unknown facility '${str}'`);
}

/** strtou32_or_err, for -s: its value is checked, then unused (nslab reads the log whole). */
function parseU32(s: string, msg: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (!m) {
    if (/^[ \t\n\v\f\r]*-\d/.test(s)) throw errx(`${msg}: '${s}': Numerical result out of range`);
    throw errx(`${msg}: '${s}'`);
  }
  const v = Number(m[2]);
  if ((m[1] === '-' && v !== 0) || v > 0xffffffff) throw errx(`${msg}: '${s}': Numerical result out of range`);
  return v;
}

function whichTimeFormat(s: string): TimeFmt {
  switch (s) {
    case 'notime': return TimeFmt.NONE;
    case 'ctime': return TimeFmt.CTIME;
    case 'delta': return TimeFmt.DELTA;
    case 'reltime': return TimeFmt.RELTIME;
    case 'iso': return TimeFmt.ISO8601;
  }
  throw errx(`unknown time format: ${s}`);
}

/** --since/--until: seconds since the epoch (a subset of systemd's forms, in UTC). */
function parseTimestamp(ctx: ToolContext, s: string): number {
  const now = ctx.world.now();
  const day = 86400_000;
  const today = Math.floor(now / day) * day;
  let ms: number | undefined;
  const t = s.trim();
  if (t === 'now') ms = now;
  else if (t === 'today') ms = today;
  else if (t === 'yesterday') ms = today - day;
  else if (t === 'tomorrow') ms = today + day;
  else {
    let m = /^@(\d+)$/.exec(t);
    if (m) ms = Number(m[1]) * 1000;
    m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
    if (m) ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
    m = /^([+-])\s*(\d+)\s*(s|sec|m|min|h|hour|d|day)?(?:\s+ago)?$/.exec(t);
    if (m) {
      const unit = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hour: 3600, d: 86400, day: 86400 }[m[3] ?? 's'] ?? 1;
      ms = now + (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit * 1000;
    }
  }
  if (ms === undefined || Number.isNaN(ms)) throw errx(`invalid time value "${s}"`);
  return Math.floor(ms / 1000);
}
