// The running nc: the client (a UDP socket per port, udptest's probes under -v/-z, then
// readwrite) and the listener (bind, wait for a first datagram, connect to its sender unless -k,
// then readwrite). Every wait is in virtual time and ends early on a signal.
import { strerror as kernelStrerror } from '../../kernel/errors.ts';
import { ECONNREFUSED, UdpSocket } from '../../kernel/ipv4/udp-socket.ts';
import { formatIpv4Addr } from '../../wire/addr.ts';
import type { ToolContext } from '../tool.ts';
import { NcExit, strtonum, type Options } from './args.ts';
import { resolveHost, resolveService, serviceByName, serviceByPort } from './netdb.ts';

/** What one read of stdin or of the socket takes at most (so a longer datagram is cut there). */
const BUFSIZE = 16384;
/** Seconds udptest keeps probing when -w gives no timeout. */
const UDP_SCAN_TIMEOUT = 3;

/** The libc texts of errnos a UDP socket can return that the kernel's errno table does not name. */
const MORE_ERRORS: Record<number, string> = {
  111: 'Connection refused',
  89: 'Destination address required',
  71: 'Protocol error',
  92: 'Protocol not available',
  112: 'Host is down',
  64: 'Machine is not on the network',
};

function strerror(errno: number): string {
  return MORE_ERRORS[errno] ?? kernelStrerror(errno);
}

export class Netcat {
  readonly out: (t: string) => void;
  readonly err: (t: string) => void;
  private readonly stdin: Uint8Array;
  private stdinPos = 0;
  private stdinEof = false;
  private recvcount = 0;
  private readonly decoder = new TextDecoder();
  private kflag: boolean;
  /** A signal ended nc: its status (128+N). */
  killed = 0;

  constructor(readonly ctx: ToolContext, readonly o: Options) {
    this.out = ctx.io.out;
    this.err = ctx.io.err;
    this.stdin = new TextEncoder().encode(o.dflag ? '' : ctx.stdin);
    this.kflag = o.kflag;
  }

  fail(text: string): never {
    throw new NcExit(1, text);
  }

