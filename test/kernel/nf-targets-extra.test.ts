// TCPMSS, TTL, TOS, DSCP, NFQUEUE and the targets that change nothing (CHECKSUM, NFLOG, TRACE,
// AUDIT, CLASSIFY) on the packet path (src/kernel/netfilter/xt-targets.ts). A router r forwards
// from a (10.1.0.0/24) to c (10.2.0.0/24, the link to c has MTU 1200); frames are injected at a
// and compared whole as c receives them with the frame built from scratch (every checksum
// recomputed), so both the rewrite and the kernel's incremental checksum arithmetic are checked.
import { describe, expect, it } from 'vitest';
import { ROUTER_TOPOLOGY } from '../../bench/topology.ts';
import { runScenario } from '../../src/scenario/run.ts';
import type { World } from '../../src/kernel/world.ts';
import { TAP_IN } from '../../src/kernel/netif.ts';
import { computeTcpChecksum, emitEthernet, emitIpv4, emitTcp, emitUdp, hex, parseIpv4Addr } from '../../src/wire/index.ts';

const SCRIPT = `
${ROUTER_TOPOLOGY}
ip -n c route add default via 10.2.0.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip -n r link set veth2 mtu 1200
`;

const SYN = 0x02;
const ACK = 0x10;
const MSS_1460 = [2, 4, 0x05, 0xb4];
/** What Linux sends in a SYN: MSS, SACK permitted, timestamps, NOP, window scale 7. */
const LINUX_SYN_OPTS = [...MSS_1460, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7];

interface Pkt {
  tcpFlags?: number;
  opts?: number[];
  payload?: number;
  ttl?: number;
  tos?: number;
  udp?: boolean;
}

/** The frame a sends (hop 0) or c receives (hop 1: TTL one less, the second link's MACs). */
function frame(p: Pkt, hop: 0 | 1): Uint8Array {
  let l4: Uint8Array;
  if (p.udp) l4 = emitUdp({ srcPort: 68, dstPort: 67, payload: new Uint8Array(p.payload ?? 12).fill(7), checksum: 0 });
  else {
    const opts = new Uint8Array(p.opts ?? []);
    l4 = emitTcp({
      srcPort: 40000, dstPort: 80, seq: 0x01020304, ack: 0, flags: p.tcpFlags ?? SYN, window: 64240, urgentPointer: 0,
      options: opts, payload: new Uint8Array(p.payload ?? 0).fill(0x61),
    });
    const c = computeTcpChecksum(l4, 0, l4.length, parseIpv4Addr('10.1.0.2'), parseIpv4Addr('10.2.0.2'));
    l4[16] = c >>> 8;
    l4[17] = c & 0xff;
  }
  const ip = emitIpv4({
    version: 4, ihl: 5, tos: p.tos ?? 0, totalLength: 20 + l4.length, id: 0x4242, rf: false, df: true, mf: false, fragmentOffset: 0,
    ttl: (p.ttl ?? 64) - hop, protocol: p.udp ? 17 : 6, src: '10.1.0.2', dst: '10.2.0.2', options: [], payload: l4,
  });
  return hop === 0
    ? emitEthernet({ dst: '02:00:00:00:0a:02', src: '02:00:00:00:0a:01', vlans: [], etherType: 0x0800, payload: ip })
    : emitEthernet({ dst: '02:00:00:00:0b:02', src: '02:00:00:00:0b:01', vlans: [], etherType: 0x0800, payload: ip });
}

interface Net {
  world: World;
  /** IPv4 frames c received. */
  got: string[];
  send(p: Pkt): void;
}

async function router(rules: string): Promise<Net> {
  const { world, stdout, stderr } = await runScenario(SCRIPT + rules, { seed: 5 });
  expect(stderr, stdout).toBe('');
  const got: string[] = [];
  world.netns.get('c')!.device('veth0')!.taps.push((f, dir) => {
    if (dir === TAP_IN && f[12] === 0x08 && f[13] === 0x00) got.push(hex(f));
  });
  const send = (p: Pkt): void => {
    const net = world.net;
    net.xmit(net.pool.fromBytes(frame(p, 0)), world.netns.get('a')!.device('veth0')!);
    net.run();
  };
  return { world, got, send };
}

