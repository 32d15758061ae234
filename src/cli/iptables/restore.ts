// `iptables-restore [-c] [-n] [-T table] [FILE]` reading FILE or the tool's stdin, as
// xtables-restore.c does:
// each `*table ... COMMIT` section is one atomic batch (flushing the table first unless
// --noflush); command lines are parsed at once, run when COMMIT is reached.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Batch, NetfilterError, flushTable, isTableName, netfilterOf, restoreChain, setPolicy, type NetfilterState, type TableName } from '../../kernel/netfilter/index.ts';
import type { ToolContext } from '../tool.ts';
import { commandTable, compileRules, faultText, nftStrerror, runCommand } from './command.ts';
import { Getopt, type LongOpt } from './getopt.ts';
import { reportFailure } from './iptables.ts';
import { assertValidChainName, parseCommand } from './parse.ts';
import { PARAMETER_PROBLEM, RESOURCE_PROBLEM, VERSION, XtExit, xtError } from './xtables.ts';

const PROG = 'iptables-restore';
const ch = (c: string) => c.charCodeAt(0);
const OPTS: LongOpt[] = [
  ['counters', 0, 'c'], ['verbose', 0, 'v'], ['version', 0, 'V'], ['test', 0, 't'], ['help', 0, 'h'], ['noflush', 0, 'n'],
  ['modprobe', 1, 'M'], ['table', 1, 'T'], ['ipv4', 0, '4'], ['ipv6', 0, '6'], ['wait', 2, 'w'], ['wait-interval', 2, 'W'],
].map(([name, hasArg, val]) => ({ name: name as string, hasArg: hasArg as 0 | 1 | 2, val: ch(val as string) }));

const USAGE = `Usage: ${PROG} [-c] [-v] [-V] [-t] [-h] [-n] [-T table] [-M command] [-4] [-6] [file]
	   [ --counters ]
	   [ --verbose ]
	   [ --version]
	   [ --test ]
	   [ --help ]
	   [ --noflush ]
	   [ --table=<TABLE> ]
	   [ --modprobe=<command> ]
	   [ --ipv4 ]
	   [ --ipv6 ]
`;

/** add_param_to_argv: words split at blanks, double quotes group, backslash escapes inside quotes. */
export function splitRuleLine(text: string): string[] {
  const out: string[] = [];
  let param = '';
  let quoteOpen = false;
  let escaped = false;
  for (const c of text) {
    if (quoteOpen) {
      if (escaped) {
        param += c;
        escaped = false;
        continue;
      } else if (c === '\\') {
        escaped = true;
        continue;
      } else if (c === '"') {
        quoteOpen = false;
      } else {
        param += c;
        continue;
      }
    } else if (c === '"') {
      quoteOpen = true;
      continue;
    }
    if (c === '"') continue;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (param === '') continue;
    } else {
      param += c;
      continue;
    }
    out.push(param);
    param = '';
  }
  if (param !== '') out.push(param);
  return out;
}

interface Queued {
  line: number;
  run(work: NetfilterState, batch: Batch): void;
}

