// One FIFO of frame deliveries for the whole world. A device hands a frame to its peer by
// queueing it here, never by calling into it, so there is no recursion from device to device,
// the order is deterministic, and a bridge loop shows up as a queue that never empties: the
// drain has a budget and stops with a StormError naming the devices the frames went round.
import type { NetDevice } from './device.ts';
import { skbPool } from './skb.ts';

/** What the queue delivers to (the device layer's netif_receive_skb). A method of one class
 * for every world, not a closure per world: optimised code sees one call target. */
export interface Receiver {
  receive(slot: number, dev: NetDevice): void;
}

export class StormError extends Error {
  override readonly name = 'StormError';
  constructor(
    /** Deliveries made in the drain that was stopped. */
    readonly deliveries: number,
    /** The devices that received the most frames, busiest first, as `ns/dev (count)`. */
    readonly devices: string[],
    /** What the loop is, when something could tell (the bridges it goes through). */
    readonly loop?: string,
  ) {
    super(
      `broadcast storm: more than ${deliveries} frame deliveries at one instant without the queue emptying ` +
      `(${loop ?? 'a forwarding loop? STP is off'}); frames kept going round: ${devices.join(', ')}`,
    );
  }
}

export class Scheduler {
  /** Queued frames; each one's receiving device is its skb->dev (`skbPool.dev`), as
   * dev_forward_skb sets it, so the queue holds numbers only. */
  private slots = new Int32Array(1024);
  private first = 0;
  private count = 0;
  private draining = false;
  /** Deliveries one drain may make before it is declared a storm. */
  budget = 2_000_000;
  /** Gets every queued frame, in order. */
  rx: Receiver = { receive: () => {} };
  /** Called with the slot of every frame dropped because of a storm. */
  drop: (slot: number) => void = () => {};
  /** Names the loop a storm went round, from its busiest devices (set by the bridge). */
  explain: ((devices: NetDevice[]) => string | undefined) | undefined;

  get pending(): number {
    return this.count;
  }

  /** Queues `slot` for reception by `dev` (which becomes its skb->dev). */
  enqueue(slot: number, dev: NetDevice): void {
    skbPool.dev[slot] = dev;
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.first + this.count) & (this.slots.length - 1)] = slot;
    this.count++;
  }

  private grow(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n);
    for (let k = 0; k < this.count; k++) slots[k] = this.slots[(this.first + k) & (this.slots.length - 1)];
    this.slots = slots;
    this.first = 0;
  }

  /**
   * Delivers queued frames until the queue is empty. Re-entrant calls (a delivery that sends)
   * return at once: the outer drain picks the new frames up.
   */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    let done = 0;
    let tally: Map<NetDevice, number> | undefined;
    try {
      while (this.count > 0) {
        const i = this.first;
        const slot = this.slots[i];
        const dev = skbPool.dev[slot]!;
        this.first = (i + 1) & (this.slots.length - 1);
        this.count--;
        if (++done > this.budget >> 1) {
          // Past half the budget: start noting where frames go, for the report.
          tally ??= new Map();
          tally.set(dev, (tally.get(dev) ?? 0) + 1);
          if (done > this.budget) {
            this.drop(slot);
            this.flush();
            const busiest = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 8);
            throw new StormError(this.budget, busiest.map(([d, n]) => `${d.ns.name}/${d.name} (${n})`),
              this.explain?.(busiest.map(([d]) => d)));
          }
        }
        this.rx.receive(slot, dev);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Drops everything queued. */
  private flush(): void {
    while (this.count > 0) {
      const i = this.first;
      this.drop(this.slots[i]);
      this.first = (i + 1) & (this.slots.length - 1);
      this.count--;
    }
  }
}
