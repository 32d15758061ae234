// `nc`: OpenBSD netcat 1.219 as Debian builds it (1.219-1), UDP only. It parses its command line
// as the real one does (glibc getopt, strtonum's messages, the same checks in the same order),
// then follows netcat.c: a client binds (-s/-p) and connects a UDP socket per port, probes it
// with udptest's "X" datagrams under -v/-z, and runs readwrite(): each read of stdin is sent as
// one datagram, each datagram read is written to stdout; a listener (-l) binds with
// SO_REUSEADDR|SO_REUSEPORT, waits for a first datagram (MSG_PEEK), connects to its sender
// (unless -k) and runs readwrite(). Everything waits in virtual time: ctx.sleep, the socket's
// wake-ups and ctx.signal (a signal ends nc with 128+N, as it ends the real one).
//
// Recorded facts it reproduces (test/cli/nc-fixtures): an ICMP port unreachable for a connected
// socket shows as POLLERR, which ends nc silently with status 0; -v's udptest fails quietly with
// status 1; without -n, reverse lookups fail ("getnameinfo: Temporary failure in name resolution",
// as in a namespace without DNS); an empty datagram reads as end of file.
// TCP (no -u) is not emulated yet.
import { strerror as kernelStrerror } from '../kernel/errors.ts';
import { ECONNREFUSED, UdpSocket } from '../kernel/ipv4/udp.ts';
import { formatIpv4Addr } from '../wire/addr.ts';
import { inetAton } from './ping.ts';
import type { Tool, ToolContext } from './tool.ts';

const BUFSIZE = 16384;
const UDP_SCAN_TIMEOUT = 3;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

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

const USAGE =
  'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n' +
  '\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n' +
  '\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n' +
  '\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n' +
  '\t  [destination] [port]\n';

const HELP = `\tCommand Summary:
\t\t-4		Use IPv4
\t\t-6		Use IPv6
\t\t-b		Allow broadcast
\t\t-C		Send CRLF as line-ending
\t\t-D		Enable the debug socket option
\t\t-d		Detach from stdin
\t\t-F		Pass socket fd
\t\t-h		This help text
\t\t-I length	TCP receive buffer length
\t\t-i interval	Delay interval for lines sent, ports scanned
\t\t-k		Keep inbound sockets open for multiple connects
\t\t-l		Listen mode, for inbound connects
\t\t-M ttl		Outgoing TTL / Hop Limit
\t\t-m minttl	Minimum incoming TTL / Hop Limit
\t\t-N		Shutdown the network socket after EOF on stdin
\t\t-n		Suppress name/port resolutions
\t\t-O length	TCP send buffer length
\t\t-P proxyuser\tUsername for proxy authentication
\t\t-p port\t	Specify local port for remote connects
\t\t-q secs\t	quit after EOF on stdin and delay of secs
\t\t-r		Randomize remote ports
\t\t-S		Enable the TCP MD5 signature option
\t\t-s sourceaddr	Local source address
\t\t-T keyword	TOS value
\t\t-t		Answer TELNET negotiation
\t\t-U		Use UNIX domain socket
\t\t-u		UDP mode
\t\t-V rtable	Specify alternate routing table
\t\t-v		Verbose
\t\t-W recvlimit	Terminate after receiving a number of packets
\t\t-w timeout	Timeout for connects and final net reads
\t\t-X proto	Proxy protocol: "4", "5" (SOCKS) or "connect"
\t\t-x addr[:port]\tSpecify proxy address and port
\t\t-Z		DCCP mode
\t\t-z		Zero-I/O mode [used for scanning]
\tPort numbers can be individual or ranges: lo-hi [inclusive]
`;

