// What the kernel checks when a rule is committed (nf_tables with xtables compat):
//  - per rule: the target's table (NAT targets only in nat, CT in raw, REJECT in filter), the
//    protocol a compat match needs (tcp/udp/icmp without their options or -p), no inverted
//    /0 address, jumps only to existing user chains;
//  - per table, from every base chain: the hooks reaching each rule must suit its target, and
//    jumps may not nest 16 deep (EMLINK, "Too many links": how a loop fails).
import { EINVAL, EMLINK, ENOENT, EOPNOTSUPP } from './errors.ts';
import { moreMatchCheck, moreMatchHookOk } from './xt-check.ts';
import { moreTargetCheck, moreTargetHookOk } from './xt-targets.ts';
import type { Chain, Hook, Table } from './table.ts';
import {
  IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPT_INV_DSTIP, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_TCP_RESET,
  XT_ADDRTYPE_LIMIT_IFACE_IN, XT_ADDRTYPE_LIMIT_IFACE_OUT, XT_PHYSDEV_OP_BRIDGED, XT_PHYSDEV_OP_ISOUT, XT_PHYSDEV_OP_OUT, type Match, type Rule, type TcpMatch, type UdpMatch,
} from './types.ts';

/** NFT_JUMP_STACK_SIZE. */
const MAX_DEPTH = 16;

/** Targets restricted to one table and some hooks (xt_target .table / .hooks). */
const TARGET_RULES: Record<string, { table: string; hooks: readonly Hook[] }> = {
  REJECT: { table: 'filter', hooks: ['INPUT', 'FORWARD', 'OUTPUT'] },
  DNAT: { table: 'nat', hooks: ['PREROUTING', 'OUTPUT'] },
  REDIRECT: { table: 'nat', hooks: ['PREROUTING', 'OUTPUT'] },
  SNAT: { table: 'nat', hooks: ['POSTROUTING', 'INPUT'] },
  MASQUERADE: { table: 'nat', hooks: ['POSTROUTING'] },
  CT: { table: 'raw', hooks: ['PREROUTING', 'OUTPUT'] },
};

/** Conntrack helpers by name and the L4 protocols they serve. */
const CT_HELPERS: Record<string, number[]> = {
  ftp: [IPPROTO_TCP], irc: [IPPROTO_TCP], sane: [IPPROTO_TCP], pptp: [IPPROTO_TCP], 'Q.931': [IPPROTO_TCP],
  sip: [IPPROTO_TCP, IPPROTO_UDP], tftp: [IPPROTO_UDP], amanda: [IPPROTO_UDP], snmp: [IPPROTO_UDP],
  'netbios-ns': [IPPROTO_UDP], RAS: [IPPROTO_UDP],
};

/** iptables-nft turns tcp/udp matches with options into native expressions; the rest stay
 * xtables matches, which the kernel checks against the rule's protocol. */
export function isCompatTcpUdp(m: TcpMatch | UdpMatch): boolean {
  const portsAny = m.spts[0] === 0 && m.spts[1] === 0xffff && m.dpts[0] === 0 && m.dpts[1] === 0xffff;
  if (m.kind === 'udp') return m.invflags > 0x03 || (portsAny && m.invflags === 0);
  return (m.invflags & ~0x07) !== 0 || m.option !== 0 || (portsAny && m.invflags === 0 && m.flgMask === 0 && m.flgCmp === 0);
}

function matchProtoOk(m: Match, rule: Rule): boolean {
  const proto = rule.invflags & IPT_INV_PROTO ? -1 : rule.proto;
  if (m.kind === 'icmp') return proto === IPPROTO_ICMP;
  if (m.kind === 'tcp' && isCompatTcpUdp(m)) return proto === IPPROTO_TCP;
  if (m.kind === 'udp' && isCompatTcpUdp(m)) return proto === IPPROTO_UDP;
  return true;
}

/** Checks at rule creation (the extensions' checkentry, which sees the hook only in a base
 * chain): returns an errno or 0. */
