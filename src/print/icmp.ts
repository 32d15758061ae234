// ICMP (print-icmp.c): `ICMP echo request, id 1, seq 1, length 64`, the unreachable / redirect /
// time-exceeded wording, and with -v the checksum verdict, the quoted datagram on the next line
// (`\n\tIP (tos ...) ...`) and RFC 4884 multi-part extensions.
import { printUnknownData } from './ascii.ts';
import { cksumResult, cksumShouldBe, hexNum, hexPad, onesSum, tok2str, type Ctx, type Tok } from './context.ts';
import { ipPrint } from './ip.ts';

const ICMP_ECHOREPLY = 0;
const ICMP_UNREACH = 3;
const ICMP_SOURCEQUENCH = 4;
const ICMP_REDIRECT = 5;
const ICMP_ECHO = 8;
const ICMP_ROUTERADVERT = 9;
const ICMP_TIMXCEED = 11;
const ICMP_PARAMPROB = 12;
const ICMP_TSTAMP = 13;
const ICMP_TSTAMPREPLY = 14;
const ICMP_MASKREPLY = 18;

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** Offset of the quoted datagram's destination address from the ICMP header. */
const QUOTED_DST = 8 + 16;
/** The RFC 4884 extension structure starts 128 bytes into the quoted datagram. */
const EXT_MINLEN = 156 - 20;
const EXT_STRUCT_LEN = 141;

const ICMP2STR: Tok = new Map([
  [ICMP_ECHOREPLY, 'echo reply'],
  [ICMP_SOURCEQUENCH, 'source quench'],
  [ICMP_ECHO, 'echo request'],
  [10, 'router solicitation'],
  [ICMP_TSTAMP, 'time stamp request'],
  [ICMP_TSTAMPREPLY, 'time stamp reply'],
  [15, 'information request'],
  [16, 'information reply'],
  [17, 'address mask request'],
]);

const EXT_OBJ_VALUES: Tok = new Map([
  [1, 'MPLS Stack Entry'],
  [2, 'Interface Identification'],
]);

// Unreachable codes whose text is `<prefix><dst><suffix>`.
const UNREACH_TEXT: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0, ['net ', ' unreachable']],
  [1, ['host ', ' unreachable']],
  [5, ['', ' unreachable - source route failed']],
  [6, ['net ', ' unreachable - unknown']],
  [7, ['host ', ' unreachable - unknown']],
  [8, ['', ' unreachable - source host isolated']],
  [9, ['net ', ' unreachable - admin prohibited']],
  [10, ['host ', ' unreachable - admin prohibited']],
  [11, ['net ', ' unreachable - tos prohibited']],
  [12, ['host ', ' unreachable - tos prohibited']],
  [13, ['host ', ' unreachable - admin prohibited filter']],
  [14, ['host ', ' unreachable - host precedence violation']],
  [15, ['host ', ' unreachable - precedence cutoff']],
]);

function isErrorType(t: number): boolean {
  return t === ICMP_UNREACH || t === ICMP_SOURCEQUENCH || t === ICMP_REDIRECT || t === ICMP_TIMXCEED || t === ICMP_PARAMPROB;
}

/** Milliseconds since midnight as `HH:MM:SS.mmm` (icmp_tstamp_print). */
function tstamp(t: number): string {
  const msec = t % 1000;
  let sec = Math.floor(t / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(hrs)}:${p2(min)}:${p2(sec)}.${String(msec).padStart(3, '0')}`;
}

function unreachText(c: Ctx, bp: number, code: number): string {
  const dst = (): string => c.ipaddr(bp + QUOTED_DST);
  const simple = UNREACH_TEXT.get(code);
  if (simple !== undefined) return `${simple[0]}${dst()}${simple[1]}`;
  switch (code) {
    case 2:
      return `${dst()} protocol ${c.u8(bp + 8 + 9)} unreachable`;
    case 3: {
      const oip = bp + 8;
      const hlen = (c.u8(oip) & 0x0f) * 4;
      const dport = c.u16(oip + hlen + 2);
      const proto = c.u8(oip + 9);
      if (proto === IPPROTO_TCP) return `${c.ipaddr(oip + 16)} tcp port ${dport} unreachable`;
      if (proto === IPPROTO_UDP) return `${c.ipaddr(oip + 16)} udp port ${dport} unreachable`;
      return `${c.ipaddr(oip + 16)} protocol ${proto} port ${dport} unreachable`;
    }
    case 4: {
      const mtu = c.u16(bp + 6);
      return mtu ? `${dst()} unreachable - need to frag (mtu ${mtu})` : `${dst()} unreachable - need to frag`;
    }
    default:
      return `${dst()} unreachable - #${code}`;
  }
}

