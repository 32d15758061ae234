// `nslab run --pcap-dir DIR` / `--pcapng FILE` (src/scenario/capture.ts): one file per
// (namespace, interface name), every device tapped from its registration on, frames written as
// they happen, files closed at the end of the run even when it fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';
import { parseCapture } from '../../src/pcap/index.ts';
import { RunCapture } from '../../src/scenario/capture.ts';
import { openSession, runScenario } from '../../src/scenario/run.ts';
import { emitIcmp } from '../../src/wire/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'nslab-capture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const frames = (path: string) => parseCapture(new Uint8Array(readFileSync(path))).records;
const echo = (dst: number, seq: number) => ({
  dst, protocol: 1, tos: 0, payload: emitIcmp({ type: 8, code: 0, identifier: 7, sequence: seq, data: new Uint8Array(8) }),
});

describe('--pcap-dir', () => {
  it('writes <netns>_<ifname>.pcap per interface; a moved or renamed device continues in the file of its new name', async () => {
    const dir = join(tmp, 'moves');
    const { world, session } = openSession({ seed: 1 });
    const cap = new RunCapture(world, { pcapDir: dir, pcapng: join(tmp, 'moves.pcapng') });
    await session.run(`
ip netns add a
ip link add v0 type veth peer name v1
ip link set v1 netns a
ip addr add 10.9.0.1/24 dev v0
ip link set v0 up
ip -n a addr add 10.9.0.2/24 dev v1
ip -n a link set v1 up
ip -n a link set lo up
`);
    ipSendLocal(world.host, echo(0x0a090002, 1));
    await session.run('ip -n a link set v1 down; ip -n a link set v1 name eth0; ip -n a link set eth0 up; ip -n a addr add 10.9.0.2/24 dev eth0');
    ipSendLocal(world.host, echo(0x0a090002, 2));
    await session.run('ip link add v9 type veth peer name v10; ip link set v9 name v11');
    await session.close();
    cap.close();
    expect(readdirSync(dir).sort()).toEqual([
      'a_eth0.pcap', 'a_lo.pcap', 'a_v1.pcap', 'host_lo.pcap', 'host_v0.pcap', 'host_v1.pcap', 'host_v10.pcap', 'host_v11.pcap', 'host_v9.pcap',
    ]);
    // ARP request and reply, echo request and reply; the same again after the rename (v1 went
    // down for it, v0 lost its carrier and with it its neighbours).
    expect(frames(join(dir, 'host_v0.pcap')).map((r) => r.data.length)).toEqual([42, 42, 50, 50, 42, 42, 50, 50]);
    expect(frames(join(dir, 'a_v1.pcap')).map((r) => r.data.length)).toEqual([42, 42, 50, 50]);
    expect(frames(join(dir, 'a_eth0.pcap')).map((r) => r.data.length)).toEqual([42, 42, 50, 50]);
    for (const f of ['host_v1.pcap', 'host_lo.pcap', 'a_lo.pcap', 'host_v9.pcap', 'host_v11.pcap']) {
      expect(readFileSync(join(dir, f)), f).toHaveLength(24);
    }
    const ng = parseCapture(new Uint8Array(readFileSync(join(tmp, 'moves.pcapng'))));
    expect(ng.interfaces.map((i) => i.name)).toEqual([
      'host/lo', 'a/lo', 'host/v1', 'host/v0', 'a/v1', 'a/eth0', 'host/v10', 'host/v9', 'host/v11',
    ]);
    expect(ng.records.map((r) => ng.interfaces[r.interfaceId].name)).toEqual([
      'host/v0', 'a/v1', 'a/v1', 'host/v0', 'host/v0', 'a/v1', 'a/v1', 'host/v0',
      'host/v0', 'a/eth0', 'a/eth0', 'host/v0', 'host/v0', 'a/eth0', 'a/eth0', 'host/v0',
    ]);
    // Nothing stays attached once the capture is closed.
    for (const ns of world.allNs()) for (const dev of ns.deviceList()) expect(dev.taps).toHaveLength(0);
  });

  it('closes every file when the run fails', async () => {
    const dir = join(tmp, 'fails');
    const run = runScenario('ip netns add a\nip -n a link set lo up\nsleep infinity\n', { pcapDir: dir, pcapng: join(tmp, 'fails.pcapng') });
    await expect(run).rejects.toThrow(/command never finished/);
    expect(readdirSync(dir).sort()).toEqual(['a_lo.pcap', 'host_lo.pcap']);
    expect(readFileSync(join(dir, 'a_lo.pcap'))).toHaveLength(24);
    expect(parseCapture(new Uint8Array(readFileSync(join(tmp, 'fails.pcapng')))).interfaces.map((i) => i.name)).toEqual(['host/lo', 'a/lo']);
  });
});

describe('nslab run --pcap-dir --pcapng', () => {
  it('writes the same frames into both: one pcap per interface, one pcapng interface per device', () => {
    const bin = fileURLToPath(new URL('../../bin/nslab.js', import.meta.url));
    const script = fileURLToPath(new URL('../../fixtures/scenarios/veth-ping/script.sh', import.meta.url));
    const dir = join(tmp, 'bin');
    const ng = join(tmp, 'bin.pcapng');
    const r = spawnSync(process.execPath, [bin, 'run', '--pcap-dir', dir, '--pcapng', ng, script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const all = parseCapture(new Uint8Array(readFileSync(ng)));
    const names = all.interfaces.map((i) => i.name!);
    expect(names).toEqual(['host/lo', 'nsl-sc-h1/lo', 'nsl-sc-h2/lo', 'nsl-sc-h2/veth0', 'nsl-sc-h1/veth0']);
    for (const [i, name] of names.entries()) {
      const file = join(dir, `${name.replace('/', '_')}.pcap`);
      expect(existsSync(file), file).toBe(true);
      const one = frames(file).map((f) => [f.tsSec, f.tsNsec, Buffer.from(f.data).toString('hex')]);
      expect(all.records.filter((f) => f.interfaceId === i).map((f) => [f.tsSec, f.tsNsec, Buffer.from(f.data).toString('hex')]), name).toEqual(one);
    }
    expect(frames(join(dir, 'nsl-sc-h1_veth0.pcap'))).toHaveLength(14);
    const bad = spawnSync(process.execPath, [bin, 'run', '--pcapng', join(script, 'x.pcapng'), script], { encoding: 'utf8' });
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 1, stderr: `nslab run: ${join(script, 'x.pcapng')}: Not a directory\n` });
  });
});
