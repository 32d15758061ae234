// The compiled form of an iptables rule, as the emulated kernel keeps it and as the packet
// path (hooks, conntrack, NAT) will test it. Everything is flat numeric data decided when the
// rule is added; nothing is parsed or looked up per packet.
//
// Layout of a Rule (all addresses are IPv4 as uint32 in host order, `>>> 0`):
//
//   src, smsk, dst, dmsk   address and mask; src/dst are already masked (src & smsk === src),
//                          so the test is `((saddr & smsk) >>> 0 === src) !== inv(IPT_INV_SRCIP)`.
//                          A mask of 0 matches everything (and is never inverted: the kernel
//                          refuses `! -s 0.0.0.0/0`).
//   iniface, outiface      { name, wildcard }: name '' (and wildcard false) = any device;
//                          wildcard true = `name+`, i.e. `dev.startsWith(name)`; else
//                          `dev === name`; the result is flipped by IPT_INV_VIA_IN/OUT.
//   proto                  IP protocol number, 0 = any; flipped by IPT_INV_PROTO.
//   flags                  IPT_F_FRAG: match only non-first fragments (frag offset != 0);
//                          flipped by IPT_INV_FRAG (then: only unfragmented or first fragments).
//   invflags               IPT_INV_* bits.
//   matches                Match[] tested in order after the header part; every one must match.
//                          Each carries its own parsed options (port ranges as [lo, hi]
//                          inclusive, marks as value/mask, conntrack state bits, ...).
//   target                 what happens on a match (Target); `none` = count only, continue.
//   pkts, bytes            the rule's counters (numbers; they only grow, -Z resets them).
//   handle                 stable identity within its table (commands work on copies of the
//                          tables, so keep per-rule runtime state by handle, not by object).
//
// A chain is an ordered Rule[] plus, for built-in chains, a policy and policy counters.
// User chains count the rules that jump or go to them (`refs`).

import type { MoreMatch } from './xt-types.ts';
export * from './xt-types.ts';
import type { MoreTarget } from './xt-target-types.ts';
export * from './xt-target-types.ts';

/** struct ipt_ip invflags bits (include/uapi/linux/netfilter_ipv4/ip_tables.h). */
export const IPT_INV_VIA_IN = 0x01;
export const IPT_INV_VIA_OUT = 0x02;
export const IPT_INV_SRCIP = 0x08;
export const IPT_INV_DSTIP = 0x10;
export const IPT_INV_FRAG = 0x20;
export const IPT_INV_PROTO = 0x40;
/** struct ipt_ip flags: match fragments (non-first ones). */
export const IPT_F_FRAG = 0x01;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface IfaceSpec {
  /** Without the trailing '+'; '' = any. */
  name: string;
  /** `name+`: any device whose name starts with `name`. */
  wildcard: boolean;
}

/** A port range, inclusive: [lo, hi]. [0, 65535] = any. */
export type PortRange = [number, number];

// ---- matches --------------------------------------------------------------------------

export const XT_TCP_INV_SRCPT = 0x01;
export const XT_TCP_INV_DSTPT = 0x02;
export const XT_TCP_INV_FLAGS = 0x04;
export const XT_TCP_INV_OPTION = 0x08;

/** -m tcp: ports, flags (`(tcpflags & flgMask) === flgCmp`), option number (0 = none). */
export interface TcpMatch {
  kind: 'tcp';
  spts: PortRange;
  dpts: PortRange;
  option: number;
  flgMask: number;
  flgCmp: number;
  invflags: number;
}

export const XT_UDP_INV_SRCPT = 0x01;
export const XT_UDP_INV_DSTPT = 0x02;

export interface UdpMatch {
  kind: 'udp';
  spts: PortRange;
  dpts: PortRange;
  invflags: number;
}

/** -m icmp: type 255 = any type; codes [codeMin, codeMax]. */
export interface IcmpMatch {
  kind: 'icmp';
  type: number;
  codeMin: number;
  codeMax: number;
  invert: boolean;
}

