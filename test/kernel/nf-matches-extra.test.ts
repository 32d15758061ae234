// The statistic, recent, connmark, pkttype, length, ttl, tos, dscp, mac, helper, owner matches
// on the packet path (src/kernel/netfilter/xt-more.ts, xt-recent.ts): small scripts through
// openSession, then the rules' packet counters (iptables -L -v -n -x).
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';

/** a (10.0.0.1, MAC 02:00:00:00:00:0a) -- b (10.0.0.2, MAC 02:00:00:00:00:0b). */
const PAIR = `
ip netns add a
ip netns add b
ip -n a link add eth0 type veth peer name eth0 netns b
ip -n a link set eth0 address 02:00:00:00:00:0a
ip -n b link set eth0 address 02:00:00:00:00:0b
ip -n a addr add 10.0.0.1/24 dev eth0
ip -n b addr add 10.0.0.2/24 dev eth0
ip -n a link set eth0 up
ip -n b link set eth0 up
ip -n a link set lo up
ip -n b link set lo up
`;

interface Run {
  out: string;
  /** Packet counts of the rules of `chain` in `ns` (table `table`), in order. */
  counts(ns: string, chain: string, table?: string): Promise<number[]>;
  sh(script: string): Promise<string>;
}

async function run(script: string, seed = 1): Promise<Run> {
  const { session } = openSession({ seed });
  const sh = async (s: string) => {
    const r = await session.run(s);
    return r.stdout + r.stderr;
  };
  const out = await sh(PAIR + script);
  return {
    out,
    sh,
    async counts(ns, chain, table = 'filter') {
      const text = await sh(`ip netns exec ${ns} iptables -t ${table} -L ${chain} -v -n -x\n`);
      return text.split('\n').slice(2).filter((l) => l.trim() !== '').map((l) => Number(l.trim().split(/\s+/)[0]));
    },
  };
}

const received = (out: string) => Number(/(\d+) received/.exec(out)?.[1] ?? -1);

