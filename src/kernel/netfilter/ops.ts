// The table operations of iptables-nft: what each one creates, refuses and counts, with the
// errors of its cache (NetfilterError) and of the kernel (KernelFault in the Batch). A refused
// kernel message leaves the table as it was (the caller drops the whole batch anyway).
import { ruleEquals } from './compare.ts';
import { Batch, E2BIG, EBUSY, EEXIST, EINVAL, ENOENT, EOPNOTSUPP, NetfilterError, type BatchMsg } from './errors.ts';
import { Chain, cloneRule, type Table } from './table.ts';
import type { Policy, Rule } from './types.ts';
import { checkRule, validateTable } from './validate.ts';

/** Keeps `refs` of user chains in step with the rules that jump or go to them. */
function link(t: Table, rule: Rule, delta: number): void {
  if (rule.target.kind !== 'jump') return;
  const c = t.userChain(rule.target.chain);
  if (c) c.refs += delta;
}

/** What the kernel keeps of a rule: a copy, with a packet limit's burst 0 read as 5. */
function kernelForm(r: Rule): Rule {
  const k = cloneRule(r);
  for (const m of k.matches) if (m.kind === 'limit' && m.burst === 0) m.burst = 5;
  return k;
}

function place(t: Table, chain: Chain, given: Rule, index: number, msg: BatchMsg, batch: Batch, old?: Rule): void {
  const rule = kernelForm(given);
  rule.handle = t.nextHandle++;
  if (old) link(t, old, -1);
  chain.rules.splice(index, old ? 1 : 0, rule);
  link(t, rule, 1);
  const err = checkRule(t, rule, chain.hook) || validateTable(t);
  if (!err) return;
  link(t, rule, -1);
  if (old) {
    chain.rules.splice(index, 1, old);
    link(t, old, 1);
  } else {
    chain.rules.splice(index, 1);
  }
  batch.fault(msg, err, `rule in chain ${chain.name}`);
}

/** -A (nft_rule_append): creates the table and the built-in chain if needed. */
export function appendRule(t: Table, chainName: string, rule: Rule, batch: Batch): void {
  t.materialize(chainName);
  const chain = t.chain(chainName);
  if (!chain) throw new NetfilterError(ENOENT, 'rule_append');
  place(t, chain, rule, chain.rules.length, 'RULE_APPEND', batch);
}

/** -I at a 0-based index; one past the end appends (as iptables allows). */
export function insertRule(t: Table, chainName: string, index: number, rule: Rule, batch: Batch): void {
  t.materialize(chainName);
  const chain = t.chain(chainName);
  if (!chain) throw new NetfilterError(ENOENT, 'rule_insert');
  if (index > 0 && index >= chain.rules.length) {
    if (index - 1 < chain.rules.length) return place(t, chain, rule, chain.rules.length, 'RULE_APPEND', batch);
    throw new NetfilterError(E2BIG, 'rule_insert');
  }
  place(t, chain, rule, index, 'RULE_INSERT', batch);
}

export function replaceRule(t: Table, chainName: string, index: number, rule: Rule, batch: Batch): void {
  const chain = t.chain(chainName);
  if (!chain) throw new NetfilterError(ENOENT, 'rule_replace');
  if (index >= chain.rules.length) throw new NetfilterError(E2BIG, 'rule_replace');
  place(t, chain, rule, index, 'RULE_REPLACE', batch, chain.rules[index]);
}

function remove(t: Table, chain: Chain, index: number): Rule {
  const [r] = chain.rules.splice(index, 1);
  link(t, r, -1);
  return r;
}

/** -D by specification: the first equal rule. Returns it. */
export function deleteRule(t: Table, chainName: string, rule: Rule): Rule {
  const chain = t.chain(chainName);
  if (!chain) throw new NetfilterError(ENOENT, 'rule_delete');
  const i = chain.rules.findIndex((r) => ruleEquals(r, rule));
  if (i < 0) throw new NetfilterError(ENOENT, 'rule_delete');
  return remove(t, chain, i);
}

export function deleteRuleNum(t: Table, chainName: string, index: number): Rule {
  const chain = t.chain(chainName);
  if (!chain) throw new NetfilterError(ENOENT, 'rule_delete_num');
  if (index >= chain.rules.length) throw new NetfilterError(E2BIG, 'rule_delete_num');
  return remove(t, chain, index);
}

/** -C: the first equal rule, or ENOENT. */
export function checkRuleExists(t: Table, chainName: string, rule: Rule): Rule {
  const found = t.chain(chainName)?.rules.find((r) => ruleEquals(r, rule));
  if (!found) throw new NetfilterError(ENOENT, 'rule_check');
  return found;
}

/** -F [chain]. Returns the chains flushed (for -v). */
export function flushChains(t: Table, chainName: string | undefined, verbose: boolean): string[] {
  if (chainName !== undefined || verbose) t.materialize(chainName);
  else if (!t.exists) return [];
  let chains: Chain[];
  if (chainName !== undefined) {
    const c = t.chain(chainName);
    if (!c) throw new NetfilterError(ENOENT, 'rule_flush');
    chains = [c];
  } else {
    chains = t.existing('sorted');
  }
  for (const c of chains) while (c.rules.length) remove(t, c, c.rules.length - 1);
  return chains.map((c) => c.name);
}

