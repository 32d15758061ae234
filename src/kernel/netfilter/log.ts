// The LOG target's line (xt_LOG → nf_log_packet → nf_log_syslog's nf_log_ip_packet), printed
// into the kernel log (src/kernel/kmsg.ts) at the rule's level.
//
// The line, field by field, as net/netfilter/nf_log_syslog.c builds it (every field ends with
// one space, so the line normally ends with one):
//
//   PREFIX "IN=" in "OUT=" out " "                     names, empty when there is no device
//   "PHYSIN=" dev " " / "PHYSOUT=" dev " "             br_netfilter's bridge ports, each only
//                                                      when set and not the same device as IN/OUT
//   "MAC=" …                                           only when there is an input device (so not
//                                                      on OUTPUT or POSTROUTING): see macHeader
//   "SRC=a.b.c.d DST=a.b.c.d LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u "
//                                                      TOS = tos & 0x1e, PREC = tos & 0xe0 (hex
//                                                      in upper case); LEN is the header's tot_len
//   "CE " "DF " "MF " "FRAG:%u "                       flag bits; FRAG is the raw offset field
//                                                      (units of 8 bytes), only when non-zero
//   "OPT (%02X…) "                                     --log-ip-options, when ihl > 5
//   protocol part (TCP, UDP/UDPLITE, ICMP, AH, ESP, else "PROTO=%u ")
//   "UID=%u GID=%u "                                   --log-uid: only for a full socket with a
//                                                      file; nslab has no processes, so never
//   "MARK=0x%x "                                       when skb->mark != 0 (lower-case hex)
//
// An ICMP error quotes the offending header inside "[" … "] " (one level deep; the quoted
// part never has MARK). Where the packet is too short: "INCOMPLETE [N bytes] " (N = bytes
// left, unsigned arithmetic as the kernel's), "TRUNCATED" (no space) for an IP header or IP
// options cut short, "OPT (TRUNCATED)" for TCP options. A TCP/UDP INCOMPLETE and the two
// TRUNCATED cases end the line there (no MARK); ICMP's and ESP's/AH's do not.
//
// nf_log_allowed(): on Linux a namespace other than the initial one logs nothing unless the
// global sysctl net.netfilter.nf_log_all_netns is 1. nslab behaves as if it were 1: every
// namespace's LOG rules print (into the one machine-wide log, as they would on Linux then).
//
// Nothing here runs (or allocates) unless a LOG rule matches; when one does, the line is
// built as a string: logging is a slow path in the kernel too (it takes a global lock).
import { skbPool } from '../skb.ts';
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';
import { printk } from '../kmsg.ts';
import { XT_LOG_IPOPT, XT_LOG_MACDECODE, XT_LOG_TCPOPT, XT_LOG_TCPSEQ } from './types.ts';

const ARPHRD_ETHER = 1;
const ETH_HLEN = 14;

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_UDPLITE = 136;

const ICMP_ECHOREPLY = 0;
const ICMP_DEST_UNREACH = 3;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_REDIRECT = 5;
const ICMP_ECHO = 8;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_PARAMETERPROB = 12;
const ICMP_FRAG_NEEDED = 4;
const NR_ICMP_TYPES = 18;
/** Bytes of ICMP message (header included) each type needs before its fields are printed. */
const ICMP_REQUIRED_LEN = [4, 0, 0, 28, 28, 28, 0, 0, 4, 0, 0, 28, 28, 20, 20, 0, 0, 12, 12];

/**
 * Logs the IPv4 packet at pool.nh[slot] as the LOG target does at netfilter hook `hook`
 * (0 PREROUTING … 4 POSTROUTING; the kernel's text does not depend on it). `inDev`/`outDev`
 * are the hook's devices; `physIn`/`physOut` the bridge ports br_netfilter recorded for a
 * bridged packet (undefined otherwise). `level` 0–7, `logflags` XT_LOG_* bits, `prefix` the
 * rule's --log-prefix ('' when none).
 */
export function nfLogPacket(
  ns: NetNs, slot: number, hook: number, inDev: NetDevice | undefined, outDev: NetDevice | undefined,
  physIn: NetDevice | undefined, physOut: NetDevice | undefined, level: number, logflags: number, prefix: string,
): void {
  void hook;
  const pool = skbPool;
  const b = pool.data[slot];
  const head = pool.head[slot];
  const nh = pool.nh[slot];
  // skb->len at the IP layer: from the network header to the end of the (trimmed) packet.
  const skbLen = head + pool.len[slot] - nh;
  const nul = prefix.indexOf('\0');
  let s = `${nul < 0 ? prefix : prefix.slice(0, nul)}IN=${inDev ? inDev.name : ''} OUT=${outDev ? outDev.name : ''} `;
  if (physIn !== undefined && physIn !== inDev) s += `PHYSIN=${physIn.name} `;
  if (physOut !== undefined && physOut !== outDev) s += `PHYSOUT=${physOut.name} `;
  if (inDev !== undefined) s += macHeader(b, head, nh, inDev, logflags);
  s += dumpIpv4(b, nh, skbLen, 0, logflags, pool.mark[slot]);
  printk(ns.world, level, s, ns.name);
}

