// TCPMSS, CHECKSUM, TOS, DSCP, TTL, NFLOG, NFQUEUE, TRACE, SET, CLASSIFY and AUDIT (libxt_TCPMSS.c,
// libxt_CHECKSUM.c, libxt_TOS.c, libxt_DSCP.c, libipt_TTL.c, libxt_NFLOG.c, libxt_NFQUEUE.c,
// libxt_TRACE.c, libxt_SET.c, libxt_CLASSIFY.c, libxt_AUDIT.c), as iptables-nft 1.8.9 prints
// the rules it reads back from the kernel (fixtures/iptables/targets-more*.txt).
import {
  IPT_TTL_DEC, IPT_TTL_INC, IPT_TTL_SET, NFQ_FLAG_BYPASS, NFQ_FLAG_CPU_FANOUT, XT_NFLOG_F_COPY_LEN, XT_TCPMSS_CLAMP_PMTU,
  type Target,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_MAND, optionParse, type Extension } from './ext.ts';
import { PARAMETER_PROBLEM, TOS_NAMES, TOS_SYMBOL_MASK, parseTosmask, saveString, xtError, xtStrtoul } from './xtables.ts';

type TargetOf<K extends Target['kind']> = Extract<Target, { kind: K }>;

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export const TCPMSS: Extension<TargetOf<'TCPMSS'>> = {
  name: 'TCPMSS',
  options: [
    { name: 'set-mss', id: 0, type: 'uint16', max: 65515 },
    { name: 'clamp-mss-to-pmtu', id: 1, type: 'none' },
  ],
  init: () => ({ kind: 'TCPMSS', mss: 0 }),
  parse(cb, t) {
    optionParse(cb);
    t.mss = cb.entry.id === 1 ? XT_TCPMSS_CLAMP_PMTU : cb.val.u;
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'TCPMSS target: At least one parameter is required');
  },
  print: (t) => (t.mss === XT_TCPMSS_CLAMP_PMTU ? ' TCPMSS clamp to PMTU' : ` TCPMSS set ${t.mss}`),
  save: (t) => (t.mss === XT_TCPMSS_CLAMP_PMTU ? ' --clamp-mss-to-pmtu' : ` --set-mss ${t.mss}`),
};

export const CHECKSUM: Extension<TargetOf<'CHECKSUM'>> = {
  name: 'CHECKSUM',
  options: [{ name: 'checksum-fill', id: 0, type: 'none', flags: XTOPT_MAND }],
  init: () => ({ kind: 'CHECKSUM', operation: 0 }),
  parse(cb, t) {
    optionParse(cb);
    t.operation = 1;
  },
  print: (t) => (t.operation & 1 ? ' CHECKSUM fill' : ' CHECKSUM'),
  save: (t) => (t.operation & 1 ? ' --checksum-fill' : ''),
};

export const TOS: Extension<TargetOf<'TOS'>> = {
  name: 'TOS',
  options: [
    { name: 'set-tos', id: 0, type: 'string', excl: 0xf },
    { name: 'and-tos', id: 1, type: 'uint8', excl: 0xf },
    { name: 'or-tos', id: 2, type: 'uint8', excl: 0xf },
    { name: 'xor-tos', id: 3, type: 'uint8', excl: 0xf },
  ],
  init: () => ({ kind: 'TOS', value: 0, mask: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const u = cb.val.u;
    switch (cb.entry.id) {
      case 0: ({ value: t.value, mask: t.mask } = parseTosmask(cb.arg ?? '')); break;
      case 1: [t.value, t.mask] = [0, ~u & 0xff]; break;
      case 2: [t.value, t.mask] = [u, u]; break;
      case 3: [t.value, t.mask] = [u, 0]; break;
    }
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'TOS: An action is required');
  },
  print(t, _r, numeric) {
    if (numeric) return ` TOS set ${hex2(t.value)}/${hex2(t.mask)}`;
    const name = t.mask === TOS_SYMBOL_MASK ? TOS_NAMES.find(([, v]) => v === t.value) : undefined;
    // tos_try_print_symbolic prints " %s%s" with the prefix " TOS set": two spaces, none after.
    if (name) return `  TOS set${name[0]}`;
    if (t.value === 0) return ` TOS and ${hex2(~t.mask & 0xff)}`;
    if (t.value === t.mask) return ` TOS or ${hex2(t.value)}`;
    if (t.mask === 0) return ` TOS xor ${hex2(t.value)}`;
    return ` TOS set ${hex2(t.value)}/${hex2(t.mask)}`;
  },
  save: (t) => ` --set-tos ${hex2(t.value)}/${hex2(t.mask)}`,
};

