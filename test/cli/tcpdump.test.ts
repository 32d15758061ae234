// `tcpdump` inside scripts: two namespaces joined by a veth pair, traffic made by the kernel
// itself (ipSendLocal: ARP resolution, the echo request, the peer's reply), and tcpdump's text,
// counts, pcap bytes, filters and errors as Debian's tcpdump 4.99.3 prints them (checked
// against the real one in nsl-td-* namespaces). TZ is UTC (vitest.config.ts); virtual time
// starts at 2025-01-01T00:00:00Z.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';
import { RawSocket } from '../../src/kernel/ipv4/raw.ts';
import { encodePcap, parseCapture, type WritableRecord } from '../../src/pcap/index.ts';
import { openSession, runScenario } from '../../src/scenario/run.ts';
import { emitIcmp } from '../../src/wire/index.ts';

const SETUP = `
ip netns add a
ip netns add b
ip -n a link add veth0 address 02:00:00:00:01:01 type veth peer name veth0 address 02:00:00:00:01:02 netns b
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set veth0 up
ip -n b link set veth0 up
`;

const tmp = mkdtempSync(join(tmpdir(), 'nslab-tcpdump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LISTENING = (dev: string, link = 'EN10MB (Ethernet)'): string =>
  `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${dev}, link-type ${link}, snapshot length 262144 bytes\n`;
const COUNTS = (captured: number, received: number): string =>
  `${captured} packet${captured === 1 ? '' : 's'} captured\n${received} packet${received === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`;

/** The two hosts in a session; `ping(seq, dst)` sends an echo request from a through the kernel. */
async function lab(cwd?: string) {
  const out = { stdout: '', stderr: '' };
  const { world, session } = openSession({ seed: 1, cwd, onOutput: (s, t) => { out[s] += t; } });
  await session.run(SETUP);
  const a = world.netns.get('a')!;
  const b = world.netns.get('b')!;
  // ping's socket, for the replies.
  new RawSocket(a, 1);
  const ping = (seq: number, dst = 0x0a000002): void => {
    const data = new Uint8Array(56).map((_, i) => i);
    const r = ipSendLocal(a, { dst, protocol: 1, tos: 0, payload: emitIcmp({ type: 8, code: 0, identifier: 0x1234, sequence: seq, data }) });
    expect(r.error).toBe(0);
  };
  /** The output since the last call. */
  const take = (): { stdout: string; stderr: string } => {
    const r = { ...out };
    out.stdout = out.stderr = '';
    return r;
  };
  const run = async (line: string): Promise<void> => {
    await session.run(line);
  };
  return { world, a, b, session, ping, take, run };
}

const ARP_REQ = 'ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28';
const ARP_REP = 'ARP, Reply 10.0.0.2 is-at 02:00:00:00:01:02, length 28';
const REQ = (seq: number): string => `IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 4660, seq ${seq}, length 64`;
const REP = (seq: number): string => `IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 4660, seq ${seq}, length 64`;

describe('tcpdump -i DEV', () => {
  it('prints both directions from the moment it starts, then a newline and the counts when killed', async () => {
    const l = await lab();
    l.ping(1);
    await l.run('ip netns exec a tcpdump -i veth0 -n &');
    expect(l.take()).toEqual({ stdout: '', stderr: LISTENING('veth0') });
    expect(l.a.device('veth0')!.taps).toHaveLength(1);
    l.ping(2);
    await l.run('sleep 1.5');
    l.ping(3);
    await l.run('kill %1; wait %1; echo "status $?"');
    expect(l.take()).toEqual({
      stdout: `00:00:00.000000 ${REQ(2)}\n00:00:00.000000 ${REP(2)}\n00:00:01.500000 ${REQ(3)}\n00:00:01.500000 ${REP(3)}\n\nstatus 0\n`,
      stderr: COUNTS(4, 4),
    });
    // Nothing listens any more: the device copies nothing.
    expect(l.a.device('veth0')!.taps).toHaveLength(0);
  });

  it('shows ARP, broadcasts and -e link headers as the receiving side sees them', async () => {
    const l = await lab();
    await l.run('ip netns exec b tcpdump -i veth0 -n -e &');
    l.ping(1);
    await l.run('kill %1');
    expect(l.take().stdout).toBe([
      `00:00:00.000000 02:00:00:00:01:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: ${ARP_REQ.slice(5)}`,
      `00:00:00.000000 02:00:00:00:01:02 > 02:00:00:00:01:01, ethertype ARP (0x0806), length 42: ${ARP_REP.slice(5)}`,
      `00:00:00.000000 02:00:00:00:01:01 > 02:00:00:00:01:02, ethertype IPv4 (0x0800), length 98: ${REQ(1).slice(3)}`,
      `00:00:00.000000 02:00:00:00:01:02 > 02:00:00:00:01:01, ethertype IPv4 (0x0800), length 98: ${REP(1).slice(3)}`,
      '', '',
    ].join('\n'));
  });

  it('filters what it prints and counts; -c N stops after N, the kernel counting the rest of the instant', async () => {
    const l = await lab();
    await l.run('ip netns exec a tcpdump -i veth0 -n icmp and src 10.0.0.2 &');
    await l.run('ip netns exec a tcpdump -i veth0 -c 3 -n &');
    expect(l.take().stderr).toBe(LISTENING('veth0') + LISTENING('veth0'));
    l.ping(1);
    await l.run('wait %2; echo "c: $?"; sleep 1');
    l.ping(2);
    await l.run('kill %1; wait %1');
    expect(l.take()).toEqual({
      // Both print as frames come: -c 3 takes the ARP exchange and the request, the filter the reply.
      stdout: [`00:00:00.000000 ${ARP_REQ}`, `00:00:00.000000 ${ARP_REP}`, `00:00:00.000000 ${REQ(1)}`, `00:00:00.000000 ${REP(1)}`, 'c: 0',
        `00:00:01.000000 ${REP(2)}`, '', ''].join('\n'),
      stderr: COUNTS(3, 4) + COUNTS(2, 2),
    });
  });

  it('-Q in, -v, -t, -tt, -ttt, -tttt, -ttttt and -# print as tcpdump does', async () => {
    const outputs: string[] = [];
    for (const flags of ['-Q in -v arp', '-t icmp', '-tt -# icmp', '-ttt icmp', '-tttt icmp', '-ttttt icmp']) {
      const l = await lab();
      await l.run(`ip netns exec a tcpdump -i veth0 -n ${flags} &`);
      l.ping(1);
      await l.run('sleep 2.25');
      l.ping(2);
      await l.run('kill %1; wait %1');
      outputs.push(l.take().stdout);
    }
    expect(outputs).toEqual([
      '00:00:00.000000 ARP, Ethernet (len 6), IPv4 (len 4), Reply 10.0.0.2 is-at 02:00:00:00:01:02, length 28\n\n',
      `${REQ(1)}\n${REP(1)}\n${REQ(2)}\n${REP(2)}\n\n`,
      `    1  1735689600.000000 ${REQ(1)}\n    2  1735689600.000000 ${REP(1)}\n    3  1735689602.250000 ${REQ(2)}\n    4  1735689602.250000 ${REP(2)}\n\n`,
      ` 00:00:00.000000 ${REQ(1)}\n 00:00:00.000000 ${REP(1)}\n 00:00:02.250000 ${REQ(2)}\n 00:00:00.000000 ${REP(2)}\n\n`,
      `2025-01-01 00:00:00.000000 ${REQ(1)}\n2025-01-01 00:00:00.000000 ${REP(1)}\n2025-01-01 00:00:02.250000 ${REQ(2)}\n2025-01-01 00:00:02.250000 ${REP(2)}\n\n`,
      ` 00:00:00.000000 ${REQ(1)}\n 00:00:00.000000 ${REP(1)}\n 00:00:02.250000 ${REQ(2)}\n 00:00:02.250000 ${REP(2)}\n\n`,
    ]);
  });

  it('makes its device promiscuous while it runs, unless -p, as `ip -d link` shows', async () => {
    const l = await lab();
    const promiscuity = async (): Promise<string> => {
      l.take();
      await l.run('ip -n a -d link show veth0');
      return /promiscuity (\d+)/.exec(l.take().stdout)?.[1] ?? '?';
    };
    await l.run('ip netns exec a tcpdump -i veth0 -n &');
    expect(await promiscuity()).toBe('1');
    await l.run('ip netns exec a tcpdump -i veth0 -p -n & ip netns exec a tcpdump -i any -n &');
    expect(await promiscuity()).toBe('1');
    await l.run('kill %1');
    expect(await promiscuity()).toBe('0');
    await l.run('ip -n a link show veth0');
    expect(l.take().stdout).toContain('<BROADCAST,MULTICAST,UP,LOWER_UP>');
  });

  it('-w writes a classic pcap (µs, link type 1, snaplen 262144) of the frames as they were on the wire', async () => {
    const l = await lab(tmp);
    const wire: WritableRecord[] = [];
    l.a.device('veth0')!.taps.push((f, _d, _dev, t) => wire.push({ tsSec: Math.floor(t / 1000), tsNsec: (t % 1000) * 1e6, data: f.slice() }));
    await l.run('ip netns exec a tcpdump -i veth0 -w cap.pcap -U &');
    expect(l.take().stderr).toBe('tcpdump: listening on veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');
    l.ping(1);
    await l.run('sleep 0.25');
    l.ping(2);
    await l.run('kill %1; wait %1');
    expect(l.take()).toEqual({ stdout: '', stderr: COUNTS(6, 6) });
    const file = new Uint8Array(readFileSync(join(tmp, 'cap.pcap')));
    expect(Buffer.from(file.subarray(0, 24)).toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + '00000400' + '01000000');
    // The first record: 2025-01-01T00:00:00Z, 0 µs, 42 bytes, the broadcast ARP request.
    expect(Buffer.from(file.subarray(24, 24 + 16 + 42)).toString('hex')).toBe(
      '80857467' + '00000000' + '2a000000' + '2a000000' +
      'ffffffffffff020000000101080600010800060400010200000001010a000001000000000000' + '0a000002');
    const recs = parseCapture(file).records;
    expect(recs.map((r) => [r.tsSec - 1735689600, r.tsNsec / 1000, r.data.length])).toEqual([
      [0, 0, 42], [0, 0, 42], [0, 0, 98], [0, 0, 98], [0, 250000, 98], [0, 250000, 98],
    ]);
    expect(file).toEqual(encodePcap(wire));
  });

  it('-s cuts frames to the snapshot length; the printed line shows the truncation', async () => {
    const l = await lab(tmp);
    await l.run('ip netns exec a tcpdump -i veth0 -s 40 -w short.pcap icmp &');
    await l.run('ip netns exec a tcpdump -i veth0 -s 40 -n icmp &');
    l.ping(1);
    await l.run('kill %1 %2; wait');
    const recs = parseCapture(new Uint8Array(readFileSync(join(tmp, 'short.pcap')))).records;
    expect(recs.map((r) => [r.data.length, r.originalLength])).toEqual([[40, 98], [40, 98]]);
    const { stdout, stderr } = l.take();
    expect(stderr).toContain('snapshot length 40 bytes\n');
    // As tcpdump -s 40 prints a 98-byte echo: 6 bytes of ICMP are not enough for its line.
    expect(stdout).toBe('00:00:00.000000 IP 10.0.0.1 > 10.0.0.2:  [|icmp]\n00:00:00.000000 IP 10.0.0.2 > 10.0.0.1:  [|icmp]\n\n');
  });
});

describe('tcpdump -i lo and -i any', () => {
  it('sees each loopback packet once, while the kernel filter counts both copies', async () => {
    const l = await lab();
    await l.run('ip netns exec a tcpdump -i lo -n -e &');
    l.ping(1, 0x0a000001);
    await l.run('kill %1');
    expect(l.take()).toEqual({
      stdout: '00:00:00.000000 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 98: 10.0.0.1 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 64\n' +
        '00:00:00.000000 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 98: 10.0.0.1 > 10.0.0.1: ICMP echo reply, id 4660, seq 1, length 64\n\n',
      stderr: LISTENING('lo') + COUNTS(2, 4),
    });
  });

  it('-i any: Linux cooked v2 from every device of the namespace, with interface and direction', async () => {
    const l = await lab(tmp);
    await l.run('ip netns exec a tcpdump -i any -n &');
    await l.run('ip netns exec a tcpdump -i any -w any.pcap &');
    expect(l.take().stderr).toBe('tcpdump: data link type LINUX_SLL2\n' + LISTENING('any', 'LINUX_SLL2 (Linux cooked v2)') +
      'tcpdump: data link type LINUX_SLL2\ntcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n');
    l.ping(1);
    l.ping(2, 0x0a000001);
    await l.run('kill %1 %2; wait');
    expect(l.take()).toEqual({
      stdout: [
        `00:00:00.000000 veth0 Out ${ARP_REQ}`, `00:00:00.000000 veth0 In  ${ARP_REP}`,
        `00:00:00.000000 veth0 Out ${REQ(1)}`, `00:00:00.000000 veth0 In  ${REP(1)}`,
        '00:00:00.000000 lo    In  IP 10.0.0.1 > 10.0.0.1: ICMP echo request, id 4660, seq 2, length 64',
        '00:00:00.000000 lo    In  IP 10.0.0.1 > 10.0.0.1: ICMP echo reply, id 4660, seq 2, length 64', '', '',
      ].join('\n'),
      stderr: COUNTS(6, 8) + COUNTS(6, 8),
    });
    const recs = parseCapture(new Uint8Array(readFileSync(join(tmp, 'any.pcap')))).records;
    expect(recs.map((r) => r.linkType)).toEqual([276, 276, 276, 276, 276, 276]);
    // protocol, reserved, ifindex, ARPHRD_ETHER, PACKET_OUTGOING, halen, source MAC + padding.
    expect(Buffer.from(recs[0].data.subarray(0, 20)).toString('hex')).toBe('08060000000000020001040602000000' + '01010000');
    // lo: ARPHRD_LOOPBACK (772), PACKET_HOST, zero address.
    expect(Buffer.from(recs[4].data.subarray(0, 20)).toString('hex')).toBe('08000000000000010304000600000000' + '00000000');
  });

  it('picks the best device without -i (an up, running, numbered one), or any with cooked v1', async () => {
    const l = await lab();
    await l.run('ip netns exec a tcpdump -n & ip netns add c; ip netns exec c tcpdump -n -e &');
    l.ping(1);
    await l.run('kill %1 %2; wait');
    const { stdout, stderr } = l.take();
    expect(stderr).toBe(LISTENING('veth0') + LISTENING('any', 'LINUX_SLL (Linux cooked v1)') + COUNTS(4, 4) + COUNTS(0, 0));
    expect(stdout.split('\n')[0]).toBe(`00:00:00.000000 ${ARP_REQ}`);
  });
});

describe('tcpdump errors', () => {
  it('reports bad devices, filters, options and files as tcpdump does, with its exit status', async () => {
    const l = await lab();
    const cases: Array<[string, string, number]> = [
      ['tcpdump -i veth9', 'tcpdump: veth9: No such device exists\n(No such device exists)\n', 1],
      ['ip link add d0 type veth peer name d1; tcpdump -i d0', 'tcpdump: d0: That device is not up\n', 1],
      ['tcpdump -i veth0 icmp and', "tcpdump: can't parse filter expression: syntax error\n", 1],
      ['tcpdump -i veth0 host 1.2.3.4.5', "tcpdump: unknown host '1.2.3.4.5'\n", 1],
      ['tcpdump -i veth0 ip and not ip', 'tcpdump: expression rejects all packets\n', 1],
      ['tcpdump -i any vlan', 'tcpdump: data link type LINUX_SLL2\ntcpdump: no VLAN support for Linux cooked v2\n', 1],
      ['tcpdump -i veth0 -c 0', 'tcpdump: invalid packet count 0\n', 1],
      ['tcpdump -i veth0 -s 262145', 'tcpdump: invalid snaplen 262145 (must be >= 0 and <= 262144)\n', 1],
      ['tcpdump -i veth0 -Q sideways', "tcpdump: unknown capture direction `sideways'\n", 1],
      ['tcpdump -i veth0 -w /nonexistent-nslab-dir/x.pcap', 'tcpdump: /nonexistent-nslab-dir/x.pcap: No such file or directory\n', 1],
    ];
    for (const [cmd, stderr, status] of cases) {
      l.take();
      await l.run(`ip netns exec a sh -c '${cmd}'; echo "status $?"`);
      expect({ cmd, ...l.take() }).toEqual({ cmd, stdout: `status ${status}\n`, stderr });
    }
    await l.run('tcpdump -i; echo "status $?"');
    const usage = l.take();
    expect(usage.stdout).toBe('status 1\n');
    expect(usage.stderr).toMatch(/^tcpdump: option requires an argument -- 'i'\ntcpdump version 4\.99\.3\n[^]*\t\t\[ -z postrotate-command \] \[ -Z user \] \[ expression \]\n$/);
    await l.run('tcpdump --n; echo "status $?"');
    expect(l.take().stderr.split('\n')[0]).toBe("tcpdump: option '--n' is ambiguous; possibilities: '--nano' '--no-optimize' '--no-promiscuous-mode' '--number'");
  });

  it('ends with status 1 when its device goes away, as libpcap reports it', async () => {
    const l = await lab();
    await l.run('ip netns exec a tcpdump -i veth0 -n &');
    await l.run('ip -n b link del veth0; wait %1; echo "status $?"');
    expect(l.take()).toEqual({
      stdout: 'status 1\n',
      stderr: LISTENING('veth0') + 'tcpdump: pcap_loop: The interface disappeared\n' + COUNTS(0, 0),
    });
  });

  it('is stopped by the end of the script like the other background jobs, and killed silently by SIGKILL', async () => {
    const r = await runScenario(`${SETUP}ip netns exec a tcpdump -i veth0 -n &\nip netns exec b tcpdump -i veth0 &\nkill -9 %2; wait %2; echo "killed $?"\n`, { seed: 1 });
    expect(r.stdout).toBe('killed 137\n\n');
    expect(r.stderr).toBe(LISTENING('veth0') + LISTENING('veth0') + COUNTS(0, 0));
    expect(r.status).toBe(0);
  });
});
