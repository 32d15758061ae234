// The parsing `ip address` needs from iproute2's lib/utils.c: strtoul-style numbers, get_addr
// and get_prefix (IPv4 and IPv6, with their exact error texts), and inet_pton for IPv6.
import { ToolExit } from '../tool.ts';

/** C strtoul/strtol over the whole string: undefined unless every character is consumed. */
export function strtoNum(text: string, base = 0): number | undefined {
  const m = /^\s*([+-]?)(.*)$/s.exec(text)!;
  let body = m[2];
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX][0-9a-fA-F]/.test(body)) {
    body = body.slice(2);
    b = 16;
  } else if (b === 0) {
    b = body.startsWith('0') ? 8 : 10;
  }
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return undefined;
  const v = parseInt(body, b);
  return m[1] === '-' ? -v : v;
}

/** get_integer: a C int. */
export function getInteger(text: string): number | undefined {
  const v = strtoNum(text);
  return v === undefined || v > 0x7fffffff || v < -0x80000000 ? undefined : v;
}

/** get_unsigned / get_u32. */
export function getU32(text: string): number | undefined {
  const v = strtoNum(text);
  if (v === undefined) return undefined;
  // strtoul wraps negative input around.
  const u = v < 0 ? 2 ** 64 + v : v;
  return u > 0xffffffff ? undefined : u;
}

/** get_addr_ipv4: one to four parts, each a C number below 256 (so 10.1 is 10.1.0.0). */
export function getAddrIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const n = strtoNum(parts[i]);
    if (n === undefined || n < 0 || n > 255 || /^\s*[+-]/.test(parts[i])) return undefined;
    bytes[i] = n;
  }
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

/** inet_pton(AF_INET6). */
export function parseIpv6(text: string): Uint8Array | undefined {
  let s = text;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const quads = v4[2].split('.');
    const parts = quads.map(Number);
    if (parts.some((p, i) => p > 255 || /^0\d/.test(quads[i]))) return undefined;
    tail.push((parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]);
    s = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const ws = h.split(':');
    if (ws.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return undefined;
    return ws.map((w) => parseInt(w, 16));
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (total > 7) return undefined;
    words = [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
  } else {
    if (total !== 8) return undefined;
    words = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export type AddrFamily = 'inet' | 'inet6';

export interface AddrPrefix {
  family: AddrFamily;
  /** IPv4 as uint32 (0 for IPv6). */
  v4: number;
  v6: Uint8Array | undefined;
  bitlen: number;
  /** A `/len` was written (PREFIXLEN_SPECIFIED). */
  lenGiven: boolean;
}

/** family_name_verbose. */
function familyVerbose(family: AddrFamily | undefined): string {
  return family ?? 'any valid';
}

/** get_addr_1 (without the `default`/`any` forms): undefined when not an address of the family. */
export function getAddr1(text: string, family: AddrFamily | undefined): AddrPrefix | undefined {
  if (text.includes(':')) {
    if (family && family !== 'inet6') return undefined;
    const v6 = parseIpv6(text);
    return v6 ? { family: 'inet6', v4: 0, v6, bitlen: 128, lenGiven: false } : undefined;
  }
  if (family && family !== 'inet') return undefined;
  const v4 = getAddrIpv4(text);
  return v4 === undefined ? undefined : { family: 'inet', v4, v6: undefined, bitlen: 32, lenGiven: false };
}

/** get_netmask: a length, or a dotted mask. */
function getNetmask(text: string): number | undefined {
  const n = getU32(text);
  if (n !== undefined) return n;
  const m = getAddrIpv4(text);
  if (m === undefined) return undefined;
  for (let len = 0; len <= 32; len++) if (m === (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0)) return len;
  return undefined;
}

/** get_prefix_1: ADDR[/LEN]; undefined when invalid. */
export function getPrefix1(text: string, family: AddrFamily | undefined): AddrPrefix | undefined {
  const slash = text.indexOf('/');
  const a = getAddr1(slash < 0 ? text : text.slice(0, slash), family);
  if (!a) return undefined;
  if (slash >= 0) {
    const len = getNetmask(text.slice(slash + 1));
    if (len === undefined || len > a.bitlen) return undefined;
    a.bitlen = len;
    a.lenGiven = true;
  }
  return a;
}

/** get_prefix: exits 1 with `Error: FAMILY prefix is expected rather than "X".`. */
export function getPrefix(text: string, family: AddrFamily | undefined): AddrPrefix {
  const p = getPrefix1(text, family);
  if (!p) throw new ToolExit(1, `Error: ${familyVerbose(family)} prefix is expected rather than "${text}".\n`);
  return p;
}

/** get_addr: exits 1 with `Error: FAMILY address is expected rather than "X".`. */
export function getAddr(text: string, family: AddrFamily | undefined): AddrPrefix {
  const a = getAddr1(text, family);
  if (!a) throw new ToolExit(1, `Error: ${familyVerbose(family)} address is expected rather than "${text}".\n`);
  return a;
}