/** ds_classes (libxt_dscp_helper.c). */
const DSCP_CLASSES: ReadonlyArray<[string, number]> = [
  ['CS0', 0x00], ['CS1', 0x08], ['CS2', 0x10], ['CS3', 0x18], ['CS4', 0x20], ['CS5', 0x28], ['CS6', 0x30], ['CS7', 0x38],
  ['BE', 0x00], ['AF11', 0x0a], ['AF12', 0x0c], ['AF13', 0x0e], ['AF21', 0x12], ['AF22', 0x14], ['AF23', 0x16],
  ['AF31', 0x1a], ['AF32', 0x1c], ['AF33', 0x1e], ['AF41', 0x22], ['AF42', 0x24], ['AF43', 0x26], ['EF', 0x2e],
];

/** class_to_dscp: strncasecmp over each class name's length. */
export function dscpClass(name: string): number {
  const up = name.toUpperCase();
  const c = DSCP_CLASSES.find(([n]) => up.slice(0, n.length) === n);
  if (!c) xtError(PARAMETER_PROBLEM, `Invalid DSCP value \`${name}'`);
  return c[1];
}

export const DSCP: Extension<TargetOf<'DSCP'>> = {
  name: 'DSCP',
  options: [
    { name: 'set-dscp', id: 0, type: 'uint8', max: 0x3f, excl: 1 << 1 },
    { name: 'set-dscp-class', id: 1, type: 'string', excl: 1 << 0 },
  ],
  init: () => ({ kind: 'DSCP', dscp: 0 }),
  parse(cb, t) {
    optionParse(cb);
    t.dscp = cb.entry.id === 0 ? cb.val.u : dscpClass(cb.arg ?? '');
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'DSCP target: Parameter --set-dscp is required');
  },
  print: (t) => ` DSCP set ${hex2(t.dscp)}`,
  save: (t) => ` --set-dscp ${hex2(t.dscp)}`,
};

const TTL_MODES = [
  [IPT_TTL_SET, 'set to', 'ttl-set'],
  [IPT_TTL_INC, 'increment by', 'ttl-inc'],
  [IPT_TTL_DEC, 'decrement by', 'ttl-dec'],
] as const;

export const TTL: Extension<TargetOf<'TTL'>> = {
  name: 'TTL',
  options: [
    { name: 'ttl-set', id: IPT_TTL_SET, type: 'uint8', excl: 7 },
    { name: 'ttl-dec', id: IPT_TTL_DEC, type: 'uint8', min: 1, excl: 7 },
    { name: 'ttl-inc', id: IPT_TTL_INC, type: 'uint8', min: 1, excl: 7 },
  ],
  init: () => ({ kind: 'TTL', mode: IPT_TTL_SET, ttl: 0 }),
  parse(cb, t) {
    optionParse(cb);
    t.mode = cb.entry.id;
    t.ttl = cb.val.u;
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'TTL: You must specify an action');
  },
  print: (t) => ` TTL ${TTL_MODES[t.mode]?.[1] ?? 'set to'} ${t.ttl}`,
  save: (t) => ` --${TTL_MODES[t.mode]?.[2] ?? 'ttl-set'} ${t.ttl}`,
};

const NF = { group: 0, prefix: 1, range: 2, size: 3, threshold: 4 };

function nflogText(t: TargetOf<'NFLOG'>, pfx: string): string {
  let s = t.prefix ? ` ${pfx}nflog-prefix${saveString(t.prefix)}` : '';
  if (t.group) s += ` ${pfx}nflog-group ${t.group}`;
  if (t.flags & XT_NFLOG_F_COPY_LEN) s += ` ${pfx}nflog-size ${t.len}`;
  else if (t.len) s += ` ${pfx}nflog-range ${t.len}`;
  if (t.threshold) s += ` ${pfx}nflog-threshold ${t.threshold}`;
  return s;
}

