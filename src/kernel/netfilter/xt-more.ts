// The packet side of the statistic, recent, connmark, pkttype, length, ttl, tos, dscp, mac,
// helper, owner and set matches (net/netfilter/xt_*.c, net/ipv4/netfilter/ipt_ttl.c). Everything
// is read from the packet's slot; nothing is allocated per packet (the nth counter of a rule is
// found once per commit and kept by rule handle, so it survives later commands).
import type { NetNs } from '../netns.ts';
import { PACKET_BROADCAST, PACKET_LOOPBACK, PACKET_MULTICAST, skbPool } from '../skb.ts';
import type { CtTable } from './conntrack.ts';
import { TABLE_ORDER } from './table.ts';
import { recentMatch } from './xt-recent.ts';
import {
  IPT_TTL_EQ, IPT_TTL_GT, IPT_TTL_LT, IPT_TTL_NE, XT_STATISTIC_MODE_RANDOM, type MoreMatch, type StatisticMatch,
} from './xt-types.ts';

const ARPHRD_ETHER = 1;

const nthCache = new WeakMap<StatisticMatch, Int32Array>();

/** The counter of an nth statistic match: kept in ruleState by table, rule handle and match
 * index (statistic_mt_check sets it to `count` when the rule enters the kernel). */
function nthCounter(ns: NetNs, m: StatisticMatch): Int32Array {
  let c = nthCache.get(m);
  if (c !== undefined) return c;
  const st = ns.netfilter;
  let key = '';
  for (const name of TABLE_ORDER) {
    const t = st.tables[name];
    if (!t.exists) continue;
    for (const ch of t.existing('created')) {
      for (const r of ch.rules) {
        const j = r.matches.indexOf(m);
        if (j >= 0) key = `statistic/${name}:${r.handle}:${j}:${m.every}:${m.packet}`;
      }
    }
  }
  c = key === '' ? undefined : (st.ruleState.get(key) as Int32Array | undefined);
  if (c === undefined) {
    c = Int32Array.of(m.count);
    if (key !== '') st.ruleState.set(key, c);
  }
  nthCache.set(m, c);
  return c;
}

function statisticMatch(ns: NetNs, m: StatisticMatch): boolean {
  let ret = m.invert;
  if (m.mode === XT_STATISTIC_MODE_RANDOM) {
    if ((ns.world.rng.u32() & 0x7fffffff) < m.probability) ret = !ret;
    return ret;
  }
  const c = nthCounter(ns, m);
  const next = c[0] === m.every ? 0 : c[0] + 1;
  c[0] = next;
  if (next === 0) ret = !ret;
  return ret;
}

/**
 * Whether the IPv4 packet in `slot` matches `m`. `hasOut`: the hook has an output device
 * (FORWARD, OUTPUT, POSTROUTING).
 */
export function moreMatch(m: MoreMatch, ns: NetNs, slot: number, hasOut: boolean): boolean {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  switch (m.kind) {
    case 'statistic':
      return statisticMatch(ns, m);
    case 'recent':
      // Only forwarded packets have no local socket: their TTL is counted as before forwarding.
      return recentMatch(ns, m, b, nh, hasOut && pool.iif[slot] !== undefined);
    case 'connmark': {
      const id = pool.ct[slot];
      if (id === 0) return false;
      const c = (pool.ctTab[slot] as CtTable).conns[id - 1];
      if (c === undefined) return false;
      return (((c.mark & m.mask) >>> 0) === m.mark >>> 0) !== m.invert;
    }
    case 'pkttype': {
      let type = pool.pktType[slot];
      if (type === PACKET_LOOPBACK) type = (b[nh + 16] & 0xf0) === 0xe0 ? PACKET_MULTICAST : PACKET_BROADCAST;
      return (type === m.pktType) !== m.invert;
    }
    case 'length': {
      const len = (b[nh + 2] << 8) | b[nh + 3];
      return (len >= m.min && len <= m.max) !== m.invert;
    }
    case 'ttl': {
      const ttl = b[nh + 8];
      switch (m.mode) {
        case IPT_TTL_EQ:
          return ttl === m.ttl;
        case IPT_TTL_NE:
          return ttl !== m.ttl;
        case IPT_TTL_LT:
          return ttl < m.ttl;
        case IPT_TTL_GT:
          return ttl > m.ttl;
      }
      return false;
    }
    case 'tos':
      return ((b[nh + 1] & m.mask) === m.value) !== m.invert;
    case 'dscp':
      return (b[nh + 1] >>> 2 === m.dscp) !== m.invert;
    case 'mac': {
      const dev = pool.dev[slot];
      const head = pool.head[slot];
      if (dev === undefined || dev.type !== ARPHRD_ETHER || nh - head < 14) return false;
      const s = m.src;
      const eq = b[head + 6] === s[0] && b[head + 7] === s[1] && b[head + 8] === s[2] && b[head + 9] === s[3] && b[head + 10] === s[4] && b[head + 11] === s[5];
      return eq !== m.invert;
    }
    case 'helper':
      // No connection has a master with a helper: the test fails, so only `!` matches.
      return m.invert;
    case 'owner':
      // No packet of nslab carries a socket: owner_mt's answer for a packet without one.
      return (m.match ^ m.invert) === 0;
    case 'set':
      return false;
  }
}
