// What every emulated command (ip, sysctl, ethtool, …) gets: the emulated machine, the
// namespace it runs in, its arguments and its output streams.
import type { World } from '../kernel/world.ts';
import type { NetNs } from '../kernel/netns.ts';

export interface ToolIO {
  out(text: string): void;
  err(text: string): void;
}

export interface ToolContext {
  world: World;
  /** The namespace the command runs in. */
  ns: NetNs;
  /** argv[0] is the command's name. */
  argv: string[];
  stdin: string;
  io: ToolIO;
  /** Directory relative paths are resolved against (the script's); the process's when absent. */
  cwd?: string;
  /** Aborted when the command is killed or the script ends (long-running tools stop then). */
  signal: AbortSignal;
  /** Waits in virtual time. */
  sleep(ms: number): Promise<void>;
  /** Runs another command in a namespace (`ip netns exec`), with the same output streams. */
  exec(argv: string[], ns: NetNs): Promise<number>;
  /** Whether a command of that name can be run (what `ip netns exec` checks before exec). */
  hasCommand(name: string): boolean;
}

/** Returns the exit status. */
export type Tool = (ctx: ToolContext) => number | Promise<number>;

/** A failure that ends a tool with a message on stderr and an exit status. */
export class ToolExit extends Error {
  constructor(readonly status: number, readonly stderr: string) {
    super(stderr);
  }
}
