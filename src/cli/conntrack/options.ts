// Reading the command line into an Invocation. Options are read with the same getopt nslab's
// iptables uses (long-option abbreviations, optional arguments that may also be the next word);
// `-p tcp` and friends add the protocol's own long options for the rest of the line, so
// `--sport` before `-p` is unknown, as with the real tool. Argument errors are reported as soon
// as they are met, in command-line order, and legality once everything is read.
import { IPS_ASSURED, IPS_EXPECTED, IPS_FIXED_TIMEOUT, IPS_SEEN_REPLY } from '../../kernel/netfilter/conntrack.ts';
import { Getopt, type LongOpt } from '../iptables/getopt.ts';
import {
  CMD, EXIT_FAILED, EXIT_USAGE, FAMILY_IPV4, FAMILY_IPV6, type Invocation, OPT, OUT, type Protocol,
  STATUS_HW_OFFLOAD, STATUS_OFFLOAD, TABLE, type Template, fail,
} from './common.ts';
import { checkCombination } from './legality.ts';
import { applyProtocolOption, lookupProtocol } from './protocols.ts';
import { PREFIX_BAD, PREFIX_NONE, parseAddress, prefixToMask, scanInt, scanUnsigned, splitAddressAndPort, unsignedOrZero } from './scan.ts';

export interface Warnings {
  push(text: string): void;
}

const code = (letter: string): number => letter.charCodeAt(0);

/** [long name, 0 no argument / 1 required / 2 optional, short letter]. */
const LONG_OPTIONS: LongOpt[] = ([
  ['dump', 2, 'L'], ['create', 2, 'I'], ['add', 2, 'A'], ['delete', 2, 'D'], ['update', 2, 'U'], ['get', 2, 'G'],
  ['flush', 2, 'F'], ['event', 2, 'E'], ['counter', 2, 'C'], ['stats', 0, 'S'], ['version', 0, 'V'], ['help', 0, 'h'],
  ['orig-src', 1, 's'], ['src', 1, 's'], ['orig-dst', 1, 'd'], ['dst', 1, 'd'], ['reply-src', 1, 'r'],
  ['reply-dst', 1, 'q'], ['protonum', 1, 'p'], ['timeout', 1, 't'], ['status', 1, 'u'], ['zero', 0, 'z'],
  ['event-mask', 1, 'e'], ['tuple-src', 1, '['], ['tuple-dst', 1, ']'], ['mask-src', 1, '{'], ['mask-dst', 1, '}'],
  ['nat-range', 1, 'a'], ['mark', 1, 'm'], ['secmark', 1, 'c'], ['id', 2, 'i'], ['family', 1, 'f'],
  ['src-nat', 2, 'n'], ['dst-nat', 2, 'g'], ['output', 1, 'o'], ['buffer-size', 1, 'b'], ['any-nat', 2, 'j'],
  ['zone', 1, 'w'], ['label', 1, 'l'], ['label-add', 1, '<'], ['label-del', 2, '>'], ['orig-zone', 1, '('],
  ['reply-zone', 1, ')'],
] as Array<[string, 0 | 1 | 2, string]>).map(([name, hasArg, letter]) => ({ name, hasArg, val: code(letter) }));

/** The short options; the leading ':' makes a missing argument distinguishable from an unknown option. */
const SHORT_OPTIONS = ':L::I::U::D::G::E::F::A::hVs:d:r:q:p:t:u:e:a:z[:]:{:}:m:i:f:o:n::g::c:b:C::Sj::w:l:<:>::(:):';

/** Command letters, with the command for the conntrack table and for the expectation table (0: none). */
const COMMAND_OF_LETTER: Record<string, [number, number]> = {
  L: [CMD.list, CMD.expectList], I: [CMD.create, CMD.expectCreate], D: [CMD.delete, CMD.expectDelete],
  G: [CMD.get, CMD.expectGet], F: [CMD.flush, CMD.expectFlush], E: [CMD.events, CMD.expectEvents],
  V: [CMD.version, CMD.version], h: [CMD.help, CMD.help], C: [CMD.count, CMD.expectCount],
  S: [CMD.stats, CMD.expectStats], U: [CMD.update, 0], A: [CMD.add, 0],
};

