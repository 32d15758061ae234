// SNAT, DNAT, MASQUERADE and REDIRECT (libxt_NAT.c), CT and its NOTRACK alias (libxt_CT.c).
import {
  NF_NAT_RANGE_MAP_IPS, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_OFFSET, NF_NAT_RANGE_PROTO_RANDOM,
  NF_NAT_RANGE_PROTO_RANDOM_FULLY, NF_NAT_RANGE_PROTO_SPECIFIED, XT_CT_NOTRACK, XT_CT_NOTRACK_ALIAS, XT_CT_ZONE_DIR_ORIG,
  XT_CT_ZONE_DIR_REPL, XT_CT_ZONE_MARK,
  type CtTarget, type NatTarget,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_MAND, optionParse, type Extension, type OptEntry } from './ext.ts';
import { serviceByName } from './netdb.ts';
import { PARAMETER_PROBLEM, ipToString, xtError, xtStrtoul } from './xtables.ts';

const O = { dest: 0, src: 1, ports: 2, random: 3, randomFully: 4, persistent: 5 };
const PORT_PROTOS = [6, 17, 132, 33, 1];

/** A port, or a service name where iptables allows one (nf_nat's parse_ports). */
function portOrService(text: string, service: boolean): { v: number; rest: string } | undefined {
  const n = xtStrtoul(text, 0, 0xffff, true);
  if (n) return { v: n.value, rest: text.slice(n.end) };
  if (!service) return undefined;
  const s = serviceByName(text);
  return s === undefined ? undefined : { v: s, rest: '' };
}

function parsePorts(arg: string, portok: boolean, t: NatTarget): void {
  if (!portok) xtError(PARAMETER_PROBLEM, 'Need TCP, UDP, SCTP or DCCP with port specification');
  t.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
  const first = portOrService(arg, true);
  if (!first) xtError(PARAMETER_PROBLEM, `Port \`${arg}' not valid`);
  if (first.rest === '') {
    t.minPort = t.maxPort = first.v;
    return;
  }
  if (first.rest[0] === ':') xtError(PARAMETER_PROBLEM, 'Invalid port:port syntax - use dash');
  if (first.rest[0] !== '-') xtError(PARAMETER_PROBLEM, `Garbage after port value: \`${first.rest}'`);
  const hiText = first.rest.slice(1);
  const hi = portOrService(hiText, false);
  if (!hi) xtError(PARAMETER_PROBLEM, `Port \`${hiText}' not valid`);
  if (hi.v < first.v) xtError(PARAMETER_PROBLEM, `Port range \`${hiText}' funky`);
  t.minPort = first.v;
  t.maxPort = hi.v;
  if (hi.rest === '') return;
  if (hi.rest[0] !== '/') xtError(PARAMETER_PROBLEM, `Garbage after port range: \`${hi.rest}'`);
  const baseText = hi.rest.slice(1);
  const base = xtStrtoul(baseText, 1, 0xffff)?.value ?? serviceByName(baseText);
  if (base === undefined) xtError(PARAMETER_PROBLEM, `Port \`${baseText}' not valid`);
  t.flags |= NF_NAT_RANGE_PROTO_OFFSET;
  t.basePort = base;
}

/** inet_pton(AF_INET): exactly four decimal parts. */
function inetPton(s: string): number | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return undefined;
  const b = s.split('.').map(Number);
  if (b.some((v, i) => v > 255 || (s.split('.')[i].length > 1 && s.split('.')[i][0] === '0'))) return undefined;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function parseTo(arg: string, portok: boolean, t: NatTarget): void {
  if (arg.includes('[')) xtError(PARAMETER_PROBLEM, 'Invalid address format');
  let colon = arg.indexOf(':');
  if (colon >= 0 && arg.indexOf(':', colon + 1) >= 0) colon = -1;
  let addrs = arg;
  if (colon >= 0) {
    parsePorts(arg.slice(colon + 1), portok, t);
    if (colon === 0 || colon === 2) return;
    addrs = arg.slice(0, colon);
  }
  t.flags |= NF_NAT_RANGE_MAP_IPS;
  const dash = addrs.indexOf('-');
  const lo = dash < 0 ? addrs : addrs.slice(0, dash);
  const min = inetPton(lo);
  if (min === undefined) xtError(PARAMETER_PROBLEM, `Bad IP address "${lo}"`);
  t.minAddr = t.maxAddr = min;
  if (dash < 0) return;
  const max = inetPton(addrs.slice(dash + 1));
  if (max === undefined) xtError(PARAMETER_PROBLEM, `Bad IP address "${addrs.slice(dash + 1)}"`);
  t.maxAddr = max;
}

