// The recorded real-world rulesets (fixtures/iptables/rulesets/*.rules) acting on traffic:
// kube-proxy's ClusterIP service spreads new connections over its two endpoints (statistic
// --mode random) and masquerades clients from outside the pod network (KUBE-MARK-MASQ's mark,
// MASQUERADE --random-fully); libvirt's network masquerades its guests and rejects what comes
// in unasked. Frames are checked field by field with every checksum verified.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';
import type { World } from '../../src/kernel/world.ts';
import { TAP_IN } from '../../src/kernel/netif.ts';
import { checksumOk, computeTcpChecksum, emitEthernet, emitIpv4, emitTcp, formatIpv4At, parseIpv4Addr, pseudoHeaderSum } from '../../src/wire/index.ts';

const RULESETS = fileURLToPath(new URL('../../fixtures/iptables/rulesets/', import.meta.url));

function link(a: string, aDev: string, aMac: string, aAddr: string, b: string, bDev: string, bMac: string, bAddr: string): string {
  return `ip -n ${a} link add ${aDev} address ${aMac} type veth peer name ${bDev} address ${bMac} netns ${b}
ip -n ${a} addr add ${aAddr} dev ${aDev}
ip -n ${b} addr add ${bAddr} dev ${bDev}
ip -n ${a} link set ${aDev} up
ip -n ${b} link set ${bDev} up
`;
}

function syn(src: string, dst: string, sport: number, dport: number, dstMac: string, srcMac: string): Uint8Array {
  const tcp = emitTcp({ srcPort: sport, dstPort: dport, seq: 1000, ack: 0, flags: 0x02, window: 64240, urgentPointer: 0, options: new Uint8Array([2, 4, 5, 0xb4]), payload: new Uint8Array(0) });
  const c = computeTcpChecksum(tcp, 0, tcp.length, parseIpv4Addr(src), parseIpv4Addr(dst));
  tcp[16] = c >>> 8;
  tcp[17] = c & 0xff;
  const ip = emitIpv4({ version: 4, ihl: 5, tos: 0, totalLength: 20 + tcp.length, id: sport, rf: false, df: true, mf: false, fragmentOffset: 0, ttl: 64, protocol: 6, src, dst, options: [], payload: tcp });
  return emitEthernet({ dst: dstMac, src: srcMac, vlans: [], etherType: 0x0800, payload: ip });
}

interface Seen {
  at: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  ok: boolean;
}

/** TCP segments received on the named devices, with their checksums verified. */
function watch(world: World, devs: Array<[string, string]>): Seen[] {
  const seen: Seen[] = [];
  for (const [ns, dev] of devs) {
    world.netns.get(ns)!.device(dev)!.taps.push((f, dir) => {
      if (dir !== TAP_IN || f[12] !== 0x08 || f[13] !== 0x00 || f[14 + 9] !== 6) return;
      const ip = 14;
      const th = ip + ((f[ip] & 15) << 2);
      const total = (f[ip + 2] << 8) | f[ip + 3];
      const len = ip + total - th;
      const src = (f[ip + 12] << 24) | (f[ip + 13] << 16) | (f[ip + 14] << 8) | f[ip + 15];
      const dst = (f[ip + 16] << 24) | (f[ip + 17] << 16) | (f[ip + 18] << 8) | f[ip + 19];
      const ok = checksumOk(f, ip, th - ip) && checksumOk(f, th, len, pseudoHeaderSum(src >>> 0, dst >>> 0, 6, len));
      seen.push({ at: `${ns}/${dev}`, src: formatIpv4At(f, ip + 12), dst: formatIpv4At(f, ip + 16), sport: (f[th] << 8) | f[th + 1], dport: (f[th + 2] << 8) | f[th + 3], ok });
    });
  }
  return seen;
}

function inject(world: World, ns: string, dev: string, frame: Uint8Array): void {
  const net = world.net;
  net.xmit(net.pool.fromBytes(frame), world.netns.get(ns)!.device(dev)!);
  net.run();
}