/** xt_conntrack match_flags / invert_flags bits. */
export const XT_CONNTRACK_STATE = 1 << 0;
export const XT_CONNTRACK_PROTO = 1 << 1;
export const XT_CONNTRACK_ORIGSRC = 1 << 2;
export const XT_CONNTRACK_ORIGDST = 1 << 3;
export const XT_CONNTRACK_REPLSRC = 1 << 4;
export const XT_CONNTRACK_REPLDST = 1 << 5;
export const XT_CONNTRACK_STATUS = 1 << 6;
export const XT_CONNTRACK_EXPIRES = 1 << 7;
export const XT_CONNTRACK_ORIGSRC_PORT = 1 << 8;
export const XT_CONNTRACK_ORIGDST_PORT = 1 << 9;
export const XT_CONNTRACK_REPLSRC_PORT = 1 << 10;
export const XT_CONNTRACK_REPLDST_PORT = 1 << 11;
/** In invert_flags: direction REPLY (else ORIGINAL). */
export const XT_CONNTRACK_DIRECTION = 1 << 12;
/** Made by `-m state` (printed and saved as `state`). */
export const XT_CONNTRACK_STATE_ALIAS = 1 << 13;

/** state_mask bits: XT_CONNTRACK_STATE_BIT(ctinfo) = 1 << (ctinfo + 1). */
export const CT_STATE_INVALID = 1 << 0;
export const CT_STATE_ESTABLISHED = 1 << 1;
export const CT_STATE_RELATED = 1 << 2;
export const CT_STATE_NEW = 1 << 3;
export const CT_STATE_UNTRACKED = 1 << 8;
export const CT_STATE_SNAT = 1 << 9;
export const CT_STATE_DNAT = 1 << 10;

/** status_mask bits (enum ip_conntrack_status). */
export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_CONFIRMED = 1 << 3;

/** -m conntrack (revision 3) and -m state: only the fields named in matchFlags are tested. */
export interface ConntrackMatch {
  kind: 'conntrack';
  matchFlags: number;
  invertFlags: number;
  stateMask: number;
  statusMask: number;
  l4proto: number;
  origSrc: number;
  origSrcMask: number;
  origDst: number;
  origDstMask: number;
  replSrc: number;
  replSrcMask: number;
  replDst: number;
  replDstMask: number;
  origSrcPort: PortRange;
  origDstPort: PortRange;
  replSrcPort: PortRange;
  replDstPort: PortRange;
  /** Remaining lifetime in seconds, inclusive. */
  expires: [number, number];
}

/** RTN_* route types, bit (1 << type) in the addrtype masks. */
export const RTN_NAMES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'] as const;
export const XT_ADDRTYPE_INVERT_SOURCE = 0x1;
export const XT_ADDRTYPE_INVERT_DEST = 0x2;
export const XT_ADDRTYPE_LIMIT_IFACE_IN = 0x4;
export const XT_ADDRTYPE_LIMIT_IFACE_OUT = 0x8;

/** -m addrtype (revision 1): source/dest are masks of (1 << RTN_type); 0 = not tested. */
export interface AddrtypeMatch {
  kind: 'addrtype';
  source: number;
  dest: number;
  flags: number;
}

export interface CommentMatch {
  kind: 'comment';
  comment: string;
}

/** -m mark: `((skb.mark & mask) === mark) !== invert`. */
export interface MarkMatch {
  kind: 'mark';
  mark: number;
  mask: number;
  invert: boolean;
}

export const XT_MULTIPORT_SOURCE = 0;
export const XT_MULTIPORT_DESTINATION = 1;
export const XT_MULTIPORT_EITHER = 2;

/** -m multiport (revision 1): up to 15 port slots; a range [lo, hi] (lo < hi) takes two. */
export interface MultiportMatch {
  kind: 'multiport';
  flags: number;
  ports: PortRange[];
  invert: boolean;
}

export const IPRANGE_SRC = 0x01;
export const IPRANGE_DST = 0x02;
export const IPRANGE_SRC_INV = 0x10;
export const IPRANGE_DST_INV = 0x20;

/** -m iprange (revision 1): inclusive uint32 ranges. */
export interface IprangeMatch {
  kind: 'iprange';
  flags: number;
  srcMin: number;
  srcMax: number;
  dstMin: number;
  dstMax: number;
}

/** XT_LIMIT_SCALE: `avg` is the time between packets in 1/10000 s. */
export const XT_LIMIT_SCALE = 10000;

/** -m limit: token bucket, one token every avg/XT_LIMIT_SCALE s, at most `burst` tokens. */
export interface LimitMatch {
  kind: 'limit';
  avg: number;
  burst: number;
}

export const XT_PHYSDEV_OP_IN = 0x01;
export const XT_PHYSDEV_OP_OUT = 0x02;
export const XT_PHYSDEV_OP_BRIDGED = 0x04;
export const XT_PHYSDEV_OP_ISIN = 0x08;
export const XT_PHYSDEV_OP_ISOUT = 0x10;