/**
 * dump_mac_header. The device is skb->dev: the input device on the routed path and for a
 * local delivery; on br_netfilter's paths the bridge (PREROUTING) or the output port
 * (FORWARD), every one an Ethernet-like device with hard_header_len 14 (loopback too, with
 * type ARPHRD_LOOPBACK), so `inDev` stands for it.
 *
 * Without --log-macdecode: "MAC=" then, when the packet has a link header (mac_header !=
 * network_header), hard_header_len bytes of it as "%02x" joined by ':' — destination, source,
 * EtherType — then " ". With --log-macdecode on an ARPHRD_ETHER device:
 * "MACSRC=%pM MACDST=%pM MACPROTO=%04x " (nothing at all if the link header is shorter than
 * 14 bytes); other device types (loopback) fall back to MAC=.
 *
 * The kernel untags 802.1Q frames before IP sees them (the tag goes into skb metadata, and
 * the header before the network header then holds the inner EtherType): when nslab keeps a
 * tag in the frame, the EtherType is taken from just before the network header. VLAN tags in
 * skb metadata (VPROTO=/VID= with --log-macdecode) are not modelled.
 */
function macHeader(b: Uint8Array, head: number, nh: number, dev: NetDevice, logflags: number): string {
  const macLen = nh - head;
  if ((logflags & XT_LOG_MACDECODE) !== 0 && dev.type === ARPHRD_ETHER) {
    if (macLen < ETH_HLEN) return '';
    return `MACSRC=${macText(b, head + 6)} MACDST=${macText(b, head)} MACPROTO=${hex((b[nh - 2] << 8) | b[nh - 1], 4)} `;
  }
  let s = 'MAC=';
  if (macLen !== 0) {
    for (let i = 0; i < ETH_HLEN; i++) {
      // Destination and source from the frame's start, the EtherType from before the IP header.
      const at = macLen >= ETH_HLEN && i >= 12 ? nh - ETH_HLEN + i : head + i;
      s += (i === 0 ? '' : ':') + hex(b[at], 2);
    }
  }
  return s + ' ';
}

