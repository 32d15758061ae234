/**
 * Reading captures: format detection and three drivers over the same decoders.
 *
 * - `parseCapture(bytes, file?)`: the whole file in memory. Never throws a CaptureError: it
 *   returns every record decoded before the first problem, plus that problem as `error`.
 *   Record data are views into `bytes` (no copies).
 * - `CaptureReaderSync` (`open(path)` or `fromFd(fd)`, e.g. stdin) and `readCaptureFileSync`:
 *   synchronous, `fs.readSync` in chunks.
 * - `CaptureReader` (`await open(path)`) and `readCaptureFile`: the same over
 *   `fs.promises`.
 *
 * The streaming readers keep one buffer of `chunkSize` bytes (default 1 MiB). A record or
 * block larger than that grows the buffer, doubling only as its bytes actually arrive (so a
 * bogus length cannot allocate more than twice what the file holds), and the buffer shrinks
 * back afterwards. Record data are copies. `open` decodes the file header (pcapng: up to the
 * first IDB, like libpcap) and throws a CaptureError only if the header itself is bad.
 * `next()` returns records, then null at the end; on bad input it throws the CaptureError,
 * and again on every later call. The iterators yield every good record and then throw.
 * `header` and `interfaces` are available after `open`; pcapng interfaces accumulate as
 * their IDBs are read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open as openAsync } from 'node:fs/promises';
import type { Cursor, Decoder } from './decoder.ts';
import { hex8 } from './decoder.ts';
import { CaptureError } from './error.ts';
import { PcapDecoder, isPcapMagic } from './pcap.ts';
import { BT_SHB, PcapngDecoder } from './pcapng-read.ts';
import type { CaptureHeader, CaptureInterface, CaptureRecord } from './types.ts';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

export interface ReadOptions {
  /** Bytes per read and initial buffer size. Default 1 MiB. */
  chunkSize?: number;
}

export interface ParsedCapture {
  /** undefined when the file header itself could not be decoded. */
  header: CaptureHeader | undefined;
  interfaces: CaptureInterface[];
  records: CaptureRecord[];
  /** The first problem; `records` holds everything before it. */
  error?: CaptureError;
}

/** Pick the decoder from the first four bytes. */
function detect(c: Cursor, file: string, copy: boolean): Decoder | number {
  const avail = c.end - c.pos;
  if (avail < 4) {
    if (!c.eof) return 4;
    throw new CaptureError({ file, unit: 'record', recordIndex: 0, byteOffset: 0, detail: `truncated file header: 4 bytes needed, ${avail} present` });
  }
  const m = c.view.getUint32(c.pos, false);
  if (isPcapMagic(m)) return new PcapDecoder(file, copy);
  if (m === BT_SHB) return new PcapngDecoder(file, copy);
  throw new CaptureError({ file, unit: 'record', recordIndex: 0, byteOffset: 0, detail: `unknown magic number ${hex8(m)}` });
}

/** Decoder plus the state the drivers share: first error, a record read ahead by open. */
class Engine {
  decoder: Decoder | undefined;
  private error: CaptureError | undefined;
  private pending: CaptureRecord | undefined;
  private done = false;

  constructor(
    readonly file: string,
    private readonly copy: boolean,
  ) {}

  /** The next record, 'end', or how many bytes must be available at c.pos. */
  advance(c: Cursor): CaptureRecord | 'end' | number {
    if (this.pending !== undefined) {
      const r = this.pending;
      this.pending = undefined;
      return r;
    }
    if (this.error !== undefined) throw this.error;
    if (this.done) return 'end';
    try {
      for (;;) {
        if (this.decoder === undefined) {
          const d = detect(c, this.file, this.copy);
          if (typeof d === 'number') return d;
          this.decoder = d;
        }
        const s = this.decoder.step(c);
        if (s === 'skip') continue;
        if (s === 'end') this.done = true;
        return s;
      }
    } catch (e) {
      if (e instanceof CaptureError) this.error = e;
      throw e;
    }
  }

  /**
   * For open: decode up to the file header (pcap) or the first IDB (pcapng), as libpcap does,
   * so that nothing waits for a packet on a live pipe. 'ready' once the header is known.
   */
  start(c: Cursor): 'ready' | number {
    try {
      for (;;) {
        const h = this.decoder?.header();
        if (h !== undefined && (h.format === 'pcap' || h.linkType !== null)) return 'ready';
        if (this.decoder === undefined) {
          const d = detect(c, this.file, this.copy);
          if (typeof d === 'number') return d;
          this.decoder = d;
          continue;
        }
        const s = this.decoder.step(c);
        if (typeof s === 'number') return s;
        if (s === 'end') this.done = true;
        else if (s !== 'skip') this.pending = s;
        if (s !== 'skip') return 'ready';
      }
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      this.error = e;
      if (this.decoder?.header() !== undefined) return 'ready'; // thrown by next()
      throw e;
    }
  }

  header(): CaptureHeader {
    const h = this.decoder?.header();
    if (h === undefined) throw new Error(`${this.file}: capture reader is not open`);
    return h;
  }
}

