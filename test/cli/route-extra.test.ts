// Replays test/cli/extra/route-*.txt (recorded from the real tools by
// extra/record-route.sh): `ip route`, `ip rule`, `ip neigh`, `ip netns` and `sysctl` behaviour
// beyond the fixtures/ip cases, command by command, in one fresh world per file.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/kernel/world.ts';
import { parseFixture, runCommand } from './fixture-replay.ts';

const DIR = new URL('./extra/', import.meta.url);
const files = readdirSync(DIR).filter((f) => /^route-.*\.txt$/.test(f)).sort();

/** An `ip neigh` listing compared as a set: the kernel's order is its random hash order. */
function asSet(stdout: string): string {
  if (stdout.startsWith('[')) {
    try {
      return JSON.stringify((JSON.parse(stdout) as unknown[]).map((x) => JSON.stringify(x)).sort());
    } catch {
      // fall through to lines
    }
  }
  return stdout.split('\n').sort().join('\n');
}

describe('ip route/rule/neigh/netns and sysctl corner cases (recorded from the real tools)', () => {
  it('has the recorded files', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });
  for (const file of files) {
    const c = parseFixture(new URL(file, DIR).pathname);
    it(`${c.name}: ${c.description}`, async () => {
      const world = new World({ seed: 3 });
      const unordered = c.volatile.some((v) => v.startsWith('order of the entries of an ip neigh listing'));
      for (const step of c.steps) {
        const got = await runCommand(world, step.command);
        const norm = unordered && / neigh/.test(step.command) ? asSet : (x: string) => x;
        const where = `${file}:${step.line}: ${step.command}`;
        expect({ where, stdout: norm(got.stdout), stderr: got.stderr, status: got.status })
          .toEqual({ where, stdout: norm(step.stdout), stderr: step.stderr, status: step.status });
      }
    });
  }
});
