// Shell builtins. Each gets the shell it runs in, its argv, its I/O, and
// whether it runs as a condition (for eval and source).
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitSignal, LoopSignal, ReturnSignal } from './errors.ts';
import { arith, runCommand, runExitTrap, runSource } from './exec.ts';
import { echo, printf } from './format.ts';
import { shellQuote } from './redirect.ts';
import { jobs, kill, SIGNALS, sleep, timeout, wait } from './jobs.ts';
import { Shell, type IO } from './state.ts';
import { testExpr } from './testexpr.ts';

export type Builtin = (sh: Shell, argv: string[], io: IO, cond: boolean) => number | Promise<number>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SET_FLAGS: Record<string, keyof Shell['opts'] | null> = {
  e: 'errexit', u: 'nounset', x: 'xtrace', f: 'noglob', v: null, h: null, B: null, C: null, H: null, m: null, b: null,
  a: null, n: null,
};
const SET_NAMES: Record<string, keyof Shell['opts'] | null> = {
  errexit: 'errexit', nounset: 'nounset', xtrace: 'xtrace', pipefail: 'pipefail', noglob: 'noglob', posix: null,
  noclobber: null, verbose: null, monitor: null, notify: null, hashall: null, braceexpand: null, allexport: null,
  'interactive-comments': null,
};

const write = (io: IO, s: string): void => { io.fds[1]?.write(s); };
const err = (sh: Shell, io: IO, msg: string): void => { sh.error(msg, io); };

function status(sh: Shell, io: IO, name: string, arg: string | undefined): number | null {
  if (arg === undefined) return sh.status;
  if (!/^-?[0-9]+$/.test(arg)) {
    err(sh, io, `${name}: ${arg}: numeric argument required`);
    return null;
  }
  return Number(arg) & 255;
}

const setOpts: Builtin = (sh, argv, io) => {
  if (argv.length === 1) {
    for (const k of [...sh.vars.keys()].sort()) write(io, `${k}=${shellQuote(sh.vars.get(k)?.value ?? '')}\n`);
    return 0;
  }
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--' || a === '-') { i++; sh.positional = argv.slice(i); return 0; }
    if (a === '-o' || a === '+o') {
      const name = argv[++i];
      if (name === undefined) {
        for (const [k, v] of Object.entries(SET_NAMES)) {
          if (v) write(io, `${k.padEnd(15)}\t${sh.opts[v] ? 'on' : 'off'}\n`);
        }
        continue;
      }
      if (!(name in SET_NAMES)) { err(sh, io, `set: ${name}: invalid option name`); return 2; }
      const o = SET_NAMES[name];
      if (o) sh.opts[o] = a[0] === '-';
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    for (const ch of a.slice(1)) {
      if (!(ch in SET_FLAGS)) { err(sh, io, `set: ${a[0]}${ch}: invalid option`); return 2; }
      const o = SET_FLAGS[ch];
      if (o) sh.opts[o] = a[0] === '-';
    }
  }
  if (i < argv.length) sh.positional = argv.slice(i);
  return 0;
};

type Assigner = (name: string, value: string | undefined) => string | null;

function assignArgs(sh: Shell, argv: string[], io: IO, each: Assigner): number {
  let st = 0;
  for (const a of argv.slice(1)) {
    if (a.startsWith('-')) continue;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!NAME.test(name)) {
      err(sh, io, `${argv[0]}: \`${a}': not a valid identifier`);
      st = 1;
      continue;
    }
    const e = each(name, eq < 0 ? undefined : a.slice(eq + 1));
    if (e) { err(sh, io, e); st = 1; }
  }
  return st;
}

const exportB: Builtin = (sh, argv, io) => {
  if (argv.length === 1 || argv[1] === '-p') {
    for (const k of [...sh.vars.keys()].sort()) {
      const v = sh.vars.get(k);
      if (v?.exported) write(io, `declare -x ${k}="${v.value.replace(/["\\$`]/g, '\\$&')}"\n`);
    }
    return 0;
  }
  const un = argv.includes('-n');
  return assignArgs(sh, argv, io, (name, value) => {
    if (value !== undefined) return sh.set(name, value, !un);
    const v = sh.vars.get(name);
    if (v) v.exported = !un;
    return null;
  });
};

