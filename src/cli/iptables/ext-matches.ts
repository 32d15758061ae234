// The addrtype, comment, mark, multiport, iprange, limit and physdev matches.
import {
  IPRANGE_DST, IPRANGE_DST_INV, IPRANGE_SRC, IPRANGE_SRC_INV, IPT_INV_PROTO, RTN_NAMES, XT_ADDRTYPE_INVERT_DEST,
  XT_ADDRTYPE_INVERT_SOURCE, XT_ADDRTYPE_LIMIT_IFACE_IN, XT_ADDRTYPE_LIMIT_IFACE_OUT, XT_LIMIT_SCALE, XT_MULTIPORT_DESTINATION,
  XT_MULTIPORT_EITHER, XT_MULTIPORT_SOURCE, XT_PHYSDEV_OP_BRIDGED, XT_PHYSDEV_OP_IN, XT_PHYSDEV_OP_ISIN, XT_PHYSDEV_OP_ISOUT,
  XT_PHYSDEV_OP_OUT,
  type AddrtypeMatch, type CommentMatch, type IprangeMatch, type LimitMatch, type MarkMatch, type MultiportMatch, type PhysdevMatch,
  type PortRange,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_INVERT, XTOPT_MAND, optionParse, type Extension } from './ext.ts';
import { serviceByPort } from './netdb.ts';
import { PARAMETER_PROBLEM, ipToString, numericToIp, parseInterface, parsePort, saveString, valMask, xtError } from './xtables.ts';

function parseTypes(arg: string): number {
  let mask = 0;
  const one = (tok: string): boolean => {
    const i = RTN_NAMES.findIndex((n) => n.toLowerCase().startsWith(tok.toLowerCase()));
    if (i < 0) return false;
    mask |= 1 << i;
    return true;
  };
  let rest = arg;
  for (let comma = rest.indexOf(','); comma >= 0; comma = rest.indexOf(',')) {
    if (comma === 0 || !one(rest.slice(0, comma))) xtError(PARAMETER_PROBLEM, `addrtype: bad type \`${rest}'`);
    rest = rest.slice(comma + 1);
  }
  if (rest === '' || !one(rest)) xtError(PARAMETER_PROBLEM, `addrtype: bad type "${rest}"`);
  return mask;
}

function types(mask: number): string {
  return RTN_NAMES.filter((_n, i) => mask & (1 << i)).join(',');
}

export const addrtype: Extension<AddrtypeMatch> = {
  name: 'addrtype',
  options: [
    { name: 'src-type', id: 0, type: 'string', flags: XTOPT_INVERT },
    { name: 'dst-type', id: 1, type: 'string', flags: XTOPT_INVERT },
    { name: 'limit-iface-in', id: 2, type: 'none', excl: 1 << 3 },
    { name: 'limit-iface-out', id: 3, type: 'none', excl: 1 << 2 },
  ],
  init: () => ({ kind: 'addrtype', source: 0, dest: 0, flags: 0 }),
  parse(cb, m) {
    optionParse(cb);
    switch (cb.entry.id) {
      case 0:
        m.source |= parseTypes(cb.arg ?? '');
        if (cb.invert) m.flags |= XT_ADDRTYPE_INVERT_SOURCE;
        break;
      case 1:
        m.dest |= parseTypes(cb.arg ?? '');
        if (cb.invert) m.flags |= XT_ADDRTYPE_INVERT_DEST;
        break;
      case 2:
        m.flags |= XT_ADDRTYPE_LIMIT_IFACE_IN;
        break;
      case 3:
        m.flags |= XT_ADDRTYPE_LIMIT_IFACE_OUT;
    }
  },
  fcheck(xflags) {
    if (!(xflags & 3)) xtError(PARAMETER_PROBLEM, 'addrtype: you must specify --src-type or --dst-type');
  },
  print(m) {
    let s = ' ADDRTYPE match';
    if (m.source) s += ` src-type ${m.flags & XT_ADDRTYPE_INVERT_SOURCE ? '!' : ''}${types(m.source)}`;
    if (m.dest) s += ` dst-type ${m.flags & XT_ADDRTYPE_INVERT_DEST ? '!' : ''}${types(m.dest)}`;
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_IN) s += ' limit-in';
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT) s += ' limit-out';
    return s;
  },
  save(m) {
    let s = '';
    if (m.source) s += `${m.flags & XT_ADDRTYPE_INVERT_SOURCE ? ' !' : ''} --src-type ${types(m.source)}`;
    if (m.dest) s += `${m.flags & XT_ADDRTYPE_INVERT_DEST ? ' !' : ''} --dst-type ${types(m.dest)}`;
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_IN) s += ' --limit-iface-in';
    if (m.flags & XT_ADDRTYPE_LIMIT_IFACE_OUT) s += ' --limit-iface-out';
    return s;
  },
};