function redirectText(c: Ctx, bp: number, code: number): string {
  const dst = c.ipaddr(bp + QUOTED_DST);
  const gw = c.ipaddr(bp + 4);
  switch (code) {
    case 0:
      return `redirect ${dst} to net ${gw}`;
    case 1:
      return `redirect ${dst} to host ${gw}`;
    case 2:
      return `redirect-tos ${dst} to net ${gw}`;
    case 3:
      return `redirect-tos ${dst} to host ${gw}`;
    default:
      return `redirect-#${code} ${dst} to ${gw}`;
  }
}

/** Router advertisement text, or undefined if the capture ends inside what it needs. */
function routerAdvertText(c: Ctx, bp: number): string | undefined {
  let s = 'router advertisement';
  if (!c.ttest(bp + 4, 4)) return undefined;
  s += ' lifetime ';
  const lifetime = c.u16(bp + 6);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (lifetime < 60) s += `${lifetime}`;
  else if (lifetime < 3600) s += `${Math.floor(lifetime / 60)}:${p2(lifetime % 60)}`;
  else s += `${Math.floor(lifetime / 3600)}:${p2(Math.floor((lifetime % 3600) / 60))}:${p2(lifetime % 60)}`;
  let num = c.u8(bp + 4);
  s += ` ${num}:`;
  const size = c.u8(bp + 5);
  if (size !== 2) return `${s} [size ${size}]`;
  let idp = bp + 8;
  for (; num > 0; num--, idp += 8) {
    if (!c.ttest(idp, 8)) return undefined;
    s += ` {${c.ipaddr(idp)} ${c.u32(idp + 4)}}`;
  }
  return s;
}

/** The message text after `ICMP `, or undefined when tcpdump gives up with ` [|icmp]`. */
function messageText(c: Ctx, bp: number, type: number, code: number): string | undefined {
  switch (type) {
    case ICMP_ECHO:
    case ICMP_ECHOREPLY:
      return `echo ${type === ICMP_ECHO ? 'request' : 'reply'}, id ${c.u16(bp + 4)}, seq ${c.u16(bp + 6)}`;
    case ICMP_UNREACH:
      if (code === 3 && !c.ttest(bp + 8 + 9, 1)) return undefined;
      return unreachText(c, bp, code);
    case ICMP_REDIRECT:
      return redirectText(c, bp, code);
    case ICMP_ROUTERADVERT:
      return routerAdvertText(c, bp);
    case ICMP_TIMXCEED:
      if (!c.ttest(bp + QUOTED_DST, 4)) return undefined;
      if (code === 0) return 'time exceeded in-transit';
      if (code === 1) return 'ip reassembly time exceeded';
      return `time exceeded-#${code}`;
    case ICMP_PARAMPROB:
      return code ? `parameter problem - code ${code}` : `parameter problem - octet ${c.u8(bp + 4)}`;
    case ICMP_MASKREPLY:
      return `address mask is 0x${hexPad(c.u32(bp + 8), 8)}`;
    case ICMP_TSTAMP:
      return `time stamp query id ${c.u16(bp + 4)} seq ${c.u16(bp + 6)}`;
    case ICMP_TSTAMPREPLY: {
      if (!c.ttest(bp + 16, 4)) return undefined;
      const head = `time stamp reply id ${c.u16(bp + 4)} seq ${c.u16(bp + 6)}: org ${tstamp(c.u32(bp + 8))}`;
      return `${head}, recv ${tstamp(c.u32(bp + 12))}, xmit ${tstamp(c.u32(bp + 16))}`;
    }
    default:
      return tok2str(ICMP2STR, 'type-#%u', type);
  }
}

