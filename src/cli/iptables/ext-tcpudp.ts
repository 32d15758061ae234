// The tcp, udp and icmp matches (libxt_tcp.c, libxt_udp.c, libipt_icmp.c).
import {
  XT_TCP_INV_DSTPT, XT_TCP_INV_FLAGS, XT_TCP_INV_OPTION, XT_TCP_INV_SRCPT, XT_UDP_INV_DSTPT, XT_UDP_INV_SRCPT,
  type IcmpMatch, type PortRange, type TcpMatch, type UdpMatch,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_INVERT, XTOPT_MAND, optionParse, type Extension } from './ext.ts';
import { serviceByPort } from './netdb.ts';
import { PARAMETER_PROBLEM, parsePort, xtError, xtStrtoui, xtStrtoul } from './xtables.ts';

function parseTcpPorts(text: string): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, 'tcp');
    return [p, p];
  }
  const lo = text.slice(0, colon);
  const hi = text.slice(colon + 1);
  const r: PortRange = [lo ? parsePort(lo, 'tcp') : 0, hi ? parsePort(hi, 'tcp') : 0xffff];
  if (r[0] > r[1]) xtError(PARAMETER_PROBLEM, 'invalid portrange (min > max)');
  return r;
}

const TCP_FLAGS: ReadonlyArray<[string, number]> = [['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ALL', 0x3f], ['NONE', 0]];

function parseTcpFlag(text: string): number {
  let v = 0;
  for (const tok of text.split(',').filter((t) => t !== '')) {
    const f = TCP_FLAGS.find(([n]) => n.toLowerCase() === tok.toLowerCase());
    if (!f) xtError(PARAMETER_PROBLEM, `Unknown TCP flag \`${tok}'`);
    v |= f[1];
  }
  return v;
}

function printTcpf(flags: number): string {
  const names: string[] = [];
  let f = flags;
  while (f) {
    const [name, bit] = TCP_FLAGS.find(([, b]) => (f & b) !== 0) as [string, number];
    names.push(name);
    f &= ~bit;
  }
  return names.length ? names.join(',') : 'NONE';
}

function printPort(port: number, numeric: boolean, proto: string): string {
  return (numeric ? undefined : serviceByPort(port, proto)) ?? String(port);
}

function printPorts(name: string, [lo, hi]: PortRange, invert: boolean, numeric: boolean, proto: string): string {
  if (lo === 0 && hi === 0xffff && !invert) return '';
  const inv = invert ? '!' : '';
  if (lo === hi) return ` ${name}:${inv}${printPort(lo, numeric, proto)}`;
  return ` ${name}s:${inv}${printPort(lo, numeric, proto)}:${printPort(hi, numeric, proto)}`;
}

function savePorts(opt: string, [lo, hi]: PortRange, invert: boolean): string {
  if (lo === 0 && hi === 0xffff) return '';
  return `${invert ? ' !' : ''} --${opt} ${lo === hi ? lo : `${lo}:${hi}`}`;
}

