// `l3-forward`: 64-byte IPv4 frames into a router namespace (ip_forward on, static neighbours)
// with 1, 1 000 or 100 000 routes, counted where they leave the far veth.
import type { Benchmark } from './harness.ts';
import type { World } from '../src/kernel/world.ts';
import { ROUTER_TOPOLOGY, build, injector } from './topology.ts';
import { emitEthernet, emitIpv4, emitUdp, formatIpv4Addr } from '../src/wire/index.ts';

const FRAME = 64;

function routesScript(n: number): string {
  // 10.100.0.0/24, 10.100.1.0/24, … (and /16s beyond 65 536) via the far host.
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const net = (0x0a640000 + i * 256) >>> 0;
    lines.push(`ip -n r route add ${formatIpv4Addr(net)}/24 via 10.2.0.2`);
  }
  return lines.join('\n');
}

/** A variant of the router benchmark: its name, a script run after the topology, and work done
 * on the built world once the check run has gone through (not timed). */
export interface L3Variant {
  name: string;
  script: string;
  prepared?: (world: World) => void;
}

export function l3Bench(routes: number, variant?: L3Variant): Benchmark {
  let setup: (() => Promise<(n: number) => number>) | undefined = async () => {
    const world = await build(`
${ROUTER_TOPOLOGY}
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip -n r neigh add 10.2.0.2 lladdr 02:00:00:00:ff:ff dev veth2 nud permanent
${routesScript(routes)}
${variant?.script ?? ''}
`);
    const a = world.netns.get('a')!;
    const r = world.netns.get('r')!;
    const out = r.device('veth2')!;
    // Frames to many destinations over the routes, to r's ingress MAC.
    const count = 1024;
    const frames = new Uint8Array(count * FRAME);
    for (let i = 0; i < count; i++) {
      const dst = (0x0a640000 + ((i * 7919) % routes) * 256 + 1 + (i & 0x7f)) >>> 0;
      const udp = emitUdp({ srcPort: 1000, dstPort: 2000, payload: new Uint8Array(FRAME - 14 - 20 - 8), checksum: 0 });
      const ip = emitIpv4({
        version: 4, ihl: 5, tos: 0, totalLength: 20 + udp.length, id: i, rf: false, df: false, mf: false, fragmentOffset: 0,
        ttl: 64, protocol: 17, src: '10.1.0.2', dst: formatIpv4Addr(dst), options: [], payload: udp,
      });
      frames.set(emitEthernet({ dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01', vlans: [], etherType: 0x0800, payload: ip }), i * FRAME);
    }
    const inject = injector(world, a.device('veth0')!, frames, FRAME);
    // Frames must really leave the far veth: check once, then count in the measured runs.
    const before = out.stats.txPackets;
    inject(1024);
    if (out.stats.txPackets - before !== 1024) throw new Error(`l3-forward: ${out.stats.txPackets - before} of 1024 frames forwarded`);
    variant?.prepared?.(world);
    return inject;
  };
  let run: ((n: number) => number) | undefined;
  return {
    name: variant?.name ?? `l3-forward-${routes}`,
    unit: 'packets',
    async prepare() {
      run = await setup!();
      setup = undefined;
    },
    setup: () => run!,
    batch: 1024,
  };
}

export const l3Benchmarks: Benchmark[] = [l3Bench(1), l3Bench(1000), l3Bench(100_000)];
