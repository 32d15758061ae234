// The kernel log (printk's ring buffer, what /dev/kmsg and syslog(2) read and `dmesg` prints).
//
// One buffer for the whole World, as on Linux: the kernel has a single log shared by every
// network namespace (`dmesg` inside `ip netns exec` reads the same records as outside). Each
// record also notes the namespace that produced it, for nslab's own use; nothing prints it.
//
// A record is what printk stores: a sequence number, facility (0 = kern for every printk),
// level (0 emerg … 7 debug), the time since boot in microseconds (local_clock() / 1000), and
// the text without its trailing newline. Time since boot is the World's virtual time since
// it was created (its clock's start is the boot instant; `dmesg -T` adds it back).
//
// Capacity: the kernel's ring (printk_ringbuffer) holds log_buf_len bytes of text and
// log_buf_len >> 5 descriptors; each text block takes an 8-byte id plus the text, rounded up
// to 8 bytes. nslab uses log_buf_len = 256 KiB (CONFIG_LOG_BUF_SHIFT=18) and drops the
// oldest records when either runs out, as the kernel does. The exact point at which a real
// kernel overwrites a record differs slightly (its data ring wraps); only floods notice.
import type { World } from './world.ts';

/** LOG_KERN >> 3: printk's facility. */
export const LOG_KERN = 0;

export const LOG_BUF_LEN = 1 << 18;
const MAX_RECORDS = LOG_BUF_LEN >> 5;

export interface KmsgRecord {
  seq: number;
  facility: number;
  level: number;
  /** Microseconds since boot. */
  usec: number;
  text: string;
  /** Name of the namespace the record came from ('host' for the initial one), or '' when
   * it was not about a namespace. */
  ns: string;
}

export type KmsgListener = (rec: KmsgRecord) => void;

export class Kmsg {
  /** Records still in the buffer, oldest first. */
  private records: KmsgRecord[] = [];
  /** Index in `records` of the oldest one still held (records before it were dropped). */
  private first = 0;
  private bytes = 0;
  /** Sequence number the next record gets. */
  private nextSeq = 0;
  /** SYSLOG_ACTION_CLEAR: records before this sequence number are hidden from readers. */
  private clearSeq = 0;
  /** Told of each new record (`dmesg -w`). */
  readonly listeners: KmsgListener[] = [];

  /** vprintk_store: appends a record. */
  add(level: number, text: string, usec: number, ns = '', facility = LOG_KERN): KmsgRecord {
    const rec: KmsgRecord = { seq: this.nextSeq++, facility, level: level & 7, usec, text, ns };
    this.records.push(rec);
    this.bytes += blockSize(text);
    while (this.records.length - this.first > MAX_RECORDS || this.bytes > LOG_BUF_LEN) {
      this.bytes -= blockSize(this.records[this.first].text);
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.records.length) {
      this.records = this.records.slice(this.first);
      this.first = 0;
    }
    for (const l of this.listeners) l(rec);
    return rec;
  }

  /** What a reader of /dev/kmsg sees from the start (SEEK_DATA): the records since the last clear. */
  read(): KmsgRecord[] {
    const out: KmsgRecord[] = [];
    for (let i = this.first; i < this.records.length; i++) {
      if (this.records[i].seq >= this.clearSeq) out.push(this.records[i]);
    }
    return out;
  }

  /** Every record still held, cleared ones too. */
  all(): KmsgRecord[] {
    return this.records.slice(this.first);
  }

  /** SYSLOG_ACTION_CLEAR (`dmesg -C`): later readers start after the current last record. */
  clear(): void {
    this.clearSeq = this.nextSeq;
  }
}

function blockSize(text: string): number {
  // The text as UTF-8 (ASCII in practice) plus the block's id, aligned to 8 bytes.
  let n = text.length;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) n += text.charCodeAt(i) > 0x7ff ? 2 : 1;
  return (8 + n + 7) & ~7;
}

/** Time since boot as [seconds, nanoseconds]: the World's virtual time since it was created. */
function sinceBoot(world: World): [number, number] {
  const hr = world.clock.hrtime;
  if (hr !== undefined) {
    const [s, ns] = hr();
    return [s, ns];
  }
  return [0, 0];
}

/** Microseconds since boot (printk's timestamp, local_clock() truncated to µs). */
export function uptimeUsec(world: World): number {
  const [s, ns] = sinceBoot(world);
  return s * 1_000_000 + Math.floor(ns / 1000);
}

/** The wall-clock time of boot in ms since the epoch (what `dmesg -T` adds to a timestamp):
 * the World's epoch. */
export function bootTimeMs(world: World): number {
  const [s, ns] = sinceBoot(world);
  return world.clock.now - (s * 1000 + Math.floor(ns / 1e6));
}

/** printk(KERN_SOH level, text) from the kernel, on behalf of a namespace (optional). */
export function printk(world: World, level: number, text: string, ns = ''): void {
  world.kmsg.add(level, text, uptimeUsec(world), ns);
}
