// IPv4 (print-ip.c): `IP 10.0.0.1 > 10.0.0.2: ...`; with -v the header line
// `IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 84)` and the rest on
// the next line after four spaces. Hands the payload to the transport printers (ip_demux_print):
// ICMP, IGMP, TCP, UDP and IP-in-IP are decoded; other protocols tcpdump has printers for (GRE,
// ESP, AH, OSPF, PIM, VRRP, SCTP, DCCP, ...) print in the generic ` ip-proto-N LENGTH` form.
import { bittok2str, cksumResult, cksumShouldBe, hexNum, onesSum, tok2str, TRUNCATED, type Ctx, type Tok } from './context.ts';
import { icmpPrint } from './icmp.ts';
import { igmpPrint } from './igmp.ts';
import { ipOptPrint } from './ip-options.ts';
import { tcpPrint } from './tcp.ts';
import { udpPrint } from './udp.ts';

export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_IPV4 = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_NONE = 59;
const IPPROTO_ND = 77;
const IPPROTO_SCTP = 132;
const IPPROTO_ETHERNET = 143;

/** Protocols whose own printers show the addresses (with the ports). */
function printsOwnAddresses(nh: number): boolean {
  return nh === IPPROTO_TCP || nh === IPPROTO_UDP || nh === IPPROTO_SCTP || nh === IPPROTO_DCCP;
}

const IP_MF = 0x2000;
const IP_OFFMASK = 0x1fff;

export const IPPROTO_VALUES: Tok = new Map([
  [0, 'Options'],
  [1, 'ICMP'],
  [2, 'IGMP'],
  [4, 'IPIP'],
  [6, 'TCP'],
  [8, 'EGP'],
  [9, 'IGRP'],
  [17, 'UDP'],
  [33, 'DCCP'],
  [41, 'IPv6'],
  [43, 'Routing'],
  [44, 'Fragment'],
  [46, 'RSVP'],
  [47, 'GRE'],
  [50, 'ESP'],
  [51, 'AH'],
  [55, 'Mobile IP'],
  [58, 'ICMPv6'],
  [62, 'Mobile IP (old)'],
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [108, 'Compressed IP'],
  [112, 'VRRP'],
  [113, 'PGM'],
  [132, 'SCTP'],
  [135, 'Mobility'],
  [143, 'Ethernet'],
]);

const IP_FRAG_VALUES: ReadonlyArray<readonly [number, string]> = [
  [0x2000, '+'],
  [0x4000, 'DF'],
  [0x8000, 'rsvd'],
];

/** Source and destination of the IPv4 header at `ip`: `10.0.0.1 > 10.0.0.2`. */
export function ipAddrs(c: Ctx, ip: number): string {
  return `${c.ipaddr(ip + 12)} > ${c.ipaddr(ip + 16)}`;
}

/** Prints the IPv4 packet at `bp`; `length` is what the link layer says follows its header. */
export function ipPrint(c: Ctx, bp: number, length: number): void {
  c.protocol = 'ip';
  const version = c.u8(bp) >> 4;
  if (version !== 4) {
    c.print(version === 6 ? 'IP6, wrong link-layer encapsulation' : `IP${version}`);
    c.invalid();
    return;
  }
  if (!c.eflag) c.print('IP ');
  if (!c.ttest(bp, 20)) {
    c.trunc();
    return;
  }
  if (length < 20) {
    c.print(`truncated-ip ${length}`);
    return;
  }
  const hlen = (c.u8(bp) & 0x0f) * 4;
  if (hlen < 20) {
    c.print(`bad-hlen ${hlen}`);
    return;
  }
  const totalLength = c.u16(bp + 2);
  if (length < totalLength) c.print(`truncated-ip - ${totalLength - length} bytes missing! `);
  if (totalLength < hlen) {
    c.print(`bad-len ${totalLength}`);
    return;
  }
  const saved = c.pushSnaplen(bp, totalLength);
  const len = totalLength - hlen;
  const off = c.u16(bp + 6);
  const proto = c.u8(bp + 9);
  if (c.vflag) {
    const tos = c.u8(bp + 1);
    c.print(`(tos 0x${hexNum(tos)}`);
    c.print(['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 0x03]);
    const ttl = c.u8(bp + 8);
    if (ttl >= 1) c.print(`, ttl ${ttl}`);
    c.print(
      `, id ${c.u16(bp + 4)}, offset ${(off & IP_OFFMASK) * 8}, ` +
        `flags [${bittok2str(IP_FRAG_VALUES, 'none', off & 0xe000)}], ` +
        `proto ${tok2str(IPPROTO_VALUES, 'unknown', proto)} (${proto})`,
    );
    c.print(`, length ${c.u16(bp + 2)}`);
    let truncated = false;
    if (hlen > 20) {
      c.print(', options (');
      if (!ipOptPrint(c, bp + 20, hlen - 20)) {
        c.print(' [truncated-option]');
        truncated = true;
      }
      c.print(')');
    }
    if (bp + hlen <= c.snapend) {
      const sum = cksumResult(onesSum(c.b, bp, hlen));
      if (sum !== 0) {
        const field = c.u16(bp + 10);
        c.print(`, bad cksum ${hexNum(field)} (->${hexNum(cksumShouldBe(field, sum))})!`);
      }
    }
    c.print(')\n    ');
    if (truncated) {
      c.print(`${ipAddrs(c, bp)}: `);
      c.trunc();
      c.snapend = saved;
      return;
    }
  }
  if ((off & IP_OFFMASK) === 0) {
    const nh = c.u8(bp + 9);
    if (!printsOwnAddresses(nh)) c.print(`${ipAddrs(c, bp)}: `);
    if (!c.ttest(bp, hlen)) {
      c.print(` [remaining caplen(${c.avail(bp)}) < header length(${hlen})]`);
      throw TRUNCATED;
    }
    ipDemux(c, bp + hlen, len, (off & IP_MF) !== 0, nh, bp);
  } else {
    c.print(`${ipAddrs(c, bp)}: ip-proto-${proto}`);
  }
  c.snapend = saved;
}

/** Hands the IPv4 payload at `bp` to the printer for protocol `nh` (ip_demux_print). */
function ipDemux(c: Ctx, bp: number, length: number, fragmented: boolean, nh: number, iph: number): void {
  switch (nh) {
    case IPPROTO_TCP:
      tcpPrint(c, bp, length, iph, fragmented);
      break;
    case IPPROTO_UDP:
      udpPrint(c, bp, length, iph, fragmented);
      break;
    case IPPROTO_ICMP:
      icmpPrint(c, bp, length, fragmented);
      break;
    case IPPROTO_IGMP:
      igmpPrint(c, bp, length);
      break;
    case IPPROTO_IPV4:
      ipPrint(c, bp, length);
      break;
    case IPPROTO_ICMPV6:
    case IPPROTO_ETHERNET:
      c.print(`[${tok2str(IPPROTO_VALUES, 'unknown', nh)} requires IPv6]`);
      c.invalid();
      break;
    case IPPROTO_SCTP:
    case IPPROTO_DCCP:
      // Not decoded: the addresses their printers would show, then the generic form.
      c.print(`${ipAddrs(c, iph)}:  ip-proto-${nh} ${length}`);
      break;
    case IPPROTO_ND:
      c.print(` nd ${length}`);
      break;
    case IPPROTO_NONE:
      c.print('no next header');
      break;
    default:
      c.print(` ip-proto-${nh} ${length}`);
      break;
  }
}