const STATUS_WORDS: Array<[string, number]> = [
  ['ASSURED', IPS_ASSURED], ['SEEN_REPLY', IPS_SEEN_REPLY], ['UNSET', 0], ['FIXED_TIMEOUT', IPS_FIXED_TIMEOUT],
  ['EXPECTED', IPS_EXPECTED], ['OFFLOAD', STATUS_OFFLOAD], ['HW_OFFLOAD', STATUS_HW_OFFLOAD],
];
const EVENT_WORDS: Array<[string, number]> = [['ALL', 7], ['NEW', 1], ['UPDATES', 2], ['DESTROY', 4]];
const OUTPUT_WORDS: Array<[string, number]> = [
  ['xml', OUT.xml], ['extended', OUT.extended], ['timestamp', OUT.timestamp], ['id', OUT.id],
  ['ktimestamp', OUT.ktimestamp], ['labels', OUT.labels], ['userspace', 0], ['save', OUT.save],
];

/**
 * The value of one word of a comma list: the first entry the word is a case-insensitive prefix
 * of. SRC_NAT and DST_NAT (old status words) are accepted with a warning and mean nothing.
 */
function wordValue(word: string, words: Array<[string, number]>, warnings: Warnings): number | undefined {
  const matches = (name: string) => name.length >= word.length && name.slice(0, word.length).toLowerCase() === word.toLowerCase();
  for (const ignored of ['SRC_NAT', 'DST_NAT']) {
    if (matches(ignored)) {
      warnings.push(`WARNING: ignoring ${ignored}, use --${ignored === 'SRC_NAT' ? 'src' : 'dst'}-nat instead\n`);
      return 0;
    }
  }
  for (const [name, value] of words) if (matches(name)) return value;
  return undefined;
}

/** A comma list of words, OR-ed; the error quotes the list from the bad word on. */
function wordList(arg: string, words: Array<[string, number]>, warnings: Warnings): number {
  let value = 0;
  let rest = arg;
  for (let comma = rest.indexOf(','); comma >= 0; comma = rest.indexOf(',')) {
    const v = comma === 0 ? undefined : wordValue(rest.slice(0, comma), words, warnings);
    if (v === undefined) fail(EXIT_USAGE, `Bad parameter \`${rest}'`);
    value |= v;
    rest = rest.slice(comma + 1);
  }
  const v = rest.length === 0 ? undefined : wordValue(rest, words, warnings);
  if (v === undefined) fail(EXIT_USAGE, `Bad parameter \`${rest}'`);
  return value | v;
}

/**
 * The `-u` list: status words that must be set, `!WORD` ones that must be clear, and UNREPLIED
 * for "no reply seen". Returns the wanted bits and the bits that were negated.
 */
function statusList(arg: string, warnings: Warnings): { status: number; negated: number } {
  let status = 0;
  let negatedBits = 0;
  let rest = arg;
  const take = (word: string, negated: boolean): void => {
    const v = word.length === 0 ? undefined : wordValue(word, STATUS_WORDS, warnings);
    if (v === undefined) fail(EXIT_USAGE, `Bad parameter \`${rest}'`);
    if (negated) negatedBits |= v;
    else status |= v;
  };
  for (let comma = rest.indexOf(','); comma >= 0; comma = rest.indexOf(',')) {
    if (comma === 0) fail(EXIT_USAGE, `Bad parameter \`${rest}'`);
    const negated = rest[0] === '!';
    if (negated) rest = rest.slice(1);
    const end = rest.indexOf(',');
    if (end === 0) fail(EXIT_USAGE, `Bad parameter \`${rest}'`);
    if (!negated && rest.startsWith('UNREPLIED')) negatedBits |= IPS_SEEN_REPLY;
    else take(rest.slice(0, end), negated);
    rest = rest.slice(end + 1);
  }
  const negated = rest[0] === '!';
  if (negated) rest = rest.slice(1);
  if (!negated && rest.startsWith('UNREPLIED')) return { status, negated: negatedBits | IPS_SEEN_REPLY };
  take(rest, negated);
  return { status, negated: negatedBits };
}

