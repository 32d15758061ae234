// Background jobs and time: `&`, wait, kill, jobs, sleep, timeout.
import { ExitSignal, ScriptError } from './errors.ts';
import type { Builtin } from './builtins.ts';
import { execAndOr, leaveStatus, runChild } from './exec.ts';
import { Input, type IO, type Job, type Shell } from './state.ts';
import type { AndOr } from './syntax.ts';

export const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15,
};

const write = (io: IO, s: string): void => { io.fds[1]?.write(s); };
const err = (sh: Shell, io: IO, msg: string): void => { sh.error(msg, io); };

/** GNU sleep/timeout durations: N[.N][smhd]; Infinity for `infinity`; null when invalid. */
export function parseDuration(s: string): number | null {
  if (s === 'infinity' || s === 'inf') return Infinity;
  const m = /^([0-9]*\.?[0-9]+|[0-9]+\.)([smhd]?)$/.exec(s);
  if (!m) return null;
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]] ?? 1;
  return Number(m[1]) * mult * 1000;
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

/** Starts `node &`; resolves once the job has run as far as it can without time passing. */
export async function startJob(sh: Shell, node: AndOr, io: IO): Promise<void> {
  const rt = sh.rt;
  const ctrl = new AbortController();
  const parent = sh.signal;
  const onParentAbort = (): void => ctrl.abort(parent.reason);
  if (parent.aborted) ctrl.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const thread = { line: node.line, name: node.text, budgetUntil: Infinity, timers: 0 };
  const child = sh.subshell({ signal: ctrl.signal, thread });
  sh.jobs = sh.jobs.filter((j) => !j.done);
  const job: Job = {
    id: sh.jobs.reduce((m, j) => Math.max(m, j.id), 0) + 1,
    pid: rt.nextPid++, text: node.text, line: node.line, ctrl, done: false, status: 0, promise: Promise.resolve(0),
  };
  job.promise = (async () => {
    try {
      return await execAndOr(child, node, { stdin: new Input(''), fds: io.fds.slice() }, false);
    } catch (e) {
      try {
        return leaveStatus(e);
      } catch (err) {
        rt.fail(err);
        return 1;
      }
    } finally {
      parent.removeEventListener('abort', onParentAbort);
    }
  })().then((s) => {
    job.status = s;
    job.done = true;
    return s;
  });
  sh.jobs.push(job);
  rt.jobs.push(job);
  sh.lastBg = String(job.pid);
  await rt.quiesce();
}

/** At the end of a run: stops the remaining jobs one by one, in the order they started. */
export async function stopJobs(sh: Shell): Promise<void> {
  const rt = sh.rt;
  for (const j of rt.jobs) {
    if (j.done) continue;
    rt.mark(j.line, j.text);
    j.ctrl.abort(15);
    await j.promise;
  }
}

export const sleep: Builtin = async (sh, argv, io) => {
  if (argv.length < 2) { err(sh, io, 'sleep: missing operand'); return 1; }
  let ms = 0;
  for (const a of argv.slice(1)) {
    const d = parseDuration(a);
    if (d === null) { err(sh, io, `sleep: invalid time interval '${a}'`); return 1; }
    ms += d;
  }
  const rt = sh.rt;
  if (ms === Infinity) {
    if (sh.thread === rt.main) {
      throw new ScriptError(sh.file, sh.line,
        `${sh.file}: line ${sh.line}: sleep: command never finished (sleeping forever in the foreground)`);
    }
    await waitForAbort(sh.signal);
  }
  else {
    if (sh.thread === rt.main) rt.main.budgetUntil = Math.max(rt.main.budgetUntil, rt.clock.now + ms);
    await rt.sleep(ms, sh.signal);
  }
  const r: unknown = sh.signal.reason;
  return sh.signal.aborted ? 128 + (typeof r === 'number' ? r : 15) : 0;
};

