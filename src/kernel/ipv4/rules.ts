// Policy routing rules (net/core/fib_rules.c, net/ipv4/fib_rules.c): `ip rule`. Looked up in
// list order (by priority); the first rule whose selector matches and whose action yields a
// result decides.
import { prefixMask } from '../../wire/addr.ts';
import { EEXIST, EINVAL, ENOENT, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, RTPROT_KERNEL } from './constants.ts';
import { LEGACY_TOS_MASK } from './fib.ts';

export type RuleAction = 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

export interface FibRule {
  priority: number;
  /** `not`: the selector is inverted (FIB_RULE_INVERT). */
  invert: boolean;
  src: number;
  srcLen: number;
  dst: number;
  dstLen: number;
  tos: number;
  fwmark: number;
  /** 0xffffffff when only a mark was given; 0 when neither. */
  fwmask: number;
  /** Interface names: the kernel matches the device of that name, when there is one. */
  iif: string | undefined;
  oif: string | undefined;
  action: RuleAction;
  table: number;
  /** goto target priority, and the rule it resolved to (ctarget). */
  target: number;
  ctarget: FibRule | undefined;
  /** `suppress_prefixlength`, -1 when unset. */
  suppressPrefixlen: number;
  /** `suppress_ifgroup`, -1 when unset. */
  suppressIfgroup: number;
  protocol: number;
  uidStart: number;
  uidEnd: number;
  ipProto: number;
  sport: [number, number];
  dport: [number, number];
  /** FRA_FLOW: realms (from << 16 | to), 0 when none. */
  realms: number;
}

/** What a lookup is about (struct flowi4). Interfaces are ifindexes (0: none). */
export interface FlowKey {
  src: number;
  dst: number;
  tos: number;
  mark: number;
  /** Input interface: LOOPBACK_IFINDEX for locally generated traffic. */
  iif: number;
  oif: number;
  uid?: number;
  proto?: number;
  sport?: number;
  dport?: number;
}

export function newRule(fields: Partial<FibRule>): FibRule {
  return {
    priority: 0, invert: false, src: 0, srcLen: 0, dst: 0, dstLen: 0, tos: 0, fwmark: 0, fwmask: 0,
    iif: undefined, oif: undefined, action: 'table', table: RT_TABLE_MAIN, target: 0, ctarget: undefined,
    suppressPrefixlen: -1, suppressIfgroup: -1, protocol: 0, uidStart: 0, uidEnd: 0xffffffff, ipProto: 0,
    sport: [0, 0], dport: [0, 0], realms: 0,
    ...fields,
  };
}

/** What `ip rule del` gave: fields left undefined match any rule (rule_find). */
export type RuleMatch = Partial<Omit<FibRule, 'ctarget'>>;

function sameRule(a: FibRule, b: FibRule): boolean {
  return a.priority === b.priority && a.invert === b.invert && a.src === b.src && a.srcLen === b.srcLen &&
    a.dst === b.dst && a.dstLen === b.dstLen && a.tos === b.tos && a.fwmark === b.fwmark && a.fwmask === b.fwmask &&
    a.iif === b.iif && a.oif === b.oif && a.action === b.action && a.table === b.table && a.target === b.target &&
    a.suppressPrefixlen === b.suppressPrefixlen && a.suppressIfgroup === b.suppressIfgroup && a.protocol === b.protocol &&
    a.uidStart === b.uidStart && a.uidEnd === b.uidEnd && a.ipProto === b.ipProto &&
    a.sport[0] === b.sport[0] && a.sport[1] === b.sport[1] && a.dport[0] === b.dport[0] && a.dport[1] === b.dport[1] &&
    a.realms === b.realms;
}

function inRange(v: number | undefined, [lo, hi]: [number, number]): boolean {
  return lo === 0 && hi === 0 ? true : v !== undefined && v >= lo && v <= hi;
}

export class RuleList {
  readonly rules: FibRule[] = [
    newRule({ priority: 0, table: RT_TABLE_LOCAL, protocol: RTPROT_KERNEL }),
    newRule({ priority: 32766, table: RT_TABLE_MAIN, protocol: RTPROT_KERNEL }),
    newRule({ priority: 32767, table: RT_TABLE_DEFAULT, protocol: RTPROT_KERNEL }),
  ];
  /** fib_has_custom_rules: set by the first rule added, never cleared. */
  custom = false;

  constructor(private readonly ns: NetNs) {}

  /** The ifindex a rule's interface name stands for now; -1 when no such device (detached). */
  ifindexOf(name: string | undefined): number {
    if (name === undefined) return 0;
    return this.ns.device(name)?.ifindex ?? -1;
  }

