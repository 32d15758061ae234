// The statistic, recent, connmark, pkttype, length and ttl matches (libxt_statistic.c,
// libxt_recent.c, libxt_connmark.c, libxt_pkttype.c, libxt_length.c, libipt_ttl.c of 1.8.9).
import {
  IPT_TTL_EQ, IPT_TTL_GT, IPT_TTL_LT, IPT_TTL_NE, XT_RECENT_CHECK, XT_RECENT_DEST, XT_RECENT_REAP, XT_RECENT_REMOVE,
  XT_RECENT_SET, XT_RECENT_SOURCE, XT_RECENT_TTL, XT_RECENT_UPDATE, XT_STATISTIC_MODE_NTH, XT_STATISTIC_MODE_RANDOM,
  type ConnmarkMatch, type LengthMatch, type PkttypeMatch, type RecentMatch, type StatisticMatch, type TtlMatch,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_INVERT, XTOPT_MAND, inetAton, optionParse, type Extension, type OptionCall } from './ext.ts';
import { hostByName } from './netdb.ts';
import { PARAMETER_PROBLEM, ipToString, valMask, xtError, xtStrtoul } from './xtables.ts';

/** strtod over the whole string (decimal forms, inf, nan), else undefined. */
export function strtod(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (!m) return undefined;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/** xtopt_parse_mint for a u16 range `a[:b]`. */
export function parseU16Range(cb: OptionCall): number[] {
  const name = cb.entry.name;
  const range: number[] = [];
  let rest = cb.arg ?? '';
  for (;;) {
    if (range.length === 2) xtError(PARAMETER_PROBLEM, `${cb.extName}: Too many components for option "--${name}" (max: 2)\n`);
    let end: string;
    let value: number;
    if (rest === '' || rest[0] === ':') {
      value = range.length === 1 ? 0xffff : 0;
      end = rest;
    } else {
      const v = xtStrtoul(rest, 0, 0xffff, true);
      if (!v) xtError(PARAMETER_PROBLEM, `${cb.extName}: bad value for option "--${name}" near "${rest}", or out of range (0-65535).\n`);
      end = rest.slice(v.end);
      if (end !== '' && end[0] !== ':') xtError(PARAMETER_PROBLEM, `${cb.extName}: Argument to "--${name}" has unexpected characters near "${end}".\n`);
      value = v.value;
    }
    range.push(value);
    if (end === '') return range;
    rest = end.slice(1);
  }
}

const F_PROBABILITY = 1 << 1;
const F_EVERY = 1 << 2;
const F_PACKET = 1 << 3;

function statisticText(m: StatisticMatch, prefix: string): string {
  const inv = m.invert ? ' !' : '';
  if (m.mode === XT_STATISTIC_MODE_RANDOM) return ` ${prefix}mode random${inv} ${prefix}probability ${(m.probability / 0x80000000).toFixed(11)}`;
  let s = ` ${prefix}mode nth${inv} ${prefix}every ${(m.every + 1) >>> 0}`;
  if (m.packet || prefix) s += ` ${prefix}packet ${m.packet}`;
  return s;
}

export const statistic: Extension<StatisticMatch> = {
  name: 'statistic',
  options: [
    { name: 'mode', id: 0, type: 'string', flags: XTOPT_MAND },
    { name: 'probability', id: 1, type: 'string', flags: XTOPT_INVERT, excl: F_EVERY | F_PACKET },
    { name: 'every', id: 2, type: 'uint32', min: 1, flags: XTOPT_INVERT, excl: F_PROBABILITY, also: F_PACKET },
    { name: 'packet', id: 3, type: 'uint32', excl: F_PROBABILITY, also: F_EVERY },
  ],
  init: () => ({ kind: 'statistic', mode: XT_STATISTIC_MODE_RANDOM, invert: false, probability: 0, every: 0, packet: 0, count: 0 }),
  parse(cb, m) {
    if (cb.invert) m.invert = true;
    optionParse(cb);
    switch (cb.entry.id) {
      case 0:
        if (cb.arg === 'random') m.mode = XT_STATISTIC_MODE_RANDOM;
        else if (cb.arg === 'nth') m.mode = XT_STATISTIC_MODE_NTH;
        else xtError(PARAMETER_PROBLEM, `Bad mode "${cb.arg}"`);
        break;
      case 1: {
        const p = strtod(cb.arg ?? '');
        if (p === undefined || p < 0 || p > 1) xtError(PARAMETER_PROBLEM, 'statistic: bad value for option "--probability", or out of range (0-1).\n');
        m.probability = Number.isNaN(p) ? 0 : Math.round(0x80000000 * p) >>> 0;
        break;
      }
      case 2:
        m.every = (cb.val.u - 1) >>> 0;
        break;
      case 3:
        m.packet = cb.val.u;
    }
  },
  fcheck(xflags, m) {
    if (m.mode === XT_STATISTIC_MODE_RANDOM && !(xflags & F_PROBABILITY)) xtError(PARAMETER_PROBLEM, '--probability must be specified when using random mode');
    if (m.mode === XT_STATISTIC_MODE_NTH && !(xflags & (F_EVERY | F_PACKET))) xtError(PARAMETER_PROBLEM, '--every and --packet must be specified when using nth mode');
    if (m.packet > m.every) xtError(PARAMETER_PROBLEM, 'the --packet p must be 0 <= p <= n-1');
    m.count = (m.every - m.packet) >>> 0;
  },
  print: (m) => ' statistic' + statisticText(m, ''),
  save: (m) => statisticText(m, '--'),
};

const F_ANY_OP = 0x0f;
const RECENT_OPS: ReadonlyArray<[number, string, string]> = [
  [XT_RECENT_SET, 'SET', 'set'], [XT_RECENT_CHECK, 'CHECK', 'rcheck'], [XT_RECENT_UPDATE, 'UPDATE', 'update'], [XT_RECENT_REMOVE, 'REMOVE', 'remove'],
];

export const recent: Extension<RecentMatch> = {
  name: 'recent',
  options: [
    { name: 'set', id: 0, type: 'none', excl: F_ANY_OP, flags: XTOPT_INVERT },
    { name: 'rcheck', id: 1, type: 'none', excl: F_ANY_OP, flags: XTOPT_INVERT },
    { name: 'update', id: 2, type: 'none', excl: F_ANY_OP, flags: XTOPT_INVERT },
    { name: 'remove', id: 3, type: 'none', excl: F_ANY_OP, flags: XTOPT_INVERT },
    { name: 'seconds', id: 4, type: 'uint32', min: 1 },
    { name: 'reap', id: 5, type: 'none', also: 1 << 4 },
    { name: 'hitcount', id: 6, type: 'uint32' },
    { name: 'rttl', id: 7, type: 'none', excl: 1 | 8 },
    { name: 'name', id: 8, type: 'string', size: 200 },
    { name: 'rsource', id: 9, type: 'none' },
    { name: 'rdest', id: 10, type: 'none' },
    { name: 'mask', id: 11, type: 'string' },
  ],
  init: () => ({ kind: 'recent', seconds: 0, hitCount: 0, checkSet: 0, invert: false, name: 'DEFAULT', side: XT_RECENT_SOURCE, mask: 0xffffffff }),
  parse(cb, m) {
    optionParse(cb);
    const id = cb.entry.id;
    if (id <= 3) {
      m.checkSet |= RECENT_OPS[id][0];
      if (cb.invert) m.invert = true;
      return;
    }
    switch (id) {
      case 4:
        m.seconds = cb.val.u;
        break;
      case 5:
        m.checkSet |= XT_RECENT_REAP;
        break;
      case 6:
        m.hitCount = cb.val.u;
        break;
      case 7:
        m.checkSet |= XT_RECENT_TTL;
        break;
      case 8:
        m.name = cb.val.str;
        break;
      case 9:
        m.side = XT_RECENT_SOURCE;
        break;
      case 10:
        m.side = XT_RECENT_DEST;
        break;
      case 11: {
        // getaddrinfo: a number, a name of /etc/hosts, else no DNS answers (a fresh namespace).
        const a = inetAton(cb.arg ?? '') ?? hostByName(cb.arg ?? '')[0];
        if (a === undefined) xtError(PARAMETER_PROBLEM, 'getaddrinfo: Temporary failure in name resolution\n');
        m.mask = a;
      }
    }
  },
  fcheck(xflags) {
    if (!(xflags & F_ANY_OP)) xtError(PARAMETER_PROBLEM, "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
  },
  print(m) {
    let s = m.invert ? ' !' : '';
    s += ' recent:';
    for (const [bit, label] of RECENT_OPS) if (m.checkSet & bit) s += ` ${label}`;
    if (m.seconds) s += ` seconds: ${m.seconds | 0}`;
    if (m.checkSet & XT_RECENT_REAP) s += ' reap';
    if (m.hitCount) s += ` hit_count: ${m.hitCount | 0}`;
    if (m.checkSet & XT_RECENT_TTL) s += ' TTL-Match';
    s += ` name: ${m.name}`;
    s += m.side === XT_RECENT_DEST ? ' side: dest' : ' side: source';
    return s + ` mask: ${ipToString(m.mask)}`;
  },
  save(m) {
    let s = m.invert ? ' !' : '';
    for (const [bit, , opt] of RECENT_OPS) if (m.checkSet & bit) s += ` --${opt}`;
    if (m.seconds) s += ` --seconds ${m.seconds | 0}`;
    if (m.checkSet & XT_RECENT_REAP) s += ' --reap';
    if (m.hitCount) s += ` --hitcount ${m.hitCount | 0}`;
    if (m.checkSet & XT_RECENT_TTL) s += ' --rttl';
    s += ` --name ${m.name} --mask ${ipToString(m.mask)}`;
    return s + (m.side === XT_RECENT_DEST ? ' --rdest' : ' --rsource');
  },
};

export const connmark: Extension<ConnmarkMatch> = {
  name: 'connmark',
  options: [{ name: 'mark', id: 0, type: 'markmask32', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'connmark', mark: 0, mask: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    if (cb.invert) m.invert = true;
    m.mark = cb.val.mark;
    m.mask = cb.val.mask;
  },
  print: (m) => ` connmark match ${m.invert ? '!' : ''}${valMask(m.mark, m.mask)}`,
  save: (m) => `${m.invert ? ' !' : ''} --mark${valMask(m.mark, m.mask)}`,
};

/** supported_types of libxt_pkttype (the first name of a value is the printed one). */
const PKTTYPES: ReadonlyArray<[string, number]> = [
  ['unicast', 0], ['broadcast', 1], ['multicast', 2], ['otherhost', 3], ['bcast', 1], ['mcast', 2], ['host', 0],
];

function pkttypeName(t: number): string {
  return PKTTYPES.find(([, v]) => v === t)?.[0] ?? String(t);
}

export const pkttype: Extension<PkttypeMatch> = {
  name: 'pkttype',
  options: [{ name: 'pkt-type', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'pkttype', pktType: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    const arg = cb.arg ?? '';
    const t = PKTTYPES.find(([n]) => n === arg.toLowerCase());
    if (!t) xtError(PARAMETER_PROBLEM, `Bad packet type '${arg}'`);
    m.pktType = t[1];
    if (cb.invert) m.invert = true;
  },
  print: (m) => ` PKTTYPE ${m.invert ? '!' : ''}= ${pkttypeName(m.pktType)}`,
  save: (m) => `${m.invert ? ' !' : ''} --pkt-type ${pkttypeName(m.pktType)}`,
};

function lengthText(m: LengthMatch): string {
  return m.min === m.max ? `${m.min}` : `${m.min}:${m.max}`;
}

export const length: Extension<LengthMatch> = {
  name: 'length',
  options: [{ name: 'length', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'length', min: 0, max: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    const r = parseU16Range(cb);
    m.min = r[0];
    m.max = r.length >= 2 ? r[1] : r[0];
    if (cb.invert) m.invert = true;
  },
  print: (m) => ` length ${m.invert ? '!' : ''}${lengthText(m)}`,
  save: (m) => `${m.invert ? ' !' : ''} --length ${lengthText(m)}`,
};

const TTL_PRINT = ['TTL ==', 'TTL !=', 'TTL <', 'TTL >'];
const TTL_SAVE = [' --ttl-eq', ' ! --ttl-eq', ' --ttl-lt', ' --ttl-gt'];

export const ttl: Extension<TtlMatch> = {
  name: 'ttl',
  options: [
    { name: 'ttl-lt', id: 1, type: 'uint8', excl: 7 },
    { name: 'ttl-gt', id: 2, type: 'uint8', excl: 7 },
    { name: 'ttl-eq', id: 0, type: 'uint8', excl: 7, flags: XTOPT_INVERT },
    { name: 'ttl', id: 0, type: 'uint8', excl: 7 },
  ],
  init: () => ({ kind: 'ttl', mode: IPT_TTL_EQ, ttl: 0 }),
  parse(cb, m) {
    optionParse(cb);
    m.ttl = cb.val.u;
    m.mode = cb.entry.id === 0 ? (cb.invert ? IPT_TTL_NE : IPT_TTL_EQ) : cb.entry.id === 1 ? IPT_TTL_LT : IPT_TTL_GT;
  },
  fcheck(xflags) {
    if (!(xflags & 7)) xtError(PARAMETER_PROBLEM, "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
  },
  print: (m) => ` TTL match ${TTL_PRINT[m.mode] ?? ''} ${m.ttl}`,
  save: (m) => `${TTL_SAVE[m.mode] ?? ''} ${m.ttl}`,
};
