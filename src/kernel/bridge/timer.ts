// The bridge's notion of time: the kernel counts jiffies (HZ=250 on the reference machine, 4 ms
// each) and shows clock_t (USER_HZ=100); its timers are one-shot and re-armed by their handlers,
// and live in the kernel's timer wheel, whose order matters to STP: timers that fall into one
// bucket run together, the one armed last first.
import type { World } from '../world.ts';

export const HZ = 250;
export const MS_PER_JIFFY = 1000 / HZ;
export const USER_HZ = 100;

/** The virtual jiffies counter. */
export function jiffiesNow(world: World): number {
  return Math.floor(world.clock.now / MS_PER_JIFFY);
}

/** clock_t_to_jiffies (HZ not a multiple of USER_HZ: x * HZ / USER_HZ, rounded down). */
export function clockToJiffies(x: number): number {
  return Math.floor((x * HZ) / USER_HZ);
}

/** jiffies_to_clock_t: x * TICK_NSEC / (NSEC_PER_SEC / USER_HZ), rounded down. */
export function jiffiesToClock(x: number): number {
  return Math.floor((x * USER_HZ) / HZ);
}

/** `%4i.%.2i` of a clock_t value (brctl's br_show_timer, iproute2's bridge timers). */
export function formatTimer(clock: number, width = 4): string {
  const secs = Math.floor(clock / USER_HZ);
  return `${String(secs).padStart(width)}.${String(clock % USER_HZ).padStart(2, '0')}`;
}

/**
 * Where the jiffies counter's whole seconds fall in virtual time. The kernel's counter started
 * at boot, so its second boundaries have nothing to do with when commands run; scripts run at
 * whole seconds of virtual time (`sleep 1`), so nslab puts the boundaries half a second away
 * from them rather than on top of them.
 */
const ROUND_PHASE = HZ / 2;

/**
 * round_jiffies (on CPU 0): to a whole second of the jiffies counter, down when less than a
 * quarter second past one, else up; never into the past.
 */
export function roundJiffies(j: number, now: number): number {
  const rem = (((j - ROUND_PHASE) % HZ) + HZ) % HZ;
  const r = rem < HZ / 4 ? j - rem : j - rem + HZ;
  return r > now ? r : j;
}

/** calc_wheel_index: the bucket a timer lands in (granularity 8^level jiffies, rounded up). */
function bucketOf(expires: number, now: number): number {
  const delta = expires - now;
  let gran = 1;
  for (let start = 63; delta >= start && gran < 1 << 24; start *= 8) gran *= 8;
  return (Math.floor(Math.max(expires, now) / gran) + 1) * gran;
}

interface Bucket {
  /** Timers in the order they were armed (they run from the end). */
  timers: BrTimer[];
}

/** The world's timer wheel for bridge timers: one virtual-clock timer per bucket. */
const wheels = new WeakMap<World, Map<number, Bucket>>();

function wheel(world: World): Map<number, Bucket> {
  let w = wheels.get(world);
  if (!w) wheels.set(world, (w = new Map()));
  return w;
}

/**
 * A kernel timer_list in virtual time: mod() (re)arms it for an absolute jiffies value, del()
 * disarms it; the handler runs with the packet queue drained afterwards (softirq context).
 */
export class BrTimer {
  expires = 0;
  pending = false;
  private bucket: Bucket | undefined;

  constructor(private readonly world: World, private readonly handler: () => void) {}

  mod(expires: number): void {
    this.del();
    const world = this.world;
    const now = jiffiesNow(world);
    const at = bucketOf(expires, now);
    const w = wheel(world);
    let b = w.get(at);
    if (!b) {
      const bucket: Bucket = { timers: [] };
      w.set(at, bucket);
      b = bucket;
      world.clock.setTimeout(() => {
        w.delete(at);
        while (bucket.timers.length) {
          const t = bucket.timers.pop()!;
          t.bucket = undefined;
          t.pending = false;
          t.handler();
        }
        world.net.run();
      }, Math.max(0, at * MS_PER_JIFFY - world.clock.now));
    }
    this.expires = expires;
    this.pending = true;
    this.bucket = b;
    b.timers.push(this);
  }

  del(): boolean {
    const was = this.pending;
    if (this.bucket) {
      const i = this.bucket.timers.indexOf(this);
      if (i >= 0) this.bucket.timers.splice(i, 1);
    }
    this.bucket = undefined;
    this.pending = false;
    return was;
  }

  /** br_timer_value: jiffies left (0 when not pending), as clock_t. */
  value(): number {
    if (!this.pending) return 0;
    return jiffiesToClock(Math.max(0, this.expires - jiffiesNow(this.world)));
  }
}
