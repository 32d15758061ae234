// The LOG target's line (src/kernel/netfilter/log.ts) for crafted packets. There is no
// recording of real LOG output to compare with (a non-initial namespace logs nothing unless
// net.netfilter.nf_log_all_netns=1, and the recording machine's is 0), so every expected line
// below is derived from net/netfilter/nf_log_syslog.c (kernel 6.18), field by field, in the
// comment above it.
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import { nfLogPacket } from '../../src/kernel/netfilter/log.ts';
import { XT_LOG_IPOPT, XT_LOG_MACDECODE, XT_LOG_TCPOPT, XT_LOG_TCPSEQ, XT_LOG_UID } from '../../src/kernel/netfilter/types.ts';
import type { World } from '../../src/kernel/world.ts';
import type { NetNs } from '../../src/kernel/netns.ts';

const SETUP = `
ip netns add h1
ip netns add r
ip netns add b
ip -n h1 link add veth0 address 02:00:00:00:01:01 type veth peer name veth1 address 02:00:00:00:01:02 netns r
ip -n r link add veth2 address 02:00:00:00:02:02 type veth peer name veth9 netns h1
ip -n b link add br0 type bridge
ip -n b link add vb1 type veth peer name p1
ip -n b link add vb2 type veth peer name p2
ip -n b link set vb1 master br0
ip -n b link set vb2 master br0
`;

async function setup() {
  const { world, session } = openSession({ seed: 1 });
  const res = await session.run(SETUP);
  expect(res.stderr).toBe('');
  const r = world.netns.get('r')!;
  const h1 = world.netns.get('h1')!;
  const b = world.netns.get('b')!;
  return { world, r, h1, b };
}

const MAC_H1 = [0x02, 0, 0, 0, 0x01, 0x01];
const MAC_R = [0x02, 0, 0, 0, 0x01, 0x02];

function ip4(a: string): number[] {
  return a.split('.').map(Number);
}

interface IpOpts {
  tos?: number;
  id?: number;
  /** The flags+offset word (0x4000 DF, 0x2000 MF, offset in 8-byte units). */
  frag?: number;
  ttl?: number;
  proto: number;
  src: string;
  dst: string;
  options?: number[];
  /** tot_len when not the real length. */
  totLen?: number;
}

function ipPacket(o: IpOpts, payload: number[]): number[] {
  const opts = o.options ?? [];
  const hlen = 20 + opts.length;
  const total = o.totLen ?? hlen + payload.length;
  const id = o.id ?? 0;
  const frag = o.frag ?? 0;
  return [
    0x40 | (hlen >> 2), o.tos ?? 0, total >> 8, total & 0xff, id >> 8, id & 0xff, frag >> 8, frag & 0xff,
    o.ttl ?? 64, o.proto, 0, 0, ...ip4(o.src), ...ip4(o.dst), ...opts, ...payload,
  ];
}

function eth(dst: number[], src: number[], ip: number[]): number[] {
  return [...dst, ...src, 0x08, 0x00, ...ip];
}

/** A received frame (link header kept, network header 14 bytes in), as netif delivers it. */
function received(world: World, frame: number[], mark = 0): number {
  const pool = world.net.pool;
  const slot = pool.fromBytes(Uint8Array.from(frame));
  pool.nh[slot] = pool.head[slot] + 14;
  pool.mark[slot] = mark;
  return slot;
}

/** A locally built packet (no link header yet: network header at the head). */
function local(world: World, ip: number[], mark = 0): number {
  const pool = world.net.pool;
  const slot = pool.fromBytes(Uint8Array.from(ip));
  pool.mark[slot] = mark;
  return slot;
}

function lastLine(world: World): { level: number; text: string; ns: string } {
  const all = world.kmsg.all();
  const r = all[all.length - 1];
  return { level: r.level, text: r.text, ns: r.ns };
}

