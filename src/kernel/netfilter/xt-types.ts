// The compiled form of the statistic, recent, connmark, pkttype, length, ttl, tos, dscp, mac,
// helper, owner and set matches (their xt_*_info structs), part of types.ts's Match union.

export const XT_STATISTIC_MODE_RANDOM = 0;
export const XT_STATISTIC_MODE_NTH = 1;

/** -m statistic: random (probability out of 2^31) or every nth packet. `every` is stored minus
 * one and `count` is the counter's first value (every - packet), as the kernel gets them. */
export interface StatisticMatch {
  kind: 'statistic';
  mode: number;
  invert: boolean;
  probability: number;
  every: number;
  packet: number;
  count: number;
}

export const XT_RECENT_CHECK = 1 << 0;
export const XT_RECENT_SET = 1 << 1;
export const XT_RECENT_UPDATE = 1 << 2;
export const XT_RECENT_REMOVE = 1 << 3;
export const XT_RECENT_TTL = 1 << 4;
export const XT_RECENT_REAP = 1 << 5;
export const XT_RECENT_SOURCE = 0;
export const XT_RECENT_DEST = 1;
/** XT_RECENT_MAX_NSTAMPS (65536 in Linux 6.18): --hitcount must stay below. */
export const XT_RECENT_MAX_NSTAMPS = 65536;

/** -m recent (revision 1). */
export interface RecentMatch {
  kind: 'recent';
  seconds: number;
  hitCount: number;
  checkSet: number;
  invert: boolean;
  name: string;
  side: number;
  mask: number;
}

/** -m connmark (revision 1): `((ct.mark & mask) === mark) !== invert`; no connection: no match. */
export interface ConnmarkMatch {
  kind: 'connmark';
  mark: number;
  mask: number;
  invert: boolean;
}

/** -m pkttype: a PACKET_* value. */
export interface PkttypeMatch {
  kind: 'pkttype';
  pktType: number;
  invert: boolean;
}

/** -m length: the IP total length, inclusive. */
export interface LengthMatch {
  kind: 'length';
  min: number;
  max: number;
  invert: boolean;
}

export const IPT_TTL_EQ = 0;
export const IPT_TTL_NE = 1;
export const IPT_TTL_LT = 2;
export const IPT_TTL_GT = 3;

export interface TtlMatch {
  kind: 'ttl';
  mode: number;
  ttl: number;
}

/** -m tos (revision 1): `((tos & mask) === value) !== invert`. */
export interface TosMatch {
  kind: 'tos';
  value: number;
  mask: number;
  invert: boolean;
}

/** -m dscp: the upper six bits of the TOS byte. */
export interface DscpMatch {
  kind: 'dscp';
  dscp: number;
  invert: boolean;
}

/** -m mac: the Ethernet source address, as 6 bytes. */
export interface MacMatch {
  kind: 'mac';
  src: number[];
  invert: boolean;
}

/** -m helper: the connection's master's helper (none exists in nslab). */
export interface HelperMatch {
  kind: 'helper';
  name: string;
  invert: boolean;
}

export const XT_OWNER_UID = 1 << 0;
export const XT_OWNER_GID = 1 << 1;
export const XT_OWNER_SOCKET = 1 << 2;
export const XT_OWNER_SUPPL_GROUPS = 1 << 3;

/** -m owner (revision 1). */
export interface OwnerMatch {
  kind: 'owner';
  uidMin: number;
  uidMax: number;
  gidMin: number;
  gidMax: number;
  match: number;
  invert: number;
}

/** -m set: never committed (no ipset exists); kept so a rule can be shaped before the error. */
export interface SetMatch {
  kind: 'set';
  name: string;
  flags: number;
}

export type MoreMatch =
  | StatisticMatch
  | RecentMatch
  | ConnmarkMatch
  | PkttypeMatch
  | LengthMatch
  | TtlMatch
  | TosMatch
  | DscpMatch
  | MacMatch
  | HelperMatch
  | OwnerMatch
  | SetMatch;
