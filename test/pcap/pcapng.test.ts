import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  PcapngWriter,
  encodePcapng,
  parseCapture,
} from '../../src/pcap/index.ts';
import { Bytes, END_OF_OPT, block, concat, epb, hex, idb, option, payload, pb, shb, spb } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'nslab-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATA = hex('de ad be ef 01');
const REC = { tsSec: 1700000000, tsNsec: 123456000, data: DATA, originalLength: 60 };
const ETH0 = { linkType: LINKTYPE_ETHERNET, name: 'eth0' };

const LE = hex(`
  0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00
  01 00 00 00 28 00 00 00 01 00 00 00 00 00 04 00 02 00 04 00 65 74 68 30
    09 00 01 00 06 00 00 00 00 00 00 00 28 00 00 00
  06 00 00 00 28 00 00 00 00 00 00 00 24 0a 06 00 40 22 20 18 05 00 00 00 3c 00 00 00
    de ad be ef 01 00 00 00 28 00 00 00`);
const BE = hex(`
  0a 0d 0d 0a 00 00 00 1c 1a 2b 3c 4d 00 01 00 00 ff ff ff ff ff ff ff ff 00 00 00 1c
  00 00 00 01 00 00 00 28 00 01 00 00 00 04 00 00 00 02 00 04 65 74 68 30
    00 09 00 01 06 00 00 00 00 00 00 00 00 00 00 28
  00 00 00 06 00 00 00 28 00 00 00 00 00 06 0a 24 18 20 22 40 00 00 00 05 00 00 00 3c
    de ad be ef 01 00 00 00 00 00 00 28`);

const EXPECTED_RECORD = {
  index: 0,
  fileOffset: 68,
  interfaceId: 0,
  linkType: 1,
  tsSec: 1700000000,
  tsNsec: 123456000,
  originalLength: 60,
  data: DATA,
};

function expectError(bytes: Uint8Array, message: string, records: number): ReturnType<typeof parseCapture> {
  const r = parseCapture(bytes, 'capture.pcapng');
  expect(r.error).toBeInstanceOf(CaptureError);
  expect(r.error?.message).toBe(message);
  expect(r.records).toHaveLength(records);
  return r;
}

describe('pcapng writer', () => {
  it('writes SHB, IDB with if_name and if_tsresol 6, and a padded µs EPB, byte for byte', () => {
    expect(encodePcapng([REC], { interfaces: [ETH0] })).toEqual(LE);
  });
  it('writes big-endian on request', () => {
    expect(encodePcapng([REC], { interfaces: [ETH0], byteOrder: 'be' })).toEqual(BE);
  });
  it('writes shb_userappl and if_description', () => {
    const w = PcapngWriter.memory({ userAppl: 'nslab' });
    expect(w.addInterface({ linkType: 113, snaplen: 100, description: 'veth', tsresol: 9 })).toBe(0);
    const le = true;
    const expected = concat(
      shb(le, { options: [option(le, 4, [...'nslab'].map((c) => c.charCodeAt(0))), END_OF_OPT] }),
      idb(le, 113, 100, [option(le, 3, [0x76, 0x65, 0x74, 0x68]), option(le, 9, [9]), END_OF_OPT]),
    );
    expect(w.bytes()).toEqual(expected);
  });
  it('pads every data length to 32 bits', () => {
    for (const n of [0, 1, 2, 3, 4, 5]) {
      const bytes = encodePcapng([{ tsSec: 0, tsNsec: 0, data: payload(n) }], { interfaces: [{ linkType: 1, snaplen: 0 }] });
      const le = true;
      expect(bytes).toEqual(concat(shb(le), idb(le, 1, 0, [option(le, 9, [6]), END_OF_OPT]), epb(le, 0, 0, 0, payload(n))));
    }
  });
  it('rejects records for interfaces not added, and bad fields', () => {
    const w = PcapngWriter.memory();
    expect(() => w.write(REC)).toThrow('interface 0 has not been added (0 interfaces)');
    expect(() => w.addInterface({ linkType: 0x10000 })).toThrow('link type 65536 is not an integer in 0..65535');
    expect(() => w.addInterface({ linkType: 1, tsresol: 0x80 | 64 })).toThrow('if_tsresol 192 does not fit 64 bits');
    w.addInterface({ linkType: 1, tsresol: 9 });
    expect(() => w.write({ ...REC, tsSec: 2 ** 40 })).toThrow('does not fit 64 bits');
  });
  it('streams to a file, one block at a time when packetBuffered', () => {
    const path = join(dir, 'w.pcapng');
    const w = PcapngWriter.file(path, { interfaces: [ETH0], packetBuffered: true });
    expect(statSync(path).size).toBe(68);
    w.write(REC);
    expect(statSync(path).size).toBe(108);
    w.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(LE);
  });
});

