// The cached input routes (forwarding and local delivery) against the general path: the same
// frames through two identical worlds, one of which cannot use the cache (accept_local on
// makes every packet take ip_route_input), must give the same frames, counters and neighbours.
import { describe, expect, it } from 'vitest';
import { ROUTER_TOPOLOGY } from '../../bench/topology.ts';
import { runScenario } from '../../src/scenario/run.ts';
import type { World } from '../../src/kernel/world.ts';
import { emitEthernet, emitIpv4, emitUdp, hex } from '../../src/wire/index.ts';

const SCRIPT = `
${ROUTER_TOPOLOGY}
ip -n c link set lo up
ip -n c route add default via 10.2.0.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip -n r route add 10.100.0.0/16 via 10.2.0.2
ip -n r link set veth2 mtu 1200
`;

// Base chains with counters at every hook a forwarded packet passes: the cached path must call them as the general one does.
const NETFILTER = `
ip netns exec r iptables -t raw -P PREROUTING ACCEPT
ip netns exec r iptables -P FORWARD ACCEPT
ip netns exec r iptables -A FORWARD -d 10.100.2.0/24
ip netns exec r iptables -t mangle -A POSTROUTING -o veth2
`;

async function world(cached: boolean, extra: string): Promise<{ world: World; frames: string[] }> {
  const { world } = await runScenario(SCRIPT + extra + (cached ? '' : 'ip netns exec r sysctl -qw net.ipv4.conf.all.accept_local=1\n'), { seed: 3 });
  const frames: string[] = [];
  for (const [ns, dev] of [['a', 'veth0'], ['r', 'veth1'], ['r', 'veth2'], ['c', 'veth0']]) {
    world.netns.get(ns)!.device(dev)!.taps.push((f, dir, d, t) => frames.push(`${t} ${ns}/${d.name} ${dir} ${hex(f)}`));
  }
  return { world, frames };
}

function frame(dst: string, opts: { ttl?: number; size?: number; df?: boolean; id: number }): Uint8Array {
  const udp = emitUdp({ srcPort: 1000, dstPort: 2000, payload: new Uint8Array((opts.size ?? 64) - 14 - 20 - 8), checksum: 0 });
  const ip = emitIpv4({
    version: 4, ihl: 5, tos: 0, totalLength: 20 + udp.length, id: opts.id, rf: false, df: opts.df ?? false, mf: false, fragmentOffset: 0,
    ttl: opts.ttl ?? 64, protocol: 17, src: '10.1.0.2', dst, options: [], payload: udp,
  });
  return emitEthernet({ dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01', vlans: [], etherType: 0x0800, payload: ip });
}

function inject(w: World, bytes: Uint8Array): void {
  const net = w.net;
  net.xmit(net.pool.fromBytes(bytes), w.netns.get('a')!.device('veth0')!);
  net.run();
}

function state(w: World): unknown {
  const r = w.netns.get('r')!;
  return {
    ip: [...r.inet.snmp.ip], ext: [...r.inet.snmp.ipExt], icmp: [...r.inet.snmp.icmp],
    neigh: r.ipv4.neigh.entries.map((n) => [n.addr, n.state, n.used, n.confirmed, n.updated, n.probes]),
    stats: ['veth1', 'veth2'].map((d) => ({ ...r.device(d)!.stats })),
    inUse: w.net.pool.inUse,
    netfilter: (['raw', 'mangle', 'filter'] as const).map((t) => r.netfilter.table(t).existing('created')
      .map((c) => [c.name, c.pkts, c.bytes, c.rules.map((x) => [x.pkts, x.bytes])])),
  };
}

describe('cached input routes', () => {
  it.each([
    { extra: '', rules: 'no rules' },
    { extra: NETFILTER, rules: 'chains at PREROUTING, FORWARD and POSTROUTING' },
  ])('forward, expire TTLs, refuse oversized DF packets, age neighbours and deliver locally as the general path does ($rules)', async ({ extra }) => {
    const worlds = [await world(true, extra), await world(false, extra)];
    const steps: Array<(w: World) => void> = [
      (w) => inject(w, frame('10.100.1.1', { id: 1 })),
      (w) => inject(w, frame('10.100.1.1', { id: 2 })),
      (w) => inject(w, frame('10.100.1.1', { id: 3, ttl: 1 })),
      (w) => inject(w, frame('10.100.1.1', { id: 4, size: 1300, df: true })),
      (w) => inject(w, frame('10.100.1.1', { id: 5, size: 1300 })),
      (w) => inject(w, frame('10.2.0.2', { id: 6 })),
      (w) => inject(w, frame('10.2.0.2', { id: 7 })),
      (w) => inject(w, frame('10.1.0.1', { id: 8 })),
      (w) => inject(w, frame('10.1.0.1', { id: 9 })),
      (w) => inject(w, frame('10.2.0.1', { id: 20 })),
      (w) => inject(w, frame('10.2.0.1', { id: 21 })),
      // The neighbours go STALE, then a packet on the cached route starts the probe.
      (w) => w.clock.tick(120_000),
      (w) => inject(w, frame('10.100.1.1', { id: 10 })),
      (w) => inject(w, frame('10.100.1.1', { id: 11 })),
      (w) => w.clock.tick(10_000),
      (w) => inject(w, frame('10.100.2.3', { id: 12 })),
      (w) => inject(w, frame('10.100.2.3', { id: 13, ttl: 2 })),
    ];
    for (const step of steps) {
      for (const { world: w } of worlds) step(w);
      expect(state(worlds[0].world)).toEqual(state(worlds[1].world));
    }
    expect(worlds[0].frames).toEqual(worlds[1].frames);
    expect(worlds[0].frames.length).toBeGreaterThan(30);
  });
});
