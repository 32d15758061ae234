// What iputils ping 20221126 prints, as pure functions: the usage text, reply times, the ICMP
// error texts (pr_icmph), C's %g for the packet loss, and the statistics block with its
// rtt/mdev arithmetic (finish()). Times are whole microseconds, as ping keeps them.

export const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

/** C's integer division (truncates toward zero). */
function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `%ld.%03ld` of a microsecond count as milliseconds (what the rtt line prints). */
export function msFromUs(us: number): string {
  const neg = us < 0 && idiv(us, 1000) === 0 ? '-' : '';
  return `${neg}${idiv(us, 1000)}.${pad(Math.abs(us % 1000), 3)}`;
}

/** The `time=` of a reply (gather_statistics): 3 significant digits at most, then whole ms. */
export function formatTriptime(us: number): string {
  if (us >= 100000 - 50) return `${idiv(us + 500, 1000)}`;
  if (us >= 10000 - 5) return `${idiv(us + 50, 1000)}.${idiv((us + 50) % 1000, 100)}`;
  if (us >= 1000) return `${idiv(us + 5, 1000)}.${pad(idiv((us + 5) % 1000, 10), 2)}`;
  return `${idiv(us, 1000)}.${pad(us % 1000, 3)}`;
}

/** C's `%g` (precision 6) of a double. */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    const [m, e] = x.toExponential(p - 1).split('e');
    const en = Number(e);
    return `${strip(m)}e${en < 0 ? '-' : '+'}${pad(Math.abs(en), 2)}`;
  }
  return strip(x.toFixed(p - 1 - exp));
}

/** The loss as finish() prints it: `(float)((tx - rx) * 100.0 / tx)` through `%g`. */
export function formatLoss(transmitted: number, received: number): string {
  return formatG(Math.fround(((transmitted - received) * 100.0) / transmitted));
}

/** llsqrt: the integer square root by Newton's method (negative input comes back as is). */
export function llsqrt(a: number): number {
  let prev = Number.MAX_SAFE_INTEGER;
  let x = a;
  if (x > 0) {
    while (x < prev) {
      prev = x;
      x = Math.trunc((x + Math.trunc(a / x)) / 2);
    }
  }
  return x;
}

/** The rtt average and mean deviation (µs) finish() computes from the sums. */
export function rttAvgMdev(tsum: number, tsum2: number, total: number): { avg: number; mdev: number } {
  const avg = Math.trunc(tsum / total);
  const INT_MAX = 2147483647;
  const tmvar = tsum < INT_MAX ? Math.trunc((tsum2 - (tsum * tsum) / total) / total) : Math.trunc(tsum2 / total - avg * avg);
  return { avg, mdev: llsqrt(tmvar) };
}

/**
 * pr_icmph without the quoted header: the text after `From A icmp_seq=N ` for an ICMP message
 * of `type`/`code`; `info` is the MTU (frag needed), the pointer (parameter problem) or the
 * new gateway (redirect, as text).
 */
export function icmpText(type: number, code: number, info: number, gateway = ''): string {
  switch (type) {
    case 0: return 'Echo Reply\n';
    case 3: {
      const texts: Record<number, string> = {
        0: 'Destination Net Unreachable', 1: 'Destination Host Unreachable', 2: 'Destination Protocol Unreachable',
        3: 'Destination Port Unreachable', 4: `Frag needed and DF set (mtu = ${info >>> 0})`, 5: 'Source Route Failed',
        6: 'Destination Net Unknown', 7: 'Destination Host Unknown', 8: 'Source Host Isolated', 9: 'Destination Net Prohibited',
        10: 'Destination Host Prohibited', 11: 'Destination Net Unreachable for Type of Service',
        12: 'Destination Host Unreachable for Type of Service', 13: 'Packet filtered', 14: 'Precedence Violation',
        15: 'Precedence Cutoff',
      };
      return `${texts[code] ?? `Dest Unreachable, Bad Code: ${code}`}\n`;
    }
    case 4: return 'Source Quench\n';
    case 5: {
      const texts: Record<number, string> = {
        0: 'Redirect Network', 1: 'Redirect Host', 2: 'Redirect Type of Service and Network', 3: 'Redirect Type of Service and Host',
      };
      return `${texts[code] ?? `Redirect, Bad Code: ${code}`}(New nexthop: ${gateway})\n`;
    }
    case 8: return 'Echo Request\n';
    case 11:
      if (code === 0) return 'Time to live exceeded\n';
      if (code === 1) return 'Frag reassembly time exceeded\n';
      return `Time exceeded, Bad Code: ${code}\n`;
    case 12: return `Parameter problem: pointer = ${info >>> 0}\n`;
    case 13: return 'Timestamp\n';
    case 14: return 'Timestamp Reply\n';
    case 15: return 'Information Request\n';
    case 16: return 'Information Reply\n';
    case 17: return 'Address Mask Request\n';
    case 18: return 'Address Mask Reply\n';
    default: return `Bad ICMP type: ${type}\n`;
  }
}

/** The counters finish() reports. Times in µs, `elapsedUs` from the start to the last send. */
export interface PingTotals {
  hostname: string;
  transmitted: number;
  received: number;
  repeats: number;
  checksum: number;
  errors: number;
  elapsedUs: number;
  timing: boolean;
  tmin: number;
  tmax: number;
  tsum: number;
  tsum2: number;
  pipesize: number;
  /** The interval in ms (0: flood-like). */
  interval: number;
  flood: boolean;
  adaptive: boolean;
  /** The smoothed rtt ×8 (µs), for ipg/ewma. */
  rtt: number;
}

/** The statistics block (from its leading empty line to the last newline). */
export function formatStatistics(t: PingTotals): string {
  let s = '\n';
  s += `--- ${t.hostname} ping statistics ---\n`;
  s += `${t.transmitted} packets transmitted, ${t.received} received`;
  if (t.repeats) s += `, +${t.repeats} duplicates`;
  if (t.checksum) s += `, +${t.checksum} corrupted`;
  if (t.errors) s += `, +${t.errors} errors`;
  if (t.transmitted) {
    s += `, ${formatLoss(t.transmitted, t.received)}% packet loss`;
    const sec = Math.floor(t.elapsedUs / 1e6);
    const nsec = (t.elapsedUs - sec * 1e6) * 1000;
    s += `, time ${1000 * sec + idiv(nsec + 500000, 1000000)}ms`;
  }
  s += '\n';
  let comma = '';
  if (t.received && t.timing) {
    const { avg, mdev } = rttAvgMdev(t.tsum, t.tsum2, t.received + t.repeats);
    s += `rtt min/avg/max/mdev = ${msFromUs(t.tmin)}/${msFromUs(avg)}/${msFromUs(t.tmax)}/${msFromUs(mdev)} ms`;
    comma = ', ';
  }
  if (t.pipesize > 1) {
    s += `${comma}pipe ${t.pipesize}`;
    comma = ', ';
  }
  if (t.received && (!t.interval || t.flood || t.adaptive) && t.transmitted > 1) {
    const ipg = idiv(t.elapsedUs, t.transmitted - 1);
    s += `${comma}ipg/ewma ${idiv(ipg, 1000)}.${pad(ipg % 1000, 3)}/${idiv(t.rtt, 8000)}.${pad(idiv(t.rtt, 8) % 1000, 3)} ms`;
  }
  return s + '\n';
}

/** finish()'s exit status: 1 when nothing came back, or a deadline run got fewer than -c replies. */
export function exitStatus(received: number, deadline: number, npackets: number): number {
  return !received || (deadline && received < npackets) ? 1 : 0;
}