describe('pcapng reader', () => {
  it('reads both byte orders', () => {
    for (const [bytes, order] of [[LE, 'le'], [BE, 'be']] as const) {
      const r = parseCapture(bytes);
      expect(r.error).toBeUndefined();
      expect(r.header).toEqual({
        format: 'pcapng',
        byteOrder: order,
        precision: 'us',
        versionMajor: 1,
        versionMinor: 0,
        linkType: 1,
        snaplen: 262144,
        linkTypeExt: 0,
      });
      expect(r.interfaces).toEqual([
        { id: 0, section: 0, sectionInterfaceId: 0, linkType: 1, snaplen: 262144, name: 'eth0', tsresol: 6, ticksPerSecond: 1000000n, tsOffset: 0, fileOffset: 28 },
      ]);
      expect(r.records).toEqual([EXPECTED_RECORD]);
      expect(encodePcapng(r.records, { interfaces: [ETH0], byteOrder: order })).toEqual(bytes);
    }
  });
  it('keeps several interfaces apart', () => {
    const w = PcapngWriter.memory();
    w.addInterface(ETH0);
    w.write({ tsSec: 1, tsNsec: 1000, data: payload(10) });
    const any = w.addInterface({ linkType: LINKTYPE_LINUX_SLL2, name: 'any', snaplen: 100 });
    const ns = w.addInterface({ linkType: LINKTYPE_LINUX_SLL, name: 'lo', tsresol: 9 });
    w.write({ tsSec: 2, tsNsec: 2000, data: payload(150), interfaceId: any });
    w.write({ tsSec: 3, tsNsec: 3, data: payload(3), interfaceId: ns });
    const r = parseCapture(w.bytes());
    expect(r.error).toBeUndefined();
    expect(r.interfaces.map((i) => [i.id, i.sectionInterfaceId, i.name, i.linkType, i.snaplen, i.tsresol])).toEqual([
      [0, 0, 'eth0', 1, 262144, 6],
      [1, 1, 'any', 276, 100, 6],
      [2, 2, 'lo', 113, 262144, 9],
    ]);
    expect(r.records.map((x) => [x.index, x.interfaceId, x.linkType, x.tsSec, x.tsNsec, x.originalLength, x.data])).toEqual([
      [0, 0, 1, 1, 1000, 10, payload(10)],
      [1, 1, 276, 2, 2000, 150, payload(100)],
      [2, 2, 113, 3, 3, 3, payload(3)],
    ]);
    expect(r.header).toMatchObject({ linkType: 1, snaplen: 262144, precision: 'us' });
  });
  it('reads several sections with their own byte order and interface numbering', () => {
    const file = concat(
      shb(true),
      idb(true, 1, 65535, [option(true, 2, [0x65]), END_OF_OPT]),
      epb(true, 0, 0, 5, payload(6)),
      shb(false, { minor: 2 }),
      idb(false, 113, 1000, [option(false, 2, [0x61])]),
      idb(false, 276, 2000, [option(false, 2, [0x62]), END_OF_OPT]),
      epb(false, 1, 0, 7, payload(7)),
      epb(false, 0, 0, 8, payload(8)),
    );
    const r = parseCapture(file);
    expect(r.error).toBeUndefined();
    expect(r.header).toMatchObject({ byteOrder: 'le', versionMinor: 0, linkType: 1, snaplen: 65535 });
    expect(r.interfaces.map((i) => [i.id, i.section, i.sectionInterfaceId, i.name, i.linkType, i.snaplen])).toEqual([
      [0, 0, 0, 'e', 1, 65535],
      [1, 1, 0, 'a', 113, 1000],
      [2, 1, 1, 'b', 276, 2000],
    ]);
    expect(r.records.map((x) => [x.index, x.interfaceId, x.linkType, x.tsNsec, x.data])).toEqual([
      [0, 0, 1, 5000, payload(6)],
      [1, 2, 276, 7000, payload(7)],
      [2, 1, 113, 8000, payload(8)],
    ]);
    // interface 2 exists in the file but not in section 1
    expectError(
      concat(file, epb(false, 2, 0, 0, payload(1))),
      `capture.pcapng: block 8 at byte ${file.length}: enhanced packet block refers to interface 2, but the section has 2 interface description blocks`,
      3,
    );
  });
  it('honours if_tsresol 9, 3, 0, power-of-two resolutions and if_tsoffset', () => {
    const le = false;
    const tsres = (v: number): Uint8Array[] => [option(le, 9, [v]), END_OF_OPT];
    const tsoff = new Bytes(le).u16(14).u16(8).u32(0xffffffff).u32(0xfffffff6).build(); // -10 s
    const file = concat(
      shb(le),
      idb(le, 1, 0, tsres(9)),
      idb(le, 1, 0, tsres(0x8a)),
      idb(le, 1, 0, tsres(0)),
      idb(le, 1, 0, tsres(3)),
      idb(le, 1, 0, [tsoff, option(le, 9, [0x80 | 1]), END_OF_OPT]),
      epb(le, 0, 0x17979cfe, 0x3d85cd15, payload(1)),
      epb(le, 1, 0x195, 0x4fc4007e, payload(1)),
      epb(le, 2, 0, 1700000000, payload(1)),
      epb(le, 3, 0, 1234567, payload(1)),
      epb(le, 4, 0, 41, payload(1)),
    );
    const r = parseCapture(file);
    expect(r.error).toBeUndefined();
    expect(r.interfaces.map((i) => [i.tsresol, i.ticksPerSecond, i.tsOffset])).toEqual([
      [9, 1000000000n, 0],
      [0x8a, 1024n, 0],
      [0, 1n, 0],
      [3, 1000n, 0],
      [0x81, 2n, -10],
    ]);
    expect(r.header?.precision).toBe('ns');
    expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual([
      [1700000000, 123456789],
      [1700000000, 123046875],
      [1700000000, 0],
      [1234, 567000000],
      [10, 500000000],
    ]);
  });
  it('writes non-default resolutions the way it reads them', () => {
    const le = true;
    const rec = { tsSec: 1700000000, tsNsec: 123456789, data: payload(1) };
    const ns = PcapngWriter.memory({ interfaces: [{ linkType: 1, tsresol: 9 }, { linkType: 1, tsresol: 0x8a }] });
    ns.write(rec);
    ns.write({ ...rec, interfaceId: 1 });
    expect(ns.bytes()).toEqual(
      concat(
        shb(le),
        idb(le, 1, 262144, [option(le, 9, [9]), END_OF_OPT]),
        idb(le, 1, 262144, [option(le, 9, [0x8a]), END_OF_OPT]),
        epb(le, 0, 0x17979cfe, 0x3d85cd15, payload(1)),
        epb(le, 1, 0x195, 0x4fc4007e, payload(1)),
      ),
    );
  });
  it('reads simple packet blocks on interface 0 with captured = min(original, snaplen)', () => {
    const le = false;
    const file = concat(shb(le), idb(le, 1, 64), idb(le, 113, 0), spb(le, 100, payload(64)), spb(le, 10, payload(10, 3)));
    const r = parseCapture(file);
    expect(r.error).toBeUndefined();
    expect(r.records).toEqual([
      { index: 0, fileOffset: 68, interfaceId: 0, linkType: 1, tsSec: 0, tsNsec: 0, originalLength: 100, data: payload(64) },
      { index: 1, fileOffset: 148, interfaceId: 0, linkType: 1, tsSec: 0, tsNsec: 0, originalLength: 10, data: payload(10, 3) },
    ]);
  });
  it('reads obsolete packet blocks', () => {
    const le = true;
    const r = parseCapture(concat(shb(le), idb(le, 1, 0), idb(le, 113, 0), pb(le, 1, 0, 2000001, payload(9), 90)));
    expect(r.error).toBeUndefined();
    expect(r.records).toEqual([{ index: 0, fileOffset: 68, interfaceId: 1, linkType: 113, tsSec: 2, tsNsec: 1000, originalLength: 90, data: payload(9) }]);
  });
  it('skips name resolution, statistics, custom and unknown blocks', () => {
    const le = true;
    const head = concat(shb(le), idb(le, 1, 0));
    const p1 = epb(le, 0, 0, 1, payload(5));
    const p2 = epb(le, 0, 0, 2, payload(6));
    const clutter = [
      block(le, 4, new Bytes(le).u16(1).u16(8).u8(10, 0, 0, 1, 0x61, 0x62, 0, 0).u32(0).build()),
      block(le, 5, new Bytes(le).u32(0).u32(0).u32(1).build()),
      block(le, 0x00000bad, new Bytes(le).u32(32473).u8(1, 2, 3, 4).build()),
      block(le, 0x40000bad, new Bytes(le).u32(32473).build()),
      block(le, 0x0000000a, new Bytes(le).u32(0x544c534b).u32(0).build()),
      block(le, 0x12345678, new Uint8Array(0)),
    ];
    const plain = parseCapture(concat(head, p1, p2));
    const cluttered = parseCapture(concat(head, ...clutter.slice(0, 3), p1, ...clutter.slice(3), p2));
    expect(cluttered.error).toBeUndefined();
    const offset = (n: number) => head.length + clutter.slice(0, n).reduce((s, b) => s + b.length, 0);
    expect(cluttered.records).toEqual([
      { ...plain.records[0], fileOffset: offset(3) },
      { ...plain.records[1], fileOffset: offset(6) + p1.length },
    ]);
    expect(cluttered.records.map((x) => x.index)).toEqual([0, 1]);
  });
});

