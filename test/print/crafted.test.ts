// Hand-made frames (test/print/gen-crafted.py) against what the real tcpdump 4.99.3 printed for
// them: every protocol branch, malformed and cut-short variants, every cut length of a few
// frames and a fixed set of random mutants. Regenerate with `python3 test/print/gen-crafted.py`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPrintState, formatFrame, type PrintOptions } from '../../src/print/index.ts';
import { splitPackets } from './capture.ts';

interface CraftedCase {
  name: string;
  linkType: number;
  tsBase: number;
  frames: { hex: string; len: number }[];
  /** tcpdump's output per flag set ('' = -n, 'e', 'v', 'ev', 'vv', 'evvv'). */
  text: Record<string, string>;
}

const FLAGS: Record<string, PrintOptions> = {
  '': {},
  e: { link: true },
  v: { verbose: 1 },
  ev: { link: true, verbose: 1 },
  vv: { verbose: 2 },
  evvv: { link: true, verbose: 3 },
};

/**
 * Protocols tcpdump decodes that this printer does not (it shows them as tcpdump shows data
 * it has no printer for): frames whose expected text shows one of these are only checked not
 * to throw.
 */
const NOT_DECODED: ReadonlyArray<readonly [RegExp, string]> = [
  [/GREv|\[\|gre\]/, 'GRE'],
  [/: sctp|\[\|sctp\]/, 'SCTP'],
  [/dccp/i, 'DCCP'],
  [/CDPv|\[\|cdp\]/, 'Cisco CDP'],
  [/IPX|\[\|ipx\]/, 'IPX'],
  [/LLDP/, 'LLDP'],
  [/\[\|ip6\]|IP6 /, 'IPv6'],
  [/igmp dvmrp [^[]|igmp dvmrp \[type|\[\|dvmrp\]/, 'DVMRP'],
  [/igmp pimv1 ./, 'PIMv1'],
  [/mptcp [^0[]|mptcp \[\|/, 'MPTCP options'],
  [/IPComp/, 'IPComp'],
  [/ igrp: /, 'IGRP'],
];

/** The SLL2 ifindex → name lookup of the machine the expected text was made on. */
const hostIfName = (i: number): string | undefined => (i === 1 ? 'lo' : undefined);

const cases = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'crafted.json'), 'utf8')) as CraftedCase[];

describe('crafted frames', () => {
  for (const c of cases) {
    for (const [flag, text] of Object.entries(c.text)) {
      it(`${c.name} -n${flag ? ` -${flag}` : ''}`, () => {
        const want = splitPackets(text);
        const state = createPrintState();
        const options: PrintOptions = { ...FLAGS[flag], timestamps: 'utc', ifName: hostIfName };
        const mismatches: { frame: number; hex: string; want: string; got: string }[] = [];
        c.frames.forEach((f, i) => {
          const frame = {
            data: Uint8Array.from(Buffer.from(f.hex, 'hex')),
            linkType: c.linkType,
            originalLength: f.len,
            tsSec: c.tsBase + i,
            tsNsec: ((i * 1000 + 7) % 1000000) * 1000,
          };
          const got = formatFrame(frame, options, state);
          const w = want[i] ?? '';
          if (got !== w && !NOT_DECODED.some(([re]) => re.test(w))) mismatches.push({ frame: i, hex: f.hex, want: w, got });
        });
        expect(mismatches).toEqual([]);
        expect(want.length).toBe(c.frames.length);
      });
    }
  }
});
