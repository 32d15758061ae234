// The packet side and the kernel checks of TCPMSS, TOS, DSCP, TTL, NFQUEUE, CLASSIFY and the other
// targets of xt-target-types.ts (xt_TCPMSS.c, xt_DSCP.c (TOS too), xt_HL.c, xt_NFQUEUE.c,
// xt_CLASSIFY.c, xt_CHECKSUM.c). Rewrites are in place with the kernel's incremental checksum
// updates; nothing here allocates per packet.
//
// Targets that change nothing nslab models: CHECKSUM (it only fills a checksum left for the
// device, CHECKSUM_PARTIAL, which nslab's packets never are), NFLOG (no nfnetlink_log listener:
// the packet goes on), TRACE (no trace listener), AUDIT (no audit daemon), CLASSIFY (no qdisc
// reads skb->priority). They count and evaluation continues.
import type { NetDevice } from '../device.ts';
import type { SkbPool } from '../skb.ts';
import { checksumReplace16, checksumReplace32 } from '../../wire/checksum.ts';
import { EINVAL } from './errors.ts';
import type { Hook } from './table.ts';
import { IPPROTO_TCP, IPT_INV_PROTO, type Rule, type Target } from './types.ts';
import { IPT_TTL_DEC, IPT_TTL_INC, IPT_TTL_SET, XT_TCPMSS_CLAMP_PMTU } from './xt-target-types.ts';

/** Results of xtTargetPacket. */
export const XT_CONTINUE = 0;
export const XT_DROP = 1;
/** Continue; the packet's length changed (TCPMSS inserted its option). */
export const XT_GREW = 2;

// ---- checks (checkentry, and the target's table and hooks) -------------------------------

/** xt_target .table = "mangle" (TOS and DSCP share xt_DSCP.c; TTL is xt_HL.c). */
const MANGLE_ONLY: ReadonlySet<string> = new Set(['TOS', 'DSCP', 'TTL', 'CHECKSUM']);
/** xt_CLASSIFY's .hooks. */
const CLASSIFY_HOOKS: readonly Hook[] = ['OUTPUT', 'FORWARD', 'POSTROUTING'];
/** tcpmss_tg4_check: --clamp-mss-to-pmtu only from these hooks (tested in a base chain only:
 * nft_compat gives a rule in a user chain no hook mask). */
const CLAMP_HOOKS: readonly Hook[] = ['FORWARD', 'OUTPUT', 'POSTROUTING'];

/** The checks at rule creation: an errno or 0. `hook` is the base chain's hook, null in a user chain. */
export function moreTargetCheck(table: string, rule: Rule, hook: Hook | null): number {
  const t = rule.target;
  if (MANGLE_ONLY.has(t.kind) && table !== 'mangle') return EINVAL;
  if (t.kind === 'TCPMSS') {
    // xt_check_target: .proto = IPPROTO_TCP, not inverted. (nft_compat skips the SYN test.)
    if (rule.proto !== IPPROTO_TCP || rule.invflags & IPT_INV_PROTO) return EINVAL;
    if (t.mss === XT_TCPMSS_CLAMP_PMTU && hook !== null && !CLAMP_HOOKS.includes(hook)) return EINVAL;
  }
  if (t.kind === 'CLASSIFY' && hook !== null && !CLASSIFY_HOOKS.includes(hook)) return EINVAL;
  return 0;
}

/** nft_target_validate: the target's .hooks against every base chain reaching the rule. */
export function moreTargetHookOk(rule: Rule, hook: Hook): boolean {
  return rule.target.kind !== 'CLASSIFY' || CLASSIFY_HOOKS.includes(hook);
}

// ---- packets --------------------------------------------------------------------------

/** ipv4_change_dsfield (include/net/dsfield.h), its own checksum arithmetic included. */
function changeDsfield(b: Uint8Array, nh: number, mask: number, value: number): void {
  const tos = b[nh + 1];
  const ds = ((tos & mask) | value) & 0xff;
  let check = (b[nh + 10] << 8) | b[nh + 11];
  check += tos;
  if ((check + 1) >>> 16) check = (check + 1) & 0xffff;
  check = (check - ds) >>> 0;
  check = (check + (check >>> 16)) >>> 0;
  b[nh + 10] = (check >>> 8) & 0xff;
  b[nh + 11] = check & 0xff;
  b[nh + 1] = ds;
}

function setIpCheck(b: Uint8Array, nh: number, oldWord: number, newWord: number): void {
  const c = checksumReplace16((b[nh + 10] << 8) | b[nh + 11], oldWord, newWord);
  b[nh + 10] = c >>> 8;
  b[nh + 11] = c & 0xff;
}

function setTcpCheck(b: Uint8Array, th: number, c: number): void {
  b[th + 16] = c >>> 8;
  b[th + 17] = c & 0xff;
}

