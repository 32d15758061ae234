// IPv4 reassembly for local delivery (ip_defrag): fragments are queued per (src, dst, id,
// protocol); a complete datagram is rebuilt in a new slot. As in Linux since 4.19, a fragment
// that overlaps one already queued makes the whole datagram be dropped; a queue not completed
// within ipfrag_time (30 s) is dropped too, and if its first fragment arrived an ICMP time
// exceeded (fragment reassembly) goes back to the sender.
import type { SkbPool } from '../skb.ts';
import { updateIpv4Checksum } from '../../wire/ipv4.ts';

interface FragQueue {
  key: string;
  /** Slots of the fragments, sorted by offset. */
  frags: number[];
  offsets: number[];
  ends: number[];
  /** Total payload length, known once the last fragment (MF=0) arrived; -1 before. */
  total: number;
  /** Slot of the first fragment (offset 0) once received, else -1. */
  first: number;
  received: number;
  /** The largest fragment (IPv4 total length) queued: the refragmenting size (frag_max_size). */
  maxSize: number;
  timer: { cancel(): void };
}

export interface ReassemblyHooks {
  /** Starts a timer in virtual time. */
  setTimer(ms: number, fire: () => void): { cancel(): void };
  /** The queue timed out: `firstSlot` is the first fragment (or -1); the slots are freed afterwards. */
  timedOut(firstSlot: number): void;
  count(what: 'reqds' | 'oks' | 'fails' | 'timeout'): void;
}

export class Reassembler {
  private readonly queues = new Map<string, FragQueue>();

  constructor(private readonly pool: SkbPool, private readonly hooks: ReassemblyHooks, private readonly timeoutMs = () => 30_000) {}

  /**
   * Takes a fragment (IPv4 header at pool.nh[slot]). Returns the slot of the rebuilt datagram
   * when this fragment completes one, else -1 (the fragment is kept or dropped).
   */
  add(slot: number): number {
    return this.queue(slot, false);
  }

  /**
   * As add(), but a completed datagram continues in `slot` itself (conntrack's defragmentation:
   * the packet goes on through the hook that took it). True when `slot` now holds the whole
   * datagram; false when the fragment was kept or dropped.
   */
  addInPlace(slot: number): boolean {
    return this.queue(slot, true) === slot;
  }

  private queue(slot: number, inPlace: boolean): number {
    const p = this.pool;
    const b = p.data[slot];
    const nh = p.nh[slot];
    const hlen = (b[nh] & 0x0f) << 2;
    const total = (b[nh + 2] << 8) | b[nh + 3];
    const word = (b[nh + 6] << 8) | b[nh + 7];
    const offset = (word & 0x1fff) * 8;
    const more = (word & 0x2000) !== 0;
    const end = offset + total - hlen;
    this.hooks.count('reqds');
    const key = `${b[nh + 12]}.${b[nh + 13]}.${b[nh + 14]}.${b[nh + 15]}>${b[nh + 16]}.${b[nh + 17]}.${b[nh + 18]}.${b[nh + 19]}#${(b[nh + 4] << 8) | b[nh + 5]}/${b[nh + 9]}`;
    let q = this.queues.get(key);
    if (!q) {
      const nq: FragQueue = { key, frags: [], offsets: [], ends: [], total: -1, first: -1, received: 0, maxSize: 0, timer: { cancel() {} } };
      nq.timer = this.hooks.setTimer(this.timeoutMs(), () => this.expire(nq));
      this.queues.set(key, nq);
      q = nq;
    }
    // A second last fragment, a fragment beyond the known end, or an overlap: drop the lot.
    const bad = (!more && q.total >= 0 && q.total !== end) || (q.total >= 0 && end > q.total) ||
      q.offsets.some((o, i) => offset < q!.ends[i] && o < end);
    if (bad) {
      p.release(slot);
      this.kill(q);
      this.hooks.count('fails');
      return -1;
    }
    if (!more) q.total = end;
    let i = 0;
    while (i < q.offsets.length && q.offsets[i] < offset) i++;
    q.frags.splice(i, 0, slot);
    q.offsets.splice(i, 0, offset);
    q.ends.splice(i, 0, end);
    q.received += end - offset;
    if (total > q.maxSize) q.maxSize = total;
    if (offset === 0) q.first = slot;
    if (q.total < 0 || q.received !== q.total || q.first < 0) return -1;
    return this.rebuild(q, inPlace ? slot : -1);
  }

  private rebuild(q: FragQueue, keep: number): number {
    const p = this.pool;
    const fb = p.data[q.first];
    const fnh = p.nh[q.first];
    const hlen = (fb[fnh] & 0x0f) << 2;
    const out = p.alloc(hlen + q.total);
    const ob = p.data[out];
    const o = p.head[out];
    p.nh[out] = o;
    ob.set(fb.subarray(fnh, fnh + hlen), o);
    for (let k = 0; k < q.frags.length; k++) {
      const s = q.frags[k];
      const sb = p.data[s];
      const snh = p.nh[s];
      const sh = (sb[snh] & 0x0f) << 2;
      ob.set(sb.subarray(snh + sh, snh + sh + (q.ends[k] - q.offsets[k])), o + hlen + q.offsets[k]);
    }
    const len = hlen + q.total;
    ob[o + 2] = len >>> 8;
    ob[o + 3] = len & 0xff;
    ob[o + 6] &= 0x40; // keep DF, clear MF and the offset
    ob[o + 7] = 0;
    updateIpv4Checksum(ob, o);
    p.dev[out] = p.dev[q.first];
    p.iif[out] = p.iif[q.first];
    p.mark[out] = p.mark[q.first];
    p.pktType[out] = p.pktType[q.first];
    if (p.ct[q.first] !== 0) p.setCt(out, p.ctTab[q.first]!, p.ct[q.first] - 1, p.ctinfo[q.first]);
    p.fragMax[out] = q.maxSize;
    if (keep >= 0) q.frags.splice(q.frags.indexOf(keep), 1);
    this.kill(q);
    this.hooks.count('oks');
    if (keep < 0) return out;
    p.morph(keep, out);
    return keep;
  }

  private expire(q: FragQueue): void {
    if (this.queues.get(q.key) !== q) return;
    this.hooks.count('timeout');
    this.hooks.count('fails');
    this.hooks.timedOut(q.first);
    this.kill(q);
  }

  private kill(q: FragQueue): void {
    q.timer.cancel();
    this.queues.delete(q.key);
    for (const s of q.frags) this.pool.release(s);
    q.frags.length = 0;
  }

  get pending(): number {
    return this.queues.size;
  }
}
