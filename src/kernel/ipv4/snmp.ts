// The SNMP counters of a namespace (/proc/net/snmp, `nstat`): one Float64Array per group,
// indexed by constants, so the packet path counts with a single typed-array increment.

export const IP_FIELDS = [
  'Forwarding', 'DefaultTTL', 'InReceives', 'InHdrErrors', 'InAddrErrors', 'ForwDatagrams', 'InUnknownProtos',
  'InDiscards', 'InDelivers', 'OutRequests', 'OutDiscards', 'OutNoRoutes', 'ReasmTimeout', 'ReasmReqds',
  'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails', 'FragCreates', 'OutTransmits',
] as const;
export const ICMP_FIELDS = [
  'InMsgs', 'InErrors', 'InCsumErrors', 'InDestUnreachs', 'InTimeExcds', 'InParmProbs', 'InSrcQuenchs',
  'InRedirects', 'InEchos', 'InEchoReps', 'InTimestamps', 'InTimestampReps', 'InAddrMasks', 'InAddrMaskReps',
  'OutMsgs', 'OutErrors', 'OutRateLimitGlobal', 'OutRateLimitHost', 'OutDestUnreachs', 'OutTimeExcds',
  'OutParmProbs', 'OutSrcQuenchs', 'OutRedirects', 'OutEchos', 'OutEchoReps', 'OutTimestamps',
  'OutTimestampReps', 'OutAddrMasks', 'OutAddrMaskReps',
] as const;
export const UDP_FIELDS = [
  'InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors',
  'IgnoredMulti', 'MemErrors',
] as const;
export const TCP_FIELDS = [
  'RtoAlgorithm', 'RtoMin', 'RtoMax', 'MaxConn', 'ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets',
  'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts', 'InCsumErrors',
] as const;

/** /proc/net/netstat's IpExt group. */
export const IPEXT_FIELDS = [
  'InNoRoutes', 'InTruncatedPkts', 'InMcastPkts', 'OutMcastPkts', 'InBcastPkts', 'OutBcastPkts', 'InOctets',
  'OutOctets', 'InMcastOctets', 'OutMcastOctets', 'InBcastOctets', 'OutBcastOctets', 'InCsumErrors',
  'InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts', 'InCEPkts', 'ReasmOverlaps',
] as const;
export const IPEXT_IN_NO_ROUTES = 0;
export const IPEXT_IN_TRUNCATED = 1;
export const IPEXT_IN_BCAST_PKTS = 4;
export const IPEXT_OUT_BCAST_PKTS = 5;
export const IPEXT_IN_OCTETS = 6;
export const IPEXT_OUT_OCTETS = 7;
export const IPEXT_IN_BCAST_OCTETS = 10;
export const IPEXT_OUT_BCAST_OCTETS = 11;
export const IPEXT_IN_CSUM_ERRORS = 12;
/** InNoECTPkts + the packet's ECN codepoint (0–3) gives its counter. */
export const IPEXT_IN_NOECT = 13;
export const IPEXT_REASM_OVERLAPS = 17;

// Ip indices used on the packet path.
export const IP_IN_RECEIVES = 2;
export const IP_IN_HDR_ERRORS = 3;
export const IP_IN_ADDR_ERRORS = 4;
export const IP_FORW_DATAGRAMS = 5;
export const IP_IN_UNKNOWN_PROTOS = 6;
export const IP_IN_DISCARDS = 7;
export const IP_IN_DELIVERS = 8;
export const IP_OUT_REQUESTS = 9;
export const IP_OUT_DISCARDS = 10;
export const IP_OUT_NO_ROUTES = 11;
export const IP_REASM_TIMEOUT = 12;
export const IP_REASM_REQDS = 13;
export const IP_REASM_OKS = 14;
export const IP_REASM_FAILS = 15;
export const IP_FRAG_OKS = 16;
export const IP_FRAG_FAILS = 17;
export const IP_FRAG_CREATES = 18;
export const IP_OUT_TRANSMITS = 19;

// Icmp indices.
export const ICMP_IN_MSGS = 0;
export const ICMP_IN_ERRORS = 1;
export const ICMP_IN_CSUM_ERRORS = 2;
/** In<Type> counters start here, in the order of ICMP_FIELDS (dest unreach … addr mask reply). */
export const ICMP_OUT_MSGS = 14;
export const ICMP_OUT_ERRORS = 15;
export const ICMP_OUT_RATELIMIT_GLOBAL = 16;
export const ICMP_OUT_RATELIMIT_HOST = 17;

