// Real projects' rulesets (fixtures/iptables/rulesets/NAME.rules: libvirt's default network,
// kube-proxy's iptables mode, ufw) as the real iptables-restore 1.8.9 loaded them and the real
// iptables-save / iptables -L printed them back (rulesets/NAME.txt, recorded by
// fixtures/iptables/record.sh), replayed through nslab byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Replay, parseFixture } from './harness.ts';

const DIR = new URL('../../fixtures/iptables/rulesets/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

/** Rulesets waiting for an extension nslab lacks (name -> why). */
const PENDING: Record<string, string> = {};

describe('fixtures/iptables/rulesets', () => {
  it('has the recorded rulesets', () => {
    expect(files).toEqual(['kube-proxy.txt', 'libvirt.txt', 'ufw.txt']);
  });
  for (const file of files) {
    const f = parseFixture(readFileSync(new URL(file, DIR), 'utf8'));
    const name = file.replace(/\.txt$/, '');
    const test = PENDING[name] ? it.skip : it;
    test(`${name}: ${f.description}${PENDING[name] ? ` (pending: ${PENDING[name]})` : ''}`, async () => {
      const replay = new Replay();
      for (const step of f.steps) {
        const got = await replay.run(step.command, step.stdout);
        const where = `rulesets/${file}:${step.line}: ${step.command}`;
        expect({ where, stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ where, stdout: step.stdout, stderr: step.stderr, status: step.status });
      }
    });
  }
});
