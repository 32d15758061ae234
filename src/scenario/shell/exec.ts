// The executor: walks the syntax tree. Everything is async because commands
// may wait in virtual time; Runtime.drive advances the clock meanwhile.
import { ArithError, evalArith } from './arith.ts';
import { BUILTINS } from './builtins.ts';
import { ErrorExit, ExitSignal, LoopSignal, ReturnSignal, ScriptError } from './errors.ts';
import { expandPattern, expandWord, expandWords, patternMatches, type ExpandHost } from './expand.ts';
import { runExternal } from './externals.ts';
import { parseScript } from './parser.ts';
import { applyRedirs, trace } from './redirect.ts';
import { startJob } from './jobs.ts';
import { BufferSink, Input, NULL_SINK, type IO, type Shell, type Var } from './state.ts';
import type { AndOr, Command, FuncDef, List, Pipeline, Simple } from './syntax.ts';
import type { Command as RegistryCommand, CommandContext } from './types.ts';

/** Prints `FILE: line N: msg` and leaves the current shell with status 1. */
export function fatal(sh: Shell, io: IO, msg: string): never {
  sh.error(msg, io);
  throw new ErrorExit(1);
}

export function arith(sh: Shell, io: IO, expr: string): string {
  try {
    return String(evalArith(expr, {
      get: (n) => {
        const v = sh.get(n);
        if (v === undefined && sh.opts.nounset) throw new ArithError(`${n}: unbound variable`);
        return v;
      },
      set: (n, v) => {
        const e = sh.set(n, v);
        if (e) throw new ArithError(e);
      },
    }));
  } catch (e) {
    if (e instanceof ArithError) fatal(sh, io, e.message);
    throw e;
  }
}

export function host(sh: Shell, io: IO): ExpandHost {
  return {
    get: (n) => sh.get(n),
    set: (n, v) => {
      const e = sh.set(n, v);
      if (e) fatal(sh, io, e);
    },
    positional: () => sh.positional,
    nounset: () => sh.opts.nounset,
    home: () => sh.get('HOME') ?? '/root',
    cmdSubst: (body) => cmdSubst(sh, body, io),
    arith: (e) => arith(sh, io, e),
    error: (msg) => fatal(sh, io, msg),
  };
}

/** The status a subshell ends with when control flow leaves it. */
export function leaveStatus(e: unknown): number {
  if (e instanceof ExitSignal || e instanceof ReturnSignal) return e.status;
  if (e instanceof LoopSignal) return 0;
  throw e;
}

async function cmdSubst(sh: Shell, body: List, io: IO): Promise<string> {
  const sub = sh.subshell();
  sub.jobs = [...sh.jobs]; // like bash, so that $(jobs -p) lists the shell's jobs
  sub.substDepth++;
  sub.opts.errexit = false;
  const buf = new BufferSink();
  const fds = io.fds.slice();
  fds[1] = buf;
  let st: number;
  try {
    st = await execList(sub, body, { stdin: io.stdin, fds }, false);
  } catch (e) {
    st = leaveStatus(e);
  }
  sh.substStatus = st;
  sh.status = st;
  return buf.text.replace(/\n+$/, '');
}

export async function execList(sh: Shell, list: List, io: IO, cond: boolean): Promise<number> {
  let st = 0;
  for (const { node, bg } of list.items) {
    sh.checkAbort();
    if (bg) {
      await startJob(sh, node, io);
      st = sh.status = 0;
    } else st = await execAndOr(sh, node, io, cond);
  }
  return st;
}

export async function execAndOr(sh: Shell, n: AndOr, io: IO, cond: boolean): Promise<number> {
  let st = await execPipeline(sh, n.first, io, cond || n.rest.length > 0);
  for (let i = 0; i < n.rest.length; i++) {
    const { op, p } = n.rest[i];
    if ((op === '&&') !== (st === 0)) continue;
    st = await execPipeline(sh, p, io, cond || i < n.rest.length - 1);
  }
  return st;
}

async function execPipeline(sh: Shell, p: Pipeline, io: IO, cond: boolean): Promise<number> {
  sh.checkAbort();
  const inner = cond || p.neg;
  let st: number;
  if (p.cmds.length === 1) st = await execCommand(sh, p.cmds[0], io, inner);
  else {
    let input = io.stdin;
    const statuses: number[] = [];
    for (let i = 0; i < p.cmds.length; i++) {
      const last = i === p.cmds.length - 1;
      const buf = last ? null : new BufferSink();
      const fds = io.fds.slice();
      if (buf) {
        fds[1] = buf;
        if (p.pipeErr[i]) fds[2] = buf;
      }
      const sub = sh.subshell();
      try {
        statuses.push(await execCommand(sub, p.cmds[i], { stdin: input, fds }, inner));
      } catch (e) {
        statuses.push(leaveStatus(e));
      }
      input = new Input(buf ? buf.text : '');
    }
    st = statuses[statuses.length - 1];
    if (sh.opts.pipefail) st = statuses.reduce((a, s) => (s !== 0 ? s : a), 0);
  }
  if (p.neg) st = st === 0 ? 1 : 0;
  sh.status = st;
  const c0 = p.cmds[0].t;
  if (!cond && !p.neg && st !== 0 && sh.opts.errexit && (p.cmds.length > 1 || c0 === 'simple' || c0 === 'subshell')) {
    throw new ExitSignal(st);
  }
  return st;
}

