import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  CaptureReader,
  CaptureReaderSync,
  type CaptureHeader,
  type CaptureInterface,
  type CaptureRecord,
  encodePcap,
  encodePcapng,
  parseCapture,
  readCaptureFile,
  readCaptureFileSync,
} from '../../src/pcap/index.ts';
import { ReadWindow } from '../../src/pcap/reader.ts';
import { Bytes, END_OF_OPT, block, concat, epb, idb, option, payload, pb, shb, spb } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'nslab-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  header: CaptureHeader | undefined;
  interfaces: CaptureInterface[];
  records: CaptureRecord[];
  error: string | undefined;
}

function fromParse(bytes: Uint8Array, file: string): Outcome {
  const r = parseCapture(bytes, file);
  return { header: r.header, interfaces: r.interfaces, records: r.records, error: r.error?.message };
}

function errorText(e: unknown): string {
  if (!(e instanceof CaptureError)) throw e;
  return e.message;
}

function readSyncAll(path: string, chunkSize: number): Outcome {
  let reader: CaptureReaderSync;
  try {
    reader = CaptureReaderSync.open(path, { chunkSize });
  } catch (e) {
    return { header: undefined, interfaces: [], records: [], error: errorText(e) };
  }
  const records: CaptureRecord[] = [];
  let error: string | undefined;
  try {
    for (const r of reader) records.push(r);
  } catch (e) {
    error = errorText(e);
  } finally {
    reader.close();
  }
  return { header: reader.header, interfaces: [...reader.interfaces], records, error };
}

async function readAsyncAll(path: string, chunkSize: number): Promise<Outcome> {
  let reader: CaptureReader;
  try {
    reader = await CaptureReader.open(path, { chunkSize });
  } catch (e) {
    return { header: undefined, interfaces: [], records: [], error: errorText(e) };
  }
  const records: CaptureRecord[] = [];
  let error: string | undefined;
  try {
    for await (const r of reader) records.push(r);
  } catch (e) {
    error = errorText(e);
  } finally {
    await reader.close();
  }
  return { header: reader.header, interfaces: [...reader.interfaces], records, error };
}

async function generatorAll(path: string, chunkSize: number): Promise<{ records: CaptureRecord[]; error: string | undefined }> {
  const records: CaptureRecord[] = [];
  try {
    for await (const r of readCaptureFile(path, { chunkSize })) records.push(r);
  } catch (e) {
    return { records, error: errorText(e) };
  }
  return { records, error: undefined };
}

function syncGeneratorAll(path: string, chunkSize: number): { records: CaptureRecord[]; error: string | undefined } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of readCaptureFileSync(path, { chunkSize })) records.push(r);
  } catch (e) {
    return { records, error: errorText(e) };
  }
  return { records, error: undefined };
}

const recs = [0, 1, 60, 1514, 5000, 3].map((n, i) => ({ tsSec: 1000 + i, tsNsec: i * 1000, data: payload(n, i), originalLength: n + 2 * i }));
const pcapLe = encodePcap(recs);
const pcapBeNs = encodePcap(recs, { byteOrder: 'be', precision: 'ns', snaplen: 1500 });
const pcapngMixed = concat(
  shb(true),
  block(true, 4, new Uint8Array(8)),
  idb(true, 1, 0, [option(true, 2, [0x65, 0x30]), END_OF_OPT]),
  epb(true, 0, 0, 1, payload(5000)),
  spb(true, 70, payload(70)),
  shb(false),
  idb(false, 113, 100),
  idb(false, 276, 0, [option(false, 9, [9]), END_OF_OPT]),
  block(false, 0x00000bad, new Bytes(false).u32(1).u32(2).build()),
  epb(false, 1, 5, 6, payload(33)),
  pb(false, 0, 0, 7, payload(99)),
  block(false, 5, new Uint8Array(12)),
);
const pcapngWritten = encodePcapng(recs, { interfaces: [{ linkType: 1, name: 'eth0' }] });

