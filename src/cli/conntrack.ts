// `conntrack` (conntrack-tools 1.4.7, src/conntrack.c with libnetfilter_conntrack's text, XML and
// `-o save` formats) over the namespace's conntrack table (src/kernel/netfilter/conntrack.ts),
// and the kernel's /proc/net/nf_conntrack and /proc/net/stat/nf_conntrack
// (nf_conntrack_standalone.c). Option parsing is do_parse(): glibc getopt_long with the
// protocol extensions' long options merged in when `-p` names them, the command/option
// legality table, then the protocol's final check. Listing filters are nfct_filter() (NAT,
// mark, masks, then nfct_cmp of the template); -D and -U walk a dump as the real tool does.
//
// What nslab decides (the real values depend on the machine):
// * two CPUs: `conntrack -S` and /proc/net/stat/nf_conntrack print cpu 0 and cpu 1; every
//   counter the kernel keeps is on cpu 0, cpu 1 reads 0 (`entries` is the table's count on
//   both rows, as in the kernel).
// * `use=` is 1 in listings (2 with -G and in /proc, which hold a reference while printing),
//   plus the packets that hold the connection at that moment.
// * -U: on the recording kernel (6.18) every update that would change a connection failed with
//   EOPNOTSUPP; nslab fails the same way and changes nothing.
// * -E prints no events (the table raises none): it waits until killed, then prints the
//   "0 flow events have been shown." line, as the real tool does on SIGTERM.
// * -I/-A (create) are not emulated: after the real tool's option checks they fail with
//   "Operation failed: Operation not supported". There are no expectations (lists are empty,
//   gets and deletes fail with ENOENT).
import type { NetNs } from '../kernel/netns.ts';
import {
  type Conn, type CtTable, HZ, IPS_ASSURED, IPS_DST_NAT_DONE, IPS_EXPECTED, IPS_FIXED_TIMEOUT, IPS_SEEN_REPLY,
  IPS_SRC_NAT_DONE, TCP_CONNTRACK_NAMES, jiffiesOf,
} from '../kernel/netfilter/conntrack.ts';
import { formatIpv4Addr } from '../wire/addr.ts';
import { Getopt, type LongOpt, MISSING, UNKNOWN } from './iptables/getopt.ts';
import { protocolByName } from './iptables/netdb.ts';
import { inetAton } from './tcpdump-filter-names.ts';
import type { Tool, ToolContext } from './tool.ts';

const PROG = 'conntrack';
const VERSION = '1.4.7';
const HEAD = `${PROG} v${VERSION} (conntrack-tools): `;
/** CPUs nslab reports (the recording machine had 2). */
export const NR_CPUS = 2;

const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_UDPLITE = 136;
const IPPROTO_SCTP = 132;
const IPPROTO_DCCP = 33;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;

const OTHER_PROBLEM = 1;
const PARAMETER_PROBLEM = 2;

// ---- commands and options (conntrack.h, conntrack.c) -----------------------------------------

const CT_LIST = 1 << 0, CT_CREATE = 1 << 1, CT_UPDATE = 1 << 2, CT_DELETE = 1 << 3, CT_GET = 1 << 4;
const CT_FLUSH = 1 << 5, CT_EVENT = 1 << 6, CT_VERSION = 1 << 7, CT_HELP = 1 << 8, EXP_LIST = 1 << 9;
const EXP_CREATE = 1 << 10, EXP_DELETE = 1 << 11, EXP_GET = 1 << 12, EXP_FLUSH = 1 << 13, EXP_EVENT = 1 << 14;
const CT_COUNT = 1 << 15, EXP_COUNT = 1 << 16, CT_STATS = 1 << 17, EXP_STATS = 1 << 18, CT_ADD = 1 << 19;
const NUMBER_OF_CMD = 20;

const O = {
  ORIG_SRC: 1 << 0, ORIG_DST: 1 << 1, REPL_SRC: 1 << 2, REPL_DST: 1 << 3, PROTO: 1 << 4, TIMEOUT: 1 << 5,
  STATUS: 1 << 6, ZERO: 1 << 7, EVENT_MASK: 1 << 8, EXP_SRC: 1 << 9, EXP_DST: 1 << 10, MASK_SRC: 1 << 11,
  MASK_DST: 1 << 12, NATRANGE: 1 << 13, MARK: 1 << 14, ID: 1 << 15, FAMILY: 1 << 16, SRC_NAT: 1 << 17,
  DST_NAT: 1 << 18, OUTPUT: 1 << 19, SECMARK: 1 << 20, BUFFERSIZE: 1 << 21, ANY_NAT: 1 << 22, ZONE: 1 << 23,
  LABEL: 1 << 24, ADD_LABEL: 1 << 25, DEL_LABEL: 1 << 26, ORIG_ZONE: 1 << 27, REPL_ZONE: 1 << 28,
} as const;
const NUMBER_OF_OPT = 29;
const CT_OPT_ORIG = O.ORIG_SRC | O.ORIG_DST;
const CT_OPT_REPL = O.REPL_SRC | O.REPL_DST;
const CT_COMPARISON = O.PROTO | CT_OPT_ORIG | CT_OPT_REPL | O.MARK | O.SECMARK | O.STATUS | O.ID | O.ZONE | O.LABEL | O.ORIG_ZONE | O.REPL_ZONE;

const OPTFLAGS = [
  'src', 'dst', 'reply-src', 'reply-dst', 'protonum', 'timeout', 'status', 'zero', 'event-mask', 'tuple-src',
  'tuple-dst', 'mask-src', 'mask-dst', 'nat-range', 'mark', 'id', 'family', 'src-nat', 'dst-nat', 'output',
  'secmark', 'buffer-size', 'any-nat', 'zone', 'label', 'label-add', 'label-del', 'orig-zone', 'reply-zone',
];

const c = (ch: string): number => ch.charCodeAt(0);

const ORIGINAL_OPTS: LongOpt[] = [
  ['dump', 2, 'L'], ['create', 2, 'I'], ['add', 2, 'A'], ['delete', 2, 'D'], ['update', 2, 'U'], ['get', 2, 'G'],
  ['flush', 2, 'F'], ['event', 2, 'E'], ['counter', 2, 'C'], ['stats', 0, 'S'], ['version', 0, 'V'], ['help', 0, 'h'],
  ['orig-src', 1, 's'], ['src', 1, 's'], ['orig-dst', 1, 'd'], ['dst', 1, 'd'], ['reply-src', 1, 'r'],
  ['reply-dst', 1, 'q'], ['protonum', 1, 'p'], ['timeout', 1, 't'], ['status', 1, 'u'], ['zero', 0, 'z'],
  ['event-mask', 1, 'e'], ['tuple-src', 1, '['], ['tuple-dst', 1, ']'], ['mask-src', 1, '{'], ['mask-dst', 1, '}'],
  ['nat-range', 1, 'a'], ['mark', 1, 'm'], ['secmark', 1, 'c'], ['id', 2, 'i'], ['family', 1, 'f'],
  ['src-nat', 2, 'n'], ['dst-nat', 2, 'g'], ['output', 1, 'o'], ['buffer-size', 1, 'b'], ['any-nat', 2, 'j'],
  ['zone', 1, 'w'], ['label', 1, 'l'], ['label-add', 1, '<'], ['label-del', 2, '>'], ['orig-zone', 1, '('],
  ['reply-zone', 1, ')'],
].map(([name, hasArg, v]) => ({ name: name as string, hasArg: hasArg as 0 | 1 | 2, val: c(v as string) }));

const GETOPT_STR = ':L::I::U::D::G::E::F::A::hVs:d:r:q:p:t:u:e:a:z[:]:{:}:m:i:f:o:n::g::c:b:C::Sj::w:l:<:>::(:):';

