// The bridge beyond the recorded scenarios: STP settling a loop (and a loop without STP stopped
// and reported), the per-port flags, learning and ageing rules, and frames moving ports.
import { describe, expect, it } from 'vitest';
import { Bridge } from '../../src/kernel/bridge/bridge.ts';
import { BR_STATE_BLOCKING, BR_STATE_FORWARDING } from '../../src/kernel/bridge/port.ts';
import { StormError } from '../../src/kernel/scheduler.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { formatMac } from '../../src/wire/addr.ts';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';
import { runCommand } from '../cli/fixture-replay.ts';

/** br0 in namespace h with containers c1…cN (10.0.0.N/24) on ports vethN. */
function star(n: number, extra = ''): string {
  let s = 'ip netns add h\nip -n h link add br0 type bridge mcast_snooping 0\n';
  for (let i = 1; i <= n; i++) {
    s += `ip netns add c${i}
ip -n h link add veth${i} address 02:00:00:00:0${i}:01 type veth peer name eth0 address 02:00:00:00:0${i}:02 netns c${i}
ip -n h link set veth${i} master br0
ip -n c${i} addr add 10.0.0.${i}/24 dev eth0
ip -n c${i} link set eth0 up
ip -n h link set veth${i} up
`;
  }
  return s + 'ip -n h link set br0 up\n' + extra;
}

function learnt(br: Bridge): string[] {
  const f = br.fdb;
  return f.ids().filter((id) => !(f.flags[id] & 1)).map((id) => `${formatMac(f.mac(id))}@${br.portByNo[f.port[id]]?.dev.name}`).sort();
}

/** Frames seen leaving each port device (their destination MACs). */
function watch(br: Bridge): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const p of br.ports) {
    const list: string[] = [];
    seen.set(p.dev.name, list);
    p.dev.taps.push((f, dir) => {
      if (dir === 4) list.push(formatMac(f.subarray(0, 6)));
    });
  }
  return seen;
}