export const NFLOG: Extension<TargetOf<'NFLOG'>> = {
  name: 'NFLOG',
  options: [
    { name: 'nflog-group', id: NF.group, type: 'uint16' },
    { name: 'nflog-prefix', id: NF.prefix, type: 'string', min: 1 },
    { name: 'nflog-range', id: NF.range, type: 'uint32', excl: 1 << NF.size },
    { name: 'nflog-size', id: NF.size, type: 'uint32', excl: 1 << NF.range },
    { name: 'nflog-threshold', id: NF.threshold, type: 'uint16' },
  ],
  init: () => ({ kind: 'NFLOG', group: 0, prefix: '', len: 0, flags: 0, threshold: 0 }),
  parse(cb, t) {
    optionParse(cb);
    switch (cb.entry.id) {
      case NF.group: t.group = cb.val.u; break;
      case NF.prefix:
        if (cb.val.str.includes('\n')) xtError(PARAMETER_PROBLEM, 'Newlines not allowed in --log-prefix');
        t.prefix = cb.val.str;
        break;
      // Accepted and dropped: the kernel never honoured it (iptables-nft sends no length).
      case NF.range: cb.warn('warn: --nflog-range has never worked and is no longer supported, please use --nflog-size instead\n'); break;
      case NF.size: t.len = cb.val.u; t.flags |= XT_NFLOG_F_COPY_LEN; break;
      case NF.threshold: t.threshold = cb.val.u; break;
    }
  },
  print: (t) => nflogText(t, ''),
  save: (t) => nflogText(t, '--'),
};

const NQ = { num: 0, balance: 1, bypass: 2, fanout: 3 };

/** XTTYPE_UINT16RC: up to two `:`-separated values, an empty one being 0 (first) or 65535. */
function parseU16Range(arg: string, opt: string): number[] {
  const range: number[] = [];
  let rest = arg;
  for (;;) {
    if (range.length === 2) xtError(PARAMETER_PROBLEM, `NFQUEUE: Too many components for option "--${opt}" (max: 2)\n`);
    let end: string;
    if (rest === '' || rest[0] === ':') {
      range.push(range.length === 1 ? 0xffff : 0);
      end = rest;
    } else {
      const v = xtStrtoul(rest, 0, 0xffff, true);
      if (!v) xtError(PARAMETER_PROBLEM, `NFQUEUE: bad value for option "--${opt}" near "${rest}", or out of range (0-65535).\n`);
      end = rest.slice(v.end);
      if (end !== '' && end[0] !== ':') xtError(PARAMETER_PROBLEM, `NFQUEUE: Argument to "--${opt}" has unexpected characters near "${end}".\n`);
      range.push(v.value);
    }
    if (end === '') return range;
    rest = end.slice(1);
  }
}

function nfqueueText(t: TargetOf<'NFQUEUE'>, save: boolean): string {
  let s: string;
  if (t.total > 1) s = `${save ? ' --queue-balance' : ' NFQUEUE balance'} ${t.queuenum}:${t.queuenum + t.total - 1}`;
  else s = `${save ? ' --queue-num' : ' NFQUEUE num'} ${t.queuenum}`;
  if (t.flags & NFQ_FLAG_BYPASS) s += save ? ' --queue-bypass' : ' bypass';
  if (t.flags & NFQ_FLAG_CPU_FANOUT) s += save ? ' --queue-cpu-fanout' : ' cpu-fanout';
  return s;
}

export const NFQUEUE: Extension<TargetOf<'NFQUEUE'>> = {
  name: 'NFQUEUE',
  options: [
    { name: 'queue-num', id: NQ.num, type: 'uint16', excl: 1 << NQ.balance },
    { name: 'queue-balance', id: NQ.balance, type: 'string', excl: 1 << NQ.num },
    { name: 'queue-bypass', id: NQ.bypass, type: 'none' },
    { name: 'queue-cpu-fanout', id: NQ.fanout, type: 'none', also: 1 << NQ.balance },
  ],
  init: () => ({ kind: 'NFQUEUE', queuenum: 0, total: 1, flags: 0 }),
  parse(cb, t) {
    optionParse(cb);
    switch (cb.entry.id) {
      case NQ.num: t.queuenum = cb.val.u; break;
      case NQ.balance: {
        const arg = cb.arg ?? '';
        const r = parseU16Range(arg, cb.entry.name);
        if (r.length !== 2) xtError(PARAMETER_PROBLEM, `Bad range "${arg}"`);
        if (r[0] >= r[1]) xtError(PARAMETER_PROBLEM, `${r[0]} should be less than ${r[1]}`);
        t.queuenum = r[0];
        t.total = r[1] - r[0] + 1;
        break;
      }
      case NQ.bypass: t.flags |= NFQ_FLAG_BYPASS; break;
      case NQ.fanout: t.flags |= NFQ_FLAG_CPU_FANOUT; break;
    }
  },
  print: (t) => nfqueueText(t, false),
  save: (t) => nfqueueText(t, true),
};

