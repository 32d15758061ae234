// Runs of single-address rules are looked up in a hash table (compile.ts indexRuns): the first
// rule with the packet's address must be the one that counts and decides, as in a linear walk,
// with duplicates, a mid-run entry (RETURN from a user chain into the run) and mixed targets.
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';

const SETUP = `
ip netns add a
ip netns add b
ip -n a link add v0 type veth peer name v0 netns b
ip -n a addr add 10.9.0.1/24 dev v0
ip -n b addr add 10.9.0.2/24 dev v0
ip -n a addr add 10.9.0.77/24 dev v0
ip -n a link set v0 up
ip -n b link set v0 up
`;

async function run(rules: string, pings: string): Promise<string> {
  const { session } = openSession({ seed: 3 });
  const r = await session.run(`${SETUP}ip netns exec b iptables-restore <<'EOF'\n*filter\n:INPUT ACCEPT [0:0]\n:CHK - [0:0]\n${rules}COMMIT\nEOF\n${pings}\nip netns exec b iptables-save -c\n`);
  return r.stdout;
}

function blocklist(n: number, hit: number, target: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `-A INPUT -s 10.8.${i >> 8}.${i & 255}/32 -j DROP\n`;
  s += `-A INPUT -s 10.9.0.${hit}/32 -j ${target}\n`;
  for (let i = 0; i < n; i++) s += `-A INPUT -s 10.7.0.${i}/32 -j DROP\n`;
  s += `-A INPUT -s 10.9.0.${hit}/32 -j DROP\n`;
  return s;
}

describe('address runs', () => {
  it('the first rule with the address counts and decides; later duplicates are not reached', async () => {
    const out = await run(blocklist(40, 1, 'ACCEPT'), 'ip netns exec a ping -c 2 -I 10.9.0.1 10.9.0.2');
    const lines = out.split('\n');
    expect(lines).toContain('[2:168] -A INPUT -s 10.9.0.1/32 -j ACCEPT');
    expect(lines).toContain('[0:0] -A INPUT -s 10.9.0.1/32 -j DROP');
    expect(lines.filter((l) => l.startsWith('[0:0] -A INPUT -s 10.8.')).length).toBe(40);
    expect(lines).toContain(':INPUT ACCEPT [0:0]');
  });

  it('an address in no rule of the run goes on to the policy', async () => {
    const out = await run(blocklist(40, 1, 'ACCEPT'), 'ip netns exec a ping -c 1 -I 10.9.0.77 10.9.0.2');
    expect(out).toContain(':INPUT ACCEPT [1:84]');
    expect(out).toContain('[0:0] -A INPUT -s 10.9.0.1/32 -j ACCEPT');
  });

  it('a RETURN into the middle of a run walks the rest of it', async () => {
    let rules = '-A INPUT -s 10.6.0.1/32 -j DROP\n-A INPUT -j CHK\n';
    for (let i = 0; i < 20; i++) rules += `-A INPUT -s 10.6.1.${i}/32 -j DROP\n`;
    rules += '-A INPUT -s 10.9.0.1/32 -j ACCEPT\n-A CHK -s 10.9.0.1/32 -j RETURN\n';
    const out = await run(rules, 'ip netns exec a ping -c 1 -I 10.9.0.1 10.9.0.2');
    expect(out).toContain('[1:84] -A INPUT -j CHK');
    expect(out).toContain('[1:84] -A CHK -s 10.9.0.1/32 -j RETURN');
    expect(out).toContain('[1:84] -A INPUT -s 10.9.0.1/32 -j ACCEPT');
  });
});
