// Every command of the real-kernel scenarios (fixtures/scenarios/*/output.txt), replayed by
// running the scenario's script.sh with `nslab run`: stdout, stderr and exit status of each
// ping must be the recording's, with only the fields the recordings call volatile masked (the
// reply times, the statistics' `time NNNNms` and the rtt line).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';
import { maskPingTimes, parseFixture } from './fixture-replay.ts';

const DIR = new URL('../../fixtures/scenarios/', import.meta.url);
const scenarios = readdirSync(DIR).filter((d) => existsSync(new URL(`${d}/script.sh`, DIR))).sort();

interface Ran {
  command: string;
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Runs script.sh with a marker echoed around each command, so that the output (which
 * onOutput delivers in order) can be cut back into per-command pieces.
 */
async function runScript(name: string): Promise<Ran[]> {
  const script = readFileSync(new URL(`${name}/script.sh`, DIR), 'utf8');
  const commands = script.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const src = commands.map((c, i) => `echo @@CMD${i}\n${c}\necho "@@EXIT${i} $?"`).join('\n') + '\n';
  const ran: Ran[] = [];
  let cur: Ran | undefined;
  await runScenario(src, {
    seed: 1,
    file: `${name}/script.sh`,
    onOutput: (stream, text) => {
      const m = /^@@(CMD|EXIT)(\d+)(?: (\d+))?\n$/.exec(text);
      if (stream === 'stdout' && m) {
        if (m[1] === 'CMD') {
          cur = { command: commands[Number(m[2])], stdout: '', stderr: '', status: 0 };
          ran.push(cur);
        } else if (cur) {
          cur.status = Number(m[3]);
        }
        return;
      }
      if (cur) cur[stream] += text;
    },
  });
  return ran;
}

describe('fixtures/scenarios: ping as recorded', () => {
  for (const name of scenarios) {
    const rec = parseFixture(new URL(`${name}/output.txt`, DIR).pathname);
    const pings = rec.steps.filter((s) => / ping /.test(` ${s.command} `));
    if (!pings.length) continue;
    it(`${name}: ${pings.length} ping command(s)`, async () => {
      const ran = await runScript(name);
      expect(ran.map((r) => r.command)).toEqual(rec.steps.map((s) => s.command));
      rec.steps.forEach((step, i) => {
        if (!pings.includes(step)) return;
        const got = ran[i];
        const where = `${name}/output.txt:${step.line}: ${step.command}`;
        expect({ where, stdout: maskPingTimes(got.stdout), stderr: got.stderr, status: got.status })
          .toEqual({ where, stdout: maskPingTimes(step.stdout), stderr: step.stderr, status: step.status });
      });
    });
  }
});

/** Sorts the lines of an `ip neigh` listing (the kernel's order is its random hash order). */
function neighSorted(command: string, text: string): string {
  return / neigh( show)?$/.test(command) ? text.split('\n').filter(Boolean).sort().join('\n') : text;
}

/** `cache expires NNNsec`: the seconds left depend on when the command ran. */
function maskExpires(text: string): string {
  return text.replace(/expires \d+sec/g, 'expires Nsec');
}

describe('fixtures/scenarios: every other command as recorded', () => {
  for (const name of scenarios) {
    it(name, async () => {
      const rec = parseFixture(new URL(`${name}/output.txt`, DIR).pathname);
      const ran = await runScript(name);
      rec.steps.forEach((step, i) => {
        if (/ ping /.test(` ${step.command} `)) return;
        const got = ran[i];
        const where = `${name}/output.txt:${step.line}: ${step.command}`;
        const norm = (t: string) => maskExpires(neighSorted(step.command, t));
        expect({ where, stdout: norm(got.stdout), stderr: got.stderr, status: got.status })
          .toEqual({ where, stdout: norm(step.stdout), stderr: step.stderr, status: step.status });
      });
    });
  }
});