describe('-m statistic', () => {
  it('nth: every 3rd packet from the given one', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode nth --every 3 --packet 0
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode nth --every 3 --packet 2
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode nth ! --every 4 --packet 1
ip netns exec a ping -c 9 -i 0.2 10.0.0.2
`);
    expect(received(r.out)).toBe(9);
    expect(await r.counts('b', 'INPUT')).toEqual([3, 3, 7]);
  });

  it('nth: dropping every 3rd echo request starting with the first', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode nth --every 3 --packet 0 -j DROP
ip netns exec a ping -c 6 -i 0.2 -W 1 10.0.0.2
`);
    expect(received(r.out)).toBe(4);
    expect(r.out).toMatch(/icmp_seq=2 .*\n.*icmp_seq=3 .*\n.*icmp_seq=5 .*\n.*icmp_seq=6 /);
  });

  it('nth: the counter survives later commands (kept by rule handle)', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode nth --every 2 --packet 0
ip netns exec a ping -c 1 10.0.0.2
ip netns exec b iptables -A INPUT -p udp
ip netns exec a ping -c 1 10.0.0.2
ip netns exec a ping -c 1 10.0.0.2
`);
    expect(await r.counts('b', 'INPUT')).toEqual([2, 0]);
  });

  it('random: about the probability, and the same for the same seed', async () => {
    const script = `
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode random --probability 0.25
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode random ! --probability 0.25
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode random --probability 1
ip netns exec b iptables -A INPUT -p icmp -m statistic --mode random --probability 0
ip netns exec a ping -c 200 -i 0.01 -q 10.0.0.2
`;
    const one = await (await run(script, 5)).counts('b', 'INPUT');
    const two = await (await run(script, 5)).counts('b', 'INPUT');
    expect(one).toEqual(two);
    expect(one[0]).toBeGreaterThan(25);
    expect(one[0]).toBeLessThan(80);
    expect(one[1]).toBeGreaterThan(120);
    expect(one[2]).toBe(200);
    expect(one[3]).toBe(0);
  });
});

describe('-m recent', () => {
  it('a hit counter: the 4th packet within 60 s is dropped, later ones pass once the time is up', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m recent --name P --rcheck --seconds 60 --hitcount 3 -j DROP
ip netns exec b iptables -A INPUT -p icmp -m recent --name P --set
ip netns exec a ping -c 5 -i 0.2 -W 1 10.0.0.2
`);
    expect(received(r.out)).toBe(3);
    expect(await r.counts('b', 'INPUT')).toEqual([2, 3]);
    const proc = await r.sh('ip netns exec b cat /proc/net/xt_recent/P\n');
    expect(proc).toMatch(/^src=10\.0\.0\.1 ttl: 64 last_seen: \d+ oldest_pkt: 3, \d+, \d+, \d+\n$/);
    const later = await r.sh('sleep 61\nip netns exec a ping -c 1 -W 1 10.0.0.2\n');
    expect(received(later)).toBe(1);
  });

  it('--update refreshes, --remove forgets, --rdest and --mask pick the (masked) address', async () => {
    const r = await run(`
ip netns exec a iptables -A OUTPUT -p icmp -m recent --name D --rdest --mask 255.255.255.0 --set
ip netns exec a iptables -A OUTPUT -p icmp -m recent --name D --rdest --mask 255.255.255.0 --update --hitcount 2
ip netns exec a iptables -A OUTPUT -p icmp -m recent --name D --rdest --rcheck
ip netns exec a ping -c 2 -i 0.2 10.0.0.2
`);
    // 2nd packet: set stamps the entry again, update then sees 2 hits and stamps a third time;
    // the full-mask rcheck looks for 10.0.0.2, which is not there.
    expect(await r.counts('a', 'OUTPUT')).toEqual([2, 1, 0]);
    expect(await r.sh('ip netns exec a cat /proc/net/xt_recent/D\n')).toMatch(/^src=10\.0\.0\.0 ttl: 64 last_seen: \d+ oldest_pkt: 3, \d+, \d+, \d+\n$/);
    await r.sh(`
ip netns exec a iptables -I OUTPUT 3 -p icmp -m recent --name D --rdest --mask 255.255.255.0 --remove
ip netns exec a iptables -A OUTPUT -p icmp -m recent --name D --rdest --mask 255.255.255.0 ! --rcheck
ip netns exec a ping -c 1 10.0.0.2
`);
    expect(await r.counts('a', 'OUTPUT')).toEqual([3, 2, 1, 0, 1]);
    expect(await r.sh('ip netns exec a cat /proc/net/xt_recent/D\n')).toBe('');
    expect(await r.sh('ip netns exec a cat /proc/net/xt_recent/nope\n')).toMatch(/No such file/);
  });

  it('--rttl: a different TTL is another sender', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m recent --name T --rcheck --rttl
ip netns exec b iptables -A INPUT -p icmp -m recent --name T --set
ip netns exec a ping -c 1 10.0.0.2
ip netns exec a ping -c 1 -t 20 10.0.0.2
ip netns exec a ping -c 1 -t 20 10.0.0.2
`);
    // --set keeps the TTL of the last packet: the 3rd packet's matches the 2nd's.
    expect(await r.counts('b', 'INPUT')).toEqual([1, 3]);
  });
});

describe('-m connmark, -m helper', () => {
  it("matches the connection's mark; the match alone turns conntrack on", async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m connmark --mark 0
ip netns exec b iptables -A INPUT -p icmp -m connmark --mark 5
ip netns exec b iptables -A INPUT -p icmp -j CONNMARK --set-mark 5
ip netns exec b iptables -A INPUT -p icmp -m connmark --mark 0x4/0x4
ip netns exec b iptables -A INPUT -p icmp -m connmark ! --mark 5
ip netns exec b iptables -A INPUT -p icmp -m helper --helper ftp
ip netns exec b iptables -A INPUT -p icmp -m helper ! --helper ftp
ip netns exec a ping -c 3 -i 0.2 10.0.0.2
`);
    expect(await r.counts('b', 'INPUT')).toEqual([1, 2, 3, 3, 0, 0, 3]);
  });
});

