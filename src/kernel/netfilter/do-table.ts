// ipt_do_table (ip_tables.c): a packet through one table's chains at one hook, over the table's
// compiled form (compile.ts). The rules' header part is in typed arrays, so a packet through N
// non-matching plain rules costs N integer comparisons and allocates nothing. A chain's end is a
// pseudo-rule that always matches: the policy of a built-in chain, an implicit RETURN in a user
// chain. The packet's header fields and devices are module state while a table runs, so the
// matches read them without arguments or objects.
import { skbPool } from '../skb.ts';
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import type { XtCounters } from './table.ts';
import {
  IPT_F_FRAG, IPT_INV_DSTIP, IPT_INV_FRAG, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_INV_VIA_IN, IPT_INV_VIA_OUT,
  IPRANGE_DST, IPRANGE_DST_INV, IPRANGE_SRC, IPRANGE_SRC_INV, RTN_NAMES,
  XT_ADDRTYPE_INVERT_DEST, XT_ADDRTYPE_INVERT_SOURCE,
  XT_PHYSDEV_OP_BRIDGED, XT_PHYSDEV_OP_IN, XT_PHYSDEV_OP_ISIN, XT_PHYSDEV_OP_ISOUT, XT_PHYSDEV_OP_OUT,
  type Match, type NatTarget, type Rule,
} from './types.ts';
import { inetAddrType } from '../ipv4/route-lookup.ts';
import { HOTDROP, MATCH, transportMatch } from './xt-tcpudp.ts';
import { nfReject } from './reject.ts';
import { nfLogPacket } from './log.ts';
import { IP_CT_UNTRACKED, jiffiesOf as ctJiffies, type CtTable } from './conntrack.ts';
import { connmarkTarget, conntrackMatch } from './ct-match.ts';
import { moreMatch } from './xt-more.ts';
import { XT_CONTINUE, XT_DROP, xtTargetPacket } from './xt-targets.ts';
import { natTarget } from './nat.ts';
import {
  type CompiledTable, type LimitState, K_ACCEPT, K_CONNMARK, K_CONTINUE, K_DROP, K_GOTO, K_JUMP, K_LOG, K_MARK,
  K_NAT, K_NFQUEUE, K_NOTRACK, K_POLICY, K_REJECT, K_RETURN, K_XT, limitMatch, runLookup, NEVER,
} from './compile.ts';

/** br_netfilter's bridge ports of a bridged packet (physdev). */
export interface PhysDevs {
  physIn: NetDevice | undefined;
  physOut: NetDevice | undefined;
}

// The packet being evaluated (module state: evaluation allocates nothing).
let pb: Uint8Array = new Uint8Array(0);
let pthoff = 0;
let pend = 0;
let pfragoff = 0;
let pproto = 0;
/** Addresses as int32: a module variable holding a number beyond the small-integer range would
 * be a heap number allocated on every store (172.17/16, 192.168/16 are). Use `>>> 0` locally. */
let psaddr = 0;
let pdaddr = 0;
let pinName = '';
let poutName = '';
let pinDev: NetDevice | undefined;
let poutDev: NetDevice | undefined;
let pbridged = false;
let pphysIn: NetDevice | undefined;
let pphysOut: NetDevice | undefined;
let pns: NetNs | undefined;
let photdrop = false;
let pslot = 0;

const stack = new Int32Array(64);
/** compile.ts's HDR_STRIDE as a local constant (an imported binding is a load per rule). */
const STRIDE = 5;

/** Reads the packet's IPv4 header into the module state the matches use. */
function loadPacket(b: Uint8Array, nh: number): void {
  pb = b;
  pthoff = nh + ((b[nh] & 0x0f) << 2);
  pend = nh + ((b[nh + 2] << 8) | b[nh + 3]);
  pfragoff = ((b[nh + 6] << 8) | b[nh + 7]) & 0x1fff;
  pproto = b[nh + 9];
  psaddr = (b[nh + 12] << 24) | (b[nh + 13] << 16) | (b[nh + 14] << 8) | b[nh + 15];
  pdaddr = (b[nh + 16] << 24) | (b[nh + 17] << 16) | (b[nh + 18] << 8) | b[nh + 19];
}

