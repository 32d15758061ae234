// `dmesg`: util-linux 2.38.1's dmesg (Debian 12) over nslab's kernel log (World.kmsg).
//
// The log is the machine's, not the namespace's: `ip netns exec NS dmesg` prints the same
// records as `dmesg` at top level, as on Linux (one printk buffer for every namespace).
//
// Output is what dmesg prints when stdout is not a terminal (nslab's never is): no pager and,
// unless --color=always, no colors; -H is therefore the same as -e (reltime). Time is the
// World's: timestamps are virtual time since the World was created (its boot), and -T, -e,
// --time-format iso and --since/--until add the World's epoch as the boot's wall-clock time
// (what util-linux computes as now - CLOCK_BOOTTIME), shown in UTC.
//
// How the real tool reads the log matters in a few places, and is followed:
// - it reads /dev/kmsg from the last clear (`dmesg -C`, `-c`); when nothing is there the
//   first read fails with EAGAIN and it falls back to syslog(2), under which --raw with
//   --level/--facility/--kernel/--userspace is an error;
// - text goes through safe_fwrite: control characters other than white space print as \xNN
//   (nslab assumes a UTF-8 locale: other characters print as they are; --noescape: all do);
// - the reltime format (-e, -H) remembers the last minute printed starting from a zeroed
//   struct tm, so a first record in the minute 00:00 of 1 January gets a delta, not a date.
// Not emulated: the console controls (-D, -E, -n) only validate their arguments (there is
// no console); --since/--until accept the absolute forms YYYY-MM-DD[ HH:MM[:SS]], @EPOCH,
// now, today, yesterday, tomorrow and ±N{s,min,h,d} (systemd's parse_timestamp has more).
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Getopt, type LongOpt } from './iptables/getopt.ts';
import { bootTimeMs, type KmsgRecord } from '../kernel/kmsg.ts';
import type { Tool, ToolContext } from './tool.ts';

const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITY_NAMES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];

const enum TimeFmt { NONE, CTIME, CTIME_DELTA, DELTA, RELTIME, TIME, TIME_DELTA, ISO8601 }

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

/** Mutually exclusive groups (ul_excl_t), each in ASCII order. */
const EXCL: readonly string[] = ['CDEcnr', 'Hr', 'Lr', 'Sw', 'Tr', 'dr', 'er', 'rx', 'rt'];

const USAGE = `
Usage:
 dmesg [options]

Display or control the kernel ring buffer.

Options:
 -C, --clear                 clear the kernel ring buffer
 -c, --read-clear            read and clear all messages
 -D, --console-off           disable printing messages to console
 -E, --console-on            enable printing messages to console
 -F, --file <file>           use the file instead of the kernel log buffer
 -f, --facility <list>       restrict output to defined facilities
 -H, --human                 human readable output
 -J, --json                  use JSON output format
 -k, --kernel                display kernel messages
 -L, --color[=<when>]        colorize messages (auto, always or never)
                               colors are enabled by default
 -l, --level <list>          restrict output to defined levels
 -n, --console-level <level> set level of messages printed to console
 -P, --nopager               do not pipe output into a pager
 -p, --force-prefix          force timestamp output on each line of multi-line messages
 -r, --raw                   print the raw message buffer
     --noescape              don't escape unprintable character
 -S, --syslog                force to use syslog(2) rather than /dev/kmsg
 -s, --buffer-size <size>    buffer size to query the kernel ring buffer
 -u, --userspace             display userspace messages
 -w, --follow                wait for new messages
 -W, --follow-new            wait and print only new messages
 -x, --decode                decode facility and level to readable string
 -d, --show-delta            show time delta between printed messages
 -e, --reltime               show local time and time delta in readable format
 -T, --ctime                 show human-readable timestamp (may be inaccurate!)
 -t, --notime                don't show any timestamp with messages
     --time-format <format>  show timestamp using the given format:
                               [delta|reltime|ctime|notime|iso]
Suspending/resume will make ctime and iso timestamps inaccurate.
     --since <time>          display the lines since the specified time
     --until <time>          display the lines until the specified time

 -h, --help                  display this help
 -V, --version               display version

Supported log facilities:
    kern - kernel messages
    user - random user-level messages
    mail - mail system
  daemon - system daemons
    auth - security/authorization messages
  syslog - messages generated internally by syslogd
     lpr - line printer subsystem
    news - network news subsystem

Supported log levels (priorities):
   emerg - system is unusable
   alert - action must be taken immediately
    crit - critical conditions
     err - error conditions
    warn - warning conditions
  notice - normal but significant condition
    info - informational
   debug - debug-level messages

For more details see dmesg(1).
`;

