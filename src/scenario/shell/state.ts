// Shell state (variables, functions, jobs), I/O plumbing, and the virtual-time
// driver that is the only thing advancing the clock.
import { closeSync, writeSync } from 'node:fs';
import { setImmediate as realSetImmediate } from 'node:timers';
import { ExitSignal, ScriptError } from './errors.ts';
import type { FuncDef } from './syntax.ts';
import type { Clock, Command, CommandIO, ShellLimits, ShellOptions } from './types.ts';

export const DEFAULT_LIMITS: ShellLimits = {
  maxLoopIterations: 1_000_000,
  maxCommandMs: 24 * 3600 * 1000,
  maxTimers: 10_000_000,
  maxFunctionDepth: 1000,
};

export class Input {
  private pos = 0;
  constructor(private readonly text: string) {}
  /** What is left, without consuming it. */
  peek(): string {
    return this.text.slice(this.pos);
  }
  readAll(): string {
    const s = this.text.slice(this.pos);
    this.pos = this.text.length;
    return s;
  }
  /** The next line without its delimiter, and whether the delimiter was there; null at the end. */
  readLine(delim = '\n'): { line: string; complete: boolean } | null {
    if (this.pos >= this.text.length) return null;
    const e = this.text.indexOf(delim, this.pos);
    const line = this.text.slice(this.pos, e < 0 ? this.text.length : e);
    this.pos = e < 0 ? this.text.length : e + delim.length;
    return { line, complete: e >= 0 };
  }
  readChars(n: number): string {
    const s = this.text.slice(this.pos, this.pos + n);
    this.pos += s.length;
    return s;
  }
}

export const NULL_SINK: CommandIO = { write() {} };

export class BufferSink implements CommandIO {
  text = '';
  write(s: string): void { this.text += s; }
}

export class FileSink implements CommandIO {
  private open = true;
  constructor(private readonly fd: number) {}
  write(s: string): void { if (this.open) writeSync(this.fd, s); }
  close(): void {
    if (this.open) closeSync(this.fd);
    this.open = false;
  }
}

/** stdin, and output descriptors by number (1 and 2, and any others the script opened). */
export interface IO { stdin: Input; fds: (CommandIO | undefined)[] }

/** What one thread of execution (the script, or a background job) is doing, for error messages and limits. */
export interface Thread { line: number; name: string; budgetUntil: number; timers: number }

export interface Job {
  id: number;
  pid: number;
  text: string;
  line: number;
  ctrl: AbortController;
  promise: Promise<number>;
  done: boolean;
  status: number;
}

export interface Var { value: string; exported: boolean; readonly: boolean }

const settle = (): Promise<void> => new Promise((r) => realSetImmediate(r));

/** Shared by a script and all its subshells and jobs. */
export class Runtime {
  readonly clock: Clock;
  readonly commands: ReadonlyMap<string, Command>;
  readonly externals: ReadonlySet<string>;
  readonly file: string;
  readonly limits: ShellLimits;
  readonly root = new AbortController();
  readonly main: Thread = { line: 0, name: '', budgetUntil: Infinity, timers: 0 };
  readonly jobs: Job[] = [];
  readonly openFiles: FileSink[] = [];
  readonly startNow: number;
  readonly pid = 999;
  nextPid = 1000;
  random = 1;
  stdout = '';
  stderr = '';
  private fatal: unknown = null;
  private waiters: (() => void)[] = [];
  readonly rootIO: IO;

  constructor(opts: ShellOptions, externals: readonly string[]) {
    this.clock = opts.clock;
    this.commands = opts.commands;
    this.externals = new Set(externals);
    this.file = opts.file ?? 'nslab';
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.startNow = this.clock.now;
    const on = opts.onOutput;
    this.rootIO = {
      stdin: new Input(opts.stdin ?? ''),
      fds: [undefined, {
        write: (s: string) => { this.stdout += s; on?.('stdout', s); },
      }, {
        write: (s: string) => { this.stderr += s; on?.('stderr', s); },
      }],
    };
  }

  /** Records an error raised where nobody awaits it (a background job); the driver rethrows it. */
  fail(e: unknown): void {
    if (this.fatal === null) this.fatal = e;
  }

  /** Resolves once everything runnable without advancing the clock has run. */
  quiesce(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.clock.clearTimeout(id);
        resolve();
      };
      const id = this.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Marks the start of a foreground command of the script. */
  mark(line: number, name: string): void {
    const m = this.main;
    m.line = line;
    m.name = name;
    m.budgetUntil = this.clock.now + this.limits.maxCommandMs;
    m.timers = 0;
  }

  /** Awaits p, firing clock timers one by one whenever nothing else can run. */
  async drive<T>(p: Promise<T>): Promise<T> {
    const st: { state: 'pending' | 'ok' | 'err'; value?: T; error?: unknown } = { state: 'pending' };
    p.then((v) => { st.state = 'ok'; st.value = v; }, (e: unknown) => { st.state = 'err'; st.error = e; });
    for (;;) {
      await settle();
      if (this.fatal !== null) {
        const e = this.fatal;
        this.fatal = null;
        throw e;
      }
      if (st.state === 'ok') return st.value as T;
      if (st.state === 'err') throw st.error;
      if (this.waiters.length > 0) {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
        continue;
      }
      const m = this.main;
      if (this.clock.countTimers() === 0) throw this.stuck('nothing left to wait for');
      if (this.clock.now > m.budgetUntil) {
        throw this.stuck(`still running after ${this.limits.maxCommandMs / 1000} s of virtual time`);
      }
      if (++m.timers > this.limits.maxTimers) throw this.stuck(`still running after ${this.limits.maxTimers} timers`);
      this.clock.next();
    }
  }