/** Table of legal combinations of commands and options: 0 illegal, 1 compulsory, 2 optional, 3 see addr_valid_flags. */
const COMMANDS_V_OPTIONS: readonly string[] = [
  /* s d r q p t u z e [ ] { } a m i f n g o c b j w l < > ( ) */
  '22222022000220202222202220022', // CT_LIST
  '33331120000002200220000202022', // CT_CREATE
  '22222220000220222222000022200', // CT_UPDATE
  '22222220000220222222000220022', // CT_DELETE
  '33331000000000020002000020000', // CT_GET
  '00000000000000002000000000000', // CT_FLUSH
  '22222000200220202222222220022', // CT_EVENT
  '00000000000000000000000000000', // CT_VERSION
  '00002000000000000000000000000', // CT_HELP
  '00000000000000002002000000000', // EXP_LIST
  '11221120011110000000000000000', // EXP_CREATE
  '11221000000000000000000000000', // EXP_DELETE
  '11221000000000000000000000000', // EXP_GET
  '00000000000000000000000000000', // EXP_FLUSH
  '00000000000000000002000000000', // EXP_EVENT
  '00000000000000000000000000000', // CT_COUNT
  '00000000000000000000000000000', // EXP_COUNT
  '00000000000000000000000000000', // CT_STATS
  '00000000000000000000000000000', // EXP_STATS
  '33331120000002200220000202022', // CT_ADD
];

const CMD2TYPE: Record<string, [number, number]> = {
  L: [CT_LIST, EXP_LIST], I: [CT_CREATE, EXP_CREATE], D: [CT_DELETE, EXP_DELETE], G: [CT_GET, EXP_GET],
  F: [CT_FLUSH, EXP_FLUSH], E: [CT_EVENT, EXP_EVENT], V: [CT_VERSION, CT_VERSION], h: [CT_HELP, CT_HELP],
  C: [CT_COUNT, EXP_COUNT], S: [CT_STATS, EXP_STATS], U: [CT_UPDATE, 0], A: [CT_ADD, 0],
};

const EXIT_MSG: Record<number, string> = {
  [CT_LIST]: 'flow entries have been shown.', [CT_CREATE]: 'flow entries have been created.',
  [CT_UPDATE]: 'flow entries have been updated.', [CT_DELETE]: 'flow entries have been deleted.',
  [CT_GET]: 'flow entries have been shown.', [CT_EVENT]: 'flow events have been shown.',
  [EXP_LIST]: 'expectations have been shown.', [EXP_DELETE]: 'expectations have been shown.',
  [CT_ADD]: 'flow entries have been added.',
};

const USAGE = `Command line interface for the connection tracking system. Version ${VERSION}
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]\t\tList conntrack or expectation table
  -G [table] parameters\t\tGet conntrack or expectation
  -D [table] parameters\t\tDelete conntrack or expectation
  -I [table] parameters\t\tCreate a conntrack or expectation
  -U [table] parameters\t\tUpdate a conntrack
  -E [table] [options]\t\tShow events
  -F [table]\t\t\tFlush table
  -C [table]\t\t\tShow counter
  -S\t\t\t\tShow statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip\t\t\tsource NAT ip
  -g, --dst-nat ip\t\t\tdestination NAT ip
  -j, --any-nat ip\t\t\tsource or destination NAT ip
  -m, --mark mark\t\t\tSet mark
  -c, --secmark secmark\t\t\tSet selinux secmark
  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY
  -z, --zero \t\t\t\tZero counters while listing
  -o, --output type[,...]\t\tOutput format, eg. xml
  -l, --label label[,...]\t\tconntrack labels

Expectation parameters and options:
  --tuple-src ip\tSource address in expect tuple
  --tuple-dst ip\tDestination address in expect tuple

Updating parameters and options:
  --label-add label\tAdd label
  --label-del label\tDelete label

Common parameters and options:
  -s, --src, --orig-src ip\t\tSource address from original direction
  -d, --dst, --orig-dst ip\t\tDestination address from original direction
  -r, --reply-src ip\t\tSource addres from reply direction
  -q, --reply-dst ip\t\tDestination address from reply direction
  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'
  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout\t\tSet timeout
  -u, --status status\t\tSet status, eg. ASSURED
  -w, --zone value\t\tSet conntrack zone
  --orig-zone value\t\tSet zone for original direction
  --reply-zone value\t\tSet zone for reply direction
  -b, --buffer-size\t\tNetlink socket buffer size
  --mask-src ip\t\t\tSource mask address
  --mask-dst ip\t\t\tDestination mask address

`;

// ---- the template (tmpl->ct, tmpl->mask and the filters) ----------------------------------------

interface Template {
  /** Family of the address options (ATTR_ORIG_L3PROTO / ATTR_REPL_L3PROTO), 0 when none. */
  origL3: number;
  replL3: number;
  origSrc?: number;
  origDst?: number;
  replSrc?: number;
  replDst?: number;
  /** An address option named an IPv6 address (never equal to an IPv4 connection's). */
  v6: boolean;
  origL4?: number;
  replL4?: number;
  origSport?: number;
  origDport?: number;
  replSport?: number;
  replDport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  maskSrc?: number;
  maskDst?: number;
  status?: number;
  statusFilter?: { val: number; mask: number };
  mark: { value: number; mask: number };
  timeout?: number;
  tcpState?: number;
  id?: number;
  zone?: number;
  origZone?: number;
  replZone?: number;
  secmark?: number;
  snatIp?: number;
  snatPort?: number;
  dnatIp?: number;
  dnatPort?: number;
  labels: boolean;
}

class Exit extends Error {
  constructor(readonly status: number, readonly text: string) {
    super(text);
  }
}

function exitError(status: number, msg: string): never {
  let text = `${HEAD}${msg}\n`;
  if (status === PARAMETER_PROBLEM) text += `Try \`${PROG} -h' or '${PROG} --help' for more information.\n`;
  throw new Exit(status, text);
}

// ---- protocol extensions (extensions/libct_proto_*.c) ------------------------------------------

interface Proto {
  name: string;
  num: number;
  opts: Array<[string, number]>;
  optflags: string[];
  /** Legality per command bit: one character per option. */
  legal: Record<number, string>;
  /** The pairs that must be complete for 3 ("undecided") options, and the messages. */
  valid?: { flags: number[]; msgs: string[] };
  help: string;
}

const PORT_OPTS: Array<[string, number]> = [
  ['orig-port-src', 1], ['sport', 1], ['orig-port-dst', 2], ['dport', 2], ['reply-port-src', 3],
  ['reply-port-dst', 4], ['mask-port-src', 5], ['mask-port-dst', 6],
];
const PORT_HELP = '  --orig-port-src\t\toriginal source port\n  --orig-port-dst\t\toriginal destination port\n'
  + '  --reply-port-src\t\treply source port\n  --reply-port-dst\t\treply destination port\n'
  + '  --mask-port-src\t\tmask source port\n  --mask-port-dst\t\tmask destination port\n'
  + '  --tuple-port-src\t\texpectation tuple src port\n  --tuple-port-src\t\texpectation tuple dst port\n';
const PORT_VALID = {
  flags: [1 | 2, 4 | 8],
  msgs: ["you have to specify `--sport' and `--dport'", "you have to specify `--reply-src-port' and `--reply-dst-port'"],
};

function bitsToCmd(rows: Array<[number, string]>): Record<number, string> {
  const r: Record<number, string> = {};
  for (const [cmd, s] of rows) r[cmd] = s;
  return r;
}

