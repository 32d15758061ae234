// Conntrack and NAT on the packet path (src/kernel/netfilter/conntrack*.ts, nat.ts): a Docker-like
// host masquerading a container behind a bridge, with a router beyond it. Frames are compared
// whole: the frame after NAT must equal the frame before it with the NATed fields replaced and
// every checksum recomputed from scratch (the path updates them incrementally), so both the
// rewrite and the checksum arithmetic are checked byte for byte.
import { describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/kernel/device.ts';
import type { World } from '../../src/kernel/world.ts';
import { ctTableOf, IPS_ASSURED, IPS_SEEN_REPLY, IPS_SRC_NAT, jiffiesOf } from '../../src/kernel/netfilter/conntrack.ts';
import { openSession } from '../../src/scenario/run.ts';
import { internetChecksum } from '../../src/wire/index.ts';

const SETUP = `
ip netns add host
ip netns add c1
ip netns add ext
ip netns add r2
ip -n host link add docker0 type bridge
ip -n host addr add 172.17.0.1/16 dev docker0
ip -n host link set docker0 up
ip -n host link add veth1 type veth peer name eth0 netns c1
ip -n host link set veth1 master docker0 up
ip -n c1 addr add 172.17.0.2/16 dev eth0
ip -n c1 link set eth0 up
ip -n c1 route add default via 172.17.0.1
ip -n host link add eth0 type veth peer name eth0 netns ext
ip -n host addr add 192.168.100.1/24 dev eth0
ip -n host link set eth0 up
ip -n ext addr add 192.168.100.2/24 dev eth0
ip -n ext link set eth0 up
ip -n ext link add eth1 type veth peer name eth0 netns r2
ip -n ext addr add 10.9.0.1/24 dev eth1
ip -n ext link set eth1 up
ip -n r2 addr add 10.9.0.2/24 dev eth0
ip -n r2 link set eth0 up
ip -n r2 route add default via 10.9.0.1
ip -n host route add 10.9.0.0/24 via 192.168.100.2
ip netns exec ext sysctl -qw net.ipv4.ip_forward=1
ip netns exec host sysctl -qw net.ipv4.ip_forward=1
`;
const MASQ = 'ip netns exec host iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n';

const C1 = 0xac110002;
const HOST_OUT = 0xc0a86401;

interface Seen {
  dev: string;
  dir: number;
  frame: Uint8Array;
}

async function run(script: string): Promise<{ world: World; seen: Seen[]; out: string }> {
  const { world, session } = openSession({ seed: 7 });
  const seen: Seen[] = [];
  world.deviceListeners.push((dev: NetDevice) => {
    dev.taps.push((frame, dir, d) => seen.push({ dev: `${d.ns.name}:${d.name}`, dir, frame: frame.slice() }));
  });
  const r = await session.run(script);
  return { world, seen, out: r.stdout + r.stderr };
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}

/** Recomputes, from scratch, the IPv4 header checksum at `ip` and the ICMP checksum after it
 * (and those of a quoted IPv4 header inside an ICMP error). */
function recompute(b: Uint8Array, ip = 14): void {
  const ihl = (b[ip] & 15) * 4;
  const end = ip + u16(b, ip + 2);
  put16(b, ip + 10, 0);
  put16(b, ip + 10, internetChecksum(b, ip, ihl));
  if (b[ip + 9] !== 1) return;
  const icmp = ip + ihl;
  if (b[icmp] === 11 || b[icmp] === 3) {
    const inner = icmp + 8;
    put16(b, inner + 10, 0);
    put16(b, inner + 10, internetChecksum(b, inner, (b[inner] & 15) * 4));
  }
  put16(b, icmp + 2, 0);
  put16(b, icmp + 2, internetChecksum(b, icmp, end - icmp));
}

const icmpFrames = (seen: Seen[], dev: string, type: number) =>
  seen.filter((s) => s.dev === dev && s.frame[12] === 8 && s.frame[13] === 0 && s.frame[23] === 1 && s.frame[34] === type);

describe('MASQUERADE', () => {
  it('rewrites the source of a forwarded echo and the destination of its reply, checksums updated in place', async () => {
    const { world, seen, out } = await run(SETUP + MASQ + 'ip netns exec c1 ping -c 2 10.9.0.2\n');
    expect(out).toContain('2 packets transmitted, 2 received');
    for (let i = 0; i < 2; i++) {
      const before = icmpFrames(seen, 'c1:eth0', 8)[i].frame;
      const after = icmpFrames(seen, 'host:eth0', 8)[i].frame;
      // Expected: the container's request, forwarded (TTL - 1, new MACs), source = 192.168.100.1,
      // the echo identifier kept (no clash).
      const want = before.slice();
      want.set(after.subarray(0, 12), 0);
      want[22]--;
      put32(want, 26, HOST_OUT);
      recompute(want);
      expect(after).toEqual(want);
      const replyOut = icmpFrames(seen, 'host:eth0', 0)[i].frame;
      const replyIn = icmpFrames(seen, 'c1:eth0', 0)[i].frame;
      const want2 = replyOut.slice();
      want2.set(replyIn.subarray(0, 12), 0);
      want2[22]--;
      put32(want2, 30, C1);
      recompute(want2);
      expect(replyIn).toEqual(want2);
    }
    const host = world.netns.get('host')!;
    const tab = ctTableOf(host);
    // The echo's connection (the bridge's IGMP report has one too).
    const icmp = tab.dump(jiffiesOf(world.now())).filter((x) => x.proto === 1);
    expect(icmp.length).toBe(1);
    const [c] = icmp;
    const id = icmpFrames(seen, 'c1:eth0', 8)[0].frame[38] * 256 + icmpFrames(seen, 'c1:eth0', 8)[0].frame[39];
    const o = c.id * 2;
    expect([tab.tSrc[o] >>> 0, tab.tDst[o] >>> 0, tab.tSport[o], tab.tDport[o]]).toEqual([C1, 0x0a090002, id, 8 << 8]);
    expect([tab.tSrc[o + 1] >>> 0, tab.tDst[o + 1] >>> 0, tab.tSport[o + 1], tab.tDport[o + 1]]).toEqual([0x0a090002, HOST_OUT, id, 0]);
    expect(c.status & (IPS_SRC_NAT | IPS_SEEN_REPLY | IPS_ASSURED)).toBe(IPS_SRC_NAT | IPS_SEEN_REPLY);
    // ICMP timeout: 30 s from the last packet, in jiffies.
    expect(c.timeout - jiffiesOf(world.now())).toBeLessThanOrEqual(30 * 250);
    expect(c.timeout - jiffiesOf(world.now())).toBeGreaterThan(28 * 250);
  });

  it('translates a time-exceeded error back: outer destination and the quoted source', async () => {
    const { seen } = await run(SETUP + MASQ + 'ip netns exec c1 ping -c 1 -t 2 10.9.0.2\n');
    const errOut = icmpFrames(seen, 'host:eth0', 11)[0].frame;
    const errIn = icmpFrames(seen, 'c1:eth0', 11)[0].frame;
    const want = errOut.slice();
    want.set(errIn.subarray(0, 12), 0);
    want[22]--;
    put32(want, 30, C1);
    // The quoted header's source (outer IP 20 + ICMP 8 → offset 14 + 28 + 12).
    put32(want, 14 + 28 + 12, C1);
    recompute(want);
    expect(errIn).toEqual(want);
  });

  it('nat chains see only a connection\'s first packet', async () => {
    const { out } = await run(SETUP + MASQ + 'ip netns exec c1 ping -c 3 10.9.0.2\nip netns exec host iptables -t nat -S POSTROUTING -v\n');
    expect(out).toContain('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -c 1 84 -j MASQUERADE');
  });
});

describe('conntrack state', () => {
  it('ESTABLISHED lets replies in through a DROP policy; NEW from outside is dropped', async () => {
    const script = SETUP + `
ip netns exec ext iptables -P INPUT DROP
ip netns exec ext iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
ip netns exec ext ping -c 1 -W 1 192.168.100.1
ip netns exec host ping -c 1 -W 1 192.168.100.2
ip netns exec ext iptables -S INPUT -v
`;
    const { out } = await run(script);
    expect(out).toContain('1 packets transmitted, 1 received');
    expect(out).toContain('1 packets transmitted, 0 received');
    expect(out).toContain('-P INPUT DROP -c 1 84');
    expect(out).toContain('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -c 1 84 -j ACCEPT');
  });

  it('NOTRACK leaves packets UNTRACKED', async () => {
    const script = SETUP + `
ip netns exec ext iptables -t raw -A PREROUTING -p icmp -j CT --notrack
ip netns exec ext iptables -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
ip netns exec ext iptables -A INPUT -m conntrack --ctstate NEW -j DROP
ip netns exec host ping -c 1 -W 1 192.168.100.2
ip netns exec ext iptables -S INPUT -v
`;
    const { out } = await run(script);
    expect(out).toContain('1 packets transmitted, 1 received');
    expect(out).toContain('-A INPUT -m conntrack --ctstate UNTRACKED -c 1 84 -j ACCEPT');
    expect(out).toContain('-A INPUT -m conntrack --ctstate NEW -c 0 0 -j DROP');
  });
});

describe('DNAT', () => {
  it('sends an echo to the published address on to the container and translates the reply back', async () => {
    const script = SETUP + `
ip netns exec host iptables -t nat -A PREROUTING -d 192.168.100.1 -p icmp -j DNAT --to-destination 172.17.0.2
ip netns exec ext ping -c 1 192.168.100.1
`;
    const { seen, out } = await run(script);
    expect(out).toContain('1 packets transmitted, 1 received');
    const reqOut = icmpFrames(seen, 'ext:eth0', 8)[0].frame;
    const reqIn = icmpFrames(seen, 'c1:eth0', 8)[0].frame;
    const want = reqOut.slice();
    want.set(reqIn.subarray(0, 12), 0);
    want[22]--;
    put32(want, 30, C1);
    recompute(want);
    expect(reqIn).toEqual(want);
    const repIn = icmpFrames(seen, 'ext:eth0', 0)[0].frame;
    expect(u32(repIn, 26)).toBe(HOST_OUT);
  });
});

describe('nf_conntrack_max', () => {
  it('is the initial namespace\'s (global) value: when full, a new flow is dropped and logged', async () => {
    const script = SETUP + `
sysctl -w net.netfilter.nf_conntrack_max=2
ip netns exec ext sysctl net.netfilter.nf_conntrack_max
ip netns exec ext iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT
ip netns exec host ping -c 1 -W 1 192.168.100.2
ip netns exec host ping -c 1 -W 1 -I 192.168.100.1 192.168.100.2
ip netns exec r2 ping -c 1 -W 1 192.168.100.2
ip netns exec ext cat /proc/net/stat/nf_conntrack
dmesg
`;
    const { out } = await run(script);
    expect(out).toContain('net.netfilter.nf_conntrack_max = 2\n');
    // Two echo flows fill the table; the third flow's packet is dropped by conntrack.
    expect(out.match(/1 packets transmitted, 1 received/g)?.length).toBe(2);
    expect(out).toContain('1 packets transmitted, 0 received');
    expect(out).toMatch(/\] nf_conntrack: table full, dropping packet\n/);
  });
});
