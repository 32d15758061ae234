// IGMP (print-igmp.c): v1/v2 queries, reports and leaves, v3 queries and reports
// (`igmp v3 report, 1 group record(s) [gaddr 239.1.2.3 to_ex, 0 source(s)]` with -v), mtrace.
// DVMRP and PIMv1 bodies are not decoded.
import { cksumResult, hexNum, onesSum, tok2str, type Ctx, type Tok } from './context.ts';

const V3_REPORT_TYPES: Tok = new Map([
  [1, 'is_in'],
  [2, 'is_ex'],
  [3, 'to_in'],
  [4, 'to_ex'],
  [5, 'allow'],
  [6, 'block'],
]);

/** unsigned_relts_print: `1h2m3s`. */
function relts(secs: number): string {
  if (secs === 0) return '0s';
  const units: ReadonlyArray<readonly [number, string]> = [
    [31536000, 'y'],
    [604800, 'w'],
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  let s = '';
  for (const [n, u] of units) {
    if (secs >= n) {
      s += `${Math.floor(secs / n)}${u}`;
      secs %= n;
    }
  }
  return s;
}

function mtrace(c: Ctx, name: string, bp: number, len: number): void {
  if (len < 8 + 16) {
    c.print(` [invalid len ${len}]`);
    return;
  }
  const tr = bp + 8;
  const raddr = c.ipaddr(tr + 8);
  c.print(`${name} ${c.u24(tr + 13)}: ${c.ipaddr(tr)} to ${c.ipaddr(tr + 4)} reply-to ${raddr}`);
  if (c.u32(tr + 8) >>> 28 === 0xe) c.print(` with-ttl ${c.u8(tr + 12)}`);
}

function v3Report(c: Ctx, bp: number, len: number): void {
  if (len < 16 || len & 0x03) {
    c.print(` [invalid len ${len}]`);
    return;
  }
  const ngroups = c.u16(bp + 6);
  c.print(`, ${ngroups} group record(s)`);
  if (c.vflag === 0) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + 8) {
      c.print(' [invalid number of groups]');
      return;
    }
    c.print(` [gaddr ${c.ipaddr(bp + group + 4)}`);
    c.print(` ${tok2str(V3_REPORT_TYPES, ' [v3-report-#%u]', c.u8(bp + group))}`);
    const nsrcs = c.u16(bp + group + 2);
    if (len < group + 8 + nsrcs * 4) {
      c.print(` [invalid number of sources ${nsrcs}]`);
      return;
    }
    if (c.vflag === 1) c.print(`, ${nsrcs} source(s)`);
    else {
      c.print(' {');
      for (let j = 0; j < nsrcs; j++) c.print(` ${c.ipaddr(bp + group + 8 + j * 4)}`);
      c.print(' }');
    }
    group += 8 + nsrcs * 4;
    c.print(']');
  }
}

function v3Query(c: Ctx, bp: number, len: number): void {
  c.print(' v3');
  if (len < 12 || len & 0x03) {
    c.print(` [invalid len ${len}]`);
    return;
  }
  const mrc = c.u8(bp + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) {
    c.print(' [max resp time ');
    c.print(mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : relts(Math.floor(mrt / 10)));
    c.print(']');
  }
  if (c.u32(bp + 4) === 0) return;
  c.print(` [gaddr ${c.ipaddr(bp + 4)}`);
  const nsrcs = c.u16(bp + 10);
  if (nsrcs > 0) {
    if (len < 12 + nsrcs * 4) c.print(' [invalid number of sources]');
    else if (c.vflag > 1) {
      c.print(' {');
      for (let i = 0; i < nsrcs; i++) c.print(` ${c.ipaddr(bp + 12 + i * 4)}`);
      c.print(' }');
    } else c.print(`, ${nsrcs} source(s)`);
  }
  c.print(']');
}

/** Prints the IGMP message at `bp` (`len` bytes by the IP header). */
export function igmpPrint(c: Ctx, bp: number, len: number): void {
  c.protocol = 'igmp';
  const type = c.u8(bp);
  switch (type) {
    case 0x11:
      c.print('igmp query');
      if (len >= 12) v3Query(c, bp, len);
      else {
        const mrt = c.u8(bp + 1);
        if (mrt) {
          c.print(' v2');
          if (mrt !== 100) c.print(` [max resp time ${mrt}]`);
        } else c.print(' v1');
        if (c.u32(bp + 4)) c.print(` [gaddr ${c.ipaddr(bp + 4)}]`);
        if (len !== 8) c.print(` [len ${len}]`);
      }
      break;
    case 0x12:
      c.print(`igmp v1 report ${c.ipaddr(bp + 4)}`);
      if (len !== 8) c.print(` [len ${len}]`);
      break;
    case 0x16:
      c.print(`igmp v2 report ${c.ipaddr(bp + 4)}`);
      break;
    case 0x22:
      c.print('igmp v3 report');
      v3Report(c, bp, len);
      break;
    case 0x17:
      c.print(`igmp leave ${c.ipaddr(bp + 4)}`);
      break;
    case 0x13:
      c.print('igmp dvmrp');
      if (len < 8) c.print(` [len ${len}]`);
      break;
    case 0x14:
      c.print('igmp pimv1');
      break;
    case 0x1e:
      mtrace(c, 'mresp', bp, len);
      break;
    case 0x1f:
      mtrace(c, 'mtrace', bp, len);
      break;
    default:
      c.print(`igmp-${type}`);
      break;
  }
  if (c.vflag && len >= 4 && c.ttest(bp, len)) {
    if (cksumResult(onesSum(c.b, bp, len)) !== 0) c.print(` bad igmp cksum ${hexNum(c.u16(bp + 2))}!`);
  }
}