describe('pcapng errors', () => {
  const le = true;
  // SHB 0..28, IDB 28..48, EPB 48..100, EPB 100..164
  const good = concat(shb(le), idb(le, 1, 65535), epb(le, 0, 0, 1, payload(20)), epb(le, 0, 0, 2, payload(30)));
  const goodRecords = parseCapture(good).records;
  const at = 'capture.pcapng: block 4 at byte 164:';

  it('has two good records to build on', () => {
    expect(good.length).toBe(164);
    expect(goodRecords.map((r) => r.fileOffset)).toEqual([48, 100]);
  });
  it('bad byte-order magic in the first section header', () => {
    const bad = new Uint8Array(shb(le));
    bad.set([0x12, 0x34, 0x56, 0x78], 8);
    const r = expectError(bad, 'capture.pcapng: block 0 at byte 0: bad byte-order magic 0x12345678 in section header block', 0);
    expect(r.header).toBeUndefined();
  });
  it('bad byte-order magic in a later section header', () => {
    const bad = new Uint8Array(shb(le));
    bad.set([0x1a, 0x2b, 0x3c, 0x4e], 8);
    const r = expectError(concat(good, bad), `${at} bad byte-order magic 0x1a2b3c4e in section header block`, 2);
    expect(r.records).toEqual(goodRecords);
    expect(r.header?.linkType).toBe(1);
  });
  it('block length not a multiple of 4, too small, or different in the trailer', () => {
    expectError(concat(good, new Bytes(le).u32(0x12345678).u32(13).u32(0).u32(13).build()), `${at} block length 13 is not a multiple of 4`, 2);
    expectError(concat(good, new Bytes(le).u32(6).u32(8).u32(8).build()), `${at} block length 8 is less than 12`, 2);
    expectError(concat(good, block(le, 0x12345678, payload(4), { trail: 20 })), `${at} block length 16 in header but 20 in trailer`, 2);
  });
  it('block running past the end of the file', () => {
    const r = expectError(good.subarray(0, 130), 'capture.pcapng: block 3 at byte 100: block length 64 runs past end of file (30 bytes left)', 1);
    expect(r.records).toEqual(goodRecords.slice(0, 1));
  });
  it('truncated block header', () => {
    expectError(concat(good, hex('06 00 00 00 20')), `${at} truncated block header: 8 bytes needed, 5 present`, 2);
    expectError(shb(le).subarray(0, 10), 'capture.pcapng: block 0 at byte 0: truncated section header block: 12 bytes needed, 10 present', 0);
  });
  it('packet blocks naming an unknown interface', () => {
    expectError(
      concat(good, epb(le, 1, 0, 0, payload(4))),
      `${at} enhanced packet block refers to interface 1, but the section has 1 interface description block`,
      2,
    );
    expectError(
      concat(shb(le), spb(le, 4, payload(4))),
      'capture.pcapng: block 1 at byte 28: simple packet block refers to interface 0, but the section has 0 interface description blocks',
      0,
    );
  });
  it('captured length above the snapshot length or past the block', () => {
    const r = expectError(concat(good, epb(le, 0, 0, 0, payload(4), 70000, 70000)), `${at} captured length 70000 exceeds snapshot length 65535`, 2);
    expect(r.records).toEqual(goodRecords);
    expect(r.error).toMatchObject({ unit: 'block', recordIndex: 4, byteOffset: 164 });
    expectError(concat(good, epb(le, 0, 0, 0, payload(20), 100, 100)), `${at} captured length 100 runs past end of block (20 bytes of packet data)`, 2);
    // snaplen 0 means libpcap's maximum, 262144
    const zero = concat(shb(le), idb(le, 1, 0), epb(le, 0, 0, 0, payload(4), 262145, 262145));
    expectError(zero, 'capture.pcapng: block 2 at byte 48: captured length 262145 exceeds snapshot length 262144', 0);
  });
  it('blocks too short for their fixed fields', () => {
    expectError(concat(good, block(le, 6, payload(16))), `${at} enhanced packet block too short (length 28)`, 2);
    expectError(concat(good, block(le, 1, payload(4))), `${at} interface description block too short (length 16)`, 2);
    expectError(concat(good, block(le, 3, new Uint8Array(0))), `${at} simple packet block too short (length 12)`, 2);
  });
  it('bad IDB options and versions', () => {
    expectError(concat(good, idb(le, 1, 0, [option(le, 9, [20])])), `${at} if_tsresol 10^-20 is too high`, 2);
    expectError(concat(good, idb(le, 1, 0, [option(le, 9, [0x80 | 64])])), `${at} if_tsresol 2^-64 is too high`, 2);
    expectError(concat(good, idb(le, 1, 0, [option(le, 9, [6, 6])])), `${at} if_tsresol option has length 2, not 1`, 2);
    expectError(concat(good, idb(le, 1, 0, [new Bytes(le).u16(2).u16(9).u32(0).build()])), `${at} option 2 runs past end of block`, 2);
    expectError(concat(good, shb(le, { major: 2 })), `${at} unsupported pcapng version 2.0`, 2);
  });
  it('counts skipped blocks in the block number', () => {
    const nrb = block(le, 4, new Uint8Array(4));
    expectError(
      concat(good, nrb, nrb, epb(le, 3, 0, 0, payload(1))),
      'capture.pcapng: block 6 at byte 196: enhanced packet block refers to interface 3, but the section has 1 interface description block',
      2,
    );
  });
});
