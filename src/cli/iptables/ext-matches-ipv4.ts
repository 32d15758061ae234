// The tos, dscp, mac, helper, owner and set matches (libxt_tos.c, libxt_dscp.c, libxt_mac.c,
// libxt_helper.c, libxt_owner.c, libxt_set.c of 1.8.9). There is no ipset in nslab: `-m set`
// parses as the real tool does up to its lookup of the set, which finds none.
import {
  XT_OWNER_GID, XT_OWNER_SOCKET, XT_OWNER_SUPPL_GROUPS, XT_OWNER_UID,
  type DscpMatch, type HelperMatch, type MacMatch, type OwnerMatch, type SetMatch, type TosMatch,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_INVERT, XTOPT_MAND, optionParse, type Extension } from './ext.ts';
import { PARAMETER_PROBLEM, TOS_NAMES, TOS_SYMBOL_MASK, parseTosmask, saveString, strtoul, xtError, xtStrtoul } from './xtables.ts';

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export const tos: Extension<TosMatch> = {
  name: 'tos',
  options: [{ name: 'tos', id: 0, type: 'string', flags: XTOPT_INVERT | XTOPT_MAND }],
  init: () => ({ kind: 'tos', value: 0, mask: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    const { value, mask } = parseTosmask(cb.arg ?? '');
    m.value = value;
    m.mask = mask;
    if (cb.invert) m.invert = true;
  },
  print(m, _r, numeric) {
    const sym = m.mask === TOS_SYMBOL_MASK ? TOS_NAMES.find(([, v]) => v === m.value) : undefined;
    const text = !numeric && sym ? ` ${sym[0]}` : `${hex2(m.value)}/${hex2(m.mask)}`;
    return ` tos match${m.invert ? '!' : ''}${text}`;
  },
  save: (m) => `${m.invert ? ' !' : ''} --tos ${hex2(m.value)}/${hex2(m.mask)}`,
};

const DS_CLASSES: ReadonlyArray<[string, number]> = [
  ['CS0', 0x00], ['CS1', 0x08], ['CS2', 0x10], ['CS3', 0x18], ['CS4', 0x20], ['CS5', 0x28], ['CS6', 0x30], ['CS7', 0x38], ['BE', 0x00],
  ['AF11', 0x0a], ['AF12', 0x0c], ['AF13', 0x0e], ['AF21', 0x12], ['AF22', 0x14], ['AF23', 0x16], ['AF31', 0x1a], ['AF32', 0x1c],
  ['AF33', 0x1e], ['AF41', 0x22], ['AF42', 0x24], ['AF43', 0x26], ['EF', 0x2e],
];

/** class_to_dscp: strncasecmp over the class name's length (a longer argument still matches). */
export function classToDscp(name: string): number {
  const c = DS_CLASSES.find(([n]) => name.slice(0, n.length).toUpperCase() === n);
  if (!c) xtError(PARAMETER_PROBLEM, `Invalid DSCP value \`${name}'`);
  return c[1];
}

export const dscp: Extension<DscpMatch> = {
  name: 'dscp',
  options: [
    { name: 'dscp', id: 0, type: 'uint8', min: 0, max: 0x3f, flags: XTOPT_INVERT, excl: 1 << 1 },
    { name: 'dscp-class', id: 1, type: 'string', flags: XTOPT_INVERT, excl: 1 << 0 },
  ],
  init: () => ({ kind: 'dscp', dscp: 0, invert: false }),
  parse(cb, m) {
    optionParse(cb);
    m.dscp = cb.entry.id === 0 ? cb.val.u : classToDscp(cb.arg ?? '');
    if (cb.invert) m.invert = true;
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'DSCP match: Parameter --dscp is required');
  },
  print: (m) => ` DSCP match ${m.invert ? '!' : ''}${hex2(m.dscp)}`,
  save: (m) => `${m.invert ? ' !' : ''} --dscp ${hex2(m.dscp)}`,
};

/** xtopt_parse_ethermac: six strtoul(…, 16) pieces of at most two characters. */
function parseMac(arg: string): number[] {
  const out: number[] = [];
  let pos = 0;
  for (let i = 0; i < 6; i++) {
    const r = strtoul(arg.slice(pos), 16);
    const used = r ? r.end : 0;
    const end = pos + used;
    if (arg[end] !== (i < 5 ? ':' : undefined) || used > 2) xtError(PARAMETER_PROBLEM, 'Invalid MAC address specified.');
    out.push(r ? Number(r.value & 0xffn) : 0);
    pos = end + 1;
  }
  return out;
}

