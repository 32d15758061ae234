// A POSIX-shell-like interpreter running in virtual time. It knows nothing of
// networking: the commands come from the registry passed in.
import { ErrorExit, ExitSignal, ScriptError } from './errors.ts';
import { execList, runExitTrap } from './exec.ts';
import { stopJobs } from './jobs.ts';
import { DEFAULT_EXTERNALS } from './externals.ts';
import { parseScript } from './parser.ts';
import { Runtime, Shell } from './state.ts';
import type { List } from './syntax.ts';
import type { ShellOptions, ShellResult } from './types.ts';

export { ScriptError } from './errors.ts';
export { DEFAULT_EXTERNALS } from './externals.ts';
export { DEFAULT_LIMITS } from './state.ts';
export type {
  Clock, Command, CommandContext, CommandIO, ShellLimits, ShellOptions, ShellResult,
} from './types.ts';

function setup(opts: ShellOptions): { rt: Runtime; sh: Shell } {
  const rt = new Runtime(opts, opts.externals ?? DEFAULT_EXTERNALS);
  const sh = new Shell(rt, opts.cwd ?? process.cwd());
  for (const [k, v] of Object.entries(opts.env ?? {})) sh.set(k, v, true);
  if (sh.get('PWD') === undefined) sh.set('PWD', sh.cwd, true);
  sh.positional = [...(opts.args ?? [])];
  return { rt, sh };
}

function failWith(rt: Runtime, e: unknown): never {
  rt.root.abort(15);
  for (const f of rt.openFiles) f.close();
  if (e instanceof ScriptError) e.result = { status: e.status, stdout: rt.stdout, stderr: rt.stderr };
  throw e;
}

/**
 * Runs a script to its end: when it finishes, its EXIT trap runs and then every
 * background job still running is stopped (aborted and awaited, in start order).
 * Rejects with ScriptError on syntax errors, unsupported constructs, and commands
 * that never finish; the error's `result` holds the output produced until then.
 */
export async function runScript(source: string, opts: ShellOptions): Promise<ShellResult> {
  const { rt, sh } = setup(opts);
  let ast: List;
  const warnings: string[] = [];
  try {
    ast = parseScript(source, rt.file, 1, warnings);
  } catch (e) {
    failWith(rt, e);
  }
  const io = rt.rootIO;
  for (const w of warnings) io.fds[2]?.write(w + '\n');
  const body = async (): Promise<number> => {
    let status: number;
    try {
      status = await execList(sh, ast, io, false);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      status = e.status;
    }
    status = await runExitTrap(sh, io, status);
    await stopJobs(sh);
    return status;
  };
  try {
    const status = await rt.drive(body());
    rt.root.abort(15);
    for (const f of rt.openFiles) f.close();
    return { status, stdout: rt.stdout, stderr: rt.stderr };
  } catch (e) {
    failWith(rt, e);
  }
}

/**
 * An interactive shell: variables, functions and background jobs persist from
 * one run() to the next. Virtual time only passes while a line runs.
 */
export class ShellSession {
  private readonly rt: Runtime;
  private readonly sh: Shell;
  private exitStatus: number | null = null;

  constructor(opts: ShellOptions) {
    ({ rt: this.rt, sh: this.sh } = setup(opts));
  }

  /** The status given to `exit`, once the session has exited. */
  get exited(): number | null {
    return this.exitStatus;
  }

  /**
   * Runs one line (or several). Throws ScriptError for syntax errors (`incomplete`
   * when more input could complete the line) and for commands that never finish.
   */
  async run(line: string): Promise<ShellResult> {
    const rt = this.rt;
    rt.stdout = '';
    rt.stderr = '';
    if (this.exitStatus !== null) return { status: this.exitStatus, stdout: '', stderr: '' };
    const warnings: string[] = [];
    const ast = parseScript(line, rt.file, 1, warnings);
    if (warnings.length > 0) throw new ScriptError(rt.file, 1, warnings[0], 2, true);
    if (ast.items.length === 0) return { status: this.sh.status, stdout: '', stderr: '' };
    const body = async (): Promise<number> => {
      try {
        return await execList(this.sh, ast, rt.rootIO, false);
      } catch (e) {
        if (e instanceof ErrorExit) return e.status;
        if (!(e instanceof ExitSignal)) throw e;
        this.exitStatus = await runExitTrap(this.sh, rt.rootIO, e.status);
        await stopJobs(this.sh);
        return this.exitStatus;
      }
    };
    try {
      const status = await rt.drive(body());
      this.sh.status = status;
      return { status, stdout: rt.stdout, stderr: rt.stderr };
    } catch (e) {
      if (e instanceof ScriptError) e.result = { status: e.status, stdout: rt.stdout, stderr: rt.stderr };
      throw e;
    }
  }

  /** Ends the session: runs the EXIT trap and stops the background jobs. */
  async close(): Promise<ShellResult> {
    const rt = this.rt;
    rt.stdout = '';
    rt.stderr = '';
    const status = this.exitStatus ?? this.sh.status;
    if (this.exitStatus === null) {
      this.exitStatus = await rt.drive((async () => {
        const s = await runExitTrap(this.sh, rt.rootIO, status);
        await stopJobs(this.sh);
        return s;
      })());
    }
    rt.root.abort(15);
    for (const f of rt.openFiles) f.close();
    return { status: this.exitStatus, stdout: rt.stdout, stderr: rt.stderr };
  }
}
