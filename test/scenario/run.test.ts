// `nslab run` end to end: scripts of real commands through the shell interpreter, the emulated
// tools and the kernel model, compared with what the real tools printed for the same session.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSession, runScenario } from '../../src/scenario/run.ts';
import { parseFixture } from '../cli/fixture-replay.ts';

const WALKTHROUGH = new URL('../../fixtures/scripts/walkthrough.sh', import.meta.url);

describe('nslab run', () => {
  it('runs a recorded ip session as one script and prints what the real tools printed', async () => {
    // fixtures/ip/addr-basic.txt: every command, joined into a script, run through the shell.
    const c = parseFixture(new URL('../../fixtures/ip/addr-basic.txt', import.meta.url).pathname);
    const script = c.steps.map((s) => s.command).join('\n') + '\n';
    const r = await runScenario(script, { file: 'addr-basic.sh' });
    expect(r.stdout).toBe(c.steps.map((s) => s.stdout).join(''));
    expect(r.stderr).toBe(c.steps.map((s) => s.stderr).join(''));
    expect(r.status).toBe(c.steps[c.steps.length - 1].status);
  });

  it('runs the bundled walk-through: the peer index and the local and main routes', async () => {
    const r = await runScenario(readFileSync(WALKTHROUGH, 'utf8'), { file: 'walkthrough.sh' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('NIC statistics:\n     peer_ifindex: 3\n');
    expect(r.stdout).toContain(
      'local 10.1.1.1 dev veth0 proto kernel scope host src 10.1.1.1 \n' +
      '10.1.1.0/24 dev veth0 proto kernel scope link src 10.1.1.1 \n',
    );
    expect(r.stdout).toMatch(/2: veth1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    link\/ether ([0-9a-f]{2}:){5}[0-9a-f]{2} brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet 10.1.1.2\/24 scope global veth1\n/);
  });

  it('gives the same output for the same seed and other MACs for another seed', async () => {
    const src = readFileSync(WALKTHROUGH, 'utf8');
    const a = await runScenario(src, { seed: 7 });
    const b = await runScenario(src, { seed: 7 });
    const c = await runScenario(src, { seed: 8 });
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    const macs = (s: string) => s.match(/link\/ether (\S+)/g);
    expect(macs(c.stdout)).not.toEqual(macs(a.stdout));
  });

  it('streams output as it happens and keeps going after a failing command', async () => {
    const seen: string[] = [];
    const r = await runScenario('ip link set dev nosuch up\necho "status $?"\nip netns add a && ip netns list\n', {
      onOutput: (stream, text) => seen.push(`${stream}:${text}`),
    });
    expect(seen).toEqual(['stderr:Cannot find device "nosuch"\n', 'stdout:status 1\n', 'stdout:a\n']);
    expect(r.status).toBe(0);
  });

  it('runs ip netns exec with shell commands and pipes into real programs', async () => {
    const r = await runScenario('ip netns add a\nip netns exec a sh -c "ip -o link | cut -d: -f2"\nip -n a -j link | grep -c loopback\n');
    expect(r.stdout).toBe(' lo\n1\n');
    expect(r.status).toBe(0);
  });

  it('keeps state between lines of an interactive session', async () => {
    const { session, world } = openSession({ seed: 3 });
    expect((await session.run('ip netns add x')).status).toBe(0);
    const r = await session.run('ip netns list; X=ok; echo $X');
    expect(r.stdout).toBe('x\nok\n');
    expect(world.netns.has('x')).toBe(true);
    await session.close();
  });
});
