// `ping`: iputils ping 20221126 run as root, on a raw ICMP socket of the namespace's kernel.
// It does what ping4_run/main_loop do: a UDP connect() probe picks the source address (and
// reports local route errors), then echo requests carrying a struct timeval are sent on the
// token-bucket schedule of pinger(); replies come from the raw socket's queue and ICMP errors
// from its error queue (IP_RECVERR), and the statistics are printed at the end. All waiting is
// in virtual time: on ctx.sleep, or until the socket is woken by a delivery.
//
// The ICMP identifier, `rand() & 0xffff` in iputils (seeded from getrandom), is drawn from the
// world's seeded generator, so a run is reproducible. Timestamps are virtual time (World.now).
// Killed with SIGINT or SIGALRM, ping prints its statistics as the real one does; any other
// signal (SIGTERM, the default of `kill`, `timeout` and the end of a script) ends it silently
// with status 128+N, as it ends the real ping.
import { EACCES, EINVAL, EMSGSIZE, ENODEV, EADDRNOTAVAIL, strerror } from '../kernel/errors.ts';
import type { NetNs } from '../kernel/netns.ts';
import { isMulticast } from '../kernel/ipv4/constants.ts';
import { inetAddrType } from '../kernel/ipv4/route-lookup.ts';
import { datagramConnect } from '../kernel/ipv4/raw.ts';
import { internetChecksum } from '../wire/checksum.ts';
import { formatIpv4Addr } from '../wire/addr.ts';
import { setU16 } from '../wire/bytes.ts';
import { PingExit, fillPattern, parsePingArgs } from './ping-args.ts';
import { exitStatus, formatStatistics } from './ping-report.ts';
import { FILTER_START, MAX_DUP_CHK, PingState } from './ping-state.ts';
import type { Tool } from './tool.ts';

const MININTERVAL = 10;

/** inet_aton: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); trailing blanks end it. */
export function inetAton(text: string): number | undefined {
  const m = /^([^\s]*)(\s.*)?$/s.exec(text);
  const parts = (m?.[1] ?? '').split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length > 2 ? parseInt(p.slice(2), 16) : 0;
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9]\d*$/.test(p)) v = Number(p);
    else return undefined;
    nums.push(v);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let a = 0;
  nums.forEach((n, i) => { a += n * 2 ** (24 - 8 * i); });
  return (a + last) >>> 0;
}

/** The names nslab resolves (its /etc/hosts): localhost. Others are unknown, as without DNS. */
function resolveName(name: string): number | undefined {
  return name === 'localhost' ? 0x7f000001 : undefined;
}

class Ping extends PingState {
  /** bind_to_device: SO_BINDTODEVICE (an empty name unbinds); for a multicast destination the fallback (IP_MULTICAST_IF) fails the same way. */
  bindToDevice(name: string): ReturnType<NetNs['device']> {
    if (name === '') return undefined;
    const dev = this.ns.device(name);
    if (dev) return dev;
    if (isMulticast(this.whereto)) this.fail(2, `unknown iface: ${name}`);
    this.fail(2, `SO_BINDTODEVICE ${name}: ${strerror(ENODEV)}`);
  }

