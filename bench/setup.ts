// `setup`: 10 000 namespaces, each with a veth into one of 10 bridges (in a namespace of their
// own) and an address, built through the command interpreter as a script would; timed once.
// --quick builds 1 000 (the bridges' per-port work grows with their port count, so the rate
// is higher than for 10 000).
import type { Benchmark } from './harness.ts';
import { build } from './topology.ts';

function script(n: number): string {
  const lines = ['ip netns add sw'];
  for (let b = 0; b < 10; b++) lines.push(`ip -n sw link add br${b} type bridge`, `ip -n sw link set br${b} up`);
  for (let i = 1; i <= n; i++) {
    lines.push(
      `ip netns add n${i}`,
      `ip -n sw link add v${i} type veth peer name eth0 netns n${i}`,
      `ip -n sw link set v${i} master br${i % 10}`,
      `ip -n sw link set v${i} up`,
      `ip -n n${i} addr add 10.${(i >> 8) & 255}.${i & 255}.1/8 dev eth0`,
      `ip -n n${i} link set eth0 up`,
    );
  }
  return lines.join('\n') + '\n';
}

export function setupBenchmark(quick: boolean): Benchmark {
  const n = quick ? 1000 : 10_000;
  return {
    name: 'setup',
    unit: 'namespaces',
    setup: () => () => 0,
    async once() {
      const text = script(n);
      const t0 = performance.now();
      const world = await build(text);
      const ms = performance.now() - t0;
      if (world.netns.size < n + 1) throw new Error(`setup: ${world.netns.size} namespaces`);
      return { units: n, ms };
    },
  };
}