/** The udp entries of Debian's /etc/services (netbase): port, then the name and its aliases. */
const SERVICES_TEXT =
  '7:echo 9:discard,sink,null 13:daytime 19:chargen,ttytst,source 21:fsp,fspd 37:time,timserver 49:tacacs ' +
  '53:domain 67:bootps 68:bootpc 69:tftp 88:kerberos,kerberos5,krb5,kerberos-sec 111:sunrpc,portmapper 123:ntp ' +
  '137:netbios-ns 138:netbios-dgm 161:snmp 162:snmp-trap,snmptrap 163:cmip-man 164:cmip-agent 177:xdmcp 213:ipx ' +
  '319:ptp-event 320:ptp-general 369:rpc2portmap 370:codaauth2 371:clearcase,Clearcase 389:ldap 427:svrloc ' +
  '443:https 464:kpasswd 500:isakmp 554:rtsp 623:asf-rmcp 646:ldp 512:biff,comsat 513:who,whod 514:syslog ' +
  '517:talk 518:ntalk 520:route,router,routed 538:gdomap 546:dhcpv6-client 547:dhcpv6-server 636:ldaps 655:tinc ' +
  '853:domain-s 1194:openvpn 1434:ms-sql-m 1645:datametrics,old-radius 1646:sa-msg-port,old-radacct ' +
  '1701:l2f,l2tp 1812:radius 1813:radius-acct,radacct 2049:nfs 2086:gnunet 2101:rtcm-sc104 2430:venus ' +
  '2431:venus-se 2432:codasrv 2433:codasrv-se 2583:mon 3130:icpv2,icp 3205:isns 3493:nut 4500:ipsec-nat-t ' +
  '4569:iax 5060:sip 5061:sip-tls 5353:mdns 6346:gnutella-svc 6347:gnutella-rtr 6696:babel 7000:afs3-fileserver ' +
  '7001:afs3-callback 7002:afs3-prserver 7003:afs3-vlserver 7004:afs3-kaserver 7005:afs3-volser 7007:afs3-bos ' +
  '7008:afs3-update 7009:afs3-rmtsys 750:kerberos4,kerberos-iv,kdc 751:kerberos-master,kerberos_master ' +
  '752:passwd-server,passwd_server 2102:zephyr-srv 2103:zephyr-clt 2104:zephyr-hm 779:moira-ureg,moira_ureg ' +
  '1210:predict 5555:rplay 17001:sgi-cmsd 17002:sgi-crsd 17003:sgi-gcd 27374:asp';

let servicesCache: { byName: Map<string, number>; byPort: Map<number, string> } | undefined;

function services(): { byName: Map<string, number>; byPort: Map<number, string> } {
  if (servicesCache) return servicesCache;
  const byName = new Map<string, number>();
  const byPort = new Map<number, string>();
  for (const entry of SERVICES_TEXT.split(' ')) {
    const [p, names] = entry.split(':');
    const port = Number(p);
    const list = names.split(',');
    if (!byPort.has(port)) byPort.set(port, list[0]);
    for (const n of list) if (!byName.has(n)) byName.set(n, port);
  }
  servicesCache = { byName, byPort };
  return servicesCache;
}

/** getservbyname(name, "udp"). */
export function serviceByName(name: string): number | undefined {
  return services().byName.get(name);
}

/** getservbyport(port, "udp"). */
export function serviceByPort(port: number): string | undefined {
  return services().byPort.get(port);
}

const TOS_KEYWORDS: Record<string, number> = {
  af11: 0x28, af12: 0x30, af13: 0x38, af21: 0x48, af22: 0x50, af23: 0x58, af31: 0x68, af32: 0x70, af33: 0x78,
  af41: 0x88, af42: 0x90, af43: 0x98, critical: 0xa0, cs0: 0x00, cs1: 0x20, cs2: 0x40, cs3: 0x60, cs4: 0x80,
  cs5: 0xa0, cs6: 0xc0, cs7: 0xe0, ef: 0xb8, inetcontrol: 0xc0, lowcost: 0x02, lowdelay: 0x10, netcontrol: 0xe0,
  reliability: 0x04, throughput: 0x08,
};

/** libbsd strtonum: the value, or its error string ("invalid", "too small", "too large"). */
export function strtonum(s: string, min: number, max: number): number | string {
  if (min > max) return 'invalid';
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(s);
  if (!m) return 'invalid';
  const v = BigInt(m[1]);
  if (v < BigInt(min)) return 'too small';
  if (v > BigInt(max)) return 'too large';
  return Number(v);
}

