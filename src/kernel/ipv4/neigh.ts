// The IPv4 neighbour table (net/core/neighbour.c with arp_tbl): entries per (device, address)
// with NUD states, the admin operations of `ip neigh` (neigh_add, neigh_delete), the state
// update rules (__neigh_update) and the timer that ages entries (neigh_timer_handler). Sending
// the ARP requests is the data plane's: it sets `solicit`.
import { IFF_LOOPBACK, IFF_POINTOPOINT, type NetDevice } from '../device.ts';
import { EEXIST, EINVAL, ENOENT, KernelError } from '../errors.ts';
import type { NetNs } from '../netns.ts';
import {
  NTF_ROUTER, NUD_CONNECTED, NUD_DELAY, NUD_FAILED, NUD_IN_TIMER, NUD_INCOMPLETE, NUD_NOARP, NUD_PERMANENT, NUD_PROBE,
  NUD_REACHABLE, NUD_STALE, NUD_VALID,
} from './constants.ts';

/** __neigh_update flags (NEIGH_UPDATE_F_*). */
export const NEIGH_UPDATE_F_OVERRIDE = 0x1;
export const NEIGH_UPDATE_F_WEAK_OVERRIDE = 0x2;
export const NEIGH_UPDATE_F_OVERRIDE_ISROUTER = 0x4;
export const NEIGH_UPDATE_F_ISROUTER = 0x40000000;
export const NEIGH_UPDATE_F_ADMIN = 0x80000000;

/** HZ: the kernel's timers count 4 ms jiffies. */
export const JIFFY_MS = 4;

/**
 * When a timer armed at `nowMs` for `delayMs` really fires: the timer wheel keeps short timers
 * exact to the jiffy and rounds longer ones up to the next slot of their level (8 jiffies for
 * 64–511, 64 for 512–4095, …), which is why a 1 s neighbour timer fires 1.004–1.032 s later.
 */
export function timerWheelExpiry(nowMs: number, delayMs: number): number {
  const now = Math.floor(nowMs / JIFFY_MS);
  const delta = Math.max(0, Math.ceil(delayMs / JIFFY_MS));
  const expires = now + delta;
  let lvl = 0;
  while (lvl < 8 && delta >= 64 << (3 * lvl)) lvl++;
  const at = lvl === 0 ? expires : ((Math.floor(expires / (1 << (3 * lvl))) + 1) * (1 << (3 * lvl)));
  return at * JIFFY_MS;
}

export interface Neighbour {
  dev: NetDevice;
  /** The key: IPv4 address as uint32 (0.0.0.0 on loopback and point-to-point devices). */
  addr: number;
  /** Link-layer address (neigh->ha); only reported while the state is valid. */
  lladdr: Uint8Array | undefined;
  /** NUD_* bits (0 is NUD_NONE). */
  state: number;
  /** NTF_* flags (NTF_ROUTER). */
  flags: number;
  /** Virtual times (ms) of the last use, confirmation and update. */
  used: number;
  confirmed: number;
  updated: number;
  /** Solicitations sent in the current resolution (neigh->probes). */
  probes: number;
  protocol: number;
  /** Pending neigh timer (virtual time ms), if armed. */
  timerAt: number | undefined;
  timer: unknown;
}

export interface ProxyNeighbour {
  dev: NetDevice | undefined;
  addr: number;
  flags: number;
}

export interface NeighAddRequest {
  dev: NetDevice;
  addr: number;
  lladdr?: Uint8Array;
  state: number;
  flags: number;
  protocol?: number;
  /** NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE as `ip neigh add/change/replace` send them. */
  create: boolean;
  excl: boolean;
  replace: boolean;
}

export class NeighTable {
  /** Entries in creation order (the kernel's hash order is random; this is what dumps show). */
  readonly entries: Neighbour[] = [];
  readonly proxies: ProxyNeighbour[] = [];
  /** Sends a solicitation (ARP request) for `n`; set by the data plane. */
  solicit: (n: Neighbour) => void = () => {};
  /** Told when an entry becomes FAILED (queued packets get their errors); set by the data plane. */
  invalidated: (n: Neighbour) => void = () => {};
  /** Told when an entry gets a usable address (packets waiting for it can go); set by the data plane. */
  validated: (n: Neighbour) => void = () => {};
  private readonly reachable = new Map<NetDevice, { value: number; at: number }>();

  constructor(private readonly ns: NetNs) {}

  private now(): number {
    return this.ns.world.now();
  }