export function iptablesRestore(ctx: ToolContext): number {
  const g = new Getopt([PROG, ...ctx.argv.slice(1)], 'bcvVthnM:T:wW');
  let counters = false;
  let noflush = false;
  let testing = false;
  let only: string | undefined;
  for (let c = g.next(OPTS); c !== -1; c = g.next(OPTS)) {
    switch (String.fromCharCode(c)) {
      case 'b': ctx.io.err('-b/--binary option is not implemented\n'); break;
      case 'c': counters = true; break;
      case 'v': break;
      case 'V': ctx.io.out(`${PROG} v${VERSION}\n`); return 0;
      case 't': testing = true; break;
      case 'h': ctx.io.err(USAGE); return 0;
      case 'n': noflush = true; break;
      case 'M': break;
      case 'T': only = g.optarg ?? ''; break;
      case 'w':
      case 'W':
        if (g.optarg === null && g.optind < g.argv.length && !/^[-!]/.test(g.argv[g.optind])) g.optind++;
        break;
      default:
        for (const e of g.errors) ctx.io.err(e);
        ctx.io.err(`Try \`${PROG} -h' for more information.\n`);
        return 1;
    }
  }
  // One argument: the rules file (read instead of stdin).
  let input = ctx.stdin;
  if (g.optind === g.argv.length - 1) {
    const file = g.argv[g.optind];
    try {
      input = readFileSync(resolve(ctx.cwd ?? process.cwd(), file), 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'Is a directory' : (e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
      ctx.io.err(`Can't open ${file}: ${why}\n`);
      return 1;
    }
  } else if (g.optind < g.argv.length) {
    ctx.io.err('Unknown arguments found on commandline\n');
    return 1;
  }

  const state = netfilterOf(ctx.ns);
  const lines = input.split(/(?<=\n)/).filter((l) => l !== '');
  let line = 0;
  let curtable: TableName | undefined;
  let inTable = false;
  let queue: Queued[] = [];
  const warn = (t: string) => ctx.io.err(t);
  const commit = (): boolean => {
    const work = state.clone();
    const batch = new Batch();
    for (const q of queue) {
      batch.tag = q.line;
      try {
        q.run(work, batch);
      } catch (e) {
        if (!(e instanceof NetfilterError)) throw e;
        ctx.io.err(`${PROG}: line ${q.line} failed: ${nftStrerror(e, batch.lastOp)}.\n`);
        return false;
      }
    }
    queue = [];
    if (batch.faults.length) throw new XtExit(RESOURCE_PROBLEM, batch.faults.map((f) => faultText(f, true)).join(''));
    if (!testing) state.commit(work);
    return true;
  };
  try {
    for (const buffer of lines) {
      line++;
      if (buffer[0] === '\n' || buffer[0] === '#') continue;
      let ok = false;
      if (inTable && buffer.startsWith('COMMIT') && (buffer.length === 6 || buffer[6] === '\n')) {
        if (!commit()) return 1;
        inTable = false;
        ok = true;
      } else if (buffer[0] === '*' && !inTable) {
        const name = buffer.slice(1).split(/[ \t\n]+/).find((w) => w !== '');
        if (name === undefined) xtError(PARAMETER_PROBLEM, `${PROG}: line ${line} table name invalid`);
        if (!isTableName(name)) xtError(PARAMETER_PROBLEM, `${PROG}: line ${line} table name '${name}' invalid`);
        curtable = name;
        if (only !== undefined && only !== name) continue;
        if (!noflush) {
          queue.push({
            line,
            run: (w, batch) => {
              batch.lastOp = 'table_flush';
              flushTable(w.table(name));
            },
          });
        }
        inTable = true;
        ok = true;
      } else if (buffer[0] === ':' && inTable && curtable) {
        const words = buffer.slice(1).split(/[ \t\n]+/).filter((w) => w !== '');
        const [chain, policy, ctrs] = words;
        if (chain === undefined) xtError(PARAMETER_PROBLEM, `${PROG}: line ${line} chain name invalid`);
        assertValidChainName(chain);
        if (policy === undefined) xtError(PARAMETER_PROBLEM, `${PROG}: line ${line} policy invalid`);
        const table = curtable;
        if (state.table(table).builtinHook(chain)) {
          let count: [number, number] = [0, 0];
          if (counters) {
            const m = ctrs === undefined ? null : /^\[\s*\+?(\d+):\s*\+?(\d+)/.exec(ctrs);
            if (!m) xtError(PARAMETER_PROBLEM, `invalid policy counters for chain '${chain}'`);
            count = [Number(m[1]), Number(m[2])];
          }
          queue.push({
            line,
            run: (w, batch) => {
              batch.lastOp = 'chain_set';
              setPolicyOrKeep(w, table, chain, policy, count);
            },
          });
        } else {
          queue.push({ line, run: (w) => restoreChain(w.table(table), chain) });
        }
        ok = true;
      } else if (inTable && curtable) {
        ok = queueRule(buffer, curtable, line, counters);
      }
      if (only !== undefined && curtable && only !== curtable) continue;
      if (!ok) {
        ctx.io.err(`${PROG}: line ${line} failed\n`);
        return 1;
      }
    }
    if (inTable) {
      ctx.io.err(`${PROG}: COMMIT expected at line ${line + 1}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    return reportFailure(e, ctx, PROG, line);
  }

  function queueRule(buffer: string, table: TableName, at: number, withCounters: boolean): boolean {
    let rest = buffer;
    let pcnt: string | undefined;
    let bcnt: string | undefined;
    if (rest[0] === '[') {
      const close = rest.indexOf(']');
      if (close < 0) xtError(PARAMETER_PROBLEM, `Bad line ${at}: need ]`);
      const inner = rest.slice(1, close).split(':').filter((w) => w !== '');
      if (!inner.length) xtError(PARAMETER_PROBLEM, `Bad line ${at}: need :`);
      [pcnt, bcnt] = inner;
      if (bcnt === undefined) xtError(PARAMETER_PROBLEM, `Bad line ${at}: need ]`);
      rest = rest.slice(close + 1);
    }
    const argv = [PROG, '-t', table];
    if (withCounters && pcnt !== undefined && bcnt !== undefined) argv.push('--set-counters', pcnt, bcnt);
    argv.push(...splitRuleLine(rest));
    const p = parseCommand(argv, { restore: true, warn });
    if (!p || p.output !== undefined) {
      if (p?.output) ctx.io.out(p.output);
      return true;
    }
    commandTable(state, p);
    if (p.src.length && p.dst.length) compileRules(p);
    queue.push({ line: at, run: (w, batch) => runCommand(w, p, { out: (t) => ctx.io.out(t) }, batch) });
    return true;
  }
}

function setPolicyOrKeep(w: NetfilterState, table: TableName, chain: string, policy: string, count: [number, number]): void {
  const t = w.table(table);
  const keep = policy === '-' ? (t.chain(chain)?.policy ?? 'ACCEPT') : policy;
  setPolicy(t, chain, keep, count);
}
