// libxtables' helpers: its error exits, number parsing (strtoul with base 0), addresses,
// masks, ports, protocols, interface names and the number and string formats of listings.
import { hostByAddr, hostByName, networkByAddr, networkByName, protocolByName, protocolByNumber, serviceByName } from './netdb.ts';

export const VERSION = '1.8.9 (nf_tables)';
export const OTHER_PROBLEM = 1;
export const PARAMETER_PROBLEM = 2;
export const VERSION_PROBLEM = 3;
export const RESOURCE_PROBLEM = 4;

/**
 * xtables_error(): ends the command. Printed by the tool as `PROG vVERSION: MSG` plus, for
 * PARAMETER_PROBLEM, the `Error occurred at line` (iptables-restore) and `Try ...` lines.
 * `bare`: exit_tryhelp() after a message printed as is (`Bad argument ...`).
 */
export class XtExit extends Error {
  constructor(readonly status: number, readonly msg: string, readonly bare = false) {
    super(msg);
  }
}

export function xtError(status: number, msg: string): never {
  throw new XtExit(status, msg);
}

/** The stderr text of an XtExit for program `prog`; `line` -1 outside iptables-restore. */
export function formatExit(e: XtExit, prog: string, line: number): string {
  let out = e.bare ? e.msg : `${prog} v${VERSION}: ${e.msg}\n`;
  if (e.status === PARAMETER_PROBLEM) {
    if (line !== -1) out += `Error occurred at line: ${line}\n`;
    out += `Try \`${prog} -h' or '${prog} --help' for more information.\n`;
  } else if (e.status === VERSION_PROBLEM && !e.bare) {
    out += `Perhaps ${prog} or your kernel needs to be upgraded.\n`;
  }
  return out;
}

const SPACE = /^[ \t\n\v\f\r]*/;

