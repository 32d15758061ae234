// Running scripts of Linux networking commands in nslab: a world (namespaces, virtual clock,
// seeded randomness) plus the shell interpreter wired to the emulated tools.
import { World, type WorldOptions } from '../kernel/world.ts';
import { openRunCapture, type RunCaptureOptions } from './capture.ts';
import { commandsFor } from './commands.ts';
import { ShellSession, runScript, type ShellOptions, type ShellResult } from './shell/index.ts';

export interface ScenarioOptions extends WorldOptions, RunCaptureOptions {
  /** Script name used in error messages and as $0. */
  file?: string;
  /** Called as output happens (the output is also returned). */
  onOutput?: ShellOptions['onOutput'];
  /** Directory relative paths in the script refer to. */
  cwd?: string;
  /** Positional parameters $1… */
  args?: readonly string[];
  env?: Record<string, string>;
}

export interface ScenarioResult extends ShellResult {
  world: World;
}

function shellOptions(world: World, opts: ScenarioOptions): ShellOptions {
  return {
    clock: world.clock,
    commands: commandsFor(world),
    file: opts.file,
    cwd: opts.cwd,
    args: opts.args,
    env: opts.env,
    onOutput: opts.onOutput,
  };
}

/**
 * Runs a whole script (the library form of `nslab run`). Rejects with ScriptError as runScript
 * does. With `pcapDir` / `pcapng`, every device's frames are written as they happen and the
 * files are closed when the run ends, whether it succeeds or not (see capture.ts).
 */
export async function runScenario(source: string, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const world = new World(opts);
  const capture = openRunCapture(world, opts);
  let result: ShellResult;
  try {
    result = await runScript(source, shellOptions(world, opts));
  } catch (e) {
    try {
      capture?.close();
    } catch {
      // The run's own error is the one to report.
    }
    throw e;
  }
  capture?.close();
  return { ...result, world };
}

/** An interactive session over one world (the library form of `nslab shell`). */
export function openSession(opts: ScenarioOptions = {}): { world: World; session: ShellSession } {
  const world = new World(opts);
  return { world, session: new ShellSession(shellOptions(world, opts)) };
}
