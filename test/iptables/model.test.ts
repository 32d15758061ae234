// The netfilter model: what a command compiles to, chain references, counters, the kernel's
// checks and batch atomicity.
import { describe, expect, it } from 'vitest';
import { World } from '../../src/kernel/world.ts';
import {
  Batch, EINVAL, EMLINK, ENOENT, EOPNOTSUPP, IPT_INV_SRCIP, IPT_INV_VIA_OUT, NetfilterError, NetfilterState,
  XT_CONNTRACK_STATE, XT_CONNTRACK_STATE_ALIAS, CT_STATE_ESTABLISHED, CT_STATE_RELATED, appendRule, deleteChains,
  flushChains, netfilterOf, newChain, renameChain, zeroChains, type Rule,
} from '../../src/kernel/netfilter/index.ts';
import { compileRules, runCommand } from '../../src/cli/iptables/command.ts';
import { parseCommand } from '../../src/cli/iptables/parse.ts';

function compile(args: string): Rule[] {
  const p = parseCommand(['iptables', ...args.split(' ')], { restore: false, warn: () => {} });
  if (!p) throw new Error('ignored');
  return compileRules(p);
}

function run(state: NetfilterState, args: string): Batch {
  const p = parseCommand(['iptables', ...args.split(' ')], { restore: false, warn: () => {} });
  if (!p) throw new Error('ignored');
  const batch = new Batch();
  runCommand(state, p, { out: () => {} }, batch);
  return batch;
}

describe('compiled rules', () => {
  it('addresses are masked uint32s, interfaces name + wildcard, protocol a number', () => {
    const [r] = compile('-A FORWARD ! -s 10.1.2.3/255.255.0.0 -d 192.168.7.9 -i veth+ ! -o eth0 -p udp -j ACCEPT');
    expect(r.src).toBe(0x0a010000);
    expect(r.smsk).toBe(0xffff0000);
    expect(r.dst).toBe(0xc0a80709);
    expect(r.dmsk).toBe(0xffffffff);
    expect(r.iniface).toEqual({ name: 'veth', wildcard: true });
    expect(r.outiface).toEqual({ name: 'eth0', wildcard: false });
    expect(r.invflags).toBe(IPT_INV_SRCIP | IPT_INV_VIA_OUT);
    expect(r.proto).toBe(17);
    expect(r.target).toEqual({ kind: 'verdict', verdict: 'ACCEPT' });
  });

  it('comma lists give one rule per source and destination', () => {
    const rules = compile('-A INPUT -s 10.0.0.1,10.0.0.2 -d 10.9.0.0/16,10.8.0.0/16 -j DROP');
    expect(rules.map((r) => [r.src, r.dst])).toEqual([
      [0x0a000001, 0x0a090000], [0x0a000001, 0x0a080000], [0x0a000002, 0x0a090000], [0x0a000002, 0x0a080000],
    ]);
  });

  it('ports are inclusive ranges, service names resolved', () => {
    const [r] = compile('-A INPUT -p tcp --sport 1024: ! --dport ssh --syn -j ACCEPT');
    expect(r.matches[0]).toEqual({ kind: 'tcp', spts: [1024, 65535], dpts: [22, 22], option: 0, flgMask: 0x17, flgCmp: 0x02, invflags: 0x02 });
    const [m] = compile('-A INPUT -p tcp -m multiport --dports 80,8000:8080 -j ACCEPT')[0].matches;
    expect(m).toEqual({ kind: 'multiport', flags: 1, ports: [[80, 80], [8000, 8080]], invert: false });
  });

  it('state is conntrack with the alias flag; NAT and marks keep their numbers', () => {
    const [r] = compile('-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT');
    expect(r.matches[0]).toMatchObject({ kind: 'conntrack', matchFlags: XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS, stateMask: CT_STATE_ESTABLISHED | CT_STATE_RELATED });
    const [n] = compile('-t nat -A PREROUTING -p tcp -j DNAT --to-destination 172.17.0.2:80');
    expect(n.target).toEqual({ kind: 'DNAT', flags: 3, minAddr: 0xac110002, maxAddr: 0xac110002, minPort: 80, maxPort: 80, basePort: 0 });
    const [k] = compile('-t mangle -A PREROUTING -j MARK --set-mark 0x10/0xf0');
    expect(k.target).toEqual({ kind: 'MARK', mark: 0x10, mask: 0xf0 });
  });

  it('-c sets the counters; `-i +` alone is no interface test', () => {
    const [r] = compile('-A INPUT -c 7 700 -i + -j ACCEPT');
    expect([r.pkts, r.bytes]).toEqual([7, 700]);
    expect(r.iniface).toEqual({ name: '', wildcard: false });
  });
});

