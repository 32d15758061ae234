// UDP (print-udp.c): `10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 4`; with -vv the checksum
// verdict (`[udp sum ok] `, `[bad udp cksum 0x1234 -> 0x5678!] `, `[no cksum] `).
//
// tcpdump hands well-known ports (DNS, DHCP, NTP, SNMP, syslog, ...) to application printers;
// those are not reproduced here and print as plain `UDP, length N`.
import { cksumResult, cksumShouldBe, hexPad, onesSum, type Ctx } from './context.ts';
import { ipFinalDst } from './ip-options.ts';

const IPPROTO_UDP = 17;

/** The sum of the IPv4 pseudo-header for a transport checksum over `len` bytes (nextproto4_cksum). */
export function pseudoHeaderSum(c: Ctx, ip: number, proto: number, len: number): number {
  const src = c.u32(ip + 12);
  const dst = (c.u8(ip) & 0x0f) === 5 ? c.u32(ip + 16) : ipFinalDst(c, ip);
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (len & 0xffff);
}

/** in_cksum of the pseudo-header and `len` bytes at `o`: 0 when the checksum is right. */
export function transportChecksum(c: Ctx, ip: number, proto: number, o: number, len: number): number {
  return cksumResult(onesSum(c.b, o, len, pseudoHeaderSum(c, ip, proto, len)));
}

function addrs(c: Ctx, ip: number, sport: number, dport: number): void {
  if (c.u8(ip + 9) === IPPROTO_UDP) {
    if (sport === -1) c.print(`${c.ipaddr(ip + 12)} > ${c.ipaddr(ip + 16)}: `);
    else c.print(`${c.ipaddr(ip + 12)}.${sport} > ${c.ipaddr(ip + 16)}.${dport}: `);
  } else if (sport !== -1) {
    c.print(`${sport} > ${dport}: `);
  }
}

/** Prints the UDP datagram at `bp` (`length` bytes by the IP header); `ip` is that header. */
export function udpPrint(c: Ctx, bp: number, length: number, ip: number, fragmented: boolean): void {
  c.protocol = 'udp';
  if (!c.ttest(bp + 2, 2)) {
    addrs(c, ip, -1, -1);
    c.trunc();
    return;
  }
  const sport = c.u16(bp);
  const dport = c.u16(bp + 2);
  if (length < 8) {
    addrs(c, ip, sport, dport);
    c.print(`truncated-udp ${length}`);
    return;
  }
  if (!c.ttest(bp + 4, 2)) {
    addrs(c, ip, sport, dport);
    c.trunc();
    return;
  }
  let ulen = c.u16(bp + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addrs(c, ip, sport, dport);
    c.print(`truncated-udplength ${ulen}`);
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = bp + 8;
  if (cp > c.snapend) {
    addrs(c, ip, sport, dport);
    c.trunc();
    return;
  }
  addrs(c, ip, sport, dport);
  if (c.vflag > 1 && !fragmented) {
    const field = c.u16(bp + 6);
    if (field === 0) c.print('[no cksum] ');
    else if (c.ttest(cp, length)) {
      const sum = transportChecksum(c, ip, IPPROTO_UDP, bp, length + 8);
      if (sum !== 0) c.print(`[bad udp cksum 0x${hexPad(field, 4)} -> 0x${hexPad(cksumShouldBe(field, sum), 4)}!] `);
      else c.print('[udp sum ok] ');
    }
  }
  if (ulen > length && !fragmented) c.print(`UDP, bad length ${ulen} > ${length}`);
  else c.print(`UDP, length ${ulen}`);
}