const TCP: Proto = {
  name: 'tcp', num: IPPROTO_TCP,
  opts: [...PORT_OPTS, ['state', 7], ['tuple-port-src', 8], ['tuple-port-dst', 9]],
  optflags: ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'state', 'tuple-port-src', 'tuple-port-dst'],
  legal: bitsToCmd([
    [CT_LIST, '222200200'], [CT_CREATE, '333300100'], [CT_UPDATE, '222200200'], [CT_DELETE, '222200200'],
    [CT_GET, '333300200'], [CT_EVENT, '222200200'], [EXP_CREATE, '110011011'], [EXP_DELETE, '111100000'],
    [EXP_GET, '111100000'], [CT_ADD, '333300100'],
  ]),
  valid: PORT_VALID,
  help: PORT_HELP + '  --state\t\t\tTCP state, fe. ESTABLISHED\n',
};
const UDP_LIKE = (name: string, num: number): Proto => ({
  name, num,
  opts: [...PORT_OPTS, ['tuple-port-src', 7], ['tuple-port-dst', 8]],
  optflags: ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'tuple-port-src', 'tuple-port-dst'],
  legal: bitsToCmd([
    [CT_LIST, '22220000'], [CT_CREATE, '33330000'], [CT_UPDATE, '22220000'], [CT_DELETE, '22220000'],
    [CT_GET, '33330000'], [CT_EVENT, '22220000'], [EXP_CREATE, '11001111'], [EXP_DELETE, '11110000'],
    [EXP_GET, '11110000'], [CT_ADD, '33330000'],
  ]),
  valid: PORT_VALID,
  help: PORT_HELP,
});
const UDP = UDP_LIKE('udp', IPPROTO_UDP);
const ICMP: Proto = {
  name: 'icmp', num: IPPROTO_ICMP,
  opts: [['icmp-type', 1], ['icmp-code', 2], ['icmp-id', 3]],
  optflags: ['icmp-type', 'icmp-code', 'icmp-id'],
  legal: bitsToCmd([
    [CT_LIST, '222'], [CT_CREATE, '112'], [CT_UPDATE, '222'], [CT_DELETE, '222'], [CT_GET, '112'],
    [CT_EVENT, '222'], [CT_ADD, '112'],
  ]),
  help: '  --icmp-type\t\t\ticmp type\n  --icmp-code\t\t\ticmp code\n  --icmp-id\t\t\ticmp id\n',
};
/** Protocols nslab does not track beyond their number: no options of their own. */
const bare = (name: string, num: number): Proto => ({ name, num, opts: [], optflags: [], legal: {}, help: '' });
/** The registered protocols, in the order findproto() walks them (register_proto adds at the head). */
const PROTOS: Proto[] = [
  bare('gre', IPPROTO_GRE), bare('icmpv6', IPPROTO_ICMPV6), ICMP, bare('dccp', IPPROTO_DCCP),
  bare('sctp', IPPROTO_SCTP), UDP_LIKE('udplite', IPPROTO_UDPLITE), UDP, TCP,
];
const UNKNOWN_PROTO: Proto = bare('unknown', 0);

function findProto(name: string): { h: Proto; num: number } | undefined {
  for (const p of PROTOS) if (p.name.toLowerCase() === name.toLowerCase()) return { h: p, num: p.num };
  const byName = protocolByName(name);
  if (byName !== undefined) return { h: UNKNOWN_PROTO, num: byName };
  const num = strtoul(name);
  if (num !== undefined && num.end === name.length && name.length > 0 && num.value <= 255) {
    for (const p of PROTOS) if (p.num === num.value) return { h: p, num: num.value };
    return { h: UNKNOWN_PROTO, num: num.value };
  }
  return undefined;
}

// ---- C library helpers -------------------------------------------------------------------------

/** strtoul(s, &end, base) (base 0: 0x hex, 0 octal): the value (mod 2^32 as the u32 casts keep) and where it stopped. */
function strtoul(s: string, base = 0): { value: number; end: number } | undefined {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
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
  if (i === start) return undefined;
  if (v > 0xffffffffffffffffn) v = 0xffffffffffffffffn;
  if (neg) v = (-v) & 0xffffffffffffffffn;
  return { value: Number(v & 0xffffffffn), end: i };
}

function strtoulOr0(s: string): number {
  return strtoul(s)?.value ?? 0;
}

/** atoi. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  return Number(BigInt.asIntN(32, BigInt(m[1])));
}

/** inet_pton(AF_INET6, …) validity. */
function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return false;
  let text = s;
  let groups = 0;
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!v4[1].split('.').every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !(p.length > 1 && p[0] === '0'))) return false;
    text = text.slice(0, text.length - v4[1].length) + (text.endsWith(':' + v4[1]) ? '0' : '');
    if (text === '') return false;
    groups = 1;
  }
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return false;
  const parts = (t: string) => (t === '' ? [] : t.split(':'));
  const head = dbl < 0 ? parts(text) : parts(text.slice(0, dbl));
  const tail = dbl < 0 ? [] : parts(text.slice(dbl + 2));
  for (const p of [...head, ...tail]) if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
  const n = head.length + tail.length + groups;
  return dbl < 0 ? n === 8 : n <= 7;
}

/** parse_addr(): family (0 when neither), the IPv4 address, and the prefix (-1 none, -2 invalid). */
function parseAddr(cp: string, withMask: boolean): { family: number; v4: number; mask: number } {
  let buf = cp.slice(0, 45);
  let mask = -1;
  if (withMask) {
    const slash = buf.indexOf('/');
    if (slash >= 0) {
      const tail = buf.slice(slash + 1);
      const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(tail);
      mask = m ? Number(m[1]) : 0;
      if (mask < 0 || (m ? m[0].length : 0) !== tail.length || (!m && tail.length > 0)) mask = -2;
      if (!m && tail.length === 0) mask = 0;
      buf = buf.slice(0, slash);
    }
  }
  const v4 = inetAton(buf);
  if (v4 !== null) {
    if (mask > 32) mask = -2;
    return { family: AF_INET, v4: v4 >>> 0, mask };
  }
  if (isIpv6(buf)) {
    if (mask > 128) mask = -2;
    return { family: AF_INET6, v4: 0, mask };
  }
  return { family: 0, v4: 0, mask };
}

function prefixToMask(bits: number): number {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

// ---- parsing (do_parse) --------------------------------------------------------------------------

const PARSE_STATUS: Array<[string, number]> = [
  ['ASSURED', IPS_ASSURED], ['SEEN_REPLY', IPS_SEEN_REPLY], ['UNSET', 0], ['FIXED_TIMEOUT', IPS_FIXED_TIMEOUT],
  ['EXPECTED', IPS_EXPECTED], ['OFFLOAD', 1 << 14], ['HW_OFFLOAD', 1 << 15],
];
const PARSE_EVENT: Array<[string, number]> = [['ALL', 7], ['NEW', 1], ['UPDATES', 2], ['DESTROY', 4]];
const O_XML = 1, O_EXT = 2, O_TMS = 4, O_ID = 8, O_KTMS = 16, O_CL = 32, O_SAVE = 64;
const PARSE_OUTPUT: Array<[string, number]> = [
  ['xml', O_XML], ['extended', O_EXT], ['timestamp', O_TMS], ['id', O_ID], ['ktimestamp', O_KTMS], ['labels', O_CL],
  ['userspace', 0], ['save', O_SAVE],
];

/** strncasecmp(str, param, len) == 0 over the parameter list (do_parse_parameter). */
function doParseParameter(str: string, table: Array<[string, number]>, warn: { push(s: string): void }): number | undefined {
  const n = str.length;
  // strncasecmp(str, p, n) == 0: p's first n characters (its end counts as one) equal str's.
  const eq = (p: string) => p.length >= n && p.slice(0, n).toLowerCase() === str.toLowerCase();
  if (eq('SRC_NAT')) {
    warn.push('WARNING: ignoring SRC_NAT, use --src-nat instead\n');
    return 0;
  }
  if (eq('DST_NAT')) {
    warn.push('WARNING: ignoring DST_NAT, use --dst-nat instead\n');
    return 0;
  }
  for (const [name, v] of table) if (eq(name)) return v;
  return undefined;
}

function parseParameter(arg: string, table: Array<[string, number]>, warn: { push(s: string): void }): number {
  let value = 0;
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(',');
    if (comma < 0) break;
    const v = comma === 0 ? undefined : doParseParameter(rest.slice(0, comma), table, warn);
    if (v === undefined) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
    value |= v;
    rest = rest.slice(comma + 1);
  }
  const v = rest.length === 0 ? undefined : doParseParameter(rest, table, warn);
  if (v === undefined) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
  return value | v;
}

function parseParameterMask(arg: string, warn: { push(s: string): void }): { status: number; mask: number } {
  let status = 0;
  let mask = 0;
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(',');
    if (comma < 0) break;
    if (comma === 0) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
    const negated = rest[0] === '!';
    if (negated) rest = rest.slice(1);
    const cm = rest.indexOf(',');
    if (cm === 0) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
    if (!negated && rest.startsWith('UNREPLIED')) {
      mask |= IPS_SEEN_REPLY;
      rest = rest.slice(cm + 1);
      continue;
    }
    const v = doParseParameter(rest.slice(0, cm), PARSE_STATUS, warn);
    if (v === undefined) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
    if (negated) mask |= v;
    else status |= v;
    rest = rest.slice(cm + 1);
  }
  const negated = rest[0] === '!';
  if (negated) rest = rest.slice(1);
  if (!negated && rest.startsWith('UNREPLIED')) return { status, mask: mask | IPS_SEEN_REPLY };
  const v = rest.length === 0 ? undefined : doParseParameter(rest, PARSE_STATUS, warn);
  if (v === undefined) exitError(PARAMETER_PROBLEM, `Bad parameter \`${rest}'`);
  if (negated) mask |= v;
  else status |= v;
  return { status, mask };
}

