// UDP in the emulated kernel (src/kernel/ipv4/udp.ts, udp-socket.ts): receive checks and counters, socket
// lookup, bind conflicts, send (header, checksum, DF, source), ICMP errors on connected sockets.
// The counter sequence of "udp_rcv checks" was recorded on Linux 6.18 with datagrams injected by
// a raw socket from a second namespace (bad checksum, zero checksum, length > packet, length < 8,
// broadcast, first without and then with a socket on the port): Udp ended at
// "2 1 4 0 0 0 2 1 0", one port unreachable sent, and an ICMP error about a datagram whose socket
// was closed counted nothing but IcmpInMsgs/InDestUnreachs.
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { RawSocket } from '../../src/kernel/ipv4/raw.ts';
import { ECONNREFUSED, UdpSocket } from '../../src/kernel/ipv4/udp-socket.ts';
import { fold, onesSum, pseudoHeaderSum, checksumOk } from '../../src/wire/checksum.ts';
import { u16 } from '../../src/wire/bytes.ts';
import { EADDRINUSE, EADDRNOTAVAIL } from '../../src/kernel/errors.ts';

const SETUP = `
ip netns add a
ip netns add b
ip -n a link set lo up
ip -n b link set lo up
ip -n a link add veth0 type veth peer name veth0 netns b
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link set veth0 up
ip -n b link set veth0 up
`;

const A = 0x0a000001;
const B = 0x0a000002;
const BCAST = 0x0a0000ff;

async function twoHosts(): Promise<{ a: NetNs; b: NetNs }> {
  const { world, session } = openSession({ seed: 1 });
  await session.run(SETUP);
  return { a: world.netns.get('a')!, b: world.netns.get('b')! };
}

/** A UDP header and payload from A:40000 with the checksum good, zero or bad, and a length field. */
function datagram(dst: number, dport: number, text: string, check: 'good' | 'zero' | 'bad', ulen?: number): Uint8Array {
  const p = new TextEncoder().encode(text);
  const d = new Uint8Array(8 + p.length);
  d[0] = 40000 >> 8;
  d[1] = 40000 & 0xff;
  d[2] = dport >> 8;
  d[3] = dport & 0xff;
  d[5] = d.length;
  d.set(p, 8);
  let c = ~fold(onesSum(d, 0, d.length, pseudoHeaderSum(A, dst, 17, d.length))) & 0xffff;
  if (c === 0) c = 0xffff;
  if (check === 'zero') c = 0;
  if (check === 'bad') c ^= 0x1234;
  d[6] = c >> 8;
  d[7] = c & 0xff;
  if (ulen !== undefined) {
    d[4] = ulen >> 8;
    d[5] = ulen & 0xff;
  }
  return d;
}

function udpLine(ns: NetNs): string {
  return Array.from(ns.inet.snmp.udp).join(' ');
}

describe('udp_rcv', () => {
  it('counts as Linux does: bad checksum, zero checksum, bad lengths, broadcast, then with a socket', async () => {
    const { a, b } = await twoHosts();
    a.sysctl.set('net.ipv4.icmp_ratelimit', '0');
    const raw = new RawSocket(a, 17);
    raw.broadcast = true;
    raw.sendto(B, datagram(B, 9998, 'hello', 'bad'));
    expect(udpLine(b)).toBe('0 0 1 0 0 0 1 0 0');
    raw.sendto(B, datagram(B, 9998, 'hello', 'zero'));
    expect(udpLine(b)).toBe('0 1 1 0 0 0 1 0 0');
    raw.sendto(B, datagram(B, 9998, 'hello', 'good', 100));
    raw.sendto(B, datagram(B, 9998, 'hello', 'good', 4));
    expect(udpLine(b)).toBe('0 1 3 0 0 0 1 0 0');
    raw.sendto(BCAST, datagram(BCAST, 9998, 'hello', 'good'));
    expect(udpLine(b)).toBe('0 1 3 0 0 0 1 1 0');
    const s = new UdpSocket(b);
    expect(s.bind(0, 9999)).toBe(0);
    raw.sendto(B, datagram(B, 9999, 'BAD', 'bad'));
    raw.sendto(B, datagram(B, 9999, 'ZERO', 'zero'));
    raw.sendto(BCAST, datagram(BCAST, 9999, 'BCAST', 'good'));
    const got: string[] = [];
    for (let m = s.recv(); m !== undefined; m = s.recv()) {
      if (typeof m === 'number') throw new Error(`errno ${m}`);
      got.push(new TextDecoder().decode(m.data));
      expect([m.addr, m.port]).toEqual([A, 40000]);
    }
    expect(got).toEqual(['ZERO', 'BCAST']);
    expect(udpLine(b)).toBe('2 1 4 0 0 0 2 1 0');
    expect(b.inet.snmp.icmpMsgOut[3]).toBe(1);
  });

  it('the port unreachable quotes the datagram and comes from the address it was sent to', async () => {
    const { a, b } = await twoHosts();
    const raw = new RawSocket(a, 1);
    const s = new UdpSocket(a);
    expect(s.send(new TextEncoder().encode('hi'), B, 9)).toBe(2);
    const icmp = raw.received[0].bytes;
    expect([icmp[20], icmp[21]]).toEqual([3, 3]);
    expect(u16(icmp, 20 + 8 + 20 + 2)).toBe(9);
    expect(icmp.length).toBe(20 + 8 + 20 + 8 + 2);
    expect(b.inet.snmp.udp[1]).toBe(1);
    // Unconnected and without IP_RECVERR: the socket hears nothing.
    expect(s.error).toBe(0);
    // An error about a socket that is gone counts nothing more.
    s.close();
    const s2 = new UdpSocket(a);
    s2.bind(A, 41000);
    s2.send(new Uint8Array(1), B, 9);
    s2.close();
    expect(a.inet.snmp.icmp[1]).toBe(0);
  });

  it('prefers the best-scoring socket: connected over bound over wildcard, the newest on ties', async () => {
    const { a, b } = await twoHosts();
    const any = new UdpSocket(b);
    any.reuseAddr = true;
    expect(any.bind(0, 7000)).toBe(0);
    const bound = new UdpSocket(b);
    bound.reuseAddr = true;
    expect(bound.bind(B, 7000)).toBe(0);
    const conn = new UdpSocket(b);
    conn.reuseAddr = true;
    expect(conn.bind(0, 7000)).toBe(0);
    expect(conn.connect(A, 40000)).toBe(0);
    const raw = new RawSocket(a, 17);
    raw.sendto(B, datagram(B, 7000, 'x', 'good'));
    expect([any.queued, bound.queued, conn.queued]).toEqual([0, 0, 1]);
    conn.close();
    raw.sendto(B, datagram(B, 7000, 'x', 'good'));
    expect([any.queued, bound.queued]).toEqual([0, 1]);
    bound.close();
    const any2 = new UdpSocket(b);
    any2.reuseAddr = true;
    expect(any2.bind(0, 7000)).toBe(0);
    raw.sendto(B, datagram(B, 7000, 'x', 'good'));
    expect([any.queued, any2.queued]).toEqual([0, 1]);
  });
});

