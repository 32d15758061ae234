// `decode`: the hot wire accessors over Ethernet+IPv4+ICMP and Ethernet+ARP 64-byte frames laid
// out in one ArrayBuffer: EtherType, IPv4 structure checks (version, IHL, total length),
// addresses, TTL, protocol, ICMP type/code/id/seq; ARP op and addresses. `decode-icmp-csum` also
// verifies the IPv4 header checksum, as the kernel's receive path does (decoders such as
// node_pcap's do not).
import type { Benchmark } from './harness.ts';
import {
  arpIsEthIpv4, arpOp, arpSpa, arpTpa, emitEthernet, emitIcmp, emitIpv4, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethType,
  icmpCode, icmpId, icmpSeq, icmpType, ipv4ChecksumOk, ipv4Dst, ipv4HeaderLength, ipv4Protocol, ipv4Src, ipv4TotalLength,
  ipv4Ttl, ipv4Version, writeArpEthIpv4, parseMac,
} from '../src/wire/index.ts';

const FRAME = 64;
const COUNT = 4096;

function buildFrames(kind: 'icmp' | 'arp'): Uint8Array {
  const buf = new Uint8Array(FRAME * COUNT);
  for (let i = 0; i < COUNT; i++) {
    let frame: Uint8Array;
    if (kind === 'icmp') {
      const icmp = emitIcmp({ type: 8, code: 0, identifier: 0x1234, sequence: i & 0xffff, data: new Uint8Array(22) });
      const ip = emitIpv4({
        version: 4, ihl: 5, tos: 0, totalLength: 20 + icmp.length, id: i & 0xffff, rf: false, df: true, mf: false,
        fragmentOffset: 0, ttl: 64, protocol: 1, src: '10.0.0.1', dst: `10.0.${(i >> 8) & 0xff}.${i & 0xff}`, options: [], payload: icmp,
      });
      frame = emitEthernet({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', vlans: [], etherType: ETHERTYPE_IPV4, payload: ip });
    } else {
      const arp = new Uint8Array(28 + 22);
      writeArpEthIpv4(arp, 0, 1, parseMac('02:00:00:00:00:01'), 0, 0x0a000001, new Uint8Array(6), 0, (0x0a000000 + i) >>> 0);
      frame = emitEthernet({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', vlans: [], etherType: ETHERTYPE_ARP, payload: arp });
    }
    buf.set(frame.subarray(0, FRAME), i * FRAME);
  }
  return buf;
}

/** Reads one frame's fields; returns a value folded from them so nothing is optimised away. */
function readFrame(b: Uint8Array, o: number, verify: boolean): number {
  const type = ethType(b, o);
  const l3 = o + 14;
  if (type === ETHERTYPE_IPV4) {
    if (ipv4Version(b, l3) !== 4) return -1;
    const hlen = ipv4HeaderLength(b, l3);
    if (hlen < 20 || ipv4TotalLength(b, l3) > FRAME - 14) return -1;
    if (verify && !ipv4ChecksumOk(b, l3)) return -1;
    const l4 = l3 + hlen;
    return (ipv4Src(b, l3) ^ ipv4Dst(b, l3) ^ ipv4Ttl(b, l3) ^ ipv4Protocol(b, l3) ^
      icmpType(b, l4) ^ icmpCode(b, l4) ^ icmpId(b, l4) ^ icmpSeq(b, l4)) | 0;
  }
  if (type === ETHERTYPE_ARP) {
    if (!arpIsEthIpv4(b, l3)) return -1;
    return (arpOp(b, l3) ^ arpSpa(b, l3) ^ arpTpa(b, l3)) | 0;
  }
  return 0;
}

export let sink = 0;

function decodeBench(name: string, kind: 'icmp' | 'arp', verify = false): Benchmark {
  return {
    name,
    unit: 'frames',
    setup() {
      const frames = buildFrames(kind);
      return (n: number) => {
        let acc = 0;
        let o = 0;
        for (let i = 0; i < n; i++) {
          acc ^= readFrame(frames, o, verify);
          o += FRAME;
          if (o === frames.length) o = 0;
        }
        sink ^= acc;
        return n;
      };
    },
  };
}

export const decodeBenchmarks: Benchmark[] = [
  decodeBench('decode-icmp', 'icmp'),
  decodeBench('decode-arp', 'arp'),
  decodeBench('decode-icmp-csum', 'icmp', true),
];
