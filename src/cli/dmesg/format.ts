// dmesg's output of one record: the timestamp in each --time-format, the facility:level
// prefix of -x, colors for --color=always, the JSON form of -J, and the escaping of control
// characters. Also the state a run carries from record to record (Ctl): the previous record's
// time for the delta formats, the last minute shown by reltime, whether the JSON array is open.
import type { KmsgRecord } from '../../kernel/kmsg.ts';

// Names by number, as -l/-f take them and -x prints them.
export const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
export const FACILITY_NAMES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];

export const enum TimeFmt { NONE, CTIME, CTIME_DELTA, DELTA, RELTIME, TIME, TIME_DELTA, ISO8601 }

/** The escape sequences of dmesg's built-in color scheme (no terminal-colors.d files exist here). */
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

/** One record as dmesg holds it (struct dmesg_record). */
export interface Rec {
  level: number;
  facility: number;
  sec: number;
  usec: number;
  text: string;
}

/** The output settings of a run and what it carries from one record to the next. */
export interface Ctl {
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

/** A kernel log record as dmesg holds it; with -t the time is left at zero (what --since/--until then see). */
export function fromKmsg(ctl: Ctl, r: KmsgRecord): Rec {
  const timed = ctl.timeFmt !== TimeFmt.NONE;
  return {
    level: r.level, facility: r.facility,
    sec: timed ? Math.floor(r.usec / 1e6) : 0, usec: timed ? r.usec % 1e6 : 0, text: r.text,
  };
}

/** The "[sssss.uuuuuu] " prefix shared by the default format, -r and the syslog(2) text. */
export function stamp(sec: number, usec: number): string {
  return `[${String(sec).padStart(5)}.${String(usec).padStart(6, '0')}] `;
}

/** The filters: -l and -f need a priority (a line without one never passes), --since/--until a time. */
function accept(ctl: Ctl, r: Rec): boolean {
  if (ctl.fltrLev && (r.facility < 0 || !ctl.levels.has(r.level))) return false;
  if (ctl.fltrFac && (r.facility < 0 || !ctl.facilities.has(r.facility))) return false;
  const t = ctl.bootSec + r.sec;
  if (ctl.since && ctl.since >= t) return false;
  if (ctl.until && ctl.until <= t) return false;
  return true;
}

/** Whether the priority can be named (a syslog line may carry any number, or none: -1). */
const facpriValid = (r: Rec): boolean => r.level > -1 && r.level < LEVEL_NAMES.length && r.facility > -1 && r.facility < FACILITY_NAMES.length;

/** print_record: one record's output (with its newline), '' when filtered out. */
export function printRecord(ctl: Ctl, r: Rec): string {
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

// The C locale's names: dates print the same whatever the host's locale.
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

/** The color of a record's text: by level from alert to warn; otherwise only a segfault report stands out. */
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
export function safe(ctl: Ctl, s: string, indent: number): string {
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
