// Every session recorded from the real iptables 1.8.9 (fixtures/iptables/record.sh), replayed
// through nslab's iptables, iptables-save and iptables-restore: stdout, stderr and exit
// status must match byte for byte (iptables-save's dates are taken from the recording).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, Replay, parseFixture } from './harness.ts';

const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

describe('fixtures/iptables', () => {
  it('has the recorded cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });
  for (const file of files) {
    const f = parseFixture(readFileSync(new URL(file, FIXTURES), 'utf8'));
    it(`${f.name}: ${f.description}`, async () => {
      const replay = new Replay();
      for (const step of f.steps) {
        const got = await replay.run(step.command, step.stdout);
        const where = `${file}:${step.line}: ${step.command}`;
        expect({ where, stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ where, stdout: step.stdout, stderr: step.stderr, status: step.status });
      }
    });
  }
});
