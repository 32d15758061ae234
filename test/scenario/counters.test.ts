// After each real-kernel scenario (fixtures/scenarios/*), the counters nslab shows must be the
// kernel's: `ip -s link`, `nstat -az` and `cat /proc/net/snmp` in every namespace
// (counters.txt), run against the world the scenario's script left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';
import { commandsFor } from '../../src/scenario/commands.ts';
import { ShellSession } from '../../src/scenario/shell/index.ts';
import { parseFixture } from '../cli/fixture-replay.ts';

const DIR = new URL('../../fixtures/scenarios/', import.meta.url);
const scenarios = readdirSync(DIR).filter((d) => existsSync(new URL(`${d}/counters.txt`, DIR))).sort();

describe('counters after the kernel scenarios', () => {
  for (const name of scenarios) {
    it(name, async () => {
      const script = readFileSync(new URL(`${name}/script.sh`, DIR), 'utf8');
      const { world } = await runScenario(script, { seed: 1, file: `${name}/script.sh` });
      const session = new ShellSession({ clock: world.clock, commands: commandsFor(world) });
      const want = parseFixture(new URL(`${name}/counters.txt`, DIR).pathname);
      expect(want.steps.length).toBeGreaterThan(0);
      for (const step of want.steps) {
        const got = await session.run(step.command);
        expect({ command: step.command, stdout: got.stdout, status: got.status }).toEqual({ command: step.command, stdout: step.stdout, status: step.status });
      }
    });
  }
});
