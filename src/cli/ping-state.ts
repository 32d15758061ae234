// The state of one ping run (struct ping_rts) and its receive side: echo replies
// (ping4_parse_reply, gather_statistics), the error queue (ping4_receive_error_msg), the
// acknowledgement bookkeeping behind `pipe N` and in-flight counting.
import type { NetNs } from '../kernel/netns.ts';
import { EMSGSIZE, strerror } from '../kernel/errors.ts';
import { RawSocket, type RawPacket, type SockError } from '../kernel/ipv4/raw.ts';
import { internetChecksum } from '../wire/checksum.ts';
import { formatIpv4Addr } from '../wire/addr.ts';
import { u16, u32 } from '../wire/bytes.ts';
import { PingExit, type PingOptions } from './ping-args.ts';
import { formatTriptime, icmpText } from './ping-report.ts';
import type { ToolContext } from './tool.ts';

export const MAX_DUP_CHK = 0x10000;
/** ICMP_FILTER: what the raw socket lets through (echo reply and the errors), then after an error. */
export const FILTER_START = ~((1 << 4) | (1 << 3) | (1 << 11) | (1 << 12) | (1 << 5) | (1 << 0));
const FILTER_AFTER_ERROR = ~((1 << 4) | (1 << 5) | (1 << 0));

export class PingState {
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
  readonly ns: NetNs;
  readonly sock: RawSocket;
  hostname = '';
  whereto = 0;
  source = 0;
  numeric: boolean;
  multicast = false;
  timing = false;
  ident = -1;
  outpack: Uint8Array;
  /** The ICMP message is bigger than any datagram: sendto fails before the kernel builds it. */
  tooBig = false;
  // Counters (struct ping_rts).
  ntransmitted = 0;
  nreceived = 0;
  nrepeats = 0;
  nerrors = 0;
  tmin = Number.MAX_SAFE_INTEGER;
  tmax = 0;
  tsum = 0;
  tsum2 = 0;
  rtt = 0;
  acked = 0;
  pipesize = -1;
  readonly rcvd = new Uint8Array(MAX_DUP_CHK);
  // Time.
  startTime = 0;
  curTime: number | undefined;
  tokens = 0;
  /** When the ITIMER_REAL alarm (the -w deadline, or the wait after the last probe) fires. */
  alarmAt: number | undefined;
  exitWaitSet = false;
  exiting = false;
  /** -U, or set once the time of day went back. */
  latency: boolean;
  /** A fatal signal other than SIGINT/SIGALRM: the status to die with. */
  killed = 0;

  constructor(readonly ctx: ToolContext, readonly o: PingOptions) {
    this.out = ctx.io.out;
    this.err = ctx.io.err;
    this.ns = ctx.ns;
    this.numeric = o.numeric;
    this.latency = o.latency;
    this.sock = new RawSocket(ctx.ns, 1);
    this.outpack = new Uint8Array(8 + Math.min(o.datalen, 0x10000));
    this.tooBig = o.datalen + 8 > 0xffff;
  }

  now(): number {
    return this.ctx.world.now();
  }

  nowUs(): number {
    return Math.round(this.now() * 1000);
  }

  fail(status: number, text: string): never {
    throw new PingExit(status, text);
  }

  /** print_timestamp (-D). */
  stamp(): string {
    if (!this.o.printTimestamps) return '';
    const us = this.nowUs();
    return `[${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}] `;
  }

  /** pr_addr: numeric unless a name was pinged; then 127.0.0.1 reads `localhost (127.0.0.1)`. */
  prAddr(a: number): string {
    const text = formatIpv4Addr(a);
    if (!this.numeric && a === 0x7f000001) return `localhost (${text})`;
    return text;
  }

  inFlight(): number {
    const diff = ((this.ntransmitted & 0xffff) - this.acked) & 0xffff;
    return diff <= 0x7fff ? diff : this.ntransmitted - this.nreceived - this.nerrors;
  }

  acknowledge(seq: number): void {
    const diff = ((this.ntransmitted & 0xffff) - seq) & 0xffff;
    if (diff > 0x7fff) return;
    if (diff + 1 > this.pipesize) this.pipesize = diff + 1;
    const d = (seq - this.acked) & 0xffff;
    if ((d > 0 && d < 0x8000) || (this.ntransmitted & 0xffff) - this.acked > 0x7fff) this.acked = seq;
  }

  advanceNtransmitted(): void {
    this.ntransmitted++;
    if ((this.ntransmitted & 0xffff) - this.acked > 0x7fff) this.acked = (this.ntransmitted + 1) & 0xffff;
  }

  /** ping4_receive_error_msg: one entry of the error queue (recvmsg MSG_ERRQUEUE). */
  receiveErrorMsg(savedErrno: number): { ret: number; errno: number } {
    const e: SockError | undefined = this.sock.errors.shift();
    if (!e) return { ret: -1, errno: savedErrno };
    if (e.origin === 1) {
      if (!this.o.quiet) {
        if (e.errno !== EMSGSIZE) this.err(`ping: local error: ${strerror(e.errno)}\n`);
        else this.err(`ping: local error: message too long, mtu=${e.info >>> 0}\n`);
        this.nerrors++;
      }
      return { ret: -1, errno: savedErrno };
    }
    const q = e.quoted;
    const ihl = q.length ? (q[0] & 0x0f) << 2 : 0;
    if (q.length < ihl + 8 || q.length < 20 || u32(q, 16) !== this.whereto || q[ihl] !== 8 || u16(q, ihl + 4) !== this.ident) {
      return { ret: 0, errno: 0 };
    }
    const seq = u16(q, ihl + 6);
    this.acknowledge(seq);
    this.sock.icmpFilter = FILTER_AFTER_ERROR;
    this.nerrors++;
    if (!this.o.quiet) this.out(`${this.stamp()}From ${this.prAddr(e.offender)} icmp_seq=${seq} ${icmpText(e.type, e.code, e.info)}`);
    return { ret: 1, errno: savedErrno };
  }

