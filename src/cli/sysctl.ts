// `sysctl` (procps-ng 4.0.2) over the namespace's /proc/sys/net: reading, writing (`-w` or
// KEY=VALUE), `-n`, `-N`, `-q`, `-e`, `-b`, `-a`, `-r`, with procps's texts and exit codes.
import { KernelError, strerror } from '../kernel/errors.ts';
import type { Sysctls } from '../kernel/sysctl.ts';
import type { Tool, ToolContext } from './tool.ts';

const PROC = '/proc/sys/';

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`;

const LONG: Array<[string, 'none' | 'optional' | 'required', string]> = [
  ['all', 'none', 'a'], ['deprecated', 'none', 'DEPRECATED'], ['dry-run', 'none', 'DRYRUN'], ['binary', 'none', 'b'],
  ['ignore', 'none', 'e'], ['names', 'none', 'N'], ['values', 'none', 'n'], ['load', 'optional', 'p'],
  ['quiet', 'none', 'q'], ['write', 'none', 'w'], ['system', 'none', 'SYSTEM'], ['pattern', 'required', 'r'],
  ['help', 'none', 'h'], ['version', 'none', 'V'],
];
const SHORT_NOARG = 'bneNwfqoxaAXVdh';

interface Options {
  printName: boolean;
  printNewline: boolean;
  ignoreError: boolean;
  quiet: boolean;
  nameOnly: boolean;
  write: boolean;
  all: boolean;
  dryRun: boolean;
  load: boolean;
  loadFile: string | undefined;
  pattern: RegExp | undefined;
}

class Exit {
  constructor(readonly status: number) {}
}

/** GNU getopt_long with procps's option string "bneNwfp::qoxaAXr:Vdh": options anywhere, `--` ends them. */
function getopt(ctx: ToolContext, argv: string[], o: Options): string[] {
  const rest: string[] = [];
  const usage = (out: 'out' | 'err'): never => {
    ctx.io[out](USAGE);
    throw new Exit(out === 'err' ? 1 : 0);
  };
  const apply = (c: string, arg: string | undefined): void => {
    switch (c) {
      case 'b': o.printNewline = false; o.printName = false; break;
      case 'n': o.printName = false; break;
      case 'e': o.ignoreError = true; break;
      case 'N': o.nameOnly = true; break;
      case 'w': o.write = true; break;
      case 'f': case 'p': o.load = true; if (arg !== undefined) o.loadFile = arg; break;
      case 'q': o.quiet = true; break;
      case 'o': case 'x': case 'DEPRECATED': break;
      case 'a': case 'A': case 'X': o.all = true; break;
      case 'DRYRUN': o.dryRun = true; break;
      case 'SYSTEM': o.ignoreError = true; o.load = true; break;
      case 'r': o.pattern = new RegExp(arg ?? ''); break;
      case 'V': ctx.io.out('sysctl from procps-ng 4.0.2\n'); throw new Exit(0);
      default: usage('out');
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = LONG.find(([n]) => n === name);
      const cands = exact ? [exact] : LONG.filter(([n]) => n.startsWith(name));
      if (cands.length !== 1) {
        if (cands.length === 0) ctx.io.err(`sysctl: unrecognized option '${a}'\n`);
        else ctx.io.err(`sysctl: option '${a}' is ambiguous; possibilities:${cands.map(([n]) => ` '--${n}'`).join('')}\n`);
        usage('out');
      }
      const [lname, kind, code] = cands[0];
      let arg = eq < 0 ? undefined : a.slice(eq + 1);
      if (kind === 'none' && arg !== undefined) {
        ctx.io.err(`sysctl: option '--${lname}' doesn't allow an argument\n`);
        usage('out');
      }
      if (kind === 'required' && arg === undefined) {
        if (i + 1 >= argv.length) {
          ctx.io.err(`sysctl: option '--${lname}' requires an argument\n`);
          usage('out');
        }
        arg = argv[++i];
      }
      apply(code, arg);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === 'p') {
          apply('p', j + 1 < a.length ? a.slice(j + 1) : undefined);
          break;
        }
        if (c === 'r') {
          let arg = a.slice(j + 1);
          if (arg === '') {
            if (i + 1 >= argv.length) {
              ctx.io.err(`sysctl: option requires an argument -- 'r'\n`);
              usage('out');
            }
            arg = argv[++i];
          }
          apply('r', arg);
          break;
        }
        if (!SHORT_NOARG.includes(c)) {
          ctx.io.err(`sysctl: invalid option -- '${c}'\n`);
          usage('out');
        }
        apply(c, undefined);
      }
    } else {
      rest.push(a);
    }
  }
  return rest;
}

/** procps's slashdot: swaps '.' and '/' unless the first separator already is `to`. */
function slashdot(s: string, from: string, to: string, warn?: (m: string) => void): string {
  const first = s.search(/[./]/);
  if (first < 0 || s[first] === to) return s;
  let warned = false;
  let out = s.slice(0, first);
  for (let i = first; i < s.length; i++) {
    const c = s[i];
    if ((c === '.' || c === '/') && (s[i + 1] === '.' || s[i + 1] === '/') && !warned && warn) {
      warn(`separators should not be repeated: ${s.slice(i)}`);
      warned = true;
    }
    out += c === from ? to : c === to ? from : c;
  }
  return out;
}

/** A /proc/sys path as the kernel resolves it (repeated slashes collapse). */
function normalize(path: string): string {
  return path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
}

