// The extension interface of libxtables (x6 option tables, xtables_option_parse and the final
// checks) for the matches and targets nslab implements. An extension's data is the compiled
// model object itself (a Match or a Target), filled in as options are parsed.
import type { Match, Rule, Target } from '../../kernel/netfilter/index.ts';
import type { Getopt } from './getopt.ts';
import { PARAMETER_PROBLEM, maskFromBits, maskToCidr, numericToIp, parseProtocol, parseValMask, portByName, xtError, xtStrtoul } from './xtables.ts';

export const XTOPT_INVERT = 1 << 0;
export const XTOPT_MAND = 1 << 1;
export const XTOPT_MULTI = 1 << 2;

export type OptType =
  | 'none' | 'string' | 'uint8' | 'uint16' | 'uint32' | 'uint32rc' | 'portrc'
  | 'markmask32' | 'sysloglevel' | 'protocol' | 'hostmask';

export interface OptEntry {
  name: string;
  id: number;
  type: OptType;
  flags?: number;
  /** Integer bounds, or string length bounds. */
  min?: number;
  max?: number;
  /** String storage size (XTOPT_PUT truncates to size - 1). */
  size?: number;
  excl?: number;
  also?: number;
}

/** What xtables_option_parse leaves in cb->val. */
export interface OptVal {
  str: string;
  u: number;
  range: number[];
  mark: number;
  mask: number;
  haddr: number;
  hmask: number;
}

/** The rule as far as parsed when an option is seen (what extensions read from cs->fw). */
export interface RuleSoFar {
  proto: number;
  invflags: number;
}

export interface OptionCall {
  entry: OptEntry;
  arg: string | null;
  invert: boolean;
  extName: string;
  xflags: number;
  val: OptVal;
  rule: RuleSoFar;
  /** For the few old-style parsers that read further arguments (--tcp-flags). */
  getopt: Getopt;
  /** A warning on stderr (the command goes on). */
  warn(text: string): void;
}

export interface Extension<D extends Match | Target = Match | Target> {
  name: string;
  options: readonly OptEntry[];
  /** Old-style (struct option) parser: no generic once/invert/argument checks. */
  oldStyle?: boolean;
  init(): D;
  parse(cb: OptionCall, data: D): void;
  fcheck?(xflags: number, data: D, extName: string): void;
  /** `iptables -L` text (each piece starts with a space). */
  print(data: D, rule: Rule, numeric: boolean): string;
  /** `iptables -S` / iptables-save text of the options. */
  save(data: D, rule: Rule): string;
  /** The name after -m / -j when it depends on the data (state/conntrack, NOTRACK/CT). */
  alias?(data: D): string;
}

export function emptyVal(): OptVal {
  return { str: '', u: 0, range: [], mark: 0, mask: 0, haddr: 0, hmask: 0 };
}

function bad(cb: OptionCall, what: string): never {
  xtError(PARAMETER_PROBLEM, `${cb.extName}: ${what}`);
}

/** inet_aton (what getaddrinfo accepts as a numeric IPv4 host): a, a.b, a.b.c, a.b.c.d. */
export function inetAton(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const vals: number[] = [];
  for (const p of parts) {
    const v = xtStrtoul(p, 0, 0xffffffff);
    if (!v || /^[ \t]/.test(p)) return undefined;
    vals.push(v.value);
  }
  const last = vals.pop() as number;
  if (vals.some((v) => v > 255) || last >= 2 ** (8 * (4 - vals.length))) return undefined;
  let a = 0;
  vals.forEach((v, i) => (a |= v << (24 - 8 * i)));
  return (a | last) >>> 0;
}

const SYSLOG: Record<string, number> = { alert: 1, crit: 2, debug: 7, emerg: 0, error: 3, info: 6, notice: 5, panic: 0, warning: 4 };

