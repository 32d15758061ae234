// The `nslab` binary as users run it (bin/nslab.js through tsx): subcommands, exit codes, errors.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/nslab.js', import.meta.url).pathname;

function nslab(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/nslab.js', () => {
  it('runs a script with `run` and exits with its status', () => {
    const r = nslab(['run', 'fixtures/scripts/walkthrough.sh']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('peer_ifindex: 3');
  });

  it('reads commands from standard input with `shell`', () => {
    const r = nslab(['shell', '--seed', '5'], 'ip netns add q\nip netns list\nexit 3\n');
    expect(r.stdout).toBe('q\n');
    expect(r.status).toBe(3);
  });

  it('names the script and line of an unsupported construct', () => {
    const r = nslab(['run', '-'], 'echo one\nselect x in a b; do echo $x; done\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nslab: line 2: unsupported shell construct');
  });

  it('decodes a capture with `decode`', () => {
    const r = nslab(['decode', 'fixtures/decode/udp.pcap']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('reading from file fixtures/decode/udp.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
    expect(r.stdout.split('\n')[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.\d+: UDP, length \d+$/);
  });

  it('rejects a bad --seed and an unknown subcommand with status 2', () => {
    expect(nslab(['run', '--seed', 'x', 'fixtures/scripts/walkthrough.sh']).status).toBe(2);
    expect(nslab(['frobnicate']).status).toBe(2);
  });
});
