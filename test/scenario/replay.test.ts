// The real-kernel scenarios (fixtures/scenarios/*/script.sh) replayed with
// `nslab run --pcap-dir DIR`: every recorded `<netns>_<ifname>.pcap` must be nslab's, frame by
// frame and byte by byte, with only the fields fixtures/scenarios/README.md calls volatile
// masked (record time stamps, IPv4 and ICMP checksums, ping's 16 timestamp bytes, in quoted
// packets too). IPv4 IDs and ICMP echo identifiers are compared by which packets share them
// (numbered in order of first appearance per capture, 0 kept as 0: the always-zero IDs stay
// exact). nslab's own checksums are verified instead of compared. A scenario whose script needs a command nslab
// does not have yet is skipped, with the command named in the test's name.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tools } from '../../src/cli/registry.ts';
import { parseCapture, type CaptureRecord } from '../../src/pcap/index.ts';
import { formatFrame } from '../../src/print/index.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { BUILTINS } from '../../src/scenario/shell/builtins.ts';
import { DEFAULT_EXTERNALS } from '../../src/scenario/shell/index.ts';
import { checksumOk } from '../../src/wire/index.ts';

const DIR = new URL('../../fixtures/scenarios/', import.meta.url);
const scenarios = readdirSync(DIR).filter((d) => existsSync(new URL(`${d}/script.sh`, DIR))).sort();
const tmpRoot = mkdtempSync(join(tmpdir(), 'nslab-replay-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** The commands a script runs: each line's first word, and what `ip netns exec NS` runs. */
function commandsOf(script: string): string[] {
  const names = new Set<string>();
  for (const line of script.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] === '' || w[0].startsWith('#')) continue;
    names.add(w[0]);
    if (w[0] === 'ip' && w[1] === 'netns' && w[2] === 'exec' && w[4] !== undefined) names.add(w[4]);
  }
  return [...names];
}

const known = (name: string): boolean => tools.has(name) || BUILTINS.has(name) || DEFAULT_EXTERNALS.includes(name);

const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** Where the volatile fields of an Ethernet frame are, read from the recorded frame. */
interface Volatile {
  /** Bytes compared as zero: checksums, ping's time stamps. */
  zero: number[];
  /** Offsets of 16-bit IPv4 IDs (outer and quoted). */
  ipIds: number[];
  /** Offsets of 16-bit ICMP echo identifiers (outer and quoted). */
  echoIds: number[];
}

function volatileFields(b: Uint8Array): Volatile {
  const v: Volatile = { zero: [], ipIds: [], echoIds: [] };
  const span = (from: number, n: number): void => {
    for (let i = from; i < from + n && i < b.length; i++) v.zero.push(i);
  };
  const ip = (o: number): void => {
    if (o + 20 > b.length || b[o] >> 4 !== 4) return;
    const ihl = (b[o] & 15) * 4;
    v.ipIds.push(o + 4);
    span(o + 10, 2);
    const fragOffset = ((b[o + 6] & 0x1f) << 8) | b[o + 7];
    if (b[o + 9] !== 1 || fragOffset !== 0) return;
    const icmp = o + ihl;
    if (icmp + 4 > b.length) return;
    span(icmp + 2, 2);
    const type = b[icmp];
    if (type === 0 || type === 8) {
      if (icmp + 6 <= b.length) v.echoIds.push(icmp + 4);
      span(icmp + 8, 16);
    } else if (ICMP_ERRORS.has(type)) {
      ip(icmp + 8);
    }
  };
  if (b.length >= 14 && b[12] === 0x08 && b[13] === 0x00) ip(14);
  return v;
}

/**
 * Numbers the values of a random field in order of first appearance in one capture (0 stays
 * 0): what must match is which packets share a value (fragments of one datagram, a forwarded
 * packet, the packet an error quotes, the probes of one ping), not the value.
 */
class Classes {
  private readonly seen = new Map<number, number>();
  of(value: number): number {
    if (value === 0) return 0;
    let c = this.seen.get(value);
    if (c === undefined) this.seen.set(value, (c = this.seen.size + 1));
    return c;
  }
}

