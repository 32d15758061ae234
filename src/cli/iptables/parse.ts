// iptables' command line, as xshared.c's do_parse() reads it: getopt_long over the built-in
// options plus the options of every extension loaded so far (-m, -j, and the protocol's match
// loaded on demand after -p), `!` as a separate word before what it negates, the option/command
// table, and the same error texts in the same order.
import type { IfaceSpec, Match, Target } from '../../kernel/netfilter/index.ts';
import { IPT_INV_DSTIP, IPT_INV_FRAG, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_INV_VIA_IN, IPT_INV_VIA_OUT } from '../../kernel/netfilter/index.ts';
import { emptyVal, optionsFcheck, type Extension, type OptionCall } from './ext.ts';
import { MATCHES, STANDARD_TARGETS, TARGETS } from './extensions.ts';
export { assertValidChainName } from './parse-checks.ts';
import { CMDFLAGS, OPTFLAGS, assertValidChainName, genericOptCheck, scanInt, scanUll, targetNameCheck } from './parse-checks.ts';
import { Getopt, MISSING, NON_OPTION, UNKNOWN, type LongOpt } from './getopt.ts';
import { helpText } from './help.ts';
import { PARAMETER_PROBLEM, VERSION, XtExit, ipparseMultiple, parseInterface, parseProtocol, protoToName, xtError, xtStrtoui } from './xtables.ts';

export const CMD = {
  NONE: 0, INSERT: 1 << 0, DELETE: 1 << 1, DELETE_NUM: 1 << 2, REPLACE: 1 << 3, APPEND: 1 << 4, LIST: 1 << 5, FLUSH: 1 << 6,
  ZERO: 1 << 7, NEW_CHAIN: 1 << 8, DELETE_CHAIN: 1 << 9, SET_POLICY: 1 << 10, RENAME_CHAIN: 1 << 11, LIST_RULES: 1 << 12,
  ZERO_NUM: 1 << 13, CHECK: 1 << 14,
} as const;
export const OPT = {
  NUMERIC: 1 << 0, SOURCE: 1 << 1, DESTINATION: 1 << 2, PROTOCOL: 1 << 3, JUMP: 1 << 4, VERBOSE: 1 << 5, EXPANDED: 1 << 6,
  VIANAMEIN: 1 << 7, VIANAMEOUT: 1 << 8, LINENUMBERS: 1 << 9, COUNTERS: 1 << 10, FRAGMENT: 1 << 11,
} as const;

const INVERSE = [0, IPT_INV_SRCIP, IPT_INV_DSTIP, IPT_INV_PROTO, 0, 0, 0, IPT_INV_VIA_IN, IPT_INV_VIA_OUT, 0, 0, IPT_INV_FRAG];
const c = (ch: string): number => ch.charCodeAt(0);

const ORIG_OPTS: LongOpt[] = [
  ['append', 1, 'A'], ['delete', 1, 'D'], ['check', 1, 'C'], ['insert', 1, 'I'], ['replace', 1, 'R'], ['list', 2, 'L'],
  ['list-rules', 2, 'S'], ['flush', 2, 'F'], ['zero', 2, 'Z'], ['new-chain', 1, 'N'], ['delete-chain', 2, 'X'],
  ['rename-chain', 1, 'E'], ['policy', 1, 'P'], ['source', 1, 's'], ['destination', 1, 'd'], ['src', 1, 's'], ['dst', 1, 'd'],
  ['protocol', 1, 'p'], ['in-interface', 1, 'i'], ['jump', 1, 'j'], ['table', 1, 't'], ['match', 1, 'm'], ['numeric', 0, 'n'],
  ['out-interface', 1, 'o'], ['verbose', 0, 'v'], ['wait', 2, 'w'], ['wait-interval', 2, 'W'], ['exact', 0, 'x'],
  ['fragments', 0, 'f'], ['version', 0, 'V'], ['help', 2, 'h'], ['line-numbers', 0, '0'], ['modprobe', 1, 'M'],
  ['set-counters', 1, 'c'], ['goto', 1, 'g'], ['ipv4', 0, '4'], ['ipv6', 0, '6'],
].map(([name, hasArg, val]) => ({ name: name as string, hasArg: hasArg as 0 | 1 | 2, val: c(val as string) }));

