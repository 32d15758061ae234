// `nslab run SCRIPT` and `nslab shell`.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { openSession, runScenario } from '../scenario/run.ts';
import { ScriptError } from '../scenario/shell/index.ts';
import { StormError } from '../kernel/scheduler.ts';

export interface RunOptions {
  seed?: number;
  /** --pcap-dir: one classic pcap per interface. */
  pcapDir?: string;
  /** --pcapng: one pcapng file for every interface. */
  pcapng?: string;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory', EEXIST: 'File exists', EROFS: 'Read-only file system', ENOSPC: 'No space left on device',
};

const stream = (which: 'stdout' | 'stderr', text: string): void => {
  (which === 'stdout' ? process.stdout : process.stderr).write(text);
};

/** Runs a script file; returns its exit status. */
export async function runFile(file: string, args: readonly string[], opts: RunOptions): Promise<number> {
  let source: string;
  try {
    source = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    process.stderr.write(`nslab run: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}\n`);
    return 127;
  }
  try {
    const cwd = file === '-' ? process.cwd() : dirname(resolve(file));
    const r = await runScenario(source, {
      seed: opts.seed, file: file === '-' ? 'nslab' : file, cwd, args, onOutput: stream, pcapDir: opts.pcapDir, pcapng: opts.pcapng,
    });
    return r.status;
  } catch (e) {
    if (e instanceof ScriptError) {
      process.stderr.write(e.message + '\n');
      return e.status;
    }
    // A forwarding loop flooded the world: the run stops there (the report names the loop).
    if (e instanceof StormError) {
      process.stderr.write(`nslab run: ${e.message}\n`);
      return 1;
    }
    // A capture file that cannot be written (--pcap-dir, --pcapng).
    if (e instanceof Error && 'code' in e && 'path' in e) {
      process.stderr.write(`nslab run: ${String(e.path)}: ${ERRNO_TEXT[String(e.code)] ?? e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** The interactive prompt: one line at a time, Ctrl-D or `exit` to leave. */
export async function interactive(opts: RunOptions): Promise<number> {
  const { session } = openSession({ seed: opts.seed, file: 'nslab', onOutput: stream });
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, historySize: 1000 });
  const prompt = (more: boolean) => {
    if (!tty) return;
    rl.setPrompt(more ? '> ' : 'nslab# ');
    rl.prompt();
  };
  let pending = '';
  let status = 0;
  prompt(false);
  for await (const line of rl) {
    const text = pending ? `${pending}\n${line}` : line;
    try {
      status = (await session.run(text)).status;
      pending = '';
    } catch (e) {
      if (e instanceof ScriptError && e.incomplete) {
        pending = text;
        prompt(true);
        continue;
      }
      if (!(e instanceof ScriptError)) throw e;
      process.stderr.write(e.message + '\n');
      status = e.status;
      pending = '';
    }
    if (session.exited !== null) break;
    prompt(false);
  }
  rl.close();
  const end = await session.close();
  return session.exited ?? end.status ?? status;
}