/**
 * ipt_do_table on the packet at pool.nh[slot] at `hook`: K_ACCEPT, K_DROP, or K_REJECT (the
 * error sent, the slot released).
 */
export function iptDoTable(ns: NetNs, ct: CompiledTable, hook: number, slot: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined, phys: PhysDevs | undefined): number {
  const pool = skbPool;
  const nh = pool.nh[slot];
  loadPacket(pool.data[slot], nh);
  // Verdicts and jumps on the header alone read nothing else.
  if (ct.plain) return doTable(ct, hook, slot, pend - nh);
  pinName = inDev === undefined ? '' : inDev.name;
  poutName = outDev === undefined ? '' : outDev.name;
  pinDev = inDev;
  poutDev = outDev;
  pbridged = phys !== undefined;
  pphysIn = phys?.physIn;
  pphysOut = phys?.physOut;
  pns = ns;
  pslot = slot;
  const v = doTable(ct, hook, slot, pend - nh);
  // No object outlives the evaluation in module state.
  pns = undefined;
  pinDev = poutDev = undefined;
  pphysIn = pphysOut = undefined;
  return v;
}

function doTable(ct: CompiledTable, hook: number, slot: number, total: number): number {
  const src = ct.src, smsk = ct.smsk, dst = ct.dst, dmsk = ct.dmsk, proto = ct.proto, inv = ct.inv, frag = ct.frag;
  const slowA = ct.slow, kind = ct.kind, hdr = ct.hdr, runKind = ct.runKind;
  const saddr = psaddr | 0, daddr = pdaddr | 0, p = pproto, isfrag = pfragoff !== 0;
  let sp = 0;
  let i = ct.entry[hook];
  photdrop = false;
  for (;;) {
    // The non-matching walk: rules that test addresses only, in a tight loop over one
    // interleaved array.
    const rk = runKind[i];
    if (rk !== 0) i = runLookup(ct, i, rk === 1 ? saddr : daddr);
    let h = i * STRIDE;
    while (hdr[h + 4] === 0 && ((saddr & hdr[h]) !== hdr[h + 1] || (daddr & hdr[h + 2]) !== hdr[h + 3])) {
      h += STRIDE;
      i++;
    }
    if (hdr[h + 4] !== 0) {
      const iv = inv[i];
      if (
        (((saddr & smsk[i]) !== src[i]) !== ((iv & IPT_INV_SRCIP) !== 0)) ||
        (((daddr & dmsk[i]) !== dst[i]) !== ((iv & IPT_INV_DSTIP) !== 0)) ||
        (proto[i] !== 0 && ((p !== proto[i]) !== ((iv & IPT_INV_PROTO) !== 0))) ||
        (((frag[i] & IPT_F_FRAG) !== 0 && !isfrag) !== ((iv & IPT_INV_FRAG) !== 0))
      ) {
        i++;
        continue;
      }
    }
    const sl = slowA[i];
    if (sl !== 0) {
      if (sl & NEVER || !slowMatch(ct.rules[i]!, ct.limits[i])) {
        if (photdrop) return K_DROP;
        i++;
        continue;
      }
    }
    const k = kind[i];
    const r = ct.rules[i];
    if (r !== undefined) {
      // The typed array itself, not the accessors: a double passed to a setter left out of
      // line would be a heap number per packet.
      const cnt = (r as unknown as XtCounters).cnt;
      cnt[0]++;
      cnt[1] += total;
    }
    switch (k) {
      case K_CONTINUE:
        i++;
        continue;
      case K_ACCEPT:
        return K_ACCEPT;
      case K_DROP:
        return K_DROP;
      case K_POLICY: {
        const c = ct.chains[i]!;
        if (c.counted) {
          c.cnt[0]++;
          c.cnt[1] += total;
        }
        return ct.arg[i] === 1 ? K_ACCEPT : K_DROP;
      }
      case K_RETURN:
        if (sp === 0) i = ct.underflow[hook];
        else i = stack[--sp];
        continue;
      case K_JUMP:
        if (sp === stack.length) return K_DROP;
        stack[sp++] = i + 1;
        i = ct.arg[i];
        continue;
      case K_GOTO:
        i = ct.arg[i];
        continue;
      case K_MARK: {
        const pool = skbPool;
        pool.mark[slot] = ((pool.mark[slot] & ~ct.arg2[i]) ^ ct.arg[i]) >>> 0;
        i++;
        continue;
      }
      case K_REJECT: {
        // The error sent goes through the hooks again (OUTPUT, POSTROUTING): that nested
        // evaluation resets the module state, pns included.
        const ns = pns!;
        nfReject(ns, slot, hook, ct.arg[i]);
        skbPool.release(slot);
        return K_REJECT;
      }
      case K_NAT: {
        const pool = skbPool;
        const id = pool.ct[slot];
        if (id === 0) return K_ACCEPT;
        const tab = pool.ctTab[slot] as CtTable;
        const ok = natTarget(pns!, tab, tab.conns[id - 1]!, ct.rules[i]!.target as NatTarget, hook, pinDev, poutDev, pdaddr >>> 0, ctJiffies(pns!.world.now()));
        return ok ? K_ACCEPT : K_DROP;
      }
      case K_CONNMARK: {
        const t = ct.rules[i]!.target;
        if (t.kind === 'CONNMARK') connmarkTarget(skbPool, slot, t.mode, t.ctmark, t.ctmask, t.nfmask, t.shiftDir, t.shiftBits);
        i++;
        continue;
      }
      case K_LOG: {
        const t = ct.rules[i]!.target;
        if (t.kind === 'LOG') nfLogPacket(pns!, slot, hook, pinDev, poutDev, pphysIn, pphysOut, t.level, t.logflags, t.prefix);
        i++;
        continue;
      }
      case K_NOTRACK: {
        const pool = skbPool;
        if (pool.ct[slot] === 0) pool.ctinfo[slot] = IP_CT_UNTRACKED;
        i++;
        continue;
      }
      case K_XT: {
        const pool = skbPool;
        const v = xtTargetPacket(pool, slot, ct.rules[i]!.target, pinDev, poutDev);
        if (v === XT_DROP) return K_DROP;
        if (v !== XT_CONTINUE) {
          // TCPMSS added its option: the later rules (and stages) see the longer packet.
          loadPacket(pool.data[slot], pool.nh[slot]);
          total = pend - pool.nh[slot];
        }
        i++;
        continue;
      }
      case K_NFQUEUE:
        // No nfnetlink_queue listener: nf_queue fails (ESRCH), the packet is dropped unless
        // --queue-bypass, which sends it on to the next hook function.
        return ct.arg[i] === 1 ? K_ACCEPT : K_DROP;
      default:
        return K_DROP;
    }
  }
}

