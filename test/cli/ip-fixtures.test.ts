// Every recorded `ip`/`sysctl`/`ethtool` session from the real tools, replayed in nslab.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/kernel/world.ts';
import { maskVolatile, parseFixture, runCommand } from './fixture-replay.ts';

const DIR = new URL('../../fixtures/ip/', import.meta.url);

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

/**
 * A listing whose order the recording says is volatile ("order of the entries of an ip neigh
 * listing … compare as a set"): its lines, or its JSON array's elements, sorted.
 */
function asSet(stdout: string): string {
  if (stdout.startsWith('[')) {
    try {
      const arr = JSON.parse(stdout) as unknown[];
      return JSON.stringify(arr.map((x) => JSON.stringify(x)).sort());
    } catch {
      // not a complete JSON listing: compare the lines
    }
  }
  return stdout.split('\n').sort().join('\n');
}

function unordered(volatile: string[], command: string): boolean {
  return volatile.some((v) => v.startsWith('order of the entries of an ip neigh listing')) && / (neigh(bour|bor)?|n)( |$)/.test(command);
}

describe('fixtures/ip', () => {
  for (const file of files) {
    const c = parseFixture(new URL(file, DIR).pathname);
    it(`${c.name}: ${c.description}`, async () => {
      const world = new World({ seed: 1 });
      for (const step of c.steps) {
        const got = await runCommand(world, step.command);
        const where = `${file}:${step.line}: ${step.command}`;
        const set = unordered(c.volatile, step.command) ? asSet : (x: string) => x;
        const norm = (x: string): string => set(maskVolatile(c.volatile, step.command, x));
        expect({ where, stdout: norm(got.stdout), stderr: got.stderr, status: got.status }).toEqual({ where, stdout: norm(step.stdout), stderr: step.stderr, status: step.status });
      }
    });
  }
});
