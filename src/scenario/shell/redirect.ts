// Redirections on real files (relative to the shell's cwd), and set -x traces.
import { openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expandWord, type ExpandHost } from './expand.ts';
import { FileSink, Input, NULL_SINK, type IO, type Shell } from './state.ts';
import type { Redir } from './syntax.ts';
import type { CommandIO } from './types.ts';

export interface Opened { io: IO; close(): void }

function errText(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    default: return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Applies redirections on top of io. On failure prints bash's message and returns null.
 * `keep` leaves the files open (for `exec >file`), to be closed when the run ends.
 */
export async function applyRedirs(sh: Shell, redirs: readonly Redir[], io: IO, h: ExpandHost, keep = false):
Promise<Opened | null> {
  const out: IO = { stdin: io.stdin, fds: io.fds.slice() };
  const opened: FileSink[] = [];
  const close = (): void => { for (const f of opened) f.close(); };
  const fail = (msg: string): null => {
    close();
    sh.error(msg, io);
    return null;
  };
  const openOut = (path: string, append: boolean): CommandIO => {
    if (path === '/dev/null') return NULL_SINK;
    if (path === '/dev/stdout') return out.fds[1] ?? NULL_SINK;
    if (path === '/dev/stderr') return out.fds[2] ?? NULL_SINK;
    const f = new FileSink(openSync(resolve(sh.cwd, path), append ? 'a' : 'w'));
    (keep ? sh.rt.openFiles : opened).push(f);
    return f;
  };
  for (const r of redirs) {
    if (r.heredoc) {
      const body = r.heredoc.body;
      out.stdin = new Input(body ? await expandWord(h, body) : '');
      continue;
    }
    const target = await expandWord(h, r.target);
    try {
      switch (r.op) {
        case '<': case '<>':
          if (target === '/dev/null') out.stdin = new Input('');
          else if (target === '/dev/stdin') { /* unchanged */ } else {
            out.stdin = new Input(readFileSync(resolve(sh.cwd, target), 'utf8'));
          }
          break;
        case '<<<':
          out.stdin = new Input(target + '\n');
          break;
        case '>': case '>|': case '>>':
          out.fds[r.fd ?? 1] = openOut(target, r.op === '>>');
          break;
        case '&>': case '&>>': {
          const f = openOut(target, r.op === '&>>');
          out.fds[1] = f;
          out.fds[2] = f;
          break;
        }
        case '>&': case '<&': {
          const fd = r.fd ?? (r.op === '>&' ? 1 : 0);
          if (target === '-') {
            if (fd === 0) out.stdin = new Input('');
            else out.fds[fd] = undefined;
          } else if (/^[0-9]+$/.test(target)) {
            const n = Number(target);
            if (fd === 0 || n === 0) {
              if (!(fd === 0 && n === 0)) return fail(`${target}: Bad file descriptor`);
            } else {
              const s = out.fds[n];
              if (!s) return fail(`${target}: Bad file descriptor`);
              out.fds[fd] = s;
            }
          } else if (r.op === '>&' && r.fd === null) {
            const f = openOut(target, false);
            out.fds[1] = f;
            out.fds[2] = f;
          } else return fail(`${target}: ambiguous redirect`);
          break;
        }
        default:
          break;
      }
    } catch (e) {
      return fail(`${target}: ${errText(e)}`);
    }
  }
  return { io: out, close };
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(s: string): string {
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** Writes a set -x line for a command. */
export function trace(sh: Shell, io: IO, assigns: readonly [string, string][], argv: readonly string[]): void {
  if (!sh.opts.xtrace) return;
  const words = [...assigns.map(([k, v]) => `${k}=${shellQuote(v)}`), ...argv.map(shellQuote)];
  io.fds[2]?.write(`${'+'.repeat(sh.substDepth + 1)} ${words.join(' ')}\n`);
}