  /** ping4_run up to the main loop: source address, socket options, the header line. */
  setup(target: string): void {
    const o = this.o;
    const a = inetAton(target);
    if (a !== undefined) {
      this.whereto = a;
      this.numeric = true;
    } else {
      const r = resolveName(target);
      if (r === undefined) this.fail(2, `${target}: Name or service not known`);
      this.whereto = r;
    }
    this.hostname = target;
    const sock = this.sock;
    this.source = o.source;
    const dev = o.device !== undefined ? this.bindToDevice(o.device) : undefined;
    if (this.source === 0) {
      // The probe: a UDP socket connected to port 1025 shows the source and the route errors.
      let broadcast = false;
      const connect = () => datagramConnect(this.ns, { dst: this.whereto, port: 1025, tos: o.tos & 0xff, oif: dev, mark: o.mark, broadcast });
      let r = connect();
      if (r.error === -EACCES) {
        if (!o.broadcast) this.fail(2, 'Do you want to ping broadcast? Then -b. If not, check your local firewall rules');
        this.err('WARNING: pinging broadcast address\n');
        broadcast = true;
        r = connect();
        if (r.error) this.fail(2, `connect: ${strerror(-r.error)}`);
      } else if (r.error) {
        this.fail(2, `connect: ${strerror(-r.error)}`);
      }
      this.source = r.src;
      if (o.device !== undefined) {
        const on = this.ns.deviceList().some((d) => this.ns.ipv4.devinet.list(d).some((ifa) => ifa.label === o.device && ifa.local === this.source));
        if (!on) this.err(`ping: Warning: source address might be selected on device other than: ${o.device}\n`);
      }
    }
    sock.bindDev = dev;
    if (this.whereto === 0) this.whereto = this.source;
    let pmtudisc = o.pmtudisc;
    if (o.broadcast || isMulticast(this.whereto)) {
      this.multicast = true;
      pmtudisc ??= 'do';
    }
    if (pmtudisc) sock.pmtudisc = pmtudisc;
    if (o.strictSource) {
      const t = inetAddrType(this.ns, this.source);
      const nonlocal = Number(this.ns.sysctl.get('net.ipv4.ip_nonlocal_bind') ?? 0) !== 0;
      if (this.source !== 0 && !nonlocal && t !== 'local' && t !== 'multicast' && t !== 'broadcast') this.fail(2, `bind: ${strerror(EADDRNOTAVAIL)}`);
      sock.saddr = this.source;
    }
    sock.icmpFilter = FILTER_START;
    sock.tos = o.tos & 0xff;
    if (o.mark !== undefined) sock.mark = o.mark;
    if (o.broadcast) sock.broadcast = true;
    if (o.ttl !== undefined) {
      sock.mcTtl = o.ttl;
      if (o.ttl < 1) this.fail(2, `cannot set unicast time-to-live: ${strerror(EINVAL)}`);
      sock.ttl = o.ttl;
    }
    this.timing = o.datalen >= 16;
    let head = `PING ${this.hostname} (${formatIpv4Addr(this.whereto)}) `;
    if (o.device !== undefined || o.strictSource) head += `from ${formatIpv4Addr(this.source)} ${o.device ?? ''}: `;
    head += `${o.datalen}(${o.datalen + 28}) bytes of data.\n`;
    this.out(head);
    // setup()
    if (o.interval >= Math.trunc(2147483647 / o.preload)) this.fail(2, `illegal preload and/or interval: ${o.interval}`);
    if (o.pattern === undefined) for (let i = 0; i < this.outpack.length - 8; i++) this.outpack[8 + i] = i & 0xff;
    this.ident = o.ident >= 0 ? o.ident : this.ctx.world.rng.u32() & 0xffff;
    this.startTime = this.now();
    if (o.deadline) this.alarmAt = this.startTime + o.deadline * 1000;
  }

  /** ping4_send_probe: the echo request with the send time in its first 16 data bytes. */
  sendProbe(): number {
    const p = this.outpack;
    const seq = (this.ntransmitted + 1) & 0xffff;
    p[0] = 8;
    p[1] = 0;
    setU16(p, 2, 0);
    setU16(p, 4, this.ident);
    setU16(p, 6, seq);
    this.rcvd[seq % MAX_DUP_CHK] = 0;
    if (this.timing) {
      const us = this.nowUs();
      const sec = Math.floor(us / 1e6);
      const usec = us - sec * 1e6;
      p.fill(0, 8, 24);
      for (let i = 0; i < 6; i++) p[8 + i] = Math.floor(sec / 2 ** (8 * i)) & 0xff;
      for (let i = 0; i < 4; i++) p[16 + i] = (usec >>> (8 * i)) & 0xff;
    }
    if (this.tooBig) return -EMSGSIZE;
    setU16(p, 2, internetChecksum(p, 0, p.length));
    return this.sock.sendto(this.whereto, p);
  }

  /** pinger: sends when the token bucket allows; returns the ms until it should be called again. */
  pinger(): number {
    const o = this.o;
    if (this.exiting || (o.count && this.ntransmitted >= o.count && !o.deadline)) return 1000;
    const now = this.now();
    if (this.curTime === undefined) {
      this.curTime = now;
      this.tokens = o.interval * (o.preload - 1);
    } else {
      let ntokens = Math.trunc(now - this.curTime);
      if (!o.interval && ntokens < MININTERVAL && this.inFlight() >= o.preload) return MININTERVAL - ntokens;
      ntokens += this.tokens;
      const cap = o.interval * o.preload;
      if (cap < ntokens) ntokens = cap;
      if (ntokens < o.interval) return o.interval - ntokens;
      this.curTime = now;
      this.tokens = ntokens - o.interval;
    }
    if (o.outstanding && this.ntransmitted > 0 && !this.rcvd[this.ntransmitted % MAX_DUP_CHK]) {
      this.out(`${this.stamp()}no answer yet for icmp_seq=${this.ntransmitted % MAX_DUP_CHK}\n`);
    }
    let i: number;
    let errno: number;
    for (;;) {
      const r = this.sendProbe();
      if (r === 0) {
        this.advanceNtransmitted();
        return o.interval - this.tokens;
      }
      errno = -r;
      const got = this.receiveErrorMsg(errno);
      i = got.ret;
      errno = got.errno;
      if (i > 0) {
        i = 0;
        break;
      }
      if (errno) break;
    }
    // A hard local error: counted as sent.
    this.advanceNtransmitted();
    if (i === 0 && !o.quiet) this.err(`ping: sendmsg: ${strerror(errno)}\n`);
    this.tokens = 0;
    return Math.max(o.interval, MININTERVAL);
  }