/** TCPOPT option length as xt_TCPMSS's optlen: finite progress over EOL, NOP and zero lengths. */
function optlen(b: Uint8Array, o: number): number {
  return b[o] <= 1 || b[o + 1] === 0 ? 1 : b[o + 1];
}

/**
 * tcpmss_mangle_packet + tcpmss_tg4. The path MTU for --clamp-mss-to-pmtu is the smaller of the
 * output device's MTU (dst_mtu of the forward route without an mtu metric) and the MTU of the
 * device the packet came in on (the reverse route, in the common router case where it leads
 * back out of the receiving device); a locally generated packet has only the first.
 */
function tcpmss(pool: SkbPool, slot: number, mss: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined): number {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  if ((((b[nh + 6] << 8) | b[nh + 7]) & 0x1fff) !== 0) return XT_CONTINUE;
  const ihl = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const th = nh + ihl;
  const len = total - ihl;
  if (len < 20) return XT_DROP;
  const thl = (b[th + 12] >>> 4) << 2;
  if (len < thl || thl < 20) return XT_DROP;
  let newmss = mss;
  if (mss === XT_TCPMSS_CLAMP_PMTU) {
    let mtu = outDev === undefined ? 0 : outDev.mtu;
    const back = inDev ?? pool.iif[slot];
    if (back !== undefined && back.mtu < mtu) mtu = back.mtu;
    // "unknown or invalid path-MTU": the packet is dropped.
    if (mtu <= 40) return XT_DROP;
    newmss = (mtu - 40) & 0xffff;
  }
  for (let i = 20; i <= thl - 4; i += optlen(b, th + i)) {
    const o = th + i;
    if (b[o] === 2 && b[o + 1] === 4) {
      const oldmss = (b[o + 2] << 8) | b[o + 3];
      // Never increase the MSS, even when setting it.
      if (oldmss <= newmss) return XT_CONTINUE;
      b[o + 2] = newmss >>> 8;
      b[o + 3] = newmss & 0xff;
      setTcpCheck(b, th, checksumReplace16((b[th + 16] << 8) | b[th + 17], oldmss, newmss));
      return XT_CONTINUE;
    }
  }
  // Data after the header: the option cannot be added without moving it.
  if (len > thl) return XT_CONTINUE;
  // doff has 4 bits.
  if (thl >= 60) return XT_CONTINUE;
  // RFC 1122: without an MSS option the peer assumes 536.
  if (newmss > 536) newmss = 536;
  b.copyWithin(th + 24, th + 20, th + len);
  let c = (b[th + 16] << 8) | b[th + 17];
  c = checksumReplace16(c, len, len + 4);
  b[th + 20] = 2;
  b[th + 21] = 4;
  b[th + 22] = newmss >>> 8;
  b[th + 23] = newmss & 0xff;
  c = checksumReplace32(c, 0, ((0x0204 << 16) | newmss) >>> 0);
  const oldWord = (b[th + 12] << 8) | b[th + 13];
  b[th + 12] += 0x10;
  c = checksumReplace16(c, oldWord, (b[th + 12] << 8) | b[th + 13]);
  setTcpCheck(b, th, c);
  // tcpmss_tg4: the IP total length and header checksum.
  const newTotal = total + 4;
  setIpCheck(b, nh, total, newTotal);
  b[nh + 2] = newTotal >>> 8;
  b[nh + 3] = newTotal & 0xff;
  pool.len[slot] = nh - pool.head[slot] + newTotal;
  return XT_GREW;
}

/** The targets compiled to K_XT, on the packet at pool.nh[slot]. */
export function xtTargetPacket(pool: SkbPool, slot: number, t: Target, inDev: NetDevice | undefined, outDev: NetDevice | undefined): number {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  switch (t.kind) {
    case 'TTL': {
      const old = b[nh + 8];
      let ttl = t.ttl;
      if (t.mode === IPT_TTL_INC) ttl = old + t.ttl > 255 ? 255 : old + t.ttl;
      else if (t.mode === IPT_TTL_DEC) ttl = old - t.ttl < 0 ? 0 : old - t.ttl;
      else if (t.mode !== IPT_TTL_SET) return XT_CONTINUE;
      if (ttl !== old) {
        setIpCheck(b, nh, old << 8, ttl << 8);
        b[nh + 8] = ttl;
      }
      return XT_CONTINUE;
    }
    case 'TOS': {
      const orig = b[nh + 1];
      const nv = ((orig & ~t.mask) ^ t.value) & 0xff;
      if (nv !== orig) changeDsfield(b, nh, 0, nv);
      return XT_CONTINUE;
    }
    case 'DSCP':
      if (b[nh + 1] >>> 2 !== t.dscp) changeDsfield(b, nh, 0x03, t.dscp << 2);
      return XT_CONTINUE;
    case 'TCPMSS':
      return tcpmss(pool, slot, t.mss, inDev, outDev);
    default:
      return XT_CONTINUE;
  }
}