/** A failure that ends nc: err()/errx() print "nc: TEXT" and exit. */
class NcExit extends Error {
  constructor(readonly status: number, readonly text?: string) {
    super(text);
  }
}

interface Options {
  family: number;
  bflag: boolean;
  dflag: boolean;
  kflag: boolean;
  lflag: boolean;
  nflag: boolean;
  uflag: boolean;
  vflag: boolean;
  zflag: boolean;
  qflag: number;
  recvlimit: number;
  /** ms, -1 for none. */
  timeout: number;
  ttl: number;
  tos: number;
  pflag?: string;
  sflag?: string;
  /** Options nc parses but nslab does not emulate. */
  unsupported: string[];
}

/** glibc getopt over "46bCDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zz", permuting operands. */
function parseArgs(args: string[], err: (t: string) => void): { o: Options; operands: string[] } {
  const o: Options = {
    family: 0, bflag: false, dflag: false, kflag: false, lflag: false, nflag: false, uflag: false, vflag: false,
    zflag: false, qflag: -1, recvlimit: 0, timeout: -1, ttl: -1, tos: -1, unsupported: [],
  };
  const withArg = 'IiMmOPpqsTVWwXx';
  const flags = '46bCDdFhklNnrStUuvZz';
  const operands: string[] = [];
  const usage = (): never => {
    err(USAGE);
    throw new NcExit(1);
  };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (withArg.includes(c)) {
        let v: string;
        if (j + 1 < a.length) v = a.slice(j + 1);
        else if (i + 1 < args.length) v = args[++i];
        else {
          err(`nc: option requires an argument -- '${c}'\n`);
          usage();
          return { o, operands };
        }
        option(o, c, v);
        break;
      }
      if (!flags.includes(c)) {
        err(`nc: invalid option -- '${c}'\n`);
        usage();
      }
      option(o, c, '');
    }
  }
  operands.push(...args.slice(i));
  return { o, operands };
}

function option(o: Options, c: string, v: string): void {
  const num = (min: number, max: number, fmt: (e: string) => string): number => {
    const r = strtonum(v, min, max);
    if (typeof r === 'string') throw new NcExit(1, fmt(r));
    return r;
  };
  switch (c) {
    case '4': o.family = 4; break;
    case '6': o.family = 6; o.unsupported.push('-6 (IPv6)'); break;
    case 'b': o.bflag = true; break;
    case 'U': o.unsupported.push('-U (UNIX domain sockets)'); break;
    case 'X':
      if (v.toLowerCase() !== 'connect' && v !== '4' && v !== '5') throw new NcExit(1, 'unsupported proxy protocol');
      o.unsupported.push('-X (proxies)');
      break;
    case 'C': o.unsupported.push('-C'); break;
    case 'd': o.dflag = true; break;
    case 'F': o.unsupported.push('-F'); break;
    case 'h':
      throw new NcExit(-1);
    case 'i': num(0, 0xffffffff, (e) => `interval ${e}: ${v}`); o.unsupported.push('-i'); break;
    case 'k': o.kflag = true; break;
    case 'l': o.lflag = true; break;
    case 'M': o.ttl = num(0, 255, (e) => `ttl is ${e}`); break;
    case 'm': num(0, 255, (e) => `minttl is ${e}`); o.unsupported.push('-m'); break;
    case 'N': break;
    case 'n': o.nflag = true; break;
    case 'P': o.unsupported.push('-P (proxies)'); break;
    case 'p': o.pflag = v; break;
    case 'q': o.qflag = num(INT_MIN, INT_MAX, (e) => `quit timer ${e}: ${v}`); break;
    case 'r': break;
    case 's': o.sflag = v; break;
    case 't': o.unsupported.push('-t'); break;
    case 'u': o.uflag = true; break;
    case 'Z': o.unsupported.push('-Z (DCCP)'); break;
    case 'V': throw new NcExit(1, 'no alternate routing table support available');
    case 'v': o.vflag = true; break;
    case 'W': o.recvlimit = num(1, INT_MAX, (e) => `receive limit ${e}: ${v}`); break;
    case 'w': o.timeout = num(0, Math.trunc(INT_MAX / 1000), (e) => `timeout ${e}: ${v}`) * 1000; break;
    case 'x': o.unsupported.push('-x (proxies)'); break;
    case 'z': o.zflag = true; break;
    case 'D': break;
    case 'I': num(1, 65536 << 14, (e) => `TCP receive window ${e}: ${v}`); break;
    case 'O': num(1, 65536 << 14, (e) => `TCP send window ${e}: ${v}`); break;
    case 'S': o.unsupported.push('-S (TCP MD5 signatures)'); break;
    case 'T': {
      const k = TOS_KEYWORDS[v];
      if (k !== undefined) {
        o.tos = k;
        break;
      }
      let t: number | string;
      if (v.length > 1 && v[0] === '0' && v[1] === 'x') {
        const m = /^0x([0-9a-fA-F]*)/.exec(v);
        t = m && m[1] ? parseInt(m[1], 16) : 0;
      } else {
        t = strtonum(v, 0, 255);
      }
      if (typeof t === 'string' || t < 0 || t > 255) throw new NcExit(1, `illegal tos value ${v}`);
      o.tos = t;
      break;
    }
  }
}

