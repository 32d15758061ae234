/**
 * Classic pcap (libpcap savefile): decoder and writer.
 *
 * Reading follows libpcap's sf-pcap.c:
 * - magic a1b2c3d4 (µs) or a1b23c4d (ns), in either byte order; anything else is not pcap
 *   (the modified "Kuznetzov" a1b2cd34 format is not supported);
 * - versions 2.0..2.4 and DG/UX 543.0; caplen and len are swapped for 2.0..2.2 and 543.0, and
 *   for 2.3 when caplen > len;
 * - the reserved bits 0x03ff0000 of the link-type field must be zero; header.linkType is the
 *   low 16 bits, header.linkTypeExt the upper 16 (FCS flags);
 * - the snapshot length in force is `effectiveSnaplen` (0 or > INT_MAX → the link type's
 *   maximum, normally 262144);
 * - a captured length above the link type's maximum (262144 for almost all types) is an
 *   error ("exceeds snapshot length S" when it also exceeds the snaplen, "exceeds maximum M"
 *   otherwise). A captured length above the snaplen but within the maximum is accepted, as
 *   libpcap does: the record's data is cut to the snapshot length (what tcpdump then sees)
 *   and the remaining bytes are skipped.
 *
 * Writing: the 24-byte header (version 2.4, thiszone 0, sigfigs 0) and 16-byte record
 * headers, little-endian by default, µs unless `precision: 'ns'`. Data longer than the
 * effective snapshot length is cut to it; originalLength defaults to data.length.
 */
import type { Cursor, Decoder, Step } from './decoder.ts';
import { hex8 } from './decoder.ts';
import { CaptureError } from './error.ts';
import { LINKTYPE_ETHERNET, MAXIMUM_SNAPLEN, effectiveSnaplen, maxSnaplenForLinkType } from './linktype.ts';
import { type ByteSink, FileSink, MemorySink, SinkWriter, U32_MAX, checkUint } from './sink.ts';
import type { CaptureHeader, CaptureInterface, CaptureRecord, WritableRecord } from './types.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** How a version's record headers order caplen and len (see the module comment). */
const SWAP_NONE = 0;
const SWAP_ALWAYS = 1;
const SWAP_IF_CAPLEN_BIGGER = 2;

/** True if the first four bytes (read big-endian) are a classic-pcap magic in either order. */
export function isPcapMagic(m: number): boolean {
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1;
}

export class PcapDecoder implements Decoder {
  readonly interfaces: CaptureInterface[] = [];
  private hdr: CaptureHeader | undefined;
  private le = true;
  private ns = false;
  private swap = SWAP_NONE;
  private linkType = 0;
  private snapshot = 0;
  private maxCaplen = 0;
  private index = 0;

  constructor(
    private readonly file: string,
    private readonly copy: boolean,
  ) {}

  header(): CaptureHeader | undefined {
    return this.hdr;
  }

  step(c: Cursor): Step {
    return this.hdr === undefined ? this.readHeader(c) : this.readRecord(c);
  }

  private fail(offset: number, detail: string): CaptureError {
    return new CaptureError({ file: this.file, unit: 'record', recordIndex: this.index, byteOffset: offset, detail });
  }

  private readHeader(c: Cursor): Step {
    const at = c.pos;
    const avail = c.end - at;
    if (avail < PCAP_HEADER_LENGTH) {
      if (!c.eof) return PCAP_HEADER_LENGTH;
      throw this.fail(c.base + at, `truncated file header: ${PCAP_HEADER_LENGTH} bytes needed, ${avail} present`);
    }
    const v = c.view;
    const m = v.getUint32(at, false);
    if (!isPcapMagic(m)) throw this.fail(c.base + at, `unknown magic number ${hex8(m)}`);
    const le = v.getUint32(at, true) === PCAP_MAGIC_US || v.getUint32(at, true) === PCAP_MAGIC_NS;
    const major = v.getUint16(at + 4, le);
    const minor = v.getUint16(at + 6, le);
    const snaplen = v.getUint32(at + 16, le);
    const field = v.getUint32(at + 20, le);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      throw this.fail(c.base + at, `unsupported pcap version ${major}.${minor}`);
    }
    if ((field & 0x03ff0000) !== 0) {
      throw this.fail(c.base + at, `link-type field ${hex8(field)} has reserved bits set`);
    }
    this.le = le;
    this.ns = v.getUint32(at, le) === PCAP_MAGIC_NS;
    this.swap = major === 543 || minor < 3 ? SWAP_ALWAYS : minor === 3 ? SWAP_IF_CAPLEN_BIGGER : SWAP_NONE;
    this.linkType = field & 0xffff;
    this.snapshot = effectiveSnaplen(this.linkType, snaplen);
    this.maxCaplen = maxSnaplenForLinkType(this.linkType);
    this.interfaces.push({
      id: 0,
      section: 0,
      sectionInterfaceId: 0,
      linkType: this.linkType,
      snaplen,
      tsresol: this.ns ? 9 : 6,
      ticksPerSecond: this.ns ? 1_000_000_000n : 1_000_000n,
      tsOffset: 0,
      fileOffset: c.base + at,
    });
    this.hdr = {
      format: 'pcap',
      byteOrder: le ? 'le' : 'be',
      precision: this.ns ? 'ns' : 'us',
      versionMajor: major,
      versionMinor: minor,
      linkType: this.linkType,
      snaplen,
      linkTypeExt: (field & 0xffff0000) >>> 0,
    };
    c.pos = at + PCAP_HEADER_LENGTH;
    return 'skip';
  }

  private readRecord(c: Cursor): Step {
    const at = c.pos;
    const off = c.base + at;
    const avail = c.end - at;
    if (avail < PCAP_RECORD_HEADER_LENGTH) {
      if (!c.eof) return PCAP_RECORD_HEADER_LENGTH;
      if (avail === 0) return 'end';
      throw this.fail(off, `truncated record header: ${PCAP_RECORD_HEADER_LENGTH} bytes needed, ${avail} present`);
    }
    const v = c.view;
    const le = this.le;
    let caplen = v.getUint32(at + 8, le);
    let len = v.getUint32(at + 12, le);
    if (this.swap === SWAP_ALWAYS || (this.swap === SWAP_IF_CAPLEN_BIGGER && caplen > len)) {
      [caplen, len] = [len, caplen];
    }
    if (caplen > this.maxCaplen) {
      throw this.fail(
        off,
        caplen > this.snapshot
          ? `captured length ${caplen} exceeds snapshot length ${this.snapshot}`
          : `captured length ${caplen} exceeds maximum ${this.maxCaplen}`,
      );
    }
    const left = avail - PCAP_RECORD_HEADER_LENGTH;
    if (left < caplen) {
      if (!c.eof) return PCAP_RECORD_HEADER_LENGTH + caplen;
      throw this.fail(off, `captured length ${caplen} runs past end of file (${left} bytes left)`);
    }
    const start = at + PCAP_RECORD_HEADER_LENGTH;
    const stop = start + Math.min(caplen, this.snapshot);
    const frac = v.getUint32(at + 4, le);
    c.pos = start + caplen;
    return {
      index: this.index++,
      fileOffset: off,
      interfaceId: 0,
      linkType: this.linkType,
      tsSec: v.getUint32(at, le),
      tsNsec: this.ns ? frac : frac * 1000,
      originalLength: len,
      data: this.copy ? c.buf.slice(start, stop) : c.buf.subarray(start, stop),
    };
  }
}

