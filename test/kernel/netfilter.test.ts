// Netfilter's stateless packet path: the iptables hooks in the receive, forward and output
// paths, rule evaluation, targets, counters, and REJECT's bytes against the kernel's recordings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import { parseCapture } from '../../src/pcap/index.ts';
import { hex } from '../../src/wire/index.ts';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';

const ROUTER = `
ip netns add h1
ip netns add r
ip netns add h2
ip -n h1 link set lo up
ip -n r link set lo up
ip -n h2 link set lo up
ip -n h1 link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns r
ip -n h2 link add veth0 address 02:00:00:00:02:01 type veth peer name veth2 address 02:00:00:00:02:02 netns r
ip -n h1 addr add 10.1.0.2/24 dev veth0
ip -n r addr add 10.1.0.1/24 dev veth1
ip -n r addr add 10.2.0.1/24 dev veth2
ip -n h2 addr add 10.2.0.2/24 dev veth0
ip -n h1 link set veth0 up
ip -n r link set veth1 up
ip -n r link set veth2 up
ip -n h2 link set veth0 up
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip -n h1 route add default via 10.1.0.1
ip -n h2 route add default via 10.2.0.1
`;

async function router(rules: string) {
  const { world, session } = openSession({ seed: 1 });
  const r0 = await session.run(ROUTER + rules);
  expect(r0.stderr).toBe('');
  const h1 = world.netns.get('h1')!;
  const frames: Uint8Array[] = [];
  h1.device('veth0')!.taps.push((f) => frames.push(f.slice()));
  const run = async (cmd: string) => (await session.run(cmd)).stdout;
  return { world, session, h1, frames, run };
}

/** The IPv4 packets of a recorded capture (Ethernet frames). */
function recorded(name: string): Uint8Array[] {
  const cap = parseCapture(readFileSync(new URL(`../../fixtures/decode/${name}.pcap`, import.meta.url)));
  return cap.records.map((r) => r.data).filter((f) => f[12] === 0x08 && f[13] === 0x00);
}

/** Sends the IP payload of a recorded h1 packet again from h1 (same L4 bytes, same TOS/TTL). */
function resend(h1: Parameters<typeof ipSendLocal>[0], frame: Uint8Array): number {
  const ip = frame.subarray(14);
  const hlen = (ip[0] & 15) * 4;
  const total = (ip[2] << 8) | ip[3];
  return ipSendLocal(h1, { dst: 0x0a020002, protocol: ip[9], tos: ip[1], ttl: ip[8], payload: ip.slice(hlen, total), id: (ip[4] << 8) | ip[5] }).error;
}

/** An IPv4 packet as hex with the IP ID and header checksum masked (outer header only). */
function masked(frame: Uint8Array): string {
  const f = frame.slice(14);
  f[4] = f[5] = f[10] = f[11] = 0;
  return hex(f);
}

