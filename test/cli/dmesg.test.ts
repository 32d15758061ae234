// `dmesg` (src/cli/dmesg/) over the World's kernel log. Formats are util-linux 2.38.1's
// sys-utils/dmesg.c (print_record: "[%5ld.%06ld] ", "%-6s:%-6s: ", "<%d>[%5ld.%06ld] ", …);
// the option errors were checked against the real dmesg 2.38.1 (they fail while parsing
// options, before the log is read).
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/scenario/run.ts';
import { printk } from '../../src/kernel/kmsg.ts';
import { nfLogPacket } from '../../src/kernel/netfilter/log.ts';

/** A world with three records: warn at 1.234567 s, info and err (two lines) at 3.234567 s. */
function world3() {
  const { world, session } = openSession({ seed: 1 });
  world.clock.tick(1234.5678);
  printk(world, 4, 'FW: IN=veth1 OUT= SRC=10.0.0.1 ');
  world.clock.tick(2000);
  printk(world, 6, 'br0: port 1(vb1) entered blocking state');
  printk(world, 3, 'bad\x01thing\nsecond line');
  const run = async (cmd: string) => session.run(cmd);
  return { world, session, run };
}

describe('dmesg', () => {
  it('default: "[%5ld.%06ld] " then the text; control characters as \\xNN; continuation lines indented', async () => {
    const { run } = world3();
    const r = await run('dmesg');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      '[    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n' +
      '[    3.234567] br0: port 1(vb1) entered blocking state\n' +
      '[    3.234567] bad\\x01thing\n' +
      '               second line\n',
    );
  });

  it('the log is the machine\'s: the same inside ip netns exec', async () => {
    const { run } = world3();
    await run('ip netns add a');
    const inside = await run('ip netns exec a dmesg');
    const outside = await run('dmesg');
    expect(inside.stdout).toBe(outside.stdout);
    expect(inside.stdout).toContain('FW: IN=veth1');
  });

  it('-t, -l, -k, -u, -x, -r', async () => {
    const { run } = world3();
    expect((await run('dmesg -t -l warn,ERR')).stdout).toBe('FW: IN=veth1 OUT= SRC=10.0.0.1 \nbad\\x01thing\nsecond line\n');
    expect((await run('dmesg --notime --level=6')).stdout).toBe('br0: port 1(vb1) entered blocking state\n');
    expect((await run('dmesg -k -t -l info')).stdout).toBe('br0: port 1(vb1) entered blocking state\n');
    expect((await run('dmesg -u')).stdout).toBe('');
    expect((await run('dmesg -f kern,user -t -l 4')).stdout).toBe('FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    expect((await run('dmesg -x')).stdout).toBe(
      'kern  :warn  : [    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n' +
      'kern  :info  : [    3.234567] br0: port 1(vb1) entered blocking state\n' +
      'kern  :err   : [    3.234567] bad\\x01thing\n' +
      '                              second line\n',
    );
    expect((await run('dmesg -x -t -l warn')).stdout).toBe('kern  :warn  : FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    expect((await run('dmesg -r')).stdout).toBe(
      '<4>[    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n' +
      '<6>[    3.234567] br0: port 1(vb1) entered blocking state\n' +
      '<3>[    3.234567] bad\\x01thing\n' +
      '                  second line\n',
    );
    expect((await run('dmesg -r -l warn')).stdout).toBe('<4>[    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    // -p repeats the prefixes on every line of a multi-line record.
    expect((await run('dmesg -p -l err')).stdout).toBe('[    3.234567] bad\\x01thing\n[    3.234567] second line\n');
  });

  it('-T, -e/-H, -d, --time-format iso: the World\'s epoch (2025-01-01, UTC) is the boot time', async () => {
    const { run } = world3();
    expect((await run('dmesg -T -l warn')).stdout).toBe('[Wed Jan  1 00:00:01 2025] FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    // reltime starts from a zeroed struct tm: the first record is in minute 00:00 of day 0,
    // the same as the zeroed one, so it gets a delta (0 for the first), not a date.
    const rel = '[  +0.000000] FW: IN=veth1 OUT= SRC=10.0.0.1 \n[  +2.000000] br0: port 1(vb1) entered blocking state\n';
    expect((await run('dmesg -e -l warn,info')).stdout).toBe(rel);
    expect((await run('dmesg -H -l warn,info')).stdout).toBe(rel);
    expect((await run('dmesg -d -l warn,info')).stdout).toBe(
      '[    1.234567 <    0.000000>] FW: IN=veth1 OUT= SRC=10.0.0.1 \n[    3.234567 <    2.000000>] br0: port 1(vb1) entered blocking state\n',
    );
    expect((await run('dmesg --time-format=delta -l warn,info')).stdout).toBe(
      '[<    0.000000>] FW: IN=veth1 OUT= SRC=10.0.0.1 \n[<    2.000000>] br0: port 1(vb1) entered blocking state\n',
    );
    expect((await run('dmesg --time-format iso -l info')).stdout).toBe('2025-01-01T00:00:03,234567+00:00 br0: port 1(vb1) entered blocking state\n');
    expect((await run('dmesg -T -d -l info')).stdout).toBe('[Wed Jan  1 00:00:03 2025 <    0.000000>] br0: port 1(vb1) entered blocking state\n');
  });

  it('-e prints the date when the minute changes', async () => {
    const { world, session } = openSession({ seed: 1, epochMs: Date.UTC(2025, 5, 15, 12, 30, 0) });
    world.clock.tick(5000);
    printk(world, 4, 'one');
    world.clock.tick(12_500);
    printk(world, 4, 'two');
    world.clock.tick(60_000);
    printk(world, 4, 'three');
    expect((await session.run('dmesg -e')).stdout).toBe('[Jun15 12:30] one\n[ +12.500000] two\n[Jun15 12:31] three\n');
  });

  it('-J: JSON', async () => {
    const { run } = world3();
    expect((await run('dmesg -J -l warn,err')).stdout).toBe(
      '{\n   "dmesg": [\n      {\n         "pri": 4,\n         "time":     1.234567,\n         "msg": "FW: IN=veth1 OUT= SRC=10.0.0.1 "\n' +
      '      },{\n         "pri": 3,\n         "time":     3.234567,\n         "msg": "bad\\u0001thing\\nsecond line"\n      }\n   ]\n}\n',
    );
    expect((await run('dmesg -J -x -l info')).stdout).toBe(
      '{\n   "dmesg": [\n      {\n         "fac": "kern",\n         "pri": "info",\n         "time":     3.234567,\n         "msg": "br0: port 1(vb1) entered blocking state"\n      }\n   ]\n}\n',
    );
    expect((await run('dmesg -J -u')).stdout).toBe('');
  });

  it('--color=always: green time, brown subsystem, bold warnings', async () => {
    const { run } = world3();
    expect((await run('dmesg --color=always -l warn')).stdout).toBe(
      '\x1b[32m[    1.234567] \x1b[0m\x1b[33mFW: \x1b[0m\x1b[1mIN=veth1 OUT= SRC=10.0.0.1 \x1b[0m\n',
    );
    // auto (and -H): not a terminal, no colors.
    expect((await run('dmesg -L -l warn')).stdout).toBe('[    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
  });

  it('-c reads then clears, -C clears; an empty log with --raw and a filter is an error', async () => {
    const { world, run } = world3();
    expect((await run('dmesg -c -t -l warn')).stdout).toBe('FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    expect((await run('dmesg')).stdout).toBe('');
    // /dev/kmsg has nothing past the clear: dmesg falls back to syslog(2), where --raw cannot filter.
    const e = await run('dmesg -r -l warn');
    expect(e.status).toBe(1);
    expect(e.stderr).toBe('dmesg: --raw can be used together with --level or --facility only when reading messages from /dev/kmsg\n');
    expect((await run('dmesg -r')).status).toBe(0);
    world.clock.tick(1000);
    printk(world, 5, 'after');
    expect((await run('dmesg')).stdout).toBe('[    4.234567] after\n');
    const c = await run('dmesg -C');
    expect(c.status).toBe(0);
    expect(c.stdout).toBe('');
    expect((await run('dmesg')).stdout).toBe('');
  });

  it('-S reads the syslog(2) buffer: one prefix per line', async () => {
    const { run } = world3();
    expect((await run('dmesg -S -l err')).stdout).toBe('[    3.234567] bad\\x01thing\n[    3.234567] second line\n');
    expect((await run('dmesg -S -r')).stdout).toBe(
      '<4>[    1.234567] FW: IN=veth1 OUT= SRC=10.0.0.1 \n<6>[    3.234567] br0: port 1(vb1) entered blocking state\n<3>[    3.234567] bad\\x01thing\n<3>[    3.234567] second line\n',
    );
  });

  it('bad options: util-linux\'s messages and status 1', async () => {
    const { run } = world3();
    const cases: Array<[string, string]> = [
      ['dmesg --bogus', "dmesg: unrecognized option '--bogus'\nTry 'dmesg --help' for more information.\n"],
      ['dmesg -Z', "dmesg: invalid option -- 'Z'\nTry 'dmesg --help' for more information.\n"],
      ['dmesg -i', "Try 'dmesg --help' for more information.\n"],
      ['dmesg extra', "dmesg: bad usage\nTry 'dmesg --help' for more information.\n"],
      ['dmesg -l foo', "dmesg: unknown level 'foo'\n"],
      ['dmesg -l foo,warn', "dmesg: unknown level 'foo,warn'\n"],
      ['dmesg -l warn,foo', "dmesg: unknown level 'foo'\n"],
      ['dmesg -l 8', "dmesg: unknown level '8'\n"],
      ['dmesg -l ,warn', ''],
      ['dmesg -l 99999999999999999999', "dmesg: failed to parse level '99999999999999999999': Numerical result out of range\n"],
      ['dmesg -l', "dmesg: option requires an argument -- 'l'\nTry 'dmesg --help' for more information.\n"],
      ['dmesg --level', "dmesg: option '--level' requires an argument\nTry 'dmesg --help' for more information.\n"],
      ['dmesg -f foo', "dmesg: unknown facility 'foo'\n"],
      ['dmesg -f 12', "dmesg: unknown facility '12'\n"],
      ['dmesg -n 0', "dmesg: unknown level '0'\n"],
      ['dmesg --time-format bad', 'dmesg: unknown time format: bad\n'],
      ['dmesg -r -x', 'dmesg: mutually exclusive arguments: --raw --decode\n'],
      ['dmesg -x -r', 'dmesg: mutually exclusive arguments: --raw --decode\n'],
      ['dmesg -rt', 'dmesg: mutually exclusive arguments: --raw --notime\n'],
      ['dmesg -C -c', 'dmesg: mutually exclusive arguments: --clear --console-off --console-on --read-clear --console-level --raw\n'],
      ['dmesg -L=always -r', 'dmesg: mutually exclusive arguments: --color --raw\n'],
      ['dmesg --kernel=1', "dmesg: option '--kernel' doesn't allow an argument\nTry 'dmesg --help' for more information.\n"],
      ['dmesg --co', "dmesg: option '--co' is ambiguous; possibilities: '--color' '--console-level' '--console-off' '--console-on'\nTry 'dmesg --help' for more information.\n"],
      ['dmesg --color=bad', "dmesg: unsupported color mode: 'bad'\n"],
      ['dmesg -s abc', "dmesg: invalid buffer size argument: 'abc'\n"],
      ['dmesg -s -1', "dmesg: invalid buffer size argument: '-1': Numerical result out of range\n"],
      ['dmesg -s 99999999999', "dmesg: invalid buffer size argument: '99999999999': Numerical result out of range\n"],
      ['dmesg --since bad', 'dmesg: invalid time value "bad"\n'],
      ['dmesg -F /nonexistent', 'dmesg: cannot open /nonexistent: No such file or directory\n'],
    ];
    for (const [cmd, stderr] of cases) {
      const r = await run(cmd);
      expect({ cmd, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ cmd, status: 1, stdout: '', stderr });
    }
    // Unique prefixes of long options are accepted.
    expect((await run('dmesg --lev warn --not')).stdout).toBe('FW: IN=veth1 OUT= SRC=10.0.0.1 \n');
    expect((await run('dmesg -V')).stdout).toBe('dmesg from util-linux 2.38.1\n');
    expect((await run('dmesg --help')).stdout).toMatch(/^\nUsage:\n dmesg \[options\]\n/);
  });

  it('-w prints the log then new records until killed; -W only new ones', async () => {
    const out = { stdout: '', stderr: '' };
    const { world, session } = openSession({ seed: 1, onOutput: (st, t) => { out[st] += t; } });
    printk(world, 4, 'old');
    await session.run('dmesg -w -t &');
    await session.run('ip netns add x; ip netns exec x dmesg -W -x &');
    world.clock.tick(500);
    printk(world, 6, 'new');
    await session.run('kill %1; kill %2; wait');
    expect(out.stdout).toBe('old\nnew\nkern  :info  : [    0.500000] new\n');
    printk(world, 6, 'after');
    expect(out.stdout).not.toContain('after');
    expect(world.kmsg.listeners).toHaveLength(0);
  });

  it('a LOG line from the packet path, as dmesg prints it', async () => {
    const { world, session } = openSession({ seed: 1 });
    await session.run('ip netns add r\nip -n r link add veth1 type veth peer name veth2');
    const r = world.netns.get('r')!;
    world.clock.tick(42.25);
    const ip = [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 8, 0, 0, 0, 0, 7, 0, 1];
    const slot = world.net.pool.fromBytes(Uint8Array.from(ip));
    nfLogPacket(r, slot, 3, undefined, r.device('veth1'), undefined, undefined, 4, 0, 'out: ');
    world.net.pool.release(slot);
    expect((await session.run('ip netns exec r dmesg -x')).stdout).toBe(
      'kern  :warn  : [    0.042250] out: IN= OUT=veth1 SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 \n',
    );
  });
});