async function execCommand(sh: Shell, c: Command, io: IO, cond: boolean): Promise<number> {
  if (c.t === 'simple') return execSimple(sh, c, io, cond);
  if (c.t === 'func') {
    sh.funcs.set(c.name, c);
    return 0;
  }
  sh.line = c.line;
  if (c.redirs.length === 0) return execCompound(sh, c, io, cond);
  const r = await applyRedirs(sh, c.redirs, io, host(sh, io));
  if (!r) return 1;
  try {
    return await execCompound(sh, c, r.io, cond);
  } finally {
    r.close();
  }
}

function loopGuard(sh: Shell, line: number): () => void {
  const rt = sh.rt;
  const max = rt.limits.maxLoopIterations;
  let now = rt.clock.now;
  let count = 0;
  return () => {
    sh.checkAbort();
    if (rt.clock.now !== now) {
      now = rt.clock.now;
      count = 0;
    }
    if (++count > max) {
      throw new ScriptError(sh.file, line,
        `${sh.file}: line ${line}: loop ran ${max} times without virtual time passing (missing sleep?)`);
    }
  };
}

/** Handles break/continue at a loop: returns what to do, or rethrows. */
function loopSignal(e: unknown): 'break' | 'continue' {
  if (!(e instanceof LoopSignal)) throw e;
  if (e.n > 1) throw new LoopSignal(e.kind, e.n - 1);
  return e.kind;
}

async function execCompound(sh: Shell, c: Exclude<Command, Simple | FuncDef>, io: IO, cond: boolean): Promise<number> {
  switch (c.t) {
    case 'group': return execList(sh, c.body, io, cond);
    case 'subshell':
      try {
        return await execList(sh.subshell(), c.body, { stdin: io.stdin, fds: io.fds.slice() }, cond);
      } catch (e) {
        return leaveStatus(e);
      }
    case 'if':
      for (const cl of c.clauses) {
        if ((await execList(sh, cl.cond, io, true)) === 0) return execList(sh, cl.body, io, cond);
      }
      return c.else ? execList(sh, c.else, io, cond) : 0;
    case 'while': case 'for': {
      let st = 0;
      const guard = loopGuard(sh, c.line);
      const words = c.t === 'for' ? (c.words ? await expandWords(host(sh, io), c.words) : [...sh.positional]) : [];
      sh.loopDepth++;
      try {
        for (let i = 0; ; i++) {
          guard();
          if (c.t === 'for') {
            if (i >= words.length) break;
            const e = sh.set(c.name, words[i]);
            if (e) fatal(sh, io, e);
          } else if (((await execList(sh, c.cond, io, true)) === 0) === c.until) break;
          try {
            st = await execList(sh, c.body, io, cond);
          } catch (e) {
            if (loopSignal(e) === 'break') break;
          }
        }
      } finally {
        sh.loopDepth--;
      }
      return st;
    }
    case 'case': {
      const h = host(sh, io);
      const w = await expandWord(h, c.word);
      let st = 0;
      for (let i = 0; i < c.items.length; i++) {
        let hit = false;
        for (const p of c.items[i].patterns) {
          if (patternMatches(await expandPattern(h, p), w)) { hit = true; break; }
        }
        if (!hit) continue;
        st = await execList(sh, c.items[i].body, io, cond);
        while (c.items[i].term === ';&' && i + 1 < c.items.length) st = await execList(sh, c.items[++i].body, io, cond);
        if (c.items[i].term !== ';;&') return st;
      }
      return st;
    }
    case 'arith': {
      const e = await expandWord(host(sh, io), c.expr);
      trace(sh, io, [], ['((', e, '))']);
      return arith(sh, io, e) !== '0' ? 0 : 1;
    }
  }
}

async function execSimple(sh: Shell, c: Simple, io: IO, cond: boolean): Promise<number> {
  sh.line = c.line;
  const h = host(sh, io);
  sh.substStatus = null;
  const argv = await expandWords(h, c.words);
  const assigns: [string, string][] = [];
  for (const a of c.assigns) {
    const v = await expandWord(h, a.value);
    assigns.push([a.name, a.append ? (sh.get(a.name) ?? '') + v : v]);
  }
  if (argv.length === 0) {
    for (const [k, v] of assigns) {
      trace(sh, io, [[k, v]], []);
      const e = sh.set(k, v);
      if (e) fatal(sh, io, e);
    }
    if (c.redirs.length > 0) {
      const r = await applyRedirs(sh, c.redirs, io, h);
      if (!r) return 1;
      r.close();
    }
    return sh.substStatus ?? 0;
  }
  sh.mark(c.line, argv[0]);
  trace(sh, io, assigns, argv);
  if (argv[0] === 'exec' && argv.length === 1) {
    const r = await applyRedirs(sh, c.redirs, io, h, true);
    if (!r) return 1;
    io.stdin = r.io.stdin;
    io.fds.splice(0, io.fds.length, ...r.io.fds);
    return 0;
  }
  const r = await applyRedirs(sh, c.redirs, io, h);
  if (!r) return 1;
  try {
    return await runCommand(sh, argv, r.io, new Map(assigns), cond);
  } finally {
    r.close();
  }
}

