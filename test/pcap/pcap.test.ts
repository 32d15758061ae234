import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  PcapWriter,
  encodePcap,
  parseCapture,
} from '../../src/pcap/index.ts';
import { concat, hex, payload, pcapHeader, pcapRecord } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'nslab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATA = hex('de ad be ef 01');
const REC = { tsSec: 1700000000, tsNsec: 123456000, data: DATA, originalLength: 60 };

const LE_US = hex(`
  d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 01 00 00 00
  00 f1 53 65 40 e2 01 00 05 00 00 00 3c 00 00 00 de ad be ef 01`);
const BE_US = hex(`
  a1 b2 c3 d4 00 02 00 04 00 00 00 00 00 00 00 00 00 04 00 00 00 00 00 01
  65 53 f1 00 00 01 e2 40 00 00 00 05 00 00 00 3c de ad be ef 01`);
const LE_NS = hex(`
  4d 3c b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 71 00 00 00
  00 f1 53 65 15 cd 5b 07 05 00 00 00 05 00 00 00 de ad be ef 01`);
const BE_NS = hex(`
  a1 b2 3c 4d 00 02 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 71
  65 53 f1 00 07 5b cd 15 00 00 00 05 00 00 00 05 de ad be ef 01`);

function expectError(bytes: Uint8Array, message: string, records: number): ReturnType<typeof parseCapture> {
  const r = parseCapture(bytes, 'capture.pcap');
  expect(r.error).toBeInstanceOf(CaptureError);
  expect(r.error?.message).toBe(message);
  expect(r.records).toHaveLength(records);
  return r;
}

describe('classic pcap writer', () => {
  it('writes µs little-endian by default, byte for byte', () => {
    expect(encodePcap([REC])).toEqual(LE_US);
  });
  it('writes big-endian on request', () => {
    expect(encodePcap([REC], { byteOrder: 'be' })).toEqual(BE_US);
  });
  it('writes ns precision on request, in both byte orders', () => {
    const rec = { tsSec: 1700000000, tsNsec: 123456789, data: DATA };
    const opts = { precision: 'ns', snaplen: 65535, linkType: LINKTYPE_LINUX_SLL } as const;
    expect(encodePcap([rec], opts)).toEqual(LE_NS);
    expect(encodePcap([rec], { ...opts, byteOrder: 'be' })).toEqual(BE_NS);
  });
  it('drops sub-microsecond digits at µs precision', () => {
    const a = encodePcap([{ ...REC, tsNsec: 123456999 }]);
    expect(a).toEqual(LE_US);
  });
  it('cuts data to the snaplen and keeps the original length', () => {
    const bytes = encodePcap([{ tsSec: 1, tsNsec: 0, data: payload(100) }], { snaplen: 64 });
    const r = parseCapture(bytes);
    expect(r.records[0]?.data).toEqual(payload(64));
    expect(r.records[0]?.originalLength).toBe(100);
    expect(bytes.length).toBe(24 + 16 + 64);
  });
  it('rejects out-of-range fields', () => {
    const w = PcapWriter.memory();
    expect(() => w.write({ tsSec: -1, tsNsec: 0, data: DATA })).toThrow(RangeError);
    expect(() => w.write({ tsSec: 2 ** 32, tsNsec: 0, data: DATA })).toThrow('tsSec 4294967296 is not an integer in 0..4294967295');
    expect(() => w.write({ tsSec: 0, tsNsec: 0.5, data: DATA })).toThrow(RangeError);
    expect(w.bytes()).toEqual(LE_US.subarray(0, 24));
    w.close();
    expect(() => w.write(REC)).toThrow('pcap writer is closed');
  });
  it('writes a file that grows record by record and equals the in-memory bytes', () => {
    const path = join(dir, 'w.pcap');
    const w = PcapWriter.file(path, { packetBuffered: true });
    expect(statSync(path).size).toBe(24);
    w.write(REC);
    expect(statSync(path).size).toBe(24 + 16 + 5);
    w.write(REC);
    expect(statSync(path).size).toBe(24 + 2 * 21);
    w.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(encodePcap([REC, REC]));
    expect(() => w.bytes()).toThrow('bytes() is for in-memory writers');
  });
  it('buffers file output until flush or close', () => {
    const path = join(dir, 'b.pcap');
    const w = PcapWriter.file(path);
    w.write(REC);
    expect(statSync(path).size).toBe(0);
    w.flush();
    expect(statSync(path).size).toBe(45);
    w.write(REC);
    w.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(encodePcap([REC, REC]));
  });
});

