// The IPv4 netfilter hooks (nf_hook_slow): at each hook the stages registered there run in
// priority order: the existing base chains of raw, mangle, filter and security (do-table.ts),
// and, in a namespace where a rule needs connection tracking, conntrack (-200 at PREROUTING and
// OUTPUT), NAT (the nat table for a connection's first packet, the mapping for every packet)
// and the confirmation of new connections (last, at INPUT and POSTROUTING). Each stage reads
// the packet from its slot itself: nothing is carried from one stage to the next but the slot.
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import { skbPool, type SkbPool } from '../skb.ts';
import type { Chain } from './table.ts';
import {
  CT_MASQ, CT_STATUS, CT_WORDS, CT_EVENTS, IP_CT_ESTABLISHED, IP_CT_ESTABLISHED_REPLY, IP_CT_NEW, IPS_CONFIRMED, IP_CT_RELATED, IP_CT_RELATED_REPLY, IPS_DST_NAT_DONE, IPS_SRC_NAT_DONE, jiffiesOf as ctJiffies, type Conn, type CtTable } from './conntrack.ts';
import { CT_ACCEPT, CT_DROP, nfConfirm, nfConntrackIn, nfDefrag } from './conntrack-proto.ts';
import { NF_NAT_MANIP_DST, NF_NAT_MANIP_SRC, natIcmpReplyTranslation, natInitialized, natNullBinding, natPacket } from './nat.ts';
import { iptDoTable, type PhysDevs } from './do-table.ts';
import {
  type Compiled, type CompiledTable, compiledOf, HOOK_ACCEPT_ONLY, HOOK_CT_IN, HOOK_CT_OUT, HOOK_NONE, HOOK_TABLE, K_ACCEPT, K_DROP, K_REJECT, NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING, S_CT_IN, S_DEFRAG, S_NAT,
} from './compile.ts';

export { NF_INET_FORWARD, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NF_INET_PRE_ROUTING } from './compile.ts';
export type { PhysDevs } from './do-table.ts';

/** Whether any table has a base chain at `hook` in the netns (cheap: callers skip the rest). */
export function nfHookActive(ns: NetNs, hook: number): boolean {
  return compiledOf(ns).mode[hook] !== HOOK_NONE;
}

/**
 * NF_HOOK for IPv4 at `hook` on the packet at pool.nh[slot] (its total length already checked
 * and trimmed). Returns true to continue; false when the packet was dropped (the slot is then
 * released) or taken.
 */
export function nfHook(ns: NetNs, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys?: PhysDevs): boolean {
  // Kept small, so that inlining it into the packet path costs little: the work is out of line.
  const c = compiledOf(ns);
  const mode = c.mode[hook];
  if (mode === HOOK_NONE) return true;
  return runHook(ns, c, mode, hook, slot, inDev, outDev, phys);
}

function runHook(ns: NetNs, c: Compiled, mode: number, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): boolean {
  const pool = skbPool;
  if (mode === HOOK_ACCEPT_ONLY) return countPolicies(c.acceptChains[hook], pool, slot);
  let v: number;
  if (mode === HOOK_CT_IN) {
    // What the stages would do, without their loop: defragmentation (a fragment goes the
    // general way), conntrack, NAT.
    const b = pool.data[slot];
    const nh = pool.nh[slot];
    if ((((b[nh + 6] << 8) | b[nh + 7]) & 0x3fff) !== 0) return runStages(ns, pool, c, hook, slot, inDev, outDev, phys);
    const r = nfConntrackIn(ns, pool, slot, hook);
    v = r === CT_DROP ? K_DROP : K_ACCEPT;
    if (r === CT_ACCEPT && c.nat !== undefined) v = natStage(ns, pool, c.nat, hook, slot, inDev, outDev, phys);
  } else if (mode === HOOK_CT_OUT) v = natConfirm(ns, pool, c.nat, hook, slot, inDev, outDev, phys);
  else if (mode === HOOK_TABLE) v = iptDoTable(ns, c.tables[c.stages[hook][0]], hook, slot, inDev, outDev, phys);
  else return runStages(ns, pool, c, hook, slot, inDev, outDev, phys);
  if (v === K_ACCEPT) return true;
  if (v !== K_REJECT) pool.release(slot);
  return false;
}

/** Empty base chains with policy ACCEPT at a hook: what their evaluation would do (count the
 * packet on each policy, when the chain keeps counters) without the evaluation. */
function countPolicies(chains: Chain[], pool: SkbPool, slot: number): boolean {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const total = (b[nh + 2] << 8) | b[nh + 3];
  for (let i = 0; i < chains.length; i++) {
    const ch = chains[i];
    if (ch.counted) {
      ch.cnt[0]++;
      ch.cnt[1] += total;
    }
  }
  return true;
}

