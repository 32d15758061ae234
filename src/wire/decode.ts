// Decodes a whole captured frame, layer by layer, into plain records (cold path: `nslab decode
// --json`, tests). Decoding stops at the first layer that fails; the layers above it are kept and
// the failure is recorded, so a malformed frame still shows everything that could be read.
import { parseArp, type ArpPacket } from './arp.ts';
import { DecodeError } from './errors.ts';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, parseEthernet, type EthernetHeader } from './ethernet.ts';
import { parseIcmp, type IcmpMessage } from './icmp.ts';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, parseIpv4, type Ipv4Header } from './ipv4.ts';
import { parseIpv4Addr } from './addr.ts';
import { parseSll, parseSll2, type SllHeader } from './sll.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../pcap/linktype.ts';
import { parseTcp, type TcpSegment } from './tcp.ts';
import { parseUdp, type UdpDatagram } from './udp.ts';

export { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 };

export interface DecodedFrame {
  ethernet?: EthernetHeader;
  sll?: SllHeader;
  arp?: ArpPacket;
  ipv4?: Ipv4Header;
  icmp?: IcmpMessage;
  udp?: UdpDatagram;
  tcp?: TcpSegment;
  /** The first layer that could not be decoded. */
  error?: DecodeError;
}

export interface DecodeFrameOptions {
  linkType?: number;
  /** The frame's length on the wire; when larger than the bytes, the capture was cut short. */
  originalLength?: number;
}

export function decodeFrame(data: Uint8Array, opts: DecodeFrameOptions = {}): DecodedFrame {
  const out: DecodedFrame = {};
  const cut = opts.originalLength !== undefined && opts.originalLength > data.length;
  try {
    let etherType: number;
    let payload: Uint8Array;
    const linkType = opts.linkType ?? LINKTYPE_ETHERNET;
    if (linkType === LINKTYPE_ETHERNET) {
      out.ethernet = parseEthernet(data);
      etherType = out.ethernet.etherType;
      payload = out.ethernet.payload;
    } else if (linkType === LINKTYPE_LINUX_SLL || linkType === LINKTYPE_LINUX_SLL2) {
      out.sll = linkType === LINKTYPE_LINUX_SLL ? parseSll(data) : parseSll2(data);
      etherType = out.sll.protocol;
      payload = out.sll.payload;
    } else {
      throw new DecodeError('link', 'link type', 0, `link type ${linkType} is not decoded`);
    }
    const base = payload.byteOffset - data.byteOffset;
    if (etherType === ETHERTYPE_ARP) {
      out.arp = parseArp(data, base);
    } else if (etherType === ETHERTYPE_IPV4) {
      decodeIpv4(data, base, cut, out);
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    out.error = e;
  }
  return out;
}

function decodeIpv4(data: Uint8Array, o: number, cut: boolean, out: DecodedFrame): void {
  const ip = parseIpv4(data, o, data.length, { allowTruncated: cut });
  out.ipv4 = ip;
  // Only first fragments carry the transport header.
  if (ip.fragmentOffset !== 0) return;
  const t = o + ip.ihl * 4;
  const end = t + ip.payload.length;
  const partial = ip.truncated || ip.mf;
  const pseudo = { src: parseIpv4Addr(ip.src), dst: parseIpv4Addr(ip.dst) };
  if (ip.protocol === IPPROTO_ICMP) out.icmp = parseIcmp(data, t, end, { truncated: partial });
  else if (ip.protocol === IPPROTO_UDP) out.udp = parseUdp(data, t, end, { pseudo: partial ? undefined : pseudo, allowTruncated: partial });
  else if (ip.protocol === IPPROTO_TCP) out.tcp = parseTcp(data, t, end, { pseudo, truncated: partial });
}