/** dump_ipv4_packet for the header at `iphoff` bytes past the network header. */
function dumpIpv4(b: Uint8Array, nh: number, skbLen: number, iphoff: number, logflags: number, mark: number): string {
  if (!has(skbLen, iphoff, 20)) return 'TRUNCATED';
  const o = nh + iphoff;
  const ihl4 = (b[o] & 0x0f) * 4;
  const tos = b[o + 1];
  const fragWord = u16(b, o + 6);
  const fragOff = fragWord & 0x1fff;
  const proto = b[o + 9];
  let s = `SRC=${ipText(b, o + 12)} DST=${ipText(b, o + 16)} `;
  s += `LEN=${u16(b, o + 2)} TOS=0x${hexUpper(tos & 0x1e)} PREC=0x${hexUpper(tos & 0xe0)} TTL=${b[o + 8]} ID=${u16(b, o + 4)} `;
  if (fragWord & 0x8000) s += 'CE ';
  if (fragWord & 0x4000) s += 'DF ';
  if (fragWord & 0x2000) s += 'MF ';
  if (fragOff !== 0) s += `FRAG:${fragOff} `;

  if ((logflags & XT_LOG_IPOPT) !== 0 && ihl4 > 20) {
    const optsize = ihl4 - 20;
    if (!has(skbLen, iphoff + 20, optsize)) return s + 'TRUNCATED';
    s += `OPT (${hexBytes(b, o + 20, optsize)}) `;
  }

  const l4 = iphoff + ihl4;
  // What is left of the packet from the transport header on (unsigned int in the kernel).
  const rest = (skbLen - iphoff - ihl4) >>> 0;
  switch (proto) {
    case IPPROTO_TCP: {
      s += 'PROTO=TCP ';
      if (fragOff !== 0) break;
      if (!has(skbLen, l4, 20)) return s + `INCOMPLETE [${(skbLen - l4) >>> 0} bytes] `;
      const t = nh + l4;
      s += `SPT=${u16(b, t)} DPT=${u16(b, t + 2)} `;
      if (logflags & XT_LOG_TCPSEQ) s += `SEQ=${u32(b, t + 4)} ACK=${u32(b, t + 8)} `;
      s += `WINDOW=${u16(b, t + 14)} `;
      s += `RES=0x${hex((b[t + 12] & 0x0e) << 2, 2)} `;
      const f = b[t + 13];
      if (b[t + 12] & 0x01) s += 'AE ';
      if (f & 0x80) s += 'CWR ';
      if (f & 0x40) s += 'ECE ';
      if (f & 0x20) s += 'URG ';
      if (f & 0x10) s += 'ACK ';
      if (f & 0x08) s += 'PSH ';
      if (f & 0x04) s += 'RST ';
      if (f & 0x02) s += 'SYN ';
      if (f & 0x01) s += 'FIN ';
      s += `URGP=${u16(b, t + 18)} `;
      const doff4 = (b[t + 12] >> 4) * 4;
      if ((logflags & XT_LOG_TCPOPT) !== 0 && doff4 > 20) {
        const optsize = doff4 - 20;
        if (!has(skbLen, l4 + 20, optsize)) return s + 'OPT (TRUNCATED)';
        s += `OPT (${hexBytes(b, t + 20, optsize)}) `;
      }
      break;
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE: {
      s += proto === IPPROTO_UDP ? 'PROTO=UDP ' : 'PROTO=UDPLITE ';
      if (fragOff !== 0) break;
      if (!has(skbLen, l4, 8)) return s + `INCOMPLETE [${(skbLen - l4) >>> 0} bytes] `;
      const u = nh + l4;
      s += `SPT=${u16(b, u)} DPT=${u16(b, u + 2)} LEN=${u16(b, u + 4)} `;
      break;
    }
    case IPPROTO_ICMP: {
      s += 'PROTO=ICMP ';
      if (fragOff !== 0) break;
      if (!has(skbLen, l4, 8)) {
        s += `INCOMPLETE [${rest} bytes] `;
        break;
      }
      const c = nh + l4;
      const type = b[c];
      const code = b[c + 1];
      s += `TYPE=${type} CODE=${code} `;
      if (type <= NR_ICMP_TYPES && ICMP_REQUIRED_LEN[type] !== 0 && rest < ICMP_REQUIRED_LEN[type]) {
        s += `INCOMPLETE [${rest} bytes] `;
        break;
      }
      switch (type) {
        case ICMP_ECHOREPLY:
        case ICMP_ECHO:
          s += `ID=${u16(b, c + 4)} SEQ=${u16(b, c + 6)} `;
          break;
        case ICMP_PARAMETERPROB:
          s += `PARAMETER=${b[c + 4]} `;
          break;
        case ICMP_REDIRECT:
        case ICMP_DEST_UNREACH:
        case ICMP_SOURCE_QUENCH:
        case ICMP_TIME_EXCEEDED:
          if (type === ICMP_REDIRECT) s += `GATEWAY=${ipText(b, c + 4)} `;
          // Only one level of quoting.
          if (iphoff === 0) s += `[${dumpIpv4(b, nh, skbLen, l4 + 8, logflags, mark)}] `;
          if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) s += `MTU=${u16(b, c + 6)} `;
          break;
      }
      break;
    }
    case IPPROTO_AH: {
      // A non-first fragment of AH prints nothing at all, not even the protocol.
      if (fragOff !== 0) break;
      s += 'PROTO=AH ';
      if (!has(skbLen, l4, 12)) {
        s += `INCOMPLETE [${rest} bytes] `;
        break;
      }
      s += `SPI=0x${u32(b, nh + l4 + 4).toString(16)} `;
      break;
    }
    case IPPROTO_ESP: {
      s += 'PROTO=ESP ';
      if (fragOff !== 0) break;
      if (!has(skbLen, l4, 8)) {
        s += `INCOMPLETE [${rest} bytes] `;
        break;
      }
      s += `SPI=0x${u32(b, nh + l4).toString(16)} `;
      break;
    }
    default:
      s += `PROTO=${proto} `;
  }
  // --log-uid (XT_LOG_UID): the kernel prints UID=/GID= only for a full socket of this
  // namespace that still has a file (a process's socket). Packets in nslab come from no
  // process (the kernel's own replies, and nslab's tools have no sockets), so nothing.
  if (iphoff === 0 && mark !== 0) s += `MARK=0x${(mark >>> 0).toString(16)} `;
  return s;
}

/** skb_header_pointer succeeds: `len` bytes at `off` lie within the packet. */
function has(skbLen: number, off: number, len: number): boolean {
  return off <= skbLen - len;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function ipText(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** %pM: lower-case, colon-separated. */
function macText(b: Uint8Array, o: number): string {
  let s = hex(b[o], 2);
  for (let i = 1; i < 6; i++) s += ':' + hex(b[o + i], 2);
  return s;
}

/** %0Nx */
function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/** %02X */
function hexUpper(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0');
}

/** Bytes as %02X each, no separator. */
function hexBytes(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += hexUpper(b[o + i]);
  return s;
}