/** The In/Out per-type counter index for ICMP type `t`, or -1 for types SNMP does not count. */
export function icmpTypeIndex(t: number, out: boolean): number {
  const base = out ? 18 : 3;
  switch (t) {
    case 3: return base;
    case 11: return base + 1;
    case 12: return base + 2;
    case 4: return base + 3;
    case 5: return base + 4;
    case 8: return base + 5;
    case 0: return base + 6;
    case 13: return base + 7;
    case 14: return base + 8;
    case 17: return base + 9;
    case 18: return base + 10;
    default: return -1;
  }
}

// Udp indices.
export const UDP_IN_DATAGRAMS = 0;
export const UDP_NO_PORTS = 1;
export const UDP_IN_ERRORS = 2;
export const UDP_OUT_DATAGRAMS = 3;
export const UDP_RCVBUF_ERRORS = 4;
export const UDP_SNDBUF_ERRORS = 5;
export const UDP_IN_CSUM_ERRORS = 6;
export const UDP_IGNORED_MULTI = 7;

export class Snmp {
  readonly ip = new Float64Array(IP_FIELDS.length);
  readonly icmp = new Float64Array(ICMP_FIELDS.length);
  /** IcmpMsg: InType<N> / OutType<N> for every type seen. */
  readonly icmpMsgIn = new Float64Array(256);
  readonly icmpMsgOut = new Float64Array(256);
  readonly udp = new Float64Array(UDP_FIELDS.length);
  readonly tcp = new Float64Array(TCP_FIELDS.length);
  readonly ipExt = new Float64Array(IPEXT_FIELDS.length);
  /** Counters of other groups by nstat's name (Ip6OutRequests, …), for the few events nslab counts there. */
  readonly extra = new Map<string, number>();

  constructor() {
    this.ip[0] = 2; // Forwarding: 2 = not forwarding (1 when ip_forward is on)
    this.ip[1] = 64;
    this.tcp.set([1, 200, 120000, -1]);
  }

  /** Every counter by nstat's name (IpInReceives, IcmpMsgOutType8, IpExtInOctets, …). */
  byName(): Map<string, number> {
    const m = new Map<string, number>();
    IP_FIELDS.forEach((f, i) => m.set(`Ip${f}`, this.ip[i]));
    ICMP_FIELDS.forEach((f, i) => m.set(`Icmp${f}`, this.icmp[i]));
    for (let t = 0; t < 256; t++) if (this.icmpMsgIn[t]) m.set(`IcmpMsgInType${t}`, this.icmpMsgIn[t]);
    for (let t = 0; t < 256; t++) if (this.icmpMsgOut[t]) m.set(`IcmpMsgOutType${t}`, this.icmpMsgOut[t]);
    TCP_FIELDS.forEach((f, i) => m.set(`Tcp${f}`, this.tcp[i]));
    UDP_FIELDS.forEach((f, i) => m.set(`Udp${f}`, this.udp[i]));
    IPEXT_FIELDS.forEach((f, i) => m.set(`IpExt${f}`, this.ipExt[i]));
    for (const [k, v] of this.extra) m.set(k, v);
    return m;
  }

  /** /proc/net/snmp as the kernel prints it (the IPv4 groups this emulator has). */
  procNetSnmp(forwarding = false, defaultTtl = 64): string {
    this.ip[0] = forwarding ? 1 : 2;
    this.ip[1] = defaultTtl;
    const group = (name: string, fields: readonly string[], values: Float64Array): string =>
      `${name}: ${fields.join(' ')}\n${name}: ${[...values].map((v) => String(v)).join(' ')}\n`;
    let s = group('Ip', IP_FIELDS, this.ip) + group('Icmp', ICMP_FIELDS, this.icmp);
    const msgIn: string[] = [];
    const msgOut: string[] = [];
    const vals: number[] = [];
    for (let t = 0; t < 256; t++) {
      if (this.icmpMsgIn[t]) { msgIn.push(`InType${t}`); vals.push(this.icmpMsgIn[t]); }
    }
    for (let t = 0; t < 256; t++) {
      if (this.icmpMsgOut[t]) { msgOut.push(`OutType${t}`); vals.push(this.icmpMsgOut[t]); }
    }
    if (vals.length) s += `IcmpMsg: ${[...msgIn, ...msgOut].join(' ')}\nIcmpMsg: ${vals.join(' ')}\n`;
    s += group('Tcp', TCP_FIELDS, this.tcp) + group('Udp', UDP_FIELDS, this.udp);
    s += group('UdpLite', UDP_FIELDS, new Float64Array(UDP_FIELDS.length));
    return s;
  }
}