function log(ns: NetNs, slot: number, hook: number, inName: string | undefined, outName: string | undefined, flags = 0, prefix = '', level = 4, phys: [string?, string?] = []): string {
  const dev = (n: string | undefined) => (n === undefined ? undefined : ns.device(n)!);
  nfLogPacket(ns, slot, hook, dev(inName), dev(outName), dev(phys[0]), dev(phys[1]), level, flags, prefix);
  ns.world.net.pool.release(slot);
  return lastLine(ns.world).text;
}

const icmpEcho = (type: number, id: number, seq: number, data: number): number[] => [type, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, ...new Array(data).fill(0xab)];

describe('nfLogPacket', () => {
  it('echo request on INPUT: MAC= from the received frame, ICMP ID/SEQ', async () => {
    const { world, r } = await setup();
    const slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 0x1234, frag: 0x4000, proto: 1, src: '10.1.0.2', dst: '10.1.0.1' }, icmpEcho(8, 0x0abc, 1, 56))));
    // nf_log_dump_packet_common: prefix "in: ", "IN=veth1 OUT= ".
    // dump_mac_header (in != NULL, no --log-macdecode): "MAC=" + 14 bytes "%02x" joined by
    //   ':' (dst, src, EtherType) + " ".
    // dump_ipv4_packet: "SRC=10.1.0.2 DST=10.1.0.1 ", "LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4660 "
    //   (0x1234), "DF ", then "PROTO=ICMP ", "TYPE=8 CODE=0 ", echo: "ID=2748 SEQ=1 " (0x0abc).
    expect(log(r, slot, 1, 'veth1', undefined, 0, 'in: ')).toBe(
      'in: IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=4660 DF PROTO=ICMP TYPE=8 CODE=0 ID=2748 SEQ=1 ',
    );
    const rec = lastLine(world);
    expect(rec.level).toBe(4);
    expect(rec.ns).toBe('r');
  });

  it('forwarded UDP: IN and OUT, TOS split into TOS/PREC (upper-case hex), MARK in lower case', async () => {
    const { world, r } = await setup();
    // tos 0x28: TOS = 0x28 & 0x1e = 0x08, PREC = 0x28 & 0xe0 = 0x20. TTL already decremented
    // by ip_forward before the FORWARD hook (63). UDP: "SPT=40000 DPT=53 LEN=12 ".
    // MARK=0x%x for skb->mark 0xab (top level only).
    const udp = [0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 1, 2, 3, 4];
    const slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ tos: 0x28, id: 1, ttl: 63, proto: 17, src: '10.1.0.2', dst: '10.2.0.2' }, udp)), 0xab);
    expect(log(r, slot, 2, 'veth1', 'veth2', 0, 'FWD ', 6)).toBe(
      'FWD IN=veth1 OUT=veth2 MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.2.0.2 LEN=32 TOS=0x08 PREC=0x20 TTL=63 ID=1 PROTO=UDP SPT=40000 DPT=53 LEN=12 MARK=0xab ',
    );
    expect(lastLine(world).level).toBe(6);
  });

  it('TCP SYN with --log-tcp-sequence and --log-tcp-options', async () => {
    const { world, r } = await setup();
    // doff 10: 20 bytes of options (Linux's SYN: MSS 1460, SACK_PERM, TS 1/0, NOP, WS 7).
    const opts = [0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07];
    // flags 0xc2: CWR ECE SYN (an ECN-setup SYN), printed in the order AE CWR ECE URG ACK PSH RST SYN FIN.
    const tcp = [0xb2, 0x6e, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0xa0, 0xc2, 0xfa, 0xf0, 0, 0, 0, 0, ...opts];
    const slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ frag: 0x4000, proto: 6, src: '10.1.0.2', dst: '10.1.0.1' }, tcp)));
    // "PROTO=TCP ", "SPT=45678 DPT=80 ", XT_LOG_TCPSEQ: "SEQ=16909060 ACK=0 " (0x01020304),
    // "WINDOW=64240 ", "RES=0x00 " (flag word & 0x0E000000 >> 22), flags, "URGP=0 ",
    // XT_LOG_TCPOPT: "OPT (" + each option byte as %02X + ") ".
    expect(log(r, slot, 1, 'veth1', undefined, XT_LOG_TCPSEQ | XT_LOG_TCPOPT)).toBe(
      'IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=45678 DPT=80 SEQ=16909060 ACK=0 WINDOW=64240 RES=0x00 CWR ECE SYN URGP=0 OPT (020405B40402080A000000010000000001030307) ',
    );
    // Without the flags: no SEQ/ACK, no OPT.
    const slot2 = received(world, eth(MAC_R, MAC_H1, ipPacket({ frag: 0x4000, proto: 6, src: '10.1.0.2', dst: '10.1.0.1' }, tcp)));
    expect(log(r, slot2, 1, 'veth1', undefined)).toBe(
      'IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=45678 DPT=80 WINDOW=64240 RES=0x00 CWR ECE SYN URGP=0 ',
    );
  });

  it('TCP reserved bits, AE, every flag, urgent pointer', async () => {
    const { world, r } = await setup();
    // Byte 12 = 0x5f: doff 5, reserved bits 0x0e → RES = (0x0e << 24) >> 22 = 0x38, AE (bit 0).
    const tcp = [0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x5f, 0xff, 0, 10, 0, 0, 0x12, 0x34];
    const slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ proto: 6, src: '10.1.0.2', dst: '10.1.0.1', tos: 0xff }, tcp)));
    // TOS 0xff: TOS=0x1E PREC=0xE0 (the ECN bits are not shown). CE DF MF all set in frag word
    // 0xe000 (offset 0).
    const slot2 = received(world, eth(MAC_R, MAC_H1, ipPacket({ proto: 6, src: '10.1.0.2', dst: '10.1.0.1', frag: 0xe000 }, tcp)));
    expect(log(r, slot, 0, 'veth1', undefined)).toBe(
      'IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=40 TOS=0x1E PREC=0xE0 TTL=64 ID=0 PROTO=TCP SPT=1 DPT=2 WINDOW=10 RES=0x38 AE CWR ECE URG ACK PSH RST SYN FIN URGP=4660 ',
    );
    expect(log(r, slot2, 0, 'veth1', undefined)).toContain(' ID=0 CE DF MF PROTO=TCP SPT=1 ');
  });

  it('ICMP error: the quoted header in brackets, MTU for frag-needed; locally generated, so no MAC', async () => {
    const { world, r } = await setup();
    const quotedIp = ipPacket({ id: 7, frag: 0x4000, ttl: 63, proto: 17, src: '10.1.0.2', dst: '10.2.0.2', totLen: 1500 }, [0x9c, 0x40, 0x00, 0x35, 0x05, 0xc8, 0x12, 0x34]);
    const icmp = [3, 4, 0, 0, 0, 0, 0x05, 0x78, ...quotedIp];
    const slot = local(world, ipPacket({ tos: 0xc0, id: 100, proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, icmp), 5);
    // OUTPUT: in == NULL, so no MAC at all. ICMP 3/4: "TYPE=3 CODE=4 ", then (iphoff 0) "["
    // + dump_ipv4_packet at offset 20 + 8 (the quoted header: its own LEN=1500 from tot_len,
    // its UDP ports and length 1480) + "] ", then "MTU=1400 " (0x0578). MARK only after
    // the outer packet, never inside the brackets.
    expect(log(r, slot, 3, undefined, 'veth1', 0, 'OUT: ')).toBe(
      'OUT: IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=100 PROTO=ICMP TYPE=3 CODE=4 [SRC=10.1.0.2 DST=10.2.0.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=63 ID=7 DF PROTO=UDP SPT=40000 DPT=53 LEN=1480 ] MTU=1400 MARK=0x5 ',
    );
  });

  it('ICMP errors: a quoted TCP header cut at 8 bytes, a redirect, a parameter problem, a short ICMP', async () => {
    const { world, r } = await setup();
    const quoted = ipPacket({ id: 9, ttl: 1, proto: 6, src: '10.1.0.2', dst: '10.2.0.2', totLen: 60 }, [0xb2, 0x6e, 0x00, 0x50, 0, 0, 0, 1]);
    // Time exceeded: the quoted TCP header has 8 of its 20 bytes: "PROTO=TCP INCOMPLETE [8 bytes] "
    // ends the quoted dump (nf_log_dump_tcp_header returns 1), then "] ".
    let slot = local(world, ipPacket({ tos: 0xc0, id: 1, proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [11, 0, 0, 0, 0, 0, 0, 0, ...quoted]));
    expect(log(r, slot, 4, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=1 PROTO=ICMP TYPE=11 CODE=0 [SRC=10.1.0.2 DST=10.2.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=1 ID=9 PROTO=TCP INCOMPLETE [8 bytes] ] ',
    );
    // Redirect (5/1): "GATEWAY=%pI4 " before the quoted header.
    slot = local(world, ipPacket({ tos: 0xc0, id: 2, proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [5, 1, 0, 0, 10, 1, 0, 9, ...quoted]));
    expect(log(r, slot, 3, undefined, 'veth1')).toContain('PROTO=ICMP TYPE=5 CODE=1 GATEWAY=10.1.0.9 [SRC=10.1.0.2 DST=10.2.0.2 ');
    // Parameter problem (12): "PARAMETER=%u " (the pointer byte), no quoted header.
    slot = local(world, ipPacket({ tos: 0xc0, id: 3, proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [12, 0, 0, 0, 20, 0, 0, 0, ...quoted]));
    expect(log(r, slot, 3, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=3 PROTO=ICMP TYPE=12 CODE=0 PARAMETER=20 ',
    );
    // A destination unreachable of 8 bytes (needs 8 + 20): "INCOMPLETE [8 bytes] "; the line
    // goes on (break, not return), so MARK follows.
    slot = local(world, ipPacket({ proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [3, 1, 0, 0, 0, 0, 0, 0]), 1);
    expect(log(r, slot, 3, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=1 INCOMPLETE [8 bytes] MARK=0x1 ',
    );
    // ICMP with 4 bytes: no header to read: "INCOMPLETE [4 bytes] ".
    slot = local(world, ipPacket({ proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [8, 0, 0, 0]));
    expect(log(r, slot, 3, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP INCOMPLETE [4 bytes] ',
    );
    // The quoted IP header always has its 20 bytes (types 3, 4, 5, 11 need 8 + 20 bytes first),
    // but its transport header may be missing: "PROTO=TCP INCOMPLETE [0 bytes] " inside.
    slot = local(world, ipPacket({ proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [3, 3, 0, 0, 0, 0, 0, 0, ...quoted.slice(0, 20)]));
    expect(log(r, slot, 3, undefined, 'veth1')).toContain('TYPE=3 CODE=3 [SRC=10.1.0.2 DST=10.2.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=1 ID=9 PROTO=TCP INCOMPLETE [0 bytes] ] ');
    // One byte short of the 28: "INCOMPLETE [27 bytes] " instead of the quoted header.
    slot = local(world, ipPacket({ proto: 1, src: '10.1.0.1', dst: '10.1.0.2' }, [3, 3, 0, 0, 0, 0, 0, 0, ...quoted.slice(0, 20)]).slice(0, 47));
    expect(log(r, slot, 3, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=48 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=3 INCOMPLETE [27 bytes] ',
    );
  });

  it('fragments: MF on the first, FRAG:offset on the others with only the protocol name', async () => {
    const { world, r } = await setup();
    const udp = [0x9c, 0x40, 0x00, 0x35, 0x07, 0xd0, 0, 0, ...new Array(16).fill(0)];
    let slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 0x4242, frag: 0x2000, proto: 17, src: '10.1.0.2', dst: '10.1.0.1' }, udp)));
    // First fragment: "MF ", offset 0 so no FRAG:, the UDP header is read.
    expect(log(r, slot, 0, 'veth1', undefined)).toBe(
      'IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=16962 MF PROTO=UDP SPT=40000 DPT=53 LEN=2000 ',
    );
    // Offset 185 (1480 bytes) with MF: "MF FRAG:185 " (the raw field), "PROTO=UDP " and no ports.
    slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 0x4242, frag: 0x2000 | 185, proto: 17, src: '10.1.0.2', dst: '10.1.0.1' }, udp)));
    expect(log(r, slot, 0, 'veth1', undefined)).toBe(
      'IN=veth1 OUT= MAC=02:00:00:00:01:02:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=10.1.0.1 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=16962 MF FRAG:185 PROTO=UDP ',
    );
    // A last ICMP fragment: "FRAG:370 PROTO=ICMP ".
    slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 1, frag: 370, proto: 1, src: '10.1.0.2', dst: '10.1.0.1' }, udp)));
    expect(log(r, slot, 0, 'veth1', undefined)).toContain(' ID=1 FRAG:370 PROTO=ICMP ');
    expect(lastLine(world).text.endsWith('PROTO=ICMP ')).toBe(true);
    // AH in a non-first fragment prints nothing for the protocol; ESP prints its name.
    slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 1, frag: 10, proto: 51, src: '10.1.0.2', dst: '10.1.0.1' }, udp)));
    expect(log(r, slot, 0, 'veth1', undefined).endsWith(' ID=1 FRAG:10 ')).toBe(true);
    slot = received(world, eth(MAC_R, MAC_H1, ipPacket({ id: 1, frag: 10, proto: 50, src: '10.1.0.2', dst: '10.1.0.1' }, udp)));
    expect(log(r, slot, 0, 'veth1', undefined).endsWith(' ID=1 FRAG:10 PROTO=ESP ')).toBe(true);
  });

  it('IP options: shown only with --log-ip-options; other protocols as PROTO=N; ESP and AH SPI', async () => {
    const { world, r } = await setup();
    // An IGMP report with the router-alert option (94 04 00 00): ihl 6.
    const igmp = [0x16, 0, 0, 0, 224, 1, 1, 1];
    const pkt = eth([0x01, 0x00, 0x5e, 0x01, 0x01, 0x01], MAC_H1, ipPacket({ tos: 0xc0, frag: 0x4000, ttl: 1, proto: 2, src: '10.1.0.2', dst: '224.1.1.1', options: [0x94, 0x04, 0, 0] }, igmp));
    // "OPT (" + the 4 option bytes as %02X + ") " after the flags, before the protocol.
    expect(log(r, received(world, pkt), 0, 'veth1', undefined, XT_LOG_IPOPT, 'opt ')).toBe(
      'opt IN=veth1 OUT= MAC=01:00:5e:01:01:01:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=224.1.1.1 LEN=32 TOS=0x00 PREC=0xC0 TTL=1 ID=0 DF OPT (94040000) PROTO=2 ',
    );
    expect(log(r, received(world, pkt), 0, 'veth1', undefined, 0, 'opt ')).toBe(
      'opt IN=veth1 OUT= MAC=01:00:5e:01:01:01:02:00:00:00:01:01:08:00 SRC=10.1.0.2 DST=224.1.1.1 LEN=32 TOS=0x00 PREC=0xC0 TTL=1 ID=0 DF PROTO=2 ',
    );
    // ESP: "PROTO=ESP SPI=0x%x " (the first 4 bytes); AH: "PROTO=AH SPI=0x%x " (bytes 4..7).
    const esp = local(world, ipPacket({ proto: 50, src: '10.1.0.1', dst: '10.1.0.2' }, [0, 0, 0x10, 0x01, 0, 0, 0, 1]));
    expect(log(r, esp, 3, undefined, 'veth1').endsWith(' ID=0 PROTO=ESP SPI=0x1001 ')).toBe(true);
    const ah = local(world, ipPacket({ proto: 51, src: '10.1.0.1', dst: '10.1.0.2' }, [4, 4, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1]));
    expect(log(r, ah, 3, undefined, 'veth1').endsWith(' ID=0 PROTO=AH SPI=0xdeadbeef ')).toBe(true);
  });

  it('bridged packet: PHYSIN/PHYSOUT beside the bridge as IN/OUT', async () => {
    const { world, b } = await setup();
    const frame = eth([0x02, 0, 0, 0, 0, 0x22], [0x02, 0, 0, 0, 0, 0x11], ipPacket({ id: 5, frag: 0x4000, proto: 1, src: '192.168.0.1', dst: '192.168.0.2' }, icmpEcho(0, 77, 3, 8)));
    // br_netfilter PREROUTING: in = br0 (the logical device), physindev vb1 ≠ in → "PHYSIN=vb1 ";
    // no physoutdev yet. MAC from the frame (skb->dev is the bridge, hard_header_len 14).
    expect(log(b, received(world, frame), 0, 'br0', undefined, 0, '', 4, ['vb1'])).toBe(
      'IN=br0 OUT= PHYSIN=vb1 MAC=02:00:00:00:00:22:02:00:00:00:00:11:08:00 SRC=192.168.0.1 DST=192.168.0.2 LEN=36 TOS=0x00 PREC=0x00 TTL=64 ID=5 DF PROTO=ICMP TYPE=0 CODE=0 ID=77 SEQ=3 ',
    );
    // FORWARD: in = out = br0, both ports printed.
    expect(log(b, received(world, frame), 2, 'br0', 'br0', 0, '', 4, ['vb1', 'vb2'])).toBe(
      'IN=br0 OUT=br0 PHYSIN=vb1 PHYSOUT=vb2 MAC=02:00:00:00:00:22:02:00:00:00:00:11:08:00 SRC=192.168.0.1 DST=192.168.0.2 LEN=36 TOS=0x00 PREC=0x00 TTL=64 ID=5 DF PROTO=ICMP TYPE=0 CODE=0 ID=77 SEQ=3 ',
    );
    // POSTROUTING: in = NULL, so no MAC even though the frame has a link header.
    expect(log(b, received(world, frame), 4, undefined, 'br0', 0, '', 4, ['vb1', 'vb2'])).toBe(
      'IN= OUT=br0 PHYSIN=vb1 PHYSOUT=vb2 SRC=192.168.0.1 DST=192.168.0.2 LEN=36 TOS=0x00 PREC=0x00 TTL=64 ID=5 DF PROTO=ICMP TYPE=0 CODE=0 ID=77 SEQ=3 ',
    );
    // A port equal to IN/OUT is not repeated.
    expect(log(b, received(world, frame), 0, 'vb1', undefined, 0, '', 4, ['vb1'])).toMatch(/^IN=vb1 OUT= MAC=/);
  });

  it('locally generated OUTPUT packet: no MAC, no UID without a socket', async () => {
    const { world, h1 } = await setup();
    const slot = local(world, ipPacket({ id: 0xbeef, frag: 0x4000, proto: 1, src: '10.1.0.2', dst: '10.1.0.1' }, icmpEcho(8, 1, 1, 56)));
    // in == NULL: dump_mac_header is not called. --log-uid: skb->sk is NULL → nothing.
    expect(log(h1, slot, 3, undefined, 'veth0', XT_LOG_UID, 'OUT ', 7)).toBe(
      'OUT IN= OUT=veth0 SRC=10.1.0.2 DST=10.1.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=48879 DF PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 ',
    );
    expect(lastLine(world).level).toBe(7);
    expect(lastLine(world).ns).toBe('h1');
  });

  it('loopback and --log-macdecode', async () => {
    const { world, r } = await setup();
    const lo = eth([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], ipPacket({ frag: 0x4000, proto: 1, src: '127.0.0.1', dst: '127.0.0.1' }, icmpEcho(8, 9, 1, 0)));
    // lo: hard_header_len 14 (ETH_HLEN) and a zeroed Ethernet header.
    expect(log(r, received(world, lo), 1, 'lo', undefined)).toBe(
      'IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 DST=127.0.0.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=9 SEQ=1 ',
    );
    // --log-macdecode on lo (ARPHRD_LOOPBACK, not ARPHRD_ETHER): still MAC=.
    expect(log(r, received(world, lo), 1, 'lo', undefined, XT_LOG_MACDECODE)).toMatch(/^IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=/);
    // On Ethernet: "MACSRC=%pM MACDST=%pM MACPROTO=%04x ".
    const f = eth(MAC_R, MAC_H1, ipPacket({ proto: 1, src: '10.1.0.2', dst: '10.1.0.1' }, icmpEcho(8, 1, 2, 0)));
    expect(log(r, received(world, f), 1, 'veth1', undefined, XT_LOG_MACDECODE)).toBe(
      'IN=veth1 OUT= MACSRC=02:00:00:00:01:01 MACDST=02:00:00:00:01:02 MACPROTO=0800 SRC=10.1.0.2 DST=10.1.0.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=2 ',
    );
    // With an input device but no link header (a packet built locally): "MAC= ".
    const slot = local(world, ipPacket({ proto: 1, src: '10.1.0.2', dst: '10.1.0.1' }, icmpEcho(8, 1, 2, 0)));
    expect(log(r, slot, 1, 'veth1', undefined)).toMatch(/^IN=veth1 OUT= MAC= SRC=10\.1\.0\.2 /);
  });

  it('truncated TCP and UDP end the line (no MARK); unknown protocols', async () => {
    const { world, r } = await setup();
    // tot_len 30: 10 bytes of TCP. "PROTO=TCP INCOMPLETE [10 bytes] " and return: no MARK.
    let slot = local(world, ipPacket({ proto: 6, src: '10.1.0.1', dst: '10.1.0.2' }, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0]), 7);
    expect(log(r, slot, 3, undefined, 'veth1')).toBe(
      'IN= OUT=veth1 SRC=10.1.0.1 DST=10.1.0.2 LEN=30 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=TCP INCOMPLETE [10 bytes] ',
    );
    slot = local(world, ipPacket({ proto: 136, src: '10.1.0.1', dst: '10.1.0.2' }, [0, 1, 0, 2]), 7);
    expect(log(r, slot, 3, undefined, 'veth1').endsWith(' PROTO=UDPLITE INCOMPLETE [4 bytes] ')).toBe(true);
    // TCP options cut short with --log-tcp-options: doff 6 but the packet ends after 20 bytes.
    slot = local(world, ipPacket({ proto: 6, src: '10.1.0.1', dst: '10.1.0.2' }, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, 0x10, 0, 1, 0, 0, 0, 0]), 7);
    expect(log(r, slot, 3, undefined, 'veth1', XT_LOG_TCPOPT).endsWith(' WINDOW=1 RES=0x00 ACK URGP=0 OPT (TRUNCATED)')).toBe(true);
    // IP options cut short (ihl 15 in a 24-byte packet) with --log-ip-options: "TRUNCATED".
    slot = local(world, ipPacket({ proto: 47, src: '10.1.0.1', dst: '10.1.0.2' }, [1, 2, 3, 4]), 7);
    world.net.pool.data[slot][world.net.pool.nh[slot]] = 0x4f;
    expect(log(r, slot, 3, undefined, 'veth1', XT_LOG_IPOPT).endsWith(' ID=0 TRUNCATED')).toBe(true);
    // GRE (47) as a number, then MARK.
    slot = local(world, ipPacket({ proto: 47, src: '10.1.0.1', dst: '10.1.0.2' }, [1, 2, 3, 4]), 0xffffffff);
    expect(log(r, slot, 3, undefined, 'veth1').endsWith(' ID=0 PROTO=47 MARK=0xffffffff ')).toBe(true);
  });

  it('timestamps: virtual time since the World was created, into the one machine-wide log', async () => {
    const { world, r, h1 } = await setup();
    const before = world.kmsg.all().length;
    world.clock.tick(1234.5678);
    const slot = local(world, ipPacket({ proto: 47, src: '10.1.0.1', dst: '10.1.0.2' }, []));
    log(r, slot, 3, undefined, 'veth1');
    const slot2 = local(world, ipPacket({ proto: 47, src: '10.1.0.1', dst: '10.1.0.2' }, []));
    log(h1, slot2, 3, undefined, 'veth0');
    const recs = world.kmsg.all().slice(before);
    expect(recs.map((x) => x.ns)).toEqual(['r', 'h1']);
    expect(recs[0].usec).toBe(recs[1].usec);
    expect(recs[0].usec).toBeGreaterThanOrEqual(1_234_567);
    expect(recs[0].seq + 1).toBe(recs[1].seq);
  });
});
