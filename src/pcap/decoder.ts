/**
 * The contract between the format decoders (pcap.ts, pcapng-read.ts) and the drivers in
 * reader.ts. A decoder never does I/O: it looks at a window of the file (a `Cursor`) and
 * either decodes one unit from it or says how many bytes it needs. That lets one decoder
 * serve the whole-buffer parser, the synchronous fd reader and the async file reader.
 */
import type { CaptureHeader, CaptureInterface, CaptureRecord } from './types.ts';

/** A window over part of the file. */
export interface Cursor {
  buf: Uint8Array;
  /** DataView over exactly `buf` (view offset i is buf[i]). */
  view: DataView;
  /** Index in `buf` of the next unread byte; the decoder advances it past what it consumes. */
  pos: number;
  /** Index in `buf` one past the last valid byte. */
  end: number;
  /** File offset of buf[0]. */
  base: number;
  /** True when no bytes exist beyond `end`. */
  eof: boolean;
}

/**
 * Result of one decoding step:
 * - a record;
 * - 'skip': a unit without a packet was consumed (file header, SHB, IDB, other blocks);
 * - 'end': clean end of file;
 * - a number n: n bytes from `pos` are needed (returned only while `eof` is false; at end of
 *   file the decoder throws a CaptureError describing the truncation instead).
 */
export type Step = CaptureRecord | 'skip' | 'end' | number;

export interface Decoder {
  /** undefined until the file header / first section header has been decoded. */
  header(): CaptureHeader | undefined;
  /** Interfaces seen so far (grows as pcapng IDBs are read). */
  readonly interfaces: CaptureInterface[];
  /** Decode one unit at `c.pos`. Throws CaptureError without moving `c.pos`. */
  step(c: Cursor): Step;
}

export function hex8(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