const COLOR = {
  subsys: '\x1b[33m',
  time: '\x1b[32m',
  timebreak: '\x1b[32m\x1b[1m',
  alert: '\x1b[7m\x1b[31m',
  crit: '\x1b[1m\x1b[31m',
  err: '\x1b[31m',
  warn: '\x1b[1m',
  segfault: '\x1b[2m\x1b[31m',
  reset: '\x1b[0m',
};

/** errx/err: message on stderr, exit status. */
class Exit extends Error {
  constructor(readonly status: number, readonly text: string) {
    super(text);
  }
}

const errx = (msg: string): Exit => new Exit(1, `dmesg: ${msg}\n`);
const TRY_HELP = "Try 'dmesg --help' for more information.\n";

/** One record as dmesg holds it (struct dmesg_record). */
interface Rec {
  level: number;
  facility: number;
  sec: number;
  usec: number;
  text: string;
}

interface Ctl {
  levels: Set<number>;
  facilities: Set<number>;
  fltrLev: boolean;
  fltrFac: boolean;
  timeFmt: TimeFmt;
  raw: boolean;
  noesc: boolean;
  decode: boolean;
  json: boolean;
  color: boolean;
  forcePrefix: boolean;
  /** Boot time in whole seconds since the epoch (boot_time.tv_sec). */
  bootSec: number;
  since: number;
  until: number;
  lastSec: number;
  lastUsec: number;
  /** struct tm fields of the last reltime record (zeroed at start). */
  lastMin: number;
  lastHour: number;
  lastYday: number;
  jsonStarted: boolean;
}

export const dmesg: Tool = async (ctx) => {
  try {
    return await run(ctx);
  } catch (e) {
    if (e instanceof Exit) {
      ctx.io.err(e.text);
      return e.status;
    }
    throw e;
  }
};

async function run(ctx: ToolContext): Promise<number> {
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
  if (!ctl.json) ctl.color = colormode === 'always';
  if (follow && method !== 'kmsg') follow = false;

  const kmsg = ctx.world.kmsg;
  if (action === 'console') return 0;
  if (action === 'clear') {
    kmsg.clear();
    return 0;
  }

  let out = '';
  if (method === 'file') {
    out = printSyslogBuffer(ctl, readFile(ctx, filename));
  } else {
    let records = kmsg.read();
    // -W: seek to the end first.
    if (end) records = [];
    // An empty /dev/kmsg (non-blocking read: EAGAIN) makes dmesg fall back to syslog(2).
    if (method === 'kmsg' && records.length === 0 && !follow) method = 'syslog';
    if (ctl.raw && method !== 'kmsg' && (ctl.fltrLev || ctl.fltrFac)) {
      throw errx('--raw can be used together with --level or --facility only when reading messages from /dev/kmsg');
    }
    if (ctl.forcePrefix && method !== 'kmsg') ctl.forcePrefix = false;
    if (method === 'syslog') {
      out = printSyslogBuffer(ctl, syslogBuffer(records));
    } else {
      for (const r of records) out += printRecord(ctl, fromKmsg(ctl, r));
    }
  }
  if (ctl.json && ctl.jsonStarted) out += '\n   ]\n}\n';
  if (out) io.out(out);
  if (action === 'read-clear') kmsg.clear();

  if (!follow) return 0;
  // -w / -W: print records as they come until killed.
  await new Promise<void>((done) => {
    const listener = (r: KmsgRecord): void => {
      const text = printRecord(ctl, fromKmsg(ctl, r));
      if (text) io.out(text);
    };
    const stop = (): void => {
      const i = kmsg.listeners.indexOf(listener);
      if (i >= 0) kmsg.listeners.splice(i, 1);
      done();
    };
    kmsg.listeners.push(listener);
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener('abort', stop, { once: true });
  });
  const sig: unknown = ctx.signal.reason;
  return 128 + (typeof sig === 'number' ? sig : 15);
}

