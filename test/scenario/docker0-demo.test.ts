// The `npm start` demo (fixtures/scripts/docker0.sh): every ping gets its replies across docker0,
// which learns one MAC behind each port.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';

it('fixtures/scripts/docker0.sh: pings through docker0 all answered, one MAC learnt per port', async () => {
  const script = readFileSync(new URL('../../fixtures/scripts/docker0.sh', import.meta.url), 'utf8');
  const r = await runScenario(script, { file: 'docker0.sh' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.match(/ 0% packet loss/g)).toHaveLength(5);
  const learnt = r.stdout.split('\n').filter((l) => /^\S+ dev veth\d master docker0 $/.test(l));
  expect(learnt.map((l) => l.split(' ')[2])).toEqual(['veth1', 'veth2', 'veth3']);
});
