// nstat and cat read the emulated kernel's counters and files, not the machine's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run.ts';
import { ipSendLocal } from '../../src/kernel/ipv4/output.ts';
import { emitIcmp } from '../../src/wire/index.ts';

const SETUP = `
ip netns add a
ip netns add b
ip -n a link add veth0 type veth peer name veth0 netns b
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link set veth0 up
ip -n b link set veth0 up
`;

describe('nstat and cat /proc', () => {
  it('shows every counter with -az, in nstat\'s layout, and the non-zero ones without -z', async () => {
    const { world } = await runScenario(SETUP);
    const a = world.netns.get('a')!;
    for (let seq = 1; seq <= 3; seq++) {
      ipSendLocal(a, { dst: 0x0a000002, protocol: 1, payload: emitIcmp({ type: 8, code: 0, identifier: 1, sequence: seq, data: new Uint8Array(56) }) });
    }
    const r = await runScenarioOn(world, 'ip netns exec a nstat -a\nip netns exec a nstat -az | wc -l\nip netns exec a cat /proc/net/snmp | head -2');
    expect(r).toBe(
      '#kernel\n' +
      'IpInReceives                    3                  0.0\n' +
      'IpInDelivers                    3                  0.0\n' +
      'IpOutRequests                   3                  0.0\n' +
      'IpOutTransmits                  3                  0.0\n' +
      'IcmpInMsgs                      3                  0.0\n' +
      'IcmpInEchoReps                  3                  0.0\n' +
      'IcmpOutMsgs                     3                  0.0\n' +
      'IcmpOutEchos                    3                  0.0\n' +
      'IcmpMsgInType0                  3                  0.0\n' +
      'IcmpMsgOutType8                 3                  0.0\n' +
      'IpExtInOctets                   252                0.0\n' +
      'IpExtOutOctets                  252                0.0\n' +
      'IpExtInNoECTPkts                3                  0.0\n' +
      '393\n' +
      'Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits\n' +
      'Ip: 2 64 3 0 0 0 0 0 3 3 0 0 0 0 0 0 0 0 0 3\n',
    );
  });

  it('reads sysctls and device files of the namespace, and real files relative to the script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-cat-'));
    writeFileSync(join(dir, 'note.txt'), 'hello\n');
    const r = await runScenario(SETUP + 'ip netns exec a sysctl -qw net.ipv4.ip_forward=1\nip netns exec a cat /proc/sys/net/ipv4/ip_forward /sys/class/net/veth0/mtu note.txt\ncat /proc/nosuch; echo $?\n', { cwd: dir });
    expect(r.stdout).toBe('1\n1500\nhello\n1\n');
    expect(r.stderr).toBe('cat: /proc/nosuch: No such file or directory\n');
  });
});

async function runScenarioOn(world: import('../../src/kernel/world.ts').World, script: string): Promise<string> {
  const { ShellSession } = await import('../../src/scenario/shell/index.ts');
  const { commandsFor } = await import('../../src/scenario/commands.ts');
  const s = new ShellSession({ clock: world.clock, commands: commandsFor(world) });
  return (await s.run(script)).stdout;
}
