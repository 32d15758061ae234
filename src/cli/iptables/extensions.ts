// The extensions nslab knows, by the name given to -m / -j, and by the kind of compiled data.
import type { Match, Target } from '../../kernel/netfilter/index.ts';
import { conntrack, state } from './ext-conntrack.ts';
import { addrtype, comment, iprange, limit, mark, multiport, physdev } from './ext-matches.ts';
import { connmark, length, pkttype, recent, statistic, ttl } from './ext-matches-more.ts';
import { dscp, helper, mac, owner, set, tos } from './ext-matches-ipv4.ts';
import { CT, DNAT, MASQUERADE, NOTRACK, REDIRECT, SNAT } from './ext-nat.ts';
import { CONNMARK, LOG, MARK, REJECT } from './ext-targets.ts';
import { AUDIT, CHECKSUM, CLASSIFY, DSCP, NFLOG, NFQUEUE, SET, TCPMSS, TOS, TRACE, TTL } from './ext-targets-more.ts';
import { icmp, tcp, udp } from './ext-tcpudp.ts';
import type { Extension } from './ext.ts';

type AnyExt = Extension<Match> | Extension<Target>;

function table<E extends AnyExt>(list: readonly E[]): ReadonlyMap<string, E> {
  return new Map(list.map((e) => [e.name, e]));
}

export const MATCHES: ReadonlyMap<string, Extension<Match>> = table([tcp, udp, icmp, conntrack, state, addrtype, comment, mark, multiport, iprange, limit, physdev,
  statistic, recent, connmark, pkttype, length, ttl, tos, dscp, mac, helper, owner, set] as unknown as Extension<Match>[]);

export const TARGETS: ReadonlyMap<string, Extension<Target>> = table([REJECT, LOG, MARK, CONNMARK, SNAT, DNAT, MASQUERADE, REDIRECT, CT, NOTRACK,
  TCPMSS, CHECKSUM, TOS, DSCP, TTL, NFLOG, NFQUEUE, TRACE, SET, CLASSIFY, AUDIT] as unknown as Extension<Target>[]);

/** Target extensions Debian's iptables 1.8.9 ships (a user chain may not take their names). */
export const SHIPPED_TARGETS: ReadonlySet<string> = new Set([
  'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DNPT', 'DSCP', 'ECN', 'HL', 'HMARK',
  'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT', 'REJECT',
  'SECMARK', 'SET', 'SNAT', 'SNPT', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG',
]);

/** Standard targets (libxt_standard): verdicts, not extensions with options. */
export const STANDARD_TARGETS: ReadonlySet<string> = new Set(['', 'ACCEPT', 'DROP', 'QUEUE', 'RETURN']);

export function matchExt(m: Match): Extension<Match> {
  return MATCHES.get(m.kind) as Extension<Match>;
}

export function targetExt(t: Target): Extension<Target> | undefined {
  return t.kind === 'none' || t.kind === 'verdict' || t.kind === 'jump' ? undefined : TARGETS.get(t.kind);
}