describe('netfilter hooks (stateless)', () => {
  it('FORWARD -p icmp -j DROP blocks a ping through the router and counts 84 bytes per request', async () => {
    const { run } = await router('ip netns exec r iptables -A FORWARD -p icmp -j DROP\n');
    const out = await run('ip netns exec h1 ping -c 2 -W 1 10.2.0.2');
    expect(out).toContain('2 packets transmitted, 0 received');
    const list = await run('ip netns exec r iptables -L FORWARD -v -n -x');
    expect(list).toMatch(/Chain FORWARD \(policy ACCEPT 0 packets, 0 bytes\)/);
    expect(list).toMatch(/\n\s+2\s+168 DROP\s+1\s+--\s+\*\s+\*\s+0\.0\.0\.0\/0\s+0\.0\.0\.0\/0/);
    const save = await run('ip netns exec r iptables-save -c -t filter');
    expect(save).toContain('[2:168] -A FORWARD -p icmp -j DROP');
  });

  it('counts the policy of a chain and a count-only rule; a DROP policy drops', async () => {
    const { run } = await router('ip netns exec r iptables -A FORWARD -s 10.1.0.0/24\nip netns exec r iptables -P FORWARD DROP\n');
    const out = await run('ip netns exec h1 ping -c 1 -W 1 10.2.0.2');
    expect(out).toContain('1 packets transmitted, 0 received');
    const save = await run('ip netns exec r iptables-save -c -t filter');
    expect(save).toContain(':FORWARD DROP [1:84]');
    expect(save).toContain('[1:84] -A FORWARD -s 10.1.0.0/24');
  });

  it('empty base chains with policy ACCEPT (accepted without an evaluation) count on their policies only when counted', async () => {
    // mangle and filter both at FORWARD, both empty with ACCEPT: set by -P or iptables-restore,
    // the policy counts; created implicitly by a rule command (the rule then deleted), it does not.
    const { run } = await router(`
ip netns exec r iptables -P FORWARD ACCEPT
ip netns exec r iptables -t mangle -A FORWARD -s 10.9.9.9
ip netns exec r iptables -t mangle -D FORWARD -s 10.9.9.9
`);
    const out = await run('ip netns exec h1 ping -c 2 -W 1 10.2.0.2');
    expect(out).toContain('2 packets transmitted, 2 received');
    const filter = await run('ip netns exec r iptables-save -c -t filter');
    expect(filter).toContain(':FORWARD ACCEPT [4:336]');
    expect(filter).toContain(':INPUT ACCEPT [0:0]');
    const mangle = await run('ip netns exec r iptables-save -c -t mangle');
    expect(mangle).toContain(':FORWARD ACCEPT [0:0]');
    await run('ip netns exec r iptables -t mangle -Z FORWARD');
    await run('ip netns exec h1 ping -c 1 -W 1 10.2.0.2');
    expect(await run('ip netns exec r iptables-save -c -t mangle')).toContain(':FORWARD ACCEPT [2:168]');
    expect(await run('ip netns exec r iptables-save -c -t filter')).toContain(':FORWARD ACCEPT [6:504]');
  });

  it('user chains: jump, RETURN and goto, interface wildcards, ACCEPT', async () => {
    const { run } = await router(`
ip netns exec r iptables -N CHK
ip netns exec r iptables -N DEEP
ip netns exec r iptables -A FORWARD -i veth+ -j CHK
ip netns exec r iptables -A FORWARD -p icmp -j ACCEPT
ip netns exec r iptables -P FORWARD DROP
ip netns exec r iptables -A CHK -d 10.9.0.0/16 -j DROP
ip netns exec r iptables -A CHK -g DEEP
ip netns exec r iptables -A CHK -j DROP
ip netns exec r iptables -A DEEP -p icmp --icmp-type echo-reply -j RETURN
ip netns exec r iptables -A DEEP -o veth2 -j RETURN
`);
    const out = await run('ip netns exec h1 ping -c 1 -W 1 10.2.0.2');
    expect(out).toContain('1 packets transmitted, 1 received');
    const save = await run('ip netns exec r iptables-save -c -t filter');
    expect(save).toContain('[2:168] -A FORWARD -i veth+ -j CHK');
    expect(save).toContain('[2:168] -A FORWARD -p icmp -j ACCEPT');
    expect(save).toContain('[2:168] -A CHK -g DEEP');
    expect(save).toContain('[0:0] -A CHK -j DROP');
    expect(save).toContain('[1:84] -A DEEP -p icmp -m icmp --icmp-type 0 -j RETURN');
    expect(save).toContain('[1:84] -A DEEP -o veth2 -j RETURN');
  });

  it('INPUT and OUTPUT: a local ping dropped at INPUT, then at OUTPUT (EPERM)', async () => {
    const { run, world } = await router('ip netns exec r iptables -A INPUT -p icmp --icmp-type echo-request -j DROP\n');
    expect(await run('ip netns exec h1 ping -c 1 -W 1 10.1.0.1')).toContain('0 received');
    expect(await run('ip netns exec r iptables-save -c -t filter')).toContain('[1:84] -A INPUT -p icmp -m icmp --icmp-type 8 -j DROP');
    await run('ip netns exec h1 iptables -A OUTPUT -d 10.1.0.1 -j DROP');
    const h1 = world.netns.get('h1')!;
    expect(ipSendLocal(h1, { dst: 0x0a010001, protocol: 1, payload: new Uint8Array(64) }).error).toBe(-1);
    expect(await run('ip netns exec h1 iptables-save -c')).toContain('[1:84] -A OUTPUT -d 10.1.0.1/32 -j DROP');
  });

  it('MARK then -m mark in a later table; multiport and iprange', async () => {
    const { run } = await router(`
ip netns exec r iptables -t mangle -A FORWARD -m iprange --src-range 10.1.0.1-10.1.0.9 -j MARK --set-mark 0x5
ip netns exec r iptables -A FORWARD -m mark --mark 0x5 -m comment --comment marked
ip netns exec r iptables -A FORWARD -p udp -m multiport --dports 53,40000:40010 -j DROP
`);
    await run('ip netns exec h1 ping -c 1 -W 1 10.2.0.2');
    const save = await run('ip netns exec r iptables-save -c');
    expect(save).toContain('[1:84] -A FORWARD -m iprange --src-range 10.1.0.1-10.1.0.9 -j MARK --set-xmark 0x5/0xffffffff');
    expect(save).toContain('[1:84] -A FORWARD -m mark --mark 0x5 -m comment --comment marked');
  });

  for (const [name, w] of [
    ['reject-port-unreachable', ''], ['reject-net-unreachable', 'icmp-net-unreachable'], ['reject-host-unreachable', 'icmp-host-unreachable'],
    ['reject-proto-unreachable', 'icmp-proto-unreachable'], ['reject-net-prohibited', 'icmp-net-prohibited'],
    ['reject-host-prohibited', 'icmp-host-prohibited'], ['reject-admin-prohibited', 'icmp-admin-prohibited'], ['reject-tcp-reset', 'tcp-reset'],
  ] as const) {
    it(`REJECT ${w || '(default)'} sends the kernel's bytes (${name}.pcap)`, async () => {
      const tcp = w === 'tcp-reset';
      const { h1, frames } = await router(`ip netns exec r iptables -A FORWARD ${tcp ? '-p tcp ' : ''}-s 10.1.0.0/24 -d 10.2.0.2 -j REJECT${w ? ` --reject-with ${w}` : ''}\n`);
      const rec = recorded(name);
      // Pairs of (h1's packet, the router's answer) in the recording.
      const pairs: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i + 1 < rec.length; i++) {
        if (hex(rec[i].subarray(26, 30)) === '0a010002' && hex(rec[i + 1].subarray(30, 34)) === '0a010002') {
          pairs.push([rec[i], rec[i + 1]]);
          i++;
        }
      }
      expect(pairs.length).toBeGreaterThan(0);
      for (const [req, ans] of pairs) {
        frames.length = 0;
        expect(resend(h1, req)).toBe(0);
        const ip = frames.filter((f) => f[12] === 8 && f[13] === 0);
        // (h1 has no TCP yet: it answers the RST with a protocol unreachable, a third frame.)
        expect(ip.length).toBe(tcp ? 3 : 2);
        expect(masked(ip[1])).toBe(masked(ans));
        if (tcp) expect(hex(ip[1].subarray(14 + 4, 14 + 6))).toBe('0000');
      }
    });
  }
});

