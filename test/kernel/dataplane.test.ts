// The IPv4 packet path end to end between two namespaces: ARP resolution with the queued
// packet sent after it, echo replies as the kernel builds them, neighbour states, counters.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';
import { RawSocket } from '../../src/kernel/ipv4/raw.ts';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';
import { NUD_DELAY, NUD_REACHABLE } from '../../src/kernel/ipv4/constants.ts';
import { IP_IN_DELIVERS, IP_IN_RECEIVES, IP_OUT_REQUESTS } from '../../src/kernel/ipv4/snmp.ts';
import { emitIcmp, fromHex, hex, parseEthernet, parseIcmp, parseIpv4 } from '../../src/wire/index.ts';

async function twoHosts() {
  const { world } = await runScenario(`
ip netns add a
ip netns add b
ip -n a link add veth0 address 02:00:00:00:01:01 type veth peer name veth0 address 02:00:00:00:01:02 netns b
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set veth0 up
ip -n b link set veth0 up
`, { seed: 1 });
  const a = world.netns.get('a')!;
  const b = world.netns.get('b')!;
  const frames: Uint8Array[] = [];
  a.device('veth0')!.taps.push((f) => frames.push(f.slice()));
  return { world, a, b, frames };
}

function echo(seq: number, tos = 0) {
  return { dst: 0x0a000002, protocol: 1, tos, payload: emitIcmp({ type: 8, code: 0, identifier: 0x1234, sequence: seq, data: new Uint8Array(56).map((_, i) => i) }) };
}

describe('IPv4 packet path', () => {
  it('resolves the neighbour with a 42-byte broadcast request, then sends the queued echo', async () => {
    const { a, frames } = await twoHosts();
    const sock = new RawSocket(a, 1);
    expect(ipSendLocal(a, echo(1)).error).toBe(0);
    expect(frames.map((f) => f.length)).toEqual([42, 42, 98, 98]);
    expect(hex(frames[0])).toBe(hex(fromHex('ffffffffffff 020000000101 0806 0001 0800 06 04 0001 020000000101 0a000001 000000000000 0a000002')));
    expect(hex(frames[1])).toBe(hex(fromHex('020000000101 020000000102 0806 0001 0800 06 04 0002 020000000102 0a000002 020000000101 0a000001')));
    const req = parseIpv4(parseEthernet(frames[2]).payload);
    expect(req).toMatchObject({ ttl: 64, df: true, protocol: 1, src: '10.0.0.1', dst: '10.0.0.2', checksumValid: true });
    expect(sock.received).toHaveLength(1);
  });

  it('answers an echo as the kernel does: TOS copied, DF clear, TTL 64, payload copied', async () => {
    const { a, frames } = await twoHosts();
    ipSendLocal(a, echo(7, 0x28));
    const reply = parseIpv4(parseEthernet(frames[3]).payload);
    expect(reply).toMatchObject({ tos: 0x28, df: false, ttl: 64, src: '10.0.0.2', dst: '10.0.0.1', checksumValid: true });
    const icmp = parseIcmp(reply.payload);
    expect(icmp).toMatchObject({ type: 0, code: 0, identifier: 0x1234, sequence: 7, checksumValid: true });
    expect(hex(icmp.data)).toBe(hex(new Uint8Array(56).map((_, i) => i)));
  });

  it('leaves the asker REACHABLE and the target DELAY (STALE, then used for the reply), and counts', async () => {
    const { a, b } = await twoHosts();
    ipSendLocal(a, echo(1));
    const na = a.ipv4.neigh.lookup(a.device('veth0')!, 0x0a000002)!;
    const nb = b.ipv4.neigh.lookup(b.device('veth0')!, 0x0a000001)!;
    expect(na.state).toBe(NUD_REACHABLE);
    expect(nb.state).toBe(NUD_DELAY);
    expect(a.inet.snmp.ip[IP_OUT_REQUESTS]).toBe(1);
    expect(b.inet.snmp.ip[IP_IN_RECEIVES]).toBe(1);
    expect(b.inet.snmp.ip[IP_IN_DELIVERS]).toBe(1);
    expect(a.device('veth0')!.stats).toMatchObject({ txPackets: 2, txBytes: 42 + 98, rxPackets: 2, rxBytes: 42 + 98 });
    expect(a.world.net.pool.inUse).toBe(0);
  });

  it('reports no route locally without sending anything', async () => {
    const { a, frames } = await twoHosts();
    expect(ipSendLocal(a, { ...echo(1), dst: 0x0b000001 }).error).toBe(-101);
    expect(frames).toHaveLength(0);
  });
});
