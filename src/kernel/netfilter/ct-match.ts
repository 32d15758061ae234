// The parts of the rule language that look at a packet's connection: -m conntrack / -m state
// (xt_conntrack.c, revision 3) and the CONNMARK target (xt_connmark.c, revision 2).
import type { SkbPool } from '../skb.ts';
import type { World } from '../world.ts';
import { HZ, IPCT_MARK, IP_CT_IS_REPLY, IP_CT_UNTRACKED, IPS_DST_NAT, IPS_SRC_NAT, jiffiesOf, type CtTable } from './conntrack.ts';
import {
  CT_STATE_DNAT, CT_STATE_INVALID, CT_STATE_SNAT, CT_STATE_UNTRACKED, XT_CONNMARK_RESTORE, XT_CONNMARK_SAVE, XT_CONNMARK_SET,
  XT_CONNTRACK_DIRECTION, XT_CONNTRACK_EXPIRES, XT_CONNTRACK_ORIGDST, XT_CONNTRACK_ORIGDST_PORT, XT_CONNTRACK_ORIGSRC,
  XT_CONNTRACK_ORIGSRC_PORT, XT_CONNTRACK_PROTO, XT_CONNTRACK_REPLDST, XT_CONNTRACK_REPLDST_PORT, XT_CONNTRACK_REPLSRC,
  XT_CONNTRACK_REPLSRC_PORT, XT_CONNTRACK_STATE, XT_CONNTRACK_STATUS, type ConntrackMatch, type PortRange,
} from './types.ts';

function addrMatch(addr: number, want: number, mask: number): boolean {
  return ((addr ^ want) & mask) === 0;
}

function portMatch(r: PortRange, port: number, invert: boolean): boolean {
  return (port >= r[0] && port <= r[1]) !== invert;
}

/** Whether a test passes: not asked for, or its outcome differs from its inversion. */
function test(flags: number, inv: number, bit: number, ok: boolean): boolean {
  return !(flags & bit) || ok !== ((inv & bit) !== 0);
}

/** conntrack_mt for the packet in `slot`; `world` for --ctexpire's clock (a time in ms passed as a
 * number would be a heap number per call). */
export function conntrackMatch(m: ConntrackMatch, pool: SkbPool, slot: number, world: World): boolean {
  const id = pool.ct[slot];
  const ctinfo = pool.ctinfo[slot];
  const flags = m.matchFlags;
  const inv = m.invertFlags;
  let statebit: number;
  if (id !== 0) statebit = 1 << ((ctinfo % IP_CT_IS_REPLY) + 1);
  else statebit = ctinfo === IP_CT_UNTRACKED ? CT_STATE_UNTRACKED : CT_STATE_INVALID;
  const tab = id !== 0 ? (pool.ctTab[slot] as CtTable) : undefined;
  const c = tab?.conns[id - 1];
  if (flags & XT_CONNTRACK_STATE) {
    if (c !== undefined) {
      if (c.status & IPS_SRC_NAT) statebit |= CT_STATE_SNAT;
      if (c.status & IPS_DST_NAT) statebit |= CT_STATE_DNAT;
    }
    if (((m.stateMask & statebit) !== 0) === ((inv & XT_CONNTRACK_STATE) !== 0)) return false;
  }
  if (c === undefined || tab === undefined) return (flags & XT_CONNTRACK_STATE) !== 0;
  if (flags & XT_CONNTRACK_DIRECTION && (ctinfo < IP_CT_IS_REPLY) !== ((inv & XT_CONNTRACK_DIRECTION) !== 0)) return false;
  const o = c.id * 2;
  const r = o + 1;
  if (!test(flags, inv, XT_CONNTRACK_ORIGSRC, addrMatch(tab.tSrc[o], m.origSrc | 0, m.origSrcMask | 0))) return false;
  if (!test(flags, inv, XT_CONNTRACK_ORIGDST, addrMatch(tab.tDst[o], m.origDst | 0, m.origDstMask | 0))) return false;
  if (!test(flags, inv, XT_CONNTRACK_REPLSRC, addrMatch(tab.tSrc[r], m.replSrc | 0, m.replSrcMask | 0))) return false;
  if (!test(flags, inv, XT_CONNTRACK_REPLDST, addrMatch(tab.tDst[r], m.replDst | 0, m.replDstMask | 0))) return false;
  if (!test(flags, inv, XT_CONNTRACK_PROTO, c.proto === m.l4proto)) return false;
  if (flags & XT_CONNTRACK_ORIGSRC_PORT && !portMatch(m.origSrcPort, tab.tSport[o], (inv & XT_CONNTRACK_ORIGSRC_PORT) !== 0)) return false;
  if (flags & XT_CONNTRACK_ORIGDST_PORT && !portMatch(m.origDstPort, tab.tDport[o], (inv & XT_CONNTRACK_ORIGDST_PORT) !== 0)) return false;
  if (flags & XT_CONNTRACK_REPLSRC_PORT && !portMatch(m.replSrcPort, tab.tSport[r], (inv & XT_CONNTRACK_REPLSRC_PORT) !== 0)) return false;
  if (flags & XT_CONNTRACK_REPLDST_PORT && !portMatch(m.replDstPort, tab.tDport[r], (inv & XT_CONNTRACK_REPLDST_PORT) !== 0)) return false;
  if (!test(flags, inv, XT_CONNTRACK_STATUS, (m.statusMask & c.status) !== 0)) return false;
  if (flags & XT_CONNTRACK_EXPIRES) {
    const expires = Math.floor(Math.max(0, c.timeout - jiffiesOf(world.now())) / HZ);
    if (!test(flags, inv, XT_CONNTRACK_EXPIRES, expires >= m.expires[0] && expires <= m.expires[1])) return false;
  }
  return true;
}

function shift(dir: number, bits: number, v: number): number {
  return dir === 1 ? v >>> bits : (v << bits) >>> 0;
}

/** The CONNMARK target. */
export function connmarkTarget(pool: SkbPool, slot: number, mode: number, ctmark: number, ctmask: number, nfmask: number, shiftDir: number, shiftBits: number): void {
  const id = pool.ct[slot];
  if (id === 0) return;
  const c = (pool.ctTab[slot] as CtTable).conns[id - 1];
  if (c === undefined) return;
  const old = c.mark;
  switch (mode) {
    case XT_CONNMARK_SET:
      c.mark = shift(shiftDir, shiftBits, ((c.mark & ~ctmask) ^ ctmark) >>> 0);
      break;
    case XT_CONNMARK_SAVE:
      c.mark = ((c.mark & ~ctmask) ^ shift(shiftDir, shiftBits, (pool.mark[slot] & nfmask) >>> 0)) >>> 0;
      break;
    case XT_CONNMARK_RESTORE:
      pool.mark[slot] = ((pool.mark[slot] & ~nfmask) ^ shift(shiftDir, shiftBits, (c.mark & ctmask) >>> 0)) >>> 0;
      break;
  }
  // nf_conntrack_event_cache(IPCT_MARK): a changed mark is reported (`conntrack -E`).
  if (c.mark !== old && (pool.ctTab[slot] as CtTable).listeners.length !== 0) c.events |= IPCT_MARK;
}