  /** schedule_exit: after the last probe, wait twice the longest rtt (or an interval) or -W. */
  scheduleExit(next: number): number {
    const o = this.o;
    if (!(o.count && this.ntransmitted >= o.count && !o.deadline) || this.exitWaitSet) return next;
    let wait: number;
    if (this.nreceived) {
      wait = 2 * this.tmax;
      if (wait < 1000 * o.interval) wait = 1000 * o.interval;
    } else {
      wait = o.linger * 1000;
    }
    this.exitWaitSet = wait !== 0;
    if (next < 0 || next < wait / 1000) next = Math.trunc(wait / 1000);
    this.alarmAt = wait ? this.now() + wait / 1000 : undefined;
    return next;
  }

  /**
   * Waits up to `ms` for the socket to have something, the alarm, or a signal. Only ctx.sleep
   * and the socket's wake-ups are waited on.
   */
  async wait(ms: number): Promise<void> {
    const sock = this.sock;
    const signal = this.ctx.signal;
    let until = ms;
    if (this.alarmAt !== undefined) until = Math.min(until, this.alarmAt - this.now());
    if (!sock.received.length && !sock.errors.length && until > 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          sock.wake = () => {};
          signal.removeEventListener('abort', finish);
          resolve();
        };
        sock.wake = finish;
        signal.addEventListener('abort', finish, { once: true });
        void this.ctx.sleep(Math.ceil(until)).then(finish);
      });
    }
    if (this.alarmAt !== undefined && this.now() >= this.alarmAt) this.exiting = true;
    if (signal.aborted) {
      const sig: unknown = signal.reason;
      const n = typeof sig === 'number' ? sig : 15;
      if (n === 2 || n === 14) this.exiting = true;
      else this.killed = 128 + n;
    }
  }

  /** main_loop, then finish(). */
  async run(): Promise<number> {
    const o = this.o;
    for (;;) {
      if (this.exiting) break;
      if (o.count && this.nreceived + this.nerrors >= o.count) break;
      if (o.deadline && this.nerrors) break;
      let next: number;
      do {
        next = this.scheduleExit(this.pinger());
        // Replies take no virtual time, so with -i 0 nothing would ever be in flight: one
        // probe per virtual millisecond at most, or the clock could not move.
        if (next <= 0 && o.interval <= 0) next = 1;
      } while (next <= 0);
      // A wait longer than the interval is a blocking recvmsg, which SO_RCVTIMEO (the
      // interval) cuts short; the exit conditions are checked again after it.
      await this.wait(Math.min(next, Math.max(o.interval, MININTERVAL)));
      if (this.killed) return this.killed;
      if (this.exiting) continue;
      for (;;) {
        const p = this.sock.received.shift();
        if (p) {
          this.parseReply(p);
        } else if (this.sock.errors.length) {
          this.receiveErrorMsg(0);
        } else {
          break;
        }
        if (this.inFlight() === 0) break;
      }
    }
    this.exiting = true;
    this.out(formatStatistics({
      hostname: this.hostname, transmitted: this.ntransmitted, received: this.nreceived, repeats: this.nrepeats, checksum: 0,
      errors: this.nerrors, elapsedUs: Math.round(((this.curTime ?? this.startTime) - this.startTime) * 1000), timing: this.timing,
      tmin: this.tmin, tmax: this.tmax, tsum: this.tsum, tsum2: this.tsum2, pipesize: this.pipesize, interval: o.interval,
      flood: false, adaptive: false, rtt: this.rtt,
    }));
    return exitStatus(this.nreceived, o.deadline, o.count);
  }
}

export const ping: Tool = async (ctx) => {
  const err = ctx.io.err;
  let p: Ping | undefined;
  try {
    const { opts, operands } = parsePingArgs(ctx.argv.slice(1), err);
    if (!operands.length) throw new PingExit(1, 'usage error: Destination address required');
    const target = operands[operands.length - 1];
    p = new Ping(ctx, opts);
    if (opts.pattern !== undefined) {
      const bytes = fillPattern(opts.pattern, p.outpack.subarray(8));
      if (!opts.quiet) ctx.io.out(`PATTERN: 0x${[...bytes].map((x) => x.toString(16).padStart(2, '0')).join('')}\n`);
    }
    if (target.includes(':')) throw new PingExit(2, `${target}: IPv6 is not supported by nslab`);
    if (opts.ipv6) throw new PingExit(2, `${target}: Address family for hostname not supported`);
    if (operands.length > 1) throw new PingExit(2, 'several destinations (IPv4 source routing): not supported by nslab');
    p.setup(target);
    return await p.run();
  } catch (e) {
    if (!(e instanceof PingExit)) throw e;
    if (e.text !== undefined) err(`ping: ${e.text}\n`);
    return e.status;
  } finally {
    p?.sock.close();
  }
};
