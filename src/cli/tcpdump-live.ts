// What libpcap does for a live capture on Linux, over nslab's device taps: which device
// tcpdump picks without -i, the cooked headers of the `any` device (LINUX_SLL2 when asked
// for by name, LINUX_SLL when picked by default), and the packet socket's copies: every frame
// a device sends and receives, both copies of a loopback packet (the kernel filter counts
// both, libpcap drops the outgoing one), the -Q direction, and the counts tcpdump prints.
import type { NetDevice } from '../kernel/device.ts';
import type { NetNs } from '../kernel/netns.ts';
import { TAP_OUT, type Tap } from '../kernel/netif.ts';
import type { DeviceListener } from '../kernel/world.ts';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING } from '../kernel/skb.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../pcap/index.ts';
import type { CompiledFilter } from './tcpdump-filter.ts';

const ETH_HLEN = 14;

/** pcap_findalldevs' figure of merit (lower is better), from which tcpdump takes the first device. */
function figureOfMerit(dev: NetDevice | 'any'): number {
  if (dev === 'any') return 0x1fffffff;
  const m = /(\d+)$/.exec(dev.name);
  let n = m ? (Number(m[1]) + 1) & 0x0fffffff : 0;
  const up = dev.up;
  const running = up && (dev.operState === 'UP' || dev.operState === 'UNKNOWN');
  if (!running) n |= 0x80000000;
  if (!up) n |= 0x40000000;
  if (!dev.isLoopback && !dev.carrier) n |= 0x20000000;
  if (dev.isLoopback) n |= 0x10000000;
  return n >>> 0;
}

/** The device tcpdump captures on without -i: the best of the namespace's devices and `any`. */
export function defaultDevice(ns: NetNs): NetDevice | 'any' {
  let best: NetDevice | 'any' = 'any';
  let bestMerit = figureOfMerit('any');
  for (const dev of ns.deviceList()) {
    const m = figureOfMerit(dev);
    if (m < bestMerit) {
      best = dev;
      bestMerit = m;
    }
  }
  return best;
}

/** One captured packet as tcpdump gets it: bytes (cut to the snapshot length) and times. */
export interface LivePacket {
  data: Uint8Array;
  originalLength: number;
  timeMs: number;
}

export interface LiveCaptureOptions {
  ns: NetNs;
  /** A device, or every device of the namespace (`any`, cooked headers). */
  dev: NetDevice | 'any';
  linkType: number;
  /** Effective snapshot length (1..262144). */
  snaplen: number;
  filter: CompiledFilter | undefined;
  direction: 'inout' | 'in' | 'out';
  /** Stop delivering after this many packets (0: no limit); the kernel goes on counting. */
  count: number;
  /** Each captured packet (its bytes are only valid during the call). */
  onPacket(p: LivePacket): void;
  /** The capture has nothing more to do: the count was reached, or the device disappeared. */
  onDone(): void;
}

/** pkt_type of a received Ethernet frame (eth_type_trans). */
function rxPacketType(frame: Uint8Array, dev: NetDevice): number {
  if (frame[0] & 1) {
    return (frame[0] & frame[1] & frame[2] & frame[3] & frame[4] & frame[5]) === 0xff ? PACKET_BROADCAST : PACKET_MULTICAST;
  }
  const m = dev.mac;
  for (let i = 0; i < 6; i++) if (frame[i] !== m[i]) return PACKET_OTHERHOST;
  return PACKET_HOST;
}

/** A capture attached to the taps of one device or of every device of a namespace. */
export class LiveCapture {
  /** Packets delivered to tcpdump (its `packets captured`). */
  captured = 0;
  /** Packets the kernel filter accepted (`packets received by filter`). */
  received = 0;
  /** The device went away (deleted, or moved to another namespace). */
  disappeared = false;
  private stopped = false;
  private readonly tapped = new Set<NetDevice>();
  private scratch = new Uint8Array(2048);
  private readonly tap: Tap = (frame, direction, dev, timeMs) => this.onFrame(frame, direction, dev, timeMs);
  private readonly listener: DeviceListener = (dev, ns, registered) => this.onDevice(dev, ns, registered);