const BRIDGE = `
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
for i in 1 2; do
  ip netns add c$i
  ip netns exec c$i ip link set lo up
  ip link add veth$i type veth peer name eth0 netns c$i
  ip link set veth$i master docker0
  ip link set veth$i up
  ip netns exec c$i ip addr add 172.17.0.$((i + 1))/16 dev eth0
  ip netns exec c$i ip link set eth0 up
done
`;

describe('REJECT and bad transport checksums', () => {
  it('no ICMP error about a UDP datagram whose checksum is wrong (nf_reject_verify_csum); the rule still counts it', async () => {
    const { h1, frames, run } = await router('ip netns exec r iptables -A FORWARD -s 10.1.0.0/24 -d 10.2.0.2 -j REJECT\n');
    const udp = recorded('reject-port-unreachable').find((f) => f[23] === 17)!.slice();
    udp[14 + 20 + 6] ^= 0xff;
    frames.length = 0;
    expect(resend(h1, udp)).toBe(0);
    expect(frames.filter((f) => f[12] === 8 && f[13] === 0).length).toBe(1);
    expect(await run('ip netns exec r iptables-save -c')).toContain('[1:34] -A FORWARD -s 10.1.0.0/24 -d 10.2.0.2/32 -j REJECT --reject-with icmp-port-unreachable');
  });
});

