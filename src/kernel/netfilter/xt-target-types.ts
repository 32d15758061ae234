// The compiled form of the TCPMSS, CHECKSUM, TOS, DSCP, TTL, NFLOG, NFQUEUE, TRACE, SET, CLASSIFY
// and AUDIT targets (their xt_*_info structs as iptables-nft reads them back), part of
// types.ts's Target union.

/** xt_tcpmss_info.mss: this value means --clamp-mss-to-pmtu. */
export const XT_TCPMSS_CLAMP_PMTU = 0xffff;

export interface TcpmssTarget {
  kind: 'TCPMSS';
  mss: number;
}

/** XT_CHECKSUM_OP_FILL. */
export interface ChecksumTarget {
  kind: 'CHECKSUM';
  operation: number;
}

/** TOS (revision 1): tos = (tos & ~mask) ^ value. */
export interface TosTarget {
  kind: 'TOS';
  value: number;
  mask: number;
}

/** DSCP: the upper six bits of the TOS byte, ECN kept. */
export interface DscpTarget {
  kind: 'DSCP';
  dscp: number;
}

export const IPT_TTL_SET = 0;
export const IPT_TTL_INC = 1;
export const IPT_TTL_DEC = 2;

export interface TtlTarget {
  kind: 'TTL';
  mode: number;
  ttl: number;
}

/** xt_nflog_info.flags: --nflog-size given. */
export const XT_NFLOG_F_COPY_LEN = 0x1;

export interface NflogTarget {
  kind: 'NFLOG';
  group: number;
  prefix: string;
  len: number;
  flags: number;
  /** 0 when not given (iptables-nft reads an absent queue threshold back as 0). */
  threshold: number;
}

export const NFQ_FLAG_BYPASS = 0x01;
export const NFQ_FLAG_CPU_FANOUT = 0x02;

/** NFQUEUE (revision 3): queues queuenum .. queuenum + total - 1. */
export interface NfqueueTarget {
  kind: 'NFQUEUE';
  queuenum: number;
  total: number;
  flags: number;
}

export interface TraceTarget {
  kind: 'TRACE';
}

/** SET: never built (there is no ipset: naming a set fails while parsing). */
export interface SetTarget {
  kind: 'SET';
  addSet: string;
  delSet: string;
}

/** CLASSIFY: skb->priority = major << 16 | minor. */
export interface ClassifyTarget {
  kind: 'CLASSIFY';
  priority: number;
}

export const XT_AUDIT_TYPE_ACCEPT = 0;
export const XT_AUDIT_TYPE_DROP = 1;
export const XT_AUDIT_TYPE_REJECT = 2;

export interface AuditTarget {
  kind: 'AUDIT';
  type: number;
}

export type MoreTarget =
  | TcpmssTarget
  | ChecksumTarget
  | TosTarget
  | DscpTarget
  | TtlTarget
  | NflogTarget
  | NfqueueTarget
  | TraceTarget
  | SetTarget
  | ClassifyTarget
  | AuditTarget;
