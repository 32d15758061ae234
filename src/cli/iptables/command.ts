// do_commandx(): turns a parsed command into compiled rules and runs it on a netfilter state,
// as iptables-nft prepares its batch (cache checks and -v output in order, kernel refusals
// collected in the Batch). Shared by iptables and iptables-restore.
import {
  Batch, E2BIG, EBUSY, EEXIST, EINVAL, ELOOP, EMLINK, ENOENT, ENOTEMPTY, ENXIO, IPT_F_FRAG, IPT_INV_VIA_IN, IPT_INV_VIA_OUT,
  NetfilterError, appendRule, checkRuleExists, cloneRule, deleteChains, deleteRule, deleteRuleNum, flushChains, insertRule,
  isCompatTcpUdp, newChain, renameChain, replaceRule, setPolicy, strerror, zeroChains, zeroListed, zeroRule,
  type IfaceSpec, type KernelFault, type Match, type NetfilterState, type NfOp, type PortRange, type Rule, type Table, type Target,
  type TcpMatch, type UdpMatch,
} from '../../kernel/netfilter/index.ts';
import { isTableName } from '../../kernel/netfilter/index.ts';
import { nftLimitAvg } from './ext-matches.ts';
import { STANDARD_TARGETS } from './extensions.ts';
import { listRules, listTable } from './listing.ts';
import { CMD, OPT, type ParsedCommand } from './parse.ts';
import { FMT_PRINT_RULE, printRule } from './print.ts';
import { OTHER_PROBLEM, PARAMETER_PROBLEM, VERSION_PROBLEM, XtExit, xtError } from './xtables.ts';

const STRERROR_BY_OP: Partial<Record<NfOp, Record<number, string>>> = {
  chain_del: { [ENOTEMPTY]: 'Chain is not empty', [EBUSY]: 'Directory not empty', [EMLINK]: "Can't delete chain with references left" },
  chain_user_add: { [EEXIST]: 'Chain already exists' },
  chain_user_rename: { [EEXIST]: 'File exists' },
  rule_insert: { [E2BIG]: 'Index of insertion too big' },
  rule_check: { [ENOENT]: 'Bad rule (does a matching rule exist in that chain?)' },
  rule_replace: { [E2BIG]: 'Index of replacement too big' },
  rule_delete_num: { [E2BIG]: 'Index of deletion too big' },
  rule_delete: { [ENOENT]: 'Bad rule (does a matching rule exist in that chain?)' },
  chain_set: { [ENOENT]: 'Bad built-in chain name', [EINVAL]: 'Bad policy name', [ENXIO]: 'Bad table name' },
};
const STRERROR_ANY: Record<number, string> = { [ELOOP]: 'Loop found in table', [ENOENT]: 'No chain/target/match by that name' };

/** nft_strerror(); -Z's errors take the function that ran before (`lastOp`). */
export function nftStrerror(e: NetfilterError, lastOp: NfOp | undefined): string {
  const op = e.op === 'chain_zero' ? lastOp : e.op;
  return (op && STRERROR_BY_OP[op]?.[e.errno]) ?? STRERROR_ANY[e.errno] ?? strerror(e.errno);
}

const OP_OF: Record<number, NfOp> = {
  [CMD.APPEND]: 'rule_append', [CMD.INSERT]: 'rule_insert', [CMD.DELETE]: 'rule_delete', [CMD.CHECK]: 'rule_check',
  [CMD.REPLACE]: 'rule_replace', [CMD.DELETE_NUM]: 'rule_delete_num', [CMD.FLUSH]: 'rule_flush', [CMD.ZERO_NUM]: 'rule_delete',
  [CMD.NEW_CHAIN]: 'chain_user_add', [CMD.DELETE_CHAIN]: 'chain_del', [CMD.RENAME_CHAIN]: 'chain_user_rename', [CMD.SET_POLICY]: 'chain_set',
};

