// `iptables -L` (nft_rule_list) and `iptables -S` (nft_rule_list_save) of one table, and the
// table section of iptables-save. Built-in chains that do not exist yet are listed as fresh
// ACCEPT chains; user chains come after them, sorted by name.
import { Chain, type Table } from '../../kernel/netfilter/index.ts';
import { OPT } from './parse.ts';
import { FMT_KILOMEGAGIGA, FMT_LINENUMBERS, FMT_NOCOUNTS, FMT_NUMERIC, FMT_OPTIONS, FMT_VIA, printHeader, printRule, saveRule } from './print.ts';

/** A chain as listings show it: the existing one, or a fresh one for an absent built-in. */
export function listedChain(t: Table, name: string): Chain | undefined {
  const hook = t.builtinHook(name);
  if (hook) return t.base.get(hook) ?? new Chain(hook, hook, 'ACCEPT');
  return t.userChain(name);
}

/** list_entries(): the format flags from -v, -n, -x, --line-numbers. */
export function listFormat(options: number): number {
  let format = FMT_OPTIONS;
  format |= options & OPT.VERBOSE ? FMT_VIA : FMT_NOCOUNTS;
  if (options & OPT.NUMERIC) format |= FMT_NUMERIC;
  if (!(options & OPT.EXPANDED)) format |= FMT_KILOMEGAGIGA;
  if (options & OPT.LINENUMBERS) format |= FMT_LINENUMBERS;
  return format;
}

export function listTable(t: Table, chainName: string | undefined, rulenum: number, options: number): string {
  const format = listFormat(options);
  const body = (c: Chain) => c.rules.map((r, i) => printRule(r, i + 1, format)).join('');
  if (chainName !== undefined) {
    const c = listedChain(t, chainName) as Chain;
    if (rulenum) return c.rules[rulenum - 1] ? printRule(c.rules[rulenum - 1], rulenum, format) : '';
    return printHeader(format, c) + body(c);
  }
  return t.listing().map((c) => printHeader(format, c) + body(c)).join('\n');
}

function chainLine(c: Chain, counters: boolean): string {
  if (!c.builtin) return `-N ${c.name}\n`;
  return `-P ${c.name} ${c.policy}${counters ? ` -c ${c.pkts} ${c.bytes}` : ''}\n`;
}

export function listRules(t: Table, chainName: string | undefined, rulenum: number, counters: boolean): string {
  const mode = counters ? 'inline' : 'none';
  const rules = (c: Chain) => c.rules.map((r) => saveRule(r, c.name, mode)).join('');
  if (chainName !== undefined) {
    const c = listedChain(t, chainName) as Chain;
    if (rulenum) return c.rules[rulenum - 1] ? saveRule(c.rules[rulenum - 1], c.name, mode) : '';
    return chainLine(c, counters) + rules(c);
  }
  const chains = t.listing();
  return chains.map((c) => chainLine(c, counters)).join('') + chains.map(rules).join('');
}

/** One table in iptables-save form (without the date lines). */
export function saveTable(t: Table, counters: boolean): string {
  const chains = t.listing();
  let s = `*${t.name}\n`;
  for (const c of chains) s += `:${c.name} ${c.builtin ? c.policy : '-'} [${c.pkts}:${c.bytes}]\n`;
  for (const c of chains) for (const r of c.rules) s += saveRule(r, c.name, counters ? 'prefix' : 'none');
  return s + 'COMMIT\n';
}