export const mac: Extension<MacMatch> = {
  name: 'mac',
  options: [{ name: 'mac-source', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: () => ({ kind: 'mac', src: [0, 0, 0, 0, 0, 0], invert: false }),
  parse(cb, m) {
    optionParse(cb);
    m.src = parseMac(cb.arg ?? '');
    if (cb.invert) m.invert = true;
  },
  print: (m) => ` MAC ${m.invert ? '! ' : ''}${m.src.map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
  save: (m) => `${m.invert ? ' !' : ''} --mac-source ${m.src.map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
};

export const helper: Extension<HelperMatch> = {
  name: 'helper',
  options: [{ name: 'helper', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT, size: 30 }],
  init: () => ({ kind: 'helper', name: '', invert: false }),
  parse(cb, m) {
    optionParse(cb);
    m.name = cb.val.str;
    if (cb.invert) m.invert = true;
  },
  print: (m) => ` helper match ${m.invert ? '! ' : ''}"${m.name}"`,
  save: (m) => `${m.invert ? ' !' : ''} --helper${saveString(m.name)}`,
};

/** Debian 12's base-passwd users and groups (getpwnam/getgrnam, getpwuid/getgrgid). */
const USERS: ReadonlyArray<[string, number]> = [
  ['root', 0], ['daemon', 1], ['bin', 2], ['sys', 3], ['sync', 4], ['games', 5], ['man', 6], ['lp', 7], ['mail', 8], ['news', 9],
  ['uucp', 10], ['proxy', 13], ['www-data', 33], ['backup', 34], ['list', 38], ['irc', 39], ['_apt', 42], ['nobody', 65534],
];
const GROUPS: ReadonlyArray<[string, number]> = [
  ['root', 0], ['daemon', 1], ['bin', 2], ['sys', 3], ['adm', 4], ['tty', 5], ['disk', 6], ['lp', 7], ['mail', 8], ['news', 9],
  ['uucp', 10], ['man', 12], ['proxy', 13], ['kmem', 15], ['dialout', 20], ['fax', 21], ['voice', 22], ['cdrom', 24], ['floppy', 25],
  ['tape', 26], ['sudo', 27], ['audio', 29], ['dip', 30], ['www-data', 33], ['backup', 34], ['operator', 37], ['list', 38],
  ['irc', 39], ['src', 40], ['shadow', 42], ['utmp', 43], ['video', 44], ['sasl', 45], ['plugdev', 46], ['staff', 50],
  ['games', 60], ['users', 100], ['nogroup', 65534],
];

function ownerRange(arg: string, opt: string): [number, number] {
  const bad = (): never => xtError(PARAMETER_PROBLEM, `owner: Bad value for "${opt}" option: "${arg}"`);
  const a = xtStrtoul(arg, 0, 0xfffffffe, true) ?? bad();
  let to = a.value;
  let rest = arg.slice(a.end);
  if (rest[0] === '-' || rest[0] === ':') {
    const b = xtStrtoul(rest.slice(1), 0, 0xfffffffe, true) ?? bad();
    to = b.value;
    rest = rest.slice(1 + b.end);
  }
  if (rest !== '') bad();
  return [a.value, to];
}

function ownerItems(m: OwnerMatch, labels: readonly string[], numeric: boolean): string {
  let s = '';
  const ids = (min: number, max: number, names: ReadonlyArray<[string, number]>): string => {
    if (min !== max) return ` ${min}-${max}`;
    const n = numeric ? undefined : names.find(([, v]) => v === min);
    return ` ${n ? n[0] : min}`;
  };
  [XT_OWNER_SOCKET, XT_OWNER_UID, XT_OWNER_GID, XT_OWNER_SUPPL_GROUPS].forEach((flag, i) => {
    if (!(m.match & flag)) return;
    if (m.invert & flag) s += ' !';
    s += ` ${labels[i]}`;
    if (flag === XT_OWNER_UID) s += ids(m.uidMin, m.uidMax, USERS);
    if (flag === XT_OWNER_GID) s += ids(m.gidMin, m.gidMax, GROUPS);
  });
  return s;
}

export const owner: Extension<OwnerMatch> = {
  name: 'owner',
  options: [
    { name: 'uid-owner', id: 0, type: 'string', flags: XTOPT_INVERT },
    { name: 'gid-owner', id: 1, type: 'string', flags: XTOPT_INVERT },
    { name: 'socket-exists', id: 2, type: 'none', flags: XTOPT_INVERT },
    { name: 'suppl-groups', id: 6, type: 'none' },
  ],
  init: () => ({ kind: 'owner', uidMin: 0, uidMax: 0, gidMin: 0, gidMax: 0, match: 0, invert: 0 }),
  parse(cb, m) {
    optionParse(cb);
    const arg = cb.arg ?? '';
    switch (cb.entry.id) {
      case 0: {
        const u = USERS.find(([n]) => n === arg);
        [m.uidMin, m.uidMax] = u ? [u[1], u[1]] : ownerRange(arg, '--uid-owner');
        if (cb.invert) m.invert |= XT_OWNER_UID;
        m.match |= XT_OWNER_UID;
        break;
      }
      case 1: {
        const g = GROUPS.find(([n]) => n === arg);
        [m.gidMin, m.gidMax] = g ? [g[1], g[1]] : ownerRange(arg, '--gid-owner');
        if (cb.invert) m.invert |= XT_OWNER_GID;
        m.match |= XT_OWNER_GID;
        break;
      }
      case 2:
        if (cb.invert) m.invert |= XT_OWNER_SOCKET;
        m.match |= XT_OWNER_SOCKET;
        break;
      case 6:
        if (!(m.match & XT_OWNER_GID)) xtError(PARAMETER_PROBLEM, 'owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"');
        m.match |= XT_OWNER_SUPPL_GROUPS;
    }
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'owner: At least one of --uid-owner, --gid-owner or --socket-exists is required');
  },
  print: (m, _r, numeric) => ownerItems(m, ['owner socket exists', 'owner UID match', 'owner GID match', 'incl. suppl. groups'], numeric),
  save: (m) => ownerItems(m, ['--socket-exists', '--uid-owner', '--gid-owner', '--suppl-groups'], true),
};

const IPSET_MAXNAMELEN = 32;

export const set: Extension<SetMatch> = {
  name: 'set',
  oldStyle: true,
  options: [
    { name: 'match-set', id: 1, type: 'string' },
    { name: 'set', id: 2, type: 'string' },
    { name: 'return-nomatch', id: 3, type: 'none' },
    { name: 'update-counters', id: 4, type: 'none' },
    { name: 'packets-eq', id: 5, type: 'string' },
    { name: 'packets-lt', id: 6, type: 'string' },
    { name: 'packets-gt', id: 7, type: 'string' },
    { name: 'bytes-eq', id: 8, type: 'string' },
    { name: 'bytes-lt', id: 9, type: 'string' },
    { name: 'bytes-gt', id: 10, type: 'string' },
    { name: 'update-subcounters', id: 11, type: 'none' },
  ],
  init: () => ({ kind: 'set', name: '', flags: 0 }),
  parse(cb, m) {
    const arg = cb.arg ?? '';
    const id = cb.entry.id;
    if (id >= 5 && id <= 10) {
      const what = id <= 7 ? 'packets' : 'bytes';
      const op = ['eq', 'lt', 'gt'][(id - 5) % 3];
      const bit = id <= 7 ? 1 << 8 : 1 << 9;
      if (m.flags & bit) xtError(PARAMETER_PROBLEM, `only one of the --${what}-[eq|lt|gt] is allowed`);
      if (cb.invert && op !== 'eq') xtError(PARAMETER_PROBLEM, `--${what}-${op} option cannot be inverted`);
      const v = strtoul(arg);
      if (!v || v.end !== arg.length || v.erange || /^\s*-/.test(arg)) xtError(PARAMETER_PROBLEM, `Cannot parse ${arg} as a counter value`);
      m.flags |= bit;
      return;
    }
    if (id === 3 && cb.invert) xtError(PARAMETER_PROBLEM, '--return-nomatch flag cannot be inverted');
    if (id !== 1 && id !== 2) return;
    if (id === 2) cb.warn('--set option deprecated, please use --match-set\n');
    const g = cb.getopt;
    const next = g.argv[g.optind];
    if (next === undefined || next[0] === '-' || next[0] === '!') xtError(PARAMETER_PROBLEM, '--match-set requires two args.');
    if (arg.length > IPSET_MAXNAMELEN - 1) xtError(PARAMETER_PROBLEM, `setname \`${arg}' too long, max ${IPSET_MAXNAMELEN - 1} characters.`);
    // get_set_byname: no set exists.
    xtError(PARAMETER_PROBLEM, `Set ${arg.slice(0, IPSET_MAXNAMELEN - 1)} doesn't exist.\n`);
  },
  fcheck(xflags) {
    if (!xflags) xtError(PARAMETER_PROBLEM, "You must specify `--match-set' with proper arguments");
  },
  print: (m) => ` match-set ${m.name}`,
  save: (m) => ` --match-set ${m.name}`,
};