/** The frame c should receive for `sent`, with `change` applied to the packet. */
const want = (sent: Pkt, change: Pkt = {}): string => hex(frame({ ...sent, ...change }, 1));

const CLAMP = 'ip netns exec r iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n';

describe('TCPMSS', () => {
  it('clamps the MSS option of a SYN to the path MTU (1200 - 40) with the checksum updated', async () => {
    const n = await router(CLAMP);
    const sent = { opts: LINUX_SYN_OPTS };
    n.send(sent);
    expect(n.got).toEqual([want(sent, { opts: [2, 4, 0x04, 0x88, ...LINUX_SYN_OPTS.slice(4)] })]);
  });

  it('never raises an MSS, and leaves segments the rule does not match alone', async () => {
    const n = await router(CLAMP);
    const low = { opts: [2, 4, 0x03, 0xe8] };
    const ack = { tcpFlags: ACK, opts: MSS_1460 };
    const synAck = { tcpFlags: SYN | ACK, opts: MSS_1460 };
    n.send(low);
    n.send(ack);
    n.send(synAck);
    expect(n.got).toEqual([want(low), want(ack), want(synAck, { opts: [2, 4, 0x04, 0x88] })]);
  });

  it('inserts an MSS option (at most 536) into a SYN without one: doff, lengths and both checksums follow', async () => {
    const n = await router(CLAMP);
    const bare = {};
    const wscale = { opts: [1, 3, 3, 7] };
    n.send(bare);
    n.send(wscale);
    expect(n.got).toEqual([want(bare, { opts: [2, 4, 0x02, 0x18] }), want(wscale, { opts: [2, 4, 0x02, 0x18, 1, 3, 3, 7] })]);
  });

  it('does not insert into a SYN carrying data, and --set-mss lowers but never raises', async () => {
    const n = await router(`${CLAMP}ip netns exec r iptables -t mangle -A POSTROUTING -p tcp --syn -j TCPMSS --set-mss 1000\n`);
    const data = { payload: 10 };
    const big = { opts: LINUX_SYN_OPTS };
    n.send(data);
    n.send(big);
    expect(n.got).toEqual([want(data), want(big, { opts: [2, 4, 0x03, 0xe8, ...LINUX_SYN_OPTS.slice(4)] })]);
    const r = n.world.netns.get('r')!.netfilter.tables.mangle;
    expect(r.chain('POSTROUTING')!.rules.map((x) => [x.pkts, x.bytes])).toEqual([[2, 40 + 10 + 40 + 20]]);
  });

  it('a rule after an insertion counts the longer packet', async () => {
    const n = await router(`${CLAMP}ip netns exec r iptables -t mangle -A FORWARD -p tcp\n`);
    n.send({});
    const rules = n.world.netns.get('r')!.netfilter.tables.mangle.chain('FORWARD')!.rules;
    expect(rules.map((x) => [x.pkts, x.bytes])).toEqual([[1, 40], [1, 44]]);
  });
});

