// Reading numbers and addresses from arguments the lenient way the real tool does: numbers stop
// at the first character that is not a digit (so `-m 7junk` is mark 7), and an address may carry
// a /prefix. Getting these edge cases right is what keeps nslab's answers to odd arguments the
// same as the recorded ones.
import { inetAton } from '../tcpdump-filter-names.ts';
import { FAMILY_IPV4, FAMILY_IPV6, EXIT_USAGE, fail } from './common.ts';

const SPACE = ' \t\n\v\f\r';

/**
 * An unsigned number with base auto-detection (0x hex, leading 0 octal, else decimal), kept
 * modulo 2^32 as the tool's 32-bit fields keep it, and where the digits stopped. Undefined when
 * there are no digits at all.
 */
export function scanUnsigned(s: string): { value: number; end: number } | undefined {
  let i = 0;
  while (i < s.length && SPACE.includes(s[i])) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let radix: number;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    radix = 16;
  } else radix = s[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0n;
  for (; i < s.length; i++) {
    const digit = parseInt(s[i], 36);
    if (Number.isNaN(digit) || digit >= radix) break;
    value = value * BigInt(radix) + BigInt(digit);
  }
  if (i === start) return undefined;
  const all64 = 0xffffffffffffffffn;
  if (value > all64) value = all64;
  if (negative) value = (-value) & all64;
  return { value: Number(value & 0xffffffffn), end: i };
}

/** scanUnsigned's value, 0 when there were no digits. */
export function unsignedOrZero(s: string): number {
  return scanUnsigned(s)?.value ?? 0;
}

/** A signed decimal prefix as a 32-bit int (0 when there is none). */
export function scanInt(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  return Number(BigInt.asIntN(32, BigInt(m[1])));
}

/** Whether the text is an IPv6 address (nslab keeps no IPv6 entries, so only validity matters). */
function isIpv6Text(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return false;
  let text = s;
  let embeddedGroups = 0;
  const dotted = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octetOk = (p: string) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !(p.length > 1 && p[0] === '0');
    if (!dotted[1].split('.').every(octetOk)) return false;
    text = text.slice(0, text.length - dotted[1].length) + (text.endsWith(':' + dotted[1]) ? '0' : '');
    if (text === '') return false;
    embeddedGroups = 1;
  }
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return false;
  const groupsOf = (t: string) => (t === '' ? [] : t.split(':'));
  const before = gap < 0 ? groupsOf(text) : groupsOf(text.slice(0, gap));
  const after = gap < 0 ? [] : groupsOf(text.slice(gap + 2));
  for (const g of [...before, ...after]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
  const total = before.length + after.length + embeddedGroups;
  return gap < 0 ? total === 8 : total <= 7;
}

/** PREFIX_NONE: no /prefix given; PREFIX_BAD: one that does not fit the family or is not a number. */
export const PREFIX_NONE = -1;
export const PREFIX_BAD = -2;

/**
 * An address argument: its family (0 when it is no address), the IPv4 value, and the prefix
 * length when `withPrefix` allows one.
 */
export function parseAddress(arg: string, withPrefix: boolean): { family: number; v4: number; prefix: number } {
  // The tool copies the argument into a fixed buffer first, so only its start counts.
  let text = arg.slice(0, 45);
  let prefix = PREFIX_NONE;
  if (withPrefix) {
    const slash = text.indexOf('/');
    if (slash >= 0) {
      const tail = text.slice(slash + 1);
      const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(tail);
      prefix = m ? Number(m[1]) : 0;
      if (prefix < 0 || (m ? m[0].length : 0) !== tail.length || (!m && tail.length > 0)) prefix = PREFIX_BAD;
      if (!m && tail.length === 0) prefix = 0;
      text = text.slice(0, slash);
    }
  }
  const v4 = inetAton(text);
  if (v4 !== null) {
    if (prefix > 32) prefix = PREFIX_BAD;
    return { family: FAMILY_IPV4, v4: v4 >>> 0, prefix };
  }
  if (isIpv6Text(text)) {
    if (prefix > 128) prefix = PREFIX_BAD;
    return { family: FAMILY_IPV6, v4: 0, prefix };
  }
  return { family: 0, v4: 0, prefix };
}

/** The IPv4 netmask of a prefix length. */
export function prefixToMask(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** A NAT argument `addr`, `addr:port` or `[v6addr]:port`, split; a malformed port is a usage error. */
export function splitAddressAndPort(arg: string): { address: string; port?: string } {
  let address: string | undefined;
  let colon = -1;
  const open = arg.indexOf('[');
  if (open >= 0) {
    const start = open + 1;
    const close = arg.indexOf(']', start);
    if (close === start) fail(EXIT_USAGE, 'No IPv6 address specified');
    if (close < 0) fail(EXIT_USAGE, "No closing ']' around IPv6 address");
    colon = arg.indexOf(':', close);
    if (colon >= 0) address = arg.slice(start, close);
  } else {
    // A bare address with a single colon is address:port; more colons make it IPv6 without a port.
    colon = arg.indexOf(':');
    if (colon >= 0 && arg.indexOf(':', colon + 1) < 0) address = arg.slice(0, colon);
    else colon = -1;
  }
  if (colon < 0) return { address: arg };
  const port = arg.slice(colon + 1);
  if (port.length === 0) fail(EXIT_USAGE, "No port specified after `:'");
  if (!/^\d+$/.test(port) || Number(port) > 65535) fail(EXIT_USAGE, `Invalid port \`${port}'`);
  return { address: address ?? arg, port };
}
