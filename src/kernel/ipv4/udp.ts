// UDP's datagram paths (net/ipv4/udp.c's job): sending one from a socket (header, checksum, the
// IP ID of a connected socket), taking one in (length and checksum checks, the best-scoring socket
// for unicast, every matching socket for broadcast and multicast, port unreachable when nobody
// listens), and ICMP errors about one we sent (a hard error on a connected socket becomes its
// pending error, so the next send/recv fails with it, ECONNREFUSED for a closed port, and poll
// reports POLLERR). The sockets, their table and their receive queues are in udp-socket.ts.
//
// Receive allocates nothing per datagram except the payload copy a socket queues.
import { skbPool } from '../skb.ts';
import type { NetDevice } from '../device.ts';
import { EACCES, EINVAL, EMSGSIZE, ENETUNREACH, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { setU16, u16, u32 } from '../../wire/bytes.ts';
import { fold, onesSum, pseudoHeaderSum } from '../../wire/checksum.ts';
import { RTCF_BROADCAST, isMulticast } from './constants.ts';
import { icmpSendError } from './icmp.ts';
import { ipSendLocal } from './output.ts';
import { routeOutput } from './rtable.ts';
import {
  IP_OUT_NO_ROUTES, UDP_IGNORED_MULTI, UDP_IN_CSUM_ERRORS, UDP_IN_ERRORS, UDP_NO_PORTS, UDP_OUT_DATAGRAMS,
  UDP_RCVBUF_ERRORS,
} from './snmp.ts';
import type { UdpSocket } from './udp-socket.ts';

export const EDESTADDRREQ = 89;
const EPROTO = 71;

/** The largest UDP payload over IPv4 (65535 - 20 - 8). */
export const UDP_MAX_PAYLOAD = 65507;

/** icmp_err_convert: errno and whether the error is fatal (hard), by destination-unreachable code. */
const UNREACH_ERRNO = [101, 113, 92, 111, 90, 95, 101, 112, 64, 101, 113, 101, 113, 113, 113, 113];
const UNREACH_FATAL = [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1];

/**
 * udp_sendmsg, behind UdpSocket.send: `payload` to (toAddr, toPort), or to the connected peer
 * when toAddr is undefined. Returns the bytes sent or a negative errno: EMSGSIZE, EDESTADDRREQ,
 * EINVAL (port 0), a pending ICMP error (ECONNREFUSED), the route's errors, EACCES for a
 * broadcast without SO_BROADCAST, EPERM when OUTPUT drops it.
 */
export function udpSendmsg(sk: UdpSocket, payload: Uint8Array, toAddr: number | undefined, toPort: number | undefined): number {
  const ns = sk.ns;
  if (payload.length > UDP_MAX_PAYLOAD) return -EMSGSIZE;
  const connected = toAddr === undefined;
  if (connected && sk.rport === 0) return -EDESTADDRREQ;
  const dst = connected ? sk.raddr : toAddr;
  const port = connected ? sk.rport : toPort ?? 0;
  if (port === 0) return -EINVAL;
  if (sk.lport === 0) {
    const r = sk.getPort(0);
    if (r < 0) return r;
  }
  // sock_alloc_send_pskb: a pending error fails the send.
  const err = sk.takeError();
  if (err) return -err;
  let src = sk.saddr;
  if (!connected || src === 0) {
    try {
      const rt = routeOutput(ns, {
        dst, src: src || undefined, tos: sk.tos, oif: sk.bindDev?.ifindex, mark: sk.mark, proto: 17, sport: sk.lport,
        dport: port,
      });
      if (rt.flags & RTCF_BROADCAST && !sk.broadcast) return -EACCES;
      src = rt.src;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      if (e.errno === ENETUNREACH) ns.inet.snmp.ip[IP_OUT_NO_ROUTES]++;
      return -e.errno;
    }
  }
  const len = 8 + payload.length;
  const d = new Uint8Array(len);
  setU16(d, 0, sk.lport);
  setU16(d, 2, port);
  setU16(d, 4, len);
  d.set(payload, 8);
  const c = ~fold(onesSum(d, 0, len, pseudoHeaderSum(src, dst, 17, len))) & 0xffff;
  // Zero in the field means "no checksum", so a sum that comes out zero is sent as all ones.
  setU16(d, 6, c === 0 ? 0xffff : c);
  let id: number | undefined;
  if (sk.raddr !== 0) id = sk.nextIpId();
  const r = ipSendLocal(ns, {
    dst, src, protocol: 17, tos: sk.tos, ttl: isMulticast(dst) ? sk.mcTtl : sk.ttl, pmtudisc: sk.pmtudisc,
    oif: sk.bindDev, mark: sk.mark, broadcast: sk.broadcast, payload: d, id,
  });
  if (r.error) return r.error;
  ns.inet.snmp.udp[UDP_OUT_DATAGRAMS]++;
  return payload.length;
}

/**
 * udp_rcv for a locally delivered datagram (IPv4 header at pool.nh; the caller counted
 * IpInDelivers and keeps the slot). `cast`: the packet was a broadcast or multicast.
 */
export function udpRcv(ns: NetNs, slot: number, cast: boolean): void {
  const pool = skbPool;
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const hlen = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const o = nh + hlen;
  const avail = total - hlen;
  const udp = ns.inet.snmp.udp;
  if (avail < 8) {
    udp[UDP_IN_ERRORS]++;
    return;
  }
  const ulen = u16(b, o + 4);
  // short_packet: longer than what came, or shorter than its header.
  if (ulen > avail || ulen < 8) {
    udp[UDP_IN_ERRORS]++;
    return;
  }
  const saddr = u32(b, nh + 12);
  const daddr = u32(b, nh + 16);
  // udp4_csum_init: a zero checksum means none.
  const csumBad = u16(b, o + 6) !== 0 && fold(onesSum(b, o, ulen, pseudoHeaderSum(saddr, daddr, 17, ulen))) !== 0xffff;
  const sport = u16(b, o);
  const dport = u16(b, o + 2);
  const dev = pool.iif[slot];
  if (cast) {
    mcastDeliver(ns, b, o, ulen, saddr, sport, daddr, dport, dev, csumBad);
    return;
  }
  const sk = ns.udp.lookup(daddr, dport, saddr, sport, dev);
  if (sk !== undefined) {
    if (!sk.enqueue(b, o + 8, ulen - 8, saddr, sport, csumBad)) {
      udp[UDP_RCVBUF_ERRORS]++;
      udp[UDP_IN_ERRORS]++;
    }
    return;
  }
  if (csumBad) {
    udp[UDP_IN_CSUM_ERRORS]++;
    udp[UDP_IN_ERRORS]++;
    return;
  }
  udp[UDP_NO_PORTS]++;
  icmpSendError(ns, slot, 3, 3, 0);
}

/** __udp4_lib_mcast_deliver: every matching socket gets a copy; none: IgnoredMulti. */
function mcastDeliver(ns: NetNs, b: Uint8Array, o: number, ulen: number, saddr: number, sport: number, daddr: number,
  dport: number, dev: NetDevice | undefined, csumBad: boolean): void {
  const udp = ns.inet.snmp.udp;
  const list = ns.udp.byPort.get(dport);
  let n = 0;
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      // __udp_is_mcast_sock: the same matching as a unicast lookup (IP_MULTICAST_ALL is on).
      if (s.score(daddr, saddr, sport, dev) < 0) continue;
      n++;
      if (!s.enqueue(b, o + 8, ulen - 8, saddr, sport, csumBad)) {
        udp[UDP_RCVBUF_ERRORS]++;
        udp[UDP_IN_ERRORS]++;
      }
    }
  }
  if (n === 0) udp[UDP_IGNORED_MULTI]++;
}