function natExt(kind: NatTarget['kind'], options: OptEntry[], print: [string, string, boolean], fcheck?: (t: NatTarget) => void): Extension<NatTarget> {
  const [printOpt, saveOpt, skipColon] = print;
  const text = (t: NatTarget, opt: string, pfx: string): string => {
    let range = '';
    if (t.flags & NF_NAT_RANGE_MAP_IPS) range += ipToString(t.minAddr) + (t.maxAddr !== t.minAddr ? `-${ipToString(t.maxAddr)}` : '');
    if (t.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      range += `:${t.minPort}${t.maxPort !== t.minPort ? `-${t.maxPort}` : ''}`;
      if (t.flags & NF_NAT_RANGE_PROTO_OFFSET) range += `/${t.basePort}`;
    }
    let s = range ? ` ${opt}${range[0] === ':' && skipColon ? range.slice(1) : range}` : '';
    if (t.flags & NF_NAT_RANGE_PROTO_RANDOM) s += ` ${pfx}random`;
    if (t.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) s += ` ${pfx}random-fully`;
    if (t.flags & NF_NAT_RANGE_PERSISTENT) s += ` ${pfx}persistent`;
    return s;
  };
  return {
    name: kind,
    options,
    init: () => ({ kind, flags: 0, minAddr: 0, maxAddr: 0, minPort: 0, maxPort: 0, basePort: 0 }),
    parse(cb, t) {
      optionParse(cb);
      const portok = PORT_PROTOS.includes(cb.rule.proto);
      switch (cb.entry.id) {
        case O.dest:
        case O.src: {
          const saved = { ...t };
          parseTo(cb.arg ?? '', portok, t);
          if (kind !== 'DNAT') t.flags |= saved.flags;
          break;
        }
        case O.ports: parsePorts(cb.arg ?? '', portok, t); break;
        case O.persistent: t.flags |= NF_NAT_RANGE_PERSISTENT; break;
        case O.random: t.flags |= NF_NAT_RANGE_PROTO_RANDOM; break;
        case O.randomFully: t.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY; break;
      }
    },
    fcheck: fcheck ? (_x, t) => fcheck(t) : undefined,
    print: (t) => text(t, printOpt, ''),
    save: (t) => text(t, saveOpt, '--'),
  };
}

const shifted = (t: NatTarget): void => {
  if (t.flags & NF_NAT_RANGE_PROTO_OFFSET) xtError(PARAMETER_PROBLEM, 'Shifted portmap ranges not supported with this kernel');
};

export const SNAT = natExt('SNAT', [
  { name: 'to-source', id: O.src, type: 'string', flags: XTOPT_MAND },
  { name: 'random', id: O.random, type: 'none' },
  { name: 'random-fully', id: O.randomFully, type: 'none' },
  { name: 'persistent', id: O.persistent, type: 'none' },
], ['to:', '--to-source ', false]);

export const DNAT = natExt('DNAT', [
  { name: 'to-destination', id: O.dest, type: 'string', flags: XTOPT_MAND },
  { name: 'random', id: O.random, type: 'none' },
  { name: 'persistent', id: O.persistent, type: 'none' },
], ['to:', '--to-destination ', false]);

export const MASQUERADE = natExt('MASQUERADE', [
  { name: 'to-ports', id: O.ports, type: 'string' },
  { name: 'random', id: O.random, type: 'none' },
  { name: 'random-fully', id: O.randomFully, type: 'none' },
], ['masq ports: ', '--to-ports ', true]);

export const REDIRECT = natExt('REDIRECT', [
  { name: 'to-ports', id: O.ports, type: 'string' },
  { name: 'random', id: O.random, type: 'none' },
], ['redir ports ', '--to-ports ', true], shifted);

const CT_EVENTS: ReadonlyArray<[string, number]> = [
  ['new', 0], ['related', 1], ['destroy', 2], ['reply', 3], ['assured', 4], ['protoinfo', 5], ['helper', 6], ['mark', 7],
  ['natseqinfo', 8], ['secmark', 9],
];
const EXP_EVENTS: ReadonlyArray<[string, number]> = [['new', 0]];