/** Resolves and runs argv: functions, builtins, the registry, then allowed real programs. */
export async function runCommand(sh: Shell, argv: string[], io: IO, temp: ReadonlyMap<string, string>, cond: boolean,
  noFuncs = false): Promise<number> {
  const name = argv[0];
  const fn = noFuncs ? undefined : sh.funcs.get(name);
  if (fn) return withTemp(sh, temp, () => callFunction(sh, fn, argv, io, cond));
  const b = BUILTINS.get(name);
  if (b) return withTemp(sh, temp, async () => b(sh, argv, io, cond));
  const cmd = sh.rt.commands.get(name);
  if (cmd) return runRegistry(sh, cmd, argv, io, temp);
  if (sh.rt.externals.has(name)) {
    const r = runExternal(argv, io.stdin.peek(), sh.cwd, sh.env(temp));
    if (r) {
      if (r.stdout) io.fds[1]?.write(r.stdout);
      if (r.stderr) io.fds[2]?.write(r.stderr);
      return r.status;
    }
  }
  sh.error(`${name}: command not found`, io);
  return 127;
}

async function withTemp(sh: Shell, temp: ReadonlyMap<string, string>, fn: () => Promise<number>): Promise<number> {
  if (temp.size === 0) return fn();
  const saved = new Map<string, Var | undefined>();
  for (const [k, v] of temp) {
    const old = sh.vars.get(k);
    saved.set(k, old && { ...old });
    sh.set(k, v, true);
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v) sh.vars.set(k, v);
      else sh.vars.delete(k);
    }
  }
}

async function callFunction(sh: Shell, fn: FuncDef, argv: string[], io: IO, cond: boolean): Promise<number> {
  const max = sh.rt.limits.maxFunctionDepth;
  if (sh.funcDepth >= max) fatal(sh, io, `${argv[0]}: maximum function nesting level exceeded (${max})`);
  const saved = sh.positional;
  sh.positional = argv.slice(1);
  sh.funcDepth++;
  sh.locals.push(new Map());
  try {
    return await execCommand(sh, fn.body, io, cond);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.status;
    throw e;
  } finally {
    sh.positional = saved;
    sh.funcDepth--;
    sh.popLocals();
  }
}

async function runRegistry(sh: Shell, cmd: RegistryCommand, argv: string[], io: IO, temp: ReadonlyMap<string, string>):
Promise<number> {
  let cached: string | null = null;
  const input = io.stdin;
  const ctx: CommandContext = {
    argv: [...argv],
    get stdin() { return (cached ??= input.peek()); },
    stdout: io.fds[1] ?? NULL_SINK,
    stderr: io.fds[2] ?? NULL_SINK,
    env: sh.env(temp),
    cwd: sh.cwd,
    netns: sh.netns,
    signal: sh.signal,
    sleep: (ms) => sh.rt.sleep(ms, sh.signal),
    exec: (a, o) => runChild(sh, a, io, { netns: o?.netns, stdin: o?.stdin }),
  };
  return cmd(ctx);
}

/** Runs argv as a child process would: no shell functions, own copy of the shell state. */
export async function runChild(sh: Shell, argv: string[], io: IO,
  o: { netns?: string; stdin?: string; signal?: AbortSignal }): Promise<number> {
  if (argv.length === 0) return 0;
  const child = sh.subshell({ netns: o.netns, signal: o.signal });
  const cio: IO = { stdin: o.stdin !== undefined ? new Input(o.stdin) : io.stdin, fds: io.fds.slice() };
  try {
    return await runCommand(child, argv, cio, new Map(), false, true);
  } catch (e) {
    return leaveStatus(e);
  }
}

/** Parses and runs source text in the current shell (eval, source, traps). */
export async function runSource(sh: Shell, src: string, io: IO, cond: boolean, line = 1): Promise<number> {
  return execList(sh, parseScript(src, sh.file, line), io, cond);
}

/** Runs the EXIT trap, if any; returns the script's final status. */
export async function runExitTrap(sh: Shell, io: IO, status: number): Promise<number> {
  const t = sh.traps.get('EXIT');
  if (t === undefined) return status;
  sh.traps.delete('EXIT');
  sh.status = status;
  try {
    await runSource(sh, t, io, false, sh.line);
    return status;
  } catch (e) {
    if (e instanceof ExitSignal) return e.status;
    throw e;
  }
}