const readonlyB: Builtin = (sh, argv, io) => assignArgs(sh, argv, io, (name, value) => {
  const e = value !== undefined ? sh.set(name, value) : null;
  if (e) return e;
  const v = sh.vars.get(name) ?? { value: '', exported: false, readonly: false };
  v.readonly = true;
  sh.vars.set(name, v);
  return null;
});

const localB: Builtin = (sh, argv, io) => {
  if (sh.locals.length === 0) {
    err(sh, io, 'local: can only be used in a function');
    return 1;
  }
  return assignArgs(sh, argv, io, (name, value) => {
    sh.makeLocal(name);
    if (value !== undefined) return sh.set(name, value);
    sh.vars.delete(name);
    return null;
  });
};

const unsetB: Builtin = (sh, argv, io) => {
  const fn = argv.includes('-f');
  let st = 0;
  for (const a of argv.slice(1)) {
    if (a.startsWith('-')) continue;
    if (fn || (!argv.includes('-v') && !sh.vars.has(a) && sh.funcs.has(a))) { sh.funcs.delete(a); continue; }
    const e = sh.unset(a);
    if (e) { err(sh, io, `unset: ${e}`); st = 1; }
  }
  return st;
};

const loop = (kind: 'break' | 'continue'): Builtin => (sh, argv, io) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 1) { err(sh, io, `${kind}: ${argv[1]}: loop count out of range`); return 1; }
  if (sh.loopDepth === 0) { err(sh, io, `${kind}: only meaningful in a \`for', \`while', or \`until' loop`); return 0; }
  throw new LoopSignal(kind, Math.min(n, sh.loopDepth));
};

const cd: Builtin = (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== '-L' && a !== '-P');
  let dir = args[0] ?? sh.get('HOME') ?? '/';
  const dash = dir === '-';
  if (dash) dir = sh.get('OLDPWD') ?? sh.cwd;
  const path = resolve(sh.cwd, dir);
  let problem = 'No such file or directory';
  try { if (statSync(path).isDirectory()) problem = ''; else problem = 'Not a directory'; } catch { /* missing */ }
  if (problem) {
    err(sh, io, `cd: ${dir}: ${problem}`);
    return 1;
  }
  sh.set('OLDPWD', sh.cwd);
  sh.cwd = path;
  sh.set('PWD', path);
  if (dash) write(io, path + '\n');
  return 0;
};

const read: Builtin = (sh, argv, io) => {
  let raw = false;
  let delim = '\n';
  let nchars = -1;
  const names: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-r') raw = true;
    else if (a === '-s') { /* no terminal */ }
    else if (a === '-p' || a === '-t' || a === '-u') i++;
    else if (a === '-d') delim = argv[++i]?.slice(0, 1) || '\0';
    else if (a === '-n' || a === '-N') nchars = Number(argv[++i]);
    else if (a === '-a') { err(sh, io, 'read: -a: arrays are not supported'); return 2; }
    else names.push(a);
  }
  if (names.length === 0) names.push('REPLY');
  let text: string;
  let ok = true;
  if (nchars >= 0) {
    text = io.stdin.readChars(nchars);
    ok = text.length === nchars;
  } else {
    const first = io.stdin.readLine(delim);
    if (first === null) {
      for (const n of names) sh.set(n, '');
      return 1;
    }
    text = first.line;
    ok = first.complete;
    while (!raw && ok && /(^|[^\\])(\\\\)*\\$/.test(text)) {
      const more = io.stdin.readLine(delim);
      text = text.slice(0, -1) + (more?.line ?? '');
      ok = more?.complete ?? false;
    }
  }
  if (!raw) text = text.replace(/\\(.)/gs, '$1');
  const ifs = sh.get('IFS') ?? ' \t\n';
  const isIfs = (c: string): boolean => ifs.includes(c);
  const isWs = (c: string): boolean => isIfs(c) && ' \t\n'.includes(c);
  let i = 0;
  while (i < text.length && isWs(text[i])) i++;
  for (let k = 0; k < names.length; k++) {
    if (names[k] === 'REPLY' && names.length === 1) { sh.set('REPLY', text); break; }
    if (k === names.length - 1) {
      let rest = text.slice(i);
      while (rest.length > 0 && isWs(rest[rest.length - 1])) rest = rest.slice(0, -1);
      sh.set(names[k], rest);
      break;
    }
    let j = i;
    while (j < text.length && !isIfs(text[j])) j++;
    sh.set(names[k], text.slice(i, j));
    i = j;
    while (i < text.length && isWs(text[i])) i++;
    if (i < text.length && isIfs(text[i])) {
      i++;
      while (i < text.length && isWs(text[i])) i++;
    }
  }
  return ok ? 0 : 1;
};

