/**
 * The tokens of tcpdump's capture-filter language, as libpcap 1.10's scanner.l produces them:
 * flex semantics (longest match wins, the earlier rule wins a tie), the same keyword list
 * (including those nslab does not implement, so that they are never taken for names), the same
 * number syntax (decimal, 0x hex, leading-0 octal, 32-bit overflow errors) and the same
 * shapes for IPv4 (HID), IPv6 (HID6) and MAC (EID) addresses.
 */
import { isIPv6 } from 'node:net';

/** Keyword spelling → token kind. `not` is '!', `and`/`or` are AND/OR, several words share a kind. */
const KEYWORDS: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  const add = (kind: string, ...words: string[]) => { for (const w of words) m.set(w, kind); };
  add('DST', 'dst'); add('SRC', 'src');
  add('LINK', 'link', 'ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan');
  add('ESIS', 'esis', 'es-is'); add('ISIS', 'isis', 'is-is');
  add('IPV6', 'ip6'); add('ICMPV6', 'icmp6');
  for (const w of ['arp', 'rarp', 'ip', 'sctp', 'tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'radio',
    'ah', 'esp', 'atalk', 'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'l1', 'l2', 'iih', 'lsp', 'snp',
    'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui', 'host', 'net', 'port', 'portrange', 'proto', 'protochain',
    'gateway', 'type', 'subtype', 'ra', 'ta', 'less', 'greater', 'broadcast', 'multicast', 'inbound', 'outbound',
    'ifindex', 'vlan', 'mpls', 'pppoed', 'pppoes', 'geneve', 'lane', 'llc', 'metac', 'bcc', 'oam', 'oamf4',
    'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'vpi', 'vci', 'connectmsg', 'metaconnect', 'reason', 'action', 'fisu',
    'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu', 'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls']) add(w.toUpperCase(), w);
  add('NETMASK', 'mask'); add('DIR', 'direction', 'dir');
  add('ADDR1', 'address1', 'addr1'); add('ADDR2', 'address2', 'addr2');
  add('ADDR3', 'address3', 'addr3'); add('ADDR4', 'address4', 'addr4');
  add('CBYTE', 'byte'); add('AND', 'and', '&&'); add('OR', 'or', '||'); add('!', 'not');
  add('LEN', 'len', 'length'); add('LSSU', 'lsu');
  add('PF_IFNAME', 'on', 'ifname'); add('PF_RSET', 'rset', 'ruleset');
  add('PF_RNR', 'rnr', 'rulenum'); add('PF_SRNR', 'srnr', 'subrulenum');
  return m;
})();

/** Named numbers (scanner rules after the address shapes, before ID). */
const NAMED_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['icmptype', 0], ['icmpcode', 1], ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4],
  ['icmp-redirect', 5], ['icmp-echo', 8], ['icmp-routeradvert', 9], ['icmp-routersolicit', 10],
  ['icmp-timxceed', 11], ['icmp-paramprob', 12], ['icmp-tstamp', 13], ['icmp-tstampreply', 14],
  ['icmp-ireq', 15], ['icmp-ireqreply', 16], ['icmp-maskreq', 17], ['icmp-maskreply', 18],
  ['icmp6type', 0], ['icmp6code', 1], ['icmp6-destinationunreach', 1], ['icmp6-packettoobig', 2],
  ['icmp6-timeexceeded', 3], ['icmp6-parameterproblem', 4], ['icmp6-echo', 128], ['icmp6-echoreply', 129],
  ['icmp6-multicastlistenerquery', 130], ['icmp6-multicastlistenerreportv1', 131],
  ['icmp6-multicastlistenerdone', 132], ['icmp6-routersolicit', 133], ['icmp6-routeradvert', 134],
  ['icmp6-neighborsolicit', 135], ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137],
  ['icmp6-routerrenum', 138], ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143], ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145], ['icmp6-mobileprefixsolicit', 146], ['icmp6-mobileprefixadvert', 147],
  ['icmp6-certpathsolicit', 148], ['icmp6-certpathadvert', 149], ['icmp6-multicastrouteradvert', 151],
  ['icmp6-multicastroutersolicit', 152], ['icmp6-multicastrouterterm', 153],
  ['tcpflags', 13], ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08],
  ['tcp-ack', 0x10], ['tcp-urg', 0x20], ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
]);

export interface Token {
  /** Keyword kind, a punctuation character, NUM, ID, HID, HID6, EID, AID, EOF, or ERR. */
  kind: string;
  /** The matched text (ID: without a leading backslash). */
  text: string;
  /** NUM: the value. */
  num: number;
  /** ERR: the error libpcap reports for this token; '' means a plain syntax error. */
  error: string;
}

const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const W = '[0-9A-Fa-f]{1,4}';
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const V4 = `${N}\\.${N}\\.${N}\\.${N}`;
const sticky = (s: string) => new RegExp(s, 'y');

const RE_MAC = [`${B}:${B}:${B}:${B}:${B}:${B}`, `${B}-${B}-${B}-${B}-${B}-${B}`, `${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}`,
  `${B2}\\.${B2}\\.${B2}`, `${B2}${B2}${B2}`].map(sticky);