function masked(b: Uint8Array, v: Volatile, ipIds: Classes, echoIds: Classes): Uint8Array {
  const c = b.slice();
  for (const i of v.zero) if (i < c.length) c[i] = 0;
  for (const [offsets, classes] of [[v.ipIds, ipIds], [v.echoIds, echoIds]] as const) {
    for (const o of offsets) {
      if (o + 2 > c.length) continue;
      const k = classes.of((b[o] << 8) | b[o + 1]);
      c[o] = k >> 8;
      c[o + 1] = k & 0xff;
    }
  }
  return c;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** nslab's checksums must be right: IPv4 headers (outer and quoted) and whole ICMP messages. */
function checksumProblems(b: Uint8Array): string[] {
  const bad: string[] = [];
  const ip = (o: number, what: string): void => {
    if (o + 20 > b.length || b[o] >> 4 !== 4) return;
    const ihl = (b[o] & 15) * 4;
    if (o + ihl > b.length) return;
    if (!checksumOk(b, o, ihl)) bad.push(`${what} IPv4 header checksum`);
    const total = (b[o + 2] << 8) | b[o + 3];
    const fragmented = (b[o + 6] & 0x3f) !== 0 || b[o + 7] !== 0;
    if (b[o + 9] !== 1 || fragmented || o + total > b.length) return;
    if (!checksumOk(b, o + ihl, total - ihl)) bad.push(`${what} ICMP checksum`);
    if (ICMP_ERRORS.has(b[o + ihl])) ip(o + ihl + 8, 'quoted');
  };
  if (b.length >= 14 && b[12] === 0x08 && b[13] === 0x00) ip(14, 'outer');
  return bad;
}

interface FrameView {
  captured: number;
  original: number;
  /** tcpdump -n -e text of the masked frame (for a readable diff). */
  text: string;
  hex: string;
}

function view(rec: CaptureRecord, data: Uint8Array): FrameView {
  const text = formatFrame({ ...rec, data }, { link: true, timestamps: 'none' });
  return { captured: rec.data.length, original: rec.originalLength, text, hex: hex(data) };
}

function read(path: string): { header: Uint8Array; records: CaptureRecord[] } {
  const bytes = new Uint8Array(readFileSync(path));
  return { header: bytes.subarray(0, 24), records: parseCapture(bytes, path).records };
}

describe('fixtures/scenarios replayed with --pcap-dir', () => {
  for (const name of scenarios) {
    const script = readFileSync(new URL(`${name}/script.sh`, DIR), 'utf8');
    const missing = commandsOf(script).filter((c) => !known(c));
    const recorded = readdirSync(new URL(`${name}/`, DIR)).filter((f) => f.endsWith('.pcap')).sort();
    if (missing.length > 0) {
      it.skip(`${name} (skipped: nslab has no ${missing.join(', ')} yet)`, () => {});
      continue;
    }
    it(`${name}: ${recorded.length} captures`, async () => {
      const out = join(tmpRoot, name);
      await runScenario(script, { seed: 1, file: `${name}/script.sh`, pcapDir: out });
      const written = readdirSync(out).sort();
      // nslab captures the host namespace too (the recorder did not): nothing may happen there.
      for (const f of written.filter((f) => !recorded.includes(f))) {
        expect(f, `${name}: nslab wrote ${f}, which the recording has not`).toMatch(/^host_/);
        expect(read(join(out, f)).records, `${name}/${f}`).toEqual([]);
      }
      for (const file of recorded) {
        expect(written, `${name}: nslab wrote no ${file}`).toContain(file);
        const want = read(new URL(`${name}/${file}`, DIR).pathname);
        const got = read(join(out, file));
        expect(hex(got.header), `${name}/${file}: file header`).toBe(hex(want.header));
        const n = Math.min(want.records.length, got.records.length);
        const problems: string[] = [];
        for (let i = 0; i < got.records.length; i++) {
          for (const p of checksumProblems(got.records[i].data)) problems.push(`frame ${i + 1}: ${p}`);
          if (i > 0 && got.records[i].tsSec * 1e9 + got.records[i].tsNsec < got.records[i - 1].tsSec * 1e9 + got.records[i - 1].tsNsec) {
            problems.push(`frame ${i + 1}: time stamp goes backwards`);
          }
        }
        expect(problems, `${name}/${file}: nslab's frames`).toEqual([]);
        const fields = want.records.map((r) => volatileFields(r.data));
        const views = (records: CaptureRecord[]): FrameView[] => {
          const ipIds = new Classes();
          const echoIds = new Classes();
          return records.map((r, i) => view(r, masked(r.data, i < n ? fields[i] : volatileFields(r.data), ipIds, echoIds)));
        };
        const wantView = views(want.records);
        const gotView = views(got.records);
        expect(gotView, `${name}/${file}: frames (volatile fields zeroed)`).toEqual(wantView);
      }
    });
  }
});