const trap: Builtin = (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== '--');
  if (args.length === 0 || args[0] === '-p') {
    for (const [k, v] of sh.traps) write(io, `trap -- ${shellQuote(v)} ${k}\n`);
    return 0;
  }
  const action = args.length === 1 ? '-' : args[0];
  for (const s of args.length === 1 ? args : args.slice(1)) {
    const name = s === '0' ? 'EXIT' : s.replace(/^SIG/, '');
    if (name !== 'EXIT' && !(name in SIGNALS) && !['ERR', 'DEBUG', 'RETURN'].includes(name)) {
      err(sh, io, `trap: ${s}: invalid signal specification`);
      return 1;
    }
    if (action === '-') sh.traps.delete(name);
    else sh.traps.set(name, action);
  }
  return 0;
};

const source: Builtin = async (sh, argv, io, cond) => {
  const file = argv[1];
  if (file === undefined) { err(sh, io, `${argv[0]}: filename argument required`); return 2; }
  let text: string;
  try { text = readFileSync(resolve(sh.cwd, file), 'utf8'); } catch {
    err(sh, io, `${file}: No such file or directory`);
    return 1;
  }
  const saved = sh.positional;
  if (argv.length > 2) sh.positional = argv.slice(2);
  sh.sourceDepth++;
  try {
    return await runSource(sh, text, io, cond);
  } catch (e) {
    if (e instanceof ReturnSignal) return e.status;
    throw e;
  } finally {
    sh.sourceDepth--;
    if (argv.length > 2) sh.positional = saved;
  }
};

const command: Builtin = async (sh, argv, io) => {
  const v = argv[1] === '-v' || argv[1] === '-V';
  if (!v) return argv.length > 1 ? runCommand(sh, argv.slice(1), io, new Map(), false, true) : 0;
  let st = 0;
  for (const n of argv.slice(2)) {
    const kind = sh.funcs.has(n) ? 'a function' : BUILTINS.has(n) ? 'a shell builtin'
      : sh.rt.commands.has(n) || sh.rt.externals.has(n) ? n : null;
    if (kind === null) {
      if (argv[1] === '-V') err(sh, io, `command: ${n}: not found`);
      st = 1;
    } else write(io, argv[1] === '-v' ? `${n}\n` : `${n} is ${kind}\n`);
  }
  return st;
};

