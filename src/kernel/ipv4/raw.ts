// Raw IPv4 sockets (SOCK_RAW, IPPROTO_ICMP as `ping` opens): every locally delivered packet of
// the protocol is copied to them (raw_local_deliver) unless their ICMP_FILTER blocks its type,
// ICMP errors about what they sent reach their error queue (IP_RECVERR), and sendto builds the
// IPv4 header around what they send (raw_sendmsg). Also the connect() of a UDP socket, which
// `ping` uses to learn the source address a destination would get (ip4_datagram_connect).
import type { NetDevice } from '../device.ts';
import { EACCES, EMSGSIZE, ENETUNREACH, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import { RTCF_BROADCAST, isMulticast } from './constants.ts';
import { ipSendLocal } from './output.ts';
import { routeOutput } from './rtable.ts';
import { IP_OUT_NO_ROUTES } from './snmp.ts';

/** What a raw socket receives: the whole IPv4 packet (header included), a copy. */
export interface RawPacket {
  bytes: Uint8Array;
  /** Virtual time (ms) of reception. */
  time: number;
  dev: NetDevice | undefined;
}

/** An entry of the error queue (struct sock_extended_err). */
export interface SockError {
  errno: number;
  /** SO_EE_ORIGIN_LOCAL (1) or SO_EE_ORIGIN_ICMP (2). */
  origin: 1 | 2;
  type: number;
  code: number;
  /** ee_info: the MTU for EMSGSIZE / frag needed. */
  info: number;
  /** Who reported it (the ICMP error's source), 0 for local errors. */
  offender: number;
  /** The offending packet's bytes as quoted (IPv4 header first). */
  quoted: Uint8Array;
  time: number;
}

export type PmtuDisc = 'dont' | 'want' | 'do' | 'probe';

export class RawSocket {
  readonly received: RawPacket[] = [];
  readonly errors: SockError[] = [];
  /** Called when something arrives (a packet or an error). */
  wake: () => void = () => {};
  /** IP_TTL (0: net.ipv4.ip_default_ttl). */
  ttl = 0;
  /** IP_MULTICAST_TTL. */
  mcTtl = 1;
  tos = 0;
  pmtudisc: PmtuDisc = 'want';
  broadcast = false;
  recvErr = true;
  /** SO_BINDTODEVICE. */
  bindDev: NetDevice | undefined;
  mark = 0;
  /** bind(): the source address of what it sends (0: the route's choice). */
  saddr = 0;
  /** ICMP_FILTER: bit N set blocks ICMP type N (< 32) from the receive queue. */
  icmpFilter = 0;
  closed = false;

  constructor(readonly ns: NetNs, readonly protocol: number) {
    ns.inet.rawSockets.push(this);
  }

  close(): void {
    this.closed = true;
    const list = this.ns.inet.rawSockets;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
  }

  deliver(p: RawPacket): void {
    // raw_v4_input: icmp_filter() before the socket gets its copy.
    if (this.protocol === 1 && this.icmpFilter) {
      const t = p.bytes[(p.bytes[0] & 0x0f) << 2];
      if (t !== undefined && t < 32 && (this.icmpFilter >>> t) & 1) return;
    }
    this.received.push(p);
    this.wake();
  }

  error(e: SockError): void {
    if (!this.recvErr) return;
    this.errors.push(e);
    this.wake();
  }

  /**
   * sendto() without IP_HDRINCL (raw_sendmsg): `payload` (the transport header and data) to
   * `dst` with this socket's TTL, TOS, PMTU discovery, mark, device and broadcast permission.
   * Returns 0 or a negative errno. A datagram too large to send (EMSGSIZE from
   * ip_append_data) also leaves a local error carrying the MTU in the error queue
   * (ip_local_error); one over 64 KiB is refused before that, with no queued error.
   */
  sendto(dst: number, payload: Uint8Array): number {
    if (payload.length > 0xffff) return -EMSGSIZE;
    const r = ipSendLocal(this.ns, {
      dst, src: this.saddr || undefined, protocol: this.protocol, tos: this.tos,
      ttl: isMulticast(dst) ? this.mcTtl : this.ttl, pmtudisc: this.pmtudisc, oif: this.bindDev, mark: this.mark,
      broadcast: this.broadcast, payload,
    });
    if (r.error === -EMSGSIZE) {
      this.error({ errno: EMSGSIZE, origin: 1, type: 0, code: 0, info: r.mtu, offender: 0, quoted: new Uint8Array(0), time: this.ns.world.now() });
    }
    return r.error;
  }
}

/** What a UDP socket's connect() is given and has set (SO_BINDTODEVICE, IP_TOS, SO_MARK, SO_BROADCAST). */
export interface DatagramConnect {
  dst: number;
  port?: number;
  tos?: number;
  oif?: NetDevice;
  mark?: number;
  broadcast?: boolean;
}

/**
 * connect() on an unbound UDP socket (ip4_datagram_connect): the route to `dst` decides the
 * socket's source address, which getsockname() then returns. Errors are negative errnos as
 * connect() returns them: the route's (ENETUNREACH, counted in IpOutNoRoutes; EHOSTUNREACH;
 * EACCES for `prohibit`; EINVAL for `blackhole`), and EACCES for a broadcast route without
 * SO_BROADCAST. Nothing is sent.
 */
export function datagramConnect(ns: NetNs, req: DatagramConnect): { error: number; src: number } {
  try {
    const rt = routeOutput(ns, { dst: req.dst, tos: req.tos, oif: req.oif?.ifindex, mark: req.mark, proto: 17, dport: req.port ?? 0 });
    if (rt.flags & RTCF_BROADCAST && !req.broadcast) return { error: -EACCES, src: 0 };
    return { error: 0, src: rt.src };
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    if (e.errno === ENETUNREACH) ns.inet.snmp.ip[IP_OUT_NO_ROUTES]++;
    return { error: -e.errno, src: 0 };
  }
}
