// Every recorded `ip`/`bridge`/`brctl`/`sysctl` session about bridges (fixtures/bridge/*.txt),
// replayed in nslab. What the recordings call volatile is masked: the values of running timers
// (hundredths of a second that depend on how fast the recorder typed) and ping's times.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { World } from '../../src/kernel/world.ts';
import { maskPingTimes, parseFixture, runCommand } from './fixture-replay.ts';
import { maskTimers } from './bridge-masks.ts';

const DIR = new URL('../../fixtures/bridge/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('fixtures/bridge', () => {
  for (const file of files) {
    const c = parseFixture(new URL(file, DIR).pathname);
    it(`${c.name}: ${c.description}`, async () => {
      const world = new World({ seed: 1 });
      for (const step of c.steps) {
        const got = await runCommand(world, step.command);
        const where = `${file}:${step.line}: ${step.command}`;
        const norm = (s: string) => maskPingTimes(maskTimers(s));
        expect({ where, stdout: norm(got.stdout), stderr: got.stderr, status: got.status })
          .toEqual({ where, stdout: norm(step.stdout), stderr: step.stderr, status: step.status });
      }
    });
  }
});
