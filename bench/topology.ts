// Topologies for the packet-path benchmarks, built through the same command interpreter users
// run, and an injector that pushes 64-byte frames into a veth and runs the delivery queue.
import type { NetDevice } from '../src/kernel/device.ts';
import type { World } from '../src/kernel/world.ts';
import { runScenario } from '../src/scenario/run.ts';
import { copyWords, skbPool } from '../src/kernel/skb.ts';

/**
 * The router topology of the l3 benchmarks (and of tests of the forwarding path): a (10.1.0.2)
 * — r (10.1.0.1 | 10.2.0.1) — c (10.2.0.2), with fixed MAC addresses, all links up.
 */
export const ROUTER_TOPOLOGY = `
ip netns add a
ip netns add r
ip netns add c
ip -n a link add veth0 address 02:00:00:00:0a:01 type veth peer name veth1 address 02:00:00:00:0a:02 netns r
ip -n r link add veth2 address 02:00:00:00:0b:01 type veth peer name veth0 address 02:00:00:00:0b:02 netns c
ip -n a addr add 10.1.0.2/24 dev veth0
ip -n r addr add 10.1.0.1/24 dev veth1
ip -n r addr add 10.2.0.1/24 dev veth2
ip -n c addr add 10.2.0.2/24 dev veth0
ip -n a link set veth0 up
ip -n r link set veth1 up
ip -n r link set veth2 up
ip -n c link set veth0 up
`;

export async function build(script: string): Promise<World> {
  const r = await runScenario(script, { file: 'bench' });
  if (r.status !== 0) throw new Error(`bench topology failed (${r.status}): ${r.stderr}`);
  return r.world;
}

/**
 * Sends `frames` (a `frameLen`-stride buffer, `frameLen` a multiple of 8) round-robin into
 * `dev`, `n` at a time per batch.
 */
export function injector(world: World, dev: NetDevice, frames: Uint8Array, frameLen: number, batch = 256): (n: number) => number {
  const pool = skbPool;
  const count = frames.length / frameLen;
  if (frameLen % 8 !== 0 || frames.byteOffset % 8 !== 0) throw new Error('injector: frames must be 8-byte aligned');
  // Copy 64 bits at a time, as a NIC's DMA would fill the buffer (frames and slots are aligned).
  const words = new Float64Array(frames.buffer, frames.byteOffset, frames.length >> 3);
  const wordsPerFrame = frameLen >> 3;
  // The injector's own state lives in locals during a call (a closure's mutable variables are
  // loads and stores of its context on every use).
  const state = { next: 0, verify: false, arena: undefined as Uint8Array | undefined, arenaWords: words };
  const net = world.net;
  const inject = (n: number): number => {
    let next = state.next;
    const verify = state.verify;
    let arena = state.arena;
    let arenaWords = state.arenaWords;
    let done = 0;
    while (done < n) {
      const k = Math.min(batch, n - done);
      for (let i = 0; i < k; i++) {
        const slot = pool.alloc(frameLen);
        const b = pool.data[slot];
        if (b !== arena) {
          arena = b;
          arenaWords = new Float64Array(b.buffer, b.byteOffset, b.length >> 3);
        }
        const head = pool.head[slot];
        if (head & 7) throw new Error('injector: unaligned packet buffer');
        copyWords(arenaWords, head >> 3, words, next * wordsPerFrame, wordsPerFrame);
        if (verify) same(b, head, frames, next * frameLen, frameLen);
        if (++next === count) next = 0;
        net.xmit(slot, dev);
      }
      net.run();
      done += k;
    }
    state.next = next;
    state.arena = arena;
    state.arenaWords = arenaWords;
    return n;
  };
  // The copy must give the frames' bytes back exactly: checked once for every frame.
  state.verify = true;
  inject(count);
  state.verify = false;
  return inject;
}

function same(b: Uint8Array, o: number, frames: Uint8Array, f: number, len: number): void {
  for (let i = 0; i < len; i++) if (b[o + i] !== frames[f + i]) throw new Error(`injector: frame at ${f} altered at byte ${i}`);
}
