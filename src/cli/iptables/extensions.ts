// The extensions nslab knows, by the name given to -m / -j, and by the kind of compiled data.
import type { Match, Target } from '../../kernel/netfilter/index.ts';
import { conntrack, state } from './ext-conntrack.ts';
import { addrtype, comment, iprange, limit, mark, multiport, physdev } from './ext-matches.ts';
import { CT, DNAT, MASQUERADE, NOTRACK, REDIRECT, SNAT } from './ext-nat.ts';
import { CONNMARK, LOG, MARK, REJECT } from './ext-targets.ts';
import { icmp, tcp, udp } from './ext-tcpudp.ts';
import type { Extension } from './ext.ts';

type AnyExt = Extension<Match> | Extension<Target>;

function table<E extends AnyExt>(list: readonly E[]): ReadonlyMap<string, E> {
  return new Map(list.map((e) => [e.name, e]));
}

export const MATCHES: ReadonlyMap<string, Extension<Match>> = table([tcp, udp, icmp, conntrack, state, addrtype, comment, mark, multiport, iprange, limit, physdev] as unknown as Extension<Match>[]);

export const TARGETS: ReadonlyMap<string, Extension<Target>> = table([REJECT, LOG, MARK, CONNMARK, SNAT, DNAT, MASQUERADE, REDIRECT, CT, NOTRACK] as unknown as Extension<Target>[]);

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