describe('-m pkttype, length, ttl, tos, dscp', () => {
  it('reads the packet', async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -p icmp -m pkttype --pkt-type unicast
ip netns exec b iptables -A INPUT -p icmp -m pkttype --pkt-type broadcast
ip netns exec b iptables -A INPUT -p icmp -m length --length 128
ip netns exec b iptables -A INPUT -p icmp -m length ! --length 0:127
ip netns exec b iptables -A INPUT -p icmp -m length --length 129:
ip netns exec b iptables -A INPUT -p icmp -m ttl --ttl-eq 64
ip netns exec b iptables -A INPUT -p icmp -m ttl --ttl-lt 64
ip netns exec b iptables -A INPUT -p icmp -m ttl ! --ttl-eq 64
ip netns exec b iptables -A INPUT -p icmp -m tos --tos Minimize-Delay
ip netns exec b iptables -A INPUT -p icmp -m tos ! --tos 0xb8/0xfc
ip netns exec b iptables -A INPUT -p icmp -m dscp --dscp-class EF
ip netns exec b iptables -A INPUT -p icmp -m dscp --dscp 4
ip netns exec a iptables -A OUTPUT -p icmp -m pkttype --pkt-type unicast
ip netns exec a ping -c 2 -i 0.2 -s 100 10.0.0.2
ip netns exec a ping -c 1 -Q 0xb8 -t 9 10.0.0.2
ip netns exec a ping -c 1 -Q 0x10 -t 9 10.0.0.2
`);
    expect(await r.counts('b', 'INPUT')).toEqual([4, 0, 2, 2, 0, 2, 2, 2, 1, 3, 1, 1]);
    expect(await r.counts('a', 'OUTPUT')).toEqual([4]);
  });

  it('pkttype of a broadcast ping', async () => {
    const r = await run(`
ip netns exec b sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
ip netns exec b iptables -A INPUT -p icmp -m pkttype --pkt-type broadcast
ip netns exec b iptables -A INPUT -p icmp -m pkttype --pkt-type unicast
ip netns exec a ping -b -c 2 -i 0.2 10.0.0.255
`);
    expect(await r.counts('b', 'INPUT')).toEqual([2, 0]);
  });
});

describe('-m mac, -m owner', () => {
  it("mac: the frame's Ethernet source; owner: packets without a socket", async () => {
    const r = await run(`
ip netns exec b iptables -A INPUT -m mac --mac-source 02:00:00:00:00:0a
ip netns exec b iptables -A INPUT -m mac --mac-source 02:00:00:00:00:0b
ip netns exec b iptables -A INPUT -m mac ! --mac-source 02:00:00:00:00:0b
ip netns exec b iptables -t mangle -A PREROUTING -m mac --mac-source 02:00:00:00:00:0A
ip netns exec a iptables -A OUTPUT -p icmp -m owner --uid-owner 0
ip netns exec a iptables -A OUTPUT -p icmp -m owner ! --uid-owner 0
ip netns exec a iptables -A OUTPUT -p icmp -m owner --socket-exists
ip netns exec a iptables -A OUTPUT -p icmp -m owner ! --socket-exists
ip netns exec a iptables -A OUTPUT -p icmp -m owner ! --uid-owner 0 --gid-owner 0
ip netns exec a ping -c 2 -i 0.2 10.0.0.2
ip netns exec a iptables -A INPUT -i lo -m mac ! --mac-source 02:00:00:00:00:0b
ip netns exec a ping -c 1 127.0.0.1
`);
    expect(await r.counts('b', 'INPUT')).toEqual([2, 0, 2]);
    expect(await r.counts('b', 'PREROUTING', 'mangle')).toEqual([2]);
    // The loopback ping's request and reply leave through OUTPUT too.
    expect(await r.counts('a', 'OUTPUT')).toEqual([0, 4, 0, 4, 0]);
    // Loopback is not Ethernet: no match, inverted or not.
    expect(await r.counts('a', 'INPUT')).toEqual([0]);
  });
});
