// IPv4 options as tcpdump -v shows them inside `options (...)`: `NOP,RR 10.1.0.2, 0.0.0.0`,
// `timestamp TS{TSONLY 27092213@ ^ 0@}`, `RA` (print-ip.c's ip_optprint).
import { tok2str, type Ctx, type Tok } from './context.ts';

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_RR = 7;
const IPOPT_TS = 68;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;
const IPOPT_RA = 148;

const IPOPT_TS_TSONLY = 0;
const IPOPT_TS_TSANDADDR = 1;
const IPOPT_TS_PRESPEC = 3;

const IP_OPTION_VALUES: Tok = new Map([
  [IPOPT_EOL, 'EOL'],
  [IPOPT_NOP, 'NOP'],
  [IPOPT_TS, 'timestamp'],
  [130, 'security'],
  [IPOPT_RR, 'RR'],
  [IPOPT_SSRR, 'SSRR'],
  [IPOPT_LSRR, 'LSRR'],
  [IPOPT_RA, 'RA'],
  [82, 'traceroute'],
]);

/** Record/source route: the addresses, a comma after each one already filled in. */
function printRoute(c: Ctx, cp: number, length: number): boolean {
  if (length < 3) {
    c.print(` [bad length ${length}]`);
    return true;
  }
  if ((length + 1) & 3) c.print(` [bad length ${length}]`);
  const ptr = (c.u8(cp + 2) - 1) >>> 0;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) c.print(` [bad ptr ${c.u8(cp + 2)}]`);
  for (let len = 3; len < length; len += 4) {
    if (!c.ttest(cp + len, 4)) return false;
    c.print(` ${c.ipaddr(cp + len)}`);
    if (ptr > len) c.print(',');
  }
  return true;
}

/** The timestamp option: `TS{TSONLY 123@ ^ 0@}` or `TS{TS+ADDR 123@10.0.0.1 ...}`. */
function printTimestamp(c: Ctx, cp: number, length: number): boolean {
  if (length < 4) {
    c.print(`[bad length ${length}]`);
    return true;
  }
  c.print(' TS{');
  const hoplen = (c.u8(cp + 3) & 0xf) !== IPOPT_TS_TSONLY ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) c.print(`[bad length ${length}]`);
  const ptr = (c.u8(cp + 2) - 1) >>> 0;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hoplen - 1) || ptr > length + 1) c.print(`[bad ptr ${c.u8(cp + 2)}]`);
  const kind = c.u8(cp + 3) & 0xf;
  let known = true;
  if (kind === IPOPT_TS_TSONLY) c.print('TSONLY');
  else if (kind === IPOPT_TS_TSANDADDR) c.print('TS+ADDR');
  else if (kind === IPOPT_TS_PRESPEC) c.print('PRESPEC');
  else {
    c.print(`[bad ts type ${kind}]`);
    known = false;
  }
  if (known) {
    let type = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = ' ^ ';
      if (!c.ttest(cp + len, hoplen)) return false;
      c.print(`${type}${c.u32(cp + len + hoplen - 4)}@${hoplen !== 8 ? '' : c.ipaddr(cp + len)}`);
      type = ' ';
    }
  }
  c.print(ptr === len ? ' ^ ' : '');
  const overflow = c.u8(cp + 3) >> 4;
  c.print(overflow ? ` [${overflow} hops not recorded]} ` : '}');
  return true;
}

/** Prints the options at `cp` (`length` bytes); false if they were cut short by the capture. */
export function ipOptPrint(c: Ctx, cp: number, length: number): boolean {
  let sep = '';
  while (length > 0) {
    c.print(sep);
    sep = ',';
    const code = c.u8(cp);
    c.print(tok2str(IP_OPTION_VALUES, 'unknown %u', code));
    let optlen: number;
    if (code === IPOPT_NOP || code === IPOPT_EOL) optlen = 1;
    else {
      optlen = c.u8(cp + 1);
      if (optlen < 2) {
        c.print(` [bad length ${optlen}]`);
        return true;
      }
    }
    if (optlen > length) {
      c.print(` [bad length ${optlen}]`);
      return true;
    }
    if (!c.ttest(cp, optlen)) return false;
    switch (code) {
      case IPOPT_EOL:
        return true;
      case IPOPT_TS:
        if (!printTimestamp(c, cp, optlen)) return false;
        break;
      case IPOPT_RR:
      case IPOPT_SSRR:
      case IPOPT_LSRR:
        if (!printRoute(c, cp, optlen)) return false;
        break;
      case IPOPT_RA:
        if (optlen < 4) {
          c.print(` [bad length ${optlen}]`);
          break;
        }
        if (!c.ttest(cp + 3, 1)) return false;
        if (c.u16(cp + 2) !== 0) c.print(` value ${c.u16(cp + 2)}`);
        break;
      default:
        break;
    }
    cp += optlen;
    length -= optlen;
  }
  return true;
}

/**
 * The final destination for the pseudo-header checksum: the last hop of a loose or strict
 * source route if there is one (ip_finddst), else the header's destination.
 */
export function ipFinalDst(c: Ctx, ip: number): number {
  let length = (c.u8(ip) & 0x0f) * 4;
  let cp = ip + 20;
  if (length >= 20) {
    length -= 20;
    while (length !== 0) {
      const tt = c.u8(cp);
      let len: number;
      if (tt === IPOPT_EOL) break;
      else if (tt === IPOPT_NOP) len = 1;
      else {
        len = c.u8(cp + 1);
        if (len < 2) break;
      }
      if (length < len) break;
      if (!c.ttest(cp, len)) break;
      if ((tt === IPOPT_SSRR || tt === IPOPT_LSRR) && len >= 7) return c.u32(cp + len - 4);
      cp += len;
      length -= len;
    }
  }
  return c.u32(ip + 16);
}