/** err_exclusive_options. */
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

/** strtol's prefix of `s` (base 10, after optional space and sign): [value, chars used]. */
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

/** strtou32_or_err. */
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

function fromKmsg(ctl: Ctl, r: KmsgRecord): Rec {
  const timed = ctl.timeFmt !== TimeFmt.NONE;
  return {
    level: r.level, facility: r.facility,
    sec: timed ? Math.floor(r.usec / 1e6) : 0, usec: timed ? r.usec % 1e6 : 0, text: r.text,
  };
}

/** What syslog(2) SYSLOG_ACTION_READ_ALL returns: "<pri>[sssss.uuuuuu] text\n" per line of
 * each record (record_print_text repeats the prefix on every line of a multi-line record). */
function syslogBuffer(records: readonly KmsgRecord[]): string {
  let s = '';
  for (const r of records) {
    const prefix = `<${(r.facility << 3) | r.level}>${stamp(Math.floor(r.usec / 1e6), r.usec % 1e6)}`;
    for (const line of r.text.split('\n')) s += prefix + line + '\n';
  }
  return s;
}

function stamp(sec: number, usec: number): string {
  return `[${String(sec).padStart(5)}.${String(usec).padStart(6, '0')}] `;
}

function readFile(ctx: ToolContext, name: string): string {
  const path = resolve(ctx.cwd ?? process.cwd(), name);
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw errx(`cannot mmap: ${name}: No such device`);
    size = st.size;
  } catch (e) {
    if (e instanceof Exit) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw errx(`cannot open ${name}: ${code === 'EACCES' ? 'Permission denied' : 'No such file or directory'}`);
  }
  if (size === 0) throw errx(`cannot mmap: ${name}: Invalid argument`);
  return readFileSync(path, 'latin1');
}

/** print_buffer over a syslog(2)-format buffer (get_next_syslog_record). */
function printSyslogBuffer(ctl: Ctl, buf: string): string {
  if (buf.length === 0) return '';
  if (ctl.raw) return safe(ctl, buf, 0) + (buf.endsWith('\n') ? '' : '\n');
  let out = '';
  let pos = 0;
  while (pos < buf.length) {
    // A record ends at a newline followed by '<', or at the end of the buffer.
    let endAt = buf.length;
    for (let i = pos; i < buf.length - 1; i++) {
      if (buf[i] === '\n' && buf[i + 1] === '<') {
        endAt = i;
        break;
      }
    }
    let begin = pos;
    const rec: Rec = { level: -1, facility: -1, sec: 0, usec: 0, text: '' };
    if (buf[begin] === '<') {
      const m = /^<(\d+)./.exec(buf.slice(begin, endAt + 1));
      if (m) {
        const n = Number(m[1]);
        rec.facility = n >> 3;
        rec.level = n & 7;
        begin += m[0].length;
      } else {
        const gt = buf.indexOf('>', begin);
        begin = gt >= 0 && gt < endAt ? gt + 1 : endAt;
      }
    }
    if (buf[begin] === '[' && (buf[begin + 1] === ' ' || /\d/.test(buf[begin + 1] ?? ''))) {
      const m = /^\[ *(\d+)\.(\d+)\]/.exec(buf.slice(begin, endAt));
      if (ctl.timeFmt !== TimeFmt.NONE && m) {
        rec.sec = Number(m[1]);
        rec.usec = Number(m[2]);
        begin += m[0].length;
      } else if (ctl.timeFmt === TimeFmt.NONE) {
        const rb = buf.indexOf(']', begin);
        begin = rb >= 0 && rb < endAt ? rb + 1 : endAt;
      }
      if (begin < endAt && buf[begin] === ' ') begin++;
    }
    let text = buf.slice(begin, endAt);
    if (endAt === buf.length && text.endsWith('\n')) text = text.slice(0, -1);
    rec.text = text;
    out += printRecord(ctl, rec);
    pos = endAt + 1;
  }
  return out;
}