/** -m physdev: bridge port names (as typed, a trailing '+' is a prefix match). */
export interface PhysdevMatch {
  kind: 'physdev';
  physindev: string;
  physoutdev: string;
  bitmask: number;
  invert: number;
}

export type Match =
  | TcpMatch
  | UdpMatch
  | IcmpMatch
  | ConntrackMatch
  | AddrtypeMatch
  | CommentMatch
  | MarkMatch
  | MultiportMatch
  | IprangeMatch
  | LimitMatch
  | PhysdevMatch
  | MoreMatch;

// ---- targets --------------------------------------------------------------------------

export type Verdict = 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE';

/** ipt_reject_with values (index into the REJECT type table). */
export const IPT_ICMP_NET_UNREACHABLE = 0;
export const IPT_ICMP_HOST_UNREACHABLE = 1;
export const IPT_ICMP_PROT_UNREACHABLE = 2;
export const IPT_ICMP_PORT_UNREACHABLE = 3;
export const IPT_ICMP_NET_PROHIBITED = 5;
export const IPT_ICMP_HOST_PROHIBITED = 6;
export const IPT_TCP_RESET = 7;
export const IPT_ICMP_ADMIN_PROHIBITED = 8;

/** LOG logflags bits. */
export const XT_LOG_TCPSEQ = 0x01;
export const XT_LOG_TCPOPT = 0x02;
export const XT_LOG_IPOPT = 0x04;
export const XT_LOG_UID = 0x08;
export const XT_LOG_MACDECODE = 0x20;

export const XT_CONNMARK_SET = 0;
export const XT_CONNMARK_SAVE = 1;
export const XT_CONNMARK_RESTORE = 2;

/** nf_nat_range flags. */
export const NF_NAT_RANGE_MAP_IPS = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4;
export const NF_NAT_RANGE_PROTO_OFFSET = 1 << 5;

/** CT target flags. */
export const XT_CT_NOTRACK = 1 << 0;
export const XT_CT_NOTRACK_ALIAS = 1 << 1;
export const XT_CT_ZONE_DIR_ORIG = 1 << 2;
export const XT_CT_ZONE_DIR_REPL = 1 << 3;
export const XT_CT_ZONE_MARK = 1 << 4;

export type Target =
  /** No -j: the rule only counts. */
  | { kind: 'none' }
  | { kind: 'verdict'; verdict: Verdict }
  /** -j CHAIN, or -g CHAIN (goto: no return to this chain). */
  | { kind: 'jump'; chain: string; goto: boolean }
  | { kind: 'REJECT'; with: number }
  | { kind: 'LOG'; level: number; logflags: number; prefix: string }
  /** MARK (revision 2): mark = (mark & ~mask) ^ value. */
  | { kind: 'MARK'; mark: number; mask: number }
  /** CONNMARK (revision 2). set: ctmark = (ctmark & ~ctmask) ^ ctmark-value; save/restore copy through the masks and shift. */
  | { kind: 'CONNMARK'; mode: number; ctmark: number; ctmask: number; nfmask: number; shiftDir: number; shiftBits: number }
  /** SNAT, DNAT, MASQUERADE, REDIRECT: an nf_nat_range2 (addresses and ports inclusive). */
  | NatTarget
  /** CT (revision 2) and its NOTRACK alias. */
  | CtTarget
  /** TCPMSS, CHECKSUM, TOS, DSCP, TTL, NFLOG, NFQUEUE, TRACE, SET, CLASSIFY, AUDIT. */
  | MoreTarget;

export interface NatTarget {
  kind: 'SNAT' | 'DNAT' | 'MASQUERADE' | 'REDIRECT';
  flags: number;
  minAddr: number;
  maxAddr: number;
  minPort: number;
  maxPort: number;
  basePort: number;
}

export interface CtTarget {
  kind: 'CT';
  flags: number;
  helper: string;
  timeout: string;
  zone: number;
  ctEvents: number;
  expEvents: number;
}

export interface Rule {
  src: number;
  smsk: number;
  dst: number;
  dmsk: number;
  iniface: IfaceSpec;
  outiface: IfaceSpec;
  proto: number;
  flags: number;
  invflags: number;
  matches: Match[];
  target: Target;
  pkts: number;
  bytes: number;
  /** Set when the rule enters a table (unique per table, kept by later commands), so the
   * packet path can keep per-rule state (a limit's tokens) across commits; 0 before. */
  handle: number;
}

export type Policy = 'ACCEPT' | 'DROP';
