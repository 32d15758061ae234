// iputils ping 20221126's command line: GNU getopt over its option string (options may follow
// the destination; `--` ends them), and the number parsers with their exact complaints
// (strtol_or_err, ping_strtod, parsetos, the -p pattern).
import { USAGE } from './ping-report.ts';

/** A fatal complaint: `ping: TEXT` (when there is one) on stderr, then exit with `status`. */
export class PingExit extends Error {
  constructor(readonly status: number, readonly text: string | undefined) {
    super(text ?? `exit ${status}`);
  }
}

export type PmtuOpt = 'do' | 'dont' | 'want';

export interface PingOptions {
  /** -c: 0 for no limit. */
  count: number;
  /** ms between probes (-i; 1000 by default). */
  interval: number;
  intervalGiven: boolean;
  /** -s */
  datalen: number;
  /** -t */
  ttl: number | undefined;
  /** -w, in seconds (0: none). */
  deadline: number;
  /** -W in ms (10 s by default). */
  linger: number;
  /** -I NAME */
  device: string | undefined;
  /** -I ADDR, as uint32 (0: none). */
  source: number;
  strictSource: boolean;
  pmtudisc: PmtuOpt | undefined;
  /** -p as given. */
  pattern: string | undefined;
  quiet: boolean;
  numeric: boolean;
  broadcast: boolean;
  /** -Q */
  tos: number;
  /** -e (-1: random). */
  ident: number;
  /** -l */
  preload: number;
  /** -m */
  mark: number | undefined;
  /** -D */
  printTimestamps: boolean;
  /** -O */
  outstanding: boolean;
  /** -a */
  audible: boolean;
  /** -U */
  latency: boolean;
  ipv6: boolean;
}

/** Options iputils has that nslab does not emulate (they need IP options, IPv6, flooding, …). */
const UNSUPPORTED: Record<string, string> = {
  R: 'record route', T: 'IP timestamps', N: 'node information queries', f: 'flood ping', A: 'adaptive ping',
  v: 'verbose output', V: 'version output', r: 'SO_DONTROUTE',
};

const OPTSTRING = 'h?4bRT:6F:N:aABc:CdDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:';
const LONG_MAX = 9223372036854775807n;
const ULONG_MAX = 18446744073709551615n;
const INT_MAX = 2147483647;
const ERANGE_TEXT = 'Numerical result out of range';

function fail(status: number, text?: string): never {
  throw new PingExit(status, text);
}

/** What getopt prints for a bad option, then usage() (status 2). */
function usageExit(err: (t: string) => void, complaint?: string): never {
  if (complaint) err(`ping: ${complaint}\n`);
  err(USAGE);
  fail(2);
}

/** strtol/strtoul in base 10 with their end pointer and overflow. */
function strtoInt(str: string, unsigned: boolean): { value: bigint; end: number; range: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(str);
  if (!m) return { value: 0n, end: 0, range: false };
  let v = BigInt(m[2]);
  let range = false;
  if (unsigned) {
    if (v > ULONG_MAX) {
      range = true;
      v = ULONG_MAX;
    } else if (m[1] === '-') v = (ULONG_MAX + 1n - v) % (ULONG_MAX + 1n);
  } else {
    if (m[1] === '-') v = -v;
    if (v > LONG_MAX) [v, range] = [LONG_MAX, true];
    if (v < -LONG_MAX - 1n) [v, range] = [-LONG_MAX - 1n, true];
  }
  return { value: v, end: m[0].length, range };
}

/** strtol_or_err / strtoul_or_err with the message "invalid argument" (exit 1). */
export function numberOrErr(str: string, min: bigint, max: bigint, unsigned = false): number {
  const { value, end, range } = strtoInt(str, unsigned);
  if (range) fail(1, `invalid argument: '${str}': ${ERANGE_TEXT}`);
  if (str === '' || end === 0 || end !== str.length) fail(1, `invalid argument: '${str}'`);
  if (value < min || value > max) fail(1, `invalid argument: '${str}': out of range: ${min} <= value <= ${max}`);
  return Number(value);
}