describe('classic pcap reader', () => {
  const expected = {
    index: 0,
    fileOffset: 24,
    interfaceId: 0,
    linkType: LINKTYPE_ETHERNET,
    tsSec: 1700000000,
    tsNsec: 123456000,
    originalLength: 60,
    data: DATA,
  };

  it('reads little-endian µs', () => {
    const r = parseCapture(LE_US);
    expect(r.error).toBeUndefined();
    expect(r.header).toEqual({
      format: 'pcap',
      byteOrder: 'le',
      precision: 'us',
      versionMajor: 2,
      versionMinor: 4,
      linkType: 1,
      snaplen: 262144,
      linkTypeExt: 0,
    });
    expect(r.records).toEqual([expected]);
    expect(r.interfaces).toEqual([
      { id: 0, section: 0, sectionInterfaceId: 0, linkType: 1, snaplen: 262144, tsresol: 6, ticksPerSecond: 1000000n, tsOffset: 0, fileOffset: 0 },
    ]);
  });
  it('reads big-endian µs', () => {
    const r = parseCapture(BE_US);
    expect(r.header?.byteOrder).toBe('be');
    expect(r.records).toEqual([expected]);
  });
  it('reads ns files in both byte orders', () => {
    for (const [bytes, order] of [[LE_NS, 'le'], [BE_NS, 'be']] as const) {
      const r = parseCapture(bytes);
      expect(r.error).toBeUndefined();
      expect(r.header).toMatchObject({ precision: 'ns', byteOrder: order, snaplen: 65535, linkType: LINKTYPE_LINUX_SLL });
      expect(r.interfaces[0]?.ticksPerSecond).toBe(1000000000n);
      expect(r.records).toEqual([{ ...expected, linkType: 113, tsNsec: 123456789, originalLength: 5 }]);
    }
  });
  it('returns views into the input for the whole-buffer parser', () => {
    const r = parseCapture(LE_US);
    expect(r.records[0]?.data.buffer).toBe(LE_US.buffer);
  });
  it('reads a file that is a subarray of a larger buffer', () => {
    const big = concat(hex('ff ff ff'), LE_US, hex('ee'));
    const r = parseCapture(big.subarray(3, 3 + LE_US.length));
    expect(r.error).toBeUndefined();
    expect(r.records).toEqual([expected]);
  });
  it('round-trips several records of both byte orders through the writer', () => {
    const recs = [0, 1, 59, 1514].map((n, i) => ({ tsSec: 1000 + i, tsNsec: i * 1000, data: payload(n, i), originalLength: n + i }));
    for (const byteOrder of ['le', 'be'] as const) {
      const bytes = encodePcap(recs, { byteOrder, linkType: LINKTYPE_LINUX_SLL2 });
      const r = parseCapture(bytes);
      expect(r.error).toBeUndefined();
      expect(r.records.map((x) => ({ tsSec: x.tsSec, tsNsec: x.tsNsec, data: x.data, originalLength: x.originalLength }))).toEqual(recs);
      expect(r.records.map((x) => x.fileOffset)).toEqual([24, 40, 57, 132]);
      expect(encodePcap(r.records, { byteOrder, linkType: LINKTYPE_LINUX_SLL2 })).toEqual(bytes);
    }
  });
  it('swaps caplen and len for version 2.2 files', () => {
    const le = true;
    const bytes = concat(pcapHeader(le, { minor: 2 }), pcapRecord(le, 5, 6, payload(4), 4, 99));
    // the header fields are (sec, usec, caplen=99, len=4) on disk; 2.2 means (len, caplen)
    const fixed = concat(pcapHeader(le, { minor: 2 }), new Uint8Array([5, 0, 0, 0, 6, 0, 0, 0, 99, 0, 0, 0, 4, 0, 0, 0]), payload(4));
    expect(bytes).toEqual(fixed);
    const r = parseCapture(bytes);
    expect(r.error).toBeUndefined();
    expect(r.records[0]).toMatchObject({ originalLength: 99, data: payload(4), tsNsec: 6000 });
  });
  it('keeps the link-type field upper bits apart', () => {
    const bytes = pcapHeader(true, { linkType: 0x14000001 });
    expect(parseCapture(bytes).header).toMatchObject({ linkType: 1, linkTypeExt: 0x14000000 });
  });
  it('accepts a captured length between the snaplen and 262144, cut to the snaplen like libpcap', () => {
    const le = false;
    const bytes = concat(pcapHeader(le, { snaplen: 64 }), pcapRecord(le, 1, 2, payload(100), 200), pcapRecord(le, 3, 4, payload(10, 7)));
    const r = parseCapture(bytes);
    expect(r.error).toBeUndefined();
    expect(r.records).toHaveLength(2);
    expect(r.records[0]).toMatchObject({ originalLength: 200, data: payload(64) });
    expect(r.records[1]).toMatchObject({ index: 1, fileOffset: 24 + 116, tsSec: 3, data: payload(10, 7) });
  });
});

