/**
 * Byte sinks for the writers: a growing in-memory buffer, or a file written synchronously
 * through a 64 KiB buffer (or after every record when `packetBuffered`, like tcpdump -U).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface ByteSink {
  write(bytes: Uint8Array): void;
  /** Called by the writers after each record. */
  recordDone(): void;
  flush(): void;
  close(): void;
  /** The bytes written so far (memory sinks only). */
  bytes(): Uint8Array;
}

export class MemorySink implements ByteSink {
  private buf = new Uint8Array(4096);
  private len = 0;

  write(bytes: Uint8Array): void {
    const need = this.len + bytes.length;
    if (need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(need, this.buf.length * 2));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(bytes, this.len);
    this.len = need;
  }
  recordDone(): void {}
  flush(): void {}
  close(): void {}
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const FILE_BUFFER = 64 * 1024;

export class FileSink implements ByteSink {
  private fd: number;
  private readonly buf = new Uint8Array(FILE_BUFFER);
  private len = 0;

  constructor(
    readonly path: string,
    private readonly packetBuffered: boolean,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) this.flush();
    if (bytes.length >= this.buf.length) this.writeAll(bytes);
    else {
      this.buf.set(bytes, this.len);
      this.len += bytes.length;
    }
  }
  recordDone(): void {
    if (this.packetBuffered) this.flush();
  }
  flush(): void {
    if (this.len > 0) this.writeAll(this.buf.subarray(0, this.len));
    this.len = 0;
  }
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
  bytes(): Uint8Array {
    throw new Error(`writer for ${this.path} writes to a file; bytes() is for in-memory writers`);
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }
}

export function checkUint(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new RangeError(`${what} ${v} is not an integer in 0..${max}`);
  }
}

export const U32_MAX = 0xffffffff;

/** What both capture writers share: the sink, and flush/close/bytes over it. */
export abstract class SinkWriter {
  protected closed = false;

  protected constructor(protected readonly sink: ByteSink) {}

  /** File writers: push buffered records to the file. */
  flush(): void {
    if (!this.closed) this.sink.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  /** In-memory writers: a copy of the file so far. Throws for file writers. */
  bytes(): Uint8Array {
    return this.sink.bytes();
  }
}