class Sysctl {
  constructor(private readonly ctx: ToolContext, private readonly sys: Sysctls, private readonly o: Options) {}

  private warn(msg: string): void {
    this.ctx.io.err(`sysctl: ${msg}\n`);
  }

  /** ReadSetting. */
  read(name: string): number {
    if (!name) {
      this.warn(`"${name}" is an unknown key`);
      return -1;
    }
    const outname = slashdot(name, '/', '.');
    const rel = slashdot(name, '.', '/', (m) => this.warn(m));
    const path = normalize(rel);
    const kind = this.sys.stat(path);
    if (!kind) {
      if (this.o.ignoreError) return 0;
      this.warn(`cannot stat ${PROC}${rel}: ${strerror(2)}`);
      return 1;
    }
    if (kind === 'dir') return this.displayAll(path);
    if (this.o.pattern && !this.o.pattern.test(outname)) return 0;
    if (this.o.nameOnly) {
      this.ctx.io.out(`${outname}\n`);
      return 0;
    }
    const value = this.sys.get(this.sys.keyOfPath(path)!) ?? '';
    if (this.o.printName) this.ctx.io.out(`${outname} = ${value}\n`);
    else this.ctx.io.out(this.o.printNewline ? `${value}\n` : value);
    return 0;
  }

  /** DisplayAll: every file under a directory. */
  displayAll(dir: string): number {
    let rc = 0;
    for (const p of this.sys.listDir(dir)) rc |= this.read(p);
    return rc;
  }

  /** WriteSetting. */
  write(key: string, value: string): number {
    const rel = slashdot(key.startsWith('-') ? key.slice(1) : key, '.', '/', (m) => this.warn(m));
    const path = normalize(rel);
    const kind = this.sys.stat(path);
    if (!kind) {
      if (this.o.ignoreError) return 0;
      this.warn(`cannot stat ${PROC}${rel}: ${strerror(2)}`);
      return 1;
    }
    if (path === '') {
      this.warn(`Path is not under ${PROC}: ${PROC}${rel}`);
      return 1;
    }
    const dotted = slashdot(path, '/', '.');
    // procps skips a directory or a file without write permission with a warning (and a stale
    // errno, EINVAL) and carries on: exit status 0.
    if (kind === 'dir' || this.sys.readOnly(this.sys.keyOfPath(path)!)) {
      this.warn(`setting key "${dotted}": ${strerror(22)}`);
      return 0;
    }
    if (!this.o.dryRun) {
      try {
        this.sys.set(this.sys.keyOfPath(path)!, value);
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        this.warn(`setting key "${dotted}": ${strerror(e.errno)}`);
        return 1;
      }
    }
    if (!this.o.quiet || this.o.dryRun) {
      if (this.o.nameOnly) this.ctx.io.out(`${value}\n`);
      else if (this.o.printName) this.ctx.io.out(`${dotted} = ${value}\n`);
      else this.ctx.io.out(this.o.printNewline ? `${value}\n` : value);
    }
    return 0;
  }

  /** parse_setting_line for one command-line word; undefined when it is not a setting. */
  parse(line: string, where: string): { key: string; value: string } | undefined {
    const key = line.replace(/^\s+/, '');
    if (key.length < 2 || key[0] === '#' || key[0] === ';') return undefined;
    if (this.o.pattern && !this.o.pattern.test(key)) return undefined;
    const eq = key.indexOf('=');
    if (eq < 0) {
      if (key[0] === '-') return { key: key.slice(1).trimEnd(), value: '' };
      this.warn(`${where}: invalid syntax, continuing...`);
      return undefined;
    }
    return { key: key.slice(0, eq).trimEnd(), value: key.slice(eq + 1).trim() };
  }
}

export const sysctl: Tool = (ctx) => {
  const o: Options = {
    printName: true, printNewline: true, ignoreError: false, quiet: false, nameOnly: false, write: false, all: false,
    dryRun: false, load: false, loadFile: undefined, pattern: undefined,
  };
  try {
    if (ctx.argv.length < 2) {
      ctx.io.err(USAGE);
      return 1;
    }
    const args = getopt(ctx, ctx.argv.slice(1), o);
    const s = new Sysctl(ctx, ctx.ns.sysctl, o);
    if (o.all) return s.displayAll('');
    if (o.load) {
      // nslab's /etc/sysctl.conf exists and sets nothing (Debian's is all comments).
      const files = o.loadFile !== undefined ? [o.loadFile] : args.length ? args : [];
      let rc = 0;
      for (const f of files) {
        if (f !== '-') {
          ctx.io.err(`sysctl: cannot open "${f}": No such file or directory\n`);
          return 1;
        }
        ctx.stdin.split('\n').forEach((line, i) => {
          if (line.length < 1) return;
          const st = s.parse(line, `${f}(${i + 1})`);
          if (st) rc |= s.write(st.key, st.value);
        });
      }
      return rc;
    }
    if (args.length < 1) {
      ctx.io.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
      return 1;
    }
    if (o.nameOnly && o.quiet) {
      ctx.io.err("sysctl: options -N and -q cannot coexist\nTry `sysctl --help' for more information.\n");
      return 1;
    }
    let rc = 0;
    for (const a of args) {
      if (o.write || a.includes('=')) {
        const st = s.parse(a, 'command line(0)');
        rc |= st ? s.write(st.key, st.value) : 1;
      } else {
        rc += s.read(a);
      }
    }
    return rc & 0xff;
  } catch (e) {
    if (e instanceof Exit) return e.status;
    throw e;
  }
};
