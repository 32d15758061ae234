// What the conntrack modules share: the tool's identity, the numbers it speaks in (command and
// option bits, output flags, exit statuses), the parsed command line, and the failure that ends
// the tool with a message.

export const PROGRAM = 'conntrack';
export const TOOL_VERSION = '1.4.7';
/** Every diagnostic and summary line starts with this. */
export const MESSAGE_PREFIX = `${PROGRAM} v${TOOL_VERSION} (conntrack-tools): `;
/** CPUs nslab reports (the recording machine had 2). */
export const REPORTED_CPUS = 2;

/** Flow offload status bits (the kernel module does not name them); the text shows them in place of [ASSURED]. */
export const STATUS_OFFLOAD = 1 << 14;
export const STATUS_HW_OFFLOAD = 1 << 15;

export const FAMILY_IPV4 = 2;
export const FAMILY_IPV6 = 10;

/** Layer 4 protocol numbers the tool knows by name. */
export const L4 = {
  icmp: 1, tcp: 6, udp: 17, dccp: 33, gre: 47, icmpv6: 58, sctp: 132, udplite: 136,
} as const;

/** Exit statuses: a failed operation, and a bad command line (which also prints the help hint). */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** One bit per command; a bit's position also picks the command's legality rules. */
export const CMD = {
  list: 1 << 0, create: 1 << 1, update: 1 << 2, delete: 1 << 3, get: 1 << 4, flush: 1 << 5, events: 1 << 6,
  version: 1 << 7, help: 1 << 8, expectList: 1 << 9, expectCreate: 1 << 10, expectDelete: 1 << 11,
  expectGet: 1 << 12, expectFlush: 1 << 13, expectEvents: 1 << 14, count: 1 << 15, expectCount: 1 << 16,
  stats: 1 << 17, expectStats: 1 << 18, add: 1 << 19,
} as const;
export type CommandName = keyof typeof CMD;
export const COMMAND_NAMES = Object.keys(CMD) as CommandName[];

/** One bit per generic option, in the order the legality checks visit them. */
export const OPT = {
  origSrc: 1 << 0, origDst: 1 << 1, replySrc: 1 << 2, replyDst: 1 << 3, proto: 1 << 4, timeout: 1 << 5,
  status: 1 << 6, zero: 1 << 7, eventMask: 1 << 8, expectSrc: 1 << 9, expectDst: 1 << 10, maskSrc: 1 << 11,
  maskDst: 1 << 12, natRange: 1 << 13, mark: 1 << 14, id: 1 << 15, family: 1 << 16, srcNat: 1 << 17,
  dstNat: 1 << 18, output: 1 << 19, secmark: 1 << 20, bufferSize: 1 << 21, anyNat: 1 << 22, zone: 1 << 23,
  label: 1 << 24, addLabel: 1 << 25, delLabel: 1 << 26, origZone: 1 << 27, replyZone: 1 << 28,
} as const;
/** How each option bit is named in "Illegal option `--…'" messages, bit 0 first. */
export const OPTION_NAMES = [
  'src', 'dst', 'reply-src', 'reply-dst', 'protonum', 'timeout', 'status', 'zero', 'event-mask', 'tuple-src',
  'tuple-dst', 'mask-src', 'mask-dst', 'nat-range', 'mark', 'id', 'family', 'src-nat', 'dst-nat', 'output',
  'secmark', 'buffer-size', 'any-nat', 'zone', 'label', 'label-add', 'label-del', 'orig-zone', 'reply-zone',
] as const;
export const ORIGINAL_ADDRESSES = OPT.origSrc | OPT.origDst;
export const REPLY_ADDRESSES = OPT.replySrc | OPT.replyDst;
/** Options that narrow a listing to the entries matching the template. */
export const FILTERING_OPTIONS = OPT.proto | ORIGINAL_ADDRESSES | REPLY_ADDRESSES | OPT.mark | OPT.secmark
  | OPT.status | OPT.id | OPT.zone | OPT.label | OPT.origZone | OPT.replyZone;

/** `-o` flags. */
export const OUT = { xml: 1, extended: 2, timestamp: 4, id: 8, ktimestamp: 16, labels: 32, save: 64 } as const;

/** The table a command's optional argument names. */
export const TABLE = { conntrack: 0, expect: 1, dying: 2, unconfirmed: 3 } as const;

/** A protocol the `-p` option can name, with the options it brings along. */
export interface Protocol {
  name: string;
  num: number;
  /** Long options, each with its number (its flag is bit number-1). */
  opts: Array<[string, number]>;
  /** Option names by flag bit, for the legality messages. */
  flagNames: string[];
  /** Per command: one legality entry per flag bit. Commands missing here allow none of them. */
  legality: Partial<Record<CommandName, readonly Legality[]>>;
  /** Flag pairs of which one must be complete when the command marks them paired, with the complaint for each. */
  pairs?: { flags: number[]; msgs: string[] };
  help: string;
}

export type Legality = 'forbidden' | 'required' | 'optional' | 'paired';

/** What the command line asks entries to look like (and, for -U, what to change). */
export interface Template {
  /** Family of the address options (original and reply side), 0 when none was given. */
  origFamily: number;
  replyFamily: number;
  origSrc?: number;
  origDst?: number;
  replySrc?: number;
  replyDst?: number;
  /** An address option named an IPv6 address (never equal to an IPv4 connection's). */
  v6: boolean;
  origL4?: number;
  replyL4?: number;
  origSport?: number;
  origDport?: number;
  replySport?: number;
  replyDport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  maskSrc?: number;
  maskDst?: number;
  status?: number;
  /** What the kernel's dump compares status against: (status & mask) === value. */
  statusFilter?: { value: number; mask: number };
  mark: { value: number; mask: number };
  timeout?: number;
  tcpState?: number;
  id?: number;
  zone?: number;
  origZone?: number;
  replyZone?: number;
  secmark?: number;
  snatIp?: number;
  snatPort?: number;
  dnatIp?: number;
  dnatPort?: number;
}

/** The parsed command line. */
export interface Invocation {
  /** The command's bit (0 when none was given). */
  command: number;
  options: number;
  family: number;
  table: number;
  protonum: number;
  proto?: Protocol;
  /** Flags of the protocol's own options that were given. */
  protoFlags: number;
  output: number;
  eventMask: number;
  template: Template;
}

/** Ends the tool: the text goes to stderr and the status is the exit status. */
export class ConntrackExit extends Error {
  constructor(readonly status: number, readonly text: string) {
    super(text);
  }
}

export function fail(status: number, msg: string): never {
  let text = `${MESSAGE_PREFIX}${msg}\n`;
  if (status === EXIT_USAGE) text += `Try \`${PROGRAM} -h' or '${PROGRAM} --help' for more information.\n`;
  throw new ConntrackExit(status, text);
}