function parseEvents(table: ReadonlyArray<[string, number]>, text: string): number {
  let mask = 0;
  for (const tok of text.split(',')) {
    const e = table.find(([n]) => n === tok);
    if (!e) xtError(PARAMETER_PROBLEM, `Unknown event type "${tok}"`);
    mask |= 1 << e[1];
  }
  return mask;
}

const printEvents = (pfx: string, table: ReadonlyArray<[string, number]>, mask: number) =>
  ` ${pfx} ${table.filter(([, b]) => mask & (1 << b)).map(([n]) => n).join(',')}`;

const CTO = { notrack: 0, helper: 1, timeout: 2, ctevents: 3, expevents: 4, zone: 5, zoneOrig: 6, zoneReply: 7 };

function ctText(t: CtTarget, pfx: string): string {
  let s = '';
  if (t.flags & XT_CT_NOTRACK) s += ` ${pfx}notrack`;
  if (t.helper) s += ` ${pfx}helper ${t.helper}`;
  if (t.timeout) s += ` ${pfx}timeout ${t.timeout}`;
  if (t.ctEvents) s += printEvents(`${pfx}ctevents`, CT_EVENTS, t.ctEvents);
  if (t.expEvents) s += printEvents(`${pfx}expevents`, EXP_EVENTS, t.expEvents);
  if (t.flags & XT_CT_ZONE_MARK || t.zone) {
    const dir = t.flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL);
    s += ` ${pfx}zone${dir === XT_CT_ZONE_DIR_ORIG ? '-orig' : dir === XT_CT_ZONE_DIR_REPL ? '-reply' : ''}`;
    s += t.flags & XT_CT_ZONE_MARK ? ' mark' : ` ${t.zone}`;
  }
  return s;
}

export const CT: Extension<CtTarget> = {
  name: 'CT',
  options: [
    { name: 'notrack', id: CTO.notrack, type: 'none' },
    { name: 'helper', id: CTO.helper, type: 'string', size: 16 },
    { name: 'timeout', id: CTO.timeout, type: 'string', size: 32 },
    { name: 'ctevents', id: CTO.ctevents, type: 'string' },
    { name: 'expevents', id: CTO.expevents, type: 'string' },
    { name: 'zone-orig', id: CTO.zoneOrig, type: 'string' },
    { name: 'zone-reply', id: CTO.zoneReply, type: 'string' },
    { name: 'zone', id: CTO.zone, type: 'string' },
  ],
  init: () => ({ kind: 'CT', flags: 0, helper: '', timeout: '', zone: 0, ctEvents: 0, expEvents: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const arg = cb.arg ?? '';
    switch (cb.entry.id) {
      case CTO.notrack: t.flags |= XT_CT_NOTRACK; break;
      case CTO.helper: t.helper = cb.val.str; break;
      case CTO.timeout: t.timeout = cb.val.str; break;
      case CTO.ctevents: t.ctEvents = parseEvents(CT_EVENTS, arg); break;
      case CTO.expevents: t.expEvents = parseEvents(EXP_EVENTS, arg); break;
      default: {
        if (cb.entry.id === CTO.zoneOrig) t.flags |= XT_CT_ZONE_DIR_ORIG;
        if (cb.entry.id === CTO.zoneReply) t.flags |= XT_CT_ZONE_DIR_REPL;
        t.zone = 0;
        if (arg.toLowerCase() === 'mark') t.flags |= XT_CT_ZONE_MARK;
        else {
          const v = xtStrtoul(arg, 0, 0xffff);
          if (!v) xtError(PARAMETER_PROBLEM, `Cannot parse ${arg} as a zone ID`);
          t.zone = v.value;
        }
      }
    }
  },
  print: (t) => (t.flags & XT_CT_NOTRACK_ALIAS ? ' NOTRACK' : ` CT${ctText(t, '')}`),
  save: (t) => (t.flags & XT_CT_NOTRACK_ALIAS ? '' : ctText(t, '--')),
  alias: (t) => (t.flags & XT_CT_NOTRACK_ALIAS ? 'NOTRACK' : 'CT'),
};

export const NOTRACK: Extension<CtTarget> = {
  name: 'NOTRACK',
  options: [],
  init: () => ({ ...CT.init(), flags: XT_CT_NOTRACK | XT_CT_NOTRACK_ALIAS }),
  parse() {},
  print: CT.print,
  save: CT.save,
  alias: CT.alias,
};
