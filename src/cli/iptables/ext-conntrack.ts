// The conntrack match (revision 3) and `-m state`, which iptables-nft stores as conntrack with
// the state alias flag (libxt_conntrack.c).
import {
  CT_STATE_DNAT, CT_STATE_ESTABLISHED, CT_STATE_INVALID, CT_STATE_NEW, CT_STATE_RELATED, CT_STATE_SNAT, CT_STATE_UNTRACKED,
  IPS_ASSURED, IPS_CONFIRMED, IPS_EXPECTED, IPS_SEEN_REPLY,
  XT_CONNTRACK_DIRECTION, XT_CONNTRACK_EXPIRES, XT_CONNTRACK_ORIGDST, XT_CONNTRACK_ORIGDST_PORT, XT_CONNTRACK_ORIGSRC,
  XT_CONNTRACK_ORIGSRC_PORT, XT_CONNTRACK_PROTO, XT_CONNTRACK_REPLDST, XT_CONNTRACK_REPLDST_PORT, XT_CONNTRACK_REPLSRC,
  XT_CONNTRACK_REPLSRC_PORT, XT_CONNTRACK_STATE, XT_CONNTRACK_STATE_ALIAS, XT_CONNTRACK_STATUS,
  type ConntrackMatch, type PortRange,
} from '../../kernel/netfilter/index.ts';
import { XTOPT_INVERT, XTOPT_MAND, optionParse, type Extension, type OptEntry } from './ext.ts';
import { PARAMETER_PROBLEM, ipToAnyname, ipToString, maskSuffix, xtError } from './xtables.ts';

const STATES: ReadonlyArray<[string, number]> = [
  ['INVALID', CT_STATE_INVALID], ['NEW', CT_STATE_NEW], ['ESTABLISHED', CT_STATE_ESTABLISHED], ['RELATED', CT_STATE_RELATED],
  ['UNTRACKED', CT_STATE_UNTRACKED], ['SNAT', CT_STATE_SNAT], ['DNAT', CT_STATE_DNAT],
];
/** Print order of the states. */
const STATE_ORDER: ReadonlyArray<[string, number]> = [
  ['INVALID', CT_STATE_INVALID], ['NEW', CT_STATE_NEW], ['RELATED', CT_STATE_RELATED], ['ESTABLISHED', CT_STATE_ESTABLISHED],
  ['UNTRACKED', CT_STATE_UNTRACKED], ['SNAT', CT_STATE_SNAT], ['DNAT', CT_STATE_DNAT],
];
const STATUSES: ReadonlyArray<[string, number]> = [
  ['NONE', 0], ['EXPECTED', IPS_EXPECTED], ['SEEN_REPLY', IPS_SEEN_REPLY], ['ASSURED', IPS_ASSURED], ['CONFIRMED', IPS_CONFIRMED],
];

/** A comma list where each item is a case-insensitive prefix of a name (strncasecmp). */
function parseList(arg: string, table: ReadonlyArray<[string, number]>, onBad: (rest: string) => never, emptyLast?: () => never): number {
  let mask = 0;
  const lookup = (tok: string) => table.find(([n]) => n.toLowerCase().startsWith(tok.toLowerCase()));
  let rest = arg;
  for (let comma = rest.indexOf(','); comma >= 0; comma = rest.indexOf(',')) {
    const hit = comma > 0 ? lookup(rest.slice(0, comma)) : undefined;
    if (!hit) onBad(rest);
    mask |= hit[1];
    rest = rest.slice(comma + 1);
  }
  if (rest === '' && emptyLast) emptyLast();
  const hit = rest === '' ? undefined : lookup(rest);
  if (!hit) onBad(rest);
  return mask | hit[1];
}

const O = { state: 0, proto: 1, origsrc: 2, origdst: 3, replsrc: 4, repldst: 5, origsrcport: 6, origdstport: 7, replsrcport: 8, repldstport: 9, status: 10, expire: 11, dir: 12 };
const INV = XTOPT_INVERT;