export const tcp: Extension<TcpMatch> = {
  name: 'tcp',
  oldStyle: true,
  options: [
    { name: 'source-port', id: 1, type: 'string' },
    { name: 'sport', id: 1, type: 'string' },
    { name: 'destination-port', id: 2, type: 'string' },
    { name: 'dport', id: 2, type: 'string' },
    { name: 'syn', id: 3, type: 'none' },
    { name: 'tcp-flags', id: 4, type: 'string' },
    { name: 'tcp-option', id: 5, type: 'string' },
  ],
  init: () => ({ kind: 'tcp', spts: [0, 0xffff], dpts: [0, 0xffff], option: 0, flgMask: 0, flgCmp: 0, invflags: 0 }),
  parse(cb, m) {
    const arg = cb.arg ?? '';
    const once = (bit: number, msg: string) => {
      if (cb.xflags & bit) xtError(PARAMETER_PROBLEM, msg);
      cb.xflags |= bit;
    };
    switch (cb.entry.id) {
      case 1:
        once(1, "Only one `--source-port' allowed");
        m.spts = parseTcpPorts(arg);
        if (cb.invert) m.invflags |= XT_TCP_INV_SRCPT;
        break;
      case 2:
        once(2, "Only one `--destination-port' allowed");
        m.dpts = parseTcpPorts(arg);
        if (cb.invert) m.invflags |= XT_TCP_INV_DSTPT;
        break;
      case 3:
      case 4: {
        once(4, "Only one of `--syn' or `--tcp-flags'  allowed");
        let mask = 'SYN,RST,ACK,FIN';
        let cmp = 'SYN';
        if (cb.entry.id === 4) {
          const g = cb.getopt;
          const next = g.argv[g.optind];
          if (next === undefined || next[0] === '-' || next[0] === '!') xtError(PARAMETER_PROBLEM, '--tcp-flags requires two args.');
          mask = arg;
          cmp = next;
        }
        m.flgMask = parseTcpFlag(mask);
        m.flgCmp = parseTcpFlag(cmp);
        if (cb.invert) m.invflags |= XT_TCP_INV_FLAGS;
        if (cb.entry.id === 4) cb.getopt.optind++;
        break;
      }
      case 5: {
        once(8, "Only one `--tcp-option' allowed");
        const v = xtStrtoui(arg, 1, 255);
        if (v === undefined) xtError(PARAMETER_PROBLEM, `Bad TCP option "${arg}"`);
        m.option = v;
        if (cb.invert) m.invflags |= XT_TCP_INV_OPTION;
        break;
      }
    }
  },
  print(m, _r, numeric) {
    let s = ' tcp';
    s += printPorts('spt', m.spts, (m.invflags & XT_TCP_INV_SRCPT) !== 0, numeric, 'tcp');
    s += printPorts('dpt', m.dpts, (m.invflags & XT_TCP_INV_DSTPT) !== 0, numeric, 'tcp');
    if (m.option || m.invflags & XT_TCP_INV_OPTION) s += ` option=${m.invflags & XT_TCP_INV_OPTION ? '!' : ''}${m.option}`;
    if (m.flgMask || m.invflags & XT_TCP_INV_FLAGS) {
      const hex2 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
      s += ` flags:${m.invflags & XT_TCP_INV_FLAGS ? '!' : ''}`;
      s += numeric ? `${hex2(m.flgMask)}/${hex2(m.flgCmp)}` : `${printTcpf(m.flgMask)}/${printTcpf(m.flgCmp)}`;
    }
    return s;
  },
  save(m) {
    let s = savePorts('sport', m.spts, (m.invflags & XT_TCP_INV_SRCPT) !== 0);
    s += savePorts('dport', m.dpts, (m.invflags & XT_TCP_INV_DSTPT) !== 0);
    if (m.option || m.invflags & XT_TCP_INV_OPTION) s += `${m.invflags & XT_TCP_INV_OPTION ? ' !' : ''} --tcp-option ${m.option}`;
    if (m.flgMask || m.invflags & XT_TCP_INV_FLAGS) {
      s += `${m.invflags & XT_TCP_INV_FLAGS ? ' !' : ''} --tcp-flags ${printTcpf(m.flgMask)} ${printTcpf(m.flgCmp)}`;
    }
    return s;
  },
};

export const udp: Extension<UdpMatch> = {
  name: 'udp',
  options: [
    { name: 'source-port', id: 0, type: 'portrc', flags: XTOPT_INVERT },
    { name: 'sport', id: 0, type: 'portrc', flags: XTOPT_INVERT },
    { name: 'destination-port', id: 1, type: 'portrc', flags: XTOPT_INVERT },
    { name: 'dport', id: 1, type: 'portrc', flags: XTOPT_INVERT },
  ],
  init: () => ({ kind: 'udp', spts: [0, 0xffff], dpts: [0, 0xffff], invflags: 0 }),
  parse(cb, m) {
    optionParse(cb);
    const r: PortRange = [cb.val.range[0], cb.val.range[1]];
    if (cb.entry.id === 0) {
      m.spts = r;
      if (cb.invert) m.invflags |= XT_UDP_INV_SRCPT;
    } else {
      m.dpts = r;
      if (cb.invert) m.invflags |= XT_UDP_INV_DSTPT;
    }
  },
  print(m, _r, numeric) {
    return ' udp' + printPorts('spt', m.spts, (m.invflags & XT_UDP_INV_SRCPT) !== 0, numeric, 'udp') + printPorts('dpt', m.dpts, (m.invflags & XT_UDP_INV_DSTPT) !== 0, numeric, 'udp');
  },
  save(m) {
    return savePorts('sport', m.spts, (m.invflags & XT_UDP_INV_SRCPT) !== 0) + savePorts('dport', m.dpts, (m.invflags & XT_UDP_INV_DSTPT) !== 0);
  },
};

