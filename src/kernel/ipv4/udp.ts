// UDP (net/ipv4/udp.c): the namespace's socket table (bind, autobind from ip_local_port_range,
// connect), receive (udp_rcv: length and checksum checks, the best-scoring socket as
// __udp4_lib_lookup picks it, broadcast/multicast to every matching socket, port unreachable
// when nobody listens), send (udp_sendmsg: header, checksum, the socket's IP ID once connected),
// and ICMP errors about what a socket sent (__udp4_lib_err: sk_err for connected sockets, so the
// next send/recv fails with ECONNREFUSED and poll reports POLLERR).
//
// Receive allocates nothing per datagram except the payload copy a socket queues: the queue is
// a ring of payloads beside typed arrays of (source, port, checksum verdict).
import type { NetDevice } from '../device.ts';
import { EACCES, EADDRINUSE, EADDRNOTAVAIL, EINVAL, EMSGSIZE, ENETUNREACH, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { setU16, u16, u32 } from '../../wire/bytes.ts';
import { fold, onesSum, pseudoHeaderSum } from '../../wire/checksum.ts';
import { RTCF_BROADCAST, isMulticast } from './constants.ts';
import { icmpSendError } from './icmp.ts';
import { ipSendLocal } from './output.ts';
import type { PmtuDisc } from './raw.ts';
import { inetAddrType } from './route-lookup.ts';
import { routeOutput } from './rtable.ts';
import {
  IP_OUT_NO_ROUTES, UDP_IGNORED_MULTI, UDP_IN_CSUM_ERRORS, UDP_IN_DATAGRAMS, UDP_IN_ERRORS,
  UDP_NO_PORTS, UDP_OUT_DATAGRAMS, UDP_RCVBUF_ERRORS,
} from './snmp.ts';

export const ECONNREFUSED = 111;
export const EDESTADDRREQ = 89;
const EPROTO = 71;

/** The largest UDP payload over IPv4 (65535 - 20 - 8). */
export const UDP_MAX_PAYLOAD = 65507;
/** Queue slots per socket: more than net.core.rmem_default lets a socket hold. */
const RING = 512;
/** What one queued datagram costs against the receive buffer besides its bytes (skb truesize overhead). */
const TRUESIZE_OVERHEAD = 768;

/** icmp_err_convert: errno and whether the error is fatal (hard), by destination-unreachable code. */
const UNREACH_ERRNO = [101, 113, 92, 111, 90, 95, 101, 112, 64, 101, 113, 101, 113, 113, 113, 113];
const UNREACH_FATAL = [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1];

/** A datagram as recvfrom returns it. */
export interface UdpMessage {
  data: Uint8Array;
  addr: number;
  port: number;
}

/** The UDP sockets of a namespace, by local port (udptable's hash by port). */
export class UdpTable {
  readonly byPort = new Map<number, UdpSocket[]>();
  /** Every socket (for listings and tests). */
  size = 0;

  add(s: UdpSocket): void {
    let list = this.byPort.get(s.lport);
    if (!list) {
      list = [];
      this.byPort.set(s.lport, list);
    }
    // hlist_add_head_rcu: the newest socket comes first and wins ties.
    list.unshift(s);
    this.size++;
  }

  remove(s: UdpSocket): void {
    const list = this.byPort.get(s.lport);
    if (!list) return;
    const i = list.indexOf(s);
    if (i < 0) return;
    list.splice(i, 1);
    if (!list.length) this.byPort.delete(s.lport);
    this.size--;
  }

  /**
   * __udp4_lib_lookup: the socket bound to `dport` that scores best for a datagram from
   * (saddr, sport) to daddr arriving on `dev` (bound address, connected peer, bound device).
   */
  lookup(daddr: number, dport: number, saddr: number, sport: number, dev: NetDevice | undefined): UdpSocket | undefined {
    const list = this.byPort.get(dport);
    if (list === undefined) return undefined;
    let best: UdpSocket | undefined;
    let bestScore = -1;
    for (let i = 0; i < list.length; i++) {
      const sc = list[i].score(daddr, saddr, sport, dev);
      if (sc > bestScore) {
        best = list[i];
        bestScore = sc;
      }
    }
    return best;
  }
}

export class UdpSocket {
  /** inet_rcv_saddr (0: any). */
  laddr = 0;
  /** inet_saddr: the source of what it sends once connected or bound. */
  saddr = 0;
  lport = 0;
  raddr = 0;
  rport = 0;
  bindDev: NetDevice | undefined;
  /** SO_REUSEADDR, SO_REUSEPORT. */
  reuseAddr = false;
  reusePort = false;
  /** IP_TTL (0: net.ipv4.ip_default_ttl), IP_MULTICAST_TTL, IP_TOS. */
  ttl = 0;
  mcTtl = 1;
  tos = 0;
  pmtudisc: PmtuDisc = 'want';
  broadcast = false;
  /** IP_RECVERR: errors of an unconnected socket are reported too. */
  recvErr = false;
  mark = 0;
  /** sk_err: a pending error (errno), reported once by the next send/recv/poll. */
  error = 0;
  /** inet_id: the IP ID counter of a connected socket. */
  private inetId = 0;
  closed = false;
  /** Called when a datagram or an error arrives. */
  wake: () => void = () => {};

  // The receive queue: a ring of payloads and their sources.
  private readonly qData: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(RING).fill(undefined);
  private readonly qAddr = new Uint32Array(RING);
  private readonly qPort = new Uint16Array(RING);
  private readonly qCsumBad = new Uint8Array(RING);
  private qHead = 0;
  private qLen = 0;
  private qBytes = 0;

  constructor(readonly ns: NetNs) {}

  /** Datagrams waiting to be read. */
  get queued(): number {
    return this.qLen;
  }

  /** Whether poll would report POLLIN. */
  readable(): boolean {
    return this.qLen > 0 || this.error !== 0;
  }

  /** compute_score: -1 when the socket does not match. */
  score(daddr: number, saddr: number, sport: number, dev: NetDevice | undefined): number {
    let score = 2;
    if (this.laddr !== 0) {
      if (this.laddr !== daddr) return -1;
      score += 4;
    }
    if (this.raddr !== 0) {
      if (this.raddr !== saddr) return -1;
      score += 4;
    }
    if (this.rport !== 0) {
      if (this.rport !== sport) return -1;
      score += 4;
    }
    if (this.bindDev !== undefined) {
      // (An ICMP error is matched without its device.)
      if (dev !== undefined && this.bindDev !== dev) return -1;
      score += 4;
    }
    return score;
  }

  /**
   * bind(): a local address (0: any; otherwise one of ours unless ip_nonlocal_bind) and port
   * (0: an ephemeral one). Returns 0 or a negative errno (EADDRNOTAVAIL, EADDRINUSE, EINVAL
   * when already bound).
   */
  bind(addr: number, port: number): number {
    if (this.lport !== 0) return -EINVAL;
    const ns = this.ns;
    if (addr !== 0) {
      const t = inetAddrType(ns, addr);
      const nonlocal = Number(ns.sysctl.get('net.ipv4.ip_nonlocal_bind') ?? 0) !== 0;
      if (!nonlocal && t !== 'local' && t !== 'multicast' && t !== 'broadcast') return -EADDRNOTAVAIL;
    }
    this.laddr = addr;
    this.saddr = isCastAddr(ns, addr) ? 0 : addr;
    const r = this.getPort(port);
    if (r < 0) {
      this.laddr = 0;
      this.saddr = 0;
    }
    return r;
  }

  /** Whether `other` already holds the port this socket wants (udp_lib_lport_inuse). */
  private conflicts(other: UdpSocket): boolean {
    if (other === this) return false;
    if (other.reuseAddr && this.reuseAddr) return false;
    if (other.bindDev && this.bindDev && other.bindDev !== this.bindDev) return false;
    if (other.laddr !== 0 && this.laddr !== 0 && other.laddr !== this.laddr) return false;
    return !(other.reusePort && this.reusePort);
  }

  /** udp_lib_get_port: `port`, or for 0 a free one from ip_local_port_range from a random start. */
  private getPort(port: number): number {
    const table = this.ns.udp;
    if (port === 0) {
      const [lo, hi] = String(this.ns.sysctl.get('net.ipv4.ip_local_port_range') ?? '32768 60999').trim().split(/\s+/).map(Number);
      const n = hi - lo + 1;
      const first = this.ns.world.rng.below(n);
      for (let i = 0; i < n; i++) {
        const p = lo + ((first + i) % n);
        const list = table.byPort.get(p);
        if (list === undefined || !list.some((o) => this.conflicts(o))) {
          port = p;
          break;
        }
      }
      if (port === 0) return -EADDRINUSE;
    } else {
      const list = table.byPort.get(port);
      if (list !== undefined && list.some((o) => this.conflicts(o))) return -EADDRINUSE;
    }
    this.lport = port;
    table.add(this);
    return 0;
  }

  /**
   * connect() (ip4_datagram_connect after inet_autobind): the route to (dst, port) fixes the
   * source address; the socket then only takes datagrams from that peer. Route errors are the
   * connect's (ENETUNREACH counted in IpOutNoRoutes), EACCES for a broadcast without SO_BROADCAST.
   */
  connect(dst: number, port: number): number {
    const ns = this.ns;
    if (this.lport === 0) {
      const r = this.getPort(0);
      if (r < 0) return r;
    }
    let src: number;
    try {
      const rt = routeOutput(ns, {
        dst, src: this.saddr || undefined, tos: this.tos, oif: this.bindDev?.ifindex, mark: this.mark, proto: 17,
        sport: this.lport, dport: port,
      });
      if (rt.flags & RTCF_BROADCAST && !this.broadcast) return -EACCES;
      src = rt.src;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      if (e.errno === ENETUNREACH) ns.inet.snmp.ip[IP_OUT_NO_ROUTES]++;
      return -e.errno;
    }
    if (this.saddr === 0) this.saddr = src;
    if (this.laddr === 0) this.laddr = this.saddr;
    this.raddr = dst;
    this.rport = port;
    this.inetId = ns.world.rng.u32() & 0xffff;
    return 0;
  }

  /** sock_error: the pending error, cleared (0 when none). */
  takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  /**
   * sendto()/send() (udp_sendmsg): `payload` to (dst, port), or to the connected peer when dst
   * is undefined. Returns the bytes sent or a negative errno: a pending ICMP error first
   * (ECONNREFUSED), EDESTADDRREQ, EMSGSIZE, the route's errors, EPERM when OUTPUT drops it.
   */
  send(payload: Uint8Array, toAddr?: number, toPort?: number): number {
    const ns = this.ns;
    if (payload.length > UDP_MAX_PAYLOAD) return -EMSGSIZE;
    const connected = toAddr === undefined;
    if (connected && this.rport === 0) return -EDESTADDRREQ;
    const dst = connected ? this.raddr : toAddr;
    const port = connected ? this.rport : toPort ?? 0;
    if (port === 0) return -EINVAL;
    if (this.lport === 0) {
      const r = this.getPort(0);
      if (r < 0) return r;
    }
    // sock_alloc_send_pskb: a pending error fails the send.
    const err = this.takeError();
    if (err) return -err;
    let src = this.saddr;
    if (!connected || src === 0) {
      try {
        const rt = routeOutput(ns, {
          dst, src: src || undefined, tos: this.tos, oif: this.bindDev?.ifindex, mark: this.mark, proto: 17, sport: this.lport,
          dport: port,
        });
        if (rt.flags & RTCF_BROADCAST && !this.broadcast) return -EACCES;
        src = rt.src;
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        if (e.errno === ENETUNREACH) ns.inet.snmp.ip[IP_OUT_NO_ROUTES]++;
        return -e.errno;
      }
    }
    const len = 8 + payload.length;
    const d = new Uint8Array(len);
    setU16(d, 0, this.lport);
    setU16(d, 2, port);
    setU16(d, 4, len);
    d.set(payload, 8);
    const c = ~fold(onesSum(d, 0, len, pseudoHeaderSum(src, dst, 17, len))) & 0xffff;
    setU16(d, 6, c === 0 ? 0xffff : c);
    let id: number | undefined;
    if (this.raddr !== 0) {
      this.inetId = (this.inetId + 1) & 0xffff;
      id = this.inetId;
    }
    const r = ipSendLocal(ns, {
      dst, src, protocol: 17, tos: this.tos, ttl: isMulticast(dst) ? this.mcTtl : this.ttl, pmtudisc: this.pmtudisc,
      oif: this.bindDev, mark: this.mark, broadcast: this.broadcast, payload: d, id,
    });
    if (r.error) return r.error;
    ns.inet.snmp.udp[UDP_OUT_DATAGRAMS]++;
    return payload.length;
  }

  /**
   * recvfrom() (udp_recvmsg): the oldest datagram, or a negative errno (the pending error), or
   * undefined when nothing is queued. `peek` (MSG_PEEK) leaves it queued. Datagrams whose
   * checksum is wrong are counted (InCsumErrors, InErrors) and skipped here, as the kernel
   * verifies the checksum when the application copies the data; InDatagrams counts the
   * datagrams actually read.
   */
  recv(peek = false): UdpMessage | number | undefined {
    const err = this.takeError();
    if (err) return -err;
    const udp = this.ns.inet.snmp.udp;
    while (this.qLen > 0) {
      const i = this.qHead;
      const data = this.qData[i]!;
      if (this.qCsumBad[i]) {
        udp[UDP_IN_CSUM_ERRORS]++;
        udp[UDP_IN_ERRORS]++;
        this.dequeue();
        continue;
      }
      const m: UdpMessage = { data, addr: this.qAddr[i], port: this.qPort[i] };
      if (!peek) {
        udp[UDP_IN_DATAGRAMS]++;
        this.dequeue();
      }
      return m;
    }
    return undefined;
  }

  private dequeue(): void {
    const i = this.qHead;
    this.qBytes -= this.qData[i]!.length + TRUESIZE_OVERHEAD;
    this.qData[i] = undefined;
    this.qHead = (i + 1) % RING;
    this.qLen--;
  }

  /** __udp_enqueue_schedule_skb: false when the receive buffer is full. */
  enqueue(b: Uint8Array, o: number, len: number, saddr: number, sport: number, csumBad: boolean): boolean {
    const cost = len + TRUESIZE_OVERHEAD;
    const rcvbuf = Number(this.ns.sysctl.get('net.core.rmem_default') ?? 212992);
    if (this.qLen === RING || (this.qLen > 0 && this.qBytes + cost > rcvbuf)) return false;
    const i = (this.qHead + this.qLen) % RING;
    this.qData[i] = b.slice(o, o + len);
    this.qAddr[i] = saddr;
    this.qPort[i] = sport;
    this.qCsumBad[i] = csumBad ? 1 : 0;
    this.qLen++;
    this.qBytes += cost;
    this.wake();
    return true;
  }

  /** An ICMP error about a datagram this socket sent (the tail of __udp4_lib_err). */
  icmpError(errno: number, hard: boolean): void {
    if (!this.recvErr && (!hard || this.rport === 0)) return;
    this.error = errno;
    this.wake();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.lport !== 0) this.ns.udp.remove(this);
    for (let i = 0; i < RING; i++) this.qData[i] = undefined;
    this.qLen = 0;
    this.qBytes = 0;
  }
}

/** Sending from a broadcast or multicast address is not possible: such a bind sets no source. */
function isCastAddr(ns: NetNs, addr: number): boolean {
  if (addr === 0) return false;
  const t = inetAddrType(ns, addr);
  return t === 'multicast' || t === 'broadcast';
}

/**
 * udp_rcv for a locally delivered datagram (IPv4 header at pool.nh; the caller counted
 * IpInDelivers and keeps the slot). `cast`: the packet was a broadcast or multicast.
 */
export function udpRcv(ns: NetNs, slot: number, cast: boolean): void {
  const pool = ns.world.net.pool;
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