/** nf_hook_slow: the hook's stages in priority order, until one does not accept the packet. */
function runStages(ns: NetNs, pool: SkbPool, c: Compiled, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): boolean {
  const stages = c.stages[hook];
  for (let s = 0; s < stages.length; s++) {
    const code = stages[s];
    let v: number;
    if (code >= 0) v = iptDoTable(ns, c.tables[code], hook, slot, inDev, outDev, phys);
    else if (code === S_CT_IN) v = nfConntrackIn(ns, pool, slot, hook) === CT_DROP ? K_DROP : K_ACCEPT;
    else if (code === S_NAT) v = natStage(ns, pool, c.nat!, hook, slot, inDev, outDev, phys);
    // A fragment is taken (as REJECT takes a packet); the completed datagram goes on instead.
    else if (code === S_DEFRAG) v = nfDefrag(ns, pool, slot) ? K_ACCEPT : K_REJECT;
    else v = nfConfirm(ns, pool, slot) === CT_DROP ? K_DROP : K_ACCEPT; // S_CONFIRM
    if (v !== K_ACCEPT) {
      if (v !== K_REJECT) pool.release(slot);
      return false;
    }
  }
  return true;
}

/**
 * The stages at POSTROUTING and INPUT: NAT (source manip), then nf_confirm. A confirmed
 * connection whose source mapping is set up (established, or NEW past its first packet: a flow
 * not answered yet) with no events cached and no MASQUERADE device to check is read once for
 * both; anything else takes the stages one after the other.
 */
function natConfirm(ns: NetNs, pool: SkbPool, nat: CompiledTable | undefined, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): number {
  const id = pool.ct[slot];
  if (id === 0) return K_ACCEPT;
  const ctinfo = pool.ctinfo[slot];
  const w = (pool.ctTab[slot] as CtTable).cw;
  const o = (id - 1) * CT_WORDS;
  const status = w[o + CT_STATUS];
  if (
    (ctinfo === IP_CT_ESTABLISHED_REPLY ||
      (ctinfo === IP_CT_NEW && (status & IPS_SRC_NAT_DONE) !== 0) ||
      (ctinfo === IP_CT_ESTABLISHED && (hook !== NF_INET_POST_ROUTING || w[o + CT_MASQ] === 0 || (outDev !== undefined && w[o + CT_MASQ] === outDev.ifindex)))) &&
    (status & IPS_CONFIRMED) !== 0 && w[o + CT_EVENTS] === 0
  ) {
    if (nat === undefined) return K_ACCEPT;
    return natPacket(w, id - 1, ctinfo, NF_NAT_MANIP_SRC, pool.data[slot], pool.nh[slot]) ? K_ACCEPT : K_DROP;
  }
  const v = nat === undefined ? K_ACCEPT : natStage(ns, pool, nat, hook, slot, inDev, outDev, phys);
  if (v !== K_ACCEPT) return v;
  return nfConfirm(ns, pool, slot) === CT_DROP ? K_DROP : K_ACCEPT;
}

/**
 * nf_nat_ipv4_fn at `hook`: an ICMP error about a connection is translated; a connection's first
 * packet goes through the nat table's chain (or gets the identity mapping); then the packet gets
 * the connection's mapping.
 */
function natStage(ns: NetNs, pool: SkbPool, nat: CompiledTable, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): number {
  const id = pool.ct[slot];
  if (id === 0) return K_ACCEPT;
  const tab = pool.ctTab[slot] as CtTable;
  const ctinfo = pool.ctinfo[slot];
  const manip = hook === NF_INET_PRE_ROUTING || hook === NF_INET_LOCAL_OUT ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC;
  // The connection's words (conntrack-conn.ts): no Conn object unless the mapping is set up here.
  const w = tab.cw;
  const o = (id - 1) * CT_WORDS;
  const done = manip === NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
  if (ctinfo === IP_CT_RELATED || ctinfo === IP_CT_RELATED_REPLY || (ctinfo === IP_CT_NEW && (w[o + CT_STATUS] & done) === 0)) {
    return natSetup(ns, pool, nat, hook, slot, tab, tab.conns[id - 1]!, ctinfo, manip, inDev, outDev, phys);
  }
  // A connection whose mapping is set up: ESTABLISHED, its reply, or a NEW one past its first packet.
  if (ctinfo === IP_CT_ESTABLISHED && hook === NF_INET_POST_ROUTING && w[o + CT_MASQ] !== 0 && outDev !== undefined && w[o + CT_MASQ] !== outDev.ifindex) {
    // nf_nat_oif_changed: a masqueraded connection now leaving by another device is dropped.
    tab.kill(tab.conns[id - 1]!);
    return K_DROP;
  }
  return natPacket(w, id - 1, ctinfo, manip, pool.data[slot], pool.nh[slot]) ? K_ACCEPT : K_DROP;
}

/** natStage for an ICMP error about a connection, or a connection's first packet (cold). */
function natSetup(ns: NetNs, pool: SkbPool, nat: CompiledTable, hook: number, slot: number, tab: CtTable, conn: Conn, ctinfo: number, manip: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): number {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  if (ctinfo !== IP_CT_NEW && b[nh + 9] === 1) {
    const end = nh + ((b[nh + 2] << 8) | b[nh + 3]);
    return natIcmpReplyTranslation(tab, conn, ctinfo, manip, b, nh, end) ? K_ACCEPT : K_DROP;
  }
  if (!natInitialized(conn, manip)) {
    if (nat.entry[hook] >= 0) {
      const v = iptDoTable(ns, nat, hook, slot, inDev, outDev, phys);
      if (v !== K_ACCEPT) return v;
    }
    if (!natInitialized(conn, manip)) natNullBinding(ns, tab, conn, manip, ctJiffies(ns.world.now()));
  }
  return natPacket(tab.cw, conn.id, ctinfo, manip, pool.data[slot], pool.nh[slot]) ? K_ACCEPT : K_DROP;
}