export const timeout: Builtin = async (sh, argv, io) => {
  let i = 1;
  let sig = 15;
  let preserve = false;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    if (a === '-s' || a === '--signal') sig = SIGNALS[argv[++i]?.replace(/^SIG/, '')] ?? 15;
    else if (a === '-k' || a === '--kill-after') i++;
    else if (a === '--preserve-status') preserve = true;
  }
  const ms = parseDuration(argv[i] ?? '');
  if (ms === null || i + 1 >= argv.length) {
    err(sh, io, ms === null ? `timeout: invalid time interval '${argv[i] ?? ''}'` : 'timeout: missing operand');
    return 125;
  }
  const rt = sh.rt;
  const ctrl = new AbortController();
  const onAbort = (): void => ctrl.abort(sh.signal.reason);
  sh.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const expire = (): void => {
    timedOut = true;
    ctrl.abort(sig);
  };
  const id = ms > 0 && ms !== Infinity ? rt.clock.setTimeout(expire, Math.round(ms)) : null;
  if (sh.thread === rt.main) rt.main.budgetUntil = Math.max(rt.main.budgetUntil, rt.clock.now + (ms || 0));
  try {
    const st = await runChild(sh, argv.slice(i + 1), io, { signal: ctrl.signal });
    return timedOut && !preserve ? 124 : st;
  } finally {
    if (id !== null) rt.clock.clearTimeout(id);
    sh.signal.removeEventListener('abort', onAbort);
  }
};

function jobFor(sh: Shell, io: IO, name: string, spec: string): Job | null {
  const j = sh.findJob(spec);
  if (j && !j.done) return j;
  if (j?.done && name === 'wait') return j;
  err(sh, io, spec.startsWith('%') || !/^[0-9]+$/.test(spec) ? `${name}: ${spec}: no such job`
    : name === 'wait' ? `wait: pid ${spec} is not a child of this shell` : `kill: (${spec}) - No such process`);
  return null;
}

export const wait: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== '-n');
  if (argv.includes('-n')) {
    const running = sh.jobs.filter((j) => !j.done);
    if (running.length === 0) return 127;
    const st = await Promise.race(running.map((j) => j.promise));
    sh.jobs = sh.jobs.filter((j) => !j.done);
    return st;
  }
  if (args.length === 0) {
    for (const j of [...sh.jobs]) await j.promise;
    sh.jobs = sh.jobs.filter((j) => !j.done);
    return 0;
  }
  let st = 127;
  for (const a of args) {
    const j = jobFor(sh, io, 'wait', a);
    if (!j) { st = 127; continue; }
    st = await j.promise;
    sh.jobs = sh.jobs.filter((x) => x !== j);
  }
  return st;
};

export const kill: Builtin = async (sh, argv, io) => {
  let sig = 15;
  let i = 1;
  const a1 = argv[1];
  if (a1 === '-l') { write(io, Object.keys(SIGNALS).join(' ') + '\n'); return 0; }
  if (a1 === '-s' || a1 === '-n') { const s = argv[2] ?? ''; sig = SIGNALS[s.replace(/^SIG/, '')] ?? Number(s); i = 3; }
  else if (a1?.startsWith('-') && a1.length > 1) {
    const s = a1.slice(1).replace(/^SIG/, '');
    sig = SIGNALS[s] ?? Number(s);
    i = 2;
  }
  if (!Number.isInteger(sig) || sig < 0 || sig > 64) {
    err(sh, io, `kill: ${argv[i - 1]}: invalid signal specification`);
    return 1;
  }
  if (i >= argv.length) {
    err(sh, io, 'kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ...');
    return 2;
  }
  let st = 0;
  for (const t of argv.slice(i)) {
    if (t === String(sh.rt.pid) && sig !== 0) throw new ExitSignal(128 + sig);
    const j = jobFor(sh, io, 'kill', t);
    if (!j) { st = 1; continue; }
    if (sig !== 0) j.ctrl.abort(sig);
  }
  await sh.rt.quiesce();
  return st;
};

export const jobs: Builtin = (sh, argv, io) => {
  const n = sh.jobs.length;
  sh.jobs.forEach((j, k) => {
    if (argv.includes('-p')) { write(io, `${j.pid}\n`); return; }
    const mark = k === n - 1 ? '+' : k === n - 2 ? '-' : ' ';
    const state = !j.done ? 'Running' : j.status === 0 ? 'Done' : j.status > 128 ? 'Terminated' : `Exit ${j.status}`;
    write(io, `[${j.id}]${mark}  ${state.padEnd(24)}${j.text}${j.done ? '' : ' &'}\n`);
  });
  sh.jobs = sh.jobs.filter((j) => !j.done);
  return 0;
};
