// `conntrack` (src/cli/conntrack/) and the conntrack /proc files, replayed against the real
// tools' sessions in fixtures/conntrack/*.txt (recorded by fixtures/conntrack/record.sh on a
// real kernel). Every command, setup included, runs through nslab's shell in one session, so
// the iptables rules, pings and nc of the fixture make the kernel side build the entries.
// The `# volatile:` headers name what may differ: timeouts, connection ids, entry order.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import { IPS_ASSURED, IPS_SEEN_REPLY, ctTableOf, jiffiesOf } from '../../src/kernel/netfilter/conntrack.ts';
import { parseFixture, type FixtureCase } from './fixture-replay.ts';

const DIR = join(import.meta.dirname, '../../fixtures/conntrack');

/** Cases that cannot pass yet, with the reason (it.skip). */
const PENDING: Record<string, string> = {
  tcp: 'nslab has no TCP yet (nc without -u); the fixture also shows the kernel killing an unassured connection on a reset reply',
};

function masker(c: FixtureCase): (text: string) => string {
  const v = c.volatile.join(' ');
  const tmo = v.includes('timeouts');
  const ids = v.includes('connection ids');
  const order = v.includes('entry order');
  return (text: string) => {
    let t = text;
    if (tmo) {
      t = t.replace(/^((?:ipv4 {5}2 )?[a-z0-9]+ +\d+ )\d+ /gm, '$1<t> ')
        .replace(/<timeout>\d+<\/timeout>/g, '<timeout><t></timeout>')
        .replace(/^(-[AD] -t )\d+/gm, '$1<t>');
    }
    if (ids) t = t.replace(/( use=\d+) id=\d+$/gm, '$1 id=<id>').replace(/<id>\d+<\/id>/g, '<id><id></id>');
    if (order) {
      const lines = t.split('\n');
      const last = lines.pop();
      t = [...lines.sort(), last].join('\n');
    }
    return t;
  };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('conntrack fixtures', () => {
  for (const f of files) {
    const c = parseFixture(join(DIR, f));
    const name = f.replace(/\.txt$/, '');
    const pending = PENDING[name];
    (pending ? it.skip : it)(`${name}: ${c.description}${pending ? ` (pending: ${pending})` : ''}`, async () => {
      const { session } = openSession({ seed: 7 });
      const mask = masker(c);
      for (const step of c.steps) {
        const r = await session.run(step.command);
        const where = `${f}:${step.line} $ ${step.command}`;
        expect({ where, stdout: mask(r.stdout) }).toEqual({ where, stdout: mask(step.stdout) });
        expect({ where, stderr: mask(r.stderr) }).toEqual({ where, stderr: mask(step.stderr) });
        expect({ where, status: r.status }).toEqual({ where, status: step.status });
      }
    });
  }
});

describe('conntrack in nslab', () => {
  it('timeouts count down in virtual time and entries expire (icmp 30 s)', async () => {
    const { session } = openSession({ seed: 1 });
    for (const cmd of [
      'ip netns add a', 'ip netns add b',
      'ip -n a link add veth0 type veth peer name veth0 netns b',
      'ip -n a addr add 10.0.0.1/24 dev veth0', 'ip -n b addr add 10.0.0.2/24 dev veth0',
      'ip -n a link set veth0 up', 'ip -n b link set veth0 up',
      'ip netns exec a iptables -A OUTPUT -m conntrack --ctstate NEW',
      'ip netns exec a ping -c 1 -W 1 -e 9 10.0.0.2 >/dev/null',
    ]) expect((await session.run(cmd)).status).toBe(0);
    const first = await session.run('ip netns exec a conntrack -L');
    expect(first.stdout).toMatch(/^icmp {5}1 (29|30) src=10\.0\.0\.1 dst=10\.0\.0\.2 type=8 code=0 id=9 src=10\.0\.0\.2 dst=10\.0\.0\.1 type=0 code=0 id=9 mark=0 use=1\n$/);
    await session.run('sleep 10');
    expect((await session.run('ip netns exec a conntrack -L')).stdout).toMatch(/^icmp {5}1 (19|20) /);
    expect((await session.run('ip netns exec a sysctl net.netfilter.nf_conntrack_count')).stdout).toBe('net.netfilter.nf_conntrack_count = 1\n');
    await session.run('sleep 21');
    const gone = await session.run('ip netns exec a conntrack -L');
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toBe('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n');
    expect((await session.run('ip netns exec a cat /proc/sys/net/netfilter/nf_conntrack_count')).stdout).toBe('0\n');
  });

  it('-E waits until killed, then reports 0 events', async () => {
    const { session } = openSession({ seed: 1 });
    await session.run('ip netns add a');
    const r = await session.run('timeout 2 ip netns exec a conntrack -E');
    expect(r).toEqual({ status: 124, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow events have been shown.\n' });
  });

  it('TCP entries: state column, [ASSURED], XML <state>, /proc (libnetfilter_conntrack and ct_seq_show formats)', async () => {
    const { world, session } = openSession({ seed: 1 });
    await session.run('ip netns add a');
    const ns = world.netns.get('a')!;
    const tab = ctTableOf(ns);
    const nowJ = jiffiesOf(world.now());
    const c = tab.create(6);
    tab.setTuple(c.id * 2, 0x0a000001, 0x0a000002, 4001, 5001, 6);
    tab.setTuple(c.id * 2 + 1, 0x0a000002, 0x0a000001, 5001, 4001, 6);
    c.tcpState = 3;
    c.timeout = nowJ + 432000 * 250;
    tab.confirm(c, nowJ);
    c.status |= IPS_SEEN_REPLY | IPS_ASSURED;
    c.mark = 7;
    const tuple = 'src=10.0.0.1 dst=10.0.0.2 sport=4001 dport=5001 src=10.0.0.2 dst=10.0.0.1 sport=5001 dport=4001';
    expect((await session.run('ip netns exec a conntrack -L')).stdout).toBe(`tcp      6 432000 ESTABLISHED ${tuple} [ASSURED] mark=7 use=1\n`);
    expect((await session.run('ip netns exec a conntrack -L -p tcp --state ESTABLISHED -o extended')).stdout).toBe(`ipv4     2 tcp      6 432000 ESTABLISHED ${tuple} [ASSURED] mark=7 use=1\n`);
    expect((await session.run('ip netns exec a conntrack -L -p tcp --state SYN_SENT')).stdout).toBe('');
    expect((await session.run('ip netns exec a cat /proc/net/nf_conntrack')).stdout).toBe(`ipv4     2 tcp      6 432000 ESTABLISHED ${tuple} [ASSURED] mark=7 zone=0 use=2\n`);
    expect((await session.run('ip netns exec a conntrack -L -o xml')).stdout).toContain('<layer4 protonum="6" protoname="tcp"><sport>5001</sport><dport>4001</dport></layer4></meta>'
      + '<meta direction="independent"><state>ESTABLISHED</state><timeout>432000</timeout><mark>7</mark><use>1</use>');
    expect((await session.run('ip netns exec a conntrack -L -o save')).stdout).toBe(
      '-A -t 432000 -u SEEN_REPLY,ASSURED -s 10.0.0.1 -d 10.0.0.2 -r 10.0.0.2 -q 10.0.0.1 -p tcp --sport 4001 --dport 5001 --reply-port-src 5001 --reply-port-dst 4001 --state ESTABLISHED\n');
    expect((await session.run('ip netns exec a conntrack -L -m 3/0x3')).stdout).toContain('mark=7');
    expect((await session.run('ip netns exec a conntrack -L -m 7/0x3')).stdout).toBe('');
    expect((await session.run('ip netns exec a conntrack -S')).stdout.split('\n')[0]).toMatch(/^cpu=0   \tfound=0 /);
  });
});
