// A UDP socket and the namespace's table of them: binding (an explicit port, or an ephemeral one
// drawn from ip_local_port_range), connect (the route fixes the source and the peer), the scoring
// that picks which socket a datagram belongs to, the receive queue, and the pending error an ICMP
// report leaves for the next call. The datagram paths themselves (building and sending one, taking
// one in, ICMP errors) are in udp.ts.
//
// The receive queue is a fixed ring of payload references beside typed arrays of (source address,
// source port, checksum verdict), so queueing a datagram allocates nothing but its payload copy.
import type { NetDevice } from '../device.ts';
import { EACCES, EADDRINUSE, EADDRNOTAVAIL, EINVAL, ENETUNREACH, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { RTCF_BROADCAST } from './constants.ts';
import type { PmtuDisc } from './raw.ts';
import { inetAddrType } from './route-lookup.ts';
import { routeOutput } from './rtable.ts';
import { IP_OUT_NO_ROUTES, UDP_IN_CSUM_ERRORS, UDP_IN_DATAGRAMS, UDP_IN_ERRORS } from './snmp.ts';
import { udpSendmsg } from './udp.ts';

export const ECONNREFUSED = 111;

/** Queue slots per socket: more than net.core.rmem_default lets a socket hold. */
const RING = 512;
/** What one queued datagram costs against the receive buffer besides its bytes (skb truesize overhead). */
const TRUESIZE_OVERHEAD = 768;

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

  /**
   * udp_lib_get_port: takes `port`, or for 0 a free one from ip_local_port_range, searched from a
   * random start so that successive sockets do not get predictable ports. Also the autobind of
   * connect and of a first send on an unbound socket.
   */
  getPort(port: number): number {
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
   * sendto()/send(): `payload` to (dst, port), or to the connected peer when dst is undefined.
   * Returns the bytes sent or a negative errno (see udpSendmsg, which builds the datagram).
   */
  send(payload: Uint8Array, toAddr?: number, toPort?: number): number {
    return udpSendmsg(this, payload, toAddr, toPort);
  }

  /** The IP ID of the next datagram of a connected socket: each send takes the next value. */
  nextIpId(): number {
    this.inetId = (this.inetId + 1) & 0xffff;
    return this.inetId;
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

  /**
   * An ICMP error about a datagram this socket sent (the tail of __udp4_lib_err). Only a hard
   * error on a connected socket is kept: an unconnected one talks to many peers and could not
   * tell which send failed, unless it asked for every error with IP_RECVERR.
   */
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