/** mnl_append_error(): ` TYPE failed (errno text): object`, with `\nline N:` in iptables-restore. */
export function faultText(f: KernelFault, withLine: boolean): string {
  return `${withLine ? `\nline ${f.tag}:` : ''} ${f.msg} failed (${strerror(f.errno)}): ${f.object}`;
}

function normalizeIface(i: IfaceSpec, invflags: number, bit: number): [IfaceSpec, number] {
  if (i.name === '' && i.wildcard && !(invflags & bit)) return [{ name: '', wildcard: false }, invflags];
  return [i, invflags];
}

/** A port test after its trip through nftables (cmp or range expressions and back): `! :N`
 * comes back as `N+1:65535`, any range as nothing. */
function nativePorts(r: PortRange, inv: boolean): [PortRange, boolean] | null {
  if (r[0] === 0 && r[1] === 0xffff) return null;
  if (r[0] !== r[1] && r[0] === 0) return inv ? [[Math.min(r[1] + 1, 0xffff), 0xffff], false] : [r, false];
  return [r, inv];
}

/** A tcp/udp match iptables-nft turns into native expressions, as it reads back: flags with an
 * empty mask vanish, and a match with nothing left is no match at all. */
function nativeTcpUdp(m: TcpMatch | UdpMatch): Match[] {
  const src = nativePorts(m.spts, (m.invflags & 1) !== 0);
  const dst = nativePorts(m.dpts, (m.invflags & 2) !== 0);
  m.spts = src ? src[0] : [0, 0xffff];
  m.dpts = dst ? dst[0] : [0, 0xffff];
  let inv = (src?.[1] ? 1 : 0) | (dst?.[1] ? 2 : 0);
  if (m.kind === 'tcp') {
    if (m.flgMask) inv |= m.invflags & 4;
    else m.flgCmp = 0;
    if (!src && !dst && !m.flgMask) return [];
  } else if (!src && !dst) {
    return [];
  }
  m.invflags = inv;
  return [m];
}

/** nft_rule_new(): the rules a command adds or looks for, one per source × destination. */
export function compileRules(p: ParsedCommand): Rule[] {
  const target: Target =
    p.target !== null ? p.target.data
    : p.goto || (p.jumpto !== '' && !STANDARD_TARGETS.has(p.jumpto)) ? { kind: 'jump', chain: p.jumpto, goto: p.goto }
    : p.jumpto !== '' ? { kind: 'verdict', verdict: p.jumpto as 'ACCEPT' }
    : { kind: 'none' };
  const matches: Match[] = p.matches.flatMap((m) => {
    const d = structuredClone(m.data);
    if ((d.kind === 'tcp' || d.kind === 'udp') && !isCompatTcpUdp(d)) {
      if (p.proto !== (d.kind === 'tcp' ? 6 : 17)) xtError(PARAMETER_PROBLEM, d.kind === 'tcp' ? "TCP match requires '-p tcp'" : "UDP match requires '-p udp'");
      return nativeTcpUdp(d);
    }
    if (d.kind === 'limit') d.avg = nftLimitAvg(d.avg);
    return [d];
  });
  let invflags = p.invflags;
  let iniface: IfaceSpec;
  let outiface: IfaceSpec;
  [iniface, invflags] = normalizeIface(p.iniface, invflags, IPT_INV_VIA_IN);
  [outiface, invflags] = normalizeIface(p.outiface, invflags, IPT_INV_VIA_OUT);
  const rules: Rule[] = [];
  for (const s of p.src) {
    for (const d of p.dst) {
      rules.push(cloneRule({
        src: s.addr, smsk: s.mask, dst: d.addr, dmsk: d.mask, iniface, outiface, proto: p.proto,
        flags: p.fragment ? IPT_F_FRAG : 0, invflags, matches, target, pkts: p.pcnt, bytes: p.bcnt, handle: 0,
      }));
    }
  }
  return rules;
}

export interface RunEnv {
  out(text: string): void;
}

