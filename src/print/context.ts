// The printing context shared by every protocol printer: the output being built, the captured
// bytes and the current end of the printable data ("snapend"), the name of the protocol being
// printed (for tcpdump's ` [|proto]` truncation marker) and the per-file state.
//
// tcpdump bails out of a printer with a long jump as soon as it reads past the captured data and
// then prints ` [|proto]`; here the bounds-checked readers throw `TRUNCATED` instead and the entry
// point catches it. Printers that in tcpdump test for truncation themselves and carry on (a local
// `goto trunc`) use `ttest` and print the marker with `trunc()`.
import { fold, formatIpv4At, formatMac, u16, u32 } from '../wire/index.ts';

export { onesSum } from '../wire/index.ts';

/** Thrown by the bounds-checked readers when a read runs past the printable data. */
export class Truncated {
  readonly truncated = true;
}
export const TRUNCATED = new Truncated();

export interface TcpSeqEntry {
  /** Initial sequence numbers recorded for the (collated) conversation. */
  seq: number;
  ack: number;
}

/** State carried from one frame to the next while printing one capture (tcpdump keeps it in statics). */
export interface PrintState {
  /** TCP conversations seen, for relative sequence numbers; keyed by collated addresses and ports. */
  tcpSeq: Map<string, TcpSeqEntry>;
}

export interface CtxOptions {
  eflag: boolean;
  vflag: number;
  /** Interface name for an SLL2 interface index (`if_indextoname`); undefined prints `?`. */
  ifName?: (ifindex: number) => string | undefined;
}

export class Ctx {
  out = '';
  protocol = '';
  snapend: number;
  readonly eflag: boolean;
  readonly vflag: number;

  constructor(
    readonly b: Uint8Array,
    readonly state: PrintState,
    readonly opts: CtxOptions,
  ) {
    this.snapend = b.length;
    this.eflag = opts.eflag;
    this.vflag = opts.vflag;
  }

  print(s: string): void {
    this.out += s;
  }

  /** ` [|proto]` (nd_print_trunc). */
  trunc(): void {
    this.out += ` [|${this.protocol}]`;
  }

  /** ` (invalid)` (nd_print_invalid). */
  invalid(): void {
    this.out += ' (invalid)';
  }

  /** True if `n` bytes from `o` were captured (and are inside the current snapend). */
  ttest(o: number, n: number): boolean {
    return n >= 0 && o >= 0 && o <= this.snapend - n;
  }

  /** Throws TRUNCATED unless `n` bytes from `o` are available. */
  tcheck(o: number, n: number): void {
    if (!this.ttest(o, n)) throw TRUNCATED;
  }

  /** Bytes captured from `o` to snapend, as tcpdump's unsigned difference. */
  avail(o: number): number {
    return (this.snapend - o) >>> 0;
  }

  u8(o: number): number {
    if (o < 0 || o >= this.snapend) throw TRUNCATED;
    return this.b[o];
  }

  u16(o: number): number {
    if (o < 0 || o + 2 > this.snapend) throw TRUNCATED;
    return u16(this.b, o);
  }

  le16(o: number): number {
    if (o < 0 || o + 2 > this.snapend) throw TRUNCATED;
    return this.b[o] | (this.b[o + 1] << 8);
  }

  u24(o: number): number {
    if (o < 0 || o + 3 > this.snapend) throw TRUNCATED;
    return (this.b[o] << 16) | (this.b[o + 1] << 8) | this.b[o + 2];
  }

  u32(o: number): number {
    if (o < 0 || o + 4 > this.snapend) throw TRUNCATED;
    return u32(this.b, o);
  }

  /** Dotted-quad IPv4 address at `o` (GET_IPADDR_STRING with -n). */
  ipaddr(o: number): string {
    this.tcheck(o, 4);
    return formatIpv4At(this.b, o);
  }

  /** Colon-hex MAC at `o` (GET_ETHERADDR_STRING with -n). */
  etheraddr(o: number): string {
    this.tcheck(o, 6);
    return formatMac(this.b, o);
  }

  /** A link-layer address of `len` bytes (GET_LINKADDR_STRING): `<empty>` or colon hex. */
  linkaddr(o: number, len: number): string {
    this.tcheck(o, len);
    if (len === 0) return '<empty>';
    return formatMac(this.b, o, len);
  }

  /**
   * Lowers snapend to `o + len` if that is before it (nd_push_snaplen); returns the old snapend
   * for `this.snapend = saved` (nd_pop_packet_info).
   */
  pushSnaplen(o: number, len: number): number {
    const saved = this.snapend;
    if (len <= ((this.snapend - o) >>> 0)) this.snapend = o + len;
    return saved;
  }
}

export function hex2(v: number): string {
  return (v & 0xff).toString(16).padStart(2, '0');
}

/** `%0Nx`. */
export function hexPad(v: number, width: number): string {
  return (v >>> 0).toString(16).padStart(width, '0');
}

/** `%x`. */
export function hexNum(v: number): string {
  return (v >>> 0).toString(16);
}

export type Tok = ReadonlyMap<number, string>;

/** tcpdump's tok2str: the name of `v`, or `fmt` with `%u`/`%d`/`%x`-style placeholders filled. */
export function tok2str(tok: Tok, fmt: string, v: number): string {
  const s = tok.get(v);
  return s !== undefined ? s : formatUnknown(fmt, v);
}

/** Fills one printf conversion (`%u`, `%d`, `%x`, `%02x`, `%04x`, `%06x`, `%08x`) in `fmt`. */
export function formatUnknown(fmt: string, v: number): string {
  return fmt.replace(/%(0?)(\d*)([udx])/, (_m, zero: string, width: string, conv: string) => {
    let s = conv === 'x' ? (v >>> 0).toString(16) : conv === 'd' ? String(v | 0) : String(v >>> 0);
    if (width !== '') s = s.padStart(Number(width), zero === '0' ? '0' : ' ');
    return s;
  });
}

/**
 * tcpdump's bittok2str: names of every token whose bits are all set in `v`, joined with `sep`,
 * in table order; `fmt` if none matched.
 */
export function bittok2str(tok: ReadonlyArray<readonly [number, string]>, fmt: string, v: number, sep = ', '): string {
  const parts: string[] = [];
  for (const [bits, name] of tok) {
    if (bits !== 0 && (v & bits) === bits) parts.push(name);
  }
  return parts.length > 0 ? parts.join(sep) : formatUnknown(fmt, v);
}

/** fn_print_char: printable ASCII as is, others as `M-` / `^` escapes. */
export function printableChar(c: number): string {
  let s = '';
  if (c & 0x80) {
    c &= 0x7f;
    s += 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
}

/** in_cksum over a running sum: 0 when the data (checksum field included) is right. */
export function cksumResult(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** in_cksum_shouldbe: the checksum field value that would have made `computed` zero. */
export function cksumShouldBe(field: number, computed: number): number {
  return fold(field + computed);
}