/** strtod in the C locale: the value, where parsing stopped, and whether it overflowed. */
export function strtod(str: string): { value: number; end: number; range: boolean } {
  const lead = /^[ \t\n\v\f\r]*[+-]?/.exec(str)![0];
  const rest = str.slice(lead.length);
  const neg = lead.endsWith('-') ? -1 : 1;
  let m = /^(inf(inity)?|nan(\([0-9A-Za-z_]*\))?)/i.exec(rest);
  if (m) return { value: neg * (m[1].toLowerCase().startsWith('inf') ? Infinity : NaN), end: lead.length + m[0].length, range: false };
  m = /^0[xX]([0-9a-fA-F]*)(\.([0-9a-fA-F]*))?([pP][+-]?\d+)?/.exec(rest);
  if (m && (m[1] || m[3])) {
    const digits = m[1] + (m[3] ?? '');
    let v = 0;
    for (const d of digits) v = v * 16 + parseInt(d, 16);
    v /= 16 ** (m[3]?.length ?? 0);
    if (m[4]) v *= 2 ** Number(m[4].slice(1));
    return finishDouble(neg * v, digits, lead.length + m[0].length);
  }
  m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
  if (!m) return { value: 0, end: 0, range: false };
  return finishDouble(neg * Number(m[0]), m[1], lead.length + m[0].length);
}

function finishDouble(v: number, digits: string, end: number): { value: number; end: number; range: boolean } {
  const nonzero = /[1-9a-fA-F]/.test(digits);
  const range = !Number.isFinite(v) || (nonzero && Math.abs(v) < 2.2250738585072014e-308);
  return { value: v, end, range };
}

/** ping_strtod: garbage is only warned about; inf, nan and subnormals are fatal (exit 2). */
function pingStrtod(str: string, what: string, err: (t: string) => void): number {
  if (str === '') fail(2, `${what}: ${str}`);
  const { value, end, range } = strtod(str);
  if (range || end === 0 || end !== str.length) {
    err(`ping: option argument contains garbage: ${end === 0 ? str : str.slice(end)}\n`);
    err('ping: this will become fatal error in the future\n');
  }
  const normal = value === 0 || (Number.isFinite(value) && Math.abs(value) >= 2.2250738585072014e-308);
  if (!normal) fail(2, `${what}: ${str}: ${ERANGE_TEXT}`);
  return value;
}

/** parsetos / parseflow: decimal, or hex after 0x; nothing may follow. */
function parseHexOrDec(str: string, unsigned: boolean): { value: number; ok: boolean } {
  const hex = str[0] === '0' && (str[1] === 'x' || str[1] === 'X');
  const body = hex ? str.slice(2) : str;
  const m = hex ? /^[ \t\n\v\f\r]*[+-]?[0-9a-fA-F]+/.exec(body) : /^[ \t\n\v\f\r]*[+-]?\d+/.exec(body);
  if (!m) return { value: 0, ok: body === '' };
  const t = m[0].trim();
  const sign = t.startsWith('-') ? -1 : 1;
  const digits = t.replace(/^[+-]/, '');
  let v = Number.parseInt(digits, hex ? 16 : 10) * sign;
  v = unsigned ? v >>> 0 : v | 0;
  return { value: v, ok: m[0].length === body.length };
}

