// iproute2's address parsing (lib/utils.c: get_addr, get_prefix, get_unsigned, ll_addr_a2n),
// shared by `ip address`, `ip route`, `ip rule` and `ip neigh`.
import { ToolExit } from '../tool.ts';

export type Family = 'inet' | 'inet6';

/** inet_prefix: an address as iproute2 parsed it. */
export interface InetPrefix {
  family: Family;
  /** The IPv4 address (uint32); 0 for IPv6, `default`, `all` and `any`. */
  v4: number;
  /** The IPv6 address (16 bytes). */
  v6?: Uint8Array;
  /** Prefix length; the full length for a plain address, 0 for `default`/`all`/`any`. */
  bitlen: number;
  /** Bytes of address iproute2 sends (0 for `all`/`any`, which send no address). */
  bytelen: number;
  /** PREFIXLEN_SPECIFIED: a `/len` was written, or the word `default`. */
  lenGiven: boolean;
  /** `default`, `all` or `any` read without a family (AF_UNSPEC): no family to compare. */
  unspec?: boolean;
}

/** strtoul over the whole string (base 0: 0x hex, leading 0 octal); undefined otherwise. */
export function strtoul(text: string, base = 0): number | undefined {
  let s = text;
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX]/.test(s)) {
    s = s.slice(2);
    b = 16;
  } else if (b === 0) {
    b = s.length > 1 && s[0] === '0' ? 8 : 10;
  }
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return undefined;
  const v = parseInt(s, b);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** get_unsigned / get_u32: a C integer that fits 32 bits unsigned, else undefined. */
export function getU32(text: string): number | undefined {
  const v = strtoul(text);
  return v !== undefined && v <= 0xffffffff ? v : undefined;
}

/** get_addr_ipv4: "10.8" means 10.8.0.0; each part strtoul base 0, at most 255. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    let n = 0;
    if (i < parts.length) {
      if (!/^(0[xX][0-9a-fA-F]*|[0-9]+)$/.test(parts[i])) return undefined;
      const parsed = /^0[xX]$/.test(parts[i]) ? 0 : strtoul(parts[i]);
      if (parsed === undefined || parsed > 255) return undefined;
      n = parsed;
    }
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** inet_pton(AF_INET6). */
export function parseIpv6(text: string): Uint8Array | undefined {
  let s = text;
  const groups: number[] = [];
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  let extra: number[] = [];
  if (v4) {
    const p = v4[1].split('.').map(Number);
    if (p.some((x) => x > 255)) return undefined;
    extra = [(p[0] << 8) | p[1], (p[2] << 8) | p[3]];
    s = s.slice(0, -v4[1].length) + (s.endsWith('::' + v4[1]) ? '' : 'X');
    s = s.endsWith(':X') ? s.slice(0, -2) : s;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return undefined;
  const given = head.length + tail.length + extra.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  groups.push(...head, ...new Array(8 - given).fill(0), ...tail, ...extra);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 255;
  });
  return out;
}

/** get_addr_1 (no family: AF_UNSPEC). */
export function getAddr1(name: string, family?: Family): InetPrefix | undefined {
  const f: Family = family ?? 'inet';
  const unspec = family === undefined;
  if (name === 'default') return { family: f, v4: 0, bitlen: -2, bytelen: f === 'inet6' ? 16 : 4, lenGiven: true, unspec };
  if (name === 'all' || name === 'any') return { family: f, v4: 0, bitlen: -2, bytelen: 0, lenGiven: false, unspec };
  if (name.includes(':')) {
    if (family === 'inet') return undefined;
    const v6 = parseIpv6(name);
    return v6 ? { family: 'inet6', v4: 0, v6, bitlen: -1, bytelen: 16, lenGiven: false } : undefined;
  }
  if (family === 'inet6') return undefined;
  const v4 = parseIpv4(name);
  return v4 === undefined ? undefined : { family: 'inet', v4, bitlen: -1, bytelen: 4, lenGiven: false };
}

/** get_netmask: a length (C integer) or a contiguous dotted mask. */
function getNetmask(text: string): number | undefined {
  const v = getU32(text);
  if (v !== undefined) return v;
  const a = getAddr1(text, 'inet');
  if (!a) return undefined;
  const host = ~a.v4 >>> 0;
  if ((host & (host + 1)) !== 0) return undefined;
  let bits = 0;
  for (let m = a.v4; m; m = (m << 1) >>> 0) bits++;
  return bits;
}

/** get_prefix_1. */
export function getPrefix1(arg: string, family?: Family): InetPrefix | undefined {
  const slash = arg.indexOf('/');
  const dst = getAddr1(slash < 0 ? arg : arg.slice(0, slash), family);
  if (!dst) return undefined;
  const full = dst.family === 'inet6' ? 128 : 32;
  if (slash >= 0) {
    if (dst.bitlen === -2) return undefined;
    const plen = getNetmask(arg.slice(slash + 1));
    if (plen === undefined || plen > full) return undefined;
    return { ...dst, bitlen: plen, lenGiven: true };
  }
  return { ...dst, bitlen: dst.bitlen === -2 ? 0 : full };
}

function familyVerbose(f: Family | undefined): string {
  return f ?? 'any valid';
}

/** get_prefix: exits 1 with iproute2's message when `arg` is no prefix. */
export function getPrefix(arg: string, family?: Family): InetPrefix {
  const p = getPrefix1(arg, family);
  if (!p) throw new ToolExit(1, `Error: ${familyVerbose(family)} prefix is expected rather than "${arg}".\n`);
  return p;
}

/** get_addr: exits 1 with iproute2's message when `arg` is no address. */
export function getAddr(arg: string, family?: Family): InetPrefix {
  const p = getAddr1(arg, family);
  if (!p) throw new ToolExit(1, `Error: ${familyVerbose(family)} address is expected rather than "${arg}".\n`);
  return { ...p, bitlen: p.bitlen === -1 ? (p.family === 'inet6' ? 128 : 32) : p.bitlen };
}

/** inet_addr_match on IPv4 over the first `bits` bits. */
export function prefixMatch(a: number, b: number, bits: number): boolean {
  if (bits <= 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0;
  return ((a ^ b) & mask) === 0;
}

/** ll_addr_a2n: colon-separated hex bytes (sscanf %x each), or an IPv4 address for 4 bytes. */
export function llAddrA2n(arg: string): Uint8Array {
  const bad = (what: string): never => { throw new ToolExit(1, `"${what}" is invalid lladdr.\n`); };
  if (arg.includes('.')) {
    const a = getAddr1(arg, 'inet');
    if (!a) bad(arg);
    const v = a!.v4;
    return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
  }
  const out: number[] = [];
  let rest = arg;
  for (let i = 0; i < 20; i++) {
    const colon = rest.indexOf(':');
    const part = colon < 0 ? rest : rest.slice(0, colon);
    const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]+)/.exec(part);
    if (!m || m[1] === '-') bad(part);
    const v = parseInt(m![2], 16);
    if (v > 255) bad(part);
    out.push(v);
    if (colon < 0) break;
    rest = rest.slice(colon + 1);
  }
  return new Uint8Array(out);
}

/**
 * invarg() exactly as iproute2 prints it: `msg` is the C string, so a message that ends in
 * "\n" leaves an empty line after it. Exit 255.
 */
export function invargRaw(msg: string, arg: string): never {
  throw new ToolExit(255, `Error: argument "${arg}" is wrong: ${msg}\n`);
}
