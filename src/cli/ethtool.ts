// `ethtool` 6.1 as it answers for the devices nslab has (veth, loopback): settings (plain),
// -i, -S, -k, -l, -P, -T, -g, with its messages and exit codes for failures.
import type { NetDevice } from '../kernel/device.ts';
import { Veth } from '../kernel/veth.ts';
import type { Tool } from './tool.ts';

const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n';
const NO_DEVICE_NL = 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n';

type Mode = 'settings' | 'driver' | 'stats' | 'features' | 'channels' | 'permaddr' | 'tstamp' | 'ring';

const MODES: Record<string, Mode> = {
  '-i': 'driver', '--driver': 'driver', '-S': 'stats', '--statistics': 'stats', '-k': 'features', '--show-features': 'features',
  '--show-offload': 'features', '-l': 'channels', '--show-channels': 'channels', '-P': 'permaddr', '--show-permaddr': 'permaddr',
  '-T': 'tstamp', '--show-time-stamping': 'tstamp', '-g': 'ring', '--show-ring': 'ring',
};

interface Result {
  out?: string;
  err?: string;
  status: number;
}

export const ethtool: Tool = (ctx) => {
  const args = ctx.argv.slice(1);
  const r = run(args, (name) => ctx.ns.device(name));
  if (r.out) ctx.io.out(r.out);
  if (r.err) ctx.io.err(r.err);
  return r.status;
};

function run(args: string[], lookup: (name: string) => NetDevice | undefined): Result {
  if (args[0] === '--version' || args[0] === '-V') return { out: 'ethtool version 6.1\n', status: 0 };
  let mode: Mode = 'settings';
  let opt = '';
  if (args[0] !== undefined && args[0].startsWith('-')) {
    opt = args.shift()!;
    const m = MODES[opt];
    if (!m) return { err: BAD_ARGS, status: 1 };
    mode = m;
  }
  const name = args.shift();
  if (name === undefined) return { err: BAD_ARGS, status: 1 };
  if (mode !== 'settings' && args.length) return { err: `ethtool (${opt}): unknown parameter '${args[0]}'\n`, status: 1 };
  const dev = lookup(name);
  switch (mode) {
    case 'settings':
      if (!dev) return { out: 'No data available\n', err: NO_DEVICE_NL.repeat(5), status: 75 };
      return { out: settings(dev), status: 0 };
    case 'driver':
      if (!dev) return { err: 'Cannot get driver information: No such device\n', status: 71 };
      if (!dev.driver) return { err: 'Cannot get driver information: Operation not supported\n', status: 71 };
      return { out: driverInfo(dev), status: 0 };
    case 'stats':
      if (!dev) return { err: 'Cannot get stats strings information: No such device\n', status: 96 };
      if (!(dev instanceof Veth)) return { err: 'no stats available\n', status: 94 };
      return { out: vethStats(dev), status: 0 };
    case 'features':
      if (!dev) return { err: NO_DEVICE_NL, status: 1 };
      return { out: `Features for ${dev.name}:\n${dev.kind === 'loopback' ? LO_FEATURES : VETH_FEATURES}`, status: 0 };
    case 'channels':
      if (!dev) return { err: NO_DEVICE_NL, status: 1 };
      if (!(dev instanceof Veth)) return { err: 'netlink error: Operation not supported\n', status: 1 };
      return { out: channels(dev), status: 0 };
    case 'permaddr':
      if (!dev) return { err: 'netlink error: No such device\n', status: 1 };
      return { out: 'Permanent address: not set\n', status: 0 };
    case 'tstamp':
      if (!dev) return { err: NO_DEVICE_NL, status: 1 };
      return {
        out: `Time stamping parameters for ${dev.name}:\nCapabilities:\n\tsoftware-transmit\n\tsoftware-receive\n\tsoftware-system-clock\n` +
          'PTP Hardware Clock: none\nHardware Transmit Timestamp Modes: none\nHardware Receive Filter Modes: none\n',
        status: 0,
      };
    case 'ring':
      if (!dev) return { err: NO_DEVICE_NL, status: 1 };
      return { err: 'netlink error: Operation not supported\n', status: 1 };
  }
}