function assertChainExists(t: Table, rule: Rule): void {
  if (rule.target.kind === 'jump' && !t.chainExists(rule.target.chain)) {
    xtError(PARAMETER_PROBLEM, `Chain '${rule.target.chain}' does not exist`);
  }
}

/** The table of a command, or iptables' VERSION_PROBLEM exit. */
export function commandTable(state: NetfilterState, p: ParsedCommand): Table {
  if (!isTableName(p.table)) throw new XtExit(VERSION_PROBLEM, `table '${p.table}' does not exist`);
  return state.table(p.table);
}

/** Runs a parsed command on `state` (a copy the caller commits if `batch` has no faults). */
export function runCommand(state: NetfilterState, p: ParsedCommand, env: RunEnv, batch: Batch): void {
  const t = commandTable(state, p);
  const verbose = (p.options & OPT.VERBOSE) !== 0;
  const chain = p.chain ?? '';
  const show = (r: Rule) => verbose && env.out(printRule(r, 0, FMT_PRINT_RULE));
  const each = (f: (r: Rule) => void) => {
    for (const r of compileRules(p)) {
      assertChainExists(t, r);
      f(r);
    }
  };
  const cmd = p.command;
  const lastOp = batch.lastOp;
  batch.lastOp = OP_OF[cmd] ?? lastOp;
  if (cmd === CMD.ZERO) batch.lastOp = lastOp;
  switch (cmd) {
    case CMD.APPEND:
      return each((r) => {
        show(r);
        appendRule(t, chain, r, batch);
      });
    case CMD.INSERT:
      return each((r) => {
        insertRule(t, chain, p.rulenum - 1, r, batch);
        show(r);
      });
    case CMD.DELETE:
      return each((r) => show(deleteRule(t, chain, r)));
    case CMD.CHECK:
      return each((r) => show(checkRuleExists(t, chain, r)));
    case CMD.REPLACE:
      return each((r) => {
        replaceRule(t, chain, p.rulenum - 1, r, batch);
        show(r);
      });
    case CMD.DELETE_NUM:
      deleteRuleNum(t, chain, p.rulenum - 1);
      return;
    case CMD.FLUSH:
      for (const name of flushChains(t, p.chain, verbose)) if (verbose) env.out(`Flushing chain \`${name}'\n`);
      return;
    case CMD.ZERO:
      for (const name of zeroChains(t, p.chain)) if (verbose) env.out(`Zeroing chain \`${name}'\n`);
      return;
    case CMD.ZERO_NUM:
      zeroRule(t, chain, p.rulenum - 1);
      return;
    case CMD.NEW_CHAIN:
      newChain(t, chain);
      return;
    case CMD.DELETE_CHAIN:
      for (const name of deleteChains(t, p.chain, batch, verbose ? 'sorted' : 'created')) if (verbose) env.out(`Deleting chain \`${name}'\n`);
      return;
    case CMD.RENAME_CHAIN:
      renameChain(t, chain, p.newname ?? '', batch);
      return;
    case CMD.SET_POLICY:
      setPolicy(t, chain, p.policy ?? '');
      return;
  }
  if (cmd & CMD.LIST || cmd & CMD.LIST_RULES) {
    if (p.chain !== undefined && !t.chainExists(p.chain)) {
      throw new XtExit(OTHER_PROBLEM, `chain \`${p.chain}' in table \`${t.name}' is incompatible, use 'nft' tool.`);
    }
    if (cmd & CMD.LIST) env.out(listTable(t, p.chain, p.rulenum, p.options));
    else env.out(listRules(t, p.chain, p.rulenum, verbose));
    if (cmd & CMD.ZERO) {
      const names = p.chain !== undefined ? [p.chain] : t.listing().map((c) => c.name);
      if (verbose) for (const name of names) env.out(`Zeroing chain \`${name}'\n`);
      zeroListed(t, names, batch);
    }
    if (cmd & CMD.ZERO_NUM) zeroRule(t, chain, p.rulenum - 1);
  }
}