export const conntrack: Extension<ConntrackMatch> = {
  name: 'conntrack',
  options: [
    { name: 'ctstate', id: O.state, type: 'string', flags: INV },
    { name: 'ctproto', id: O.proto, type: 'protocol', flags: INV },
    { name: 'ctorigsrc', id: O.origsrc, type: 'hostmask', flags: INV },
    { name: 'ctorigdst', id: O.origdst, type: 'hostmask', flags: INV },
    { name: 'ctreplsrc', id: O.replsrc, type: 'hostmask', flags: INV },
    { name: 'ctrepldst', id: O.repldst, type: 'hostmask', flags: INV },
    { name: 'ctstatus', id: O.status, type: 'string', flags: INV },
    { name: 'ctexpire', id: O.expire, type: 'uint32rc', flags: INV },
    { name: 'ctorigsrcport', id: O.origsrcport, type: 'portrc', flags: INV },
    { name: 'ctorigdstport', id: O.origdstport, type: 'portrc', flags: INV },
    { name: 'ctreplsrcport', id: O.replsrcport, type: 'portrc', flags: INV },
    { name: 'ctrepldstport', id: O.repldstport, type: 'portrc', flags: INV },
    { name: 'ctdir', id: O.dir, type: 'string' },
  ] satisfies OptEntry[],
  init: () => ({
    kind: 'conntrack', matchFlags: 0, invertFlags: 0, stateMask: 0, statusMask: 0, l4proto: 0,
    origSrc: 0, origSrcMask: 0, origDst: 0, origDstMask: 0, replSrc: 0, replSrcMask: 0, replDst: 0, replDstMask: 0,
    origSrcPort: [0, 0], origDstPort: [0, 0], replSrcPort: [0, 0], replDstPort: [0, 0], expires: [0, 0],
  }),
  parse(cb, m) {
    optionParse(cb);
    const arg = cb.arg ?? '';
    const flag = (bit: number) => {
      m.matchFlags |= bit;
      if (cb.invert) m.invertFlags |= bit;
    };
    const port = (): PortRange => [cb.val.range[0], cb.val.range[1]];
    switch (cb.entry.id) {
      case O.state:
        m.stateMask |= parseList(arg, STATES, (rest) => xtError(PARAMETER_PROBLEM, `Bad ctstate "${rest}"`));
        return flag(XT_CONNTRACK_STATE);
      case O.proto:
        m.l4proto = cb.val.u;
        return flag(XT_CONNTRACK_PROTO);
      case O.origsrc:
        [m.origSrc, m.origSrcMask] = [cb.val.haddr, cb.val.hmask];
        return flag(XT_CONNTRACK_ORIGSRC);
      case O.origdst:
        [m.origDst, m.origDstMask] = [cb.val.haddr, cb.val.hmask];
        return flag(XT_CONNTRACK_ORIGDST);
      case O.replsrc:
        [m.replSrc, m.replSrcMask] = [cb.val.haddr, cb.val.hmask];
        return flag(XT_CONNTRACK_REPLSRC);
      case O.repldst:
        [m.replDst, m.replDstMask] = [cb.val.haddr, cb.val.hmask];
        return flag(XT_CONNTRACK_REPLDST);
      case O.status:
        m.statusMask |= parseList(arg, STATUSES, (rest) => xtError(PARAMETER_PROBLEM, `Bad ctstatus "${rest}"`));
        return flag(XT_CONNTRACK_STATUS);
      case O.expire:
        m.expires = [cb.val.range[0], cb.val.range.length >= 2 ? cb.val.range[1] : cb.val.range[0]];
        return flag(XT_CONNTRACK_EXPIRES);
      case O.origsrcport:
        m.origSrcPort = port();
        return flag(XT_CONNTRACK_ORIGSRC_PORT);
      case O.origdstport:
        m.origDstPort = port();
        return flag(XT_CONNTRACK_ORIGDST_PORT);
      case O.replsrcport:
        m.replSrcPort = port();
        return flag(XT_CONNTRACK_REPLSRC_PORT);
      case O.repldstport:
        m.replDstPort = port();
        return flag(XT_CONNTRACK_REPLDST_PORT);
      case O.dir:
        if (arg.toUpperCase() === 'ORIGINAL') {
          m.matchFlags |= XT_CONNTRACK_DIRECTION;
          m.invertFlags &= ~XT_CONNTRACK_DIRECTION;
        } else if (arg.toUpperCase() === 'REPLY') {
          m.matchFlags |= XT_CONNTRACK_DIRECTION;
          m.invertFlags |= XT_CONNTRACK_DIRECTION;
        } else {
          xtError(PARAMETER_PROBLEM, `conntrack: Bad value for "--ctdir" option: "${arg}"`);
        }
    }
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'conntrack: At least one option is required');
  },
  print: (m, _r, numeric) => dump(m, '', numeric),
  save: (m) => dump(m, '--', true),
  alias: (m) => (m.matchFlags & XT_CONNTRACK_STATE_ALIAS ? 'state' : 'conntrack'),
};

