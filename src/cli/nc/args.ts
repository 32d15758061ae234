// nc's command line, read as Debian's nc.openbsd reads it: glibc getopt with operands permuted to
// the end, libbsd strtonum's error words, and each option's checks in the order the real one makes
// them, so that a bad command line fails with the same message. Options nslab cannot emulate are
// collected and refused later, after the checks that come first on Linux.

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

export const USAGE =
  'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n' +
  '\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n' +
  '\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n' +
  '\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n' +
  '\t  [destination] [port]\n';

export const HELP = `\tCommand Summary:
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

/** -T's names: DSCP classes, IP precedences and the old TOS bits; anything else must be a number. */
const TOS_KEYWORDS: Record<string, number> = {
  af11: 0x28, af12: 0x30, af13: 0x38, af21: 0x48, af22: 0x50, af23: 0x58, af31: 0x68, af32: 0x70, af33: 0x78,
  af41: 0x88, af42: 0x90, af43: 0x98, critical: 0xa0, cs0: 0x00, cs1: 0x20, cs2: 0x40, cs3: 0x60, cs4: 0x80,
  cs5: 0xa0, cs6: 0xc0, cs7: 0xe0, ef: 0xb8, inetcontrol: 0xc0, lowcost: 0x02, lowdelay: 0x10, netcontrol: 0xe0,
  reliability: 0x04, throughput: 0x08,
};

/** libbsd strtonum: the value, or its error word ("invalid", "too small", "too large"), which nc puts
 * into its messages; BigInt so that a huge number is "too large", not a rounded double. */
export function strtonum(s: string, min: number, max: number): number | string {
  if (min > max) return 'invalid';
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(s);
  if (!m) return 'invalid';
  const v = BigInt(m[1]);
  if (v < BigInt(min)) return 'too small';
  if (v > BigInt(max)) return 'too large';
  return Number(v);
}

/** A failure that ends nc: err()/errx() print "nc: TEXT" and exit. Status -1 stands for -h (help on
 * stderr, status 0); no text: the message was already printed. */
export class NcExit extends Error {
  constructor(readonly status: number, readonly text?: string) {
    super(text);
  }
}

/** The parsed options: each flag by its letter, the numbers already range-checked. */
export interface Options {
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
export function parseArgs(args: string[], err: (t: string) => void): { o: Options; operands: string[] } {
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