describe('kube-proxy ruleset', () => {
  it('DNATs a ClusterIP to either endpoint at random and masquerades a client outside the pod network', async () => {
    const script = `ip netns add node
ip netns add client
ip netns add ep1
ip netns add ep2
${link('client', 'eth0', '02:00:00:00:01:02', '192.168.1.2/24', 'node', 'eth0', '02:00:00:00:01:01', '192.168.1.1/24')}
${link('node', 'eth1', '02:00:00:00:02:01', '10.244.1.1/24', 'ep1', 'eth0', '02:00:00:00:02:02', '10.244.1.5/24')}
${link('node', 'eth2', '02:00:00:00:03:01', '10.244.2.1/24', 'ep2', 'eth0', '02:00:00:00:03:02', '10.244.2.7/24')}
ip -n ep1 route add default via 10.244.1.1
ip -n ep2 route add default via 10.244.2.1
ip netns exec node sysctl -qw net.ipv4.ip_forward=1
ip netns exec node iptables-restore < kube-proxy.rules
`;
    const { world, stdout, stderr } = await runScenario(script, { seed: 11, cwd: RULESETS });
    expect(stderr, stdout).toBe('');
    const seen = watch(world, [['ep1', 'eth0'], ['ep2', 'eth0']]);
    for (let i = 0; i < 40; i++) inject(world, 'client', 'eth0', syn('192.168.1.2', '10.96.0.50', 40000 + i, 80, '02:00:00:00:01:01', '02:00:00:00:01:02'));
    expect(seen).toHaveLength(40);
    const at1 = seen.filter((s) => s.at === 'ep1/eth0');
    const at2 = seen.filter((s) => s.at === 'ep2/eth0');
    expect(at1.length).toBeGreaterThan(5);
    expect(at2.length).toBeGreaterThan(5);
    for (const s of at1) expect({ ...s, sport: 0 }).toEqual({ at: 'ep1/eth0', src: '10.244.1.1', dst: '10.244.1.5', sport: 0, dport: 8080, ok: true });
    for (const s of at2) expect({ ...s, sport: 0 }).toEqual({ at: 'ep2/eth0', src: '10.244.2.1', dst: '10.244.2.7', sport: 0, dport: 8080, ok: true });
    const nat = world.netns.get('node')!.netfilter.tables.nat;
    const svc = nat.chain('KUBE-SVC-NPX46M4PTMTKRN6Y')!.rules;
    expect(svc.map((r) => r.pkts)).toEqual([40, at1.length, at2.length]);
    expect(nat.chain('KUBE-POSTROUTING')!.rules.map((r) => r.pkts)).toEqual([0, 40, 40]);
  });

  it('leaves a pod client unmasqueraded (no KUBE-MARK-MASQ mark)', async () => {
    const script = `ip netns add node
ip netns add pod
ip netns add ep1
ip netns add ep2
${link('pod', 'eth0', '02:00:00:00:01:02', '10.244.0.9/24', 'node', 'eth0', '02:00:00:00:01:01', '10.244.0.1/24')}
${link('node', 'eth1', '02:00:00:00:02:01', '10.244.1.1/24', 'ep1', 'eth0', '02:00:00:00:02:02', '10.244.1.5/24')}
${link('node', 'eth2', '02:00:00:00:03:01', '10.244.2.1/24', 'ep2', 'eth0', '02:00:00:00:03:02', '10.244.2.7/24')}
ip netns exec node sysctl -qw net.ipv4.ip_forward=1
ip netns exec node iptables-restore < kube-proxy.rules
`;
    const { world, stderr } = await runScenario(script, { seed: 12, cwd: RULESETS });
    expect(stderr).toBe('');
    const seen = watch(world, [['ep1', 'eth0'], ['ep2', 'eth0']]);
    for (let i = 0; i < 10; i++) inject(world, 'pod', 'eth0', syn('10.244.0.9', '10.96.0.50', 50000 + i, 80, '02:00:00:00:01:01', '02:00:00:00:01:02'));
    expect(seen).toHaveLength(10);
    for (const s of seen) expect([s.src, s.sport - 50000 < 10, s.dport, s.ok]).toEqual(['10.244.0.9', true, 8080, true]);
    expect(world.netns.get('node')!.netfilter.tables.nat.chain('KUBE-POSTROUTING')!.rules.map((r) => r.pkts)).toEqual([10, 0, 0]);
  });
});

describe('libvirt ruleset', () => {
  it('masquerades a guest to a port in 1024-65535 and rejects an unasked connection to the guest', async () => {
    const script = `ip netns add host
ip netns add guest
ip netns add out
${link('guest', 'eth0', '02:00:00:00:01:02', '192.168.122.10/24', 'host', 'virbr0', '02:00:00:00:01:01', '192.168.122.1/24')}
${link('host', 'eth0', '02:00:00:00:02:01', '203.0.113.1/24', 'out', 'eth0', '02:00:00:00:02:02', '203.0.113.2/24')}
ip -n out route add 192.168.122.0/24 via 203.0.113.1
ip netns exec host sysctl -qw net.ipv4.ip_forward=1
ip netns exec host iptables-restore < libvirt.rules
`;
    const { world, stderr } = await runScenario(script, { seed: 13, cwd: RULESETS });
    expect(stderr).toBe('');
    const seen = watch(world, [['out', 'eth0'], ['guest', 'eth0']]);
    inject(world, 'guest', 'eth0', syn('192.168.122.10', '203.0.113.2', 80, 443, '02:00:00:00:01:01', '02:00:00:00:01:02'));
    inject(world, 'out', 'eth0', syn('203.0.113.2', '192.168.122.10', 5555, 22, '02:00:00:00:02:01', '02:00:00:00:02:02'));
    expect(seen.filter((s) => s.at === 'out/eth0').map((s) => [s.src, s.sport >= 1024, s.dst, s.dport, s.ok])).toEqual([['203.0.113.1', true, '203.0.113.2', 443, true]]);
    expect(seen.filter((s) => s.at === 'guest/eth0')).toEqual([]);
    const f = world.netns.get('host')!.netfilter.tables.filter;
    // out's answer to the guest's SYN (nothing listens on 443) is let back in by the
    // RELATED,ESTABLISHED rule; the unasked SYN from out is rejected.
    expect(f.chain('LIBVIRT_FWI')!.rules.map((r) => r.pkts)).toEqual([1, 1]);
    expect(f.chain('LIBVIRT_FWO')!.rules.map((r) => r.pkts)).toEqual([1, 0]);
  });
});
