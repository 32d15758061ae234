// tcpdump's command line as Debian's tcpdump 4.99.3 parses it (glibc getopt_long: option
// clusters, `-c5`/`-c 5`, abbreviated long options, `--opt=value`, options after the
// expression), its checks of the values, and its version and usage texts.
import { ToolExit } from './tool.ts';

export interface TcpdumpArgs {
  /** -i; undefined: tcpdump picks a device. */
  iface: string | undefined;
  /** -c: stop after this many packets (0: no limit). */
  count: number;
  /** -e */
  link: boolean;
  /** Number of -v. */
  verbose: number;
  /** Number of -t (0: time of day, 1: none, 2: epoch seconds, 3: delta, 4: date, 5: since first). */
  tflag: number;
  /** -w FILE */
  writeFile: string | undefined;
  /** -U */
  packetBuffered: boolean;
  /** -s (0 is tcpdump's default, 262144). */
  snaplen: number;
  /** -Q */
  direction: 'inout' | 'in' | 'out';
  /** Puts the device in promiscuous mode (-p: not). */
  promisc: boolean;
  /** -O turns libpcap's optimizer off. */
  optimize: boolean;
  /** -#, --number */
  number: boolean;
  /** --version, -h: print this and exit 0. */
  info: 'version' | 'help' | undefined;
  /** The filter expression (argv words). */
  expr: string[];
}

export const VERSION_TEXT = 'tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\nOpenSSL 3.0.19 27 Jan 2026\n';

export const USAGE_TEXT = VERSION_TEXT + `Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]
`;

/** tcpdump 4.99.3's SHORTOPTS on Linux: letters followed by ':' take an argument. */
const SHORTOPTS = 'aAbB:c:C:dDeE:fF:G:hHi:Ij:JKlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#';
const TAKES_ARG = new Set<string>();
const SHORT = new Set<string>();
for (let i = 0; i < SHORTOPTS.length; i++) {
  SHORT.add(SHORTOPTS[i]);
  if (SHORTOPTS[i + 1] === ':') TAKES_ARG.add(SHORTOPTS[i++]);
}

/** tcpdump's long options: name → [short letter or own key, takes an argument]. */
const LONGOPTS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['buffer-size', 'B', true], ['list-interfaces', 'D', false], ['help', 'h', false], ['interface', 'i', true],
  ['monitor-mode', 'I', false], ['time-stamp-type', 'j', true], ['list-time-stamp-types', 'J', false],
  ['micro', 'micro', false], ['nano', 'nano', false], ['time-stamp-precision', 'time-stamp-precision', true],
  ['dont-verify-checksums', 'K', false], ['list-data-link-types', 'L', false], ['no-optimize', 'O', false],
  ['no-promiscuous-mode', 'p', false], ['direction', 'Q', true], ['snapshot-length', 's', true],
  ['absolute-tcp-sequence-numbers', 'S', false], ['packet-buffered', 'U', false], ['linktype', 'y', true],
  ['immediate-mode', 'immediate-mode', false], ['debug-filter-parser', 'Y', false],
  ['relinquish-privileges', 'Z', true], ['count', 'count', false], ['fp-type', 'fp-type', false],
  ['number', '#', false], ['print', 'print', false], ['print-sampling', 'print-sampling', true],
  ['version', 'version', false],
];

/** Options real tcpdump has that change what it does in ways nslab does not model. */
const UNSUPPORTED = new Set([
  'A', 'b', 'C', 'd', 'D', 'E', 'f', 'F', 'G', 'H', 'I', 'j', 'J', 'L', 'm', 'M', 'q', 'r', 'S', 'T', 'u', 'V', 'W',
  'x', 'X', 'y', 'Y', 'z', 'nano', 'time-stamp-precision', 'count', 'fp-type', 'print', 'print-sampling',
]);

const usageExit = (msg: string): ToolExit => new ToolExit(1, `tcpdump: ${msg}\n${USAGE_TEXT}`);
const fail = (msg: string): ToolExit => new ToolExit(1, `tcpdump: ${msg}\n`);

/** atoi: the leading decimal integer, 0 when there is none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Math.max(-0x80000000, Math.min(0x7fffffff, Number(m[1]))) : 0;
}

/** strtol(s, &end, 0) with the whole string consumed; null when it is not a number. */
function strtol0(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return null;
  const body = m[2];
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : Number(body);
  return m[1] === '-' ? -v : v;
}