export function parseCapture(bytes: Uint8Array, file = '<buffer>'): ParsedCapture {
  const c: Cursor = {
    buf: bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    pos: 0,
    end: bytes.length,
    base: 0,
    eof: true,
  };
  const engine = new Engine(file, false);
  const records: CaptureRecord[] = [];
  let error: CaptureError | undefined;
  try {
    for (;;) {
      const r = engine.advance(c);
      if (r === 'end') break;
      if (typeof r === 'number') throw new Error('decoder asked for more bytes at end of file');
      records.push(r);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  }
  const out: ParsedCapture = { header: engine.decoder?.header(), interfaces: engine.decoder?.interfaces ?? [], records };
  if (error !== undefined) out.error = error;
  return out;
}

/**
 * The streaming buffer: a window onto the file that reads append to. Internal (exported for
 * its tests, not from index.ts).
 */
export class ReadWindow implements Cursor {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  end = 0;
  base = 0;
  eof = false;

  constructor(private readonly chunk: number) {
    if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk size ${chunk} is not a positive integer`);
    this.buf = new Uint8Array(chunk);
    this.view = new DataView(this.buf.buffer);
  }

  /** Prepare to read towards `need` bytes at pos; returns [offset, length] to read into buf. */
  space(need: number): [number, number] {
    const have = this.end - this.pos;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.pos = 0;
      this.end = have;
    }
    let size = this.buf.length;
    if (size > this.chunk && need <= this.chunk && have <= this.chunk) size = this.chunk;
    else if (this.end === size && size < need) size = Math.min(need, size * 2);
    if (size !== this.buf.length) {
      const b = new Uint8Array(size);
      b.set(this.buf.subarray(0, this.end));
      this.buf = b;
      this.view = new DataView(b.buffer);
    }
    return [this.end, size - this.end];
  }

  /** Record a read of n bytes (0 = end of file). */
  commit(n: number): void {
    if (n === 0) this.eof = true;
    else this.end += n;
  }
}

export class CaptureReaderSync implements Iterable<CaptureRecord> {
  private readonly engine: Engine;
  private readonly w: ReadWindow;
  private fd: number;

  private constructor(fd: number, file: string, options: ReadOptions, private readonly ownsFd: boolean) {
    this.fd = fd;
    this.engine = new Engine(file, true);
    this.w = new ReadWindow(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    for (let r = this.engine.start(this.w); r !== 'ready'; r = this.engine.start(this.w)) this.fill(r);
  }

  /** Open a file and decode its header. Throws CaptureError if the header is bad. */
  static open(path: string, options: ReadOptions = {}): CaptureReaderSync {
    const fd = openSync(path, 'r');
    try {
      return new CaptureReaderSync(fd, path, options, true);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Read from an open descriptor (a file or a pipe such as stdin); it is not closed. */
  static fromFd(fd: number, file = `<fd ${fd}>`, options: ReadOptions = {}): CaptureReaderSync {
    return new CaptureReaderSync(fd, file, options, false);
  }

  get file(): string {
    return this.engine.file;
  }
  get header(): CaptureHeader {
    return this.engine.header();
  }
  get interfaces(): readonly CaptureInterface[] {
    return this.engine.decoder?.interfaces ?? [];
  }

  /** The next record, or null at the end. Throws the CaptureError for bad input. */
  next(): CaptureRecord | null {
    for (;;) {
      const r = this.engine.advance(this.w);
      if (typeof r !== 'number') return r === 'end' ? null : r;
      this.fill(r);
    }
  }

  close(): void {
    if (this.fd >= 0 && this.ownsFd) closeSync(this.fd);
    this.fd = -1;
  }

  *[Symbol.iterator](): Generator<CaptureRecord, void, undefined> {
    for (let r = this.next(); r !== null; r = this.next()) yield r;
  }

  private fill(need: number): void {
    if (this.fd < 0) throw new Error(`${this.engine.file}: capture reader is closed`);
    const [off, len] = this.w.space(need);
    this.w.commit(readSync(this.fd, this.w.buf, off, len, null));
  }
}

export class CaptureReader implements AsyncIterable<CaptureRecord> {
  private readonly engine: Engine;
  private readonly w: ReadWindow;
  private fh: FileHandle | undefined;

  private constructor(fh: FileHandle, file: string, options: ReadOptions) {
    this.fh = fh;
    this.engine = new Engine(file, true);
    this.w = new ReadWindow(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  }

  /** Open a file and decode its header. Throws CaptureError if the header is bad. */
  static async open(path: string, options: ReadOptions = {}): Promise<CaptureReader> {
    const fh = await openAsync(path, 'r');
    try {
      const reader = new CaptureReader(fh, path, options);
      for (let r = reader.engine.start(reader.w); r !== 'ready'; r = reader.engine.start(reader.w)) await reader.fill(r);
      return reader;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get file(): string {
    return this.engine.file;
  }
  get header(): CaptureHeader {
    return this.engine.header();
  }
  get interfaces(): readonly CaptureInterface[] {
    return this.engine.decoder?.interfaces ?? [];
  }

  /** The next record, or null at the end. Rejects with the CaptureError for bad input. */
  async next(): Promise<CaptureRecord | null> {
    for (;;) {
      const r = this.engine.advance(this.w);
      if (typeof r !== 'number') return r === 'end' ? null : r;
      await this.fill(r);
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CaptureRecord, void, undefined> {
    for (let r = await this.next(); r !== null; r = await this.next()) yield r;
  }

  private async fill(need: number): Promise<void> {
    if (this.fh === undefined) throw new Error(`${this.engine.file}: capture reader is closed`);
    const [off, len] = this.w.space(need);
    const { bytesRead } = await this.fh.read(this.w.buf, off, len, null);
    this.w.commit(bytesRead);
  }
}

/** Yield every record of a file, then throw the CaptureError if the file is bad. */
export async function* readCaptureFile(path: string, options: ReadOptions = {}): AsyncGenerator<CaptureRecord, void, undefined> {
  const reader = await CaptureReader.open(path, options);
  try {
    yield* reader;
  } finally {
    await reader.close();
  }
}

/** Synchronous `readCaptureFile`. */
export function* readCaptureFileSync(path: string, options: ReadOptions = {}): Generator<CaptureRecord, void, undefined> {
  const reader = CaptureReaderSync.open(path, options);
  try {
    yield* reader;
  } finally {
    reader.close();
  }
}
