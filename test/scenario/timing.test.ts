// Timer-driven frames come at the kernel's times: the ARP retries of an unresolved neighbour
// (three broadcasts 1 s apart, then the host-unreachable errors for every queued packet at
// about 3 s) and the DELAY→PROBE unicast probe about 5 s after a neighbour was last confirmed.
// Compared with the recordings' own time stamps (relative to each capture's first frame).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCapture, type CaptureRecord } from '../../src/pcap/index.ts';
import { runScenario } from '../../src/scenario/run.ts';

const DIR = new URL('../../fixtures/scenarios/', import.meta.url);

function times(records: CaptureRecord[]): number[] {
  const t0 = records[0].tsSec + records[0].tsNsec / 1e9;
  return records.map((r) => r.tsSec + r.tsNsec / 1e9 - t0);
}

async function compare(name: string, capture: string, tolerance: number): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'nslab-timing-'));
  try {
    await runScenario(readFileSync(new URL(`${name}/script.sh`, DIR), 'utf8'), { seed: 1, pcapDir: out });
    const want = parseCapture(new Uint8Array(readFileSync(new URL(`${name}/${capture}`, DIR)))).records;
    const got = parseCapture(new Uint8Array(readFileSync(join(out, capture)))).records;
    expect(got.length).toBe(want.length);
    const [tw, tg] = [times(want), times(got)];
    tw.forEach((t, i) => expect(Math.abs(tg[i] - t), `${capture} frame ${i}: ${tg[i].toFixed(3)} s vs ${t.toFixed(3)} s`).toBeLessThan(tolerance));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('timer-driven frames at the kernel\'s times', () => {
  it('host-unreachable: ARP retries 1 s apart, errors at about 3 s (router side)', async () => {
    await compare('host-unreachable', 'nsl-sc-r1_veth2.pcap', 0.1);
    await compare('host-unreachable', 'nsl-sc-r1_veth1.pcap', 0.1);
  });

  it('veth-ping: the unicast probe about 5 s after the last confirmation', async () => {
    await compare('veth-ping', 'nsl-sc-h2_veth0.pcap', 0.5);
  });
});
