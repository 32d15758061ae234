// formatFrame must never throw, whatever the bytes: random frames, mutated real frames, cut
// short or with lying lengths, for every link type and flag set. The strict renderer also
// rethrows internal errors (anything but "ran off the captured data"), so a bug that the public
// function would hide as ` [|proto]` fails here.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrintState, formatFrame, type FrameInfo, type PrintOptions } from '../../src/print/index.ts';
import { renderFrame } from '../../src/print/frame.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const crafted = JSON.parse(readFileSync(join(HERE, 'crafted.json'), 'utf8')) as {
  name: string;
  linkType: number;
  frames: { hex: string }[];
}[];
// One of each base frame (the sweeps and mutants derive from them).
const seeds = crafted
  .filter((c) => !c.name.startsWith('sweep-') && !c.name.startsWith('mutants-'))
  .flatMap((c) => c.frames.map((f) => ({ linkType: c.linkType, data: Uint8Array.from(Buffer.from(f.hex, 'hex')) })))
  .filter((s) => s.data.length > 0);

const LINK_TYPES = [1, 113, 276, 101, 228, 0, 9999];

const optionsArb: fc.Arbitrary<PrintOptions> = fc.record({
  link: fc.boolean(),
  verbose: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  nano: fc.boolean(),
  timestamps: fc.constantFrom('utc' as const, 'none' as const),
});

/** A seed frame with a few bytes changed, possibly cut short, possibly claiming another length. */
const mutatedArb: fc.Arbitrary<FrameInfo> = fc
  .record({
    seed: fc.nat({ max: seeds.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat({ max: 127 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    cut: fc.option(fc.nat({ max: 200 })),
    extra: fc.nat({ max: 3000 }),
    otherLink: fc.option(fc.constantFrom(...LINK_TYPES), { freq: 5 }),
  })
  .map(({ seed, edits, cut, extra, otherLink }) => {
    const s = seeds[seed];
    const data = s.data.slice(0, cut === null ? undefined : Math.max(1, cut));
    for (const [at, v] of edits) if (at < data.length) data[at] = v;
    return { data, linkType: otherLink ?? s.linkType, originalLength: data.length + (cut === null ? 0 : extra), tsSec: 1700000000, tsNsec: 5000 };
  });

const randomArb: fc.Arbitrary<FrameInfo> = fc.record({
  data: fc.uint8Array({ minLength: 0, maxLength: 160 }),
  linkType: fc.constantFrom(...LINK_TYPES),
  originalLength: fc.nat({ max: 300000 }),
  tsSec: fc.oneof(fc.nat({ max: 0xffffffff }), fc.constant(-1)),
  tsNsec: fc.nat({ max: 999999999 }),
});

describe('formatFrame never throws', () => {
  it('on mutated real frames (strict: no internal errors either)', () => {
    fc.assert(
      fc.property(fc.array(mutatedArb, { minLength: 1, maxLength: 8 }), optionsArb, (frames, opts) => {
        const state = createPrintState();
        for (const f of frames) {
          const text = renderFrame(f, opts, state, true);
          expect(typeof text).toBe('string');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('on random bytes for every link type', () => {
    fc.assert(
      fc.property(randomArb, optionsArb, (f, opts) => {
        expect(typeof renderFrame(f, opts, createPrintState(), true)).toBe('string');
        expect(typeof formatFrame(f, opts)).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('on IPv4 headers with random fields after a valid Ethernet header', () => {
    const ipArb = fc.uint8Array({ minLength: 20, maxLength: 120 }).map((ip) => {
      ip[0] = 0x40 | (ip[0] & 0x0f);
      const data = new Uint8Array(14 + ip.length);
      data.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]);
      data.set(ip, 14);
      return { data, linkType: 1, originalLength: data.length, tsSec: 0, tsNsec: 0 };
    });
    fc.assert(
      fc.property(ipArb, optionsArb, (f, opts) => {
        expect(typeof renderFrame(f, opts, createPrintState(), true)).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });
});
