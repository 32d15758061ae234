// The REJECT target (net/ipv4/netfilter/ipt_REJECT.c, nf_reject_ipv4.c): an ICMP destination
// unreachable through icmp_send about the packet as it stands at the hook (so a FORWARD reject
// quotes the header after the TTL decrement), or a TCP RST|ACK built from scratch (ID 0, DF,
// TTL from the route, TOS 0) and sent with ip_local_out. The caller drops the packet.
import { skbPool } from '../skb.ts';
import type { NetNs } from '../netns.ts';
import { KernelError } from '../errors.ts';
import { setU16, setU32, u32 } from '../../wire/bytes.ts';
import { checksumOk, internetChecksum, pseudoHeaderSum } from '../../wire/checksum.ts';
import { updateIpv4Checksum } from '../../wire/ipv4.ts';
import { icmpSendError } from '../ipv4/icmp.ts';
import { ipOutput } from '../ipv4/output.ts';
import { routeOutput, type Rtable } from '../ipv4/rtable.ts';
import { RTCF_BROADCAST, RTCF_MULTICAST } from '../ipv4/constants.ts';
import { IP_OUT_REQUESTS } from '../ipv4/snmp.ts';
import {
  IPT_ICMP_ADMIN_PROHIBITED, IPT_ICMP_HOST_PROHIBITED, IPT_ICMP_HOST_UNREACHABLE, IPT_ICMP_NET_PROHIBITED,
  IPT_ICMP_NET_UNREACHABLE, IPT_ICMP_PORT_UNREACHABLE, IPT_ICMP_PROT_UNREACHABLE, IPT_TCP_RESET,
} from './types.ts';
import { NF_INET_LOCAL_OUT, nfHook } from './hooks.ts';

/** ICMP destination-unreachable code of each --reject-with value. */
function unreachCode(w: number): number {
  switch (w) {
    case IPT_ICMP_NET_UNREACHABLE: return 0;
    case IPT_ICMP_HOST_UNREACHABLE: return 1;
    case IPT_ICMP_PROT_UNREACHABLE: return 2;
    case IPT_ICMP_PORT_UNREACHABLE: return 3;
    case IPT_ICMP_NET_PROHIBITED: return 9;
    case IPT_ICMP_HOST_PROHIBITED: return 10;
    case IPT_ICMP_ADMIN_PROHIBITED: return 13;
    default: return 3;
  }
}

export function nfReject(ns: NetNs, slot: number, hook: number, w: number): void {
  if (w === IPT_TCP_RESET) sendReset(ns, slot, hook);
  else sendUnreach(ns, slot, unreachCode(w), hook);
}

/**
 * nf_reject_verify_csum + nf_ip_checksum: whether the transport checksum of a received packet
 * is good (UDP without a checksum, and protocols without a whole-payload one's complement sum,
 * pass). A locally generated packet (OUTPUT) is CHECKSUM_PARTIAL and is not verified.
 */
function l4ChecksumOk(b: Uint8Array, nh: number, hook: number): boolean {
  if (hook === NF_INET_LOCAL_OUT) return true;
  const hlen = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const proto = b[nh + 9];
  const len = total - hlen;
  const o = nh + hlen;
  switch (proto) {
    case 6:
      return checksumOk(b, o, len, pseudoHeaderSum(u32(b, nh + 12), u32(b, nh + 16), 6, len));
    case 17:
      if (len < 8 || ((b[o + 6] << 8) | b[o + 7]) === 0) return true;
      return checksumOk(b, o, len, pseudoHeaderSum(u32(b, nh + 12), u32(b, nh + 16), 17, len));
    case 47: case 51: case 50: case 132: case 136: case 33:
      return true;
    default:
      return checksumOk(b, o, len);
  }
}

/** nf_send_unreach: nothing about non-first fragments; else icmp_send. */
function sendUnreach(ns: NetNs, slot: number, code: number, hook: number): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  if (((b[nh + 6] << 8) | b[nh + 7]) & 0x1fff) return;
  if (!l4ChecksumOk(b, nh, hook)) return;
  icmpSendError(ns, slot, 3, code, 0);
}

/** nf_send_reset. */
function sendReset(ns: NetNs, slot: number, hook: number): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const hlen = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  // nf_reject_ip_tcphdr_get: first fragment, TCP, a whole header, not itself a RST.
  if (((b[nh + 6] << 8) | b[nh + 7]) & 0x1fff) return;
  if (b[nh + 9] !== 6) return;
  const th = nh + hlen;
  if (total - hlen < 20) return;
  const flags = b[th + 13];
  if (flags & 0x04) return;
  if (!l4ChecksumOk(b, nh, hook)) return;
  const osrc = u32(b, nh + 12);
  const odst = u32(b, nh + 16);
  if ((odst >>> 28) === 0xe || odst === 0xffffffff) return;
  let rt: Rtable;
  try {
    rt = routeOutput(ns, { dst: osrc, proto: 6 });
  } catch (e) {
    if (e instanceof KernelError) return;
    throw e;
  }
  if (rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) return;
  const n = pool.alloc(40);
  const nb = pool.data[n];
  const o = pool.head[n];
  pool.nh[n] = o;
  nb.fill(0, o, o + 40);
  nb[o] = 0x45;
  nb[o + 1] = 0;
  setU16(nb, o + 2, 40);
  setU16(nb, o + 4, 0);
  setU16(nb, o + 6, 0x4000);
  nb[o + 8] = rt.metrics.get('hoplimit') ?? Number(ns.sysctl.get('net.ipv4.ip_default_ttl') ?? 64);
  nb[o + 9] = 6;
  setU32(nb, o + 12, odst);
  setU32(nb, o + 16, osrc);
  const t = o + 20;
  nb[t] = b[th + 2];
  nb[t + 1] = b[th + 3];
  nb[t + 2] = b[th];
  nb[t + 3] = b[th + 1];
  nb[t + 12] = 5 << 4;
  if (flags & 0x10) {
    // An ACK: the RST takes its sequence from the acknowledgement.
    setU32(nb, t + 4, u32(b, th + 8));
    nb[t + 13] = 0x04;
  } else {
    const doff = (b[th + 12] >>> 4) << 2;
    const seg = total - hlen - doff;
    setU32(nb, t + 8, (u32(b, th + 4) + (flags & 0x02 ? 1 : 0) + (flags & 0x01 ? 1 : 0) + seg) >>> 0);
    nb[t + 13] = 0x14;
  }
  setU16(nb, t + 16, internetChecksum(nb, t, 20, pseudoHeaderSum(odst, osrc, 6, 20)));
  updateIpv4Checksum(nb, o);
  pool.mark[n] = 0;
  // ip_local_out: counted, then the OUTPUT hook.
  ns.inet.snmp.ip[IP_OUT_REQUESTS]++;
  if (!nfHook(ns, NF_INET_LOCAL_OUT, n, undefined, rt.dev)) return;
  ipOutput(ns, n, rt, false);
}
