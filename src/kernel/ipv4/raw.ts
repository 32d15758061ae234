// Raw IPv4 sockets (SOCK_RAW, IPPROTO_ICMP as `ping` opens): every locally delivered packet of
// the protocol is copied to them (raw_local_deliver), and ICMP errors about what they sent
// reach their error queue (IP_RECVERR).
import type { NetDevice } from '../device.ts';
import type { NetNs } from '../netns.ts';

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
  ttl = 0;
  tos = 0;
  pmtudisc: PmtuDisc = 'want';
  broadcast = false;
  recvErr = true;
  /** SO_BINDTODEVICE. */
  bindDev: NetDevice | undefined;
  mark = 0;
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
    this.received.push(p);
    this.wake();
  }

  error(e: SockError): void {
    if (!this.recvErr) return;
    this.errors.push(e);
    this.wake();
  }
}
