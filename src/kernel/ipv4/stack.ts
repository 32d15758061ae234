// A namespace's IPv4 packet-path state: SNMP counters, IP ID generator, ICMP rate limits,
// reassembly queues, the packets waiting for neighbour resolution, and the raw sockets.
import type { NetNs } from '../netns.ts';
import { IpIdents } from './ident.ts';
import type { Neighbour } from './neigh.ts';
import { IcmpRateLimit } from './ratelimit.ts';
import { Reassembler } from './reassembly.ts';
import type { RawSocket } from './raw.ts';
import type { NetDevice } from '../device.ts';
import type { Rtable } from './rtable.ts';
import { IP_REASM_FAILS, IP_REASM_OKS, IP_REASM_REQDS, IP_REASM_TIMEOUT, Snmp } from './snmp.ts';
import { nfHookActive } from '../netfilter/hooks.ts';

/** A path MTU learnt from "fragmentation needed" (a route cache exception). */
export interface PmtuException {
  mtu: number;
  /** Virtual time (ms) it expires (mtu_expires, 600 s). */
  expires: number;
}

/** Slots of the forwarding cache: it starts small (a namespace costs little) and doubles up to the maximum. */
const FWD_MIN_SLOTS = 256;
const FWD_MAX_SLOTS = 1 << 17;

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
  /**
   * Forwarding route cache, for the common case where the input route depends on nothing but
   * the input device and the destination (no policy rules, no reverse-path filter, no
   * redirect): an open-addressing table from (ifindex, destination) to a shared route, two
   * int32 per slot (destination; route index + 1 above the 16 bits of the ifindex, 0 for an
   * empty slot), so that a thousand destinations take 16 KiB and stay in the L1 cache. Routes are shared per next hop (input device, output device, gateway, type) when
   * they carry no metrics or realms, else per FIB entry, so forwarding to many prefixes
   * touches few objects. Lookups allocate nothing; the table is emptied whenever routes,
   * addresses or sysctls change.
   */
  private fwd = new Int32Array(FWD_MIN_SLOTS * 2);
  private fwdMask = FWD_MIN_SLOTS - 1;
  private readonly fwdRoutes: Rtable[] = [];
  private readonly fwdRouteIndex = new Map<unknown, number>();
  private fwdEntries = 0;
  private fwdStamp = -1;
  private fwdSysctlStamp = -1;
  private fwdEligible = false;
  /** Local addresses (int32; 0 = empty slot), for the cached path's martian-source check. */
  private localAddrs = new Int32Array(16);
  /** The last source that passed that check (0: none; 0/8 never passes), as int32. */
  private fwdSrcOk = 0;
  /** The hooks (bit 1 << NF_INET_*) with netfilter base chains, as of netfilter generation `nfGen`. */
  private nfHooks = 0;
  private nfGen = -1;

  /** The error reporter for reassembly timeouts, set by the ICMP code. */
  reasmTimedOut: (firstSlot: number) => void = () => {};

  constructor(readonly ns: NetNs) {
    const world = ns.world;
    this.idents = new IpIdents(world.rng);
    this.reasm = this.newReassembler((first) => this.reasmTimedOut(first));
  }

  /**
   * A set of reassembly queues (ip_defrag for one user: local delivery here, conntrack's own):
   * timers in virtual time, the namespace's Reasm* counters, net.ipv4.ipfrag_time.
   */
  newReassembler(timedOut: (firstSlot: number) => void): Reassembler {
    const world = this.ns.world;
    return new Reassembler(world.net.pool, {
      setTimer: (ms, fire) => {
        const id = world.clock.setTimeout(() => {
          fire();
          world.net.run();
        }, ms);
        return { cancel: () => world.clock.clearTimeout(id) };
      },
      timedOut,
      count: (what) => {
        const ip = this.snmp.ip;
        if (what === 'reqds') ip[IP_REASM_REQDS]++;
        else if (what === 'oks') ip[IP_REASM_OKS]++;
        else if (what === 'fails') ip[IP_REASM_FAILS]++;
        else ip[IP_REASM_TIMEOUT]++;
      },
    }, () => 1000 * Number(this.ns.sysctl.get('net.ipv4.ipfrag_time') ?? 30));
  }

  private revalidate(): void {
    const ns = this.ns;
    if (this.fwdStamp === ns.ipv4.generation && this.fwdSysctlStamp === ns.sysctl.generation) return;
    this.flushForward();
    this.fwdStamp = ns.ipv4.generation;
    this.fwdSysctlStamp = ns.sysctl.generation;
    const addrs = ns.ipv4.devinet.all();
    let size = 16;
    while (size < addrs.length * 2) size <<= 1;
    const local = new Int32Array(size);
    for (const a of addrs) {
      const x = a.local | 0;
      if (x === 0) continue;
      let i = hashAddr(x) & (size - 1);
      while (local[i] !== 0 && local[i] !== x) i = (i + 1) & (size - 1);
      local[i] = x;
    }
    this.localAddrs = local;
    this.fwdSrcOk = 0;
    this.fwdEligible = !ns.ipv4.rules.custom && !ns.ipv4.customLocalRoutes &&
      Number(ns.sysctl.get('net.ipv4.conf.all.rp_filter') ?? 0) === 0 &&
      Number(ns.sysctl.get('net.ipv4.conf.all.accept_local') ?? 0) === 0;
  }

  private isLocal(addr: number): boolean {
    const local = this.localAddrs;
    const mask = local.length - 1;
    let i = hashAddr(addr) & mask;
    for (;;) {
      const x = local[i];
      if (x === addr) return true;
      if (x === 0) return false;
      i = (i + 1) & mask;
    }
  }

  private flushForward(): void {
    this.fwd.fill(0);
    this.fwdRoutes.length = 0;
    this.fwdRouteIndex.clear();
    this.fwdEntries = 0;
  }

  private slotOf(ifindex: number, dst: number): number {
    // (ifindex is below 2^16 here: cacheForward takes no other.)
    const h = Math.imul(dst ^ Math.imul(ifindex, 0x27d4eb2d), 0x9e3779b1);
    return (h ^ (h >>> 15)) & this.fwdMask;
  }

  /** Doubles the table (or empties it at the maximum size). */
  private growForward(): void {
    const size = this.fwdMask + 1;
    if (size >= FWD_MAX_SLOTS) {
      this.flushForward();
      return;
    }
    const old = this.fwd;
    const fwd = new Int32Array(size * 4);
    this.fwd = fwd;
    this.fwdMask = size * 2 - 1;
    for (let j = 0; j < size * 2; j += 2) {
      const v = old[j + 1];
      if (v === 0) continue;
      let i = this.slotOf(v & 0xffff, old[j]);
      while (fwd[i * 2 + 1] !== 0) i = (i + 1) & this.fwdMask;
      fwd[i * 2] = old[j];
      fwd[i * 2 + 1] = v;
    }
  }

  /**
   * The hooks (bit 1 << NF_INET_*) where nf_hook would run anything: one generation check for
   * the packet's whole way through instead of a look at the compiled rules at every hook. Call
   * it only where nf_hook itself would run (rules are compiled at the current virtual time).
   */
  nfActiveHooks(): number {
    const ns = this.ns;
    const gen = ns.netfilter.generation;
    if (gen !== this.nfGen) {
      let hooks = 0;
      for (let h = 0; h < 5; h++) if (nfHookActive(ns, h)) hooks |= 1 << h;
      this.nfHooks = hooks;
      this.nfGen = gen;
    }
    return this.nfHooks;
  }

  /** A cached input route (forwarding or local) for a packet from `src` to `dst` arriving on `dev`, if any
   * (addresses as int32, so that none is a heap number when this is not inlined). */
  cachedForward(dev: NetDevice, dst: number, src: number): Rtable | undefined {
    const ns = this.ns;
    if (this.fwdStamp !== ns.ipv4.generation || this.fwdSysctlStamp !== ns.sysctl.generation) this.revalidate();
    // (Nothing is cached while the namespace is not eligible.)
    if (this.fwdEntries === 0) return undefined;
    const ifindex = dev.ifindex;
    const d = dst | 0;
    const fwd = this.fwd;
    const mask = this.fwdMask;
    let i = this.slotOf(ifindex, d);
    for (;;) {
      const v = fwd[i * 2 + 1];
      if (v === 0) return undefined;
      if (fwd[i * 2] === d && (v & 0xffff) === ifindex) {
        // The source must not be one the kernel rejects (ours, multicast, broadcast, 0/8, 127/8):
        // a flow's packets share it, so the last one that passed is remembered.
        if (src !== this.fwdSrcOk) {
          const top = src >>> 24;
          if (top === 0 || top === 127 || top >= 224 || this.isLocal(src | 0)) return undefined;
          this.fwdSrcOk = src | 0;
        }
        const rt = this.fwdRoutes[(v >>> 16) - 1];
        return rt.dev.ns === ns ? rt : undefined;
      }
      i = (i + 1) & mask;
    }
  }

  /** Remembers an input route if it depends on the input device and destination alone. */
  cacheForward(dev: NetDevice, dst: number, rt: Rtable, redirect: boolean): void {
    // Forwarding routes, and local delivery (whose source check, fib_validate_source, comes
    // down to the martian and local-source tests cachedForward makes).
    if (!this.fwdEligible || (rt.type !== 'unicast' && rt.type !== 'local') || rt.error || redirect || rt.dev === dev || !rt.fib) return;
    if (dev.ifindex > 0xffff) return;
    if (Number(this.ns.sysctl.get(`net.ipv4.conf.${dev.name}.rp_filter`) ?? 0) !== 0) return;
    if (this.fwdEntries * 2 >= this.fwdMask + 1) this.growForward();
    // Routes that differ only by their prefix forward alike: one shared route per next hop.
    const plain = rt.metrics.size === 0 && rt.metricsLock === 0 && rt.realms === 0;
    const key: unknown = plain ? `${rt.iif} ${rt.dev.ifindex} ${rt.gateway} ${rt.flags} ${rt.table}` : rt.fib.route;
    let idx = this.fwdRouteIndex.get(key);
    if (idx === undefined || this.fwdRoutes[idx].iif !== rt.iif) {
      // (Route indexes have 15 bits in the table.)
      if (this.fwdRoutes.length >= 0x7fff) return;
      idx = this.fwdRoutes.length;
      this.fwdRoutes.push(rt);
      this.fwdRouteIndex.set(key, idx);
    }
    const d = dst | 0;
    const ifindex = dev.ifindex;
    const fwd = this.fwd;
    let i = this.slotOf(ifindex, d);
    while (fwd[i * 2 + 1] !== 0 && !(fwd[i * 2] === d && (fwd[i * 2 + 1] & 0xffff) === ifindex)) i = (i + 1) & this.fwdMask;
    if (fwd[i * 2 + 1] === 0) this.fwdEntries++;
    fwd[i * 2] = d;
    fwd[i * 2 + 1] = ((idx + 1) << 16) | ifindex;
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

function hashAddr(x: number): number {
  const h = Math.imul(x, 0x9e3779b1);
  return h ^ (h >>> 16);
}
