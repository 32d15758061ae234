// A tracked connection's state (struct nf_conn). What a packet reads or changes (status,
// timeout, references, MASQUERADE device, cached events) lives in the table's words, next to
// the two tuples' lookup keys: a connection is one 64-byte line of CtTable.cw, and the packet
// path touches no Conn object. The Conn is the handle the rest of the code uses; its accessors
// read the same words, or, once the connection is freed (its words reused), a copy of them.

/** Int32 words per connection in CtTable.cw (64 bytes). Words 0-3 are the original tuple's
 * key, 4-7 the reply's: source, destination, ports (sport << 16 | dport), hash with the
 * protocol in its low byte. */
export const CT_WORDS = 16;
/** IPS_* bits. */
export const CT_STATUS = 8;
/** References held by packets (skb->_nfct), plus one while in the hash (as the kernel's use count). */
export const CT_USE = 9;
/** The MASQUERADE egress device's ifindex (flushed with the device's address), 0 otherwise. */
export const CT_MASQ = 10;
/** IPCT_* bits cached for the next delivery (only while the table has listeners). */
export const CT_EVENTS = 11;
// Float64 words (index id * CT_F64_WORDS + n in CtTable.cf, the same buffer), in jiffies: they
// may pass the int32 range with a world epoch far from the default one.
export const CT_F64_WORDS = CT_WORDS / 2;
/** Deadline (int32 words 12-13). */
export const CT_F_TIMEOUT = 6;
/** UDP: the time after which a replied flow counts as a stream (2 s after it began; words 14-15). */
export const CT_F_STREAM = 7;

/** Word offset of node `n`'s key (node = id * 2 + direction). */
export function ctKeyOffset(n: number): number {
  return (n >> 1) * CT_WORDS + (n & 1) * 4;
}

/** Where a live connection's words are. */
export interface CtWords {
  cw: Int32Array;
  cf: Float64Array;
}

/** One tracked connection (struct nf_conn, without its tuples: they are in the table's arrays). */
export class Conn {
  mark = 0;
  /** TCP: enum tcp_conntrack; 0 for other protocols. */
  tcpState = 0;
  /** In the hash (confirmed and not yet removed). */
  hashed = false;
  /** Insertion order, newest last (dump order within a bucket). */
  seq = 0;
  /** ctnetlink's id. */
  ctid = 0;
  /** The table's words while the connection exists; once it is freed, a copy of its own. */
  private w: CtWords;
  private base: number;

  constructor(readonly id: number, readonly proto: number, tab: CtWords) {
    this.w = tab;
    this.base = id * CT_WORDS;
  }

  /** The connection was freed: its id (and words) may go to another; keep what they said. */
  detach(): void {
    const cw = this.w.cw.slice(this.base, this.base + CT_WORDS);
    this.w = { cw, cf: new Float64Array(cw.buffer) };
    this.base = 0;
  }

  get status(): number { return this.w.cw[this.base + CT_STATUS]; }
  set status(v: number) { this.w.cw[this.base + CT_STATUS] = v; }
  get masqIndex(): number { return this.w.cw[this.base + CT_MASQ]; }
  set masqIndex(v: number) { this.w.cw[this.base + CT_MASQ] = v; }
  get events(): number { return this.w.cw[this.base + CT_EVENTS]; }
  set events(v: number) { this.w.cw[this.base + CT_EVENTS] = v; }
  /** Deadline in jiffies. */
  get timeout(): number { return this.w.cf[this.base / 2 + CT_F_TIMEOUT]; }
  set timeout(v: number) { this.w.cf[this.base / 2 + CT_F_TIMEOUT] = v; }
  get streamTs(): number { return this.w.cf[this.base / 2 + CT_F_STREAM]; }
  set streamTs(v: number) { this.w.cf[this.base / 2 + CT_F_STREAM] = v; }
  /** References held by packets. */
  get refs(): number { return this.w.cw[this.base + CT_USE] - (this.hashed ? 1 : 0); }
}