/** -Z [chain]: policy and rule counters. Returns the chains zeroed. */
export function zeroChains(t: Table, chainName: string | undefined): string[] {
  let chains: Chain[];
  if (chainName !== undefined) {
    const c = t.chain(chainName);
    if (!c) throw new NetfilterError(ENOENT, 'chain_zero');
    chains = [c];
  } else {
    chains = t.existing('sorted');
  }
  for (const c of chains) {
    c.pkts = c.bytes = 0;
    if (c.builtin) c.counted = true;
    for (const r of c.rules) r.pkts = r.bytes = 0;
  }
  return chains.map((c) => c.name);
}

/** -L -Z / -S -Z: zeroes the listed chains, absent built-in ones included: the kernel creates
 * them, or refuses (ENOENT) when the table does not exist either. */
export function zeroListed(t: Table, names: string[], batch: Batch): void {
  for (const name of names) {
    if (t.chain(name)) continue;
    if (t.exists) t.materialize(name);
    else batch.fault('CHAIN_ZERO', ENOENT, `chain ${name}`);
  }
  for (const name of names) {
    const c = t.chain(name);
    if (!c) continue;
    c.pkts = c.bytes = 0;
    if (c.builtin) c.counted = true;
    for (const r of c.rules) r.pkts = r.bytes = 0;
  }
}

/** -Z chain N: a missing rule is not an error (a missing chain reads as a missing rule). */
export function zeroRule(t: Table, chainName: string, index: number): void {
  const c = t.chain(chainName);
  if (!c) throw new NetfilterError(ENOENT, 'rule_delete');
  const r = c.rules[index];
  if (r) r.pkts = r.bytes = 0;
}

/** -N: creates the table too. A built-in name of the table counts as existing. */
export function newChain(t: Table, name: string): void {
  t.exists = true;
  if (t.chainExists(name)) throw new NetfilterError(EEXIST, 'chain_user_add');
  t.user.push(new Chain(name, null, null));
}

function deletable(c: Chain): boolean {
  return c.rules.length === 0 && c.refs === 0;
}

/**
 * -X [chain]. A named built-in chain is removed if empty with policy ACCEPT (refused with
 * EBUSY in iptables' own check when its policy is DROP); without a name every empty
 * ACCEPT built-in chain goes silently and every user chain is tried. Returns the user chains
 * deleted or tried, in the order tried (`sorted` as iptables -v does, else creation order).
 */
export function deleteChains(t: Table, name: string | undefined, batch: Batch, order: 'created' | 'sorted'): string[] {
  const del = (c: Chain): void => {
    if (!deletable(c)) return batch.fault('CHAIN_DEL', EBUSY, `chain ${c.name}`);
    if (c.hook) t.base.delete(c.hook);
    else t.user = t.user.filter((u) => u !== c);
  };
  if (name !== undefined) {
    const c = t.chain(name);
    if (!c) throw new NetfilterError(ENOENT, 'chain_del');
    if (c.builtin && c.policy !== 'ACCEPT') throw new NetfilterError(EBUSY, 'chain_del');
    del(c);
    return c.builtin ? [] : [c.name];
  }
  const tried: string[] = [];
  for (const c of t.existing(order)) {
    if (c.builtin && (c.policy !== 'ACCEPT' || c.rules.length)) continue;
    if (!c.builtin) tried.push(c.name);
    del(c);
  }
  return tried;
}

/**
 * -E old new: references follow the chain. The kernel finds the chain by its handle, so one
 * made in the same batch cannot be renamed (ENOENT). Renaming a built-in chain is refused
 * (EOPNOTSUPP; real iptables renames the base chain and then calls the table incompatible).
 */
export function renameChain(t: Table, oldName: string, newName: string, batch: Batch): void {
  if (t.chainExists(newName)) throw new NetfilterError(EEXIST, 'chain_user_rename');
  const c = t.chain(oldName);
  if (!c) throw new NetfilterError(ENOENT, 'chain_user_rename');
  if (!c.inKernel) return batch.fault('CHAIN_RENAME', ENOENT, `chain ${newName}`);
  if (c.builtin) return batch.fault('CHAIN_RENAME', EOPNOTSUPP, `chain ${newName}`);
  c.name = newName;
  for (const chain of t.allChains()) {
    for (const r of chain.rules) if (r.target.kind === 'jump' && r.target.chain === oldName) r.target.chain = newName;
  }
}

/** -P (and iptables-restore's `:CHAIN POLICY [p:b]`, which also sets the counters). */
export function setPolicy(t: Table, chainName: string, policy: string, counters?: [number, number]): void {
  if (policy !== 'ACCEPT' && policy !== 'DROP') throw new NetfilterError(EINVAL, 'chain_set');
  if (!t.builtinHook(chainName)) throw new NetfilterError(ENOENT, 'chain_set');
  t.materialize(chainName);
  const c = t.chain(chainName) as Chain;
  c.policy = policy as Policy;
  c.counted = true;
  if (counters) [c.pkts, c.bytes] = counters;
}

/** iptables-restore's `*table` (without --noflush): the whole table goes. */
export function flushTable(t: Table): void {
  t.exists = false;
  t.base.clear();
  t.user = [];
}

/** iptables-restore's `:CHAIN - [p:b]` for a user chain: created, or emptied if it exists. */
export function restoreChain(t: Table, name: string): void {
  t.exists = true;
  const c = t.userChain(name);
  if (!c) {
    t.user.push(new Chain(name, null, null));
    return;
  }
  while (c.rules.length) remove(t, c, c.rules.length - 1);
  // iptables drops the chain's handle here, so a later -E in the batch cannot name it.
  c.inKernel = false;
}