describe('TTL, TOS, DSCP', () => {
  it('TTL --ttl-set / --ttl-inc / --ttl-dec rewrite the TTL with the header checksum updated', async () => {
    const set = await router('ip netns exec r iptables -t mangle -A PREROUTING -j TTL --ttl-set 9\n');
    set.send({ ttl: 64 });
    expect(set.got).toEqual([want({ ttl: 64 }, { ttl: 9 })]);
    const dec = await router('ip netns exec r iptables -t mangle -A POSTROUTING -j TTL --ttl-dec 100\n');
    dec.send({ ttl: 64 });
    expect(dec.got).toEqual([want({ ttl: 64 }, { ttl: 1 })]);
    const inc = await router('ip netns exec r iptables -t mangle -A POSTROUTING -j TTL --ttl-inc 200\n');
    inc.send({ ttl: 64 });
    expect(inc.got).toEqual([want({ ttl: 64 }, { ttl: 256 })]);
  });

  it('TOS --set-tos/--and-tos/--or-tos/--xor-tos and DSCP (ECN bits kept) rewrite the TOS byte', async () => {
    const cases: Array<[string, number, number]> = [
      // A name implies the mask 0x3f: the ECN bits are cleared with the rest.
      ['TOS --set-tos Minimize-Delay', 0xc3, 0xd0],
      ['TOS --set-tos 0x08', 0xc3, 0x08],
      ['TOS --and-tos 0x0f', 0xc3, 0x03],
      ['TOS --or-tos 0x20', 0x01, 0x21],
      ['TOS --xor-tos 0x04', 0x05, 0x01],
      ['DSCP --set-dscp-class EF', 0x01, 0xb9],
      ['DSCP --set-dscp 0', 0xff, 0x03],
    ];
    for (const [target, before, after] of cases) {
      const n = await router(`ip netns exec r iptables -t mangle -A FORWARD -j ${target}\n`);
      const udp = { udp: true, tos: before };
      n.send(udp);
      expect(n.got, target).toEqual([want(udp, { tos: after })]);
    }
  });
});

describe('NFQUEUE, CHECKSUM, NFLOG, TRACE, AUDIT, CLASSIFY', () => {
  it('NFQUEUE without a listener drops, with --queue-bypass it lets the packet on to the next table', async () => {
    const drop = await router('ip netns exec r iptables -A FORWARD -j NFQUEUE --queue-num 3\n');
    drop.send({ udp: true });
    expect(drop.got).toEqual([]);
    expect(drop.world.net.pool.inUse).toBe(0);
    const bypass = await router(`ip netns exec r iptables -A FORWARD -j NFQUEUE --queue-bypass
ip netns exec r iptables -A FORWARD -j DROP
ip netns exec r iptables -t mangle -A POSTROUTING -j TTL --ttl-set 33
`);
    bypass.send({ udp: true });
    expect(bypass.got).toEqual([want({ udp: true }, { ttl: 34 })]);
    // c's port unreachable about it comes back through r's FORWARD chain the same way.
    const f = bypass.world.netns.get('r')!.netfilter.tables.filter.chain('FORWARD')!.rules;
    expect(f.map((x) => x.pkts)).toEqual([2, 0]);
  });

  it('the targets with no effect nslab models count and let evaluation go on', async () => {
    const n = await router(`ip netns exec r iptables -t mangle -A POSTROUTING -p udp --dport 67 -j CHECKSUM --checksum-fill
ip netns exec r iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10
ip netns exec r iptables -t raw -A PREROUTING -j TRACE
ip netns exec r iptables -A FORWARD -j NFLOG --nflog-group 5 --nflog-prefix fwd
ip netns exec r iptables -A FORWARD -j AUDIT --type accept
ip netns exec r iptables -A FORWARD -j DROP
`);
    const udp = { udp: true };
    n.send(udp);
    expect(n.got).toEqual([]);
    const r = n.world.netns.get('r')!.netfilter.tables;
    expect(r.filter.chain('FORWARD')!.rules.map((x) => x.pkts)).toEqual([1, 1, 1]);
    expect(r.raw.chain('PREROUTING')!.rules.map((x) => x.pkts)).toEqual([1]);
    const pass = await router(`ip netns exec r iptables -t mangle -A POSTROUTING -p udp --dport 67 -j CHECKSUM --checksum-fill
ip netns exec r iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10
ip netns exec r iptables -A FORWARD -j NFLOG
`);
    pass.send(udp);
    expect(pass.got).toEqual([want(udp)]);
    // CLASSIFY also counts c's port unreachable going back.
    expect(pass.world.netns.get('r')!.netfilter.tables.mangle.chain('POSTROUTING')!.rules.map((x) => x.pkts)).toEqual([1, 2]);
  });
});