interface Cmd {
  command: number;
  cmd: number;
  options: number;
  family: number;
  type: number;
  protonum: number;
  h?: Proto;
  l4flags: number;
  output: number;
  eventMask: number;
  tmpl: Template;
}

const CT_TABLE_CONNTRACK = 0, CT_TABLE_EXPECT = 1, CT_TABLE_DYING = 2, CT_TABLE_UNCONFIRMED = 3;

function bit2cmd(command: number): number {
  for (let i = 0; i < NUMBER_OF_CMD; i++) if (command & (1 << i)) return i;
  return NUMBER_OF_CMD;
}

function genericOptCheck(local: number, optset: string, optflg: string[], coupled?: number[]): { ok: boolean; partial: number } {
  let special = false;
  for (let i = 0; i < optflg.length; i++) {
    const legal = optset[i] ?? '2';
    if (!(local & (1 << i))) {
      if (legal === '1') exitError(PARAMETER_PROBLEM, `You need to supply the \`--${optflg[i]}' option for this command`);
    } else if (legal === '0') exitError(PARAMETER_PROBLEM, `Illegal option \`--${optflg[i]}' with this command`);
    if (legal === '3') special = true;
  }
  if (!special || !coupled) return { ok: true, partial: -1 };
  let partial = -1;
  for (let i = 0; i < coupled.length; i++) {
    if ((local & coupled[i]) === coupled[i]) return { ok: true, partial };
    if (local & coupled[i] && partial < 0) partial = i;
  }
  return { ok: false, partial };
}