  /** A neighbour parameter of the device (net.ipv4.neigh.DEV.*). */
  parm(dev: NetDevice, key: string): number {
    return Number(this.ns.sysctl.get(`net.ipv4.neigh.${dev.name}.${key}`) ?? this.ns.sysctl.get(`net.ipv4.neigh.default.${key}`) ?? 0);
  }

  /** parms->reachable_time: random in [base/2, 3·base/2), redrawn every 300 s. */
  reachableTime(dev: NetDevice): number {
    const cur = this.reachable.get(dev);
    if (cur && this.now() - cur.at < 300_000) return cur.value;
    const base = this.parm(dev, 'base_reachable_time_ms');
    const value = base ? this.ns.world.rng.below(base) + (base >> 1) : 0;
    this.reachable.set(dev, { value, at: this.now() });
    return value;
  }

  /** arp_constructor keys loopback and point-to-point neighbours on 0.0.0.0. */
  keyFor(dev: NetDevice, addr: number): number {
    return dev.flags & (IFF_LOOPBACK | IFF_POINTOPOINT) ? 0 : addr >>> 0;
  }

  /** Bumped whenever an entry is created or removed (routes' cached neighbours check it). */
  generation = 0;

  /** Index by device, then address (as int32, so lookups never box a number). */
  private readonly index = new Map<NetDevice, Map<number, Neighbour>>();

  lookup(dev: NetDevice, addr: number): Neighbour | undefined {
    const m = this.index.get(dev);
    return m === undefined ? undefined : m.get(this.keyFor(dev, addr) | 0);
  }

  /** find() under its older name. */
  find(dev: NetDevice, addr: number): Neighbour | undefined {
    return this.lookup(dev, addr);
  }

  /** neigh_alloc + arp_constructor: a NUD_NONE entry, confirmed "long ago". */
  create(dev: NetDevice, addr: number): Neighbour {
    const now = this.now();
    const n: Neighbour = {
      dev, addr: this.keyFor(dev, addr), lladdr: undefined, state: 0, flags: 0, used: now, updated: now,
      confirmed: now - 2 * this.parm(dev, 'base_reachable_time_ms'), probes: 0, protocol: 0, timerAt: undefined, timer: undefined,
    };
    this.entries.push(n);
    this.generation++;
    let m = this.index.get(dev);
    if (!m) {
      m = new Map();
      this.index.set(dev, m);
    }
    m.set(n.addr | 0, n);
    return n;
  }

  /** Removes an entry (neigh_remove_one), stopping its timer. */
  remove(n: Neighbour): void {
    this.generation++;
    this.delTimer(n);
    const i = this.entries.indexOf(n);
    if (i >= 0) this.entries.splice(i, 1);
    const m = this.index.get(n.dev);
    if (m && m.get(n.addr | 0) === n) {
      m.delete(n.addr | 0);
      if (m.size === 0) this.index.delete(n.dev);
    }
  }

  /** neigh_flush_dev: a device went down (all go) or lost carrier (permanent ones stay). */
  flushDev(dev: NetDevice, keepPermanent: boolean): void {
    for (const n of [...this.entries]) {
      if (n.dev === dev && !(keepPermanent && n.state & NUD_PERMANENT)) this.remove(n);
    }
  }

  dropProxies(dev: NetDevice): void {
    for (let i = this.proxies.length - 1; i >= 0; i--) if (this.proxies[i].dev === dev) this.proxies.splice(i, 1);
  }

  private delTimer(n: Neighbour): void {
    if (n.timer !== undefined) this.ns.world.clock.clearTimeout(n.timer as number);
    n.timer = undefined;
    n.timerAt = undefined;
  }

  /** mod_timer: runs at once when already due (the kernel's timer fires within a jiffy). */
  private addTimer(n: Neighbour, at: number): void {
    this.delTimer(n);
    const delay = at - this.now();
    n.timerAt = delay <= 0 ? at : timerWheelExpiry(this.now(), delay);
    if (delay <= 0) {
      this.timerHandler(n);
      return;
    }
    n.timer = this.ns.world.clock.setTimeout(() => {
      n.timer = undefined;
      this.timerHandler(n);
      // What the timer sent (probes, errors) travels now.
      this.ns.world.net.run();
    }, n.timerAt - this.now());
  }

  /** neigh_max_probes. */
  maxProbes(n: Neighbour): number {
    return this.parm(n.dev, 'ucast_solicit') + this.parm(n.dev, 'app_solicit') +
      (n.state & NUD_PROBE ? this.parm(n.dev, 'mcast_resolicit') : this.parm(n.dev, 'mcast_solicit'));
  }

