// Malformed and random frames through the whole packet path (veth, bridge, router, ARP, ICMP,
// fragments): nothing may throw out of the pipeline, and packet buffers must not leak (what
// is still held is only what the kernel would hold: reassembly and ARP queues).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../src/scenario/run.ts';
import { emitEthernet, emitIcmp, emitIpv4 } from '../../src/wire/index.ts';

const SETUP = `
ip netns add h
ip netns add r
ip netns add c
ip link add br0 type bridge
ip link set br0 up
ip -n h link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02 netns r
ip -n r link add veth2 address 02:00:00:00:00:03 type veth peer name veth0 address 02:00:00:00:00:04 netns c
ip -n h addr add 10.1.0.2/24 dev veth0
ip -n r addr add 10.1.0.1/24 dev veth1
ip -n r addr add 10.2.0.1/24 dev veth2
ip -n c addr add 10.2.0.2/24 dev veth0
ip -n h link set veth0 up
ip -n r link set veth1 up
ip -n r link set veth2 up
ip -n c link set veth0 up
ip -n h link set lo up
ip -n r link set lo up
ip -n c link set lo up
ip -n h route add default via 10.1.0.1
ip -n c route add default via 10.2.0.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
`;

function validPing(): Uint8Array {
  const icmp = emitIcmp({ type: 8, code: 0, identifier: 1, sequence: 1, data: new Uint8Array(32) });
  const ip = emitIpv4({
    version: 4, ihl: 5, tos: 0, totalLength: 20 + icmp.length, id: 1, rf: false, df: false, mf: false, fragmentOffset: 0,
    ttl: 64, protocol: 1, src: '10.1.0.2', dst: '10.2.0.2', options: [], payload: icmp,
  });
  return emitEthernet({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', vlans: [], etherType: 0x0800, payload: ip });
}

describe('the packet path on hostile input', () => {
  it('survives random and mutated frames without throwing or leaking buffers', async () => {
    const { world } = await runScenario(SETUP, { seed: 3 });
    const h = world.netns.get('h')!;
    const dev = h.device('veth0')!;
    const base = validPing();
    const net = world.net;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 120 }),
          fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: base.length })).map(([i, v, cut]) => {
            const b = base.slice(0, cut);
            if (i < b.length) b[i] = v;
            return b;
          }),
        ),
        (frame) => {
          const slot = net.pool.fromBytes(frame);
          net.xmit(slot, dev);
          net.run();
        },
      ),
      { numRuns: 3000 },
    );
    // Let every timer run (ARP failures, reassembly timeouts), then nothing may be left over.
    world.clock.tick(120_000);
    net.run();
    expect(net.pool.inUse).toBe(0);
    // The mutated frames did exercise the whole path: some were forwarded, some rejected.
    const r = world.netns.get('r')!;
    expect(r.inet.snmp.ip[5]).toBeGreaterThan(0); // ForwDatagrams
    expect(r.inet.snmp.ip[3]).toBeGreaterThan(0); // InHdrErrors
    expect(world.netns.get('c')!.device('veth0')!.stats.rxPackets).toBeGreaterThan(0);
  });
});