/** strtoumax(s, &end, base): null when no digits; value may exceed 2^64 (then ERANGE). */
export function strtoul(s: string, base = 0): { value: bigint; end: number; erange: boolean } | null {
  let i = SPACE.exec(s)![0].length;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let b = base;
  if ((b === 0 || b === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i], 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  if (i === start) return null;
  const erange = v > 0xffffffffffffffffn;
  if (neg) v = (0x10000000000000000n - (v % 0x10000000000000000n)) % 0x10000000000000000n;
  return { value: v, end: i, erange };
}

/** xtables_strtoul: whole string (or a prefix when `partial`), no minus, within [min, max]. */
export function xtStrtoul(s: string, min: number, max: number, partial = false): { value: number; end: number } | null {
  const p = SPACE.exec(s)![0].length;
  if (s[p] === '-') return null;
  const r = strtoul(s);
  if (!r || r.erange || r.value < BigInt(min) || r.value > BigInt(max)) return null;
  if (!partial && r.end !== s.length) return null;
  return { value: Number(r.value), end: r.end };
}

export function xtStrtoui(s: string, min: number, max: number): number | undefined {
  return xtStrtoul(s, min, max)?.value;
}

// ---- addresses --------------------------------------------------------------------------

export function ipToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** xtables_numeric_to_ipaddr / _ipmask: dotted quad, each part strtoul base 0; an address may
 * stop early ("10" = 10.0.0.0, "10.1" = 10.1.0.0). */
export function numericToIp(dotted: string, isMask: boolean): number | undefined {
  const parts = dotted.slice(0, 19).split('.');
  if (parts.length > 4 || (isMask && parts.length < 4)) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const v = xtStrtoui(parts[i], 0, 255);
    if (v === undefined) return undefined;
    bytes[i] = v;
  }
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

export function maskFromBits(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** The prefix length of a contiguous mask, else -1. */
export function maskToCidr(mask: number): number {
  for (let i = 32; i >= 0; i--) if (maskFromBits(i) === mask >>> 0) return i;
  return -1;
}

function parseIpmask(mask: string | undefined): number {
  if (mask === undefined) return 0xffffffff;
  const dotted = numericToIp(mask, true);
  if (dotted !== undefined) return dotted;
  const bits = xtStrtoui(mask, 0, 32);
  if (bits === undefined) xtError(PARAMETER_PROBLEM, `invalid mask \`${mask}' specified`);
  return maskFromBits(bits);
}

function parseHostnetwork(name: string): number[] {
  const a = numericToIp(name, false) ?? networkByName(name);
  if (a !== undefined) return [a];
  const hosts = hostByName(name);
  if (hosts.length) return hosts;
  xtError(PARAMETER_PROBLEM, `host/network \`${name}' not found`);
}

/** xtables_ipparse_multiple: `addr[/mask][,addr[/mask]...]`, addresses masked. */
export function ipparseMultiple(spec: string): Array<{ addr: number; mask: number }> {
  const out: Array<{ addr: number; mask: number }> = [];
  for (let item of spec.split(',')) {
    item = item.replace(/^[ \t\n\v\f\r]+/, '');
    if (item.length > 255) xtError(PARAMETER_PROBLEM, 'Hostname too long');
    const slash = item.lastIndexOf('/');
    const mask = parseIpmask(slash < 0 ? undefined : item.slice(slash + 1));
    const host = mask === 0 ? '0.0.0.0' : slash < 0 ? item : item.slice(0, slash);
    for (const a of parseHostnetwork(host)) out.push({ addr: (a & mask) >>> 0, mask });
  }
  return out;
}

/** `addr` plus `/len` or `/dotted-mask`, nothing for /32 (xtables_ipmask_to_numeric). */
export function maskSuffix(mask: number): string {
  const cidr = maskToCidr(mask);
  if (cidr === -1) return `/${ipToString(mask)}`;
  return cidr === 32 ? '' : `/${cidr}`;
}

/** xtables_ipaddr_to_anyname: /etc/hosts, then /etc/networks, else numeric. */
export function ipToAnyname(a: number): string {
  return hostByAddr(a) ?? networkByAddr(a) ?? ipToString(a);
}

// ---- ports, protocols, interfaces -------------------------------------------------------

/** xtables_parse_port: a number 0-65535 or a service name of `proto`. */
export function parsePort(port: string, proto: string): number {
  const n = xtStrtoui(port, 0, 65535) ?? serviceByName(port, proto);
  if (n === undefined) xtError(PARAMETER_PROBLEM, `invalid port/service \`${port}' specified`);
  return n;
}

/** getaddrinfo(NULL, name) as xtables_getportbyname uses it: decimal (mod 65536) or any service. */
export function portByName(name: string): number | undefined {
  const r = strtoul(name, 10);
  if (r && r.end === name.length) return Number(r.value & 0xffffn);
  return serviceByName(name);
}

/** xtables_chain_protos: names iptables knows without /etc/protocols. */
const CHAIN_PROTOS: ReadonlyArray<[string, number]> = [
  ['tcp', 6], ['sctp', 132], ['udp', 17], ['udplite', 136], ['icmp', 1], ['ipv6-icmp', 58], ['icmpv6', 58],
  ['esp', 50], ['ah', 51], ['mobility-header', 135], ['ipv6-mh', 135], ['mh', 135], ['all', 0],
];

export function parseProtocol(s: string): number {
  const n = xtStrtoui(s, 0, 255);
  if (n !== undefined) return n;
  const known = CHAIN_PROTOS.find(([name]) => name === s)?.[1] ?? protocolByName(s);
  if (known === undefined) xtError(PARAMETER_PROBLEM, `unknown protocol "${s}" specified`);
  return known;
}

/** proto_to_name: xtables' own names first, then /etc/protocols unless `nolookup`. */
export function protoToName(proto: number, nolookup: boolean): string | undefined {
  const known = CHAIN_PROTOS.find(([, n]) => n === proto)?.[0];
  if (known !== undefined) return known;
  return proto && !nolookup ? protocolByNumber(proto) : undefined;
}

export const IFNAMSIZ = 16;

/** xtables_parse_interface: the name as typed (a trailing '+' is a wildcard). */
export function parseInterface(arg: string, warn: (text: string) => void): { name: string; wildcard: boolean } {
  if (arg.length + 1 > IFNAMSIZ) xtError(PARAMETER_PROBLEM, `interface name \`${arg}' must be shorter than IFNAMSIZ (${IFNAMSIZ - 1})`);
  if (/[/ ]/.test(arg)) warn(`Warning: weird character in interface \`${arg}' ('/' and ' ' are not allowed by the kernel).\n`);
  if (arg.endsWith('+')) return { name: arg.slice(0, -1), wildcard: true };
  return { name: arg, wildcard: false };
}

// ---- output formats ---------------------------------------------------------------------

export function pad(s: string, width: number, left = false): string {
  return left ? s.padEnd(width) : s.padStart(width);
}

/** xtables_print_num: 5 columns with K/M/G/T units, or 8 exact ones. */
export function printNum(n: number, kmg: boolean, table: boolean): string {
  if (!kmg) return table ? `${pad(String(n), 8)} ` : `${n} `;
  if (n <= 99999) return table ? `${pad(String(n), 5)} ` : `${n} `;
  let v = BigInt(Math.round(n));
  for (const unit of ['K', 'M', 'G']) {
    v = (v + 500n) / 1000n;
    if (v <= 9999n) return table ? `${pad(String(v), 4)}${unit} ` : `${v}${unit} `;
  }
  v = (v + 500n) / 1000n;
  return table ? `${pad(String(v), 4)}T ` : `${v}T `;
}

/** xtables_save_string: bare when only [-_0-9a-zA-Z], else double-quoted with \ before " \ '. */
export function saveString(value: string): string {
  if (/^[-_0-9a-zA-Z]+$/.test(value)) return ` ${value}`;
  return ` "${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/** xtables_parse_val_mask (no name map): `value[/mask]`, mask defaulting to all ones. */
export function parseValMask(arg: string, ext: string, opt: string): { val: number; mask: number } {
  const v = xtStrtoul(arg, 0, 0xffffffff, true);
  if (!v) xtError(PARAMETER_PROBLEM, `${ext}: bad integer value for option "--${opt}", or out of range.\n`);
  if (v.end === arg.length) return { val: v.value, mask: 0xffffffff };
  if (arg[v.end] !== '/') xtError(PARAMETER_PROBLEM, `${ext}: trailing garbage after value for option "--${opt}".\n`);
  const rest = arg.slice(v.end + 1);
  const m = xtStrtoul(rest, 0, 0xffffffff, true);
  if (!m) xtError(PARAMETER_PROBLEM, `${ext}: bad integer value for option "--${opt}", or out of range.\n`);
  if (m.end !== rest.length) xtError(PARAMETER_PROBLEM, `${ext}: trailing garbage after value for option "--${opt}".\n`);
  return { val: v.value, mask: m.value };
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** xtables_print_val_mask: ` 0xV/0xM`, or ` 0xV` with a full mask. */
export function valMask(val: number, mask: number): string {
  return mask >>> 0 === 0xffffffff ? ` ${hex(val)}` : ` ${hex(val)}/${hex(mask)}`;
}

/** tos_symbol_names (libxt_tos_helper): the names a TOS value may be given. */
export const TOS_NAMES: ReadonlyArray<[string, number]> = [
  ['Minimize-Cost', 0x02], ['Maximize-Reliability', 0x04], ['Maximize-Throughput', 0x08], ['Minimize-Delay', 0x10],
  ['Normal-Service', 0x00],
];
/** The mask a TOS name implies (revision 1: the six TOS bits). */
export const TOS_SYMBOL_MASK = 0x3f;

/** XTTYPE_TOSMASK (the tos match, the TOS target): `value[/mask]` (mask 0xff), or a name (mask 0x3f). */
export function parseTosmask(arg: string): { value: number; mask: number } {
  const v = xtStrtoul(arg, 0, 0xff, true);
  if (!v) {
    const name = TOS_NAMES.find(([n]) => n.toLowerCase() === arg.toLowerCase());
    if (!name) xtError(PARAMETER_PROBLEM, `Symbolic name "${arg}" is unknown`);
    return { value: name[1], mask: TOS_SYMBOL_MASK };
  }
  let mask = 0xff;
  let rest = arg.slice(v.end);
  if (rest[0] === '/') {
    const m = xtStrtoul(rest.slice(1), 0, 0xff, true);
    if (!m) xtError(PARAMETER_PROBLEM, `Illegal value: "${arg}"`);
    mask = m.value;
    rest = rest.slice(1 + m.end);
  }
  if (rest !== '') xtError(PARAMETER_PROBLEM, `Illegal value: "${arg}"`);
  return { value: v.value, mask };
}