  /** neigh_timer_handler. */
  timerHandler(n: Neighbour): void {
    n.timerAt = undefined;
    if (!(n.state & NUD_IN_TIMER) || this.lookup(n.dev, n.addr) !== n) return;
    const now = this.now();
    const retrans = Math.max(this.parm(n.dev, 'retrans_time_ms'), 10);
    const delayProbe = this.parm(n.dev, 'delay_first_probe_time') * 1000;
    let next = now + 1000;
    if (n.state & NUD_REACHABLE) {
      const reach = this.reachableTime(n.dev);
      if (now <= n.confirmed + reach) {
        next = n.confirmed + reach;
      } else if (now <= n.used + delayProbe) {
        n.state = NUD_DELAY;
        n.updated = now;
        next = now + delayProbe;
      } else {
        n.state = NUD_STALE;
        n.updated = now;
      }
    } else if (n.state & NUD_DELAY) {
      if (now <= n.confirmed + delayProbe) {
        n.state = NUD_REACHABLE;
        n.updated = now;
        next = n.confirmed + this.reachableTime(n.dev);
      } else {
        n.state = NUD_PROBE;
        n.updated = now;
        n.probes = 0;
        next = now + retrans;
      }
    } else {
      next = now + retrans;
    }
    if (n.state & (NUD_INCOMPLETE | NUD_PROBE) && n.probes >= this.maxProbes(n)) {
      n.state = NUD_FAILED;
      n.updated = now;
      this.invalidated(n);
      return;
    }
    if (n.state & NUD_IN_TIMER) this.addTimer(n, Math.max(next, now + 4));
    if (n.state & (NUD_INCOMPLETE | NUD_PROBE)) {
      n.probes++;
      this.solicit(n);
    }
  }