const files: Record<string, Uint8Array> = {
  'le.pcap': pcapLe,
  'be-ns.pcap': pcapBeNs,
  'mixed.pcapng': pcapngMixed,
  'written.pcapng': pcapngWritten,
  // errors after good records
  'cut-record.pcap': pcapLe.subarray(0, pcapLe.length - 2),
  'cut-header.pcap': pcapLe.subarray(0, pcapLe.length - 3 - 10),
  'short-global.pcap': pcapLe.subarray(0, 20),
  'bad-magic.pcap': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  'empty.pcap': new Uint8Array(0),
  'cut-block.pcapng': pcapngMixed.subarray(0, pcapngMixed.length - 7),
  'bad-length.pcapng': concat(pcapngMixed, new Bytes(true).u32(6).u32(30).build()),
  'unknown-iface.pcapng': concat(pcapngMixed, epb(false, 2, 0, 0, payload(4))),
  'bad-bom.pcapng': concat(pcapngWritten, block(true, 0x0a0d0d0a, new Uint8Array(16))),
  'no-idb-then-error.pcapng': concat(shb(true), epb(true, 0, 0, 0, payload(1))),
};

const paths = Object.fromEntries(
  Object.entries(files).map(([name, bytes]) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return [name, p] as const;
  }),
);

describe('streaming readers give what the whole-buffer parser gives', () => {
  it('the sample files are what the test means them to be', () => {
    const ok = ['le.pcap', 'be-ns.pcap', 'mixed.pcapng', 'written.pcapng'];
    for (const name of ok) expect(parseCapture(files[name]!).error, name).toBeUndefined();
    for (const name of Object.keys(files).filter((n) => !ok.includes(n))) expect(parseCapture(files[name]!).error, name).toBeInstanceOf(CaptureError);
    expect(parseCapture(pcapngMixed).records).toHaveLength(4);
    expect(parseCapture(files['cut-record.pcap']!).records).toHaveLength(5);
  });

  for (const name of Object.keys(files)) {
    it(`${name}, sync and async, at several chunk sizes`, async () => {
      const path = paths[name]!;
      const expected = fromParse(files[name]!, path);
      for (const chunk of [1, 2, 3, 7, 16, 100, 4096, 1 << 20]) {
        const s = readSyncAll(path, chunk);
        expect(s, `sync chunk ${chunk}`).toEqual(expected);
        const a = await readAsyncAll(path, chunk);
        expect(a, `async chunk ${chunk}`).toEqual(expected);
        expect(await generatorAll(path, chunk)).toEqual({ records: expected.records, error: expected.error });
        expect(syncGeneratorAll(path, chunk)).toEqual({ records: expected.records, error: expected.error });
        for (const r of s.records) expect(r.data.byteLength).toBe(r.data.buffer.byteLength);
      }
    });
  }
});