  private stuck(why: string): ScriptError {
    const m = this.main;
    const what = m.name ? `${m.name}: ` : '';
    return new ScriptError(this.file, m.line, `${this.file}: line ${m.line}: ${what}command never finished (${why})`);
  }

}

export interface ShellOpts { errexit: boolean; nounset: boolean; xtrace: boolean; pipefail: boolean; noglob: boolean }

/** The state one shell process has: a subshell gets a copy. */
export class Shell {
  vars = new Map<string, Var>();
  funcs = new Map<string, FuncDef>();
  positional: string[] = [];
  opts: ShellOpts = { errexit: false, nounset: false, xtrace: false, pipefail: false, noglob: false };
  cwd: string;
  netns = '';
  status = 0;
  lastBg = '';
  jobs: Job[] = [];
  locals: Map<string, Var | undefined>[] = [];
  traps = new Map<string, string>();
  substDepth = 0;
  loopDepth = 0;
  funcDepth = 0;
  sourceDepth = 0;
  line = 0;
  substStatus: number | null = null;
  /** $0, and the name in error messages */
  file: string;
  thread: Thread;
  signal: AbortSignal;

  constructor(readonly rt: Runtime, cwd: string) {
    this.cwd = cwd;
    this.file = rt.file;
    this.thread = rt.main;
    this.signal = rt.root.signal;
  }

  subshell(o: { signal?: AbortSignal; thread?: Thread; netns?: string } = {}): Shell {
    const s = new Shell(this.rt, this.cwd);
    for (const [k, v] of this.vars) s.vars.set(k, { ...v });
    s.funcs = new Map(this.funcs);
    s.positional = [...this.positional];
    s.opts = { ...this.opts };
    s.netns = o.netns ?? this.netns;
    s.status = this.status;
    s.lastBg = this.lastBg;
    s.traps = new Map([...this.traps].filter(([k]) => k !== 'EXIT'));
    s.substDepth = this.substDepth;
    s.funcDepth = this.funcDepth;
    s.line = this.line;
    s.file = this.file;
    s.thread = o.thread ?? this.thread;
    s.signal = o.signal ?? this.signal;
    return s;
  }

  /** Marks the start of a simple command (for $LINENO and "never finished" messages). */
  mark(line: number, name: string): void {
    this.line = line;
    if (this.thread === this.rt.main) this.rt.mark(line, name);
  }

  /** Prints `FILE: line N: msg` to the shell's stderr. */
  error(msg: string, io: IO): void {
    io.fds[2]?.write(`${this.file}: line ${this.line}: ${msg}\n`);
  }

  checkAbort(): void {
    if (!this.signal.aborted) return;
    const r: unknown = this.signal.reason;
    throw new ExitSignal(128 + (typeof r === 'number' ? r : 15));
  }

  get(name: string): string | undefined {
    const rt = this.rt;
    if (/^[0-9]+$/.test(name)) return name === '0' ? this.file : this.positional[Number(name) - 1];
    switch (name) {
      case '?': return String(this.status);
      case '$': return String(rt.pid);
      case '!': return this.lastBg === '' ? undefined : this.lastBg;
      case '#': return String(this.positional.length);
      case '@': case '*': return this.positional.join(' ');
      case '-': return (this.opts.errexit ? 'e' : '') + (this.opts.nounset ? 'u' : '') + (this.opts.xtrace ? 'x' : '');
      case 'LINENO': return String(this.line);
      case 'SECONDS': return this.vars.get(name)?.value ?? String(Math.floor((rt.clock.now - rt.startNow) / 1000));
      case 'RANDOM':
        rt.random = (rt.random * 1103515245 + 12345) % 2147483648;
        return String((rt.random >> 16) & 0x7fff);
    }
    return this.vars.get(name)?.value;
  }

  /** Sets a variable; returns an error message instead when it is read-only. */
  set(name: string, value: string, exported?: boolean): string | null {
    const v = this.vars.get(name);
    if (v?.readonly) return `${name}: readonly variable`;
    if (v) {
      v.value = value;
      if (exported) v.exported = true;
    } else this.vars.set(name, { value, exported: exported ?? false, readonly: false });
    return null;
  }

  unset(name: string): string | null {
    const v = this.vars.get(name);
    if (v?.readonly) return `${name}: cannot unset: readonly variable`;
    this.vars.delete(name);
    return null;
  }

  /** `local NAME`: remembers the outer value, restored when the function returns. */
  makeLocal(name: string): void {
    const frame = this.locals[this.locals.length - 1];
    if (!frame || frame.has(name)) return;
    const v = this.vars.get(name);
    frame.set(name, v && { ...v });
  }

  popLocals(): void {
    const frame = this.locals.pop();
    if (!frame) return;
    for (const [k, v] of frame) {
      if (v) this.vars.set(k, v);
      else this.vars.delete(k);
    }
  }

  env(extra?: ReadonlyMap<string, string>): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of this.vars) if (v.exported) m.set(k, v.value);
    if (extra) for (const [k, v] of extra) m.set(k, v);
    return m;
  }

  findJob(spec: string): Job | undefined {
    if (spec === '%%' || spec === '%+' || spec === '%') return this.jobs[this.jobs.length - 1];
    if (spec === '%-') return this.jobs[this.jobs.length - 2];
    if (/^%[0-9]+$/.test(spec)) return this.jobs.find((j) => j.id === Number(spec.slice(1)));
    if (/^[0-9]+$/.test(spec)) return this.rt.jobs.find((j) => j.pid === Number(spec));
    if (spec.startsWith('%')) return this.jobs.find((j) => j.text.startsWith(spec.slice(1)));
    return undefined;
  }
}