  /**
   * __neigh_update: the one place a state or link-layer address changes. `lladdr` null means
   * none given. Throws EINVAL ("No link layer address given") when a valid state is asked for
   * an entry that has no address yet.
   */
  update(n: Neighbour, lladdr: Uint8Array | null, state: number, flags: number): void {
    const old = n.state;
    const isRouter = (): void => {
      if (flags & NEIGH_UPDATE_F_OVERRIDE_ISROUTER) {
        n.flags = flags & NEIGH_UPDATE_F_ISROUTER ? n.flags | NTF_ROUTER : n.flags & ~NTF_ROUTER;
      }
    };
    if (!(flags & NEIGH_UPDATE_F_ADMIN) && old & (NUD_NOARP | NUD_PERMANENT)) return;
    if (!(state & NUD_VALID)) {
      this.delTimer(n);
      n.state = state;
      if (old & (NUD_INCOMPLETE | NUD_PROBE) && state & NUD_FAILED) this.invalidated(n);
      return;
    }
    let ha: Uint8Array | undefined;
    if (lladdr) {
      ha = old & NUD_VALID && n.lladdr && equalBytes(lladdr, n.lladdr) ? n.lladdr : lladdr.slice(0, 6);
    } else {
      if (!(old & NUD_VALID) || !n.lladdr) throw new KernelError(EINVAL, 'No link layer address given');
      ha = n.lladdr;
    }
    const now = this.now();
    if (state & NUD_CONNECTED) n.confirmed = now;
    let updateRouter = true;
    if (old & NUD_VALID) {
      if (ha !== n.lladdr && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
        updateRouter = false;
        if (flags & NEIGH_UPDATE_F_WEAK_OVERRIDE && old & NUD_CONNECTED) {
          ha = n.lladdr;
          state = NUD_STALE;
        } else {
          return;
        }
      } else if (ha === n.lladdr && state === NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN)) {
        state = old;
      }
    }
    const newAddr = ha !== n.lladdr;
    if (state !== old || newAddr) n.updated = now;
    if (newAddr) {
      n.lladdr = ha;
      if (!(state & NUD_CONNECTED)) n.confirmed = now - 2 * this.parm(n.dev, 'base_reachable_time_ms');
    }
    if (updateRouter) isRouter();
    if (state !== old) {
      this.delTimer(n);
      if (state & NUD_PROBE) n.probes = 0;
      n.state = state;
      if (state & NUD_IN_TIMER) this.addTimer(n, now + (state & NUD_REACHABLE ? this.reachableTime(n.dev) : 0));
    }
    // neigh_update: an entry that became valid sends what waited in its queue.
    if (n.state & NUD_VALID && n.lladdr) this.validated(n);
  }

  /**
   * neigh_event_send: a packet is about to use `n`. Marks it used; starts resolution (INCOMPLETE,
   * first solicitation now) for an entry without an address, or DELAY for a STALE one.
   * Returns 'send' when the packet can go now, 'queue' while resolving, 'probe' when it is to
   * be queued and the first solicitation sent right after (it names the queued packet's
   * source), 'drop' when the neighbour cannot be resolved (no probes allowed).
   */
  eventSend(n: Neighbour): 'send' | 'queue' | 'probe' | 'drop' {
    const now = this.now();
    n.used = now;
    if (n.state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return 'send';
    if (!(n.state & (NUD_STALE | NUD_INCOMPLETE))) {
      if (this.parm(n.dev, 'mcast_solicit') + this.parm(n.dev, 'app_solicit') === 0) {
        n.state = NUD_FAILED;
        n.updated = now;
        return 'drop';
      }
      n.probes = this.parm(n.dev, 'ucast_solicit');
      this.delTimer(n);
      n.state = NUD_INCOMPLETE;
      n.updated = now;
      // The timer is armed before the first probe goes out (immediate_probe).
      this.armTimer(n, now + Math.max(this.parm(n.dev, 'retrans_time_ms'), 10));
      n.probes++;
      return 'probe';
    }
    if (n.state & NUD_STALE) {
      this.delTimer(n);
      n.state = NUD_DELAY;
      n.updated = now;
      this.armTimer(n, now + this.parm(n.dev, 'delay_first_probe_time') * 1000);
      return 'send';
    }
    return 'queue';
  }

  /** Arms the neigh timer without running it now even if due (the caller goes on first). */
  private armTimer(n: Neighbour, at: number): void {
    this.delTimer(n);
    n.timerAt = timerWheelExpiry(this.now(), at - this.now());
    n.timer = this.ns.world.clock.setTimeout(() => {
      n.timer = undefined;
      this.timerHandler(n);
      // What the timer sent (probes, errors) travels now.
      this.ns.world.net.run();
    }, n.timerAt - this.now());
  }

  /** neigh_add: `ip neigh add/change/replace`. */
  add(req: NeighAddRequest): Neighbour {
    if (req.lladdr && req.lladdr.length < 6) throw new KernelError(EINVAL, 'Invalid link address');
    let flags = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER;
    let n = this.lookup(req.dev, req.addr);
    if (!n) {
      if (!req.create) throw new KernelError(ENOENT);
      n = this.create(req.dev, req.addr);
    } else {
      if (req.excl) throw new KernelError(EEXIST);
      if (!req.replace) flags &= ~(NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER);
    }
    if (req.protocol) n.protocol = req.protocol;
    if (req.flags & NTF_ROUTER) flags |= NEIGH_UPDATE_F_ISROUTER;
    this.update(n, req.lladdr ?? null, req.state, flags);
    return n;
  }

  /** neigh_delete: ENOENT when there is no such entry. */
  delete(dev: NetDevice, addr: number): void {
    const n = this.lookup(dev, addr);
    if (!n) throw new KernelError(ENOENT);
    this.update(n, null, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    this.remove(n);
  }

  /** pneigh_lookup(create): `ip neigh add proxy ADDR dev DEV`. */
  addProxy(dev: NetDevice | undefined, addr: number, flags: number): void {
    const p = this.proxies.find((x) => x.dev === dev && x.addr === addr);
    if (p) {
      p.flags = flags;
      return;
    }
    // Dump order: the 16 hash buckets in turn, each newest first.
    const h = pneighHash(addr);
    const at = this.proxies.findIndex((x) => pneighHash(x.addr) >= h);
    this.proxies.splice(at < 0 ? this.proxies.length : at, 0, { dev, addr, flags });
  }

  deleteProxy(dev: NetDevice | undefined, addr: number): void {
    const i = this.proxies.findIndex((x) => x.dev === dev && x.addr === addr);
    if (i < 0) throw new KernelError(ENOENT);
    this.proxies.splice(i, 1);
  }
}

/** pneigh_hash: the key's last 4 bytes read as a little-endian word, folded to 4 bits. */
export function pneighHash(addr: number): number {
  let h = (((addr & 0xff) << 24) | ((addr >>> 8) & 0xff) << 16 | ((addr >>> 16) & 0xff) << 8 | (addr >>> 24)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = (h ^ (h >>> 8)) >>> 0;
  h = (h ^ (h >>> 4)) >>> 0;
  return h & 0xf;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}
