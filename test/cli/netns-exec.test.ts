// `ip netns exec`: the command runs in the named namespace with ip's exit status; a command
// nobody knows fails as execvp does; a context that knows more commands (the shell) can say so.
import { describe, expect, it } from 'vitest';
import { tools } from '../../src/cli/registry.ts';
import type { ToolContext } from '../../src/cli/tool.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { World } from '../../src/kernel/world.ts';

function context(world: World, argv: string[], extra: Partial<ToolContext> = {}) {
  const out = { stdout: '', stderr: '', ran: [] as Array<[string[], string]> };
  const ctx: ToolContext = {
    world, ns: world.host, argv, stdin: '',
    io: { out: (t) => { out.stdout += t; }, err: (t) => { out.stderr += t; } },
    signal: new AbortController().signal,
    sleep: async () => {},
    exec: async (a: string[], ns: NetNs) => {
      out.ran.push([a, ns.name]);
      const tool = tools.get(a[0]);
      return tool ? tool({ ...ctx, ns, argv: a }) : 0;
    },
    hasCommand: (n) => tools.has(n),
    ...extra,
  };
  return { ctx, out };
}

describe('ip netns exec', () => {
  it('runs the command in the namespace and returns its status', async () => {
    const world = new World();
    world.addNetns('x');
    const { ctx, out } = context(world, ['ip', 'netns', 'exec', 'x', 'sysctl', 'net.ipv4.nosuch']);
    expect(await tools.get('ip')!(ctx)).toBe(1);
    expect(out.ran).toEqual([[['sysctl', 'net.ipv4.nosuch'], 'x']]);
    expect(out.stderr).toBe('sysctl: cannot stat /proc/sys/net/ipv4/nosuch: No such file or directory\n');
  });

  it('fails like execvp for an unknown command, unless the context knows it', async () => {
    const world = new World();
    world.addNetns('x');
    const plain = context(world, ['ip', 'netns', 'exec', 'x', 'true']);
    expect(await tools.get('ip')!(plain.ctx)).toBe(1);
    expect(plain.out.stderr).toBe('exec of "true" failed: No such file or directory\n');
    const shell = context(world, ['ip', 'netns', 'exec', 'x', 'true'], { hasCommand: (n) => n === 'true' });
    expect(await tools.get('ip')!(shell.ctx)).toBe(0);
    expect(shell.out.ran).toEqual([[['true'], 'x']]);
  });

  it('names missing namespaces and missing commands as iproute2 does', async () => {
    const world = new World();
    world.addNetns('x');
    const missing = context(world, ['ip', 'netns', 'exec', 'nope', 'ip', 'link']);
    expect(await tools.get('ip')!(missing.ctx)).toBe(255);
    expect(missing.out.stderr).toBe('Cannot open network namespace "nope": No such file or directory\n');
    const bare = context(world, ['ip', 'netns', 'exec', 'x']);
    expect(await tools.get('ip')!(bare.ctx)).toBe(1);
    expect(bare.out.stderr).toBe('No command specified\n');
  });
});