  /** Waits up to `ms` (-1: forever) for `ready()`, a signal or the time; what ended the wait. */
  private async waitFor(s: UdpSocket | undefined, ms: number, ready: () => boolean): Promise<'ready' | 'timeout' | 'signal'> {
    const signal = this.ctx.signal;
    if (signal.aborted) return this.signalled();
    if (ready()) return 'ready';
    if (ms === 0) return 'timeout';
    let timedOut = false;
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        if (s) s.wake = () => {};
        signal.removeEventListener('abort', finish);
        resolve();
      };
      if (s) s.wake = () => { if (ready()) finish(); };
      signal.addEventListener('abort', finish, { once: true });
      if (ms > 0) void this.ctx.sleep(ms).then(() => {
        if (!done) timedOut = true;
        finish();
      });
    });
    if (signal.aborted) return this.signalled();
    if (ready()) return 'ready';
    return timedOut ? 'timeout' : 'ready';
  }

  private signalled(): 'signal' {
    const sig: unknown = this.ctx.signal.reason;
    this.killed = 128 + (typeof sig === 'number' ? sig : 15);
    return 'signal';
  }

  /** Sleeps in virtual time; false when a signal came. */
  private async sleep(ms: number): Promise<boolean> {
    const r = await this.waitFor(undefined, ms, () => false);
    return r !== 'signal';
  }

  private write(s: UdpSocket, data: Uint8Array): number {
    return s.send(data);
  }

  /** readwrite(): stdin to the socket, the socket to stdout. 'exit0' when -q's alarm ended nc. */
  async readwrite(s: UdpSocket): Promise<'done' | 'exit0' | 'signal'> {
    const o = this.o;
    let stdinOn = !this.stdinEof;
    let netIn = true;
    let netOut = true;
    /** Data read from stdin that could not be written (a failed write keeps it in the buffer). */
    let stuck = false;
    let spins = 0;
    let last = this.ctx.world.now();
    for (;;) {
      if ((!stdinOn && !netIn && !stuck) || (o.lflag && !netIn && !stuck)) {
        if (o.qflag <= 0) return 'done';
        // delay_exit: the socket is closed, then the alarm (or -w's poll timeout) ends it.
        s.close();
        const q = o.qflag * 1000;
        const wait = o.timeout >= 0 ? Math.min(o.timeout, q) : q;
        if (!(await this.sleep(wait))) return 'signal';
        return o.timeout >= 0 && o.timeout < q ? 'done' : 'exit0';
      }
      const ready = (): boolean => stdinOn || (netIn && s.readable()) || ((netIn || netOut) && s.error !== 0);
      const w = await this.waitFor(s, o.timeout, ready);
      if (w === 'signal') return 'signal';
      if (w === 'timeout') return 'done';
      // Nothing here takes virtual time; a loop that never waits must still let the clock run.
      const now = this.ctx.world.now();
      if (now === last && ++spins > 100000) {
        if (!(await this.sleep(1))) return 'signal';
        spins = 0;
      }
      last = now;
      // POLLERR: both directions of the socket are gone, and with them stdin.
      if (s.error !== 0 && (netIn || netOut)) {
        netIn = false;
        netOut = false;
      }
      if (!netOut) stdinOn = false;
      if (stdinOn) {
        if (this.stdinPos < this.stdin.length) {
          const end = Math.min(this.stdin.length, this.stdinPos + BUFSIZE);
          const chunk = this.stdin.subarray(this.stdinPos, end);
          this.stdinPos = end;
          if (this.write(s, chunk) < 0) {
            netOut = false;
            stuck = true;
          }
        } else {
          stdinOn = false;
          this.stdinEof = true;
        }
      }
      if (netIn && s.readable()) {
        const m = s.recv();
        if (typeof m === 'number') {
          netIn = false;
        } else if (m !== undefined) {
          if (m.data.length === 0) netIn = false;
          else this.out(this.decoder.decode(m.data.length > BUFSIZE ? m.data.subarray(0, BUFSIZE) : m.data, { stream: true }));
          if (o.recvlimit > 0 && ++this.recvcount >= o.recvlimit) {
            netIn = false;
            stdinOn = false;
          }
        }
      }
      if (!stdinOn && !stuck) {
        netOut = false;
        if ((o.lflag || o.uflag) && netIn && o.qflag >= 0) {
          netIn = false;
          this.kflag = false;
        }
      }
    }
  }

  private newSocket(): UdpSocket {
    const s = new UdpSocket(this.ctx.ns);
    const o = this.o;
    if (o.bflag) s.broadcast = true;
    if (o.tos >= 0) s.tos = o.tos;
    if (o.ttl >= 0) s.ttl = o.ttl;
    return s;
  }

  /** report_sock: "MSG on HOST PORT"; without -n the reverse lookup fails as without DNS. */
  private reportSock(msg: string, addr: number, port: number): void {
    let host: string;
    if (this.o.nflag) host = formatIpv4Addr(addr);
    else if (addr === 0x7f000001) host = 'localhost';
    else {
      this.err('nc: getnameinfo: Temporary failure in name resolution\n');
      return;
    }
    this.err(`${msg} on ${host} ${port}\n`);
  }

  /** local_listen + the listen loop of main(). */
  async listen(host: string | undefined, port: string): Promise<number> {
    const o = this.o;
    let addr = 0;
    if (host !== undefined) {
      const a = resolveHost(host, o.nflag);
      if (typeof a === 'string') this.fail(`getaddrinfo: ${a}`);
      addr = a;
    }
    const p = resolveService(port);
    if (p === undefined) this.fail('getaddrinfo: Servname not supported for ai_socktype');
    const s = this.newSocket();
    s.reuseAddr = true;
    s.reusePort = true;
    const r = s.bind(addr, p);
    if (r < 0) this.fail(strerror(-r));
    try {
      if (o.vflag) this.reportSock('Bound', s.laddr, s.lport);
      for (;;) {
        let res: 'done' | 'exit0' | 'signal';
        if (this.kflag) {
          res = await this.readwrite(s);
        } else {
          const w = await this.waitFor(s, -1, () => s.readable());
          if (w === 'signal') return this.killed;
          const m = s.recv(true);
          if (typeof m === 'number') this.fail(`recvfrom: ${strerror(-m)}`);
          if (m === undefined) continue;
          const c = s.connect(m.addr, m.port);
          if (c < 0) this.fail(`connect: ${strerror(-c)}`);
          if (o.vflag) this.reportSock('Connection received', m.addr, m.port);
          res = await this.readwrite(s);
        }
        if (res === 'signal') return this.killed;
        if (res === 'exit0') return 0;
        if (!this.kflag) break;
      }
      return 0;
    } finally {
      s.close();
    }
  }

  /** build_ports: services, lo-hi ranges, numbers. */
  buildPorts(list: string[]): number[] {
    const ports: number[] = [];
    const toPort = (t: string): number => {
      const r = strtonum(t, 1, 65535);
      if (typeof r === 'string') this.fail(`port number ${r}: ${t}`);
      return r;
    };
    for (const p of list) {
      const sv = serviceByName(p);
      const dash = p.indexOf('-');
      if (sv !== undefined) ports.push(sv);
      else if (/^\d/.test(p) && dash >= 0) {
        let hi = toPort(p.slice(dash + 1));
        let lo = toPort(p.slice(0, dash));
        if (lo > hi) [lo, hi] = [hi, lo];
        for (let x = lo; x <= hi; x++) ports.push(x);
      } else {
        ports.push(toPort(p));
      }
    }
    return ports;
  }

  /** udptest: a few "X" datagrams; -1 once one is refused. */
  private async udptest(s: UdpSocket): Promise<number> {
    const x = new Uint8Array([0x58]);
    if (this.write(s, x) !== 1) return -1;
    const w = this.write(s, x);
    if (w !== 1 && w === -ECONNREFUSED) return -1;
    const t = this.o.timeout === -1 ? UDP_SCAN_TIMEOUT : Math.trunc(this.o.timeout / 1000);
    for (let i = 0; i < t; i++) {
      if (!(await this.sleep(1000))) return -2;
      const r = this.write(s, x);
      if (r !== 1 && r === -ECONNREFUSED) return -1;
    }
    return 1;
  }

  /** The client half of main(): each port in turn. */
  async connect(host: string, portArgs: string[]): Promise<number> {
    const o = this.o;
    const ports = this.buildPorts(portArgs);
    let ret = 1;
    for (const port of ports) {
      const dst = resolveHost(host, o.nflag);
      if (typeof dst === 'string') this.fail(`getaddrinfo for host "${host}" port ${port}: ${dst}`);
      const ipaddr = formatIpv4Addr(dst);
      const s = this.newSocket();
      try {
        if (o.sflag !== undefined || o.pflag !== undefined) {
          let addr = 0;
          if (o.sflag !== undefined) {
            const a = resolveHost(o.sflag, false);
            if (typeof a === 'string') this.fail(`getaddrinfo: ${a}`);
            addr = a;
          }
          let lport = 0;
          if (o.pflag !== undefined) {
            const p = resolveService(o.pflag);
            if (p === undefined) this.fail('getaddrinfo: Servname not supported for ai_socktype');
            lport = p;
          }
          const b = s.bind(addr, lport);
          if (b < 0) this.fail(`bind failed: ${strerror(-b)}`);
        }
        const c = s.connect(dst, port);
        if (c < 0) {
          if (o.vflag) {
            const who = o.nflag || host === ipaddr ? host : `${host} (${ipaddr})`;
            this.err(`nc: connect to ${who} port ${port} (udp) failed: ${strerror(-c)}\n`);
          }
          continue;
        }
        ret = 0;
        if (o.vflag) {
          const t = await this.udptest(s);
          if (t === -2) return this.killed;
          if (t === -1) {
            ret = 1;
            continue;
          }
          const sv = o.nflag ? undefined : serviceByPort(port);
          const ip = !o.nflag && host !== ipaddr ? ` (${ipaddr})` : '';
          this.err(`Connection to ${host}${ip} ${port} port [udp/${sv ?? '*'}] succeeded!\n`);
        }
        if (!o.zflag) {
          const r = await this.readwrite(s);
          if (r === 'signal') return this.killed;
          if (r === 'exit0') return 0;
        }
      } finally {
        s.close();
      }
    }
    return ret;
  }
}
