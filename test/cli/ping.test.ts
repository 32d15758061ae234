// ping: the formatting helpers (reply times, %g loss, mdev, the statistics block), the command
// line and its errors, local errors from the kernel, signals, and what goes on the wire.
import { describe, expect, it } from 'vitest';
import { openSession, runScenario } from '../../src/scenario/run.ts';
import {
  exitStatus, formatG, formatLoss, formatStatistics, formatTriptime, icmpText, llsqrt, rttAvgMdev, type PingTotals,
} from '../../src/cli/ping-report.ts';
import { inetAton } from '../../src/cli/ping.ts';
import { strtod } from '../../src/cli/ping-args.ts';
import { readFileSync } from 'node:fs';

const TWO_HOSTS = `
ip netns add a
ip netns add b
ip -n a link set lo up
ip -n b link set lo up
ip -n a link add veth0 address 02:00:00:00:01:01 type veth peer name veth0 address 02:00:00:00:01:02 netns b
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link set veth0 up
ip -n b link set veth0 up
`;

async function run(script: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const r = await runScenario(TWO_HOSTS + script, { seed: 1 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const totals: PingTotals = {
  hostname: '10.0.0.2', transmitted: 3, received: 3, repeats: 0, checksum: 0, errors: 0, elapsedUs: 2026_400, timing: true,
  tmin: 64, tmax: 862, tsum: 263 + 64 + 862, tsum2: 263 * 263 + 64 * 64 + 862 * 862, pipesize: 1, interval: 1000,
  flood: false, adaptive: false, rtt: 0,
};

describe('ping formatting', () => {
  it('prints reply times with three significant digits, then whole milliseconds', () => {
    expect(formatTriptime(0)).toBe('0.000');
    expect(formatTriptime(84)).toBe('0.084');
    expect(formatTriptime(999)).toBe('0.999');
    expect(formatTriptime(1000)).toBe('1.00');
    expect(formatTriptime(1234)).toBe('1.23');
    expect(formatTriptime(9994)).toBe('9.99');
    expect(formatTriptime(9995)).toBe('10.0');
    expect(formatTriptime(12345)).toBe('12.3');
    expect(formatTriptime(99949)).toBe('99.9');
    expect(formatTriptime(99950)).toBe('100');
    expect(formatTriptime(123456)).toBe('123');
  });

  it('prints the loss as C %g of a float', () => {
    expect(formatLoss(3, 3)).toBe('0');
    expect(formatLoss(1, 0)).toBe('100');
    expect(formatLoss(3, 2)).toBe('33.3333');
    expect(formatLoss(3, 1)).toBe('66.6667');
    expect(formatLoss(8, 7)).toBe('12.5');
    expect(formatLoss(7, 6)).toBe('14.2857');
    expect(formatG(1e-5)).toBe('1e-05');
    expect(formatG(1234567)).toBe('1.23457e+06');
    expect(formatG(0.0001)).toBe('0.0001');
    expect(formatG(100000)).toBe('100000');
  });

  it('computes avg and mdev as finish() does (integer µs, Newton square root)', () => {
    expect(llsqrt(0)).toBe(0);
    // Its loop stops one step late: 15 gives 4, as iputils' llsqrt does.
    expect(llsqrt(15)).toBe(4);
    expect(llsqrt(17)).toBe(4);
    expect(llsqrt(16)).toBe(4);
    expect(llsqrt(1_000_000)).toBe(1000);
    // The recorded 0.064/0.396/0.862/0.339 (veth-ping) from its three times.
    expect(rttAvgMdev(263 + 64 + 862, 263 * 263 + 64 * 64 + 862 * 862, 3)).toEqual({ avg: 396, mdev: 339 });
    expect(rttAvgMdev(159, 159 * 159, 1)).toEqual({ avg: 159, mdev: 0 });
  });

  it('prints the statistics block', () => {
    expect(formatStatistics(totals)).toBe(
      '\n--- 10.0.0.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 2026ms\n' +
      'rtt min/avg/max/mdev = 0.064/0.396/0.862/0.339 ms\n');
    expect(formatStatistics({ ...totals, received: 0, errors: 3, pipesize: 3, elapsedUs: 2000_000 })).toBe(
      '\n--- 10.0.0.2 ping statistics ---\n3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms\npipe 3\n');
    expect(formatStatistics({ ...totals, received: 2, repeats: 1, pipesize: 2 })).toContain(
      '3 packets transmitted, 2 received, +1 duplicates, 33.3333% packet loss, time 2026ms\nrtt min/avg/max/mdev = 0.064/0.396/0.862/0.339 ms, pipe 2\n');
    expect(formatStatistics({ ...totals, received: 0, timing: false })).toMatch(/100% packet loss, time 2026ms\n\n$/);
    expect(formatStatistics({ ...totals, interval: 0, rtt: 8 * 300, elapsedUs: 4000 })).toContain('ms, ipg/ewma 2.000/0.300 ms\n');
  });

  it('gives exit status 1 for no reply, or fewer than -c within a deadline', () => {
    expect(exitStatus(3, 0, 3)).toBe(0);
    expect(exitStatus(0, 0, 3)).toBe(1);
    expect(exitStatus(2, 5, 3)).toBe(1);
    expect(exitStatus(2, 5, 0)).toBe(0);
  });

  it('names ICMP errors as pr_icmph does', () => {
    expect(icmpText(3, 1, 0)).toBe('Destination Host Unreachable\n');
    expect(icmpText(3, 4, 1000)).toBe('Frag needed and DF set (mtu = 1000)\n');
    expect(icmpText(3, 13, 0)).toBe('Packet filtered\n');
    expect(icmpText(3, 99, 0)).toBe('Dest Unreachable, Bad Code: 99\n');
    expect(icmpText(11, 0, 0)).toBe('Time to live exceeded\n');
    expect(icmpText(5, 1, 0, '10.0.0.3')).toBe('Redirect Host(New nexthop: 10.0.0.3)\n');
    expect(icmpText(12, 0, 20)).toBe('Parameter problem: pointer = 20\n');
  });

  it('reads destinations as inet_aton and numbers as strtod', () => {
    expect(inetAton('10.0.0.2')).toBe(0x0a000002);
    expect(inetAton('10.1')).toBe(0x0a000001);
    expect(inetAton('0x7f.1')).toBe(0x7f000001);
    expect(inetAton('010.0.0.1')).toBe(0x08000001);
    expect(inetAton('10.0.0.256')).toBeUndefined();
    expect(inetAton('host')).toBeUndefined();
    expect(strtod('0.5')).toEqual({ value: 0.5, end: 3, range: false });
    expect(strtod('1e999').range).toBe(true);
    expect(strtod('abc').end).toBe(0);
    expect(strtod('2x')).toEqual({ value: 2, end: 1, range: false });
  });
});

describe('ping command line', () => {
  it('needs a destination (exit 1)', async () => {
    expect(await run('ip netns exec a ping')).toEqual({ status: 1, stdout: '', stderr: 'ping: usage error: Destination address required\n' });
  });

  it('prints the usage after a bad option (exit 2)', async () => {
    const r = await run('ip netns exec a ping -x 10.0.0.2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ping: invalid option -- 'x'\n\nUsage\n  ping \[options\] <destination>\n/);
    expect(r.stderr).toMatch(/For more details see ping\(8\)\.\n$/);
    expect((await run('ip netns exec a ping 10.0.0.2 -c')).stderr).toMatch(/^ping: option requires an argument -- 'c'\n\nUsage/);
    expect((await run('ip netns exec a ping -h')).status).toBe(2);
  });

  it('checks numbers as strtol_or_err does (exit 1)', async () => {
    expect(await run('ip netns exec a ping -c x 10.0.0.2')).toEqual({ status: 1, stdout: '', stderr: "ping: invalid argument: 'x'\n" });
    expect((await run('ip netns exec a ping -c 0 10.0.0.2')).stderr)
      .toBe("ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n");
    expect((await run('ip netns exec a ping -t 256 10.0.0.2')).stderr).toBe("ping: invalid argument: '256': out of range: 0 <= value <= 255\n");
    expect((await run('ip netns exec a ping -s 99999999999999999999 10.0.0.2')).stderr)
      .toBe("ping: invalid argument: '99999999999999999999': Numerical result out of range\n");
  });

  it('rejects other bad values with exit 2', async () => {
    expect(await run('ip netns exec a ping -M probe 10.0.0.2')).toEqual({ status: 2, stdout: '', stderr: 'ping: invalid -M argument: probe\n' });
    expect((await run('ip netns exec a ping -Q 300 10.0.0.2')).stderr).toBe('ping: the decimal value of TOS bits must be in range 0-255: 300\n');
    expect((await run('ip netns exec a ping -Q 0xzz 10.0.0.2')).stderr).toBe('ping: bad TOS value: 0xzz\n');
    expect((await run('ip netns exec a ping -W -1 10.0.0.2')).stderr).toBe('ping: bad linger time: -1\n');
    expect((await run('ip netns exec a ping -i inf 10.0.0.2')).stderr).toBe('ping: bad timing interval: inf: Numerical result out of range\n');
    expect((await run('ip netns exec a ping -p 12zz 10.0.0.2')).stderr).toBe('ping: patterns must be specified as hex digits: zz\n');
    expect((await run('ip netns exec a ping -c 1 nosuchhost')).stderr).toBe('ping: nosuchhost: Name or service not known\n');
    expect((await run('ip netns exec a ping -R 10.0.0.2')).stderr).toBe('ping: option -R (record route): not supported by nslab\n');
  });

  it('only warns about garbage after an interval', async () => {
    const r = await run('ip netns exec a ping -c 1 -i 1x 10.0.0.2');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('ping: option argument contains garbage: x\nping: this will become fatal error in the future\n');
  });

  it('takes options after the destination (GNU getopt permutes)', async () => {
    const r = await run('ip netns exec a ping 10.0.0.2 -c 2 -q');
    expect(r.stdout).toBe('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n\n--- 10.0.0.2 ping statistics ---\n' +
      '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\nrtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n');
  });
});

describe('ping against the kernel', () => {
  it('reports route errors of the connect probe (exit 2, nothing sent)', async () => {
    expect(await run('ip netns exec a ping -c 1 10.9.9.9')).toEqual({ status: 2, stdout: '', stderr: 'ping: connect: Network is unreachable\n' });
    const routes = `ip -n a route add unreachable 10.7.0.0/16
ip -n a route add prohibit 10.8.0.0/16
ip -n a route add blackhole 10.9.0.0/16
`;
    expect((await run(`${routes}ip netns exec a ping -c 1 10.7.0.1`)).stderr).toBe('ping: connect: No route to host\n');
    expect((await run(`${routes}ip netns exec a ping -c 1 10.8.0.1`)).stderr)
      .toBe('ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
    expect((await run(`${routes}ip netns exec a ping -c 1 -b 10.8.0.1`)).stderr)
      .toBe('WARNING: pinging broadcast address\nping: connect: Permission denied\n');
    expect((await run(`${routes}ip netns exec a ping -c 1 10.9.0.1`)).stderr).toBe('ping: connect: Invalid argument\n');
    expect((await run('ip netns exec a ping -c 1 10.0.0.255')).stderr)
      .toBe('ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
  });

  it('binds to a device or a source address with -I', async () => {
    expect(await run('ip netns exec a ping -c 1 -I nosuch 10.0.0.2')).toEqual({ status: 2, stdout: '', stderr: 'ping: SO_BINDTODEVICE nosuch: No such device\n' });
    expect((await run('ip netns exec a ping -c 1 -I 10.0.0.9 10.0.0.2')).stderr).toBe('ping: bind: Cannot assign requested address\n');
    const r = await run('ip netns exec a ping -c 1 -I 10.0.0.1 10.0.0.2');
    expect(r.stdout).toMatch(/^PING 10.0.0.2 \(10.0.0.2\) from 10.0.0.1 : 56\(84\) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.000 ms\n/);
    const lo = await run('ip netns exec a ping -c 1 -I lo 10.0.0.2');
    expect(lo.stderr).toBe('ping: Warning: source address might be selected on device other than: lo\n');
  });

  it('prints no times for a payload shorter than a timeval, and an empty line for the missing rtt', async () => {
    const r = await run('ip netns exec a ping -c 1 -s 8 10.0.0.2');
    expect(r.stdout).toBe('PING 10.0.0.2 (10.0.0.2) 8(36) bytes of data.\n16 bytes from 10.0.0.2: icmp_seq=1 ttl=64\n\n' +
      '--- 10.0.0.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n');
  });

  it('reports the MTU of a datagram too large to send', async () => {
    const r = await run('ip netns exec a ping -c 2 -M do -s 1473 10.0.0.2');
    expect(r.stderr).toBe('ping: local error: message too long, mtu=1500\nping: local error: message too long, mtu=1500\n');
    expect(r.stdout).toContain('2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms\n\n');
    expect(r.status).toBe(1);
    expect((await run('ip netns exec a ping -c 1 -s 65508 10.0.0.2')).stderr).toBe('ping: local error: message too long, mtu=1500\n');
    expect((await run('ip netns exec a ping -c 1 -q -M do -s 2000 10.0.0.2')).stdout).toContain('1 packets transmitted, 0 received, 100% packet loss');
  });

  it('stops at the -w deadline, and at the first error with one', async () => {
    const r = await run('ip netns exec a ping -w 3 10.0.0.2');
    expect(r.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n');
    expect(r.status).toBe(0);
    const e = await run('ip netns exec a ping -w 9 10.0.0.99');
    expect(e.stdout).toBe('PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.\nFrom 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n\n' +
      '--- 10.0.0.99 ping statistics ---\n4 packets transmitted, 0 received, +1 errors, 100% packet loss, time 3000ms\npipe 4\n');
    expect(e.status).toBe(1);
    const u = await run('ip netns exec a ping -c 2 -w 2 10.0.0.99');
    expect(u.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss, time 1000ms\n');
    expect(u.status).toBe(1);
  });

  it('pings itself over lo, 0.0.0.0 as 127.0.0.1, and localhost by name', async () => {
    expect((await run('ip netns exec a ping -c 1 10.0.0.1')).stdout).toContain('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64');
    expect((await run('ip netns exec a ping -c 1 0.0.0.0')).stdout).toMatch(/^PING 0.0.0.0 \(127.0.0.1\) 56\(84\) bytes of data.\n64 bytes from 127.0.0.1:/);
    const l = await run('ip netns exec a ping -c 1 localhost');
    expect(l.stdout).toMatch(/^PING localhost \(127.0.0.1\) 56\(84\) bytes of data.\n64 bytes from localhost \(127.0.0.1\): icmp_seq=1/);
    expect(l.stdout).toContain('--- localhost ping statistics ---');
  });

  it('gets its own broadcast back (ip_mc_output loops it) when broadcasts are answered', async () => {
    const r = await run(`ip netns exec a sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
ip netns exec b sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
ip netns exec a ping -c 2 -b 10.0.0.255`);
    expect(r.stdout).toBe('PING 10.0.0.255 (10.0.0.255) 56(84) bytes of data.\n' +
      '64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.000 ms\n' +
      '64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.000 ms\n\n--- 10.0.0.255 ping statistics ---\n' +
      '2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 1000ms\nrtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n');
    expect(r.stderr).toBe('WARNING: pinging broadcast address\n');
  });

  it('leaves the counters the recordings show (looped broadcast, forwarded datagram that was too big)', async () => {
    const { world } = await runScenario(`${TWO_HOSTS}ip netns exec a ping -c 1 -b 10.0.0.255`, { seed: 1 });
    const a = world.netns.get('a')!.inet.snmp.byName();
    // Its own broadcast echo comes back to the sender, which ignores it as an error.
    expect([a.get('IpInReceives'), a.get('IcmpInEchos'), a.get('IcmpInErrors'), a.get('IpExtInBcastPkts')]).toEqual([1, 1, 1, 1]);
    const script = readFileSync(new URL('../../fixtures/scenarios/frag-needed/script.sh', import.meta.url), 'utf8');
    const r = await runScenario(script, { seed: 1 });
    const r1 = r.world.netns.get('nsl-sc-r1')!.inet.snmp.byName();
    expect([r1.get('IpForwDatagrams'), r1.get('IpFragFails')]).toEqual([1, 1]);
  });

  it('prints -D timestamps and -O outstanding probes', async () => {
    const r = await run('ip netns exec a ping -c 2 -D -O 10.0.0.99');
    expect(r.stdout).toContain('[1735689601.000000] no answer yet for icmp_seq=1\n');
    const d = await run('ip netns exec a ping -c 1 -D 10.0.0.2');
    expect(d.stdout).toMatch(/\n\[1735689600\.000000\] 64 bytes from 10\.0\.0\.2/);
  });

  it('prints the statistics on SIGINT, and nothing more on SIGTERM', async () => {
    const int = await run('ip netns exec a ping 10.0.0.2 &\nsleep 2.5\nkill -INT $!\nwait $!\necho "status $?"');
    expect(int.stdout).toContain('64 bytes from 10.0.0.2: icmp_seq=3 ttl=64');
    expect(int.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss, time 2000ms\n');
    expect(int.stdout).toMatch(/status 0\n$/);
    const term = await run('ip netns exec a ping 10.0.0.2 &\nsleep 2.5\nkill $!\nwait $!\necho "status $?"');
    expect(term.stdout).not.toContain('statistics');
    expect(term.stdout).toMatch(/icmp_seq=3 ttl=64 time=0.000 ms\nstatus 143\n$/);
  });

  it('sends what iputils sends: ident, seq, timeval, pattern, TOS, TTL, DF and ID', async () => {
    const { world, session } = openSession({ seed: 1 });
    await session.run(TWO_HOSTS);
    const frames: Uint8Array[] = [];
    world.netns.get('a')!.device('veth0')!.taps.push((f, dir) => { if (dir === 4 && f[12] === 8 && f[13] === 0) frames.push(f.slice()); });
    await session.run('ip netns exec a ping -c 2 -s 20 -p ab -Q 0x28 -t 9 10.0.0.2');
    await session.run('ip netns exec a ping -c 1 -M do 10.0.0.2');
    await session.run('ip netns exec a ping -c 1 -M dont -e 4660 10.0.0.2');
    expect(frames).toHaveLength(4);
    const [f1, f2, f3, f4] = frames;
    expect(f1.length).toBe(14 + 20 + 8 + 20);
    expect(f1[15]).toBe(0x28); // TOS
    expect(f1[22]).toBe(9); // TTL
    expect(f1[20] & 0x40).toBe(0x40); // DF (pmtudisc want)
    expect((f1[18] << 8) | f1[19]).not.toBe(0); // ID from the counter
    expect(f1[34]).toBe(8);
    expect((f1[38] << 8) | f1[39]).toBe((f2[38] << 8) | f2[39]); // one ident per run
    expect([(f1[40] << 8) | f1[41], (f2[40] << 8) | f2[41]]).toEqual([1, 2]);
    // struct timeval, little-endian 64-bit fields: 2025-01-01T00:00:00Z, then one second later.
    const sec = (f: Uint8Array) => f[42] | (f[43] << 8) | (f[44] << 16) | (f[45] << 24);
    expect(sec(f2) - sec(f1)).toBe(1);
    expect([...f1.subarray(58, 62)]).toEqual([0xab, 0xab, 0xab, 0xab]);
    expect(f3[20] & 0x40).toBe(0x40);
    expect((f3[18] << 8) | f3[19]).toBe(0); // -M do: ID 0
    expect([...f3.subarray(58, 98)]).toEqual([...Array(40).keys()].map((i) => i + 16));
    expect(f4[20] & 0x40).toBe(0); // -M dont
    expect((f4[38] << 8) | f4[39]).toBe(4660); // -e
  });
});