export function checkRule(table: Table, rule: Rule, hook: Hook | null): number {
  if ((rule.invflags & IPT_INV_SRCIP && rule.smsk === 0) || (rule.invflags & IPT_INV_DSTIP && rule.dmsk === 0)) return EINVAL;
  for (const m of rule.matches) if (!matchProtoOk(m, rule) || !moreMatchCheck(m)) return EINVAL;
  if (hook && !entryHookOk(rule, hook)) return EINVAL;
  const t = rule.target;
  const restricted = TARGET_RULES[t.kind];
  if (restricted && restricted.table !== table.name) return EINVAL;
  const moreErr = moreTargetCheck(table.name, rule, hook);
  if (moreErr) return moreErr;
  if (t.kind === 'REJECT' && t.with === IPT_TCP_RESET && (rule.proto !== IPPROTO_TCP || rule.invflags & IPT_INV_PROTO)) return EINVAL;
  if (t.kind === 'verdict' && t.verdict === 'QUEUE') return ENOENT;
  if (t.kind === 'CT') {
    // xt_CT: a helper or timeout needs the rule's (non-inverted) L4 protocol; the helper must
    // exist for it; no conntrack timeout policy exists (nfct timeout objects are not emulated).
    const l4 = rule.invflags & IPT_INV_PROTO ? 0 : rule.proto;
    if (t.helper !== '' && !CT_HELPERS[t.helper]?.includes(l4)) return ENOENT;
    if (t.timeout !== '') return l4 ? ENOENT : EINVAL;
  }
  if (t.kind === 'jump') {
    if (table.builtinHook(t.chain)) return table.chain(t.chain) ? EOPNOTSUPP : ENOENT;
    if (!table.userChain(t.chain)) return ENOENT;
  }
  return 0;
}

/** The hooks a target allows (xt_target .hooks), checked for every base chain reaching it. */
function hookOk(rule: Rule, hook: Hook): boolean {
  for (const m of rule.matches) if (!moreMatchHookOk(m, hook)) return false;
  const restricted = TARGET_RULES[rule.target.kind];
  if (!moreTargetHookOk(rule, hook)) return false;
  return !restricted || restricted.hooks.includes(hook);
}

/** Checkentry tests against the hook of a base chain: addrtype's --limit-iface-in/out, and
 * physdev's --physdev-out/--physdev-is-out (not in OUTPUT unless --physdev-is-bridged). */
function entryHookOk(rule: Rule, hook: Hook): boolean {
  for (const m of rule.matches) {
    if (m.kind === 'physdev' && m.bitmask & (XT_PHYSDEV_OP_OUT | XT_PHYSDEV_OP_ISOUT) && hook === 'OUTPUT') {
      if (!(m.bitmask & XT_PHYSDEV_OP_BRIDGED) || m.invert & XT_PHYSDEV_OP_BRIDGED) return false;
    }
    if (m.kind !== 'addrtype') continue;
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_IN && (hook === 'OUTPUT' || hook === 'POSTROUTING')) return false;
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT && (hook === 'PREROUTING' || hook === 'INPUT')) return false;
  }
  return true;
}

/** Walks the table from its base chains as nft_chain_validate does: EMLINK when jumps nest 16
 * deep (which is how a loop shows), EINVAL for a target reached from a hook it does not
 * allow; 0 when the table is valid. */
export function validateTable(table: Table): number {
  const walk = (chain: Chain, hook: Hook, depth: number): number => {
    if (depth >= MAX_DEPTH) return EMLINK;
    for (const rule of chain.rules) {
      if (!hookOk(rule, hook)) return EINVAL;
      const t = rule.target;
      if (t.kind !== 'jump') continue;
      const next = table.userChain(t.chain);
      if (!next) continue;
      const err = walk(next, hook, depth + 1);
      if (err) return err;
    }
    return 0;
  };
  for (const [hook, chain] of table.base) {
    const err = walk(chain, hook, 0);
    if (err) return err;
  }
  return 0;
}