function ifaceMatch(dev: string, name: string, wildcard: boolean): boolean {
  return wildcard ? dev.startsWith(name) : dev === name;
}

function slowMatch(r: Rule, limits: Array<LimitState | undefined> | undefined): boolean {
  if (r.iniface.name !== '' && ifaceMatch(pinName, r.iniface.name, r.iniface.wildcard) === ((r.invflags & IPT_INV_VIA_IN) !== 0)) return false;
  if (r.outiface.name !== '' && ifaceMatch(poutName, r.outiface.name, r.outiface.wildcard) === ((r.invflags & IPT_INV_VIA_OUT) !== 0)) return false;
  const ms = r.matches;
  for (let j = 0; j < ms.length; j++) {
    const m = ms[j];
    if (m.kind === 'limit') {
      if (!limitMatch(limits![j]!, pns!.world)) return false;
    } else if (!match(m)) return false;
  }
  return true;
}


function match(m: Match): boolean {
  const b = pb;
  const th = pthoff;
  switch (m.kind) {
    case 'tcp':
    case 'udp':
    case 'icmp':
    case 'multiport': {
      const r = transportMatch(m, b, th, pend, pfragoff);
      if (r === HOTDROP) photdrop = true;
      return r === MATCH;
    }
    case 'iprange':
      if (m.flags & IPRANGE_SRC && (psaddr >>> 0 >= m.srcMin && psaddr >>> 0 <= m.srcMax) === ((m.flags & IPRANGE_SRC_INV) !== 0)) return false;
      if (m.flags & IPRANGE_DST && (pdaddr >>> 0 >= m.dstMin && pdaddr >>> 0 <= m.dstMax) === ((m.flags & IPRANGE_DST_INV) !== 0)) return false;
      return true;
    case 'mark':
      return (((skbPool.mark[pslot] & m.mask) >>> 0) === m.mark >>> 0) !== m.invert;
    case 'comment':
      return true;
    case 'addrtype':
      if (m.source !== 0 && ((m.source & addrTypeBit(psaddr >>> 0)) !== 0) === ((m.flags & XT_ADDRTYPE_INVERT_SOURCE) !== 0)) return false;
      if (m.dest !== 0 && ((m.dest & addrTypeBit(pdaddr >>> 0)) !== 0) === ((m.flags & XT_ADDRTYPE_INVERT_DEST) !== 0)) return false;
      return true;
    case 'physdev':
      return physdevMatch(m.physindev, m.physoutdev, m.bitmask, m.invert);
    case 'conntrack':
      return conntrackMatch(m, skbPool, pslot, pns!.world);
    case 'limit':
      // Tested in slowMatch.
      return false;
    default:
      return moreMatch(m, pns!, pslot, poutDev !== undefined);
  }
}


