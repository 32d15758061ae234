// Every capture in fixtures/decode/ printed for every flag set that has an expected file beside
// it (NAME.txt = -n, .e = -e, .v = -v, .ev = -e -v, .nano = --nano, .ifnames[.e] = with the
// interface names resolvable); each packet's text must equal tcpdump's, line for line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPrintState, formatFrame, type PrintOptions } from '../../src/print/index.ts';
import { readCapture, splitPackets } from './capture.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/decode');

const VARIANTS: ReadonlyArray<readonly [string, PrintOptions]> = [
  ['', {}],
  ['.e', { link: true }],
  ['.v', { verbose: 1 }],
  ['.ev', { link: true, verbose: 1 }],
  ['.nano', { nano: true }],
  ['.ifnames', {}],
  ['.ifnames.e', { link: true }],
];

/** NAME.pcap → NAME; NAME.pcapng keeps its extension (its texts are NAME.pcapng.txt). */
function baseName(file: string): string {
  return file.endsWith('.pcap') ? file.slice(0, -'.pcap'.length) : file;
}

/**
 * The interface names tcpdump resolved when the .ifnames files were written (inside the
 * recording namespace), read back from the -e text: `rh1   Out ifindex 9012 ...`.
 */
function ifNamesFrom(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of text.matchAll(/^\S+ (\S+)\s+\S+\s+ifindex (\d+) /gm)) names.set(Number(m[2]), m[1]);
  return names;
}

const captures = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort() : [];

describe('fixtures/decode', () => {
  it('has captures to check', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  for (const file of captures) {
    const base = baseName(file);
    for (const [suffix, opts] of VARIANTS) {
      const expectedPath = join(DIR, `${base}${suffix}.txt`);
      if (!existsSync(expectedPath)) continue;
      it(`${base}${suffix}.txt`, () => {
        const capture = readCapture(readFileSync(join(DIR, file)));
        const expected = readFileSync(expectedPath, 'utf8');
        const options: PrintOptions = { ...opts, timestamps: 'utc' };
        if (suffix.startsWith('.ifnames')) {
          const eText = join(DIR, `${base}.ifnames.e.txt`);
          const names = ifNamesFrom(readFileSync(eText, 'utf8'));
          options.ifName = (i) => names.get(i);
        }
        const state = createPrintState();
        const got = capture.frames.map((f) => formatFrame(f, options, state));
        const want = splitPackets(expected);
        const mismatches = got
          .map((text, i) => ({ packet: i + 1, want: want[i], got: text }))
          .filter((m) => m.want !== m.got);
        expect(mismatches).toEqual([]);
        expect(got.length).toBe(want.length);
        // Whole text, newline after every packet, as tcpdump writes it.
        expect(got.map((t) => `${t}\n`).join('')).toBe(expected);
      });
    }
  }
});
