// The REJECT, LOG, MARK and CONNMARK targets (libipt_REJECT.c, libxt_LOG.c, libxt_MARK.c,
// libxt_CONNMARK.c at the revisions iptables-nft picks on a current kernel).
import {
  IPT_ICMP_PORT_UNREACHABLE, XT_CONNMARK_RESTORE, XT_CONNMARK_SAVE, XT_CONNMARK_SET, XT_LOG_IPOPT, XT_LOG_MACDECODE,
  XT_LOG_TCPOPT, XT_LOG_TCPSEQ, XT_LOG_UID,
  type Target,
} from '../../kernel/netfilter/index.ts';
import { optionParse, type Extension } from './ext.ts';
import { PARAMETER_PROBLEM, hex, saveString, xtError } from './xtables.ts';

type TargetOf<K extends Target['kind']> = Extract<Target, { kind: K }>;

/** The REJECT types by ipt_reject_with value: name, alias. */
const REJECT_TYPES: ReadonlyArray<[string, string] | undefined> = [
  ['icmp-net-unreachable', 'net-unreach'], ['icmp-host-unreachable', 'host-unreach'],
  ['icmp-proto-unreachable', 'proto-unreach'], ['icmp-port-unreachable', 'port-unreach'], undefined,
  ['icmp-net-prohibited', 'net-prohib'], ['icmp-host-prohibited', 'host-prohib'], ['tcp-reset', 'tcp-rst'],
  ['icmp-admin-prohibited', 'admin-prohib'],
];

export const REJECT: Extension<TargetOf<'REJECT'>> = {
  name: 'REJECT',
  options: [{ name: 'reject-with', id: 0, type: 'string' }],
  init: () => ({ kind: 'REJECT', with: IPT_ICMP_PORT_UNREACHABLE }),
  parse(cb, t) {
    optionParse(cb);
    const arg = (cb.arg ?? '').toLowerCase();
    const i = REJECT_TYPES.findIndex((e) => e !== undefined && (e[0].startsWith(arg) || e[1].startsWith(arg)));
    if (i >= 0) {
      t.with = i;
      return;
    }
    if ('echo-reply'.startsWith(arg) || 'echoreply'.startsWith(arg)) cb.warn('--reject-with echo-reply no longer supported\n');
    xtError(PARAMETER_PROBLEM, `unknown reject type "${cb.arg}"`);
  },
  print: (t) => ` reject-with ${REJECT_TYPES[t.with]?.[0]}`,
  save: (t) => ` --reject-with ${REJECT_TYPES[t.with]?.[0]}`,
};

/** syslog prioritynames, first name per level. */
const PRIORITY: Record<number, string> = { 0: 'emerg', 1: 'alert', 2: 'crit', 3: 'err', 4: 'warn', 5: 'notice', 6: 'info', 7: 'debug' };
const LOG_DEFAULT_LEVEL = 4;

export const LOG: Extension<TargetOf<'LOG'>> = {
  name: 'LOG',
  options: [
    { name: 'log-level', id: 6, type: 'sysloglevel' },
    { name: 'log-prefix', id: 7, type: 'string', min: 1, size: 30 },
    { name: 'log-tcp-sequence', id: 0, type: 'none' },
    { name: 'log-tcp-options', id: 1, type: 'none' },
    { name: 'log-ip-options', id: 2, type: 'none' },
    { name: 'log-uid', id: 3, type: 'none' },
    { name: 'log-macdecode', id: 5, type: 'none' },
  ],
  init: () => ({ kind: 'LOG', level: LOG_DEFAULT_LEVEL, logflags: 0, prefix: '' }),
  parse(cb, t) {
    optionParse(cb);
    if (cb.entry.id === 6) t.level = cb.val.u;
    else if (cb.entry.id === 7) {
      if ((cb.arg ?? '').includes('\n')) xtError(PARAMETER_PROBLEM, 'Newlines not allowed in --log-prefix');
      t.prefix = cb.val.str;
    } else t.logflags |= 1 << cb.entry.id;
  },
  print(t, _r, numeric) {
    let s = ' LOG';
    if (numeric) s += ` flags ${t.logflags} level ${t.level}`;
    else {
      const name = PRIORITY[t.level];
      s += name ? ` level ${name}` : ` UNKNOWN level ${t.level}`;
      if (t.logflags & XT_LOG_TCPSEQ) s += ' tcp-sequence';
      if (t.logflags & XT_LOG_TCPOPT) s += ' tcp-options';
      if (t.logflags & XT_LOG_IPOPT) s += ' ip-options';
      if (t.logflags & XT_LOG_UID) s += ' uid';
      if (t.logflags & XT_LOG_MACDECODE) s += ' macdecode';
      if (t.logflags & ~0x2f) s += ' unknown-flags';
    }
    if (t.prefix) s += ` prefix "${t.prefix}"`;
    return s;
  },
  save(t) {
    let s = t.prefix ? ` --log-prefix${saveString(t.prefix)}` : '';
    if (t.level !== LOG_DEFAULT_LEVEL) s += ` --log-level ${t.level}`;
    if (t.logflags & XT_LOG_TCPSEQ) s += ' --log-tcp-sequence';
    if (t.logflags & XT_LOG_TCPOPT) s += ' --log-tcp-options';
    if (t.logflags & XT_LOG_IPOPT) s += ' --log-ip-options';
    if (t.logflags & XT_LOG_UID) s += ' --log-uid';
    if (t.logflags & XT_LOG_MACDECODE) s += ' --log-macdecode';
    return s;
  },
};