export const TRACE: Extension<TargetOf<'TRACE'>> = {
  name: 'TRACE',
  options: [],
  init: () => ({ kind: 'TRACE' }),
  parse() {},
  print: () => '',
  save: () => '',
};

const IPSET_MAXNAMELEN = 32;
const SET_OPT = { add: 0, del: 1, map: 2, timeout: 3, exist: 4 };

/** libxt_SET (revision 3): there is no ipset in nslab, so any set name is unknown. */
export const SET: Extension<TargetOf<'SET'>> = {
  name: 'SET',
  oldStyle: true,
  options: [
    { name: 'add-set', id: SET_OPT.add, type: 'string' },
    { name: 'del-set', id: SET_OPT.del, type: 'string' },
    { name: 'map-set', id: SET_OPT.map, type: 'string' },
    { name: 'timeout', id: SET_OPT.timeout, type: 'string' },
    { name: 'exist', id: SET_OPT.exist, type: 'none' },
  ],
  init: () => ({ kind: 'SET', addSet: '', delSet: '' }),
  parse(cb) {
    const id = cb.entry.id;
    cb.xflags |= 1 << id;
    if (id === SET_OPT.exist) return;
    const arg = cb.arg ?? '';
    if (id === SET_OPT.timeout) {
      if (!xtStrtoul(arg, 0, 0xfffffffe)) xtError(PARAMETER_PROBLEM, `Cannot parse ${arg} as a timeout value`);
      return;
    }
    const g = cb.getopt;
    const next = g.argv[g.optind];
    if (next === undefined || next[0] === '-' || next[0] === '!') xtError(PARAMETER_PROBLEM, `--${cb.entry.name} requires two args.`);
    if (arg.length > IPSET_MAXNAMELEN - 1) xtError(PARAMETER_PROBLEM, `setname \`${arg}' too long, max ${IPSET_MAXNAMELEN - 1} characters.`);
    xtError(PARAMETER_PROBLEM, `Set ${arg} doesn't exist.\n`);
  },
  fcheck(xflags) {
    if (!(xflags & 7)) xtError(PARAMETER_PROBLEM, "You must specify either `--add-set' or `--del-set' or `--map-set'");
  },
  print: () => '',
  save: () => '',
};

/** sscanf %x: blanks, a sign, an optional 0x, hex digits (wrapping to 32 bits). */
function scanHex(s: string, i: number): { v: number; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/.exec(s.slice(i));
  if (!m) return undefined;
  let v = Number(BigInt.asUintN(32, BigInt(`0x${m[2]}`)));
  if (m[1] === '-') v = -v >>> 0;
  return { v, end: i + m[0].length };
}

export const CLASSIFY: Extension<TargetOf<'CLASSIFY'>> = {
  name: 'CLASSIFY',
  options: [{ name: 'set-class', id: 0, type: 'string', flags: XTOPT_MAND }],
  init: () => ({ kind: 'CLASSIFY', priority: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const arg = cb.arg ?? '';
    const major = scanHex(arg, 0);
    const minor = major && arg[major.end] === ':' ? scanHex(arg, major.end + 1) : undefined;
    if (!major || !minor) xtError(PARAMETER_PROBLEM, `Bad class value "${arg}"`);
    t.priority = (((major.v << 16) & 0xffff0000) | (minor.v & 0xffff)) >>> 0;
  },
  print: (t) => ` CLASSIFY set ${(t.priority >>> 16).toString(16)}:${(t.priority & 0xffff).toString(16)}`,
  save: (t) => ` --set-class ${(t.priority >>> 16).toString(16).padStart(4, '0')}:${(t.priority & 0xffff).toString(16).padStart(4, '0')}`,
};

const AUDIT_TYPES = ['accept', 'drop', 'reject'];

export const AUDIT: Extension<TargetOf<'AUDIT'>> = {
  name: 'AUDIT',
  options: [{ name: 'type', id: 0, type: 'string', flags: XTOPT_MAND }],
  init: () => ({ kind: 'AUDIT', type: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const i = AUDIT_TYPES.indexOf((cb.arg ?? '').toLowerCase());
    if (i < 0) xtError(PARAMETER_PROBLEM, `Bad action type value "${cb.arg}"`);
    t.type = i;
  },
  print: (t) => ` AUDIT ${AUDIT_TYPES[t.type] ?? 'unknown'}`,
  save: (t) => ` --type ${AUDIT_TYPES[t.type] ?? 'unknown'}`,
};
