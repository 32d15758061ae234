/**
 * pcapng writer: one section (SHB with optional shb_userappl), one IDB per `addInterface`
 * (if_name, if_description, and always an explicit if_tsresol, default 6 = µs), and one EPB
 * per record, its data padded to 32 bits with zeros; no section length (-1), no EPB options.
 * Timestamps are rounded down to the interface's resolution (up when it is finer than 1 ns,
 * so nanoseconds read back exactly). Data longer than the interface's effective snaplen is
 * cut to it; originalLength defaults to data.length. IDBs may be added at any time; a record
 * may only name an existing one.
 */
import { LINKTYPE_ETHERNET, MAXIMUM_SNAPLEN, effectiveSnaplen } from './linktype.ts';
import {
  BT_EPB,
  BT_IDB,
  BT_SHB,
  BYTE_ORDER_MAGIC,
  OPT_IF_DESCRIPTION,
  OPT_IF_NAME,
  OPT_IF_TSRESOL,
  OPT_SHB_USERAPPL,
  tsresolTicks,
} from './pcapng-read.ts';
import { type ByteSink, FileSink, MemorySink, SinkWriter, U32_MAX, checkUint } from './sink.ts';
import type { WritableRecord } from './types.ts';

export interface PcapngInterfaceOptions {
  linkType: number;
  /** Default 262144; 0 means no limit (read back as 262144, as libpcap does). */
  snaplen?: number;
  /** if_name, e.g. 'eth0'. */
  name?: string;
  /** if_description. */
  description?: string;
  /** if_tsresol byte: 6 (µs, default), 9 (ns), 0x80|n for 2^-n seconds. */
  tsresol?: number;
}

export interface PcapngWriterOptions {
  /** Default 'le'. */
  byteOrder?: 'le' | 'be';
  /** shb_userappl option, e.g. 'nslab'. */
  userAppl?: string;
  /** Interfaces to add at once; ids are 0, 1, ... in this order. */
  interfaces?: readonly PcapngInterfaceOptions[];
  /** File writers: write each record through at once (tcpdump -U). Default false. */
  packetBuffered?: boolean;
}

interface Iface {
  snap: number;
  micro: boolean;
  ticksPerSecond: bigint;
}

const utf8 = new TextEncoder();
const ZEROS = new Uint8Array(4);
const TWO_64 = 1n << 64n;
const NS_PER_SEC = 1_000_000_000n;

export class PcapngWriter extends SinkWriter {
  private readonly le: boolean;
  private readonly ifaces: Iface[] = [];
  private readonly head = new Uint8Array(28);
  private readonly headView = new DataView(this.head.buffer);
  private readonly tail = new Uint8Array(8);
  private readonly tailView = new DataView(this.tail.buffer);

  /** Writer collecting the file in memory; get it with `bytes()`. */
  static memory(options: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(new MemorySink(), options);
  }

  /** Writer creating (truncating) `path` and appending blocks as they are written. */
  static file(path: string, options: PcapngWriterOptions = {}): PcapngWriter {
    return new PcapngWriter(new FileSink(path, options.packetBuffered ?? false), options);
  }

  private constructor(
    sink: ByteSink,
    options: PcapngWriterOptions,
  ) {
    super(sink);
    this.le = (options.byteOrder ?? 'le') === 'le';
    try {
      const opts: Uint8Array[] = [];
      if (options.userAppl !== undefined) opts.push(this.option(OPT_SHB_USERAPPL, utf8.encode(options.userAppl)));
      const fixed = new Uint8Array(16);
      const v = new DataView(fixed.buffer);
      v.setUint32(0, BYTE_ORDER_MAGIC, this.le);
      v.setUint16(4, 1, this.le);
      v.setUint16(6, 0, this.le);
      v.setBigInt64(8, -1n, this.le);
      this.block(BT_SHB, fixed, opts);
      for (const i of options.interfaces ?? []) this.addInterface(i);
      sink.recordDone();
    } catch (e) {
      sink.close();
      throw e;
    }
  }

  /** Write an IDB; returns the interface id records use. */
  addInterface(iface: PcapngInterfaceOptions): number {
    if (this.closed) throw new Error('pcapng writer is closed');
    const snaplen = iface.snaplen ?? MAXIMUM_SNAPLEN;
    const tsresol = iface.tsresol ?? 6;
    checkUint('link type', iface.linkType, 0xffff);
    checkUint('snaplen', snaplen, U32_MAX);
    checkUint('if_tsresol', tsresol, 0xff);
    const ticksPerSecond = tsresolTicks(tsresol);
    if (ticksPerSecond === undefined) throw new RangeError(`if_tsresol ${tsresol} does not fit 64 bits`);
    const opts: Uint8Array[] = [];
    if (iface.name !== undefined) opts.push(this.option(OPT_IF_NAME, utf8.encode(iface.name)));
    if (iface.description !== undefined) opts.push(this.option(OPT_IF_DESCRIPTION, utf8.encode(iface.description)));
    opts.push(this.option(OPT_IF_TSRESOL, Uint8Array.of(tsresol)));
    const fixed = new Uint8Array(8);
    const v = new DataView(fixed.buffer);
    v.setUint16(0, iface.linkType, this.le);
    v.setUint32(4, snaplen, this.le);
    this.block(BT_IDB, fixed, opts);
    this.ifaces.push({ snap: effectiveSnaplen(iface.linkType, snaplen), micro: tsresol === 6, ticksPerSecond });
    return this.ifaces.length - 1;
  }

