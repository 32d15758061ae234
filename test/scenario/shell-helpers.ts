// Shared by the shell tests: a tiny command registry and ways to run scripts
// through nslab's interpreter and through real bash.
import { createClock } from '@sinonjs/fake-timers';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  runScript, type Clock, type Command, type ShellOptions, type ShellResult,
} from '../../src/scenario/shell/index.ts';

/** A fake registry; `clock` is the one the script runs on. */
export function registry(clock: Clock): Map<string, Command> {
  return new Map<string, Command>([
    // tick [MS]: waits MS of virtual time, then prints the time
    ['tick', async (ctx) => {
      await ctx.sleep(Number(ctx.argv[1] ?? 0));
      ctx.stdout.write(`tick ${clock.now}\n`);
      return 0;
    }],
    // follow [NAME] [INTERVAL]: prints every INTERVAL ms until its signal aborts, then a summary
    ['follow', async (ctx) => {
      const name = ctx.argv[1] ?? 'follow';
      const every = Number(ctx.argv[2] ?? 1000);
      let n = 0;
      while (!ctx.signal.aborted) {
        ctx.stdout.write(`${name} ${n++} at ${clock.now}\n`);
        await ctx.sleep(every);
      }
      ctx.stdout.write(`${name} stopped at ${clock.now} after ${n}\n`);
      return 0;
    }],
    // rcat: copies stdin to stdout
    ['rcat', async (ctx) => {
      ctx.stdout.write(ctx.stdin);
      return 0;
    }],
    // hang: never finishes and sets no timer
    ['hang', () => new Promise<number>(() => {})],
    ['nsname', async (ctx) => {
      ctx.stdout.write(`${ctx.netns || '(host)'}\n`);
      return 0;
    }],
    // nsexec NS CMD…: like `ip netns exec`
    ['nsexec', (ctx) => ctx.exec(ctx.argv.slice(2), { netns: ctx.argv[1] })],
    // feed TEXT CMD…: runs CMD with TEXT as its stdin
    ['feed', (ctx) => ctx.exec(ctx.argv.slice(2), { stdin: ctx.argv[1] })],
    ['envget', async (ctx) => {
      ctx.stdout.write(`${ctx.env.get(ctx.argv[1]) ?? '<unset>'}\n`);
      return 0;
    }],
    ['cwdcmd', async (ctx) => {
      ctx.stdout.write(`${ctx.cwd}\n`);
      return 0;
    }],
    ['status', async (ctx) => Number(ctx.argv[1])],
    ['warn', async (ctx) => {
      ctx.stderr.write(`${ctx.argv.slice(1).join(' ')}\n`);
      return 0;
    }],
  ]);
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-shell-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Run extends ShellResult { clock: Clock }

/** Runs src as `t.sh` on a fresh clock at 0, in dir (default: a fresh temporary directory). */
export async function run(src: string, opts: Partial<ShellOptions> & { dir?: string } = {}): Promise<Run> {
  const clock = opts.clock ?? createClock(0);
  const t = opts.dir === undefined ? tempDir() : null;
  try {
    const r = await runScript(src, {
      commands: registry(clock), file: 't.sh', env: { HOME: '/root' }, ...opts, clock, cwd: opts.dir ?? t?.dir,
    });
    return { ...r, clock };
  } finally {
    t?.cleanup();
  }
}

export const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

/** Runs src with real bash as the file `t.sh` in a fresh temporary directory. */
export function bash(src: string): ShellResult {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 't.sh'), src);
    const r = spawnSync('bash', ['t.sh'], {
      cwd: t.dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: '/root' },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    t.cleanup();
  }
}
