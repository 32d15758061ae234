// The protocols `-p` can name. TCP, UDP, UDPlite and ICMP bring options of their own (ports,
// state, ICMP type/code/id) with their own legality per command; the others are known by name
// and number only. An unregistered protocol is still accepted by /etc/protocols name or number.
import { TCP_CONNTRACK_NAMES } from '../../kernel/netfilter/conntrack.ts';
import { protocolByName } from '../iptables/netdb.ts';
import { EXIT_USAGE, L4, type Protocol, type Template, fail } from './common.ts';
import { legalityRows } from './legality.ts';
import { scanInt, scanUnsigned } from './scan.ts';

const PORT_OPTIONS: Array<[string, number]> = [
  ['orig-port-src', 1], ['sport', 1], ['orig-port-dst', 2], ['dport', 2], ['reply-port-src', 3],
  ['reply-port-dst', 4], ['mask-port-src', 5], ['mask-port-dst', 6],
];
const PORT_HELP = '  --orig-port-src\t\toriginal source port\n  --orig-port-dst\t\toriginal destination port\n'
  + '  --reply-port-src\t\treply source port\n  --reply-port-dst\t\treply destination port\n'
  + '  --mask-port-src\t\tmask source port\n  --mask-port-dst\t\tmask destination port\n'
  + '  --tuple-port-src\t\texpectation tuple src port\n  --tuple-port-src\t\texpectation tuple dst port\n';
/** Creating or getting needs a whole port pair of one direction. */
const PORT_PAIRS = {
  flags: [1 | 2, 4 | 8],
  msgs: ["you have to specify `--sport' and `--dport'", "you have to specify `--reply-src-port' and `--reply-dst-port'"],
};
const PORTS = 'sport dport reply-port-src reply-port-dst';

const TCP_FLAGS = ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'state', 'tuple-port-src', 'tuple-port-dst'];
const TCP_STATE_OPTION = 7;
export const TCP: Protocol = {
  name: 'tcp', num: L4.tcp,
  opts: [...PORT_OPTIONS, ['state', TCP_STATE_OPTION], ['tuple-port-src', 8], ['tuple-port-dst', 9]],
  flagNames: TCP_FLAGS,
  legality: legalityRows(TCP_FLAGS, {
    list: { optional: `${PORTS} state` },
    create: { required: 'state', paired: PORTS },
    update: { optional: `${PORTS} state` },
    delete: { optional: `${PORTS} state` },
    get: { paired: PORTS, optional: 'state' },
    events: { optional: `${PORTS} state` },
    expectCreate: { required: 'sport dport mask-port-src mask-port-dst tuple-port-src tuple-port-dst' },
    expectDelete: { required: PORTS },
    expectGet: { required: PORTS },
    add: { required: 'state', paired: PORTS },
  }),
  pairs: PORT_PAIRS,
  help: PORT_HELP + '  --state\t\t\tTCP state, fe. ESTABLISHED\n',
};

const UDP_FLAGS = ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'tuple-port-src', 'tuple-port-dst'];
function udpLike(name: string, num: number): Protocol {
  return {
    name, num,
    opts: [...PORT_OPTIONS, ['tuple-port-src', 7], ['tuple-port-dst', 8]],
    flagNames: UDP_FLAGS,
    legality: legalityRows(UDP_FLAGS, {
      list: { optional: PORTS },
      create: { paired: PORTS },
      update: { optional: PORTS },
      delete: { optional: PORTS },
      get: { paired: PORTS },
      events: { optional: PORTS },
      expectCreate: { required: 'sport dport mask-port-src mask-port-dst tuple-port-src tuple-port-dst' },
      expectDelete: { required: PORTS },
      expectGet: { required: PORTS },
      add: { paired: PORTS },
    }),
    pairs: PORT_PAIRS,
    help: PORT_HELP,
  };
}

