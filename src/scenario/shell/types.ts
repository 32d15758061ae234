import type { Clock } from '@sinonjs/fake-timers';

export type { Clock };

export interface CommandIO { write(text: string): void }

export interface CommandContext {
  /** argv[0] is the command name */
  argv: string[];
  /**
   * the command's stdin (here-document, `< file`, pipe input, or what `read` has left of the
   * script's); reading it does not consume it: only the `read` builtin does
   */
  readonly stdin: string;
  stdout: CommandIO;
  stderr: CommandIO;
  /** exported variables */
  env: ReadonlyMap<string, string>;
  cwd: string;
  /** namespace the command runs in: 'host' unless set through exec() */
  netns: string;
  /** aborted when the job is killed, times out, or the script ends */
  signal: AbortSignal;
  /** waits in virtual time; resolves early (without throwing) if signal aborts */
  sleep(ms: number): Promise<void>;
  /** runs another command (builtin, registry or external) with the same stdout and stderr */
  exec(argv: string[], overrides?: { netns?: string; stdin?: string }): Promise<number>;
}

/** Resolves to the exit status. */
export type Command = (ctx: CommandContext) => Promise<number>;

export interface ShellLimits {
  /** iterations one loop may run without virtual time passing (default 1e6) */
  maxLoopIterations: number;
  /** virtual milliseconds one foreground command may run (default 24 h; `sleep` extends it) */
  maxCommandMs: number;
  /** clock timers fired while one foreground command runs (default 1e7) */
  maxTimers: number;
  /** nested function calls (default 1000) */
  maxFunctionDepth: number;
}

export interface ShellOptions {
  clock: Clock;
  commands: ReadonlyMap<string, Command>;
  /** script name for messages and $0 (default 'nslab') */
  file?: string;
  /** directory for relative paths (default process.cwd()) */
  cwd?: string;
  /** initial variables, all exported */
  env?: Record<string, string>;
  /** real programs the script may run (default DEFAULT_EXTERNALS) */
  externals?: readonly string[];
  /** positional parameters $1… */
  args?: readonly string[];
  /** the script's stdin (default empty) */
  stdin?: string;
  /** called as output happens; the output is still collected in the result */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  limits?: Partial<ShellLimits>;
}

export interface ShellResult { status: number; stdout: string; stderr: string }