function printStates(mask: number, sep: string): string {
  const names = STATE_ORDER.filter(([, bit]) => mask & bit).map(([n]) => n);
  return names.length ? sep + names.join(',') : '';
}

function printStatus(mask: number): string {
  const names = STATUSES.filter(([, bit]) => bit && mask & bit).map(([n]) => n);
  return ` ${names.length ? names.join(',') : 'NONE'}`;
}

function dump(m: ConntrackMatch, prefix: string, numeric: boolean): string {
  let s = '';
  const f = m.matchFlags;
  const inv = (bit: number) => (m.invertFlags & bit ? ' !' : '');
  const addr = (a: number, mask: number) => (!numeric && a === 0 ? ' anywhere' : ` ${numeric ? ipToString(a) : ipToAnyname(a)}${maskSuffix(mask)}`);
  const ports = (opt: string, [lo, hi]: PortRange) => (hi === 0 || lo === hi ? ` ${prefix}${opt} ${lo}` : ` ${prefix}${opt} ${lo}:${hi}`);
  if (f & XT_CONNTRACK_STATE) s += `${inv(XT_CONNTRACK_STATE)} ${prefix}${f & XT_CONNTRACK_STATE_ALIAS ? 'state' : 'ctstate'}${printStates(m.stateMask, ' ')}`;
  if (f & XT_CONNTRACK_PROTO) s += `${inv(XT_CONNTRACK_PROTO)} ${prefix}ctproto ${m.l4proto}`;
  if (f & XT_CONNTRACK_ORIGSRC) s += `${inv(XT_CONNTRACK_ORIGSRC)} ${prefix}ctorigsrc${addr(m.origSrc, m.origSrcMask)}`;
  if (f & XT_CONNTRACK_ORIGDST) s += `${inv(XT_CONNTRACK_ORIGDST)} ${prefix}ctorigdst${addr(m.origDst, m.origDstMask)}`;
  if (f & XT_CONNTRACK_REPLSRC) s += `${inv(XT_CONNTRACK_REPLSRC)} ${prefix}ctreplsrc${addr(m.replSrc, m.replSrcMask)}`;
  if (f & XT_CONNTRACK_REPLDST) s += `${inv(XT_CONNTRACK_REPLDST)} ${prefix}ctrepldst${addr(m.replDst, m.replDstMask)}`;
  if (f & XT_CONNTRACK_ORIGSRC_PORT) s += inv(XT_CONNTRACK_ORIGSRC_PORT) + ports('ctorigsrcport', m.origSrcPort);
  if (f & XT_CONNTRACK_ORIGDST_PORT) s += inv(XT_CONNTRACK_ORIGDST_PORT) + ports('ctorigdstport', m.origDstPort);
  if (f & XT_CONNTRACK_REPLSRC_PORT) s += inv(XT_CONNTRACK_REPLSRC_PORT) + ports('ctreplsrcport', m.replSrcPort);
  if (f & XT_CONNTRACK_REPLDST_PORT) s += inv(XT_CONNTRACK_REPLDST_PORT) + ports('ctrepldstport', m.replDstPort);
  if (f & XT_CONNTRACK_STATUS) s += `${inv(XT_CONNTRACK_STATUS)} ${prefix}ctstatus${printStatus(m.statusMask)}`;
  if (f & XT_CONNTRACK_EXPIRES) {
    const [lo, hi] = m.expires;
    s += `${inv(XT_CONNTRACK_EXPIRES)} ${prefix}ctexpire ${lo === hi ? lo : `${lo}:${hi}`}`;
  }
  if (f & XT_CONNTRACK_DIRECTION) s += ` ${prefix}ctdir ${m.invertFlags & XT_CONNTRACK_DIRECTION ? 'REPLY' : 'ORIGINAL'}`;
  return s;
}

const STATE_NAMES: ReadonlyArray<[string, number]> = STATES.slice(0, 5);

export const state: Extension<ConntrackMatch> = {
  name: 'state',
  options: [{ name: 'state', id: 0, type: 'string', flags: XTOPT_MAND | XTOPT_INVERT }],
  init: conntrack.init,
  parse(cb, m) {
    optionParse(cb);
    m.matchFlags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS;
    m.stateMask = parseList(
      cb.arg ?? '',
      STATE_NAMES,
      (rest) => xtError(PARAMETER_PROBLEM, `Bad state "${rest}"`),
      () => xtError(PARAMETER_PROBLEM, '"--state" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED'),
    );
    if (cb.invert) m.invertFlags |= XT_CONNTRACK_STATE;
  },
  print: conntrack.print,
  save: conntrack.save,
  alias: conntrack.alias,
};