const ICMP_FLAGS = ['icmp-type', 'icmp-code', 'icmp-id'];
export const ICMP: Protocol = {
  name: 'icmp', num: L4.icmp,
  opts: [['icmp-type', 1], ['icmp-code', 2], ['icmp-id', 3]],
  flagNames: ICMP_FLAGS,
  legality: legalityRows(ICMP_FLAGS, {
    list: { optional: 'icmp-type icmp-code icmp-id' },
    create: { required: 'icmp-type icmp-code', optional: 'icmp-id' },
    update: { optional: 'icmp-type icmp-code icmp-id' },
    delete: { optional: 'icmp-type icmp-code icmp-id' },
    get: { required: 'icmp-type icmp-code', optional: 'icmp-id' },
    events: { optional: 'icmp-type icmp-code icmp-id' },
    add: { required: 'icmp-type icmp-code', optional: 'icmp-id' },
  }),
  help: '  --icmp-type\t\t\ticmp type\n  --icmp-code\t\t\ticmp code\n  --icmp-id\t\t\ticmp id\n',
};

/** A protocol nslab knows by name and number only: no options of its own. */
const nameOnly = (name: string, num: number): Protocol => ({ name, num, opts: [], flagNames: [], legality: {}, help: '' });

/** The named protocols, in the order a name or number is looked up. */
export const PROTOCOLS: readonly Protocol[] = [
  nameOnly('gre', L4.gre), nameOnly('icmpv6', L4.icmpv6), ICMP, nameOnly('dccp', L4.dccp),
  nameOnly('sctp', L4.sctp), udpLike('udplite', L4.udplite), udpLike('udp', L4.udp), TCP,
];
/** What an unregistered protocol (known by /etc/protocols or number only) uses. */
export const UNKNOWN_PROTOCOL: Protocol = nameOnly('unknown', 0);

/** The protocol a `-p` argument names: case-insensitive name, /etc/protocols name, or number up to 255. */
export function lookupProtocol(arg: string): { proto: Protocol; num: number } | undefined {
  for (const p of PROTOCOLS) if (p.name.toLowerCase() === arg.toLowerCase()) return { proto: p, num: p.num };
  const byName = protocolByName(arg);
  if (byName !== undefined) return { proto: UNKNOWN_PROTOCOL, num: byName };
  const n = scanUnsigned(arg);
  if (n !== undefined && n.end === arg.length && arg.length > 0 && n.value <= 255) {
    for (const p of PROTOCOLS) if (p.num === n.value) return { proto: p, num: n.value };
    return { proto: UNKNOWN_PROTOCOL, num: n.value };
  }
  return undefined;
}

/** Records one of the protocol's own options in the template; returns its flag. */
export function applyProtocolOption(proto: Protocol, option: number, arg: string, t: Template): number {
  if (proto === ICMP) {
    const v = scanInt(arg);
    if (option === 1) t.icmpType = v & 0xff;
    else if (option === 2) t.icmpCode = v & 0xff;
    else t.icmpId = v & 0xffff;
    t.origL4 = L4.icmp;
    if (t.replyFamily) t.replyL4 = L4.icmp;
    return 1 << (option - 1);
  }
  const port = scanInt(arg) & 0xffff;
  if (proto === TCP && option === TCP_STATE_OPTION) {
    const i = TCP_CONNTRACK_NAMES.indexOf(arg as (typeof TCP_CONNTRACK_NAMES)[number]);
    // LISTEN is accepted by name although the kernel never reports it.
    if (arg === 'LISTEN') t.tcpState = 9;
    else if (i < 0) fail(EXIT_USAGE, `unknown TCP state \`${arg}'`);
    else t.tcpState = i;
    return 1 << (TCP_STATE_OPTION - 1);
  }
  switch (option) {
    case 1: t.origSport = port; t.origL4 = proto.num; break;
    case 2: t.origDport = port; t.origL4 = proto.num; break;
    case 3: t.replySport = port; t.replyL4 = proto.num; break;
    case 4: t.replyDport = port; t.replyL4 = proto.num; break;
    default: break; // port masks and expectation ports do not select connections
  }
  return 1 << (option - 1);
}