export const comment: Extension<CommentMatch> = {
  name: 'comment',
  options: [{ name: 'comment', id: 0, type: 'string', flags: XTOPT_MAND, size: 256 }],
  init: () => ({ kind: 'comment', comment: '' }),
  parse(cb, m) {
    optionParse(cb);
    m.comment = cb.val.str;
  },
  print: (m) => ` /* ${m.comment} */`,
  save: (m) => ` --comment${saveString(m.comment)}`,
};

export const mark: Extension<MarkMatch> = {
  name: 'mark',
  options: [{ name: 'mark', id: 0, type: 'markmask32', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'mark', mark: 0, mask: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    if (cb.invert) m.invert = true;
    m.mark = cb.val.mark;
    m.mask = cb.val.mask;
  },
  print: (m) => ` mark match${m.invert ? ' !' : ''}${valMask(m.mark, m.mask)}`,
  save: (m) => `${m.invert ? ' !' : ''} --mark${valMask(m.mark, m.mask)}`,
};

const MP_PROTOS: Record<number, string> = { 6: 'tcp', 17: 'udp', 136: 'udplite', 132: 'sctp', 33: 'dccp' };

export const multiport: Extension<MultiportMatch> = {
  name: 'multiport',
  options: [
    { name: 'source-ports', id: 0, type: 'string', excl: 7, flags: XTOPT_INVERT },
    { name: 'sports', id: 0, type: 'string', excl: 7, flags: XTOPT_INVERT },
    { name: 'destination-ports', id: 1, type: 'string', excl: 7, flags: XTOPT_INVERT },
    { name: 'dports', id: 1, type: 'string', excl: 7, flags: XTOPT_INVERT },
    { name: 'ports', id: 2, type: 'string', excl: 7, flags: XTOPT_INVERT },
  ],
  init: () => ({ kind: 'multiport', flags: 0, ports: [], invert: false }),
  parse(cb, m) {
    optionParse(cb);
    if (cb.rule.invflags & IPT_INV_PROTO) xtError(PARAMETER_PROBLEM, 'multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
    const proto = MP_PROTOS[cb.rule.proto];
    if (!proto) {
      if (!cb.rule.proto) xtError(PARAMETER_PROBLEM, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
      xtError(PARAMETER_PROBLEM, 'multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
    }
    const items = (cb.arg ?? '').split(',');
    const ports: PortRange[] = [];
    let slots = 0;
    for (const item of items) {
      if (slots >= 15) xtError(PARAMETER_PROBLEM, 'too many ports specified');
      const colon = item.indexOf(':');
      if (colon >= 0 && slots === 14) xtError(PARAMETER_PROBLEM, 'too many ports specified');
      const lo = parsePort(colon >= 0 ? item.slice(0, colon) : item, proto);
      if (colon < 0) {
        ports.push([lo, lo]);
        slots++;
        continue;
      }
      const hi = parsePort(item.slice(colon + 1), proto);
      if (lo >= hi) xtError(PARAMETER_PROBLEM, 'invalid portrange specified');
      ports.push([lo, hi]);
      slots += 2;
    }
    m.ports = ports;
    m.flags = [XT_MULTIPORT_SOURCE, XT_MULTIPORT_DESTINATION, XT_MULTIPORT_EITHER][cb.entry.id];
    if (cb.invert) m.invert = true;
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'multiport expection an option');
  },
  print(m, rule, numeric) {
    const proto = MP_PROTOS[rule.proto];
    const port = (p: number) => (numeric || !proto ? undefined : serviceByPort(p, proto)) ?? String(p);
    const list = m.ports.map(([lo, hi]) => (lo === hi ? port(lo) : `${port(lo)}:${port(hi)}`)).join(',');
    return ` multiport ${['sports', 'dports', 'ports'][m.flags] ?? 'ERROR'} ${m.invert ? ' !' : ''}${list}`;
  },
  save(m) {
    const list = m.ports.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}:${hi}`)).join(',');
    return `${m.invert ? ' !' : ''} --${['sports', 'dports', 'ports'][m.flags]} ${list}`;
  },
};

function parseRange(arg: string, opt: string, warn: (t: string) => void): [number, number] {
  const dash = arg.indexOf('-');
  const from = dash < 0 ? arg : arg.slice(0, dash);
  const to = dash < 0 ? arg : arg.slice(dash + 1);
  const lo = numericToIp(from, false);
  if (lo === undefined) xtError(PARAMETER_PROBLEM, `iprange: Bad value for "${opt}" option: "${from}"`);
  const hi = numericToIp(to, false);
  if (hi === undefined) xtError(PARAMETER_PROBLEM, `iprange: Bad value for "${opt}" option: "${to}"`);
  if (dash >= 0 && lo > hi) warn(`xt_iprange: range ${from}-${to} is reversed and will never match\n`);
  return [lo, hi];
}

export const iprange: Extension<IprangeMatch> = {
  name: 'iprange',
  options: [
    { name: 'src-range', id: 0, type: 'string', flags: XTOPT_INVERT },
    { name: 'dst-range', id: 1, type: 'string', flags: XTOPT_INVERT },
  ],
  init: () => ({ kind: 'iprange', flags: 0, srcMin: 0, srcMax: 0, dstMin: 0, dstMax: 0 }),
  parse(cb, m) {
    optionParse(cb);
    if (cb.entry.id === 0) {
      [m.srcMin, m.srcMax] = parseRange(cb.arg ?? '', '--src-range', cb.warn);
      m.flags |= IPRANGE_SRC | (cb.invert ? IPRANGE_SRC_INV : 0);
    } else {
      [m.dstMin, m.dstMax] = parseRange(cb.arg ?? '', '--dst-range', cb.warn);
      m.flags |= IPRANGE_DST | (cb.invert ? IPRANGE_DST_INV : 0);
    }
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, "iprange match: You must specify `--src-range' or `--dst-range'");
  },
  print(m) {
    let s = '';
    if (m.flags & IPRANGE_SRC) s += ` source IP range${m.flags & IPRANGE_SRC_INV ? ' !' : ''} ${ipToString(m.srcMin)}-${ipToString(m.srcMax)}`;
    if (m.flags & IPRANGE_DST) s += ` destination IP range${m.flags & IPRANGE_DST_INV ? ' !' : ''} ${ipToString(m.dstMin)}-${ipToString(m.dstMax)}`;
    return s;
  },
  save(m) {
    let s = '';
    if (m.flags & IPRANGE_SRC) s += `${m.flags & IPRANGE_SRC_INV ? ' !' : ''} --src-range ${ipToString(m.srcMin)}-${ipToString(m.srcMax)}`;
    if (m.flags & IPRANGE_DST) s += `${m.flags & IPRANGE_DST_INV ? ' !' : ''} --dst-range ${ipToString(m.dstMin)}-${ipToString(m.dstMax)}`;
    return s;
  },
};

/** parse_rate: `N[/second|minute|hour|day]` (any prefix of the unit) to XT_LIMIT_SCALE units. */
function parseRate(rate: string): number | undefined {
  const slash = rate.indexOf('/');
  let mult = 1;
  if (slash >= 0) {
    const unit = rate.slice(slash + 1).toLowerCase();
    if (unit === '') return undefined;
    const m = ([['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const).find(([n]) => n.startsWith(unit));
    if (!m) return undefined;
    mult = m[1];
  }
  const r = parseInt(/^\s*[+-]?\d+/.exec(rate)?.[0] ?? '0', 10) >>> 0;
  if (!r) return undefined;
  const avg = Math.floor((XT_LIMIT_SCALE * mult) / r);
  if (avg === 0) xtError(PARAMETER_PROBLEM, `Rate too fast "${rate}"`);
  return avg;
}

const RATES: ReadonlyArray<[string, number]> = [['day', XT_LIMIT_SCALE * 86400], ['hour', XT_LIMIT_SCALE * 3600], ['min', XT_LIMIT_SCALE * 60], ['sec', XT_LIMIT_SCALE]];

function rateUnit(avg: number): number {
  let i = 1;
  for (; i < RATES.length; i++) {
    const mult = RATES[i][1];
    if (avg > mult || Math.floor(mult / avg) < mult % avg) break;
  }
  return i - 1;
}

/** The average after the round trip through nftables' limit expression (rate per unit). */
export function nftLimitAvg(avg: number): number {
  const mult = RATES[rateUnit(avg)][1];
  const rate = Math.floor(mult / avg);
  return Math.floor((XT_LIMIT_SCALE * (mult / XT_LIMIT_SCALE)) / rate);
}

function printRate(avg: number): string {
  if (avg === 0) return ' inf';
  const [name, mult] = RATES[rateUnit(avg)];
  return ` ${Math.floor(mult / avg)}/${name}`;
}

export const limit: Extension<LimitMatch> = {
  name: 'limit',
  options: [
    { name: 'limit', id: 0, type: 'string' },
    { name: 'limit-burst', id: 1, type: 'uint32', min: 0, max: 10000 },
  ],
  init: () => ({ kind: 'limit', avg: parseRate('3/hour') as number, burst: 5 }),
  parse(cb, m) {
    optionParse(cb);
    if (cb.entry.id === 0) {
      const avg = parseRate(cb.arg ?? '');
      if (avg === undefined) xtError(PARAMETER_PROBLEM, `bad rate "${cb.arg}"'`);
      m.avg = avg;
    } else {
      m.burst = cb.val.u;
    }
  },
  print: (m) => ` limit: avg${printRate(m.avg)} burst ${m.burst}`,
  save: (m) => ` --limit${printRate(m.avg)}${m.burst !== 5 ? ` --limit-burst ${m.burst}` : ''}`,
};

export const physdev: Extension<PhysdevMatch> = {
  name: 'physdev',
  options: [
    { name: 'physdev-in', id: 0, type: 'string', flags: XTOPT_INVERT, size: 16 },
    { name: 'physdev-out', id: 1, type: 'string', flags: XTOPT_INVERT, size: 16 },
    { name: 'physdev-is-in', id: 2, type: 'none', flags: XTOPT_INVERT },
    { name: 'physdev-is-out', id: 3, type: 'none', flags: XTOPT_INVERT },
    { name: 'physdev-is-bridged', id: 4, type: 'none', flags: XTOPT_INVERT },
  ],
  init: () => ({ kind: 'physdev', physindev: '', physoutdev: '', bitmask: 0, invert: 0 }),
  parse(cb, m) {
    optionParse(cb);
    const bit = [XT_PHYSDEV_OP_IN, XT_PHYSDEV_OP_OUT, XT_PHYSDEV_OP_ISIN, XT_PHYSDEV_OP_ISOUT, XT_PHYSDEV_OP_BRIDGED][cb.entry.id];
    if (cb.entry.id === 0 || cb.entry.id === 1) {
      parseInterface(cb.arg ?? '', cb.warn);
      if (cb.entry.id === 0) m.physindev = cb.val.str;
      else m.physoutdev = cb.val.str;
    }
    m.bitmask |= bit;
    if (cb.invert) m.invert |= bit;
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'PHYSDEV: no physdev option specified');
  },
  print: (m) => ' PHYSDEV match' + physdevOpts(m),
  save: (m) => physdevOpts(m),
};

function physdevOpts(m: PhysdevMatch): string {
  const inv = (bit: number) => (m.invert & bit ? ' !' : '');
  let s = '';
  if (m.bitmask & XT_PHYSDEV_OP_ISIN) s += `${inv(XT_PHYSDEV_OP_ISIN)} --physdev-is-in`;
  if (m.bitmask & XT_PHYSDEV_OP_IN) s += `${inv(XT_PHYSDEV_OP_IN)} --physdev-in ${m.physindev}`;
  if (m.bitmask & XT_PHYSDEV_OP_ISOUT) s += `${inv(XT_PHYSDEV_OP_ISOUT)} --physdev-is-out`;
  if (m.bitmask & XT_PHYSDEV_OP_OUT) s += `${inv(XT_PHYSDEV_OP_OUT)} --physdev-out ${m.physoutdev}`;
  if (m.bitmask & XT_PHYSDEV_OP_BRIDGED) s += `${inv(XT_PHYSDEV_OP_BRIDGED)} --physdev-is-bridged`;
  return s;
}
