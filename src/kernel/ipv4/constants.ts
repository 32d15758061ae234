// rtnetlink constants for IPv4 routes, addresses and rules, with the names iproute2 prints.

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

export type RouteType =
  | 'unspec' | 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast'
  | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat' | 'xresolve';

export const ROUTE_TYPES: readonly RouteType[] = [
  'unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve',
];

export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;

/** "forever" lifetimes. */
export const INFINITY_LIFE_TIME = 0xffffffff;

/** Names in /etc/iproute2/rt_tables (table names iproute2 prints). */
export function tableName(id: number): string {
  switch (id) {
    case RT_TABLE_DEFAULT: return 'default';
    case RT_TABLE_MAIN: return 'main';
    case RT_TABLE_LOCAL: return 'local';
    case RT_TABLE_UNSPEC: return 'unspec';
    default: return String(id);
  }
}

export function scopeName(scope: number): string {
  switch (scope) {
    case RT_SCOPE_UNIVERSE: return 'global';
    case RT_SCOPE_SITE: return 'site';
    case RT_SCOPE_LINK: return 'link';
    case RT_SCOPE_HOST: return 'host';
    case RT_SCOPE_NOWHERE: return 'nowhere';
    default: return String(scope);
  }
}

export function protocolName(proto: number): string {
  switch (proto) {
    case RTPROT_UNSPEC: return 'unspec';
    case RTPROT_REDIRECT: return 'redirect';
    case RTPROT_KERNEL: return 'kernel';
    case RTPROT_BOOT: return 'boot';
    case RTPROT_STATIC: return 'static';
    case 8: return 'gated';
    case 9: return 'ra';
    case 10: return 'mrt';
    case 11: return 'zebra';
    case 12: return 'bird';
    case 13: return 'dnrouted';
    case 14: return 'xorp';
    case 15: return 'ntk';
    case 16: return 'dhcp';
    case 18: return 'keepalived';
    case 42: return 'babel';
    case 99: return 'openr';
    case 186: return 'bgp';
    case 187: return 'isis';
    case 188: return 'ospf';
    case 189: return 'rip';
    case 192: return 'eigrp';
    default: return String(proto);
  }
}

/** rtm_type values (RTN_*), indexed by the names in ROUTE_TYPES. */
export function routeTypeCode(t: RouteType): number {
  return ROUTE_TYPES.indexOf(t);
}

/** Route cache flags (RTCF_*) that `ip route get` prints after `cache`. */
export const RTCF_NOTIFY = 0x00010000;
export const RTCF_DIRECTDST = 0x00020000;
export const RTCF_REDIRECTED = 0x00040000;
export const RTCF_TPROXY = 0x00080000;
export const RTCF_FAST = 0x00200000;
export const RTCF_MASQ = 0x00400000;
export const RTCF_SNAT = 0x00800000;
export const RTCF_DOREDIRECT = 0x01000000;
export const RTCF_DIRECTSRC = 0x04000000;
export const RTCF_DNAT = 0x08000000;
export const RTCF_BROADCAST = 0x10000000;
export const RTCF_MULTICAST = 0x20000000;
export const RTCF_REJECT = 0x40000000;
export const RTCF_LOCAL = 0x80000000;

/** rtm_flags bits (RTM_F_*). */
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_CLONED = 0x200;
export const RTM_F_OFFLOAD = 0x2000;
export const RTM_F_TRAP = 0x4000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

/** Neighbour states (NUD_*). */
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_DELAY = 0x08;
export const NUD_PROBE = 0x10;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NUD_NONE = 0x00;
export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

/** Neighbour flags (NTF_*). */
export const NTF_USE = 0x01;
export const NTF_SELF = 0x02;
export const NTF_MASTER = 0x04;
export const NTF_PROXY = 0x08;
export const NTF_EXT_LEARNED = 0x10;
export const NTF_OFFLOADED = 0x20;
export const NTF_STICKY = 0x40;
export const NTF_ROUTER = 0x80;

/** Policy rule flags (FIB_RULE_*) and actions (FR_ACT_*). */
export const FIB_RULE_PERMANENT = 0x01;
export const FIB_RULE_INVERT = 0x02;
export const FIB_RULE_UNRESOLVED = 0x04;
export const FIB_RULE_IIF_DETACHED = 0x08;
export const FIB_RULE_OIF_DETACHED = 0x10;

/** The loopback device's ifindex in every namespace (LOOPBACK_IFINDEX). */
export const LOOPBACK_IFINDEX = 1;

/** IPv4 address classes the routing code tests (ipv4_is_*). */
export function isMulticast(a: number): boolean {
  return (a >>> 28) === 0xe;
}
export function isLocalMulticast(a: number): boolean {
  return (a >>> 8) === 0xe00000;
}
export function isLbcast(a: number): boolean {
  return a >>> 0 === 0xffffffff;
}
/** Only 0.0.0.0 since Linux 5.3 (0.0.0.0/8 became usable). */
export function isZeronet(a: number): boolean {
  return a >>> 0 === 0;
}
export function isLoopback(a: number): boolean {
  return (a >>> 24) === 127;
}