/** ethtool_op_get_link: the carrier, once pending link watch work for the device is done. */
function linkDetected(dev: NetDevice): boolean {
  dev.ns.world.rtnl(() => dev.ns.world.linkwatch.sync(dev));
  return dev.carrier;
}

function settings(dev: NetDevice): string {
  const link = `\tLink detected: ${linkDetected(dev) ? 'yes' : 'no'}\n`;
  if (!(dev instanceof Veth)) return `Settings for ${dev.name}:\n${link}`;
  // veth_get_link_ksettings: 10000Mb/s full duplex, twisted pair.
  return `Settings for ${dev.name}:
\tSupported ports: [  ]
\tSupported link modes:   Not reported
\tSupported pause frame use: No
\tSupports auto-negotiation: No
\tSupported FEC modes: Not reported
\tAdvertised link modes:  Not reported
\tAdvertised pause frame use: No
\tAdvertised auto-negotiation: No
\tAdvertised FEC modes: Not reported
\tSpeed: 10000Mb/s
\tDuplex: Full
\tAuto-negotiation: off
\tPort: Twisted Pair
\tPHYAD: 0
\tTransceiver: internal
\tMDI-X: Unknown
${link}`;
}

function driverInfo(dev: NetDevice): string {
  return `driver: ${dev.driver}\nversion: ${dev.driverVersion}\nfirmware-version: \nexpansion-rom-version: \nbus-info: \n` +
    'supports-statistics: yes\nsupports-test: no\nsupports-eeprom-access: no\nsupports-register-dump: no\nsupports-priv-flags: no\n';
}

/** veth_get_ethtool_stats: the peer's ifindex and per-queue XDP counters (nslab runs no XDP: all 0). */
function vethStats(dev: Veth): string {
  let out = `NIC statistics:\n     peer_ifindex: ${dev.peer?.registered ? dev.peer.ifindex : 0}\n`;
  for (let q = 0; q < dev.realNumRxQueues; q++) {
    for (const s of ['xdp_packets', 'xdp_bytes', 'drops', 'xdp_redirect', 'xdp_drops', 'xdp_tx', 'xdp_tx_errors']) {
      out += `     rx_queue_${q}_${s}: 0\n`;
    }
  }
  for (let q = 0; q < dev.realNumTxQueues; q++) out += `     tx_queue_${q}_xdp_xmit: 0\n     tx_queue_${q}_xdp_xmit_errors: 0\n`;
  return out;
}

function channels(dev: Veth): string {
  return `Channel parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\t${dev.numRxQueues}\nTX:\t\t${dev.numTxQueues}\n` +
    'Other:\t\tn/a\nCombined:\tn/a\nCurrent hardware settings:\n' +
    `RX:\t\t${dev.realNumRxQueues}\nTX:\t\t${dev.realNumTxQueues}\nOther:\t\tn/a\nCombined:\tn/a\n`;
}

/** A feature list as `ethtool -k` prints it: `name: on|off[ [fixed]]`, sub-features indented. */
function features(spec: string): string {
  return spec.trim().split('\n').map((l) => {
    const m = /^(\s*)(\S+) (on|off)(!?)$/.exec(l)!;
    return `${m[1] ? '\t' : ''}${m[2]}: ${m[3]}${m[4] ? ' [fixed]' : ''}\n`;
  }).join('');
}