/**
 * udp_err (__udp4_lib_err): an ICMP error quoting a UDP datagram we sent. `q` is the quoted
 * IPv4 header in `b` (at least its header and 8 bytes follow).
 */
export function udpErr(ns: NetNs, b: Uint8Array, q: number, type: number, code: number, info: number, dev: NetDevice | undefined): void {
  const qhl = (b[q] & 0x0f) << 2;
  const qsrc = u32(b, q + 12);
  const qdst = u32(b, q + 16);
  const sport = u16(b, q + qhl);
  const dport = u16(b, q + qhl + 2);
  const sk = ns.udp.lookup(qsrc, sport, qdst, dport, dev);
  // No socket (any more): nothing is counted (recorded on 6.18: IcmpInErrors stays 0).
  if (sk === undefined) return;
  let errno = 113;
  let hard = false;
  if (type === 4) return;
  if (type === 12) {
    errno = EPROTO;
    hard = true;
  } else if (type === 3) {
    if (code === 4) {
      // Path MTU discovery: learnt for the destination; an error unless PMTUDISC_DONT.
      const inet = ns.inet;
      if (info >= 68) {
        const cur = inet.pmtuFor(qdst);
        if (!cur || info < cur) inet.pmtu.set(qdst | 0, { mtu: info, expires: ns.world.now() + 1000 * Number(ns.sysctl.get('net.ipv4.route.mtu_expires') ?? 600) });
      }
      if (sk.pmtudisc === 'dont') return;
      errno = EMSGSIZE;
      hard = true;
    } else if (code <= 15) {
      errno = UNREACH_ERRNO[code];
      hard = UNREACH_FATAL[code] === 1;
    }
  } else if (type === 5) {
    return;
  }
  sk.icmpError(errno, hard);
}
