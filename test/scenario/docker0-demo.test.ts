// The `npm start` demo (fixtures/scripts/docker0.sh): every ping gets its replies across docker0,
// which learns one MAC behind each port; a container reaches the outside namespace masqueraded,
// and a datagram to the published port reaches the container.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';

it('fixtures/scripts/docker0.sh: pings answered, one MAC learnt per port, MASQUERADE and DNAT at work', async () => {
  const script = readFileSync(new URL('../../fixtures/scripts/docker0.sh', import.meta.url), 'utf8');
  const r = await runScenario(script, { file: 'docker0.sh' });
  expect(r.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.\n');
  expect(r.status).toBe(0);
  expect(r.stdout.match(/ 0% packet loss/g)).toHaveLength(6);
  const learnt = r.stdout.split('\n').filter((l) => /^\S+ dev veth\d master docker0 $/.test(l));
  expect(learnt.map((l) => l.split(' ')[2])).toEqual(['veth1', 'veth2', 'veth3']);
  expect(r.stdout).toContain('\nhello\n');
  expect(r.stdout).toMatch(/\n {4}1 {4}34 DNAT {7}17 {3}-- {2}\* {6}\* {7}0\.0\.0\.0\/0 {12}192\.168\.100\.1 {8}udp dpt:8080 to:172\.17\.0\.2:80\n/);
  expect(r.stdout).toMatch(/\nicmp {5}1 29 src=172\.17\.0\.2 dst=192\.168\.100\.2 type=8 code=0 id=(\d+) src=192\.168\.100\.2 dst=192\.168\.100\.1 type=0 code=0 id=\1 mark=0 use=1\n/);
  expect(r.stdout).toMatch(/\nudp {6}17 29 src=192\.168\.100\.2 dst=192\.168\.100\.1 sport=(\d+) dport=8080 \[UNREPLIED\] src=172\.17\.0\.2 dst=192\.168\.100\.2 sport=80 dport=\1 mark=0 use=1\n/);
});