describe('bind and connect', () => {
  it('refuses a used port unless both sockets have SO_REUSEADDR or SO_REUSEPORT', async () => {
    const { a } = await twoHosts();
    const s1 = new UdpSocket(a);
    expect(s1.bind(0, 9999)).toBe(0);
    const s2 = new UdpSocket(a);
    s2.reuseAddr = true;
    s2.reusePort = true;
    expect(s2.bind(0, 9999)).toBe(-EADDRINUSE);
    s1.close();
    expect(s2.bind(0, 9999)).toBe(0);
    const s3 = new UdpSocket(a);
    s3.reuseAddr = true;
    expect(s3.bind(A, 9999)).toBe(0);
    const s4 = new UdpSocket(a);
    expect(s4.bind(0x7f000001, 9999)).toBe(-EADDRINUSE);
    expect(new UdpSocket(a).bind(0x0a000009, 1)).toBe(-EADDRNOTAVAIL);
  });

  it('autobinds in ip_local_port_range and takes the route\'s source on connect', async () => {
    const { a } = await twoHosts();
    const s = new UdpSocket(a);
    expect(s.connect(B, 53)).toBe(0);
    expect(s.lport).toBeGreaterThanOrEqual(32768);
    expect(s.lport).toBeLessThanOrEqual(60999);
    expect([s.laddr, s.saddr, s.raddr, s.rport]).toEqual([A, A, B, 53]);
    expect(new UdpSocket(a).connect(0x0b000001, 53)).toBe(-101);
    expect(a.inet.snmp.ip[11]).toBe(1);
  });
});

describe('udp_sendmsg', () => {
  it('sends a checksummed datagram with DF and TTL 64, counts OutDatagrams; a zero checksum goes as 0xffff', async () => {
    const { a, b } = await twoHosts();
    const raw = new RawSocket(b, 17);
    const s = new UdpSocket(a);
    s.bind(0, 40000);
    // A payload word that makes the sum come out as zero.
    const len = 10;
    const hdr = new Uint8Array([40000 >> 8, 40000 & 0xff, 0, 9, 0, len, 0, 0, 0, 0]);
    const w = 0xffff - fold(onesSum(hdr, 0, len, pseudoHeaderSum(A, B, 17, len)));
    expect(s.send(new Uint8Array([w >> 8, w & 0xff]), B, 9)).toBe(2);
    const p = raw.received[0].bytes;
    expect(p[6] & 0x40).toBe(0x40);
    expect(p[8]).toBe(64);
    expect(u16(p, 20 + 6)).toBe(0xffff);
    expect(checksumOk(p, 20, len, pseudoHeaderSum(A, B, 17, len))).toBe(true);
    expect(a.inet.snmp.udp[3]).toBe(1);
  });

  it('a connected socket learns ECONNREFUSED from a port unreachable: once, on the next send or recv', async () => {
    const { a } = await twoHosts();
    const s = new UdpSocket(a);
    expect(s.connect(B, 9)).toBe(0);
    let woken = 0;
    s.wake = () => { woken++; };
    expect(s.send(new Uint8Array([1]))).toBe(1);
    expect(woken).toBe(1);
    expect(s.readable()).toBe(true);
    expect(s.send(new Uint8Array([1]))).toBe(-ECONNREFUSED);
    expect(s.send(new Uint8Array([1]))).toBe(1);
    expect(s.recv()).toBe(-ECONNREFUSED);
    expect(s.recv()).toBeUndefined();
    // Two datagrams went out (the refused send sent nothing).
    expect(a.inet.snmp.udp[3]).toBe(2);
  });

  it('fragments a datagram larger than the MTU without DF', async () => {
    const { a, b } = await twoHosts();
    const s = new UdpSocket(a);
    const r = new UdpSocket(b);
    r.bind(0, 9999);
    expect(s.send(new Uint8Array(3893).fill(0x31), B, 9999)).toBe(3893);
    expect(a.inet.snmp.ip[16]).toBe(1);
    expect(a.inet.snmp.ip[18]).toBe(3);
    const m = r.recv();
    expect(typeof m === 'object' && m.data.length).toBe(3893);
  });
});