/** sh/bash as a child process would run: a fresh shell that sees only the exported variables. */
const shB: Builtin = async (sh, argv, io) => {
  const flags: string[] = [];
  let i = 1;
  let cmd: string | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c') {
      cmd = argv[i + 1] ?? null;
      if (cmd === null) { err(sh, io, `${argv[0]}: -c: option requires an argument`); return 2; }
      i += 2;
      break;
    }
    if (a === '--') { i++; break; }
    if (a === '-o' || a === '+o') flags.push(a, argv[++i] ?? '');
    else if (/^[-+][A-Za-z]+$/.test(a)) flags.push(a);
    else break;
  }
  let src: string;
  let name = argv[0];
  let args: string[] = [];
  if (cmd !== null) {
    src = cmd;
    name = argv[i] ?? argv[0];
    args = argv.slice(i + 1);
  } else if (i < argv.length) {
    name = argv[i];
    args = argv.slice(i + 1);
    try { src = readFileSync(resolve(sh.cwd, name), 'utf8'); } catch {
      io.fds[2]?.write(`${argv[0]}: ${name}: No such file or directory\n`);
      return 127;
    }
  } else src = io.stdin.readAll();
  const child = new Shell(sh.rt, sh.cwd);
  for (const [k, v] of sh.vars) if (v.exported) child.vars.set(k, { ...v });
  child.file = name;
  child.netns = sh.netns;
  child.signal = sh.signal;
  child.thread = sh.thread;
  child.positional = args;
  if (flags.length > 0 && (await setOpts(child, ['set', ...flags], io, false)) !== 0) return 2;
  let st: number;
  try {
    st = await runSource(child, src, io, false);
  } catch (e) {
    if (!(e instanceof ExitSignal)) throw e;
    st = e.status;
  }
  return runExitTrap(child, io, st);
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [':', () => 0], ['true', () => 0], ['false', () => 1],
  ['echo', (_sh, argv, io) => { write(io, echo(argv.slice(1))); return 0; }],
  ['printf', (sh, argv, io) => {
    let args = argv.slice(1);
    let target: string | null = null;
    if (args[0] === '-v') { target = args[1] ?? ''; args = args.slice(2); }
    if (args[0] === '--') args = args.slice(1);
    if (args.length === 0) { err(sh, io, 'printf: usage: printf [-v var] format [arguments]'); return 2; }
    const r = printf(args[0], args.slice(1));
    for (const e of r.errors) err(sh, io, `printf: ${e}`);
    if (target !== null) sh.set(target, r.out);
    else write(io, r.out);
    return r.errors.length > 0 ? 1 : 0;
  }],
  ['test', (sh, argv, io) => testB(sh, argv.slice(1), io, 'test')],
  ['[', (sh, argv, io) => {
    if (argv[argv.length - 1] !== ']') { err(sh, io, "[: missing `]'"); return 2; }
    return testB(sh, argv.slice(1, -1), io, '[');
  }],
  ['set', setOpts], ['export', exportB], ['readonly', readonlyB], ['local', localB], ['unset', unsetB],
  ['shift', (sh, argv, io) => {
    const n = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(n) || n < 0) { err(sh, io, `shift: ${argv[1]}: numeric argument required`); return 1; }
    if (n > sh.positional.length) return 1;
    sh.positional = sh.positional.slice(n);
    return 0;
  }],
  ['exit', (sh, argv, io) => { throw new ExitSignal(status(sh, io, 'exit', argv[1]) ?? 2); }],
  ['return', (sh, argv, io) => {
    if (sh.funcDepth === 0 && sh.sourceDepth === 0) {
      err(sh, io, "return: can only `return' from a function or sourced script");
      return 2;
    }
    throw new ReturnSignal(status(sh, io, 'return', argv[1]) ?? 2);
  }],
  ['break', loop('break')], ['continue', loop('continue')],
  ['eval', (sh, argv, io, cond) => runSource(sh, argv.slice(1).join(' '), io, cond, sh.line)],
  ['source', source], ['.', source],
  ['exec', async (sh, argv, io) => {
    throw new ExitSignal(await runCommand(sh, argv.slice(1), io, new Map(), false, true));
  }],
  ['command', command],
  ['cd', cd], ['pwd', (sh, _argv, io) => { write(io, sh.cwd + '\n'); return 0; }],
  ['read', read],
  ['let', (sh, argv, io) => {
    let v = '0';
    for (const a of argv.slice(1)) v = arith(sh, io, a);
    return v !== '0' ? 0 : 1;
  }],
  ['trap', trap], ['sh', shB], ['bash', shB],
  // through arrows: jobs.ts imports this module's importers, so its bindings may not exist yet here
  ['wait', (...a) => wait(...a)], ['kill', (...a) => kill(...a)], ['jobs', (...a) => jobs(...a)],
  ['sleep', (...a) => sleep(...a)], ['timeout', (...a) => timeout(...a)],
]);

function testB(sh: Shell, args: string[], io: IO, name: string): number {
  const r = testExpr(args, sh.cwd);
  if (typeof r === 'number') return r;
  err(sh, io, `${name}: ${r}`);
  return 2;
}