/** Parses argv (argv[0] is the command); throws ToolExit with tcpdump's message on errors. */
export function parseTcpdumpArgs(argv: readonly string[]): TcpdumpArgs {
  const a: TcpdumpArgs = {
    iface: undefined, count: 0, link: false, verbose: 0, tflag: 0, writeFile: undefined, packetBuffered: false,
    snaplen: 0, direction: 'inout', promisc: true, optimize: true, number: false, info: undefined, expr: [],
  };
  const opts: Array<[string, string]> = [];
  let i = 1;
  for (; i < argv.length; i++) {
    const w = argv[i];
    if (w === '--') {
      a.expr.push(...argv.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      const exact = LONGOPTS.find((o) => o[0] === name);
      const cands = exact ? [exact] : LONGOPTS.filter((o) => o[0].startsWith(name));
      if (cands.length === 0) throw usageExit(`unrecognized option '${eq < 0 ? w : w.slice(0, eq)}'`);
      if (cands.length > 1) {
        throw usageExit(`option '${w.slice(0, eq < 0 ? undefined : eq)}' is ambiguous; possibilities:${cands.map((c) => ` '--${c[0]}'`).join('')}`);
      }
      const [full, key, hasArg] = cands[0];
      if (!hasArg && eq >= 0) throw usageExit(`option '--${full}' doesn't allow an argument`);
      if (hasArg && eq < 0 && i + 1 >= argv.length) throw usageExit(`option '--${full}' requires an argument`);
      opts.push([key, hasArg ? (eq >= 0 ? w.slice(eq + 1) : argv[++i]) : '']);
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let k = 1; k < w.length; k++) {
        const c = w[k];
        if (!SHORT.has(c)) throw usageExit(`invalid option -- '${c}'`);
        if (!TAKES_ARG.has(c)) {
          opts.push([c, '']);
          continue;
        }
        if (k + 1 < w.length) opts.push([c, w.slice(k + 1)]);
        else if (i + 1 < argv.length) opts.push([c, argv[++i]]);
        else throw usageExit(`option requires an argument -- '${c}'`);
        break;
      }
      continue;
    }
    a.expr.push(w);
  }
  for (const [key, val] of opts) apply(a, key, val);
  return a;
}

function apply(a: TcpdumpArgs, key: string, val: string): void {
  if (UNSUPPORTED.has(key)) throw fail(`option ${key.length === 1 ? '-' : '--'}${key}: not supported by nslab`);
  switch (key) {
    case 'i': a.iface = val; break;
    case 'c': {
      const n = atoi(val);
      if (n <= 0) throw fail(`invalid packet count ${val}`);
      a.count = n;
      break;
    }
    case 'e': a.link = true; break;
    case 'v': a.verbose++; break;
    case 't': a.tflag++; break;
    case 'w':
      if (val === '-') throw fail('-w -: writing to standard output is not supported by nslab');
      a.writeFile = val;
      break;
    case 'U': a.packetBuffered = true; break;
    case 's': {
      const n = strtol0(val);
      if (n === null || n < 0 || n > 262144) throw fail(`invalid snaplen ${val} (must be >= 0 and <= 262144)`);
      a.snaplen = n;
      break;
    }
    case 'Q': {
      const d = val.toLowerCase();
      if (d !== 'in' && d !== 'out' && d !== 'inout') throw fail(`unknown capture direction \`${val}'`);
      a.direction = d;
      break;
    }
    case 'O': a.optimize = false; break;
    case 'p': a.promisc = false; break;
    case '#': a.number = true; break;
    case 'h': a.info ??= 'help'; break;
    case 'version': a.info ??= 'version'; break;
    // Accepted, nothing to do in nslab: -n/-N (nslab never resolves names), -l (output is never
    // buffered), -K, -a, -B, -Z, --immediate-mode, --micro.
    default: break;
  }
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The time stamp tcpdump prints for -t flag counts other than 0 and 1 (which formatFrame
 * does itself): `sec.usec` (-tt), the delta since `ref` (-ttt, -ttttt; UTC clock arithmetic,
 * a leading space), or the local date and time (-tttt). Includes the trailing space.
 */
export function tcpdumpTimestamp(tflag: number, sec: number, usec: number, ref: { sec: number; usec: number }): string {
  const frac = String(usec).padStart(6, '0');
  if (tflag === 2) return `${sec}.${frac} `;
  if (tflag === 4) {
    const d = new Date(sec * 1000);
    return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${frac} `;
  }
  let ds = sec - ref.sec;
  let du = usec - ref.usec;
  if (du < 0) {
    du += 1_000_000;
    ds--;
  }
  const d = new Date(ds * 1000);
  return ` ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(du).padStart(6, '0')} `;
}