function accept(ctl: Ctl, r: Rec): boolean {
  if (ctl.fltrLev && (r.facility < 0 || !ctl.levels.has(r.level))) return false;
  if (ctl.fltrFac && (r.facility < 0 || !ctl.facilities.has(r.facility))) return false;
  const t = ctl.bootSec + r.sec;
  if (ctl.since && ctl.since >= t) return false;
  if (ctl.until && ctl.until <= t) return false;
  return true;
}

const facpriValid = (r: Rec): boolean => r.level > -1 && r.level < LEVEL_NAMES.length && r.facility > -1 && r.facility < FACILITY_NAMES.length;

/** print_record: one record's output (with its newline), '' when filtered out. */
function printRecord(ctl: Ctl, r: Rec): string {
  if (!accept(ctl, r)) return '';
  if (r.text.length === 0) return ctl.json ? '' : '\n';
  let out = '';
  let fp = '';
  let ts = '';
  let indent = 0;
  let timebreak = false;
  const json: string[] = [];
  if (ctl.raw) {
    ts = `<${(r.facility << 3) | r.level}>${stamp(r.sec, r.usec)}`;
    indent = ts.length;
  } else {
    if (!ctl.json && ctl.decode && facpriValid(r)) fp = `${FACILITY_NAMES[r.facility].padEnd(6)}:${LEVEL_NAMES[r.level].padEnd(6)}: `;
    switch (ctl.timeFmt) {
      case TimeFmt.NONE:
        break;
      case TimeFmt.CTIME:
        ts = `[${ctime(ctl.bootSec + r.sec)}] `;
        break;
      case TimeFmt.CTIME_DELTA:
        ts = `[${ctime(ctl.bootSec + r.sec)} <${fixed(countDelta(ctl, r), 12)}>] `;
        break;
      case TimeFmt.DELTA:
        ts = `[<${fixed(countDelta(ctl, r), 12)}>] `;
        break;
      case TimeFmt.RELTIME: {
        const d = new Date((ctl.bootSec + r.sec) * 1000);
        const min = d.getUTCMinutes(), hour = d.getUTCHours();
        const yday = Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400_000);
        const dl = countDelta(ctl, r);
        if (min !== ctl.lastMin || hour !== ctl.lastHour || yday !== ctl.lastYday) {
          timebreak = true;
          ts = `[${MONTHS[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2)} ${two(hour)}:${two(min)}] `;
        } else if (dl < 10) {
          ts = `[  ${signed(dl, 8)}] `;
        } else {
          ts = `[ ${signed(dl, 9)}] `;
        }
        ctl.lastMin = min;
        ctl.lastHour = hour;
        ctl.lastYday = yday;
        break;
      }
      case TimeFmt.TIME:
        ts = ctl.json ? `${String(r.sec).padStart(5)}.${String(r.usec).padStart(6, '0')}` : stamp(r.sec, r.usec);
        break;
      case TimeFmt.TIME_DELTA:
        ts = `[${String(r.sec).padStart(5)}.${String(r.usec).padStart(6, '0')} <${fixed(countDelta(ctl, r), 12)}>] `;
        break;
      case TimeFmt.ISO8601: {
        const d = new Date((ctl.bootSec + r.sec) * 1000);
        ts = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${String(r.usec).padStart(6, '0')}+00:00 `;
        break;
      }
    }
    indent = ts.length + fp.length;
  }
  if (ctl.json) {
    if (facpriValid(r)) {
      if (ctl.decode) json.push(`"fac": ${jsonStr(FACILITY_NAMES[r.facility])}`, `"pri": ${jsonStr(LEVEL_NAMES[r.level])}`);
      else json.push(`"pri": ${(r.facility << 3) | r.level}`);
    }
    json.push(`"time": ${ts}`, `"msg": ${jsonStr(r.text)}`);
    out += ctl.jsonStarted ? ',{\n' : '{\n   "dmesg": [\n      {\n';
    ctl.jsonStarted = true;
    return out + json.map((f) => '         ' + f).join(',\n') + '\n      }';
  }
  const lines = ctl.forcePrefix ? r.text.split('\n').filter((l) => l.length > 0) : [r.text];
  for (let li = 0; li < lines.length; li++) {
    if (li > 0) out += '\n';
    out += fp;
    if (ts) {
      const shown = ctl.timeFmt === TimeFmt.RELTIME && li > 0 ? '[  +0.000000] ' : ts;
      out += ctl.color ? (timebreak ? COLOR.timebreak : COLOR.time) + shown + COLOR.reset : shown;
    }
    let line = lines[li];
    if (ctl.color) {
      const sub = subsysDelimiter(line);
      if (sub > 0) {
        out += COLOR.subsys + safe(ctl, line.slice(0, sub), indent) + COLOR.reset;
        line = line.slice(sub);
      }
      const lc = levelColor(r.level, line);
      out += lc ? lc + safe(ctl, line, indent) + COLOR.reset : safe(ctl, line, indent);
    } else {
      out += safe(ctl, line, indent);
    }
  }
  return out + '\n';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const two = (n: number): string => String(n).padStart(2, '0');

/** strftime "%a %b %e %H:%M:%S %Y" in UTC. */
function ctime(sec: number): string {
  const d = new Date(sec * 1000);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** record_count_delta: seconds since the last printed record (0 for the first). */
function countDelta(ctl: Ctl, r: Rec): number {
  let d = 0;
  if (ctl.lastSec !== 0 || ctl.lastUsec !== 0) d = (r.sec - ctl.lastSec) + (r.usec - ctl.lastUsec) / 1e6;
  ctl.lastSec = r.sec;
  ctl.lastUsec = r.usec;
  return d;
}

/** %W.06f */
function fixed(v: number, width: number): string {
  return v.toFixed(6).padStart(width);
}

/** %+W.06f */
function signed(v: number, width: number): string {
  return ((v < 0 || Object.is(v, -0) ? '' : '+') + v.toFixed(6)).padStart(width);
}

function levelColor(level: number, line: string): string {
  switch (level) {
    case 1: return COLOR.alert;
    case 2: return COLOR.crit;
    case 3: return COLOR.err;
    case 4: return COLOR.warn;
  }
  return line.includes('segfault at') ? COLOR.segfault : '';
}

/** get_subsys_delimiter: the end of a leading "subsystem: " (after the blank), or -1. */
function subsysDelimiter(s: string): number {
  let p = 0;
  while (p < s.length) {
    const d = s.indexOf(':', p);
    if (d < 0) return -1;
    const rest = s.length - d - 1;
    if (rest === 0) return -1;
    if (rest >= 2 && (s[d + 1] === ' ' || s[d + 1] === '\t')) return d + 2;
    p = d + 1;
  }
  return -1;
}

/** safe_fwrite: control characters other than white space as \xNN; a newline inside the
 * text is followed by `indent` spaces. */
function safe(ctl: Ctl, s: string, indent: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (!ctl.noesc && (ch === 0 || ((ch < 0x20 || ch === 0x7f) && !(ch >= 0x09 && ch <= 0x0d) && ch !== 0x20))) {
      out += '\\x' + ch.toString(16).padStart(2, '0');
    } else if (ch === 0x0a && i + 1 < s.length && indent) {
      out += '\n' + ' '.repeat(indent);
    } else {
      out += s[i];
    }
  }
  return out;
}

/** ul_jsonwrt's quoting. */
function jsonStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (code >= 0x20) out += ch;
    else if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else out += '\\u00' + code.toString(16).padStart(2, '0');
  }
  return out + '"';
}
