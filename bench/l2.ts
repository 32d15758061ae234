// `l2-unicast`: 64-byte frames veth → bridge → veth, 1 000 source and 1 000 destination MACs
// learnt; `l2-flood`: broadcast frames into an 8-port bridge. Frames are injected at a
// container's veth and counted where they leave the bridge's far port(s).
import type { Bridge } from '../src/kernel/bridge/bridge.ts';
import type { NetDevice } from '../src/kernel/device.ts';
import type { Benchmark } from './harness.ts';
import { build, injector } from './topology.ts';

const FRAME = 64;
const MACS = 1000;
/** A local experimental EtherType: the far ends drop the frames at once (no protocol handler). */
const ETHERTYPE = 0x88b5;

function mac(b: Uint8Array, o: number, tag: number, i: number): void {
  b.set([0x02, tag, 0, 0, (i >> 8) & 0xff, i & 0xff], o);
}

function frames(count: number, fill: (b: Uint8Array, o: number, i: number) => void): Uint8Array {
  const out = new Uint8Array(count * FRAME);
  for (let i = 0; i < count; i++) {
    const o = i * FRAME;
    fill(out, o, i);
    out[o + 12] = ETHERTYPE >> 8;
    out[o + 13] = ETHERTYPE & 0xff;
  }
  return out;
}

/** br0 in namespace b with `ports` ports; port i leads to namespace hi's veth0. */
function topology(ports: number): string {
  let s = 'ip netns add b\nip -n b link add br0 address 02:00:00:00:ff:01 type bridge mcast_snooping 0\n';
  for (let i = 1; i <= ports; i++) {
    s += `ip netns add h${i}
ip -n b link add p${i} address 02:00:00:00:0${i}:01 type veth peer name veth0 address 02:00:00:00:0${i}:02 netns h${i}
ip -n b link set p${i} master br0
ip -n b link set p${i} up
ip -n h${i} link set veth0 up
`;
  }
  return s + 'ip -n b link set br0 up\n';
}

function bench(name: string, prepare: () => Promise<{ run: (n: number) => number }>): Benchmark {
  let run: ((n: number) => number) | undefined;
  return {
    name,
    unit: 'packets',
    async prepare() {
      run = (await prepare()).run;
    },
    setup: () => run!,
    batch: 1024,
  };
}

function checked(out: NetDevice, inject: (n: number) => number, perFrame: number, what: string): (n: number) => number {
  const before = out.stats.txPackets;
  inject(1024);
  const got = out.stats.txPackets - before;
  if (got !== 1024 * perFrame) throw new Error(`${what}: ${got} of ${1024 * perFrame} frames left the bridge`);
  return inject;
}

export const l2Benchmarks: Benchmark[] = [
  bench('l2-unicast', async () => {
    const world = await build(topology(2));
    const b = world.netns.get('b')!;
    // 1 000 MACs behind p2, learnt from frames sent up from h2 …
    const learn = frames(MACS, (f, o, i) => {
      f.fill(0xff, o, o + 6);
      mac(f, o + 6, 0xd0, i);
    });
    injector(world, world.netns.get('h2')!.device('veth0')!, learn, FRAME)(MACS);
    // … and frames from 1 000 sources behind p1 to them.
    const traffic = frames(MACS, (f, o, i) => {
      mac(f, o, 0xd0, (i * 7) % MACS);
      mac(f, o + 6, 0x50, i);
    });
    const inject = injector(world, world.netns.get('h1')!.device('veth0')!, traffic, FRAME);
    const br = b.device('br0') as Bridge;
    const run = checked(b.device('p2')!, inject, 1, 'l2-unicast');
    if (br.fdb.count < 2 * MACS) throw new Error(`l2-unicast: ${br.fdb.count} FDB entries`);
    return { run };
  }),
  bench('l2-flood-8', async () => {
    const world = await build(topology(8));
    const traffic = frames(MACS, (f, o, i) => {
      f.fill(0xff, o, o + 6);
      mac(f, o + 6, 0x50, i);
    });
    const inject = injector(world, world.netns.get('h1')!.device('veth0')!, traffic, FRAME);
    return { run: checked(world.netns.get('b')!.device('p8')!, inject, 1, 'l2-flood-8') };
  }),
];
