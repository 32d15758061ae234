// Link watch (net/core/link_watch.c): carrier changes reach a device's operstate
// asynchronously. An event for a running device whose iflink is another device ("urgent") is
// handled as soon as the current rtnl operation ends; other events wait for the once-a-second
// full run (immediately when no full run happened in the last second). Opening a device handles
// its own pending event. The operstate is decided when the event is handled, from the state of
// the world at that moment (rfc2863_policy), which is why it can go stale.
import type { NetDevice } from './device.ts';
import type { World } from './world.ts';

/** HZ: full runs are at most once a second. */
export const LINKWATCH_INTERVAL_MS = 1000;

export class LinkWatch {
  /** lweventlist: devices with a pending event, in firing order. */
  private readonly pending: NetDevice[] = [];
  /** linkwatch_nextevent: the earliest time of the next full run. */
  private nextEvent = -Infinity;
  /** An urgent run is owed when the current rtnl section ends (LW_URGENT). */
  private urgent = false;
  /** A delayed run is scheduled on the virtual clock. */
  private timer = false;

  constructor(private readonly world: World) {}

  /**
   * linkwatch_urgent_event: the device is running and either stacked on another device, or
   * just got its carrier back (its qdisc is still the noop one, qdisc_tx_changing).
   */
  private isUrgent(dev: NetDevice): boolean {
    return dev.up && (dev.ifindex !== dev.iflink() || dev.carrier);
  }

  /** linkwatch_fire_event. */
  fire(dev: NetDevice): void {
    const urgent = this.isUrgent(dev);
    if (!dev.linkwatchPending) {
      dev.linkwatchPending = true;
      this.pending.push(dev);
    } else if (!urgent) {
      return;
    }
    this.schedule(urgent);
  }

  /** linkwatch_schedule_work. */
  private schedule(urgent: boolean): void {
    if (urgent) {
      this.urgent = true;
      this.world.afterRtnl();
      return;
    }
    const delay = this.nextEvent - this.world.now();
    if (delay <= 0 || delay > LINKWATCH_INTERVAL_MS) {
      // Runs as soon as the rtnl lock is released.
      this.urgent = true;
      this.world.afterRtnl();
      return;
    }
    if (this.timer) return;
    this.timer = true;
    this.world.clock.setTimeout(() => {
      this.timer = false;
      this.world.rtnl(() => this.run(this.world.now() < this.nextEvent));
    }, delay);
  }

  /** Called when the rtnl section that owed a run ends (the work item getting the lock). */
  runOwed(): void {
    if (!this.urgent) return;
    this.urgent = false;
    this.run(this.world.now() < this.nextEvent);
  }

  /** __linkwatch_run_queue. */
  private run(urgentOnly: boolean): void {
    if (!urgentOnly) this.nextEvent = this.world.now() + LINKWATCH_INTERVAL_MS;
    const work = this.pending.splice(0);
    for (const dev of work) {
      if (!dev.linkwatchPending) continue;
      if (urgentOnly && !this.isUrgent(dev)) {
        this.pending.push(dev);
        continue;
      }
      this.doDev(dev);
    }
    if (this.pending.length) this.schedule(false);
  }

  /** linkwatch_sync_dev: handles one device's pending event now. */
  sync(dev: NetDevice): void {
    if (!dev.linkwatchPending) return;
    const i = this.pending.indexOf(dev);
    if (i >= 0) this.pending.splice(i, 1);
    this.doDev(dev);
  }

  /** A device that goes away takes its pending event with it. */
  forget(dev: NetDevice): void {
    const i = this.pending.indexOf(dev);
    if (i >= 0) this.pending.splice(i, 1);
    dev.linkwatchPending = false;
  }

  /** linkwatch_do_dev. */
  private doDev(dev: NetDevice): void {
    dev.linkwatchPending = false;
    dev.operState = dev.defaultOperstate();
    if (dev.up) dev.ns.stateChanged(dev);
  }
}