  constructor(private readonly o: LiveCaptureOptions) {
    if (o.dev === 'any') for (const dev of o.ns.deviceList()) this.attach(dev);
    else this.attach(o.dev);
    o.ns.world.deviceListeners.push(this.listener);
  }

  /** Detaches from every device (the taps stop copying once nobody listens). */
  close(): void {
    for (const dev of this.tapped) this.detach(dev);
    const ls = this.o.ns.world.deviceListeners;
    const i = ls.indexOf(this.listener);
    if (i >= 0) ls.splice(i, 1);
  }

  private attach(dev: NetDevice): void {
    if (this.tapped.has(dev)) return;
    this.tapped.add(dev);
    dev.taps.push(this.tap);
  }

  private detach(dev: NetDevice): void {
    this.tapped.delete(dev);
    const i = dev.taps.indexOf(this.tap);
    if (i >= 0) dev.taps.splice(i, 1);
  }

  private onDevice(dev: NetDevice, ns: NetNs, registered: boolean): void {
    if (ns !== this.o.ns) return;
    if (this.o.dev === 'any') {
      if (registered) this.attach(dev);
      else this.detach(dev);
    } else if (!registered && dev === this.o.dev && !this.disappeared) {
      this.detach(dev);
      this.disappeared = true;
      this.o.onDone();
    }
  }

  private onFrame(frame: Uint8Array, direction: number, dev: NetDevice, timeMs: number): void {
    if (frame.length < ETH_HLEN) return;
    if (dev.isLoopback) {
      // lo hands the packet socket an outgoing and an incoming copy of each packet.
      this.copy(frame, PACKET_OUTGOING, dev, timeMs);
      this.copy(frame, PACKET_HOST, dev, timeMs);
    } else {
      this.copy(frame, direction === TAP_OUT ? PACKET_OUTGOING : rxPacketType(frame, dev), dev, timeMs);
    }
  }

  private copy(frame: Uint8Array, pktType: number, dev: NetDevice, timeMs: number): void {
    const o = this.o;
    const lt = o.linkType;
    const data = lt === LINKTYPE_ETHERNET ? frame : this.cooked(frame, pktType, dev);
    if (o.filter && !o.filter.matches(data, lt, data.length)) return;
    this.received++;
    if (this.stopped) return;
    const out = pktType === PACKET_OUTGOING;
    // libpcap sees loopback packets twice and drops the outgoing copy.
    if (out && dev.isLoopback) return;
    if ((o.direction === 'in' && out) || (o.direction === 'out' && !out)) return;
    this.captured++;
    o.onPacket({ data: data.length > o.snaplen ? data.subarray(0, o.snaplen) : data, originalLength: data.length, timeMs });
    if (o.count > 0 && this.captured >= o.count) {
      this.stopped = true;
      o.onDone();
    }
  }

  /** The frame with its Ethernet header replaced by a LINUX_SLL or LINUX_SLL2 header. */
  private cooked(frame: Uint8Array, pktType: number, dev: NetDevice): Uint8Array {
    const v2 = this.o.linkType === LINKTYPE_LINUX_SLL2;
    const hl = v2 ? 20 : 16;
    const len = hl + frame.length - ETH_HLEN;
    if (this.scratch.length < len) this.scratch = new Uint8Array(Math.max(len, this.scratch.length * 2));
    const b = this.scratch;
    b.fill(0, 0, hl);
    const proto0 = frame[12];
    const proto1 = frame[13];
    const hatype = dev.type;
    if (v2) {
      b[0] = proto0;
      b[1] = proto1;
      b[4] = dev.ifindex >>> 24;
      b[5] = (dev.ifindex >>> 16) & 0xff;
      b[6] = (dev.ifindex >>> 8) & 0xff;
      b[7] = dev.ifindex & 0xff;
      b[8] = hatype >> 8;
      b[9] = hatype & 0xff;
      b[10] = pktType;
      b[11] = 6;
      b.set(frame.subarray(6, 12), 12);
    } else {
      b[1] = pktType;
      b[2] = hatype >> 8;
      b[3] = hatype & 0xff;
      b[5] = 6;
      b.set(frame.subarray(6, 12), 6);
      b[14] = proto0;
      b[15] = proto1;
    }
    b.set(frame.subarray(ETH_HLEN), hl);
    return b.subarray(0, len);
  }
}

export { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 };
