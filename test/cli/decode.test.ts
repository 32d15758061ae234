// `nslab decode` end to end: the CLI's output for every fixture equals tcpdump's recorded text,
// errors name the file, record and byte offset, and everything read before an error is printed.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFiles, type DecodeOptions } from '../../src/cli/decode.ts';

const DIR = new URL('../../fixtures/decode/', import.meta.url).pathname;

function run(files: string[], opts: DecodeOptions = {}): { out: string; err: string; status: number } {
  let out = '';
  let err = '';
  const status = decodeFiles(files, opts, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { out, err, status };
}

const FLAGS: Array<[string, DecodeOptions]> = [
  ['txt', {}],
  ['e.txt', { link: true }],
  ['v.txt', { verbose: 1 }],
  ['ev.txt', { link: true, verbose: 1 }],
];

describe('nslab decode', () => {
  const captures = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
  for (const file of captures) {
    const base = join(DIR, file.replace(/\.pcap$/, ''));
    it(`prints ${file} as tcpdump -n [-e] [-v] does`, () => {
      for (const [suffix, opts] of FLAGS) {
        const want = `${base}.${suffix}`;
        if (!existsSync(want)) continue;
        const got = run([join(DIR, file)], opts);
        expect(got.status).toBe(0);
        expect(got.out).toBe(readFileSync(want, 'utf8'));
      }
      const stderr = `${base}.stderr.txt`;
      if (existsSync(stderr)) {
        // tcpdump names the file as given on its command line: compare with the same path.
        const got = run([file.startsWith('/') ? file : join(DIR, file)]);
        expect(got.err.replace(join(DIR, file), file)).toBe(readFileSync(stderr, 'utf8'));
      }
    });
  }

  it('prints JSON records with every decoded layer', () => {
    const got = run([join(DIR, 'icmp-echo.pcap')], { json: true });
    const lines = got.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ index: 0, linkType: 1, capturedLength: 42, arp: { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' } });
    expect(lines[2]).toMatchObject({ ipv4: { src: '10.0.0.1', dst: '10.0.0.2', df: true, checksumValid: true }, icmp: { type: 8, sequence: 1, checksumValid: true } });
    expect(got.err).toBe('');
  });

  it('prints what it read before a broken record, then names file, record and offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const whole = readFileSync(join(DIR, 'icmp-echo.pcap'));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, 100));
    const got = run([cut]);
    expect(got.status).toBe(1);
    expect(got.out.split('\n')[0]).toMatch(/ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28$/);
    expect(got.err).toContain(`nslab decode: ${cut}: record 1 at byte 82: captured length 42 runs past end of file (2 bytes left)`);
  });

  it('exits 1 with a clear message for a missing file or a wrong magic, and goes on to the next file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'not a capture file at all');
    const got = run([join(dir, 'missing.pcap'), junk, join(DIR, 'udp.pcap')]);
    expect(got.status).toBe(1);
    expect(got.err).toContain(`nslab decode: ${join(dir, 'missing.pcap')}: No such file or directory`);
    expect(got.err).toContain(`nslab decode: ${junk}: record 0 at byte 0: unknown magic number 0x6e6f7420`);
    expect(got.out).toBe(readFileSync(join(DIR, 'udp.txt'), 'utf8'));
  });
});
