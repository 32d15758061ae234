import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  CaptureReaderSync,
  type CaptureRecord,
  PcapngWriter,
  type WritableRecord,
  encodePcap,
  parseCapture,
} from '../../src/pcap/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'nslab-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const arbRecord = fc.record({
  tsSec: fc.integer({ min: 0, max: 0xffffffff }),
  tsNsec: fc.integer({ min: 0, max: 999_999_999 }),
  data: fc.uint8Array({ maxLength: 120 }),
  extra: fc.integer({ min: 0, max: 2000 }),
  iface: fc.nat(),
});

type Arb = { tsSec: number; tsNsec: number; data: Uint8Array; extra: number; iface: number };

const essentials = (r: CaptureRecord) => ({ interfaceId: r.interfaceId, tsSec: r.tsSec, tsNsec: r.tsNsec, originalLength: r.originalLength, data: r.data });

describe('random records round-trip', () => {
  it('classic pcap, both byte orders and precisions, any snaplen', () => {
    fc.assert(
      fc.property(
        fc.array(arbRecord, { maxLength: 20 }),
        fc.constantFrom('le', 'be'),
        fc.constantFrom('us', 'ns'),
        fc.integer({ min: 1, max: 150 }),
        (arbs: Arb[], byteOrder, precision, snaplen) => {
          const input: WritableRecord[] = arbs.map((a) => ({ tsSec: a.tsSec, tsNsec: a.tsNsec, data: a.data, originalLength: a.data.length + a.extra }));
          const bytes = encodePcap(input, { byteOrder, precision, snaplen });
          const parsed = parseCapture(bytes);
          expect(parsed.error).toBeUndefined();
          expect(parsed.header).toMatchObject({ byteOrder, precision, snaplen });
          expect(parsed.records.map(essentials)).toEqual(
            input.map((r) => ({
              interfaceId: 0,
              tsSec: r.tsSec,
              tsNsec: precision === 'ns' ? r.tsNsec : r.tsNsec - (r.tsNsec % 1000),
              originalLength: r.originalLength,
              data: r.data.subarray(0, snaplen),
            })),
          );
          expect(encodePcap(parsed.records, { byteOrder, precision, snaplen })).toEqual(bytes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pcapng, both byte orders, several interfaces and resolutions', () => {
    const arbIface = fc.record({
      linkType: fc.constantFrom(1, 113, 276, 101),
      snaplen: fc.integer({ min: 1, max: 150 }),
      tsresol: fc.constantFrom(6, 9, 3, 0x80 | 30),
      name: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(arbRecord, { maxLength: 20 }),
        fc.array(arbIface, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('le', 'be'),
        (arbs: Arb[], ifaces, byteOrder) => {
          const w = PcapngWriter.memory({ byteOrder, interfaces: ifaces });
          const input = arbs.map((a) => ({ tsSec: a.tsSec, tsNsec: a.tsNsec, data: a.data, originalLength: a.data.length + a.extra, interfaceId: a.iface % ifaces.length }));
          for (const r of input) w.write(r);
          const bytes = w.bytes();
          const parsed = parseCapture(bytes);
          expect(parsed.error).toBeUndefined();
          expect(parsed.interfaces.map((i) => ({ linkType: i.linkType, snaplen: i.snaplen, tsresol: i.tsresol, name: i.name }))).toEqual(ifaces);
          const expected = input.map((r) => {
            const i = ifaces[r.interfaceId]!;
            const unit = i.tsresol === 9 ? 1 : i.tsresol === 6 ? 1000 : i.tsresol === 3 ? 1_000_000 : 0;
            return {
              interfaceId: r.interfaceId,
              tsSec: r.tsSec,
              // 2^-30 s ticks are finer than 1 ns: nanoseconds survive them exactly
              tsNsec: unit === 0 ? r.tsNsec : r.tsNsec - (r.tsNsec % unit),
              originalLength: r.originalLength,
              data: r.data.subarray(0, i.snaplen),
            };
          });
          expect(parsed.records.map(essentials)).toEqual(expected);
          const again = PcapngWriter.memory({ byteOrder, interfaces: ifaces });
          for (const r of parsed.records) again.write(r);
          expect(again.bytes()).toEqual(bytes);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('damaged files', () => {
  const arbFile = fc
    .tuple(fc.array(arbRecord, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.constantFrom('le', 'be'))
    .map(([arbs, ng, byteOrder]) => {
      const recs = arbs.map((a) => ({ tsSec: a.tsSec, tsNsec: a.tsNsec, data: a.data }));
      if (!ng) return encodePcap(recs, { byteOrder });
      const w = PcapngWriter.memory({ byteOrder, interfaces: [{ linkType: 1 }] });
      for (const r of recs) w.write(r);
      return w.bytes();
    });
  const arbDamage = fc.record({
    cut: fc.nat(),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    chunk: fc.integer({ min: 1, max: 40 }),
  });

  it('never throw anything but a reported CaptureError, and stream exactly as they parse', () => {
    let n = 0;
    fc.assert(
      fc.property(arbFile, arbDamage, (file, { cut, flips, chunk }) => {
        const bytes = file.slice(0, file.length - (cut % (file.length + 1)));
        for (const [at, v] of flips) if (bytes.length > 0) bytes[at % bytes.length] = v;
        const parsed = parseCapture(bytes, 'damaged');
        if (parsed.error !== undefined) expect(parsed.error).toBeInstanceOf(CaptureError);
        for (const r of parsed.records) expect(r.data.byteOffset + r.data.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);

        const path = join(dir, `d${n++}`);
        writeFileSync(path, bytes);
        const streamed: CaptureRecord[] = [];
        let error: string | undefined;
        try {
          const reader = CaptureReaderSync.open(path, { chunkSize: chunk });
          try {
            for (const r of reader) streamed.push(r);
          } finally {
            reader.close();
          }
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
          error = e.message.replace(path, 'damaged');
        }
        expect(streamed).toEqual(parsed.records);
        expect(error).toBe(parsed.error?.message);
      }),
      { numRuns: 300 },
    );
  });
});
