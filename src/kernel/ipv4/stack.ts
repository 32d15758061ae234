// A namespace's IPv4 packet-path state: SNMP counters, IP ID generator, ICMP rate limits,
// reassembly queues, the packets waiting for neighbour resolution, and the raw sockets.
import type { NetNs } from '../netns.ts';
import { IpIdents } from './ident.ts';
import type { Neighbour } from './neigh.ts';
import { IcmpRateLimit } from './ratelimit.ts';
import { Reassembler } from './reassembly.ts';
import type { RawSocket } from './raw.ts';
import { IP_REASM_FAILS, IP_REASM_OKS, IP_REASM_REQDS, IP_REASM_TIMEOUT, Snmp } from './snmp.ts';

/** A path MTU learnt from "fragmentation needed" (a route cache exception). */
export interface PmtuException {
  mtu: number;
  /** Virtual time (ms) it expires (mtu_expires, 600 s). */
  expires: number;
}

export class Ipv4Stack {
  readonly snmp = new Snmp();
  readonly idents: IpIdents;
  readonly ratelimit = new IcmpRateLimit();
  readonly reasm: Reassembler;
  /** Packets (slots) queued on an unresolved neighbour, oldest first (neigh->arp_queue). */
  readonly arpQueue = new Map<Neighbour, number[]>();
  readonly rawSockets: RawSocket[] = [];
  /** Learnt path MTUs by destination (as int32). */
  readonly pmtu = new Map<number, PmtuException>();
  /** The error reporter for reassembly timeouts, set by the ICMP code. */
  reasmTimedOut: (firstSlot: number) => void = () => {};

  constructor(readonly ns: NetNs) {
    const world = ns.world;
    this.idents = new IpIdents(world.rng);
    this.reasm = new Reassembler(world.net.pool, {
      setTimer: (ms, fire) => {
        const id = world.clock.setTimeout(() => {
          fire();
          world.net.run();
        }, ms);
        return { cancel: () => world.clock.clearTimeout(id) };
      },
      timedOut: (first) => this.reasmTimedOut(first),
      count: (what) => {
        const ip = this.snmp.ip;
        if (what === 'reqds') ip[IP_REASM_REQDS]++;
        else if (what === 'oks') ip[IP_REASM_OKS]++;
        else if (what === 'fails') ip[IP_REASM_FAILS]++;
        else ip[IP_REASM_TIMEOUT]++;
      },
    }, () => 1000 * Number(ns.sysctl.get('net.ipv4.ipfrag_time') ?? 30));
  }

  /** The learnt path MTU to `dst`, if one is in force. */
  pmtuFor(dst: number): number {
    const e = this.pmtu.get(dst | 0);
    if (!e) return 0;
    if (e.expires <= this.ns.world.now()) {
      this.pmtu.delete(dst | 0);
      return 0;
    }
    return e.mtu;
  }
}