const OPTSTRING = '-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x';

export interface Instance<D extends Match | Target = Match | Target> {
  ext: Extension<D>;
  data: D;
  xflags: number;
  offset: number;
  completed: boolean;
}

export interface ParsedCommand {
  command: number;
  chain?: string;
  rulenum: number;
  newname?: string;
  policy?: string;
  table: string;
  options: number;
  verbose: number;
  proto: number;
  invflags: number;
  fragment: boolean;
  iniface: IfaceSpec;
  outiface: IfaceSpec;
  src: Array<{ addr: number; mask: number }>;
  dst: Array<{ addr: number; mask: number }>;
  matches: Instance<Match>[];
  target: Instance<Target> | null;
  jumpto: string;
  goto: boolean;
  pcnt: number;
  bcnt: number;
  /** -h / -V: print this and succeed. */
  output?: string;
}

/** Parses one iptables command line (argv[0] is the program name). `restore`: a line of
 * iptables-restore (-t refused after the table, -w/-W refused, -6 ignores the line). */
export function parseCommand(argv: string[], opts: { restore: boolean; warn(text: string): void }): ParsedCommand | null {
  const p: ParsedCommand = {
    command: 0, rulenum: 0, table: 'filter', options: 0, verbose: 0, proto: 0, invflags: 0, fragment: false,
    iniface: { name: '', wildcard: false }, outiface: { name: '', wildcard: false }, src: [], dst: [], matches: [], target: null,
    jumpto: '', goto: false, pcnt: 0, bcnt: 0,
  };
  const g = new Getopt(argv, OPTSTRING, false);
  let longopts: LongOpt[] = ORIG_OPTS;
  let lastOffset = 0;
  let tableSet = false;
  let invert = false;
  let protocol: string | undefined;
  let protoUsed = false;
  let shost: string | undefined;
  let wait: number | undefined = 0;
  let waitInterval = false;
  let dhost: string | undefined;
  const has = (): boolean => g.optind < argv.length && argv[g.optind][0] !== '-' && argv[g.optind][0] !== '!';
  const cur = (): string => argv[g.optind - 1];

  const merge = (inst: Instance): void => {
    lastOffset += 256;
    inst.offset = lastOffset;
    const own = inst.ext.options.map((o) => ({ name: o.name, hasArg: (o.type === 'none' ? 0 : 1) as 0 | 1, val: o.id + inst.offset }));
    longopts = [...ORIG_OPTS, ...own, ...longopts.slice(ORIG_OPTS.length)];
  };
  const addMatch = (ext: Extension<Match>, mergeAlways: boolean): Instance<Match> => {
    const earlier = p.matches.find((m) => m.ext === ext);
    for (const m of p.matches) if (m.ext === ext) m.completed = true;
    const inst: Instance<Match> = { ext, data: ext.init(), xflags: 0, offset: earlier?.offset ?? 0, completed: false };
    p.matches.push(inst);
    if (mergeAlways || !earlier) merge(inst);
    return inst;
  };
  const addCommand = (newcmd: number, other: number): void => {
    if (invert) xtError(PARAMETER_PROBLEM, "unexpected '!' flag");
    if (p.command & ~other) {
      const ch = (bits: number) => CMDFLAGS[31 - Math.clz32(bits)];
      xtError(PARAMETER_PROBLEM, `Cannot use -${ch(newcmd)} with -${ch(p.command & ~other)}`);
    }
    p.command |= newcmd;
  };
  const setOption = (option: number): void => {
    const i = 31 - Math.clz32(option);
    if (p.options & option) xtError(PARAMETER_PROBLEM, `multiple -${OPTFLAGS[i]} flags not allowed`);
    p.options |= option;
    if (invert) {
      if (!INVERSE[i]) xtError(PARAMETER_PROBLEM, `cannot have ! before -${OPTFLAGS[i]}`);
      p.invflags |= INVERSE[i];
    }
  };
  const ruleNumber = (text: string): number => {
    const n = xtStrtoui(text, 1, 0x7fffffff);
    if (n === undefined) xtError(PARAMETER_PROBLEM, `Invalid rule number \`${text}'`);
    return n;
  };
  const optionalChain = (optarg: string | null): void => {
    if (optarg !== null) p.chain = optarg;
    else if (has()) p.chain = argv[g.optind++];
  };
  const call = (inst: Instance, code: number): void => {
    const id = code - inst.offset;
    const cb: OptionCall = {
      entry: inst.ext.options.find((o) => o.id === id) as OptionCall['entry'],
      arg: g.optarg, invert, extName: inst.ext.name, xflags: inst.xflags, val: emptyVal(),
      rule: { proto: p.proto, invflags: p.invflags }, getopt: g, warn: opts.warn,
    };
    (inst.ext.parse as (cb: OptionCall, d: Match | Target) => void)(cb, inst.data);
    inst.xflags = cb.xflags;
  };
  const protoExt = (): Extension<Match> | undefined => {
    if (protocol === undefined) return undefined;
    const n = xtStrtoui(protocol, 0, 255);
    const name = n !== undefined ? protoToName(n, (p.options & OPT.NUMERIC) !== 0) : protocol;
    return name === undefined ? undefined : MATCHES.get(name);
  };
  /** command_default(): returns true to re-run getopt at once. */
  const commandDefault = (code: number): boolean => {
    const t = p.target;
    if (t && t.ext.options.length && code >= t.offset && code < t.offset + 256) {
      call(t, code);
      return false;
    }
    for (const m of p.matches) {
      if (m.completed || code < m.offset || code >= m.offset + 256) continue;
      call(m, code);
      return false;
    }
    const ext = !protoUsed ? protoExt() : undefined;
    if (ext) {
      protoUsed = true;
      addMatch(ext, true);
      g.back();
      return true;
    }
    if (code === MISSING) xtError(PARAMETER_PROBLEM, `option "${cur()}" requires an argument`);
    if (code === UNKNOWN) xtError(PARAMETER_PROBLEM, `unknown option "${cur()}"`);
    xtError(PARAMETER_PROBLEM, `Unknown arg "${g.optarg}"`);
  };

  for (let code = g.next(longopts); code !== -1; code = g.next(longopts)) {
    const optarg = g.optarg;
    switch (code) {
      case c('A'): addCommand(CMD.APPEND, 0); p.chain = optarg ?? ''; break;
      case c('C'): addCommand(CMD.CHECK, 0); p.chain = optarg ?? ''; break;
      case c('D'):
        addCommand(CMD.DELETE, 0);
        p.chain = optarg ?? '';
        if (has()) {
          p.rulenum = ruleNumber(argv[g.optind++]);
          p.command = CMD.DELETE_NUM;
        }
        break;
      case c('R'):
        addCommand(CMD.REPLACE, 0);
        p.chain = optarg ?? '';
        if (!has()) xtError(PARAMETER_PROBLEM, '-R requires a rule number');
        p.rulenum = ruleNumber(argv[g.optind++]);
        break;
      case c('I'):
        addCommand(CMD.INSERT, 0);
        p.chain = optarg ?? '';
        p.rulenum = has() ? ruleNumber(argv[g.optind++]) : 1;
        break;
      case c('L'):
      case c('S'):
        addCommand(code === c('L') ? CMD.LIST : CMD.LIST_RULES, CMD.ZERO | CMD.ZERO_NUM);
        optionalChain(optarg);
        if (has()) p.rulenum = ruleNumber(argv[g.optind++]);
        break;
      case c('F'): addCommand(CMD.FLUSH, 0); optionalChain(optarg); break;
      case c('Z'):
        addCommand(CMD.ZERO, CMD.LIST | CMD.LIST_RULES);
        optionalChain(optarg);
        if (has()) {
          p.rulenum = ruleNumber(argv[g.optind++]);
          p.command = CMD.ZERO_NUM;
        }
        break;
      case c('N'): assertValidChainName(optarg ?? ''); addCommand(CMD.NEW_CHAIN, 0); p.chain = optarg ?? ''; break;
      case c('X'): addCommand(CMD.DELETE_CHAIN, 0); optionalChain(optarg); break;
      case c('E'):
        addCommand(CMD.RENAME_CHAIN, 0);
        p.chain = optarg ?? '';
        if (!has()) xtError(PARAMETER_PROBLEM, '-E requires old-chain-name and new-chain-name');
        p.newname = argv[g.optind++];
        break;
      case c('P'):
        addCommand(CMD.SET_POLICY, 0);
        p.chain = optarg ?? '';
        if (!has()) xtError(PARAMETER_PROBLEM, '-P requires a chain and a policy');
        p.policy = argv[g.optind++];
        break;
      case c('h'): p.output = helpText('iptables'); return p;
      case c('p'): {
        setOption(OPT.PROTOCOL);
        argv[g.optind - 1] = cur().toLowerCase();
        protocol = cur();
        p.proto = parseProtocol(protocol);
        if (p.proto === 0 && p.invflags & IPT_INV_PROTO) xtError(PARAMETER_PROBLEM, 'rule would never match protocol');
        break;
      }
      case c('s'): setOption(OPT.SOURCE); shost = cur(); break;
      case c('d'): setOption(OPT.DESTINATION); dhost = cur(); break;
      case c('g'): setOption(OPT.JUMP); p.goto = true; p.jumpto = targetNameCheck(optarg ?? ''); break;
      case c('j'): {
        setOption(OPT.JUMP);
        p.jumpto = targetNameCheck(cur());
        const ext = STANDARD_TARGETS.has(p.jumpto) ? undefined : TARGETS.get(p.jumpto);
        if (ext) {
          p.target = { ext, data: ext.init(), xflags: 0, offset: 0, completed: false };
          merge(p.target);
        }
        break;
      }
      case c('i'):
      case c('o'): {
        if (optarg === '') xtError(PARAMETER_PROBLEM, 'Empty interface is likely to be undesired');
        setOption(code === c('i') ? OPT.VIANAMEIN : OPT.VIANAMEOUT);
        const iface = parseInterface(cur(), opts.warn);
        if (code === c('i')) p.iniface = iface;
        else p.outiface = iface;
        break;
      }
      case c('f'): setOption(OPT.FRAGMENT); p.fragment = true; break;
      case c('v'):
        if (!p.verbose) setOption(OPT.VERBOSE);
        p.verbose++;
        break;
      case c('m'): {
        if (invert) xtError(PARAMETER_PROBLEM, 'unexpected ! flag before --match');
        const name = optarg ?? '';
        if (name.length >= 29) xtError(PARAMETER_PROBLEM, `Invalid match name "${name}" (28 chars max)`);
        const ext = MATCHES.get(name);
        if (!ext) xtError(PARAMETER_PROBLEM, `Couldn't load match \`${name}':No such file or directory\n`);
        addMatch(ext, false);
        break;
      }
      case c('n'): setOption(OPT.NUMERIC); break;
      case c('t'):
        if (invert) xtError(PARAMETER_PROBLEM, 'unexpected ! flag before --table');
        if (opts.restore && tableSet) xtError(PARAMETER_PROBLEM, 'The -t option cannot be used in iptables-restore.\n');
        p.table = optarg ?? '';
        tableSet = true;
        break;
      case c('x'): setOption(OPT.EXPANDED); break;
      case c('V'): p.output = invert ? `Not ${VERSION} ;-)\n` : `iptables v${VERSION}\n`; return p;
      case c('w'): {
        if (opts.restore) xtError(PARAMETER_PROBLEM, "You cannot use `-w' from iptables-restore");
        const text = optarg ?? (has() ? argv[g.optind++] : undefined);
        wait = text === undefined ? -1 : scanInt(text, 0);
        if (wait === undefined) xtError(PARAMETER_PROBLEM, 'wait seconds not numeric');
        break;
      }
      case c('W'): {
        if (opts.restore) xtError(PARAMETER_PROBLEM, "You cannot use `-W' from iptables-restore");
        const text = optarg ?? (has() ? argv[g.optind++] : undefined);
        if (text === undefined) xtError(PARAMETER_PROBLEM, 'wait interval value required');
        const usec = scanInt(text, 10);
        if (usec === undefined) xtError(PARAMETER_PROBLEM, 'wait interval not numeric');
        if (usec > 999999) xtError(PARAMETER_PROBLEM, `too long usec wait ${usec} > 999999 usec`);
        opts.warn('Ignoring deprecated --wait-interval option.\n');
        waitInterval = true;
        break;
      }
      case c('0'): setOption(OPT.LINENUMBERS); break;
      case c('M'): break;
      case c('c'): {
        setOption(OPT.COUNTERS);
        const pc = optarg ?? '';
        const comma = pc.indexOf(',', 1);
        let bc: string | undefined = comma >= 0 ? pc.slice(comma + 1) : undefined;
        if (bc === undefined && has()) bc = argv[g.optind++];
        if (bc === undefined) xtError(PARAMETER_PROBLEM, '-c requires packet and byte counter');
        const pv = scanUll(pc);
        if (pv === undefined) xtError(PARAMETER_PROBLEM, '-c packet counter not numeric');
        const bv = scanUll(bc);
        if (bv === undefined) xtError(PARAMETER_PROBLEM, '-c byte counter not numeric');
        [p.pcnt, p.bcnt] = [pv, bv];
        break;
      }
      case c('4'): break;
      case c('6'):
        if (opts.restore) return null;
        throw new XtExit(PARAMETER_PROBLEM, '', true);
      case NON_OPTION:
        if (optarg === '!') {
          if (invert) xtError(PARAMETER_PROBLEM, 'multiple consecutive ! not allowed');
          invert = true;
          continue;
        }
        throw new XtExit(PARAMETER_PROBLEM, `Bad argument \`${optarg}'\n`, true);
      default:
        if (commandDefault(code)) continue;
    }
    invert = false;
  }

  if (p.table === 'nat' && (p.policy === 'DROP' || p.jumpto === 'DROP')) {
    xtError(PARAMETER_PROBLEM, '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  }
  if (!wait && waitInterval) xtError(PARAMETER_PROBLEM, '--wait-interval only makes sense with --wait\n');
  for (const m of p.matches) fcheck(m);
  if (p.target) fcheck(p.target);
  if (g.optind < argv.length) xtError(PARAMETER_PROBLEM, 'unknown arguments found on commandline');
  if (!p.command) xtError(PARAMETER_PROBLEM, 'no command specified');
  if (invert) xtError(PARAMETER_PROBLEM, 'nothing appropriate following !');
  postParse(p, shost, dhost);
  if (p.command === CMD.REPLACE && (p.src.length !== 1 || p.dst.length !== 1)) {
    xtError(PARAMETER_PROBLEM, 'Replacement rule does not specify a unique address');
  }
  genericOptCheck(p.command, p.options);
  if (p.chain !== undefined && p.chain.length >= 29) xtError(PARAMETER_PROBLEM, `chain name \`${p.chain}' too long (must be under 29 chars)`);
  if (p.command & (CMD.APPEND | CMD.DELETE | CMD.DELETE_NUM | CMD.CHECK | CMD.INSERT | CMD.REPLACE)) {
    if ((p.chain === 'PREROUTING' || p.chain === 'INPUT') && p.options & OPT.VIANAMEOUT) xtError(PARAMETER_PROBLEM, `Can't use -o with ${p.chain}\n`);
    if ((p.chain === 'POSTROUTING' || p.chain === 'OUTPUT') && p.options & OPT.VIANAMEIN) xtError(PARAMETER_PROBLEM, `Can't use -i with ${p.chain}\n`);
  }
  return p;
}

function fcheck(inst: Instance): void {
  const ext = inst.ext as Extension<Match | Target>;
  ext.fcheck?.(inst.xflags, inst.data, ext.name);
  if (!ext.oldStyle && ext.options.length) optionsFcheck(ext.name, inst.xflags, ext.options);
}

function postParse(p: ParsedCommand, shost: string | undefined, dhost: string | undefined): void {
  if (p.command & (CMD.REPLACE | CMD.INSERT | CMD.DELETE | CMD.APPEND | CMD.CHECK)) {
    if (!(p.options & OPT.DESTINATION)) dhost = '0.0.0.0/0';
    if (!(p.options & OPT.SOURCE)) shost = '0.0.0.0/0';
  }
  if (shost !== undefined) p.src = ipparseMultiple(shost);
  if (dhost !== undefined) p.dst = ipparseMultiple(dhost);
  if ((p.src.length > 1 || p.dst.length > 1) && p.invflags & (IPT_INV_SRCIP | IPT_INV_DSTIP)) {
    xtError(PARAMETER_PROBLEM, '! not allowed with multiple source or destination IP addresses');
  }
}