describe('br_netfilter (bridge-nf-call-iptables)', () => {
  it('FORWARD DROP blocks container-to-container pings on the bridge; -i/-o are the bridge, physdev the ports', async () => {
    const { session } = openSession({ seed: 1 });
    const run = async (cmd: string) => (await session.run(cmd)).stdout;
    await run(BRIDGE);
    await run('iptables -A FORWARD -i docker0 -o docker0 -m physdev --physdev-in veth1 --physdev-out veth2 -j DROP');
    expect(await run('ip netns exec c1 ping -c 2 -W 1 172.17.0.3')).toContain('2 packets transmitted, 0 received');
    expect(await run('iptables-save -c -t filter')).toContain('[2:168] -A FORWARD -i docker0 -o docker0 -m physdev --physdev-in veth1 --physdev-out veth2 -j DROP');
    // The other way round does not match the physdev names: c2's requests pass, c1's replies are dropped.
    expect(await run('ip netns exec c2 ping -c 1 -W 1 172.17.0.2')).toContain('1 packets transmitted, 0 received');
    expect(await run('iptables-save -c -t filter')).toContain('[3:252] -A FORWARD');
  });

  it('bridge-nf-call-iptables=0 bypasses the tables', async () => {
    const { session } = openSession({ seed: 1 });
    const run = async (cmd: string) => (await session.run(cmd)).stdout;
    await run(BRIDGE);
    await run('iptables -A FORWARD -j DROP');
    await run('sysctl -qw net.bridge.bridge-nf-call-iptables=0');
    expect(await run('ip netns exec c1 ping -c 1 -W 1 172.17.0.3')).toContain('1 packets transmitted, 1 received');
    expect(await run('iptables-save -c -t filter')).toContain('[0:0] -A FORWARD -j DROP');
  });
});

describe('br_netfilter and local delivery', () => {
  it('a bridged frame for the host goes through PREROUTING once (ip_sabotage_in), then INPUT', async () => {
    const { session } = openSession({ seed: 1 });
    const run = async (cmd: string) => (await session.run(cmd)).stdout;
    await run(BRIDGE);
    await run('iptables -t raw -A PREROUTING -p icmp\niptables -A INPUT -p icmp -i docker0');
    expect(await run('ip netns exec c1 ping -c 1 -W 1 172.17.0.1')).toContain('1 received');
    const save = await run('iptables-save -c');
    expect(save).toContain('[1:84] -A PREROUTING -p icmp');
    expect(save).toContain('[1:84] -A INPUT -i docker0 -p icmp');
  });
});

describe('-m limit', () => {
  it('a token bucket in jiffies of virtual time: burst 2 at 1/s lets through 1, 2, then one per second', async () => {
    const { run } = await router(`
ip netns exec r iptables -A INPUT -p icmp -m limit --limit 1/s --limit-burst 2 -j ACCEPT
ip netns exec r iptables -A INPUT -p icmp -j DROP
`);
    // Requests at 0, 0.2, ..., 1.0 s: 32000 credits per packet, 128 per jiffy, 64000 at most.
    expect(await run('ip netns exec h1 ping -c 6 -i 0.2 -W 1 10.1.0.1')).toContain('6 packets transmitted, 3 received');
    const save = await run('ip netns exec r iptables-save -c');
    expect(save).toContain('[3:252] -A INPUT -p icmp -m limit --limit 1/sec --limit-burst 2 -j ACCEPT');
    expect(save).toContain('[3:252] -A INPUT -p icmp -j DROP');
  });
});
