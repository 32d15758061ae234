// One frame from record header to text: tcpdump's pretty_print_packet (record sanity checks,
// time stamp, link-layer dispatch, truncation marker).
import { hexAndAsciiPrint } from './ascii.ts';
import { Ctx, Truncated, type PrintState } from './context.ts';
import { etherIfPrint } from './ether.ts';
import { ipPrint } from './ip.ts';
import { nullIfPrint } from './null.ts';
import { sll2IfPrint, sllIfPrint } from './sll.ts';
import { formatTimestamp, type TimestampZone } from './timestamp.ts';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
/** DLT_RAW's own value, which libpcap also accepts in a file header. */
const DLT_RAW = 12;

/** tcpdump's MAXIMUM_SNAPLEN: larger lengths make the record header invalid. */
const MAXIMUM_SNAPLEN = 262144;

export interface PrintOptions {
  /** -e: print the link-level header. */
  link?: boolean;
  /** Number of -v flags. */
  verbose?: 0 | 1 | 2 | 3;
  /** --nano: nine fractional digits instead of six. */
  nano?: boolean;
  /** Time stamps in local time (tcpdump's default), UTC, or none at all (-t). */
  timestamps?: TimestampZone;
  /**
   * Interface name for an SLL2 interface index, as tcpdump's `if_indextoname` on the reading
   * host; unresolved indexes (and the default) print `?`.
   */
  ifName?: (ifindex: number) => string | undefined;
}

export interface FrameInfo {
  /** The captured bytes. */
  data: Uint8Array;
  /**
   * LINKTYPE_ value of the capture: 1 Ethernet, 113 Linux SLL, 276 Linux SLL2, 101/228/229 raw
   * IP, 0/108 BSD loopback. Others print as tcpdump prints a link type it has no printer for.
   */
  linkType: number;
  /** Length of the packet on the wire (≥ data.length when the capture is cut short). */
  originalLength: number;
  tsSec: number;
  tsNsec: number;
}

/** Fresh per-capture state (TCP conversations for relative sequence numbers). */
export function createPrintState(): PrintState {
  return { tcpSeq: new Map() };
}

/** tcpdump's sanity check of a record header: the `[Invalid header: ...]` text, or undefined. */
function invalidHeader(caplen: number, len: number): string | undefined {
  const problems: string[] = [];
  if (caplen === 0) problems.push(' caplen==0');
  if (len === 0) problems.push(' len==0');
  else if (len < caplen) problems.push(` len(${len}) < caplen(${caplen})`);
  if (caplen > MAXIMUM_SNAPLEN) problems.push(` caplen(${caplen}) > ${MAXIMUM_SNAPLEN}`);
  if (len > MAXIMUM_SNAPLEN) problems.push(` len(${len}) > ${MAXIMUM_SNAPLEN}`);
  return problems.length === 0 ? undefined : `[Invalid header:${problems.join(',')}]`;
}

/** ipN_print: IPv4 by the version nibble (IPv6 is not decoded and is dumped). */
function rawIpPrint(c: Ctx, length: number): void {
  c.protocol = 'ipn';
  if (length < 1) {
    c.print(`truncated-ip ${length}`);
    return;
  }
  const v = c.u8(0) & 0xf0;
  if (v === 0x40) ipPrint(c, 0, length);
  else if (v === 0x60) hexAndAsciiPrint(c, '\n\t', 0, c.b.length);
  else c.print(`unknown ip ${v >> 4}`);
}

function linkPrint(c: Ctx, linkType: number, length: number, caplen: number): void {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      etherIfPrint(c, length, caplen);
      break;
    case LINKTYPE_LINUX_SLL:
      sllIfPrint(c, length, caplen);
      break;
    case LINKTYPE_LINUX_SLL2:
      sll2IfPrint(c, length, caplen);
      break;
    case LINKTYPE_RAW:
    case DLT_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      c.protocol = 'raw';
      if (c.eflag) c.print('ip: ');
      rawIpPrint(c, length);
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      nullIfPrint(c, length, caplen);
      break;
    default:
      c.protocol = 'unsupported';
      c.print('UNSUPPORTED');
      hexAndAsciiPrint(c, '\n\t', 0, caplen);
      break;
  }
}

/**
 * The text for one frame. With `strict`, an internal error (a bug here, not bad input) is
 * thrown instead of being reported as truncation; tests use that.
 */
export function renderFrame(frame: FrameInfo, opts: PrintOptions, state: PrintState, strict: boolean): string {
  const caplen = frame.data.length;
  const len = frame.originalLength >>> 0;
  const bad = invalidHeader(caplen, len);
  if (bad !== undefined) return bad;
  const ts = formatTimestamp(frame.tsSec, frame.tsNsec, opts.timestamps ?? 'local', opts.nano ?? false);
  const c = new Ctx(frame.data, state, { eflag: opts.link ?? false, vflag: opts.verbose ?? 0, ifName: opts.ifName });
  if (ts !== '') c.print(`${ts} `);
  try {
    linkPrint(c, frame.linkType, len, caplen);
  } catch (e) {
    if (strict && !(e instanceof Truncated)) throw e;
    c.trunc();
  }
  return c.out;
}