/**
 * getaddrinfo for an IPv4 host: numeric forms (inet_aton's), and localhost from /etc/hosts; any
 * other name fails as in a namespace without a reachable DNS server (EAI_AGAIN), or with
 * AI_NUMERICHOST (-n) as not numeric (EAI_NONAME). Returns the address or gai_strerror's text.
 */
function resolveHost(host: string, numericOnly: boolean): number | string {
  const a = inetAton(host);
  if (a !== undefined) return a;
  if (numericOnly) return 'Name or service not known';
  if (host === 'localhost') return 0x7f000001;
  return 'Temporary failure in name resolution';
}

/** getaddrinfo's service: a number (taken modulo 2^16, as glibc stores it) or a udp service name. */
function resolveService(port: string): number | undefined {
  if (/^\d+$/.test(port)) return Number(BigInt(port) & 0xffffn);
  return serviceByName(port);
}

class Netcat {
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

async function main(ctx: ToolContext): Promise<number> {
  const err = ctx.io.err;
  const { o, operands } = parseArgs(ctx.argv.slice(1), err);
  const argc = operands.length;
  let host: string | undefined;
  let uport: string[] | undefined;
  if (argc === 0 && o.lflag) {
    uport = o.pflag !== undefined ? [o.pflag] : undefined;
    host = o.sflag;
  } else if (argc === 1 && o.pflag === undefined && o.sflag === undefined) {
    if (o.lflag) uport = operands;
  } else if (argc >= 2) {
    if (o.lflag && (o.pflag !== undefined || o.sflag !== undefined || argc > 2)) {
      err(USAGE);
      return 1;
    }
    host = operands[0];
    uport = operands.slice(1);
  } else {
    err(USAGE);
    return 1;
  }
  if (!uport || !uport[0]) throw new NcExit(1, 'missing port number');
  if (o.lflag && o.zflag) throw new NcExit(1, 'cannot use -z and -l');
  if (!o.lflag && o.kflag) throw new NcExit(1, 'must use -l with -k');
  if (o.unsupported.length) throw new NcExit(1, `${o.unsupported[0]}: not supported by nslab`);
  if (!o.uflag) throw new NcExit(1, 'TCP is not emulated by nslab yet (only UDP, with -u)');
  const nc = new Netcat(ctx, o);
  if (o.lflag) return nc.listen(host, uport[0]);
  return nc.connect(host!, uport);
}

export const nc: Tool = async (ctx) => {
  try {
    return await main(ctx);
  } catch (e) {
    if (!(e instanceof NcExit)) throw e;
    if (e.status === -1) {
      ctx.io.err('OpenBSD netcat (Debian patchlevel 1.219-1)\n' + USAGE + HELP);
      return 0;
    }
    if (e.text !== undefined) ctx.io.err(`nc: ${e.text}\n`);
    return e.status;
  }
};
