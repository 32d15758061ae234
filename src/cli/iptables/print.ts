// How iptables prints rules: the `-L` table (print_header, print_rule_details, ...), the
// one-line form of `-v` on -A/-D/... (FMT_PRINT_RULE), and the `-S`/iptables-save form.
import { IPT_F_FRAG, IPT_INV_DSTIP, IPT_INV_FRAG, IPT_INV_PROTO, IPT_INV_SRCIP, IPT_INV_VIA_IN, IPT_INV_VIA_OUT, type Chain, type IfaceSpec, type Rule, type Target } from '../../kernel/netfilter/index.ts';
import { matchExt, targetExt } from './extensions.ts';
import { ipToAnyname, ipToString, maskSuffix, maskToCidr, pad, printNum, protoToName } from './xtables.ts';

export const FMT_NUMERIC = 0x1;
export const FMT_NOCOUNTS = 0x2;
export const FMT_KILOMEGAGIGA = 0x4;
export const FMT_OPTIONS = 0x8;
export const FMT_NOTABLE = 0x10;
export const FMT_VIA = 0x40;
export const FMT_LINENUMBERS = 0x100;
export const FMT_C_COUNTS = 0x400;
export const FMT_PRINT_RULE = FMT_NOCOUNTS | FMT_OPTIONS | FMT_VIA | FMT_NUMERIC | FMT_NOTABLE;

function fmt(format: number, table: string, notable: string): string {
  return format & FMT_NOTABLE ? notable : table;
}

export function printHeader(format: number, chain: Chain): string {
  let s = `Chain ${chain.name}`;
  if (chain.builtin) {
    s += ` (policy ${chain.policy}`;
    if (!(format & FMT_NOCOUNTS)) {
      const kmg = (format & FMT_KILOMEGAGIGA) !== 0;
      s += ` ${printNum(chain.pkts, kmg, false)}packets, ${printNum(chain.bytes, kmg, false)}bytes`;
    }
    s += ')\n';
  } else {
    s += ` (${chain.refs} references)\n`;
  }
  if (format & FMT_LINENUMBERS) s += 'num'.padEnd(4) + ' ';
  if (!(format & FMT_NOCOUNTS)) {
    s += format & FMT_KILOMEGAGIGA ? `${pad('pkts', 5)} ${pad('bytes', 5)} ` : `${pad('pkts', 8)} ${pad('bytes', 10)} `;
  }
  s += `${pad('target', 9, true)}  prot `;
  if (format & FMT_OPTIONS) s += 'opt';
  if (format & FMT_VIA) s += ` ${pad('in', 6, true)} ${pad('out', 6, true)} `;
  s += ` ${pad('source', 19, true)} `;
  s += ` ${pad('destination', 19, true)} \n`;
  return s;
}

/** The name in the target column: a verdict, a chain, or the target's real name. */
export function targetName(t: Target): string {
  if (t.kind === 'none') return '';
  if (t.kind === 'verdict') return t.verdict;
  if (t.kind === 'jump') return t.chain;
  return t.kind;
}

function ifaceText(i: IfaceSpec): string {
  return i.name + (i.wildcard ? '+' : '');
}

function addrText(addr: number, mask: number, format: number): string {
  if (!mask && !(format & FMT_NUMERIC)) return 'anywhere';
  return (format & FMT_NUMERIC ? ipToString(addr) : ipToAnyname(addr)) + maskSuffix(mask);
}