/** Prints the ICMP message at `bp` (`plen` bytes by the IP header). */
export function icmpPrint(c: Ctx, bp: number, plen: number, fragmented: boolean): void {
  c.protocol = 'icmp';
  const type = c.u8(bp);
  const code = c.u8(bp + 1);
  const text = messageText(c, bp, type, code);
  if (text === undefined) {
    c.trunc();
    return;
  }
  c.print(`ICMP ${text}, length ${plen}`);
  if (c.vflag && !fragmented && c.ttest(bp, plen)) {
    const sum = cksumResult(onesSum(c.b, bp, plen));
    if (sum !== 0) {
      const field = c.u16(bp + 2);
      c.print(` (wrong icmp cksum ${hexNum(field)} (->${hexNum(cksumShouldBe(field, sum))})!)`);
    }
  }
  if (c.vflag >= 1 && isErrorType(type)) {
    const ip = bp + 8;
    c.print('\n\t');
    const saved = c.snapend;
    c.snapend = Math.min(ip + c.u16(ip + 2), c.snapend);
    // The length is read again under the new snapend (tcpdump evaluates it as the argument).
    ipPrint(c, ip, c.u16(ip + 2));
    c.snapend = saved;
  }
  c.protocol = 'icmp';
  if (c.vflag >= 1 && plen > EXT_MINLEN && (type === ICMP_UNREACH || type === ICMP_TIMXCEED || type === ICMP_PARAMPROB)) {
    printExtensions(c, bp, plen);
  }
}

/** RFC 4884 multi-part extensions after the 128-byte quoted datagram. */
function printExtensions(c: Ctx, ext: number, plen: number): void {
  if (!c.ttest(ext, EXT_STRUCT_LEN)) {
    c.trunc();
    return;
  }
  const vres = ext + EXT_MINLEN;
  if (c.u8(ext + 5) === 0 && c.ttest(vres, plen - EXT_MINLEN)) {
    if (cksumResult(onesSum(c.b, vres, plen - EXT_MINLEN)) !== 0) return;
  }
  const version = (c.b[vres] & 0xf0) >> 4;
  c.print(`\n\tICMP Multi-Part extension v${version}`);
  if (version !== 2) {
    c.print(' packet not supported');
    return;
  }
  let hlen = plen - EXT_MINLEN;
  if (c.ttest(vres, hlen)) {
    const bad = cksumResult(onesSum(c.b, vres, hlen)) !== 0;
    c.print(`, checksum 0x${hexPad(c.u16(vres + 2), 4)} (${bad ? 'in' : ''}correct), length ${hlen}`);
  }
  hlen -= 4;
  let obj = vres + 4;
  while (hlen > 4) {
    if (!c.ttest(obj, 4)) {
      c.trunc();
      return;
    }
    let objLen = c.u16(obj);
    const classNum = c.u8(obj + 2);
    const ctype = c.u8(obj + 3);
    obj += 4;
    c.print(`\n\t  ${tok2str(EXT_OBJ_VALUES, 'unknown', classNum)} Object (${classNum}), Class-Type: ${ctype}, length ${objLen}`);
    hlen -= 4;
    if (classNum === 0 || objLen < 4) return;
    objLen -= 4;
    if (classNum === 1 && ctype === 1) {
      const raw = c.u32(obj);
      c.print(`\n\t    label ${raw >>> 12}, tc ${(raw & 0x0e00) >> 9}`);
      if (raw & 0x0100) c.print(', [S]');
      c.print(`, ttl ${raw & 0xff}`);
    } else {
      printUnknownData(c, obj, '\n\t    ', objLen);
    }
    if (hlen < objLen) break;
    hlen -= objLen;
    obj += objLen;
  }
}