/** libxt_icmp.h icmp_codes: name, type, code range. */
const ICMP_CODES: ReadonlyArray<[string, number, number, number]> = [
  ['any', 0xff, 0, 0xff], ['echo-reply', 0, 0, 0xff], ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff], ['network-unreachable', 3, 0, 0], ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2], ['port-unreachable', 3, 3, 3], ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5], ['network-unknown', 3, 6, 6], ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9], ['host-prohibited', 3, 10, 10], ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12], ['communication-prohibited', 3, 13, 13], ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15], ['source-quench', 4, 0, 0xff], ['redirect', 5, 0, 0xff], ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1], ['TOS-network-redirect', 5, 2, 2], ['TOS-host-redirect', 5, 3, 3], ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff], ['router-advertisement', 9, 0, 0xff], ['router-solicitation', 10, 0, 0xff], ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff], ['ttl-zero-during-transit', 11, 0, 0], ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff], ['ip-header-bad', 12, 0, 0], ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff], ['timestamp-reply', 14, 0, 0xff], ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

/** parse_range: `n` or `n:m`, each 0-255; returns the values and the rest. */
function icmpRange(s: string): { r: [number, number]; rest: string } | undefined {
  const a = xtStrtoul(s, 0, 255, true);
  if (!a) return undefined;
  const r: [number, number] = [a.value, a.value];
  let rest = s.slice(a.end);
  if (rest[0] === ':') {
    const b = xtStrtoul(rest.slice(1), 0, 255, true);
    if (!b) return undefined;
    r[1] = b.value;
    rest = rest.slice(1 + b.end);
  }
  return { r, rest };
}

function parseIcmp(text: string, m: IcmpMatch): void {
  let found = -1;
  ICMP_CODES.forEach(([name], i) => {
    if (!name.toLowerCase().startsWith(text.toLowerCase())) return;
    if (found >= 0) xtError(PARAMETER_PROBLEM, `Ambiguous ICMP type \`${text}': \`${ICMP_CODES[found][0]}' or \`${name}'?`);
    found = i;
  });
  if (found >= 0) {
    [, m.type, m.codeMin, m.codeMax] = ICMP_CODES[found];
    return;
  }
  const t = icmpRange(text);
  if (!t) xtError(PARAMETER_PROBLEM, `Unknown ICMP type \`${text}'`);
  let codes: [number, number] = [0, 255];
  if (t.rest.startsWith('/')) {
    const c = icmpRange(t.rest.slice(1));
    if (!c) xtError(PARAMETER_PROBLEM, `Unknown ICMP code \`${text}'`);
    if (c.rest !== '') xtError(PARAMETER_PROBLEM, `unknown character ${c.rest[0]}`);
    codes = c.r;
  } else if (t.rest !== '') {
    xtError(PARAMETER_PROBLEM, `unknown character ${t.rest[0]}`);
  }
  if (t.r[0] !== t.r[1]) xtError(PARAMETER_PROBLEM, 'ICMP type range not supported');
  m.type = t.r[0];
  [m.codeMin, m.codeMax] = codes;
}

export const icmp: Extension<IcmpMatch> = {
  name: 'icmp',
  options: [{ name: 'icmp-type', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'icmp', type: 0xff, codeMin: 0, codeMax: 0xff, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    parseIcmp(cb.arg ?? '', m);
    if (cb.invert) m.invert = true;
  },
  print(m, _r, numeric) {
    if (!numeric) {
      const named = ICMP_CODES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
      if (named) return ` icmp ${m.invert ? '!' : ''}${named[0]}`;
    }
    let s = ` icmp${m.invert ? ' !' : ''}type ${m.type}`;
    if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
    else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
    return s;
  },
  save(m) {
    let s = m.invert ? ' !' : '';
    if (m.type === 0xff) return `${s} --icmp-type any`;
    s += ` --icmp-type ${m.type}`;
    if (m.codeMin !== 0 || m.codeMax !== 0xff) s += `/${m.codeMin}`;
    return s;
  },
};