/** Which option bit each address-taking letter sets. */
const ADDRESS_OPTION: Record<string, number> = {
  s: OPT.origSrc, d: OPT.origDst, r: OPT.replySrc, q: OPT.replyDst, '{': OPT.maskSrc, '}': OPT.maskDst,
  '[': OPT.expectSrc, ']': OPT.expectDst, n: OPT.srcNat, g: OPT.dstNat, j: OPT.anyNat,
};
/** Address options that accept a /prefix, and the mask option the prefix stands for. */
const PREFIX_MASK_LETTER: Record<string, '{' | '}'> = { s: '{', d: '}', '[': '{', ']': '}' };

export function parseCommandLine(argv: string[], warnings: Warnings): Invocation {
  const template: Template = { origFamily: 0, replyFamily: 0, v6: false, mark: { value: 0, mask: 0 } };
  const inv: Invocation = {
    command: 0, options: 0, family: 0, table: TABLE.conntrack, protonum: 0, protoFlags: 0, output: 0, eventMask: 0, template,
  };
  let longOptions = LONG_OPTIONS;
  /** Protocol options by getopt value: the protocol and its option number. */
  const protocolOptions = new Map<number, [Protocol, number]>();
  /** Each `-p` gives its options a fresh range of values, so a later -p's options never collide. */
  let protocolValueBase = 0;
  const getopt = new Getopt(argv, SHORT_OPTIONS, false);
  let labelsLoaded = false;

  // Label names would come from connlabel.conf, which nslab's machines do not have; the tool
  // says so once, the first time labels are needed.
  const loadLabels = () => {
    if (labelsLoaded) return;
    labelsLoaded = true;
    warnings.push('nfct_labelmap_new: No such file or directory\n');
  };
  const setCommand = (command: number) => {
    if (inv.command) fail(EXIT_USAGE, 'Invalid commands combination');
    inv.command |= command;
  };
  /** An optional argument given as the next word (not starting with '-' or '!'), consumed. */
  const nextWordArgument = (): string | null => {
    if (getopt.optarg !== null) return null;
    const word = getopt.argv[getopt.optind];
    if (getopt.optind < getopt.argv.length && word[0] !== '-' && word[0] !== '!') {
      getopt.optind++;
      return word;
    }
    return null;
  };
  /** The table a command names (any prefix of its name), the conntrack table by default. */
  const tableArgument = (): number => {
    const name = nextWordArgument();
    if (name === null) return TABLE.conntrack;
    for (const table of ['expect', 'conntrack', 'dying', 'unconfirmed'] as const) {
      if (table.startsWith(name)) return TABLE[table];
    }
    fail(EXIT_USAGE, `unknown type \`${name}'`);
  };
  const setFamily = (family: number) => {
    if (inv.family === 0) inv.family = family;
    else if (inv.family !== family) fail(EXIT_USAGE, 'mismatched address family');
  };
  const longNameOf = (letter: string): string => longOptions.find((o) => o.val === code(letter))?.name ?? 'unknown';

  /** An address option: validated, recorded in the template, its /prefix turned into a mask option. */
  const addressOption = (letter: string, arg: string, prefixMakesMask: boolean): { v4: number; family: number } => {
    const maskLetter = PREFIX_MASK_LETTER[letter];
    const a = parseAddress(arg, true);
    if (a.family === 0) fail(EXIT_USAGE, `Invalid IP address \`${arg}'`);
    setFamily(a.family);
    if (a.prefix !== PREFIX_NONE && !maskLetter) fail(EXIT_USAGE, `CIDR notation unavailable for \`--${longNameOf(letter)}'`);
    else if (a.prefix === PREFIX_BAD) fail(EXIT_USAGE, 'Invalid netmask');
    if (a.family === FAMILY_IPV6) template.v6 = true;
    inv.options |= ADDRESS_OPTION[letter];
    const v4 = a.family === FAMILY_IPV4 ? a.v4 : undefined;
    switch (letter) {
      case 's': template.origSrc = v4; template.origFamily = a.family; break;
      case 'd': template.origDst = v4; template.origFamily = a.family; break;
      case 'r': template.replySrc = v4; template.replyFamily = a.family; break;
      case 'q': template.replyDst = v4; template.replyFamily = a.family; break;
      case '{': template.maskSrc = v4; break;
      case '}': template.maskDst = v4; break;
      default: break;
    }
    const result = { v4: a.v4, family: a.family };
    if (a.prefix === PREFIX_NONE || !maskLetter || !prefixMakesMask) return result;
    // A full-length prefix is just the address.
    if ((a.family === FAMILY_IPV4 && a.prefix === 32) || (a.family === FAMILY_IPV6 && a.prefix === 128)) return result;
    inv.options |= maskLetter === '{' ? OPT.maskSrc : OPT.maskDst;
    if (a.family === FAMILY_IPV4) {
      if (maskLetter === '{') template.maskSrc = prefixToMask(a.prefix);
      else template.maskDst = prefixToMask(a.prefix);
    }
    return result;
  };

  /** `-p`: the protocol, and its options joining the long options. */
  const protocolOption = (arg: string) => {
    inv.options |= OPT.proto;
    const found = lookupProtocol(arg);
    if (!found) fail(EXIT_USAGE, `\`${arg}' unsupported protocol`);
    inv.proto = found.proto;
    inv.protonum = found.num;
    protocolValueBase += 256;
    longOptions = [...longOptions];
    for (const [name, option] of found.proto.opts) {
      const val = protocolValueBase + code(String(option));
      longOptions.push({ name, hasArg: 1, val });
      protocolOptions.set(val, [found.proto, option]);
    }
    template.origL4 = inv.protonum;
  };

  /** -n/-g/-j with an optional `addr[:port]`; without one they only ask for NATed entries. */
  const natOption = (letter: string) => {
    inv.options |= letter === 'n' ? OPT.srcNat : letter === 'g' ? OPT.dstNat : OPT.anyNat;
    const arg = nextWordArgument();
    if (arg === null) return;
    const { address, port } = splitAddressAndPort(arg);
    const a = addressOption(letter, address, false);
    const ip = a.family === FAMILY_IPV4 ? a.v4 : undefined;
    const portNumber = port === undefined ? undefined : scanInt(port) & 0xffff;
    if (letter === 'n' || letter === 'j') {
      template.snatIp = ip;
      if (portNumber !== undefined) template.snatPort = portNumber;
    }
    if (letter === 'g' || letter === 'j') {
      template.dnatIp = ip;
      if (portNumber !== undefined) template.dnatPort = portNumber;
    }
  };

  for (let ch = getopt.next(longOptions); ch !== -1; ch = getopt.next(longOptions)) {
    const arg = getopt.optarg ?? '';
    const letter = ch < 256 ? String.fromCharCode(ch) : '';
    switch (letter) {
      case 'L': case 'I': case 'D': case 'G': case 'F': case 'E': case 'V': case 'h': case 'C': case 'S': case 'U': case 'A': {
        inv.table = tableArgument();
        const pseudo = inv.table === TABLE.dying || inv.table === TABLE.unconfirmed;
        // The dying and unconfirmed lists can only be listed (nslab shows them empty).
        if (letter === 'L' && pseudo) {
          setCommand(CMD.list);
          break;
        }
        if (pseudo) fail(EXIT_USAGE, "Can't do that command with tables `dying' and `unconfirmed'");
        const command = COMMAND_OF_LETTER[letter][inv.table];
        if (!command) fail(EXIT_USAGE, `Can't do --${longNameOf(letter)} on ${inv.table === TABLE.conntrack ? 'conntrack' : 'expectations'}`);
        setCommand(command);
        break;
      }
      case 's': case 'd': case 'r': case 'q': case '[': case ']': case '{': case '}':
        addressOption(letter, arg, letter !== '{' && letter !== '}');
        break;
      case 'p':
        protocolOption(arg);
        break;
      case 't':
        inv.options |= OPT.timeout;
        template.timeout = scanInt(arg) >>> 0;
        break;
      case 'u': {
        inv.options |= OPT.status;
        const { status, negated } = statusList(arg, warnings);
        template.status = status;
        // Without negated words the listed bits must be set; with them, the negated bits are
        // what gets compared (and must be clear unless also listed).
        template.statusFilter = { value: status, mask: negated === 0 ? status : negated };
        break;
      }
      case 'e':
        inv.options |= OPT.eventMask;
        inv.eventMask |= wordList(arg, EVENT_WORDS, warnings);
        break;
      case 'o':
        inv.options |= OPT.output;
        inv.output |= wordList(arg, OUTPUT_WORDS, warnings);
        if (inv.output & OUT.labels) loadLabels();
        if (inv.output & OUT.save && inv.output & (OUT.extended | OUT.timestamp | OUT.id | OUT.ktimestamp | OUT.labels | OUT.xml)) {
          fail(EXIT_FAILED, 'cannot combine save output with any other output type, use -o save only');
        }
        break;
      case 'z':
        inv.options |= OPT.zero;
        break;
      case 'n': case 'g': case 'j':
        natOption(letter);
        break;
      case 'w':
        inv.options |= OPT.zone;
        template.zone = unsignedOrZero(arg) & 0xffff;
        break;
      case '(':
        inv.options |= OPT.origZone;
        template.origZone = unsignedOrZero(arg) & 0xffff;
        break;
      case ')':
        inv.options |= OPT.replyZone;
        template.replyZone = unsignedOrZero(arg) & 0xffff;
        break;
      case 'i':
        inv.options |= OPT.id;
        template.id = unsignedOrZero(arg);
        break;
      case 'c':
        inv.options |= OPT.secmark;
        template.secmark = unsignedOrZero(arg);
        break;
      case 'm': {
        inv.options |= OPT.mark;
        const v = scanUnsigned(arg);
        template.mark.value = v?.value ?? 0;
        const rest = v ? arg.slice(v.end) : arg;
        template.mark.mask = rest[0] === '/' ? unsignedOrZero(rest.slice(1)) : 0xffffffff;
        break;
      }
      case 'l': case '<': case '>': {
        inv.options |= letter === 'l' ? OPT.label : letter === '<' ? OPT.addLabel : OPT.delLabel;
        loadLabels();
        if ((inv.options & (OPT.delLabel | OPT.addLabel)) === (OPT.delLabel | OPT.addLabel)) {
          fail(EXIT_FAILED, 'cannot use --label-add and --label-del at the same time');
        }
        // --label-del may come without labels (delete them all).
        const labels = letter === '>' ? nextWordArgument() : arg;
        if (labels === null) break;
        // Without connlabel.conf no label name is known.
        fail(EXIT_USAGE, `unknown label '${labels.split(',')[0]}'`);
        break;
      }
      case 'a':
        warnings.push(`WARNING: ignoring -${letter}, deprecated option.\n`);
        break;
      case 'f':
        inv.options |= OPT.family;
        if (arg.startsWith('ipv4')) setFamily(FAMILY_IPV4);
        else if (arg.startsWith('ipv6')) setFamily(FAMILY_IPV6);
        else fail(EXIT_USAGE, `\`${arg}' unsupported protocol`);
        break;
      case 'b':
        inv.options |= OPT.bufferSize;
        break;
      case ':':
        fail(EXIT_USAGE, `option \`${getopt.argv[getopt.optind - 1]}' requires an argument`);
        break;
      case '?':
        fail(EXIT_USAGE, `unknown option \`${getopt.argv[getopt.optind - 1]}'`);
        break;
      default: {
        // Options of an earlier -p stay in the table but mean nothing once another -p replaced it.
        const option = protocolOptions.get(ch);
        if (option && inv.proto && option[0] === inv.proto) {
          inv.protoFlags |= applyProtocolOption(inv.proto, option[1], arg, template);
        }
        break;
      }
    }
  }

  // Commands that create or address one entry default to IPv4; the ones that walk the table take any family.
  const anyFamily: number[] = [CMD.list, CMD.update, CMD.delete, CMD.get, CMD.flush, CMD.events];
  if (inv.family === 0 && !anyFamily.includes(inv.command)) inv.family = FAMILY_IPV4;
  checkCombination(inv);
  return inv;
}