/** inet_pton(AF_INET): exactly four dotted decimals, no leading zeros. */
export function inetPton(text: string): number | undefined {
  const m = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/**
 * Parses argv (without argv[0]) as ping's getopt loop does, in order, so the first bad option
 * is the one reported. Returns the options and the operands (the destination is the last).
 */
export function parsePingArgs(args: readonly string[], err: (t: string) => void): { opts: PingOptions; operands: string[] } {
  const o: PingOptions = {
    count: 0, interval: 1000, intervalGiven: false, datalen: 56, ttl: undefined, deadline: 0, linger: 10000,
    device: undefined, source: 0, strictSource: false, pmtudisc: undefined, pattern: undefined, quiet: false,
    numeric: false, broadcast: false, tos: 0, ident: -1, preload: 1, mark: undefined, printTimestamps: false,
    outstanding: false, audible: false, latency: false, ipv6: false,
  };
  let family = 0;
  let rroute = false;
  let timestamp = false;
  const option = (c: string, arg: string): void => {
    if (UNSUPPORTED[c] !== undefined && c !== 'R' && c !== 'T') fail(2, `option -${c} (${UNSUPPORTED[c]}): not supported by nslab`);
    switch (c) {
      case '4':
        if (family === 6) fail(2, 'only one -4 or -6 option may be specified');
        family = 4;
        break;
      case '6':
        if (family === 4) fail(2, 'only one -4 or -6 option may be specified');
        family = 6;
        o.ipv6 = true;
        break;
      case 'b': o.broadcast = true; break;
      case 'e': o.ident = numberOrErr(arg, 0n, 0xffffn, true); break;
      case 'R':
        if (timestamp) fail(2, 'only one of -T or -R may be used');
        rroute = true;
        fail(2, `option -R (${UNSUPPORTED.R}): not supported by nslab`);
        break;
      case 'T':
        if (rroute) fail(2, 'only one of -T or -R may be used');
        timestamp = true;
        if (!['tsonly', 'tsandaddr', 'tsprespec'].includes(arg)) fail(2, `invalid timestamp type: ${arg}`);
        fail(2, `option -T (${UNSUPPORTED.T}): not supported by nslab`);
        break;
      case 'F': {
        const { value, ok } = parseHexOrDec(arg, true);
        if (!ok) fail(2, `bad value for flowinfo: ${arg}`);
        if (value & ~0xfffff) fail(2, `flow value is greater than 20 bits: ${arg}`);
        break;
      }
      case 'a': o.audible = true; break;
      case 'B': o.strictSource = true; break;
      case 'c': o.count = numberOrErr(arg, 1n, LONG_MAX); break;
      case 'C': case 'd': case 'L': break;
      case 'D': o.printTimestamps = true; break;
      case 'i': {
        const v = pingStrtod(arg, 'bad timing interval', err);
        if (v > INT_MAX / 1000) fail(2, `bad timing interval: ${arg}`);
        o.interval = Math.trunc(v * 1000);
        o.intervalGiven = true;
        break;
      }
      case 'I': {
        if (arg.includes(':')) fail(2, `-I ${arg}: IPv6 is not supported by nslab`);
        const a = inetPton(arg);
        if (a !== undefined) {
          o.source = a;
          o.strictSource = true;
        } else {
          o.device = arg;
        }
        break;
      }
      case 'l': o.preload = numberOrErr(arg, 1n, 0x10000n); break;
      case 'm': o.mark = numberOrErr(arg, 0n, 0xffffffffn, true); break;
      case 'M':
        if (arg !== 'do' && arg !== 'dont' && arg !== 'want') fail(2, `invalid -M argument: ${arg}`);
        o.pmtudisc = arg;
        break;
      case 'n': o.numeric = true; break;
      case 'O': o.outstanding = true; break;
      case 'p': o.pattern = arg; break;
      case 'q': o.quiet = true; break;
      case 'Q': {
        const { value, ok } = parseHexOrDec(arg, false);
        if (!ok) fail(2, `bad TOS value: ${arg}`);
        if (value > 255) fail(2, `the decimal value of TOS bits must be in range 0-255: ${value}`);
        o.tos = value;
        break;
      }
      case 's': o.datalen = numberOrErr(arg, 0n, BigInt(INT_MAX)); break;
      case 'S': numberOrErr(arg, 1n, BigInt(INT_MAX)); break;
      case 't': o.ttl = numberOrErr(arg, 0n, 255n); break;
      case 'U': o.latency = true; break;
      case 'w': o.deadline = numberOrErr(arg, 0n, BigInt(INT_MAX)); break;
      case 'W': {
        const v = pingStrtod(arg, 'bad linger time', err);
        if (v < 0 || v > INT_MAX / 1000) fail(2, `bad linger time: ${arg}`);
        o.linger = Math.trunc(v * 1000);
        break;
      }
      default:
        usageExit(err);
    }
  };
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      const k = OPTSTRING.indexOf(c);
      if (k < 0 || c === ':') usageExit(err, `invalid option -- '${c}'`);
      if (OPTSTRING[k + 1] !== ':') {
        option(c, '');
        continue;
      }
      let v: string;
      if (j + 1 < a.length) v = a.slice(j + 1);
      else if (i + 1 < args.length) v = args[++i];
      else usageExit(err, `option requires an argument -- '${c}'`);
      option(c, v);
      break;
    }
  }
  return { opts: o, operands };
}

/**
 * fill(): the -p pattern (hex digit pairs, at most 16 bytes) repeated over the data from its
 * first byte; returns the pattern bytes (for the `PATTERN: 0x…` line). Exit 2 on a non-hex digit.
 */
export function fillPattern(pattern: string, data: Uint8Array): Uint8Array {
  const bad = /[^0-9a-fA-F]/.exec(pattern);
  if (bad) fail(2, `patterns must be specified as hex digits: ${pattern.slice(bad.index)}`);
  const bytes: number[] = [];
  for (let i = 0; i < pattern.length && bytes.length < 16; i += 2) bytes.push(parseInt(pattern.slice(i, i + 2), 16));
  if (bytes.length) {
    for (let k = 0; k < data.length; k += bytes.length) {
      for (let j = 0; j < bytes.length && k + j < data.length; j++) data[k + j] = bytes[j];
    }
  }
  return Uint8Array.from(bytes);
}
