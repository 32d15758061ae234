// Connects the emulated tools (src/cli) to the shell interpreter: each tool becomes a shell
// command that runs in the namespace the shell says (`ip netns exec` sets it).
import type { NetNs } from '../kernel/netns.ts';
import type { World } from '../kernel/world.ts';
import { tools } from '../cli/registry.ts';
import type { Tool } from '../cli/tool.ts';
import { DEFAULT_EXTERNALS, type Command, type CommandContext } from './shell/index.ts';
import { BUILTINS } from './shell/builtins.ts';

/** The shell's name for the initial namespace: empty, which no named namespace can have. */
export const HOST_NS = '';

export function resolveNs(world: World, name: string): NetNs | undefined {
  return name === HOST_NS ? world.host : world.netns.get(name);
}

function adapt(world: World, tool: Tool): Command {
  return async (ctx: CommandContext) => {
    const ns = resolveNs(world, ctx.netns);
    if (!ns) {
      ctx.stderr.write(`${ctx.argv[0]}: network namespace "${ctx.netns}" no longer exists\n`);
      return 1;
    }
    return tool({
      world,
      ns,
      argv: ctx.argv,
      stdin: ctx.stdin,
      cwd: ctx.cwd,
      io: { out: (t) => ctx.stdout.write(t), err: (t) => ctx.stderr.write(t) },
      signal: ctx.signal,
      sleep: (ms) => ctx.sleep(ms),
      exec: (argv, target) => ctx.exec(argv, { netns: target === world.host ? HOST_NS : target.name }),
      hasCommand: (name) => tools.has(name) || BUILTINS.has(name) || DEFAULT_EXTERNALS.includes(name),
    });
  };
}

/** Every emulated tool as a shell command bound to `world`. */
export function commandsFor(world: World): Map<string, Command> {
  const m = new Map<string, Command>();
  for (const [name, tool] of tools) m.set(name, adapt(world, tool));
  return m;
}