function doParse(argv: string[], warnings: { push(s: string): void }): Cmd {
  const tmpl: Template = { origL3: 0, replL3: 0, v6: false, mark: { value: 0, mask: 0 }, labels: false };
  let opts: LongOpt[] = ORIGINAL_OPTS;
  /** Extension options: val -> [proto, option number]. */
  const extOpts = new Map<number, [Proto, number]>();
  let offset = 0;
  let command = 0;
  let options = 0;
  let family = 0;
  let type = 0;
  let protonum = 0;
  let h: Proto | undefined;
  let l4flags = 0;
  let output = 0;
  let eventMask = 0;
  const g = new Getopt(argv, GETOPT_STR, false);
  let labelmap = false;
  /** labelmap_init: there is no connlabel.conf, so nfct_labelmap_new fails (once). */
  const labelmapInit = () => {
    if (labelmap) return;
    labelmap = true;
    warnings.push('nfct_labelmap_new: No such file or directory\n');
  };
  const addCommand = (cmd: number) => {
    if (command) exitError(PARAMETER_PROBLEM, 'Invalid commands combination');
    command |= cmd;
  };
  const optionalArg = (): string | null => {
    if (g.optarg !== null) return null;
    const a = g.argv[g.optind];
    if (g.optind < g.argv.length && a[0] !== '-' && a[0] !== '!') {
      g.optind++;
      return a;
    }
    return null;
  };
  const checkType = (): number => {
    const table = optionalArg();
    if (table === null) return CT_TABLE_CONNTRACK;
    if ('expect'.startsWith(table)) return CT_TABLE_EXPECT;
    if ('conntrack'.startsWith(table)) return CT_TABLE_CONNTRACK;
    if ('dying'.startsWith(table)) return CT_TABLE_DYING;
    if ('unconfirmed'.startsWith(table)) return CT_TABLE_UNCONFIRMED;
    exitError(PARAMETER_PROBLEM, `unknown type \`${table}'`);
  };
  const setFamily = (f: number) => {
    if (family === 0) family = f;
    else if (family !== f) exitError(PARAMETER_PROBLEM, 'mismatched address family');
  };
  const longName = (ch: string): string => opts.find((o) => o.val === c(ch))?.name ?? 'unknown';
  /** nfct_parse_addr_from_opt for s d r q { } [ ] n g j. */
  const parseAddrOpt = (opt: string, arg: string, withMaskTarget: boolean): { v4: number; family: number } => {
    const maskopt = opt === 's' ? '{' : opt === 'd' ? '}' : opt === '[' ? '{' : opt === ']' ? '}' : '';
    const a = parseAddr(arg, true);
    if (a.family === 0) exitError(PARAMETER_PROBLEM, `Invalid IP address \`${arg}'`);
    setFamily(a.family);
    if (a.mask !== -1 && !maskopt) exitError(PARAMETER_PROBLEM, `CIDR notation unavailable for \`--${longName(opt)}'`);
    else if (a.mask === -2) exitError(PARAMETER_PROBLEM, 'Invalid netmask');
    if (a.family === AF_INET6) tmpl.v6 = true;
    const bit: Record<string, number> = {
      s: O.ORIG_SRC, d: O.ORIG_DST, r: O.REPL_SRC, q: O.REPL_DST, '{': O.MASK_SRC, '}': O.MASK_DST,
      '[': O.EXP_SRC, ']': O.EXP_DST, n: O.SRC_NAT, g: O.DST_NAT, j: O.ANY_NAT,
    };
    options |= bit[opt];
    const v4 = a.family === AF_INET ? a.v4 : undefined;
    switch (opt) {
      case 's': tmpl.origSrc = v4; tmpl.origL3 = a.family; break;
      case 'd': tmpl.origDst = v4; tmpl.origL3 = a.family; break;
      case 'r': tmpl.replSrc = v4; tmpl.replL3 = a.family; break;
      case 'q': tmpl.replDst = v4; tmpl.replL3 = a.family; break;
      case '{': tmpl.maskSrc = v4; break;
      case '}': tmpl.maskDst = v4; break;
      default: break;
    }
    if (a.mask === -1 || !maskopt || !withMaskTarget) return { v4: a.v4, family: a.family };
    if (a.family === AF_INET && a.mask === 32) return { v4: a.v4, family: a.family };
    if (a.family === AF_INET6 && a.mask === 128) return { v4: a.v4, family: a.family };
    options |= maskopt === '{' ? O.MASK_SRC : O.MASK_DST;
    if (a.family === AF_INET) {
      if (maskopt === '{') tmpl.maskSrc = prefixToMask(a.mask);
      else tmpl.maskDst = prefixToMask(a.mask);
    }
    return { v4: a.v4, family: a.family };
  };

  for (;;) {
    const ch = g.next(opts);
    if (ch === -1) break;
    const arg = g.optarg ?? '';
    const k = String.fromCharCode(ch);
    switch (ch === UNKNOWN || ch === MISSING ? (ch === UNKNOWN ? '?' : ':') : ch < 256 ? k : '') {
      case 'L': {
        type = checkType();
        if (type === CT_TABLE_DYING || type === CT_TABLE_UNCONFIRMED) addCommand(CT_LIST);
        else addCommand(CMD2TYPE.L[type]);
        break;
      }
      case 'I': case 'D': case 'G': case 'F': case 'E': case 'V': case 'h': case 'C': case 'S': case 'U': case 'A': {
        type = checkType();
        if (type === CT_TABLE_DYING || type === CT_TABLE_UNCONFIRMED) {
          exitError(PARAMETER_PROBLEM, "Can't do that command with tables `dying' and `unconfirmed'");
        }
        const t = CMD2TYPE[k][type];
        if (t) addCommand(t);
        else exitError(PARAMETER_PROBLEM, `Can't do --${longName(k)} on ${type === CT_TABLE_CONNTRACK ? 'conntrack' : 'expectations'}`);
        break;
      }
      case 's': case 'd': case 'r': case 'q': case '[': case ']': case '{': case '}':
        parseAddrOpt(k, arg, k !== '{' && k !== '}');
        break;
      case 'p': {
        options |= O.PROTO;
        const found = findProto(arg);
        if (!found) exitError(PARAMETER_PROBLEM, `\`${arg}' unsupported protocol`);
        h = found.h;
        protonum = found.num;
        offset += 256;
        const merged: LongOpt[] = [...opts];
        for (const [name, n] of h.opts) {
          merged.push({ name, hasArg: 1, val: offset + c(String(n)) });
          extOpts.set(offset + c(String(n)), [h, n]);
        }
        opts = merged;
        tmpl.origL4 = protonum;
        break;
      }
      case 't':
        options |= O.TIMEOUT;
        tmpl.timeout = atoi(arg) >>> 0;
        break;
      case 'u': {
        options |= O.STATUS;
        const { status, mask } = parseParameterMask(arg, warnings);
        tmpl.status = status;
        tmpl.statusFilter = { val: status, mask: mask === 0 ? status : mask };
        break;
      }
      case 'e':
        options |= O.EVENT_MASK;
        eventMask |= parseParameter(arg, PARSE_EVENT, warnings);
        break;
      case 'o':
        options |= O.OUTPUT;
        output |= parseParameter(arg, PARSE_OUTPUT, warnings);
        if (output & O_CL) labelmapInit();
        if (output & O_SAVE && output & (O_EXT | O_TMS | O_ID | O_KTMS | O_CL | O_XML)) {
          exitError(OTHER_PROBLEM, 'cannot combine save output with any other output type, use -o save only');
        }
        break;
      case 'z':
        options |= O.ZERO;
        break;
      case 'n': case 'g': case 'j': {
        options |= k === 'n' ? O.SRC_NAT : k === 'g' ? O.DST_NAT : O.ANY_NAT;
        const optional = optionalArg();
        if (optional !== null) {
          const { address, port } = splitAddressAndPort(optional);
          const a = parseAddrOpt(k, address, false);
          const ip = a.family === AF_INET ? a.v4 : undefined;
          const p = port === undefined ? undefined : atoi(port) & 0xffff;
          if (k === 'n' || k === 'j') {
            tmpl.snatIp = ip;
            if (p !== undefined) tmpl.snatPort = p;
          }
          if (k === 'g' || k === 'j') {
            tmpl.dnatIp = ip;
            if (p !== undefined) tmpl.dnatPort = p;
          }
        }
        break;
      }
      case 'w': case '(': case ')': {
        const v = strtoulOr0(arg) & 0xffff;
        if (k === 'w') { options |= O.ZONE; tmpl.zone = v; }
        else if (k === '(') { options |= O.ORIG_ZONE; tmpl.origZone = v; }
        else { options |= O.REPL_ZONE; tmpl.replZone = v; }
        break;
      }
      case 'i':
        options |= O.ID;
        tmpl.id = strtoulOr0(arg);
        break;
      case 'c':
        options |= O.SECMARK;
        tmpl.secmark = strtoulOr0(arg);
        break;
      case 'm': {
        options |= O.MARK;
        const v = strtoul(arg);
        tmpl.mark.value = v?.value ?? 0;
        const rest = v ? arg.slice(v.end) : arg;
        tmpl.mark.mask = rest[0] === '/' ? strtoulOr0(rest.slice(1)) : 0xffffffff;
        break;
      }
      case 'l': case '<': case '>': {
        options |= k === 'l' ? O.LABEL : k === '<' ? O.ADD_LABEL : O.DEL_LABEL;
        labelmapInit();
        if ((options & (O.DEL_LABEL | O.ADD_LABEL)) === (O.DEL_LABEL | O.ADD_LABEL)) {
          exitError(OTHER_PROBLEM, 'cannot use --label-add and --label-del at the same time');
        }
        let labels: string | null = arg;
        if (k === '>') {
          labels = optionalArg();
          if (labels === null) break;
        }
        // No connlabel.conf: every label name is unknown.
        exitError(PARAMETER_PROBLEM, `unknown label '${labels.split(',')[0]}'`);
        break;
      }
      case 'a':
        warnings.push(`WARNING: ignoring -${k}, deprecated option.\n`);
        break;
      case 'f':
        options |= O.FAMILY;
        if (arg.startsWith('ipv4')) setFamily(AF_INET);
        else if (arg.startsWith('ipv6')) setFamily(AF_INET6);
        else exitError(PARAMETER_PROBLEM, `\`${arg}' unsupported protocol`);
        break;
      case 'b':
        options |= O.BUFFERSIZE;
        break;
      case ':':
        exitError(PARAMETER_PROBLEM, `option \`${g.argv[g.optind - 1]}' requires an argument`);
        break;
      case '?':
        exitError(PARAMETER_PROBLEM, `unknown option \`${g.argv[g.optind - 1]}'`);
        break;
      default: {
        const ext = extOpts.get(ch);
        if (ext && h && ext[0] === h) l4flags |= parseProtoOpt(h, ext[1], arg, tmpl);
        break;
      }
    }
  }

  if (family === 0 && ![CT_LIST, CT_UPDATE, CT_DELETE, CT_GET, CT_FLUSH, CT_EVENT].includes(command)) family = AF_INET;
  if (options & O.ANY_NAT && options & (O.SRC_NAT | O.DST_NAT)) {
    exitError(PARAMETER_PROBLEM, "cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  }
  const cmd = bit2cmd(command);
  const row = COMMANDS_V_OPTIONS[cmd] ?? '2'.repeat(NUMBER_OF_OPT);
  const res = genericOptCheck(options, row, OPTFLAGS, [CT_OPT_ORIG, CT_OPT_REPL]);
  if (!res.ok) {
    if (res.partial === 1) exitError(PARAMETER_PROBLEM, "you have to specify `--reply-src' and `--reply-dst'");
    exitError(PARAMETER_PROBLEM, "you have to specify `--src' and `--dst'");
  }
  if (!(command & CT_HELP) && h && h.optflags.length) {
    const legal = h.legal[1 << cmd] ?? '0'.repeat(h.optflags.length);
    const r = genericOptCheck(l4flags, legal, h.optflags, h.valid?.flags);
    if (!r.ok && h.valid) exitError(PARAMETER_PROBLEM, h.valid.msgs[r.partial === 1 ? 1 : 0]);
  }
  return { command, cmd, options, family, type, protonum, h, l4flags, output, eventMask, tmpl };
}

function splitAddressAndPort(arg: string): { address: string; port?: string } {
  let address: string | undefined;
  let cursor = -1;
  const lb = arg.indexOf('[');
  if (lb >= 0) {
    const start = lb + 1;
    const rb = arg.indexOf(']', start);
    if (rb === start) exitError(PARAMETER_PROBLEM, 'No IPv6 address specified');
    if (rb < 0) exitError(PARAMETER_PROBLEM, "No closing ']' around IPv6 address");
    cursor = arg.indexOf(':', rb);
    if (cursor >= 0) address = arg.slice(start, rb);
  } else {
    cursor = arg.indexOf(':');
    if (cursor >= 0 && arg.indexOf(':', cursor + 1) < 0) address = arg.slice(0, cursor);
    else cursor = -1;
  }
  if (cursor >= 0) {
    const port = arg.slice(cursor + 1);
    if (port.length === 0) exitError(PARAMETER_PROBLEM, "No port specified after `:'");
    if (!/^\d+$/.test(port) || Number(port) > 65535) exitError(PARAMETER_PROBLEM, `Invalid port \`${port}'`);
    return { address: address ?? arg, port };
  }
  return { address: arg };
}

function parseProtoOpt(h: Proto, n: number, arg: string, t: Template): number {
  if (h === ICMP) {
    const v = atoi(arg);
    if (n === 1) t.icmpType = v & 0xff;
    else if (n === 2) t.icmpCode = v & 0xff;
    else t.icmpId = v & 0xffff;
    t.origL4 = IPPROTO_ICMP;
    if (t.replL3) t.replL4 = IPPROTO_ICMP;
    return 1 << (n - 1);
  }
  const port = atoi(arg) & 0xffff;
  if (h === TCP && n === 7) {
    const i = TCP_CONNTRACK_NAMES.indexOf(arg as (typeof TCP_CONNTRACK_NAMES)[number]);
    if (arg === 'LISTEN') t.tcpState = 9;
    else if (i < 0) exitError(PARAMETER_PROBLEM, `unknown TCP state \`${arg}'`);
    else t.tcpState = i;
    return 1 << 6;
  }
  switch (n) {
    case 1: t.origSport = port; t.origL4 = h.num; break;
    case 2: t.origDport = port; t.origL4 = h.num; break;
    case 3: t.replSport = port; t.replL4 = h.num; break;
    case 4: t.replDport = port; t.replL4 = h.num; break;
    default: break; // masks and expectation tuples: no conntrack effect here
  }
  return 1 << (n - 1);
}

// ---- a connection as the dump shows it -----------------------------------------------------------

interface CtView {
  c: Conn;
  proto: number;
  oSrc: number; oDst: number; oSport: number; oDport: number;
  rSrc: number; rDst: number; rSport: number; rDport: number;
  /** Seconds left (nf_ct_expires / HZ). */
  timeout: number;
}

function viewOf(tab: CtTable, c: Conn, nowJ: number): CtView {
  const o = c.id * 2;
  const r = o + 1;
  const left = c.timeout - nowJ;
  return {
    c, proto: tab.tProto[o],
    oSrc: tab.tSrc[o] >>> 0, oDst: tab.tDst[o] >>> 0, oSport: tab.tSport[o], oDport: tab.tDport[o],
    rSrc: tab.tSrc[r] >>> 0, rDst: tab.tDst[r] >>> 0, rSport: tab.tSport[r], rDport: tab.tDport[r],
    timeout: left > 0 ? Math.floor(left / HZ) : 0,
  };
}

const L4_NAMES: Record<number, string> = {
  [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp', [IPPROTO_UDPLITE]: 'udplite', [IPPROTO_ICMP]: 'icmp',
  [IPPROTO_ICMPV6]: 'icmpv6', [IPPROTO_SCTP]: 'sctp', [IPPROTO_GRE]: 'gre', [IPPROTO_DCCP]: 'dccp',
};
const l4Name = (p: number): string => L4_NAMES[p] ?? 'unknown';
const hasPorts = (p: number): boolean => p === IPPROTO_TCP || p === IPPROTO_UDP || p === IPPROTO_UDPLITE || p === IPPROTO_SCTP || p === IPPROTO_DCCP;

function tupleText(src: number, dst: number, proto: number, sport: number, dport: number): string {
  let s = `src=${formatIpv4Addr(src)} dst=${formatIpv4Addr(dst)} `;
  if (proto === IPPROTO_ICMP) s += `type=${dport >> 8} code=${dport & 0xff} id=${sport} `;
  else if (hasPorts(proto)) s += `sport=${sport} dport=${dport} `;
  return s;
}

/** libnetfilter_conntrack's default text (__snprintf_conntrack_default). */
function lineText(v: CtView, flags: { l3: boolean; id: boolean; use: number }): string {
  const c = v.c;
  let s = '';
  if (flags.l3) s += `${'ipv4'.padEnd(8)} ${AF_INET} `;
  s += `${l4Name(v.proto).padEnd(8)} ${v.proto} ${v.timeout} `;
  if (v.proto === IPPROTO_TCP) s += `${TCP_CONNTRACK_NAMES[c.tcpState] ?? 'NONE'} `;
  s += tupleText(v.oSrc, v.oDst, v.proto, v.oSport, v.oDport);
  if (!(c.status & IPS_SEEN_REPLY)) s += '[UNREPLIED] ';
  s += tupleText(v.rSrc, v.rDst, v.proto, v.rSport, v.rDport);
  if (c.status & (1 << 15)) s += '[HW_OFFLOAD] ';
  else if (c.status & (1 << 14)) s += '[OFFLOAD] ';
  else if (c.status & IPS_ASSURED) s += '[ASSURED] ';
  s += `mark=${c.mark >>> 0} `;
  s += `use=${flags.use} `;
  if (flags.id) s += `id=${c.ctid >>> 0} `;
  return s.trimEnd();
}

function xmlTuple(dir: string, src: number, dst: number, proto: number, sport: number, dport: number): string {
  let s = `<meta direction="${dir}"><layer3 protonum="${AF_INET}" protoname="ipv4"><src>${formatIpv4Addr(src)}</src><dst>${formatIpv4Addr(dst)}</dst></layer3>`;
  s += `<layer4 protonum="${proto}" protoname="${l4Name(proto)}">`;
  if (hasPorts(proto)) s += `<sport>${sport}</sport><dport>${dport}</dport>`;
  return s + '</layer4></meta>';
}

function xmlText(v: CtView, use: number): string {
  const c = v.c;
  let s = '<flow>';
  s += xmlTuple('original', v.oSrc, v.oDst, v.proto, v.oSport, v.oDport);
  s += xmlTuple('reply', v.rSrc, v.rDst, v.proto, v.rSport, v.rDport);
  s += '<meta direction="independent">';
  if (v.proto === IPPROTO_TCP) s += `<state>${TCP_CONNTRACK_NAMES[c.tcpState] ?? 'NONE'}</state>`;
  s += `<timeout>${v.timeout}</timeout><mark>${c.mark >>> 0}</mark><use>${use}</use><id>${c.ctid >>> 0}</id>`;
  if (c.status & IPS_ASSURED) s += '<assured/>';
  if (!(c.status & IPS_SEEN_REPLY)) s += '<unreplied/>';
  return s + '</meta></flow>';
}

// nfct_getobjopt(NFCT_GOPT_IS_SNAT/DNAT/SPAT/DPAT).
const isSnat = (v: CtView) => (v.c.status & IPS_SRC_NAT_DONE) !== 0 && v.rDst !== v.oSrc;
const isDnat = (v: CtView) => (v.c.status & IPS_DST_NAT_DONE) !== 0 && v.rSrc !== v.oDst;
const isSpat = (v: CtView) => (v.c.status & IPS_SRC_NAT_DONE) !== 0 && v.rDport !== v.oSport;
const isDpat = (v: CtView) => (v.c.status & IPS_DST_NAT_DONE) !== 0 && v.rSport !== v.oDport;

/** ct_save_snprintf (-o save). */
function saveText(v: CtView, prefix: string): string {
  const c = v.c;
  let s = `${prefix}-t ${v.timeout} `;
  const names: Array<[number, string]> = [[IPS_EXPECTED, 'EXPECTED'], [IPS_SEEN_REPLY, 'SEEN_REPLY'], [IPS_ASSURED, 'ASSURED'], [IPS_FIXED_TIMEOUT, 'FIXED_TIMEOUT']];
  const st = names.filter(([b]) => c.status & b).map(([, n]) => n);
  s += `-u ${st.length ? st.join(',') : 'UNSET'} `;
  s += `-s ${formatIpv4Addr(v.oSrc)} -d ${formatIpv4Addr(v.oDst)} `;
  s += `${isDnat(v) ? '-g' : '-r'} ${formatIpv4Addr(v.rSrc)} `;
  s += `${isSnat(v) ? '-n' : '-q'} ${formatIpv4Addr(v.rDst)} `;
  const p = PROTOS.find((x) => x.num === v.proto);
  if (!p) s += `-p ${v.proto} `;
  else {
    s += `-p ${p.name} `;
    if (p === ICMP) s += `--icmp-type ${v.oDport >> 8} --icmp-code ${v.oDport & 0xff} --icmp-id ${v.oSport} `;
    else if (p === TCP || p.opts.length) {
      s += `--sport ${v.oSport} --dport ${v.oDport} --reply-port-src ${v.rSport} --reply-port-dst ${v.rDport} `;
      if (p === TCP) s += `--state ${TCP_CONNTRACK_NAMES[c.tcpState] ?? 'NONE'} `;
    }
  }
  return s.trimEnd();
}

// ---- filters (nfct_filter) ------------------------------------------------------------------------

function filterNat(cmd: Cmd, v: CtView): boolean {
  const t = cmd.tmpl;
  let checkS = (cmd.options & O.SRC_NAT) !== 0;
  let checkD = (cmd.options & O.DST_NAT) !== 0;
  if (cmd.options & O.ANY_NAT) checkS = checkD = true;
  let hasS = false;
  let hasD = false;
  if (checkS) {
    let addr = false;
    let port = false;
    if (t.snatIp !== undefined) {
      addr = true;
      if (isSnat(v) && t.snatIp === v.rDst) hasS = true;
    }
    if (t.snatPort !== undefined) {
      port = true;
      const ret = isSpat(v) && t.snatPort === v.rDport;
      if (addr && hasS && !ret) hasS = false;
      if (!addr && ret) hasS = true;
    }
    if (!addr && !port && (isSnat(v) || isSpat(v))) hasS = true;
  }
  if (checkD) {
    let addr = false;
    let port = false;
    if (t.dnatIp !== undefined) {
      addr = true;
      if (isDnat(v) && t.dnatIp === v.rSrc) hasD = true;
    }
    if (t.dnatPort !== undefined) {
      port = true;
      const ret = isDpat(v) && t.dnatPort === v.rSport;
      if (addr && hasD && !ret) hasD = false;
      if (!addr && ret) hasD = true;
    }
    if (!addr && !port && (isDnat(v) || isDpat(v))) hasD = true;
  }
  if (cmd.options & O.ANY_NAT) return !(hasS || hasD);
  if (cmd.options & O.SRC_NAT && cmd.options & O.DST_NAT) return !(hasS && hasD);
  if (cmd.options & O.SRC_NAT) return !hasS;
  if (cmd.options & O.DST_NAT) return !hasD;
  return false;
}

/** filter_network: the masked --src/--dst (the exact address attribute is dropped then). */
function filterNetwork(cmd: Cmd, v: CtView): boolean {
  const t = cmd.tmpl;
  if (cmd.options & O.MASK_SRC) {
    if (cmd.family !== AF_INET || t.origSrc === undefined) return true;
    const m = t.maskSrc ?? 0;
    if (((v.oSrc & m) >>> 0) !== ((t.origSrc & m) >>> 0)) return true;
  }
  if (cmd.options & O.MASK_DST) {
    if (cmd.family !== AF_INET || t.origDst === undefined) return true;
    const m = t.maskDst ?? 0;
    if (((v.oDst & m) >>> 0) !== ((t.origDst & m) >>> 0)) return true;
  }
  return false;
}

/** nfct_cmp(tmpl, ct, NFCT_CMP_ALL | NFCT_CMP_MASK) over the attributes the template sets; `mask` false for -U's ORIG/REPL-only compares. */
function tupleMatches(cmd: Cmd, v: CtView, which: 'orig' | 'repl' | 'all'): boolean {
  const t = cmd.tmpl;
  if (t.v6) return false;
  const maskedSrc = (cmd.options & O.MASK_SRC) !== 0;
  const maskedDst = (cmd.options & O.MASK_DST) !== 0;
  if (which !== 'repl') {
    if (t.origL3 && t.origL3 !== AF_INET) return false;
    if (t.origL4 !== undefined && t.origL4 !== v.proto) return false;
    if (!maskedSrc && t.origSrc !== undefined && t.origSrc !== v.oSrc) return false;
    if (!maskedDst && t.origDst !== undefined && t.origDst !== v.oDst) return false;
    const ports = hasPorts(v.proto);
    if (t.origSport !== undefined && (!ports || t.origSport !== v.oSport)) return false;
    if (t.origDport !== undefined && (!ports || t.origDport !== v.oDport)) return false;
    const icmp = v.proto === IPPROTO_ICMP;
    if (t.icmpType !== undefined && (!icmp || t.icmpType !== v.oDport >> 8)) return false;
    if (t.icmpCode !== undefined && (!icmp || t.icmpCode !== (v.oDport & 0xff))) return false;
    if (t.icmpId !== undefined && (!icmp || t.icmpId !== v.oSport)) return false;
  }
  if (which !== 'orig') {
    if (t.replL3 && t.replL3 !== AF_INET) return false;
    if (t.replL4 !== undefined && t.replL4 !== v.proto) return false;
    if (t.replSrc !== undefined && t.replSrc !== v.rSrc) return false;
    if (t.replDst !== undefined && t.replDst !== v.rDst) return false;
    const ports = hasPorts(v.proto);
    if (t.replSport !== undefined && (!ports || t.replSport !== v.rSport)) return false;
    if (t.replDport !== undefined && (!ports || t.replDport !== v.rDport)) return false;
  }
  if (which === 'all') {
    const c = v.c;
    if (t.status !== undefined && (t.status & c.status) !== t.status) return false;
    if (t.timeout !== undefined && t.timeout !== v.timeout) return false;
    if (t.tcpState !== undefined && (v.proto !== IPPROTO_TCP || t.tcpState !== c.tcpState)) return false;
    if (t.id !== undefined && t.id !== c.ctid >>> 0) return false;
    // Zone 0 is not dumped (no attribute to compare), and nslab has no other zone; no secmark.
    if (t.zone !== undefined || t.origZone !== undefined || t.replZone !== undefined || t.secmark !== undefined) return false;
  }
  return true;
}

/** The kernel's dump filter (family, mark, status), then nfct_filter(). True when the entry is skipped. */
function skipped(cmd: Cmd, v: CtView, kernelStatus: boolean): boolean {
  const t = cmd.tmpl;
  if (cmd.family !== 0 && cmd.family !== AF_INET) return true;
  if (cmd.options & O.MARK && ((v.c.mark & t.mark.mask) >>> 0) !== (t.mark.value >>> 0)) return true;
  if (kernelStatus && t.statusFilter && (v.c.status & t.statusFilter.mask) !== t.statusFilter.val) return true;
  if (filterNat(cmd, v) || filterNetwork(cmd, v)) return true;
  if (cmd.options & CT_COMPARISON && !tupleMatches(cmd, v, 'all')) return true;
  return false;
}

// ---- the commands -----------------------------------------------------------------------------------

function tableOf(ns: NetNs): CtTable | undefined {
  return ns.netfilter.conntrack as CtTable | undefined;
}

function liveViews(ns: NetNs): CtView[] {
  const tab = tableOf(ns);
  if (!tab) return [];
  const nowJ = jiffiesOf(ns.world.now());
  return tab.dump(nowJ).map((c) => viewOf(tab, c, nowJ));
}

function printEntry(cmd: Cmd, v: CtView, use: number, out: string[], save: string): void {
  if (cmd.output & O_SAVE) out.push(saveText(v, save) + '\n');
  else if (cmd.output & O_XML) out.push(xmlText(v, use) + '\n');
  else out.push(lineText(v, { l3: (cmd.output & O_EXT) !== 0, id: (cmd.output & O_ID) !== 0, use }) + '\n');
}

async function run(ctx: ToolContext, cmd: Cmd): Promise<{ counter: number; out: string }> {
  const ns = ctx.ns;
  const out: string[] = [];
  let counter = 0;
  const tab = tableOf(ns);
  switch (cmd.command) {
    case CT_LIST: {
      if (cmd.type === CT_TABLE_DYING || cmd.type === CT_TABLE_UNCONFIRMED) break;
      if (cmd.options & CT_COMPARISON && cmd.options & O.ZERO) exitError(PARAMETER_PROBLEM, "Can't use -z with filtering parameters");
      filterInit(cmd);
      let header = false;
      for (const v of liveViews(ns)) {
        if (skipped(cmd, v, true)) continue;
        if (cmd.output & O_XML && !(cmd.output & O_SAVE) && !header) {
          header = true;
          out.push('<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n');
        }
        printEntry(cmd, v, 1 + v.c.refs, out, '-A ');
        counter++;
      }
      if (header) out.push('</conntrack>\n');
      break;
    }
    case EXP_LIST:
    case EXP_FLUSH:
    case EXP_STATS:
      if (cmd.command === EXP_STATS) for (let i = 0; i < NR_CPUS; i++) out.push(`cpu=${String(i).padEnd(4)}\texpect_new=0 expect_create=0 expect_delete=0 \n`);
      break;
    case EXP_COUNT:
      out.push('0\n');
      break;
    case CT_DELETE: {
      filterInit(cmd);
      for (const v of liveViews(ns)) {
        if (skipped(cmd, v, false)) continue;
        tab!.kill(v.c);
        if (cmd.output & O_SAVE) out.push(saveText(v, '-D ') + '\n');
        else if (cmd.output & O_XML) out.push(xmlText(v, 1 + v.c.refs) + '\n');
        else out.push(lineText(v, { l3: (cmd.output & O_EXT) !== 0, id: (cmd.output & O_ID) !== 0, use: 1 + v.c.refs }) + '\n');
        counter++;
      }
      break;
    }
    case CT_UPDATE: {
      filterInit(cmd);
      for (const v of liveViews(ns)) {
        if (filterNat(cmd, v) || filterNetwork(cmd, v)) continue;
        if (cmd.tmpl.id !== undefined && cmd.tmpl.id !== v.c.ctid >>> 0) continue;
        if (cmd.options & (CT_OPT_ORIG | O.PROTO) && !tupleMatches(cmd, v, 'orig')) continue;
        if (cmd.options & (CT_OPT_REPL | O.PROTO) && !tupleMatches(cmd, v, 'repl')) continue;
        const t = cmd.tmpl;
        let changed = false;
        if (cmd.options & O.MARK && ((((v.c.mark & ~t.mark.mask) ^ t.mark.value) >>> 0) !== v.c.mark >>> 0)) changed = true;
        if (t.status !== undefined && (t.status & v.c.status) !== t.status) changed = true;
        if (t.timeout !== undefined && t.timeout !== v.timeout) changed = true;
        if (t.tcpState !== undefined && t.tcpState !== v.c.tcpState) changed = true;
        if (!changed) continue;
        // The recording kernel refused every such update (see the header).
        ctx.io.err('Operation failed: Operation not supported\n');
        exitError(OTHER_PROBLEM, 'Operation failed: Operation not supported');
      }
      break;
    }
    case CT_GET: {
      const t = cmd.tmpl;
      const nowJ = jiffiesOf(ns.world.now());
      // The recording kernel answered a get by the reply tuple alone with EINVAL.
      if (!(cmd.options & CT_OPT_ORIG)) exitError(OTHER_PROBLEM, 'Operation failed: invalid parameters');
      const src = t.origSrc;
      const dst = t.origDst;
      const icmp = cmd.protonum === IPPROTO_ICMP;
      const sport = (icmp ? t.icmpId : t.origSport) ?? 0;
      const dport = icmp ? ((t.icmpType ?? 0) << 8) | (t.icmpCode ?? 0) : t.origDport ?? 0;
      const n = tab && src !== undefined && dst !== undefined && !t.v6 ? tab.find(nowJ, src, dst, sport, dport, cmd.protonum) : -1;
      if (n === -1) exitError(OTHER_PROBLEM, "Operation failed: such conntrack doesn't exist");
      const v = viewOf(tab!, tab!.conns[n >> 1]!, nowJ);
      if (skipped(cmd, v, false)) break;
      printEntry(cmd, v, 2 + v.c.refs, out, '-A ');
      if (cmd.output & O_XML && !(cmd.output & O_SAVE)) out.unshift('<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n');
      counter++;
      break;
    }
    case CT_FLUSH:
      if (tab) for (const c of tab.dump(jiffiesOf(ns.world.now()))) tab.kill(c);
      break;
    case CT_COUNT:
      if (tab) tab.gc(jiffiesOf(ns.world.now()));
      out.push(`${tab?.count ?? 0}\n`);
      break;
    case CT_STATS:
      out.push(statsLines(tab));
      break;
    case CT_VERSION:
      out.push(`${PROG} v${VERSION} (conntrack-tools)\n`);
      break;
    case CT_HELP:
      out.push(USAGE);
      if (cmd.options & O.PROTO && cmd.h) out.push(`Proto \`${cmd.h === UNKNOWN_PROTO ? 'unknown' : cmd.h.name}' help:\n${cmd.h.help}`);
      break;
    case CT_EVENT:
    case EXP_EVENT:
      if (cmd.options & O.BUFFERSIZE) ctx.io.err('NOTICE: Netlink socket buffer size has been set to 0 bytes.\n');
      if (cmd.command === CT_EVENT) filterInit(cmd);
      if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      if (cmd.command === CT_EVENT) throw new Exit(0, `${HEAD}0 flow events have been shown.\n`);
      throw new Exit(0, `${HEAD}0 expectation events have been shown.\n`);
    case CT_CREATE:
    case CT_ADD:
      exitError(OTHER_PROBLEM, 'Operation failed: Operation not supported');
      break;
    case EXP_CREATE:
      exitError(OTHER_PROBLEM, 'Operation failed: master conntrack not found');
      break;
    case EXP_DELETE:
    case EXP_GET:
      exitError(OTHER_PROBLEM, 'Operation failed: No such file or directory');
      break;
    default:
      out.push(USAGE);
      break;
  }
  return { counter, out: out.join('') };
}

/** nfct_filter_init: --mask-src/--mask-dst need their address. */
function filterInit(cmd: Cmd): void {
  if (cmd.options & O.MASK_SRC && !(cmd.options & O.ORIG_SRC)) exitError(PARAMETER_PROBLEM, "Can't use --mask-src without --src");
  if (cmd.options & O.MASK_DST && !(cmd.options & O.ORIG_DST)) exitError(PARAMETER_PROBLEM, "Can't use --mask-dst without --dst");
}

function statsLines(tab: CtTable | undefined): string {
  let s = '';
  for (let cpu = 0; cpu < NR_CPUS; cpu++) {
    const st = cpu === 0 && tab ? tab.stats : undefined;
    const n = (k: keyof CtTable['stats']): number => (st ? st[k] : 0);
    s += `cpu=${String(cpu).padEnd(4)}\tfound=${n('found')} invalid=${n('invalid')} insert=${n('insert')} insert_failed=${n('insert_failed')} `
      + `drop=${n('drop')} early_drop=${n('early_drop')} error=${n('error')} search_restart=${n('search_restart')} `
      + `clash_resolve=${n('clash_resolve')} chaintoolong=${n('chaintoolong')} \n`;
  }
  return s;
}

export const conntrack: Tool = async (ctx) => {
  const argv = [PROG, ...ctx.argv.slice(1)];
  const warn = { push: (s: string) => ctx.io.err(s) };
  try {
    const cmd = doParse(argv, warn);
    const { counter, out } = await run(ctx, cmd);
    ctx.io.out(out);
    if (cmd.command === CT_FLUSH) ctx.io.err(`${HEAD}connection tracking table has been emptied.\n`);
    if (cmd.command === EXP_FLUSH) ctx.io.err(`${HEAD}expectation table has been emptied.\n`);
    const msg = EXIT_MSG[cmd.command];
    if (cmd.command && msg) {
      ctx.io.err(`${HEAD}${counter} ${msg}\n`);
      if (counter === 0 && !(cmd.command & (CT_LIST | EXP_LIST | CT_ADD))) return 1;
    }
    return 0;
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    ctx.io.err(e.text);
    return e.status;
  }
};

// ---- /proc/net/nf_conntrack and /proc/net/stat/nf_conntrack -------------------------------------

/** /proc/net/nf_conntrack (ct_seq_show), in the kernel's dump order. */
export function procNfConntrack(ns: NetNs): string {
  let s = '';
  for (const v of liveViews(ns)) {
    const c = v.c;
    let line = `${'ipv4'.padEnd(8)} ${AF_INET} ${l4Name(v.proto).padEnd(8)} ${v.proto} ${v.timeout} `;
    if (v.proto === IPPROTO_TCP) line += `${TCP_CONNTRACK_NAMES[c.tcpState] ?? 'NONE'} `;
    line += tupleText(v.oSrc, v.oDst, v.proto, v.oSport, v.oDport);
    if (!(c.status & IPS_SEEN_REPLY)) line += '[UNREPLIED] ';
    line += tupleText(v.rSrc, v.rDst, v.proto, v.rSport, v.rDport);
    if (c.status & IPS_ASSURED) line += '[ASSURED] ';
    line += `mark=${c.mark >>> 0} zone=0 use=${2 + c.refs}\n`;
    s += line;
  }
  return s;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** /proc/net/stat/nf_conntrack (ct_cpu_seq_show): one row per CPU, nslab's counters on cpu 0. */
export function procNfConntrackStat(ns: NetNs): string {
  const tab = tableOf(ns);
  if (tab) tab.gc(jiffiesOf(ns.world.now()));
  const entries = tab?.count ?? 0;
  let s = 'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n';
  for (let cpu = 0; cpu < NR_CPUS; cpu++) {
    const st = cpu === 0 && tab ? tab.stats : undefined;
    const n = (k: keyof CtTable['stats']): number => (st ? st[k] : 0);
    s += `${hex8(entries)}  ${hex8(n('clash_resolve'))} ${hex8(n('found'))} ${hex8(0)} ${hex8(n('invalid'))} ${hex8(0)} ${hex8(0)} `
      + `${hex8(n('chaintoolong'))} ${hex8(n('insert'))} ${hex8(n('insert_failed'))} ${hex8(n('drop'))} ${hex8(n('early_drop'))} `
      + `${hex8(n('error'))}  ${hex8(0)} ${hex8(0)} ${hex8(0)} ${hex8(n('search_restart'))}\n`;
  }
  return s;
}

/** net.netfilter.nf_conntrack_count: the live count (expired entries collected first). */
export function conntrackCount(ns: NetNs): number {
  const tab = tableOf(ns);
  if (!tab) return 0;
  tab.gc(jiffiesOf(ns.world.now()));
  return tab.count;
}
