// `conntrack -E` (src/cli/conntrack/index.ts) and the conntrack table's events
// (src/kernel/netfilter/conntrack.ts), replayed against the real tool's sessions in
// fixtures/conntrack/events/*.txt (recorded by fixtures/conntrack/events/record.sh on a real
// kernel). Each recorded line runs `conntrack -E` as a background job while the rest of the
// line makes traffic, then kills it; every line runs through nslab's shell in one session.
// The `# volatile:` headers name what may differ, and only that is masked.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import { ctTableOf, jiffiesOf } from '../../src/kernel/netfilter/conntrack.ts';
import { parseFixture, type FixtureCase } from './fixture-replay.ts';

const DIR = join(import.meta.dirname, '../../fixtures/conntrack/events');

function masker(c: FixtureCase): (text: string) => string {
  const v = c.volatile.join(' ');
  const ts = v.includes('timestamps');
  const ids = v.includes('connection ids');
  const portid = v.includes('[USERSPACE]');
  const destroyTmo = v.includes('timeouts of DESTROY');
  const tmo = v.includes('listed timeouts');
  const order = v.includes('event order');
  return (text: string) => {
    let t = text;
    if (ts) t = t.replace(/^\[\d+\.\d{6}\]\t/gm, '[<ts>]\t');
    // Connection ids are 32-bit random numbers; ICMP ids (at most 65535) stay compared.
    if (ids) t = t.replace(/ id=\d{6,}\b/g, ' id=<id>').replace(/<id>\d+<\/id>/g, '<id><id></id>');
    if (portid) t = t.replace(/ \[USERSPACE\] portid=\d+( progname=\S+)?$/gm, ' [USERSPACE] portid=<portid>');
    if (destroyTmo) {
      t = t.replace(/^(\[DESTROY\] (?:ipv4 {5}2 )?[a-z0-9]+ +\d+ )(?:\d+ )?/gm, '$1<t> ')
        .replace(/^-D (?:-t \d+ )?/gm, '-D -t <t> ')
        .replace(/^(<flow type="destroy">.*?<meta direction="independent">)(?:<timeout>\d+<\/timeout>)?/gm, '$1<timeout><t></timeout>');
    }
    if (tmo) t = t.replace(/^([a-z0-9]+ +\d+ )\d+ /gm, '$1<t> ');
    if (order) {
      // Only a batch of DESTROY events (a flush) may come in another order.
      const lines = t.split('\n');
      const last = lines.pop();
      if (lines.length > 1 && lines.every((l) => l.startsWith('[DESTROY]'))) t = [...lines.sort(), last].join('\n');
    }
    return t;
  };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('conntrack -E fixtures', () => {
  for (const f of files) {
    const c = parseFixture(join(DIR, f));
    it(`${f.replace(/\.txt$/, '')}: ${c.description}`, async () => {
      const { session } = openSession({ seed: 7 });
      const mask = masker(c);
      for (const step of c.steps) {
        const r = await session.run(step.command);
        const where = `${f}:${step.line} $ ${step.command}`;
        expect({ where, stdout: mask(r.stdout) }).toEqual({ where, stdout: mask(step.stdout) });
        expect({ where, stderr: mask(r.stderr) }).toEqual({ where, stderr: mask(step.stderr) });
        expect({ where, status: r.status }).toEqual({ where, status: step.status });
      }
    }, 30_000);
  }
});

describe('conntrack events in nslab', () => {
  const SETUP = [
    'ip netns add a', 'ip netns add b',
    'ip -n a link add veth0 type veth peer name veth0 netns b',
    'ip -n a addr add 10.0.0.1/24 dev veth0', 'ip -n b addr add 10.0.0.2/24 dev veth0',
    'ip -n a link set veth0 up', 'ip -n b link set veth0 up',
    'ip netns exec a iptables -A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED',
  ];

  it('caches nothing on connections while no one listens', async () => {
    const { session, world } = openSession({ seed: 3 });
    for (const cmd of SETUP) expect((await session.run(cmd)).status).toBe(0);
    await session.run('ip netns exec a ping -c 2 -W 1 -e 5 10.0.0.2 >/dev/null');
    const tab = ctTableOf(world.netns.get('a')!);
    const conns = tab.dump(jiffiesOf(world.now()));
    expect(conns.length).toBe(1);
    expect(conns[0]!.events).toBe(0);
    expect(tab.listeners.length).toBe(0);
  });

  it('reports an expired entry when the gc timer reaps it, just under a minute after the listener came', async () => {
    const { session } = openSession({ seed: 3 });
    for (const cmd of SETUP) expect((await session.run(cmd)).status).toBe(0);
    const r = await session.run('ip netns exec a conntrack -E -o timestamp & sleep 1; ip netns exec a ping -c 1 -W 1 -e 6 10.0.0.2 >/dev/null; sleep 70; kill %1; wait %1');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\[[\d.]+\]\t/, '').slice(0, 14))).toEqual(['    [NEW] icmp', ' [UPDATE] icmp', '[DESTROY] icmp']);
    expect(lines[2]).toMatch(/^\[[\d.]+\]\t\[DESTROY\] icmp {5}1 src=/);
    const t = lines.map((l) => Number(/^\[([\d.]+)\]/.exec(l)![1]));
    // No timeout left and not before the gc run: 30 s after the ping, the gc ran at about 59 s.
    expect(t[2]! - t[0]!).toBeGreaterThan(50);
    expect(t[2]! - t[0]!).toBeLessThan(60);
    expect(r.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 3 flow events have been shown.\n');
  });
});
