// MAC and IPv4 address text forms (cold path). On the hot path IPv4 addresses are uint32 and
// MACs stay as bytes in the frame.

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

const MAC_RE = /^([0-9a-fA-F]{1,2})(?::([0-9a-fA-F]{1,2})){5}$/;

/** `02:00:00:00:0a:01` → 6 bytes. Accepts one-digit groups as iproute2 does. */
export function parseMac(text: string): Uint8Array {
  if (!MAC_RE.test(text)) throw new AddressError(`invalid MAC address "${text}"`);
  return Uint8Array.from(text.split(':').map((g) => parseInt(g, 16)));
}

/** Writes a MAC given as text into `b` at `o`. */
export function writeMac(b: Uint8Array, o: number, text: string): void {
  b.set(parseMac(text), o);
}

/** Lower-case colon-separated hex of `len` bytes: a MAC for len 6, any hardware address otherwise. */
export function formatMac(b: Uint8Array, o = 0, len = 6): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    if (i > 0) s += ':';
    s += b[o + i].toString(16).padStart(2, '0');
  }
  return s;
}

/** Colon hex of any length back to bytes (the inverse of formatMac for any length). */
export function parseHardwareAddress(text: string): Uint8Array {
  if (text === '') return new Uint8Array(0);
  const groups = text.split(':');
  if (groups.some((g) => !/^[0-9a-fA-F]{1,2}$/.test(g))) throw new AddressError(`invalid hardware address "${text}"`);
  return Uint8Array.from(groups.map((g) => parseInt(g, 16)));
}

/** `10.1.1.1` → uint32. Only the four-part dotted-decimal form is accepted. */
export function parseIpv4Addr(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressError(`invalid IPv4 address "${text}"`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new AddressError(`invalid IPv4 address "${text}"`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

/** uint32 → `10.1.1.1`. */
export function formatIpv4Addr(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** Reads four bytes at `o` as dotted decimal. */
export function formatIpv4At(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** The netmask of a prefix length as uint32 (0 → 0.0.0.0). */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export interface Ipv4Prefix {
  /** Address as written (host bits kept; `ip addr add 10.1.1.1/24` needs them). */
  addr: number;
  len: number;
}

/** `10.0.0.0/8` or a bare address (length 32). */
export function parseCidr(text: string): Ipv4Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) return { addr: parseIpv4Addr(text), len: 32 };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) throw new AddressError(`invalid prefix length in "${text}"`);
  return { addr: parseIpv4Addr(text.slice(0, slash)), len: Number(lenText) };
}

export function formatCidr(p: Ipv4Prefix): string {
  return `${formatIpv4Addr(p.addr)}/${p.len}`;
}

/** True for 224.0.0.0/4. */
export function isMulticastIpv4(n: number): boolean {
  return n >>> 28 === 0xe;
}