describe('reader objects', () => {
  it('expose the header after open and interfaces as they are read', async () => {
    const reader = await CaptureReader.open(paths['mixed.pcapng']!, { chunkSize: 8 });
    expect(reader.header).toMatchObject({ format: 'pcapng', byteOrder: 'le', linkType: 1, snaplen: 0 });
    expect(reader.interfaces).toHaveLength(1);
    const seen: number[] = [];
    for (let r = await reader.next(); r !== null; r = await reader.next()) seen.push(reader.interfaces.length);
    expect(seen).toEqual([1, 1, 3, 3]);
    expect(await reader.next()).toBeNull();
    await reader.close();
    await reader.close();
    expect(reader.file).toBe(paths['mixed.pcapng']);
  });
  it('open reads no further than the file header or the first IDB', async () => {
    const path = join(dir, 'two-idbs.pcapng');
    writeFileSync(path, concat(shb(true), idb(true, 1, 0), idb(true, 113, 0), epb(true, 1, 0, 0, payload(3))));
    const reader = await CaptureReader.open(path, { chunkSize: 4 });
    expect(reader.interfaces).toHaveLength(1);
    expect((await reader.next())?.linkType).toBe(113);
    expect(reader.interfaces).toHaveLength(2);
    await reader.close();
  });
  it('throws the same error again after a failure', () => {
    const reader = CaptureReaderSync.open(paths['cut-record.pcap']!, { chunkSize: 5 });
    for (let i = 0; i < 5; i++) expect(reader.next()?.index).toBe(i);
    let first: unknown;
    try {
      reader.next();
    } catch (e) {
      first = e;
    }
    expect(first).toBeInstanceOf(CaptureError);
    expect(() => reader.next()).toThrow(first as Error);
    reader.close();
  });
  it('open fails with a CaptureError only when the file header is bad', async () => {
    await expect(CaptureReader.open(paths['bad-magic.pcap']!)).rejects.toThrow(
      `${paths['bad-magic.pcap']}: record 0 at byte 0: unknown magic number 0x01020304`,
    );
    expect(() => CaptureReaderSync.open(paths['short-global.pcap']!)).toThrow(CaptureError);
    const r = CaptureReaderSync.open(paths['no-idb-then-error.pcapng']!);
    expect(r.header).toMatchObject({ format: 'pcapng', linkType: null, snaplen: null });
    expect(() => r.next()).toThrow('enhanced packet block refers to interface 0, but the section has 0 interface description blocks');
    r.close();
    await expect(CaptureReader.open(join(dir, 'missing.pcap'))).rejects.toThrow(/ENOENT/);
  });
  it('reads from a caller-owned descriptor without closing it', () => {
    const fd = openSync(paths['le.pcap']!, 'r');
    const reader = CaptureReaderSync.fromFd(fd, 'stdin', { chunkSize: 10 });
    expect(reader.file).toBe('stdin');
    expect([...reader]).toEqual(parseCapture(pcapLe).records);
    reader.close();
    closeSync(fd); // still open: closing it here must not throw
  });
  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => CaptureReaderSync.open(paths['le.pcap']!, { chunkSize: 0 })).toThrow('chunk size 0 is not a positive integer');
  });
});

describe('read window memory', () => {
  // Feed the window from a fake file of `size` bytes, as the readers do.
  function fill(w: ReadWindow, need: number, file: { left: number }): void {
    while (w.end - w.pos < need && !w.eof) {
      const [, len] = w.space(need);
      const n = Math.min(len, file.left);
      file.left -= n;
      w.commit(n);
    }
  }

  it('grows for one oversized record only as its bytes arrive, then shrinks back', () => {
    const w = new ReadWindow(16);
    const file = { left: 1000 };
    fill(w, 8, file);
    expect(w.buf.length).toBe(16);
    w.pos += 8;
    fill(w, 600, file); // one big record
    expect(w.end - w.pos).toBeGreaterThanOrEqual(600);
    expect(w.buf.length).toBe(600);
    w.pos += 600;
    fill(w, 12, file);
    expect(w.buf.length).toBe(16);
    expect(w.base + w.pos).toBe(608);
  });
  it('does not allocate what a bogus length claims beyond the end of the file', () => {
    const w = new ReadWindow(16);
    const file = { left: 100 };
    fill(w, 0x7ffffff0, file);
    expect(w.eof).toBe(true);
    expect(w.end - w.pos).toBe(100);
    expect(w.buf.length).toBeLessThanOrEqual(256);
  });
  it('reports a huge bogus block length as running past the end of the file', () => {
    const path = join(dir, 'huge.pcapng');
    writeFileSync(path, concat(pcapngWritten, new Bytes(true).u32(6).u32(0x7ffffff0).u32(0).build()));
    const out = readSyncAll(path, 64);
    expect(out.records).toHaveLength(recs.length);
    expect(out.error).toBe(`${path}: block 8 at byte ${pcapngWritten.length}: block length 2147483632 runs past end of file (12 bytes left)`);
  });
});
