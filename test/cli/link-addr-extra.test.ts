// Replays test/cli/extra/link-addr.txt (recorded from the real tools by
// extra/record-link-addr.sh): `ip link`, `ip address` and `ethtool` corner cases the
// fixtures/ip cases do not show. Each command runs in its namespace directly, so this test
// does not depend on `ip netns`.
import { describe, expect, it } from 'vitest';
import { tools } from '../../src/cli/registry.ts';
import type { ToolContext } from '../../src/cli/tool.ts';
import { World } from '../../src/kernel/world.ts';
import { parseFixture, splitWords } from './fixture-replay.ts';

const extra = (name: string) => new URL(`./extra/${name}`, import.meta.url).pathname;

async function runIn(world: World, command: string) {
  const res = { stdout: '', stderr: '', status: 0 };
  const argv = splitWords(command);
  if (argv[0] === 'sleep') {
    world.clock.tick(Number(argv[1]) * 1000);
    return res;
  }
  if (argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'del') {
    world.delNetns(argv[3]);
    return res;
  }
  if (argv[0] !== 'ip' || argv[1] !== 'netns' || argv[2] !== 'exec') throw new Error(`unexpected command ${command}`);
  const ns = world.netns.get(argv[3])!;
  const rest = argv.slice(4);
  const ctx: ToolContext = {
    world, ns, argv: rest, stdin: '',
    io: { out: (t) => { res.stdout += t; }, err: (t) => { res.stderr += t; } },
    signal: new AbortController().signal,
    sleep: async (ms) => { world.clock.tick(ms); },
    exec: async () => 127,
    hasCommand: () => false,
  };
  res.status = await tools.get(rest[0])!(ctx);
  return res;
}

/**
 * Replays a recorded file in a world with these namespaces. nslab starts with IPv6 disabled;
 * the recordings turned it off too, except in the namespaces listed in `ipv6`, where it is
 * switched on here (as Linux has it by default).
 */
async function replay(file: string, names: string[], ipv6: string[] = []): Promise<void> {
  const c = parseFixture(extra(file));
  const world = new World({ seed: 7 });
  for (const name of names) {
    const ns = world.addNetns(name);
    const off = ipv6.includes(name) ? '0' : '1';
    ns.sysctl.set('net.ipv6.conf.all.disable_ipv6', off);
    ns.sysctl.set('net.ipv6.conf.default.disable_ipv6', off);
  }
  for (const step of c.steps) {
    const got = await runIn(world, step.command);
    const where = `${file}:${step.line}: ${step.command}`;
    expect({ where, ...got }).toEqual({ where, stdout: step.stdout, stderr: step.stderr, status: step.status });
  }
}

describe('ip link / ip address / ethtool corner cases (recorded from the real tools)', () => {
  it('link-addr.txt: flags, errors, stats, address forms, filters, flush, ethtool', async () => {
    await replay('link-addr.txt', ['nsl-ipa-a', 'nsl-ipa-b']);
  });

  it('moves.txt: moves between namespaces, nsids, lo, IPv6 left on', async () => {
    await replay('moves.txt', ['nsl-ipa-a', 'nsl-ipa-b', 'nsl-ipa-c'], ['nsl-ipa-c']);
  });

  it('hostname prints the world\'s name, "nslab" unless set', async () => {
    const world = new World();
    world.addNetns('nsl-ipa-a');
    expect((await runIn(world, 'ip netns exec nsl-ipa-a hostname')).stdout).toBe('nslab\n');
    const other = new World({ hostname: 'box' });
    other.addNetns('nsl-ipa-a');
    expect((await runIn(other, 'ip netns exec nsl-ipa-a hostname')).stdout).toBe('box\n');
  });
});
