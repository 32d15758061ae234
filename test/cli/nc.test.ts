// nc (src/cli/nc/) against the real netcat-openbsd 1.219-1 on Linux 6.18: the sessions in
// test/cli/nc-fixtures (recorded by record.sh there) are replayed line by line in nslab (stdout,
// stderr, exit status), and the frames each namespace's veth0 saw are compared byte for byte with
// the recorded captures, masking only the IPv4 IDs (the socket's random inet_id and the hashed
// ident counters) and the checksums that cover them. Clients use fixed source ports (-p), so no
// ephemeral port needs masking.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession, runScenario } from '../../src/scenario/run.ts';
import { openRunCapture } from '../../src/scenario/capture.ts';
import { parseCapture } from '../../src/pcap/reader.ts';
import { parseFixture } from './fixture-replay.ts';
import { strtonum } from '../../src/cli/nc/index.ts';

const DIR = join(import.meta.dirname, 'nc-fixtures');
const SETUP = readFileSync(join(DIR, 'setup.sh'), 'utf8');
const CASES = readdirSync(DIR).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();

/** Frames as hex with the IPv4 ID (and the IPv4/ICMP checksums covering it, quoted IDs too) masked. */
function masked(frames: Uint8Array[]): string[] {
  return frames.map((f) => {
    const b = f.slice();
    if (b.length >= 34 && b[12] === 0x08 && b[13] === 0x00) {
      b.fill(0, 18, 20);
      b.fill(0, 24, 26);
      const hl = (b[14] & 0x0f) * 4;
      if (b[23] === 1 && b.length >= 14 + hl + 8 + 20) {
        const t = b[14 + hl];
        if (t === 3 || t === 11 || t === 12) {
          b.fill(0, 14 + hl + 2, 14 + hl + 4);
          const q = 14 + hl + 8;
          b.fill(0, q + 4, q + 6);
          b.fill(0, q + 10, q + 12);
        }
      }
    }
    return Buffer.from(b).toString('hex');
  });
}

function frames(path: string): Uint8Array[] {
  return parseCapture(new Uint8Array(readFileSync(path)), path).records.map((r) => r.data);
}

describe('nc sessions recorded on the real kernel', () => {
  for (const name of CASES) {
    it(name, async () => {
      const fx = parseFixture(join(DIR, `${name}.txt`));
      const out = mkdtempSync(join(tmpdir(), 'nslab-nc-'));
      try {
        const { world, session } = openSession({ seed: 1 });
        const cap = openRunCapture(world, { pcapDir: out })!;
        try {
          const s = await session.run(SETUP);
          expect(s.status, s.stderr).toBe(0);
          for (const step of fx.steps) {
            const r = await session.run(step.command);
            expect({ line: step.line, stdout: r.stdout, stderr: r.stderr, status: r.status })
              .toEqual({ line: step.line, stdout: step.stdout, stderr: step.stderr, status: step.status });
          }
          await session.run('sleep 1');
        } finally {
          cap.close();
        }
        for (const ns of ['nsl-udp-a', 'nsl-udp-b']) {
          const got = frames(join(out, `${ns}_veth0.pcap`));
          const want = frames(join(DIR, `${name}.${ns}.pcap`));
          expect(masked(got), `${name} ${ns}`).toEqual(masked(want));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

const TWO = SETUP;

describe('nc', () => {
  it('parses numbers as libbsd strtonum', () => {
    expect(strtonum('80', 1, 65535)).toBe(80);
    expect(strtonum(' +7', 1, 65535)).toBe(7);
    expect(strtonum('0', 1, 65535)).toBe('too small');
    expect(strtonum('99999', 1, 65535)).toBe('too large');
    expect(strtonum('8x', 1, 65535)).toBe('invalid');
    expect(strtonum('', 1, 65535)).toBe('invalid');
  });

  it('without -u says TCP is not emulated', async () => {
    const r = await runScenario(TWO + 'ip netns exec nsl-udp-a nc 10.0.0.2 80\n', { seed: 1 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('nc: TCP is not emulated by nslab yet (only UDP, with -u)\n');
  });

  it('runs deterministically in virtual time: a pipe into a client, a listener under timeout in the background', async () => {
    const script = TWO + `
ip netns exec nsl-udp-b timeout 3 nc -u -l -p 80 &
S=$!
sleep 1
echo hi | ip netns exec nsl-udp-a nc -u -w1 10.0.0.2 80
echo client=$?
wait $S
echo server=$?
ip netns exec nsl-udp-b nstat -a Udp*
`;
    const a = await runScenario(script, { seed: 7 });
    const b = await runScenario(script, { seed: 7 });
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('hi\nclient=0\nserver=124\n');
    expect(a.stdout).toMatch(/UdpInDatagrams +1 /);
    expect(a.world.now()).toBeGreaterThanOrEqual(3000);
  });

  it('an unbound client gets an ephemeral port from ip_local_port_range', async () => {
    const { session, world } = openSession({ seed: 3 });
    await session.run(TWO);
    await session.run('ip netns exec nsl-udp-a sysctl -qw net.ipv4.ip_local_port_range="40000 40000"');
    await session.run('ip netns exec nsl-udp-b timeout 2 nc -u -l -p 9999 &');
    await session.run('sleep 0.5');
    const ns = world.netns.get('nsl-udp-b')!;
    const sk = ns.udp.byPort.get(9999)![0];
    await session.run('echo x | ip netns exec nsl-udp-a nc -u -q0 10.0.0.2 9999');
    expect(sk.rport).toBe(40000);
    expect(sk.raddr).toBe(0x0a000001);
    await session.run('wait');
  });

  it('-q N exits N seconds after the end of stdin, with status 0; -w cuts it short', async () => {
    const { session, world } = openSession({ seed: 1 });
    await session.run(TWO);
    const t0 = world.now();
    const r = await session.run('echo x | ip netns exec nsl-udp-a nc -u -q2 10.0.0.2 9999; echo st=$?');
    expect(r.stdout).toBe('st=0\n');
    // Even after a port unreachable (POLLERR) the quit timer runs (recorded: 2.01 s).
    expect(world.now() - t0).toBe(2000);
    await session.run('ip netns exec nsl-udp-b timeout 5 nc -u -l -k -p 9999 &');
    const t1 = world.now();
    const r2 = await session.run('echo x | ip netns exec nsl-udp-a nc -u -q2 10.0.0.2 9999; echo st=$?');
    expect(r2.stdout).toBe('x\nst=0\n');
    expect(world.now() - t1).toBe(2000);
    const t2 = world.now();
    await session.run('echo x | ip netns exec nsl-udp-a nc -u -q2 -w1 10.0.0.2 9999');
    expect(world.now() - t2).toBe(1000);
    await session.run('wait');
  });

  it('prints the help with -h', async () => {
    const r = await runScenario('nc -h\n', { seed: 1 });
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('OpenBSD netcat (Debian patchlevel 1.219-1)');
    expect(r.stderr).toContain('\t\t-W recvlimit\tTerminate after receiving a number of packets\n');
  });
});
