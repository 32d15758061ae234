// `nslab decode`: prints capture files the way `tcpdump -n -r FILE` does, or as JSON records.
import { CaptureError, CaptureReaderSync, LINKTYPE_LINUX_SLL2, TCPDUMP_SLL2_WARNING, tcpdumpReadingLine, type CaptureRecord } from '../pcap/index.ts';
import { createPrintState, formatFrame, type PrintOptions } from '../print/index.ts';
import { decodeFrame } from '../wire/index.ts';
import { frameToJson } from './json.ts';

export interface DecodeOptions {
  /** -e: print the link-level header. */
  link?: boolean;
  /** -v count. */
  verbose?: number;
  json?: boolean;
  /** Timestamps with nanoseconds (tcpdump's --nano). */
  nano?: boolean;
  /** -t: no timestamps. */
  noTimestamps?: boolean;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Decodes each file in turn; returns the exit status (0 when every file was read whole). */
export function decodeFiles(files: readonly string[], opts: DecodeOptions, io: Output): number {
  let status = 0;
  for (const file of files) {
    if (!decodeFile(file, opts, io)) status = 1;
  }
  return status;
}

function decodeFile(file: string, opts: DecodeOptions, io: Output): boolean {
  let reader: CaptureReaderSync;
  try {
    reader = file === '-' ? CaptureReaderSync.fromFd(0, '<stdin>') : CaptureReaderSync.open(file);
  } catch (e) {
    io.err(`nslab decode: ${describe(e, file)}\n`);
    return false;
  }
  try {
    if (!opts.json && reader.header) {
      io.err(tcpdumpReadingLine(file, reader.header) + '\n');
      // tcpdump warns that SLL2 interface names are looked up on the reading machine.
      if (reader.header.linkType === LINKTYPE_LINUX_SLL2) io.err(TCPDUMP_SLL2_WARNING + '\n');
    }
    const printOpts: PrintOptions = {
      link: opts.link,
      verbose: Math.min(opts.verbose ?? 0, 3) as PrintOptions['verbose'],
      nano: opts.nano,
      timestamps: opts.noTimestamps ? 'none' : 'local',
    };
    const state = createPrintState();
    for (;;) {
      let rec: CaptureRecord | null;
      try {
        rec = reader.next();
      } catch (e) {
        io.err(`nslab decode: ${describe(e, file)}\n`);
        return false;
      }
      if (rec === null) return true;
      if (opts.json) {
        io.out(JSON.stringify(frameToJson(rec, decodeFrame(rec.data, { linkType: rec.linkType, originalLength: rec.originalLength }), file)) + '\n');
      } else {
        io.out(formatFrame(rec, printOpts, state) + '\n');
      }
    }
  } finally {
    reader.close();
  }
}

function describe(e: unknown, file: string): string {
  if (e instanceof CaptureError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && 'code' in err && err.code === 'ENOENT') return `${file}: No such file or directory`;
  if (err && typeof err === 'object' && 'code' in err && err.code === 'EISDIR') return `${file}: Is a directory`;
  return `${file}: ${err instanceof Error ? err.message : String(err)}`;
}