describe('classic pcap errors', () => {
  const good = concat(pcapHeader(true, { snaplen: 65535 }), pcapRecord(true, 1, 0, payload(20)), pcapRecord(true, 2, 0, payload(30)));
  // offsets: header 0..24, record 0 at 24 (36 bytes), record 1 at 60 (46 bytes), end 106
  const goodRecords = parseCapture(good).records;

  it('has two good records to build on', () => {
    expect(goodRecords.map((r) => [r.fileOffset, r.data.length])).toEqual([[24, 20], [60, 30]]);
  });
  it('unknown magic', () => {
    const r = expectError(hex('47 49 46 38 39 61 00 00'), 'capture.pcap: record 0 at byte 0: unknown magic number 0x47494638', 0);
    expect(r.header).toBeUndefined();
    expect(r.error).toMatchObject({ file: 'capture.pcap', recordIndex: 0, byteOffset: 0, unit: 'record', detail: 'unknown magic number 0x47494638' });
  });
  it('empty file and too short for a magic number', () => {
    expectError(new Uint8Array(0), 'capture.pcap: record 0 at byte 0: truncated file header: 4 bytes needed, 0 present', 0);
    expectError(hex('d4 c3'), 'capture.pcap: record 0 at byte 0: truncated file header: 4 bytes needed, 2 present', 0);
  });
  it('truncated file header', () => {
    expectError(good.subarray(0, 10), 'capture.pcap: record 0 at byte 0: truncated file header: 24 bytes needed, 10 present', 0);
  });
  it('unsupported version and reserved link-type bits', () => {
    expectError(pcapHeader(true, { major: 3, minor: 0 }), 'capture.pcap: record 0 at byte 0: unsupported pcap version 3.0', 0);
    expectError(pcapHeader(false, { linkType: 0x00010001 }), 'capture.pcap: record 0 at byte 0: link-type field 0x00010001 has reserved bits set', 0);
  });
  it('truncated record header, after the good records', () => {
    const r = expectError(concat(good, hex('01 02 03 04 05')), 'capture.pcap: record 2 at byte 106: truncated record header: 16 bytes needed, 5 present', 2);
    expect(r.records).toEqual(goodRecords);
    expect(r.error).toMatchObject({ recordIndex: 2, byteOffset: 106 });
  });
  it('record longer than the file', () => {
    const r = expectError(good.subarray(0, 100), 'capture.pcap: record 1 at byte 60: captured length 30 runs past end of file (24 bytes left)', 1);
    expect(r.records).toEqual(goodRecords.slice(0, 1));
  });
  it('captured length above the maximum and the snaplen', () => {
    const bytes = concat(good, pcapRecord(true, 3, 0, new Uint8Array(0), 300000, 300000));
    const r = expectError(bytes, 'capture.pcap: record 2 at byte 106: captured length 300000 exceeds snapshot length 65535', 2);
    expect(r.records).toEqual(goodRecords);
  });
  it('captured length above the maximum but within a huge snaplen', () => {
    const bytes = concat(pcapHeader(true, { snaplen: 0x7fffffff }), pcapRecord(true, 3, 0, new Uint8Array(0), 262145, 262145));
    expectError(bytes, 'capture.pcap: record 0 at byte 24: captured length 262145 exceeds maximum 262144', 0);
  });
  it('the default buffer name', () => {
    expect(parseCapture(hex('00 00 00 00')).error?.message).toBe('<buffer>: record 0 at byte 0: unknown magic number 0x00000000');
  });
});