function addrTypeBit(addr: number): number {
  const t = inetAddrType(pns!, addr);
  const i = RTN_NAMES.indexOf(t.toUpperCase() as (typeof RTN_NAMES)[number]);
  return i < 0 ? 0 : 1 << i;
}

function physName(dev: string, spec: string): boolean {
  return spec.endsWith('+') ? dev.startsWith(spec.slice(0, -1)) : dev === spec;
}

/** physdev_mt. */
function physdevMatch(inSpec: string, outSpec: string, bitmask: number, invert: number): boolean {
  if (!pbridged) {
    for (const op of [XT_PHYSDEV_OP_BRIDGED, XT_PHYSDEV_OP_ISIN, XT_PHYSDEV_OP_ISOUT, XT_PHYSDEV_OP_IN, XT_PHYSDEV_OP_OUT]) {
      if (bitmask & op && !(invert & op)) return false;
    }
    return true;
  }
  const hasOut = pphysOut !== undefined;
  const hasIn = pphysIn !== undefined;
  if (bitmask & XT_PHYSDEV_OP_BRIDGED && hasOut !== ((invert & XT_PHYSDEV_OP_BRIDGED) === 0)) return false;
  if ((bitmask & XT_PHYSDEV_OP_ISIN && !hasIn !== ((invert & XT_PHYSDEV_OP_ISIN) !== 0)) ||
      (bitmask & XT_PHYSDEV_OP_ISOUT && !hasOut !== ((invert & XT_PHYSDEV_OP_ISOUT) !== 0))) return false;
  if (bitmask & XT_PHYSDEV_OP_IN && hasIn) {
    if (physName(pphysIn!.name, inSpec) === ((invert & XT_PHYSDEV_OP_IN) !== 0)) return false;
  }
  if (!(bitmask & XT_PHYSDEV_OP_OUT)) return true;
  if (!hasOut) return false;
  return physName(pphysOut!.name, outSpec) !== ((invert & XT_PHYSDEV_OP_OUT) !== 0);
}

