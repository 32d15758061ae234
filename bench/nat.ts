// `nat-established`: `l3-forward-1` with the router masquerading everything that leaves by its
// far veth (`-t nat -A POSTROUTING -o veth2 -j MASQUERADE`). The check run before measuring
// creates the 128 UDP flows' conntrack entries, and each flow then gets one reply from the far
// side, so every measured frame belongs to an ESTABLISHED connection: it goes through
// conntrack's lookup, the NAT rewrite of its source (address and checksum updated in place) and
// the confirmation step, but not through the nat table's chain.
import type { Benchmark } from './harness.ts';
import { l3Bench } from './l3.ts';
import { injector } from './topology.ts';
import type { World } from '../src/kernel/world.ts';
import type { CtTable } from '../src/kernel/netfilter/conntrack.ts';
import { IPS_SEEN_REPLY } from '../src/kernel/netfilter/conntrack-consts.ts';
import { emitEthernet, emitIpv4, emitUdp, formatIpv4Addr } from '../src/wire/index.ts';

const FLOWS = 128;
const FRAME = 64;

/** One reply per flow, 10.100.0.N:2000 → 10.2.0.1:1000 (the masqueraded source), sent by c. */
function replies(world: World): void {
  const frames = new Uint8Array(FLOWS * FRAME);
  for (let i = 0; i < FLOWS; i++) {
    const udp = emitUdp({ srcPort: 2000, dstPort: 1000, payload: new Uint8Array(FRAME - 14 - 20 - 8), checksum: 0 });
    const ip = emitIpv4({
      version: 4, ihl: 5, tos: 0, totalLength: 20 + udp.length, id: i, rf: false, df: false, mf: false, fragmentOffset: 0,
      ttl: 64, protocol: 17, src: formatIpv4Addr(0x0a640001 + i), dst: '10.2.0.1', options: [], payload: udp,
    });
    frames.set(emitEthernet({ dst: '02:00:00:00:0b:01', src: '02:00:00:00:0b:02', vlans: [], etherType: 0x0800, payload: ip }), i * FRAME);
  }
  injector(world, world.netns.get('c')!.device('veth0')!, frames, FRAME)(FLOWS);
  const ct = world.netns.get('r')!.netfilter.conntrack as CtTable;
  let established = 0;
  for (const c of ct.conns) if (c !== undefined && (c.status & IPS_SEEN_REPLY) !== 0) established++;
  if (established !== FLOWS) throw new Error(`nat-established: ${established} of ${FLOWS} flows saw a reply`);
}

export const natBenchmarks: Benchmark[] = [
  l3Bench(1, { name: 'nat-established', script: 'ip netns exec r iptables -t nat -A POSTROUTING -o veth2 -j MASQUERADE', prepared: replies }),
];