// Each line: name, state, `!` when fixed. Indented lines are the sub-features of the line above.
const VETH_FEATURES = features(`
rx-checksumming on
tx-checksumming on
 tx-checksum-ipv4 off!
 tx-checksum-ip-generic on
 tx-checksum-ipv6 off!
 tx-checksum-fcoe-crc off!
 tx-checksum-sctp on
scatter-gather on
 tx-scatter-gather on
 tx-scatter-gather-fraglist on
tcp-segmentation-offload on
 tx-tcp-segmentation on
 tx-tcp-ecn-segmentation on
 tx-tcp-mangleid-segmentation on
 tx-tcp6-segmentation on
 tx-tcp-accecn-segmentation on
generic-segmentation-offload on
generic-receive-offload off
large-receive-offload off!
rx-vlan-offload on
tx-vlan-offload on
ntuple-filters off!
receive-hashing off!
highdma on
rx-vlan-filter off!
vlan-challenged off!
tx-gso-robust off!
tx-fcoe-segmentation off!
tx-gre-segmentation on
tx-gre-csum-segmentation on
tx-ipxip4-segmentation on
tx-ipxip6-segmentation on
tx-udp_tnl-segmentation on
tx-udp_tnl-csum-segmentation on
tx-gso-partial off!
tx-tunnel-remcsum-segmentation off!
tx-sctp-segmentation on
tx-esp-segmentation off!
tx-udp-segmentation on
tx-gso-list on
tx-nocache-copy off
loopback off!
rx-fcs off!
rx-all off!
tx-vlan-stag-hw-insert on
rx-vlan-stag-hw-parse on
rx-vlan-stag-filter off!
l2-fwd-offload off!
hw-tc-offload off!
esp-hw-offload off!
esp-tx-csum-hw-offload off!
rx-udp_tunnel-port-offload off!
tls-hw-tx-offload off!
tls-hw-rx-offload off!
rx-gro-hw off!
tls-hw-record off!
rx-gro-list off
macsec-hw-offload off!
rx-udp-gro-forwarding off
hsr-tag-ins-offload off!
hsr-tag-rm-offload off!
hsr-fwd-offload off!
hsr-dup-offload off!
`);

const LO_FEATURES = features(`
rx-checksumming on!
tx-checksumming on
 tx-checksum-ipv4 off!
 tx-checksum-ip-generic on!
 tx-checksum-ipv6 off!
 tx-checksum-fcoe-crc off!
 tx-checksum-sctp on!
scatter-gather on
 tx-scatter-gather on!
 tx-scatter-gather-fraglist on!
tcp-segmentation-offload on
 tx-tcp-segmentation on
 tx-tcp-ecn-segmentation on
 tx-tcp-mangleid-segmentation on
 tx-tcp6-segmentation on
 tx-tcp-accecn-segmentation on
generic-segmentation-offload on
generic-receive-offload on
large-receive-offload off!
rx-vlan-offload off!
tx-vlan-offload off!
ntuple-filters off!
receive-hashing off!
highdma on!
rx-vlan-filter off!
vlan-challenged on!
tx-gso-robust off!
tx-fcoe-segmentation off!
tx-gre-segmentation off!
tx-gre-csum-segmentation off!
tx-ipxip4-segmentation off!
tx-ipxip6-segmentation off!
tx-udp_tnl-segmentation off!
tx-udp_tnl-csum-segmentation off!
tx-gso-partial off!
tx-tunnel-remcsum-segmentation off!
tx-sctp-segmentation on
tx-esp-segmentation off!
tx-udp-segmentation on
tx-gso-list on
tx-nocache-copy off!
loopback on!
rx-fcs off!
rx-all off!
tx-vlan-stag-hw-insert off!
rx-vlan-stag-hw-parse off!
rx-vlan-stag-filter off!
l2-fwd-offload off!
hw-tc-offload off!
esp-hw-offload off!
esp-tx-csum-hw-offload off!
rx-udp_tunnel-port-offload off!
tls-hw-tx-offload off!
tls-hw-rx-offload off!
rx-gro-hw off!
tls-hw-record off!
rx-gro-list off
macsec-hw-offload off!
rx-udp-gro-forwarding off
hsr-tag-ins-offload off!
hsr-tag-rm-offload off!
hsr-fwd-offload off!
hsr-dup-offload off!
`);