  write(rec: WritableRecord): void {
    if (this.closed) throw new Error('pcapng writer is closed');
    const ifid = rec.interfaceId ?? 0;
    const iface = this.ifaces[ifid];
    if (iface === undefined) throw new RangeError(`interface ${ifid} has not been added (${this.ifaces.length} interfaces)`);
    const orig = rec.originalLength ?? rec.data.length;
    checkUint('tsSec', rec.tsSec, Number.MAX_SAFE_INTEGER);
    checkUint('tsNsec', rec.tsNsec, Number.MAX_SAFE_INTEGER);
    checkUint('originalLength', orig, U32_MAX);
    const [high, low] = timeToTicks(rec.tsSec, rec.tsNsec, iface);
    const caplen = Math.min(rec.data.length, iface.snap);
    const pad = (4 - (caplen % 4)) % 4;
    const total = 32 + caplen + pad;
    const v = this.headView;
    v.setUint32(0, BT_EPB, this.le);
    v.setUint32(4, total, this.le);
    v.setUint32(8, ifid, this.le);
    v.setUint32(12, high, this.le);
    v.setUint32(16, low, this.le);
    v.setUint32(20, caplen, this.le);
    v.setUint32(24, orig, this.le);
    this.tail.fill(0, 0, pad);
    this.tailView.setUint32(pad, total, this.le);
    this.sink.write(this.head);
    this.sink.write(caplen === rec.data.length ? rec.data : rec.data.subarray(0, caplen));
    this.sink.write(this.tail.subarray(0, pad + 4));
    this.sink.recordDone();
  }


  private option(code: number, value: Uint8Array): Uint8Array {
    checkUint('option length', value.length, 0xffff);
    const out = new Uint8Array(4 + ((value.length + 3) & ~3));
    const v = new DataView(out.buffer);
    v.setUint16(0, code, this.le);
    v.setUint16(2, value.length, this.le);
    out.set(value, 4);
    return out;
  }

  /** Write a non-packet block: header, fixed part, options (+ opt_endofopt), trailer. */
  private block(type: number, fixed: Uint8Array, options: Uint8Array[]): void {
    const end = options.length > 0 ? [ZEROS] : [];
    const parts = [fixed, ...options, ...end];
    const total = 12 + parts.reduce((n, p) => n + p.length, 0);
    const hdr = new Uint8Array(8);
    const hv = new DataView(hdr.buffer);
    hv.setUint32(0, type, this.le);
    hv.setUint32(4, total, this.le);
    const trl = new Uint8Array(4);
    new DataView(trl.buffer).setUint32(0, total, this.le);
    this.sink.write(hdr);
    for (const p of parts) this.sink.write(p);
    this.sink.write(trl);
  }
}

/** Seconds and nanoseconds → the 64-bit tick count of an interface, as [high, low]. */
function timeToTicks(sec: number, nsec: number, iface: Iface): [number, number] {
  if (iface.micro && sec <= U32_MAX && nsec <= U32_MAX) {
    const t = sec * 1e6 + Math.floor(nsec / 1000); // < 2^53
    return [Math.floor(t / 0x100000000), t % 0x100000000];
  }
  // Round the fraction down, except with ticks finer than 1 ns: rounding up there makes the
  // reader's round-down give the same nanoseconds back.
  const tps = iface.ticksPerSecond;
  const up = tps > NS_PER_SEC ? NS_PER_SEC - 1n : 0n;
  const t = BigInt(sec) * tps + (BigInt(nsec) * tps + up) / NS_PER_SEC;
  if (t >= TWO_64) throw new RangeError(`timestamp ${sec}.${nsec} does not fit 64 bits at ${tps} ticks per second`);
  return [Number(t >> 32n), Number(t & 0xffffffffn)];
}

/** Encode records as a complete pcapng file in memory (default: one Ethernet interface). */
export function encodePcapng(records: Iterable<WritableRecord>, options: PcapngWriterOptions = {}): Uint8Array {
  const w = PcapngWriter.memory({ ...options, interfaces: options.interfaces ?? [{ linkType: LINKTYPE_ETHERNET }] });
  for (const r of records) w.write(r);
  return w.bytes();
}