export interface PcapWriterOptions {
  /** Default LINKTYPE_ETHERNET. May include the upper FCS bits of the link-type field. */
  linkType?: number;
  /** Default 262144. */
  snaplen?: number;
  /** Default 'us'. */
  precision?: 'us' | 'ns';
  /** Default 'le'. */
  byteOrder?: 'le' | 'be';
  /** File writers: write each record through at once (tcpdump -U). Default false (64 KiB buffer). */
  packetBuffered?: boolean;
}

export class PcapWriter extends SinkWriter {
  private readonly scratch = new Uint8Array(PCAP_HEADER_LENGTH);
  private readonly view = new DataView(this.scratch.buffer);
  private readonly le: boolean;
  private readonly ns: boolean;
  private readonly snapshot: number;

  /** Writer collecting the file in memory; get it with `bytes()`. */
  static memory(options: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(new MemorySink(), options);
  }

  /** Writer creating (truncating) `path` and appending records as they are written. */
  static file(path: string, options: PcapWriterOptions = {}): PcapWriter {
    return new PcapWriter(new FileSink(path, options.packetBuffered ?? false), options);
  }

  private constructor(
    sink: ByteSink,
    options: PcapWriterOptions,
  ) {
    super(sink);
    const linkType = options.linkType ?? LINKTYPE_ETHERNET;
    const snaplen = options.snaplen ?? MAXIMUM_SNAPLEN;
    checkUint('link type', linkType, U32_MAX);
    checkUint('snaplen', snaplen, U32_MAX);
    this.le = (options.byteOrder ?? 'le') === 'le';
    this.ns = options.precision === 'ns';
    this.snapshot = effectiveSnaplen(linkType & 0xffff, snaplen);
    const v = this.view;
    v.setUint32(0, this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    v.setUint16(4, 2, this.le);
    v.setUint16(6, 4, this.le);
    v.setUint32(8, 0, this.le);
    v.setUint32(12, 0, this.le);
    v.setUint32(16, snaplen, this.le);
    v.setUint32(20, linkType, this.le);
    try {
      sink.write(this.scratch);
      sink.recordDone();
    } catch (e) {
      sink.close();
      throw e;
    }
  }

  write(rec: WritableRecord): void {
    if (this.closed) throw new Error('pcap writer is closed');
    const orig = rec.originalLength ?? rec.data.length;
    checkUint('tsSec', rec.tsSec, U32_MAX);
    checkUint('tsNsec', rec.tsNsec, this.ns ? U32_MAX : U32_MAX * 1000 + 999);
    checkUint('originalLength', orig, U32_MAX);
    const frac = this.ns ? rec.tsNsec : Math.floor(rec.tsNsec / 1000);
    const caplen = Math.min(rec.data.length, this.snapshot);
    const v = this.view;
    v.setUint32(0, rec.tsSec, this.le);
    v.setUint32(4, frac, this.le);
    v.setUint32(8, caplen, this.le);
    v.setUint32(12, orig, this.le);
    this.sink.write(this.scratch.subarray(0, PCAP_RECORD_HEADER_LENGTH));
    this.sink.write(caplen === rec.data.length ? rec.data : rec.data.subarray(0, caplen));
    this.sink.recordDone();
  }

}

/** Encode records as a complete classic pcap file in memory. */
export function encodePcap(records: Iterable<WritableRecord>, options: PcapWriterOptions = {}): Uint8Array {
  const w = PcapWriter.memory(options);
  for (const r of records) w.write(r);
  return w.bytes();
}