const RE_N = sticky(N);
const RE_HID = sticky(`${N}\\.${N}(?:\\.${N}(?:\\.${N})?)?`);
/** The 60 IPv6 shapes of scanner.l (V680 … V6004), tried one by one for the longest match. */
const RE_V6 = (() => {
  const out: RegExp[] = [];
  const groups = (n: number) => Array.from({ length: n }, () => W);
  out.push(sticky(groups(8).join(':')));
  for (let total = 7; total >= 0; total--) { // `::` with `total` explicit groups around it
    for (let before = 0; before <= total; before++) {
      out.push(sticky(`${groups(before).join(':')}::${groups(total - before).join(':')}`));
    }
  }
  out.push(sticky(`${groups(6).join(':')}:${V4}`));
  for (let total = 5; total >= 0; total--) {
    for (let before = 0; before <= total; before++) {
      const after = total - before;
      out.push(sticky(`${groups(before).join(':')}::${groups(after).join(':')}${after > 0 ? ':' : ''}${V4}`));
    }
  }
  return out;
})();
const RE_BOGUS_MAC = sticky(`${B}:+(?:${B}:+)+`);
const RE_AID = sticky(`\\$${B}`);
const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_ESCAPED = /\\[^ !()\n\t]+/y;
const PUNCT1 = '+-*/%:[]!<>()&|^=';
const PUNCT2: ReadonlyMap<string, string> = new Map([['>=', 'GEQ'], ['<=', 'LEQ'], ['!=', 'NEQ'], ['==', '='],
  ['<<', 'LSH'], ['>>', 'RSH'], ['&&', 'AND'], ['||', 'OR']]);

function matchLen(re: RegExp, s: string, i: number): number {
  re.lastIndex = i;
  const m = re.exec(s);
  return m === null ? -1 : m[0].length;
}

/** scanner.l's stou(): decimal, 0x hex or leading-0 octal, at most 32 bits. */
function numberToken(text: string): Token {
  let n = 0;
  let err = '';
  if (/^0[xX]/.test(text)) {
    for (const c of text.slice(2)) {
      if (n > 0xfffffff) { err = `number ${text} overflows 32 bits`; break; }
      n = n * 16 + parseInt(c, 16);
    }
  } else if (text.startsWith('0')) {
    for (const c of text.slice(1)) {
      if (c > '7') { err = `number ${text} contains non-octal digit`; break; }
      if (n > 0o3777777777) { err = `number ${text} overflows 32 bits`; break; }
      n = n * 8 + (c.charCodeAt(0) - 48);
    }
  } else {
    for (const c of text) {
      const d = c.charCodeAt(0) - 48;
      if (n > 429496729 || (n === 429496729 && d > 5)) { err = `number ${text} overflows 32 bits`; break; }
      n = n * 10 + d;
    }
  }
  return err ? tok('ERR', text, 0, err) : tok('NUM', text, n);
}

function tok(kind: string, text: string, num = 0, error = ''): Token {
  return { kind, text, num, error };
}

/** Splits a filter expression into tokens, ending with EOF. Never throws: problems become ERR tokens. */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    // Candidates in scanner.l rule order; the longest wins, the earliest rule on a tie.
    let best = 0;
    let make: () => Token = () => tok('ERR', c); // the catch-all `.` rule: LEX_ERROR
    const offer = (len: number, f: () => Token) => { if (len > best) { best = len; make = f; } };
    const idLen = matchLen(RE_ID, src, i);
    const idText = idLen > 0 ? src.slice(i, i + idLen) : '';
    const kw = KEYWORDS.get(idText);
    if (kw !== undefined) offer(idLen, () => tok(kw, idText));
    const two = src.slice(i, i + 2);
    const kind2 = PUNCT2.get(two);
    if (PUNCT1.includes(c)) offer(1, () => tok(c, c));
    if (kind2 !== undefined) offer(2, () => tok(kind2, two));
    const aid = matchLen(RE_AID, src, i);
    offer(aid, () => tok('AID', src.slice(i, i + aid)));
    for (const re of RE_MAC) {
      const l = matchLen(re, src, i);
      offer(l, () => tok('EID', src.slice(i, i + l)));
    }
    const nl = matchLen(RE_N, src, i);
    offer(nl, () => numberToken(src.slice(i, i + nl)));
    const hl = matchLen(RE_HID, src, i);
    offer(hl, () => tok('HID', src.slice(i, i + hl)));
    let v6 = -1;
    for (const re of RE_V6) v6 = Math.max(v6, matchLen(re, src, i));
    offer(v6, () => {
      const t = src.slice(i, i + v6);
      return isIPv6(t) ? tok('HID6', t) : tok('ERR', t, 0, `bogus IPv6 address ${t}`);
    });
    const bogus = matchLen(RE_BOGUS_MAC, src, i);
    offer(bogus, () => tok('ERR', src.slice(i, i + bogus), 0, `bogus ethernet address ${src.slice(i, i + bogus)}`));
    const named = NAMED_NUMBERS.get(idText);
    if (named !== undefined) offer(idLen, () => tok('NUM', idText, named));
    offer(idLen, () => tok('ID', idText));
    const esc = matchLen(RE_ESCAPED, src, i);
    offer(esc, () => tok('ID', src.slice(i + 1, i + esc)));
    out.push(make());
    i += Math.max(best, 1);
  }
  out.push(tok('EOF', ''));
  return out;
}