describe('bridge', () => {
  it('with STP on, a loop of two bridges settles with one port blocking, and pings cross it', async () => {
    const { world, stdout, status } = await runScenario(`
ip netns add s1
ip netns add s2
ip netns add c1
ip netns add c2
ip -n s1 link add br0 address 02:00:00:00:0a:01 type bridge stp_state 1 forward_delay 200 mcast_snooping 0
ip -n s2 link add br0 address 02:00:00:00:0b:01 type bridge stp_state 1 forward_delay 200 mcast_snooping 0
ip -n s1 link add l1 type veth peer name l1 netns s2
ip -n s1 link add l2 type veth peer name l2 netns s2
ip -n s1 link add veth0 type veth peer name eth0 netns c1
ip -n s2 link add veth0 type veth peer name eth0 netns c2
for ns in s1 s2; do for d in l1 l2 veth0; do ip -n $ns link set $d master br0; ip -n $ns link set $d up; done; ip -n $ns link set br0 up; done
ip -n c1 addr add 10.0.0.1/24 dev eth0
ip -n c2 addr add 10.0.0.2/24 dev eth0
ip -n c1 link set eth0 up
ip -n c2 link set eth0 up
sleep 10
ip netns exec s2 bridge link show
ip netns exec c1 ping -c 2 10.0.0.2
`);
    expect(status).toBe(0);
    const s2 = world.netns.get('s2')!.device('br0') as Bridge;
    expect(s2.ports.map((p) => [p.dev.name, p.state]).sort()).toEqual([
      ['l1', BR_STATE_FORWARDING], ['l2', BR_STATE_BLOCKING], ['veth0', BR_STATE_FORWARDING]]);
    expect(stdout).toContain('4: l2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state blocking');
    expect(stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
  });

  it('with STP off, a loop floods a broadcast until the storm bound stops it, naming the bridges', async () => {
    const run = runScenario(`
ip netns add a
ip netns add h1
ip -n a link add br0 type bridge
ip -n a link add br1 type bridge
ip -n a link add l1a type veth peer name l1b
ip -n a link add l2a type veth peer name l2b
ip -n a link set l1a master br0
ip -n a link set l2a master br0
ip -n a link set l1b master br1
ip -n a link set l2b master br1
ip -n a link add veth0 type veth peer name eth0 netns h1
ip -n a link set veth0 master br0
ip -n h1 addr add 10.0.0.1/24 dev eth0
for d in l1a l1b l2a l2b veth0 br0 br1; do ip -n a link set $d up; done
ip -n h1 link set eth0 up
ip netns exec h1 ping -c 1 -W 1 10.0.0.2
`);
    await expect(run).rejects.toThrow(StormError);
    await expect(run).rejects.toThrow(/a forwarding loop through bridges a\/br0 \(STP off\), a\/br1 \(STP off\)/);
  });

  it('floods unknown unicast only to ports with flood on, broadcast only with bcast_flood on', async () => {
    const { world } = await runScenario(star(3, `
bridge -n h link set dev veth3 flood off
ip -n c1 neigh add 10.0.0.2 lladdr 02:00:00:00:02:02 dev eth0 nud permanent
`));
    const br = world.netns.get('h')!.device('br0') as Bridge;
    const seen = watch(br);
    const c1 = world.netns.get('c1')!;
    const echo = Uint8Array.of(8, 0, 0xf7, 0xff, 0, 0, 0, 0);
    ipSendLocal(c1, { dst: 0x0a000002, protocol: 1, payload: echo });
    expect(seen.get('veth2')![0]).toBe('02:00:00:00:02:02');
    expect(seen.get('veth3')).not.toContain('02:00:00:00:02:02');
    await runCommand(world, 'bridge -n h link set dev veth3 bcast_flood off');
    for (const list of seen.values()) list.length = 0;
    ipSendLocal(c1, { dst: 0x0a0000ff, protocol: 1, broadcast: true, payload: echo });
    expect(seen.get('veth2')).toEqual(['ff:ff:ff:ff:ff:ff']);
    expect(seen.get('veth3')).toEqual([]);
  });

  it('learns sources on learning ports only, moves an entry when its MAC shows up elsewhere, keeps sticky ones', async () => {
    const { world } = await runScenario(star(3, `
ip netns exec c1 ping -c 1 10.0.0.2
bridge -n h link set dev veth3 learning off
ip netns exec c3 ping -c 1 10.0.0.2
`));
    const br = world.netns.get('h')!.device('br0') as Bridge;
    expect(learnt(br)).toEqual(['02:00:00:00:01:02@veth1', '02:00:00:00:02:02@veth2']);
    // c1's MAC moves behind veth3 (a container moved): its entry follows, unless sticky.
    await runCommand(world, 'bridge -n h link set dev veth3 learning on');
    await runCommand(world, 'ip -n c3 link set eth0 address 02:00:00:00:01:02');
    await runCommand(world, 'ip netns exec c3 ping -c 1 10.0.0.2');
    expect(learnt(br)).toContain('02:00:00:00:01:02@veth3');
    await runCommand(world, 'bridge -n h fdb replace 02:00:00:00:01:02 dev veth1 master static sticky');
    await runCommand(world, 'ip netns exec c3 ping -c 1 10.0.0.2');
    expect(learnt(br)).toContain('02:00:00:00:01:02@veth1');
  });

  it('sends a frame back out of its ingress port only in hairpin mode', async () => {
    const { world } = await runScenario(star(2, 'ip netns exec c1 ping -c 1 10.0.0.2\n'));
    const br = world.netns.get('h')!.device('br0') as Bridge;
    const seen = watch(br);
    const net = world.net;
    // A frame from c1 to its own MAC comes back to veth1 only with hairpin on.
    const frame = Uint8Array.from([2, 0, 0, 0, 1, 2, 2, 0, 0, 0, 2, 2, 0x88, 0xb5, 0, 0]);
    const send = () => {
      net.xmit(net.pool.fromBytes(frame), world.netns.get('c2')!.device('eth0')!);
      net.run();
    };
    frame.set([2, 0, 0, 0, 2, 2], 0);
    send();
    expect(seen.get('veth2')).toEqual([]);
    br.portByNo[2]!.flags |= 1;
    send();
    expect(seen.get('veth2')).toEqual(['02:00:00:00:02:02']);
  });

  it('learns nothing with ageing_time 0, and ages entries out after ageing_time', async () => {
    const { world } = await runScenario(star(2, 'ip -n h link set br0 type bridge ageing_time 0\nip netns exec c1 ping -c 1 10.0.0.2\n'));
    const br = world.netns.get('h')!.device('br0') as Bridge;
    expect(learnt(br)).toEqual([]);
    await runCommand(world, 'ip -n h link set br0 type bridge ageing_time 1000');
    await runCommand(world, 'ip netns exec c1 ping -c 1 10.0.0.2');
    expect(learnt(br)).toHaveLength(2);
    // c2's neighbour probe (5 s after it answered) refreshes both entries; 10 s after it they go.
    world.clock.tick(14000);
    expect(learnt(br)).toHaveLength(2);
    world.clock.tick(2000);
    expect(learnt(br)).toEqual([]);
  });
});
