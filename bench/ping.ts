// `ping`: ICMP echo request/reply pairs across a bridge, as the ping tool makes them: a raw
// ICMP socket in h1 sends an echo request to h2 (ip_local_out, ARP, the bridge, h2's ICMP
// answering through its own output path) and gets the reply back, all at one virtual instant.
// A pair is one sendto and its reply in the socket's receive queue. The socket path copies
// what it sends and receives (as the real socket calls do), so this one allocates.
import type { Benchmark } from './harness.ts';
import { build } from './topology.ts';
import { RawSocket } from '../src/kernel/ipv4/raw.ts';
import { internetChecksum } from '../src/wire/checksum.ts';

const DST = 0x0a000002;

export const pingBenchmarks: Benchmark[] = [(() => {
  let run: ((n: number) => number) | undefined;
  return {
    name: 'ping',
    unit: 'pairs',
    async prepare() {
      const world = await build(`ip netns add b
ip -n b link add br0 type bridge
ip -n b link set br0 up
ip netns add h1
ip netns add h2
ip -n b link add p1 type veth peer name eth0 netns h1
ip -n b link add p2 type veth peer name eth0 netns h2
ip -n b link set p1 master br0
ip -n b link set p2 master br0
ip -n b link set p1 up
ip -n b link set p2 up
ip -n h1 addr add 10.0.0.1/24 dev eth0
ip -n h2 addr add 10.0.0.2/24 dev eth0
ip -n h1 link set eth0 up
ip -n h2 link set eth0 up
`);
      const sock = new RawSocket(world.netns.get('h1')!, 1);
      // An echo request as ping sends it: type 8, id, sequence, 56 bytes of data.
      const echo = new Uint8Array(64);
      echo[0] = 8;
      echo[4] = 0x12;
      echo[5] = 0x34;
      let seq = 0;
      const pair = (): void => {
        seq = (seq + 1) & 0xffff;
        echo[2] = echo[3] = 0;
        echo[6] = seq >> 8;
        echo[7] = seq & 0xff;
        const c = internetChecksum(echo, 0, echo.length);
        echo[2] = c >> 8;
        echo[3] = c & 0xff;
        if (sock.sendto(DST, echo) !== 0) throw new Error('ping: sendto failed');
      };
      // The first pair also resolves the addresses (ARP, answered at the same instant).
      pair();
      if (sock.received.length !== 1) throw new Error('ping: no reply to the first request');
      sock.received.length = 0;
      run = (n) => {
        for (let i = 0; i < n; i++) pair();
        const got = sock.received.length;
        sock.received.length = 0;
        if (got !== n) throw new Error(`ping: ${got} replies to ${n} requests`);
        return n;
      };
      run(16);
    },
    setup: () => run!,
    batch: 256,
  };
})()];
