/**
 * CaptureError: the one error type the capture readers throw for bad file contents.
 *
 * The message always names the file, the unit (a classic-pcap `record` or a pcapng `block`)
 * with its 0-based number, and the byte offset of that record's or block's header:
 *
 *   capture.pcap: record 3 at byte 1234: captured length 300000 exceeds snapshot length 65535
 *   capture.pcapng: block 7 at byte 980: block length 13 is not a multiple of 4
 *
 * Problems with the classic-pcap file header (and an unknown magic number, before the
 * format is known) are reported as `record 0 at byte 0`. I/O errors (ENOENT, EISDIR, ...)
 * are not CaptureErrors; they propagate from `fs` unchanged.
 */

/** What `recordIndex` counts: classic-pcap records, or pcapng blocks of any type. */
export type CaptureErrorUnit = 'record' | 'block';

export interface CaptureErrorInit {
  file: string;
  unit: CaptureErrorUnit;
  /** 0-based record number (classic pcap) or block number (pcapng, counting every block). */
  recordIndex: number;
  /** Byte offset of the record header or block header the problem belongs to. */
  byteOffset: number;
  /** The problem alone, without the location prefix. */
  detail: string;
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  /** The file name as given to the reader, or '<buffer>'. */
  readonly file: string;
  readonly unit: CaptureErrorUnit;
  readonly recordIndex: number;
  readonly byteOffset: number;
  readonly detail: string;

  constructor(init: CaptureErrorInit) {
    super(`${init.file}: ${init.unit} ${init.recordIndex} at byte ${init.byteOffset}: ${init.detail}`);
    this.file = init.file;
    this.unit = init.unit;
    this.recordIndex = init.recordIndex;
    this.byteOffset = init.byteOffset;
    this.detail = init.detail;
  }
}