/** One rule in `-L` (or `-v` one-line) form, with its newline. */
export function printRule(rule: Rule, num: number, format: number): string {
  let s = '';
  const numeric = (format & FMT_NUMERIC) !== 0;
  const table = !(format & FMT_NOTABLE);
  if (format & FMT_LINENUMBERS) s += fmt(format, `${String(num).padEnd(4)} `, `${num} `);
  if (!(format & FMT_NOCOUNTS)) {
    const kmg = (format & FMT_KILOMEGAGIGA) !== 0;
    s += printNum(rule.pkts, kmg, table) + printNum(rule.bytes, kmg, table);
  }
  s += fmt(format, `${pad(targetName(rule.target), 9, true)} `, `${targetName(rule.target)} `);
  s += rule.invflags & IPT_INV_PROTO ? '!' : ' ';
  const pname = protoToName(rule.proto, numeric);
  if ((format & (FMT_NUMERIC | FMT_NOTABLE)) === FMT_NUMERIC || pname === undefined) s += fmt(format, `${pad(String(rule.proto), 4, true)} `, `${rule.proto} `);
  else s += fmt(format, `${pad(pname, 4, true)} `, `${pname} `);
  if (format & FMT_OPTIONS) {
    if (format & FMT_NOTABLE) s += 'opt ';
    s += `${rule.invflags & IPT_INV_FRAG ? '!' : '-'}${rule.flags & IPT_F_FRAG ? 'f' : '-'} `;
  }
  if (format & FMT_VIA) {
    const any = numeric ? '*' : 'any';
    const iface = (i: IfaceSpec, inv: boolean) => (inv ? '!' : '') + (ifaceText(i) || any);
    const iin = iface(rule.iniface, (rule.invflags & IPT_INV_VIA_IN) !== 0);
    const iout = iface(rule.outiface, (rule.invflags & IPT_INV_VIA_OUT) !== 0);
    s += fmt(format, ` ${pad(iin, 6, true)} `, `in ${iin} `) + fmt(format, `${pad(iout, 6, true)} `, `out ${iout} `);
  }
  s += rule.invflags & IPT_INV_SRCIP ? '!' : ' ';
  const src = addrText(rule.src, rule.smsk, format);
  s += fmt(format, `${pad(src, 19, true)} `, `${src} `);
  s += rule.invflags & IPT_INV_DSTIP ? '!' : ' ';
  const dst = addrText(rule.dst, rule.dmsk, format);
  s += fmt(format, `${pad(dst, 19, true)} `, `-> ${dst}`);
  if (format & FMT_NOTABLE) s += '  ';
  if (rule.target.kind === 'jump' && rule.target.goto) s += '[goto] ';
  for (const m of rule.matches) s += matchExt(m).print(m, rule, numeric);
  const text = targetExt(rule.target);
  if (text) s += text.print(rule.target, rule, numeric);
  return s + '\n';
}

function saveAddr(letter: string, addr: number, mask: number, invert: boolean): string {
  if (!mask && !invert && !addr) return '';
  const cidr = maskToCidr(mask);
  return `${invert ? ' !' : ''} -${letter} ${ipToString(addr)}/${cidr >= 0 ? cidr : ipToString(mask)}`;
}

function saveIface(letter: string, i: IfaceSpec, invert: boolean): string {
  const text = ifaceText(i);
  return text ? `${invert ? ' !' : ''} -${letter} ${text}` : '';
}

/** A rule in `-S` / iptables-save form: `-A CHAIN ...` plus newline; `counters`: `[p:b] `
 * prefix (iptables-save -c), ` -c p b` before the target (iptables -S -v), or none. */
export function saveRule(rule: Rule, chain: string, counters: 'prefix' | 'inline' | 'none'): string {
  let s = counters === 'prefix' ? `[${rule.pkts}:${rule.bytes}] ` : '';
  s += `-A ${chain}`;
  s += saveAddr('s', rule.src, rule.smsk, (rule.invflags & IPT_INV_SRCIP) !== 0);
  s += saveAddr('d', rule.dst, rule.dmsk, (rule.invflags & IPT_INV_DSTIP) !== 0);
  s += saveIface('i', rule.iniface, (rule.invflags & IPT_INV_VIA_IN) !== 0);
  s += saveIface('o', rule.outiface, (rule.invflags & IPT_INV_VIA_OUT) !== 0);
  if (rule.proto > 0) s += `${rule.invflags & IPT_INV_PROTO ? ' !' : ''} -p ${protoToName(rule.proto, false) ?? rule.proto}`;
  if (rule.flags & IPT_F_FRAG) s += `${rule.invflags & IPT_INV_FRAG ? ' !' : ''} -f`;
  for (const m of rule.matches) {
    const ext = matchExt(m);
    s += ` -m ${ext.alias ? ext.alias(m) : ext.name}${ext.save(m, rule)}`;
  }
  if (counters === 'inline') s += ` -c ${rule.pkts} ${rule.bytes}`;
  const t = rule.target;
  const ext = targetExt(t);
  if (ext) s += ` -j ${ext.alias ? ext.alias(t) : ext.name}${ext.save(t, rule)}`;
  else if (t.kind === 'verdict') s += ` -j ${t.verdict}`;
  else if (t.kind === 'jump') s += ` -${t.goto ? 'g' : 'j'} ${t.chain}`;
  return s + '\n';
}
