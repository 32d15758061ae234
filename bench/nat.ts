// `nat-established`: `l3-forward-1` with the router masquerading everything that leaves by its
// far veth (`-t nat -A POSTROUTING -o veth2 -j MASQUERADE`). The check run before measuring
// creates the 128 UDP flows' conntrack entries; measured frames belong to those flows, so each
// one goes through conntrack's lookup, the NAT rewrite of its source (address and checksum
// updated in place) and the confirmation step, but not through the nat table's chain.
import type { Benchmark } from './harness.ts';
import { l3Bench } from './l3.ts';

export const natBenchmarks: Benchmark[] = [
  l3Bench(1, { name: 'nat-established', script: 'ip netns exec r iptables -t nat -A POSTROUTING -o veth2 -j MASQUERADE' }),
];