const MARK_ANY = 0x1f;

export const MARK: Extension<TargetOf<'MARK'>> = {
  name: 'MARK',
  options: [
    { name: 'set-xmark', id: 4, type: 'markmask32', excl: MARK_ANY },
    { name: 'set-mark', id: 0, type: 'markmask32', excl: MARK_ANY },
    { name: 'and-mark', id: 1, type: 'uint32', excl: MARK_ANY },
    { name: 'or-mark', id: 2, type: 'uint32', excl: MARK_ANY },
    { name: 'xor-mark', id: 3, type: 'uint32', excl: MARK_ANY },
  ],
  init: () => ({ kind: 'MARK', mark: 0, mask: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const { mark, mask, u } = cb.val;
    switch (cb.entry.id) {
      case 4: [t.mark, t.mask] = [mark, mask]; break;
      case 0: [t.mark, t.mask] = [mark, (mark | mask) >>> 0]; break;
      case 1: [t.mark, t.mask] = [0, ~u >>> 0]; break;
      case 2: [t.mark, t.mask] = [u, u]; break;
      case 3: [t.mark, t.mask] = [u, 0]; break;
    }
  },
  fcheck(xflags) {
    if (xflags === 0) xtError(PARAMETER_PROBLEM, 'MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
  },
  print(t) {
    if (t.mark === 0) return ` MARK and ${hex(~t.mask)}`;
    if (t.mark === t.mask) return ` MARK or ${hex(t.mark)}`;
    if (t.mask === 0) return ` MARK xor ${hex(t.mark)}`;
    if (t.mask === 0xffffffff) return ` MARK set ${hex(t.mark)}`;
    return ` MARK xset ${hex(t.mark)}/${hex(t.mask)}`;
  },
  save: (t) => ` --set-xmark ${hex(t.mark)}/${hex(t.mask)}`,
};

const CM = { setMark: 0, save: 1, restore: 2, and: 3, or: 4, xor: 5, lshift: 6, rshift: 7, setXmark: 8, ctmask: 9, nfmask: 10, mask: 11 };
const CM_OP_ANY = 0x13f;

export const CONNMARK: Extension<TargetOf<'CONNMARK'>> = {
  name: 'CONNMARK',
  options: [
    { name: 'set-xmark', id: CM.setXmark, type: 'markmask32', excl: CM_OP_ANY },
    { name: 'set-mark', id: CM.setMark, type: 'markmask32', excl: CM_OP_ANY },
    { name: 'and-mark', id: CM.and, type: 'uint32', excl: CM_OP_ANY },
    { name: 'or-mark', id: CM.or, type: 'uint32', excl: CM_OP_ANY },
    { name: 'xor-mark', id: CM.xor, type: 'uint32', excl: CM_OP_ANY },
    { name: 'save-mark', id: CM.save, type: 'none', excl: CM_OP_ANY },
    { name: 'restore-mark', id: CM.restore, type: 'none', excl: CM_OP_ANY },
    { name: 'left-shift-mark', id: CM.lshift, type: 'uint8', min: 0, max: 32 },
    { name: 'right-shift-mark', id: CM.rshift, type: 'uint8', min: 0, max: 32 },
    { name: 'ctmask', id: CM.ctmask, type: 'uint32', excl: 1 << CM.mask },
    { name: 'nfmask', id: CM.nfmask, type: 'uint32', excl: 1 << CM.mask },
    { name: 'mask', id: CM.mask, type: 'uint32', excl: (1 << CM.ctmask) | (1 << CM.nfmask) },
  ],
  init: () => ({ kind: 'CONNMARK', mode: XT_CONNMARK_SET, ctmark: 0, ctmask: 0xffffffff, nfmask: 0xffffffff, shiftDir: 0, shiftBits: 0 }),
  parse(cb, t) {
    optionParse(cb);
    const { mark, mask, u } = cb.val;
    switch (cb.entry.id) {
      case CM.setXmark: Object.assign(t, { mode: XT_CONNMARK_SET, ctmark: mark, ctmask: mask }); break;
      case CM.setMark: Object.assign(t, { mode: XT_CONNMARK_SET, ctmark: mark, ctmask: (mark | mask) >>> 0 }); break;
      case CM.and: Object.assign(t, { mode: XT_CONNMARK_SET, ctmark: 0, ctmask: ~u >>> 0 }); break;
      case CM.or: Object.assign(t, { mode: XT_CONNMARK_SET, ctmark: u, ctmask: u }); break;
      case CM.xor: Object.assign(t, { mode: XT_CONNMARK_SET, ctmark: u, ctmask: 0 }); break;
      case CM.save: t.mode = XT_CONNMARK_SAVE; break;
      case CM.restore: t.mode = XT_CONNMARK_RESTORE; break;
      case CM.mask: t.nfmask = t.ctmask = u; break;
      case CM.ctmask: t.ctmask = u; break;
      case CM.nfmask: t.nfmask = u; break;
      case CM.lshift: [t.shiftDir, t.shiftBits] = [0, u]; break;
      case CM.rshift: [t.shiftDir, t.shiftBits] = [1, u]; break;
    }
  },
  fcheck(xflags) {
    if (!(xflags & CM_OP_ANY)) xtError(PARAMETER_PROBLEM, 'CONNMARK target: No operation specified');
  },
  print(t) {
    let s: string;
    if (t.mode === XT_CONNMARK_SET) {
      if (t.ctmark === 0) s = ` CONNMARK and ${hex(~t.ctmask)}`;
      else if (t.ctmark === t.ctmask) s = ` CONNMARK or ${hex(t.ctmark)}`;
      else if (t.ctmask === 0) s = ` CONNMARK xor ${hex(t.ctmark)}`;
      else if (t.ctmask === 0xffffffff) s = ` CONNMARK set ${hex(t.ctmark)}`;
      else s = ` CONNMARK xset ${hex(t.ctmark)}/${hex(t.ctmask)}`;
    } else {
      const what = t.mode === XT_CONNMARK_SAVE ? 'save' : 'restore';
      const [a, b] = t.mode === XT_CONNMARK_SAVE ? [t.nfmask, t.ctmask] : [t.ctmask, t.nfmask];
      const [na, nb] = t.mode === XT_CONNMARK_SAVE ? ['nfmask', 'ctmask'] : ['ctmask', 'nfmask'];
      if (a === 0xffffffff && b === 0xffffffff) s = ` CONNMARK ${what}`;
      else if (a === b) s = ` CONNMARK ${what} mask ${hex(a)}`;
      else s = ` CONNMARK ${what} ${na} ${hex(a)} ${nb} ~${hex(b)}`;
    }
    if (t.shiftBits) s += ` ${t.shiftDir ? 'right' : 'left'}-shift-mark ${t.shiftBits}`;
    return s;
  },
  save(t) {
    let s: string;
    if (t.mode === XT_CONNMARK_SET) s = ` --set-xmark ${hex(t.ctmark)}/${hex(t.ctmask)}`;
    else s = ` --${t.mode === XT_CONNMARK_SAVE ? 'save' : 'restore'}-mark --nfmask ${hex(t.nfmask)} --ctmask ${hex(t.ctmask)}`;
    if (t.shiftBits) s += ` --${t.shiftDir ? 'right' : 'left'}-shift-mark ${t.shiftBits}`;
    return s;
  },
};
