// The device layer of the packet path: transmit (dev_queue_xmit), receive (netif_receive_skb),
// capture taps (what tcpdump and --pcap-dir see), per-device counters, and the hand-off to the
// protocol handlers. Frames move between devices only through the world's Scheduler.
import { IFF_UP, RX_BYTES, RX_DROPPED, RX_PACKETS, TX_BYTES, TX_DROPPED, TX_PACKETS, type NetDevice } from './device.ts';
import { Scheduler } from './scheduler.ts';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, skbPool, type SkbPool } from './skb.ts';
import type { Veth } from './veth.ts';

export const ETH_HLEN = 14;

/** Direction of a captured frame, as the pcap-ng/SLL packet types say it. */
export const TAP_IN = 0;
export const TAP_OUT = 4;

/**
 * A capture on a device. It gets the frame's bytes as a view it must copy if it keeps them,
 * with the virtual time of the capture.
 */
export type Tap = (frame: Uint8Array, direction: number, dev: NetDevice, timeMs: number) => void;

/** Protocol handlers the network layer registers (by EtherType). */
export interface ProtocolHandlers {
  ipv4(slot: number, dev: NetDevice): void;
  arp(slot: number, dev: NetDevice): void;
}

export class Net {
  /** The process-wide packet buffers (skb.ts): the methods below read the module constant. */
  readonly pool: SkbPool = skbPool;
  readonly sched = new Scheduler();
  handlers: ProtocolHandlers = {
    ipv4: (slot) => skbPool.release(slot),
    arp: (slot) => skbPool.release(slot),
  };
  /** Frames handed to a bridge port's master (set by the bridge). */
  bridgeRx: ((slot: number, port: NetDevice) => void) | undefined;
  /** A bridge device's transmit (br_dev_xmit; set by the bridge). */
  bridgeXmit: ((slot: number, br: NetDevice) => void) | undefined;

  constructor(private readonly now: () => number) {
    this.sched.rx = this;
    this.sched.drop = (slot) => skbPool.release(slot);
  }

  /** Calls every tap of `dev` with the frame (copying only when someone listens). */
  tap(slot: number, dev: NetDevice, direction: number): void {
    const taps = dev.taps;
    const p = skbPool;
    const frame = p.data[slot].subarray(p.head[slot], p.head[slot] + p.len[slot]);
    const t = this.now();
    for (let i = 0; i < taps.length; i++) taps[i](frame, direction, dev, t);
  }

  /**
   * dev_queue_xmit: sends a frame (Ethernet header at the slot's head) out of `dev`. The
   * frame is owned by the device from here on.
   */
  xmit(slot: number, dev: NetDevice): void {
    const p = skbPool;
    if ((dev.flags & IFF_UP) === 0) {
      dev.stats.c[TX_DROPPED]++;
      p.release(slot);
      return;
    }
    // skb->dev is set where the frame is received (or sent on by a bridge port).
    switch (dev.kind) {
      case 'veth':
        this.vethXmit(slot, dev as Veth);
        return;
      case 'loopback':
        this.loopbackXmit(slot, dev);
        return;
      case 'bridge':
        if (dev.taps.length) this.tap(slot, dev, TAP_OUT);
        this.bridgeXmit!(slot, dev);
        return;
      default:
        if (dev.taps.length) this.tap(slot, dev, TAP_OUT);
        dev.stats.c[TX_PACKETS]++;
        dev.stats.c[TX_BYTES] += p.len[slot];
        p.release(slot);
    }
  }

  /** veth_xmit: the frame becomes the peer's received frame, if the peer is up. */
  private vethXmit(slot: number, dev: Veth): void {
    const p = skbPool;
    const peer = dev.peer;
    const len = p.len[slot];
    if ((peer.flags & IFF_UP) === 0 || len - ETH_HLEN > peer.mtu + 4) {
      dev.stats.c[TX_DROPPED]++;
      p.release(slot);
      return;
    }
    if (dev.taps.length) this.tap(slot, dev, TAP_OUT);
    dev.stats.c[TX_PACKETS]++;
    dev.stats.c[TX_BYTES] += len;
    // skb_scrub_packet: the connection is forgotten; the mark too when the namespace changes.
    if (p.ct[slot] !== 0 || p.ctinfo[slot] !== 0) p.resetCt(slot);
    if (peer.ns !== dev.ns) p.mark[slot] = 0;
    this.sched.enqueue(slot, peer);
  }

  /** loopback_xmit: counted without the Ethernet header, seen once by a capture on lo. */
  private loopbackXmit(slot: number, dev: NetDevice): void {
    const p = skbPool;
    if (dev.taps.length) this.tap(slot, dev, TAP_OUT);
    const l3 = p.len[slot] - ETH_HLEN;
    dev.stats.c[TX_PACKETS]++;
    dev.stats.c[TX_BYTES] += l3;
    dev.stats.c[RX_PACKETS]++;
    dev.stats.c[RX_BYTES] += l3;
    p.pktType[slot] = PACKET_HOST;
    this.sched.enqueue(slot, dev);
  }

  /** Delivers queued frames until none are left (see Scheduler.drain). */
  run(): void {
    this.sched.drain();
  }

  /** netif_receive_skb: counters, taps, bridge hand-off, then the protocol handler. */
  receive(slot: number, dev: NetDevice): void {
    const p = skbPool;
    if ((dev.flags & IFF_UP) === 0) {
      p.release(slot);
      return;
    }
    const b = p.data[slot];
    const o = p.head[slot];
    if (dev.kind !== 'loopback') {
      dev.stats.c[RX_PACKETS]++;
      dev.stats.c[RX_BYTES] += p.len[slot];
      if (dev.taps.length) this.tap(slot, dev, TAP_IN);
      // eth_type_trans: who the frame is for.
      if (b[o] & 1) {
        const bcast = (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff;
        // The multicast counter is the driver's: veth keeps none (the bridge counts its own).
        p.pktType[slot] = bcast ? PACKET_BROADCAST : PACKET_MULTICAST;
      } else {
        const m = dev.mac;
        p.pktType[slot] = b[o] === m[0] && b[o + 1] === m[1] && b[o + 2] === m[2] && b[o + 3] === m[3] &&
          b[o + 4] === m[4] && b[o + 5] === m[5] ? PACKET_HOST : PACKET_OTHERHOST;
      }
      if (dev.master !== undefined && this.bridgeRx !== undefined) {
        this.bridgeRx(slot, dev);
        return;
      }
    }
    this.deliverUp(slot, dev);
  }

  /** Hands a received frame to the network layer by EtherType (ptype handlers). */
  deliverUp(slot: number, dev: NetDevice): void {
    const p = skbPool;
    const b = p.data[slot];
    const o = p.head[slot];
    const type = (b[o + 12] << 8) | b[o + 13];
    p.nh[slot] = o + ETH_HLEN;
    if (type === 0x0800) this.handlers.ipv4(slot, dev);
    else if (type === 0x0806) this.handlers.arp(slot, dev);
    else if (type <= 1500) p.release(slot); // 802.3 + LLC: llc_rcv (loaded with the bridge) drops what it has no SAP for
    else {
      dev.stats.c[RX_DROPPED]++;
      p.release(slot);
    }
  }
}