  /** ping4_parse_reply: true when the packet was not ours. */
  parseReply(p: RawPacket): boolean {
    const b = p.bytes;
    const ihl = b[0] & 0x0f;
    const hlen = ihl * 4;
    let cc = b.length;
    if (cc < hlen + 8 || ihl < 5) return true;
    const ttl = b[8];
    const from = u32(b, 12);
    cc -= hlen;
    const icmp = b.subarray(hlen);
    const type = icmp[0];
    if (type === 0) {
      if (u16(icmp, 4) !== this.ident) return true;
      const wrongSource = !this.o.broadcast && !this.multicast && from !== this.whereto;
      if (this.gatherStatistics(icmp, cc, u16(icmp, 6), ttl, p.time, from, wrongSource)) return false;
      this.out(`${this.o.audible ? '\x07' : ''}\n`);
      return false;
    }
    if (type === 8) return true;
    if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) {
      const qihl = cc >= 9 ? (icmp[8] & 0x0f) << 2 : 0;
      if (cc < 8 + 20 + 8 || cc < 8 + qihl + 8) return true;
      const q = icmp.subarray(8);
      if (q[qihl] !== 8 || u32(q, 16) !== this.whereto || u16(q, qihl + 4) !== this.ident) return true;
      const seq = u16(q, qihl + 6);
      if (type !== 5 && type !== 4) {
        this.acknowledge(seq);
        return false;
      }
      if (this.o.quiet) return true;
      const bad = internetChecksum(icmp, 0, cc) !== 0 ? '(BAD CHECKSUM)' : '';
      this.out(`${this.stamp()}From ${this.prAddr(from)}: icmp_seq=${seq} ${bad}${icmpText(type, icmp[1], u32(icmp, 4), formatIpv4Addr(u32(icmp, 4)))}`);
      return true;
    }
    return false;
  }

  /** gather_statistics: counts a reply and prints its line (without the final newline); true: no more to print. */
  gatherStatistics(icmp: Uint8Array, cc: number, seq: number, ttl: number, recvMs: number, from: number, wrongSource: boolean): boolean {
    const o = this.o;
    let triptime = 0;
    this.nreceived++;
    this.acknowledge(seq);
    if (this.timing && cc >= 8 + 16) {
      let sentUs = 0;
      for (let i = 5; i >= 0; i--) sentUs = sentUs * 256 + icmp[8 + i];
      sentUs *= 1e6;
      let usec = 0;
      for (let i = 3; i >= 0; i--) usec = usec * 256 + icmp[16 + i];
      sentUs += usec;
      triptime = Math.round(recvMs * 1000) - sentUs;
      if (triptime < 0) {
        this.err(`ping: Warning: time of day goes back (${triptime}us), taking countermeasures\n`);
        triptime = 0;
        if (!this.latency) {
          this.latency = true;
          triptime = this.nowUs() - sentUs;
          if (triptime < 0) {
            this.err(`ping: Warning: time of day goes back (${triptime}us), taking countermeasures\n`);
            triptime = 0;
          }
        }
      }
      this.tsum += triptime;
      this.tsum2 += triptime * triptime;
      if (triptime < this.tmin) this.tmin = triptime;
      if (triptime > this.tmax) this.tmax = triptime;
      if (!this.rtt) this.rtt = triptime * 8;
      else this.rtt += triptime - Math.trunc(this.rtt / 8);
    }
    let dup = false;
    if (this.rcvd[seq % MAX_DUP_CHK]) {
      this.nrepeats++;
      this.nreceived--;
      dup = true;
    } else {
      this.rcvd[seq % MAX_DUP_CHK] = 1;
    }
    if (o.quiet) return true;
    let line = `${this.stamp()}${cc} bytes from ${this.prAddr(from)}: icmp_seq=${seq} ttl=${ttl}`;
    if (cc < o.datalen + 8) {
      this.out(`${line} (truncated)\n`);
      return true;
    }
    if (this.timing) line += ` time=${formatTriptime(triptime)} ms`;
    if (dup && !this.multicast) line += ' (DUP!)';
    if (wrongSource) line += ' (DIFFERENT ADDRESS!)';
    for (let i = 16; i < o.datalen; i++) {
      if (icmp[8 + i] !== this.outpack[8 + i]) {
        line += `\nwrong data byte #${i} should be 0x${this.outpack[8 + i].toString(16)} but was 0x${icmp[8 + i].toString(16)}`;
        for (let k = 16; k < o.datalen; k++) {
          if (k % 32 === 16) line += `\n#${k}\t`;
          line += `${icmp[8 + k].toString(16)} `;
        }
        break;
      }
    }
    this.out(line);
    return false;
  }

}