describe('tables, chains, references', () => {
  it('counts the rules that jump or go to a user chain, through rename, delete and flush', () => {
    const first = new NetfilterState();
    run(first, '-N web');
    const fresh = new Batch();
    renameChain(first.table('filter'), 'web', 'www', fresh);
    expect(fresh.faults.map((f) => [f.msg, f.errno])).toEqual([['CHAIN_RENAME', ENOENT]]);
    const s = first.clone();
    const t = s.table('filter');
    run(s, '-A INPUT -j web');
    run(s, '-A FORWARD -g web');
    expect(t.userChain('web')?.refs).toBe(2);
    renameChain(t, 'web', 'www', new Batch());
    expect(t.userChain('www')?.refs).toBe(2);
    expect(t.chain('INPUT')?.rules[0].target).toEqual({ kind: 'jump', chain: 'www', goto: false });
    run(s, '-D INPUT -j www');
    expect(t.userChain('www')?.refs).toBe(1);
    flushChains(t, 'FORWARD', false);
    expect(t.userChain('www')?.refs).toBe(0);
    expect(deleteChains(t, 'www', new Batch(), 'created')).toEqual(['www']);
    expect(t.userChain('www')).toBeUndefined();
  });

  it('a referenced or non-empty chain is refused by the kernel (EBUSY), an absent one by iptables', () => {
    const s = new NetfilterState();
    const t = s.table('filter');
    newChain(t, 'a');
    run(s, '-A INPUT -j a');
    const b = new Batch();
    deleteChains(t, 'a', b, 'created');
    expect(b.faults).toEqual([{ msg: 'CHAIN_DEL', errno: 16, object: 'chain a', tag: 0 }]);
    expect(() => deleteChains(t, 'nosuch', new Batch(), 'created')).toThrow(NetfilterError);
  });

  it('built-in chains exist only once something needs them', () => {
    const s = new NetfilterState();
    const t = s.table('nat');
    expect(t.exists).toBe(false);
    run(s, '-t nat -A POSTROUTING -j MASQUERADE');
    expect(t.exists).toBe(true);
    expect([...t.base.keys()]).toEqual(['POSTROUTING']);
    expect(t.listing().map((c) => c.name)).toEqual(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
  });

  it('gives each rule a handle that later commands (working on copies) keep', () => {
    let s = new NetfilterState();
    run(s, '-A INPUT -j ACCEPT');
    run(s, '-A INPUT -j DROP');
    s = s.clone();
    run(s, '-I INPUT -j RETURN');
    expect(s.table('filter').chain('INPUT')?.rules.map((r) => r.handle)).toEqual([3, 1, 2]);
  });

  it('zeroes rule and policy counters', () => {
    const s = new NetfilterState();
    run(s, '-A INPUT -c 5 500 -j ACCEPT');
    const input = s.table('filter').chain('INPUT');
    if (!input) throw new Error('no INPUT');
    input.pkts = 9;
    expect(input.rules[0].pkts).toBe(5);
    zeroChains(s.table('filter'), undefined);
    expect([input.pkts, input.rules[0].pkts, input.rules[0].bytes]).toEqual([0, 0, 0]);
  });
});

describe('kernel checks', () => {
  it('loops reachable from a base chain are EMLINK; unreachable ones are accepted', () => {
    const s = new NetfilterState();
    run(s, '-N a');
    run(s, '-N b');
    run(s, '-A a -j b');
    expect(run(s, '-A b -j a').faults).toEqual([]);
    const b = run(s, '-A INPUT -j a');
    expect(b.faults.map((f) => f.errno)).toEqual([EMLINK]);
    expect(s.table('filter').chain('INPUT')?.rules).toEqual([]);
  });

  it('targets outside their table or hook are EINVAL, jumps to built-in chains EOPNOTSUPP or ENOENT', () => {
    const s = new NetfilterState();
    expect(run(s, '-A INPUT -p tcp -j DNAT --to-destination 10.0.0.1').faults[0].errno).toBe(EINVAL);
    expect(run(s, '-t nat -A PREROUTING -j MASQUERADE').faults[0].errno).toBe(EINVAL);
    expect(run(s, '-t nat -A POSTROUTING -j MASQUERADE').faults).toEqual([]);
    run(s, '-N x');
    expect(run(s, '-A x -j OUTPUT').faults[0].errno).toBe(ENOENT);
    run(s, '-P OUTPUT ACCEPT');
    expect(run(s, '-A x -j OUTPUT').faults[0].errno).toBe(EOPNOTSUPP);
  });

  it('appendRule refuses a chain that does not exist', () => {
    const s = new NetfilterState();
    expect(() => appendRule(s.table('filter'), 'nope', compile('-A INPUT -j ACCEPT')[0], new Batch())).toThrow(NetfilterError);
  });
});

describe('netfilterOf', () => {
  it('keeps one state per namespace', () => {
    const world = new World({ seed: 1 });
    const a = world.addNetns('a');
    const b = world.addNetns('b');
    expect(netfilterOf(a)).toBe(netfilterOf(a));
    expect(netfilterOf(a)).not.toBe(netfilterOf(b));
  });
});
