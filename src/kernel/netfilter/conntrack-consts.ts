// Conntrack's kernel enums and bits (include/uapi/linux/netfilter/nf_conntrack_common.h).
/** enum ip_conntrack_info. */
export const IP_CT_ESTABLISHED = 0;
export const IP_CT_RELATED = 1;
export const IP_CT_NEW = 2;
export const IP_CT_IS_REPLY = 3;
export const IP_CT_ESTABLISHED_REPLY = 3;
export const IP_CT_RELATED_REPLY = 4;
export const IP_CT_UNTRACKED = 7;

/** enum ip_conntrack_status bits. */
export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_CONFIRMED = 1 << 3;
export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT;
export const IPS_SEQ_ADJUST = 1 << 6;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;
export const IPS_DYING = 1 << 9;
export const IPS_FIXED_TIMEOUT = 1 << 10;

/** enum ip_conntrack_events bits (IPCT_*). */
export const IPCT_NEW = 1 << 0;
export const IPCT_RELATED = 1 << 1;
export const IPCT_DESTROY = 1 << 2;
export const IPCT_REPLY = 1 << 3;
export const IPCT_ASSURED = 1 << 4;
export const IPCT_PROTOINFO = 1 << 5;
export const IPCT_MARK = 1 << 7;

/** enum tcp_conntrack. */
export const TCP_CONNTRACK_NAMES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'] as const;