  /** fib_default_rule_pref: one less than the second rule's priority (0 if none or 0). */
  defaultPriority(): number {
    const second = this.rules[1];
    return second && second.priority > 0 ? second.priority - 1 : 0;
  }

  /** fib_nl_newrule (with NLM_F_EXCL, as `ip rule add` sends). `table 0` gets an unused table. */
  add(rule: FibRule, explicitPriority: boolean, emptyTable: () => number): void {
    if (!explicitPriority) rule.priority = this.defaultPriority();
    if (rule.action === 'goto' && rule.target <= rule.priority) throw new KernelError(EINVAL, 'Backward goto not supported');
    if (rule.tos & 0x03) throw new KernelError(EINVAL, 'Invalid dsfield (tos): ECN bits must be 0');
    if (rule.fwmark && !rule.fwmask) rule.fwmask = 0xffffffff;
    if (this.rules.some((r) => sameRule(r, rule))) throw new KernelError(EEXIST);
    if (rule.action === 'table' && rule.table === 0) rule.table = emptyTable();
    if (rule.action === 'goto') rule.ctarget = this.rules.find((r) => r.priority === rule.target);
    let i = 0;
    while (i < this.rules.length && this.rules[i].priority <= rule.priority) i++;
    this.rules.splice(i, 0, rule);
    for (const r of this.rules) if (r.action === 'goto' && !r.ctarget && r.target === rule.priority) r.ctarget = rule;
    this.custom = true;
    this.ns.ipv4.routesChanged();
  }

  /** fib_nl_delrule: the first rule matching every given field (rule_find); ENOENT when none. */
  delete(m: RuleMatch): FibRule {
    const r = this.rules.find((x) => (m.action === undefined || x.action === m.action) &&
      (!m.table || x.table === m.table) &&
      (m.priority === undefined || x.priority === m.priority) &&
      (m.iif === undefined || x.iif === m.iif) &&
      (m.oif === undefined || x.oif === m.oif) &&
      (!m.fwmark || x.fwmark === m.fwmark) &&
      (!m.fwmask || x.fwmask === m.fwmask) &&
      (m.suppressPrefixlen === undefined || m.suppressPrefixlen === -1 || x.suppressPrefixlen === m.suppressPrefixlen) &&
      (m.suppressIfgroup === undefined || m.suppressIfgroup === -1 || x.suppressIfgroup === m.suppressIfgroup) &&
      (!m.protocol || x.protocol === m.protocol) &&
      (!m.ipProto || x.ipProto === m.ipProto) &&
      (!m.srcLen || (x.srcLen === m.srcLen && x.src === m.src)) &&
      (!m.dstLen || (x.dstLen === m.dstLen && x.dst === m.dst)) &&
      (!m.tos || x.tos === m.tos));
    if (!r) throw new KernelError(ENOENT);
    this.remove(r);
    return r;
  }

  /** Removes one rule; gotos aimed at it move to the next rule of the same priority, if any. */
  remove(rule: FibRule): void {
    const i = this.rules.indexOf(rule);
    if (i < 0) return;
    this.rules.splice(i, 1);
    const next = this.rules[i]?.priority === rule.priority ? this.rules[i] : undefined;
    for (const r of this.rules) if (r.ctarget === rule) r.ctarget = next;
    this.ns.ipv4.routesChanged();
  }

  /** fib_rule_match + fib4_rule_match. */
  matches(r: FibRule, k: FlowKey): boolean {
    return r.invert ? !this.selects(r, k) : this.selects(r, k);
  }

  private selects(r: FibRule, k: FlowKey): boolean {
    const iif = this.ifindexOf(r.iif);
    if (iif && iif !== k.iif) return false;
    const oif = this.ifindexOf(r.oif);
    if (oif && oif !== k.oif) return false;
    if (((r.fwmark ^ k.mark) & r.fwmask) !== 0) return false;
    const uid = k.uid ?? 0;
    if (uid < r.uidStart || uid > r.uidEnd) return false;
    if (r.srcLen && ((k.src & prefixMask(r.srcLen)) >>> 0) !== r.src) return false;
    if (r.dstLen && ((k.dst & prefixMask(r.dstLen)) >>> 0) !== r.dst) return false;
    if (r.tos && r.tos !== (k.tos & LEGACY_TOS_MASK)) return false;
    if (r.ipProto && r.ipProto !== k.proto) return false;
    return inRange(k.sport, r.sport) && inRange(k.dport, r.dport);
  }
}
