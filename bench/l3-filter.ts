// `l3-filter-N`: `l3-forward-1` with N non-matching FORWARD rules in r's filter table (each
// `-s 192.168.X.Y/32 -j DROP`, tested on the header alone) before the packets are accepted by
// the policy; N = 0 has the filter table with an empty FORWARD chain.
import type { Benchmark } from './harness.ts';
import { l3Bench } from './l3.ts';

function rules(n: number): string {
  const lines = ['*filter', ':FORWARD ACCEPT [0:0]'];
  for (let i = 0; i < n; i++) lines.push(`-A FORWARD -s 192.168.${i >> 8}.${i & 255}/32 -j DROP`);
  lines.push('COMMIT');
  return `ip netns exec r iptables-restore <<'RULES'\n${lines.join('\n')}\nRULES`;
}

export const l3FilterBenchmarks: Benchmark[] = [0, 100, 1000].map((n) => l3Bench(1, { name: `l3-filter-${n}`, script: rules(n) }));