/** xtables_option_parse: the generic checks, then the typed value into cb.val. */
export function optionParse(cb: OptionCall): void {
  const e = cb.entry;
  const eflag = 1 << e.id;
  const flags = e.flags ?? 0;
  if ((!(flags & XTOPT_MULTI) || (e.excl ?? 0) & eflag) && cb.xflags & eflag) bad(cb, `option "--${e.name}" can only be used once.\n`);
  if (cb.invert && !(flags & XTOPT_INVERT)) bad(cb, `option "--${e.name}" cannot be inverted.\n`);
  if (e.type !== 'none' && cb.arg === null) bad(cb, `option "--${e.name}" requires an argument.\n`);
  const arg = cb.arg ?? '';
  switch (e.type) {
    case 'string': {
      if (e.min && arg.length < e.min) xtError(PARAMETER_PROBLEM, `Argument must have a minimum length of ${e.min} characters\n`);
      if (e.max && arg.length > e.max) xtError(PARAMETER_PROBLEM, `Argument must have a maximum length of ${e.max} characters\n`);
      cb.val.str = e.size ? arg.slice(0, e.size - 1) : arg;
      break;
    }
    case 'uint8':
    case 'uint16':
    case 'uint32': {
      const lmax = e.max || { uint8: 0xff, uint16: 0xffff, uint32: 0xffffffff }[e.type];
      const lmin = e.min ?? 0;
      const v = xtStrtoul(arg, lmin, lmax);
      if (!v) bad(cb, `bad value for option "--${e.name}", or out of range (${lmin}-${lmax}).\n`);
      cb.val.u = v.value;
      break;
    }
    case 'uint32rc': {
      cb.val.range = [];
      let rest = arg;
      for (;;) {
        if (cb.val.range.length === 2) bad(cb, `Too many components for option "--${e.name}" (max: 2)\n`);
        let value: number;
        let end: string;
        if (rest === '' || rest[0] === ':') {
          value = cb.val.range.length === 1 ? 0xffffffff : 0;
          end = rest;
        } else {
          const v = xtStrtoul(rest, 0, 0xffffffff, true);
          if (!v) bad(cb, `bad value for option "--${e.name}" near "${rest}", or out of range (0-4294967295).\n`);
          end = rest.slice(v.end);
          if (end !== '' && end[0] !== ':') bad(cb, `Argument to "--${e.name}" has unexpected characters near "${end}".\n`);
          value = v.value;
        }
        cb.val.range.push(value);
        if (end === '') break;
        rest = end.slice(1);
      }
      break;
    }
    case 'portrc': {
      const parts = arg.split(':');
      if (parts.length > 2) bad(cb, `Too many components for option "--${e.name}" (max: 2)\n`);
      const range = [0, 0xffff];
      parts.forEach((p, i) => {
        if (p === '') return;
        const v = portByName(p);
        if (v === undefined) xtError(PARAMETER_PROBLEM, `Port "${p}" does not resolve to anything.\n`);
        range[i] = v;
      });
      if (parts.length === 1) range[1] = range[0];
      cb.val.range = range;
      break;
    }
    case 'markmask32': {
      const { val, mask } = parseValMask(arg, cb.extName, e.name);
      cb.val.mark = val;
      cb.val.mask = mask;
      break;
    }
    case 'sysloglevel': {
      const v = xtStrtoul(arg, 0, 7)?.value ?? SYSLOG[arg];
      if (v === undefined) xtError(PARAMETER_PROBLEM, `log level "${arg}" unknown\n`);
      cb.val.u = v;
      break;
    }
    case 'protocol':
      cb.val.u = parseProtocol(arg);
      break;
    case 'hostmask':
      parseHostmask(cb, arg);
      break;
    case 'none':
      break;
  }
  cb.xflags |= eflag;
}

function parseHostmask(cb: OptionCall, arg: string): void {
  const slash = arg.indexOf('/');
  const host = slash < 0 ? arg : arg.slice(0, slash);
  const a = inetAton(host);
  if (a === undefined) xtError(PARAMETER_PROBLEM, 'getaddrinfo: Name or service not known\n');
  cb.val.haddr = a;
  cb.val.hmask = 0xffffffff;
  if (slash < 0) return;
  const plen = arg.slice(slash + 1);
  const bits = xtStrtoul(plen, 0, 32);
  if (bits) {
    cb.val.hmask = maskFromBits(bits.value);
    return;
  }
  const m = numericToIp(plen, true) ?? inetAton(plen);
  if (m === undefined) bad(cb, `bad value for option "--${cb.entry.name}", neither a valid network mask nor valid CIDR (0-32).\n`);
  cb.val.hmask = maskToCidr(m) >= 0 ? m : 0xffffffff;
}

/** xtables_options_fcheck: mandatory options, `also` and exclusions. */
export function optionsFcheck(name: string, xflags: number, table: readonly OptEntry[]): void {
  const byId = (id: number) => table.find((e) => e.id === id);
  for (const entry of table) {
    if ((entry.flags ?? 0) & XTOPT_MAND && !(xflags & (1 << entry.id))) {
      xtError(PARAMETER_PROBLEM, `${name}: option "--${entry.name}" must be specified\n`);
    }
    if (!(xflags & (1 << entry.id))) continue;
    for (let i = 0; i < 32; i++) {
      if (entry.id === i) continue;
      const other = byId(i);
      if (!other) continue;
      const of = 1 << other.id;
      if ((entry.also ?? 0) & of && !(xflags & of)) {
        xtError(PARAMETER_PROBLEM, `${name}: option "--${entry.name}" also requires "--${other.name}".\n`);
      }
      if (!((entry.excl ?? 0) & of)) continue;
      if ((xflags & ((1 << entry.id) | of)) !== ((1 << entry.id) | of)) continue;
      xtError(PARAMETER_PROBLEM, `${name}: option "--${entry.name}" cannot be used together with "--${other.name}".\n`);
    }
  }
}
