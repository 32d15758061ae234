// TCP (print-tcp.c): `Flags [S], seq 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`.
// Sequence numbers are relative to the first ones seen in a conversation, as tcpdump does
// without -S: the conversations live in the per-capture PrintState. With -v the checksum
// verdict follows the flags; with -v a RST's payload is shown as text.
//
// Application printers tcpdump runs for well-known ports (HTTP, SSH, BGP, ...) are not
// reproduced; MPTCP options are shown as raw hex.
import { bittok2str, cksumShouldBe, hexPad, printableChar, tok2str, TRUNCATED, type Ctx, type Tok } from './context.ts';
import { transportChecksum } from './udp.ts';

const IPPROTO_TCP = 6;

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;
const TH_URG = 0x20;

const TCP_FLAG_VALUES: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

const OPT_EOL = 0;
const OPT_NOP = 1;

const TCP_OPTION_VALUES: Tok = new Map([
  [0, 'eol'],
  [1, 'nop'],
  [2, 'mss'],
  [3, 'wscale'],
  [4, 'sackOK'],
  [5, 'sack'],
  [6, 'echo'],
  [7, 'echoreply'],
  [8, 'TS'],
  [11, 'cc'],
  [12, 'ccnew'],
  [13, ''],
  [19, 'md5'],
  [20, 'scps'],
  [28, 'uto'],
  [29, 'tcp-ao'],
  [30, 'mptcp'],
  [34, 'tfo'],
  [254, 'exp'],
]);

const MAX_RST_DATA_LEN = 30;

/** Why option printing stopped early: a malformed option, or the capture ended. */
type OptStop = 'bad' | 'trunc';

interface SeqBase {
  rev: boolean;
  thseq: number;
  thack: number;
  seq: number;
  ack: number;
}

/** Finds or records the conversation's initial numbers and makes seq/ack relative. */
function relativeSeq(c: Ctx, ip: number, sport: number, dport: number, flags: number, seq: number, ack: number): SeqBase {
  const src = c.u32(ip + 12);
  const dst = c.u32(ip + 16);
  const rev = sport > dport || (sport === dport && src > dst);
  const key = rev ? `${dst}>${src}:${dport}:${sport}` : `${src}>${dst}:${sport}:${dport}`;
  const table = c.state.tcpSeq;
  let th = table.get(key);
  if (th === undefined || flags & TH_SYN) {
    th = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
    table.set(key, th);
  } else if (rev) {
    seq = (seq - th.ack) >>> 0;
    ack = (ack - th.seq) >>> 0;
  } else {
    seq = (seq - th.seq) >>> 0;
    ack = (ack - th.ack) >>> 0;
  }
  return { rev, thseq: th.seq, thack: th.ack, seq, ack };
}

function fastOpen(c: Ctx, cp: number, datalen: number, exp: boolean): void {
  if (exp) c.print('tfo');
  if (datalen === 0) c.print(' cookiereq');
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) c.invalid();
  else {
    c.print(' cookie ');
    for (let i = 0; i < datalen; i++) c.print(hexPad(c.u8(cp + i), 2));
  }
}

/** The options list after `, options [`; returns how it stopped early, if it did. */
function printOptions(c: Ctx, bp: number, hlen: number, payloadLength: number, base: SeqBase): { stop?: OptStop; comma: boolean } {
  let h = hlen - 20;
  let cp = bp + 20;
  let comma = false;
  while (h > 0) {
    if (comma) c.print(',');
    const opt = c.u8(cp++);
    let len: number;
    if (opt === OPT_EOL || opt === OPT_NOP) len = 1;
    else {
      len = c.u8(cp++);
      if (len < 2 || len > h) return { stop: 'bad', comma };
      --h;
    }
    --h;
    let datalen = 0;
    // LENCHECK: `l` more bytes must be in the option space and captured.
    const lencheck = (l: number): OptStop | undefined => (l > h ? 'bad' : !c.ttest(cp, l) ? 'trunc' : undefined);
    c.print(tok2str(TCP_OPTION_VALUES, 'unknown-%u', opt));
    let stop: OptStop | undefined;
    switch (opt) {
      case 2: // mss
        datalen = 2;
        if (!(stop = lencheck(2))) c.print(` ${c.u16(cp)}`);
        break;
      case 3: // wscale
        datalen = 1;
        if (!(stop = lencheck(1))) c.print(` ${c.u8(cp)}`);
        break;
      case 5: // sack
        datalen = len - 2;
        if (datalen % 8 !== 0) c.print(' invalid sack');
        else {
          c.print(` ${datalen / 8} `);
          for (let i = 0; i < datalen && !stop; i += 8) {
            if ((stop = lencheck(i + 4))) break;
            let s = c.u32(cp + i);
            if ((stop = lencheck(i + 8))) break;
            let e = c.u32(cp + i + 4);
            const d = base.rev ? base.thseq : base.thack;
            s = (s - d) >>> 0;
            e = (e - d) >>> 0;
            c.print(`{${s}:${e}}`);
          }
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        datalen = 4;
        if (!(stop = lencheck(4))) c.print(` ${c.u32(cp)}`);
        break;
      case 8: // timestamps
        datalen = 8;
        if (!(stop = lencheck(8))) c.print(` val ${c.u32(cp)} ecr ${c.u32(cp + 4)}`);
        break;
      case 19: // md5 signature
        datalen = 16;
        if (!(stop = lencheck(16))) {
          c.print(' ');
          const data = bp + hlen;
          c.print(data + payloadLength > c.snapend ? 'snaplen too short, ' : 'shared secret not supplied with -M, ');
          c.print("can't check - ");
          for (let i = 0; i < 16; i++) c.print(hexPad(c.u8(cp + i), 2));
        }
        break;
      case 20: // scps
        datalen = 2;
        if (!(stop = lencheck(2))) c.print(` cap ${hexPad(c.u8(cp), 2)} id ${c.u8(cp + 1)}`);
        break;
      case 29: // tcp-ao
        datalen = len - 2;
        if (datalen < 2) c.invalid();
        else if (!(stop = lencheck(1))) {
          c.print(` keyid ${c.u8(cp)}`);
          if (!(stop = lencheck(2))) {
            c.print(` rnextkeyid ${c.u8(cp + 1)}`);
            if (datalen > 2) {
              c.print(' mac 0x');
              for (let i = 2; i < datalen; i++) {
                if ((stop = lencheck(i + 1))) break;
                c.print(hexPad(c.u8(cp + i), 2));
              }
            }
          }
        }
        break;
      case OPT_EOL:
      case OPT_NOP:
      case 4: // sackOK
        break;
      case 28: // uto
        datalen = 2;
        if (!(stop = lencheck(2))) {
          let uto = c.u16(cp);
          c.print(` 0x${uto.toString(16)}`);
          uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
          c.print(` ${uto}`);
        }
        break;
      case 34: // tfo
        datalen = len - 2;
        if (!(stop = lencheck(datalen))) {
          c.print(' ');
          fastOpen(c, cp, datalen, false);
        }
        break;
      case 254: // experimental
        datalen = len - 2;
        if (!(stop = lencheck(datalen))) {
          if (datalen < 2) stop = 'bad';
          else {
            const magic = c.u16(cp);
            c.print('-');
            if (magic === 0xf989) fastOpen(c, cp + 2, datalen - 2, true);
            else c.print(hexPad(magic, 4));
          }
        }
        break;
      default:
        datalen = len - 2;
        if (datalen) c.print(' 0x');
        for (let i = 0; i < datalen; i++) {
          if ((stop = lencheck(i + 1))) break;
          c.print(hexPad(c.u8(cp + i), 2));
        }
        break;
    }
    if (stop) return { stop, comma };
    cp += datalen;
    h -= datalen;
    datalen += opt === OPT_EOL || opt === OPT_NOP ? 1 : 2;
    if (datalen !== len) c.print(`[len ${len}]`);
    comma = true;
    if (opt === OPT_EOL) break;
  }
  return { comma };
}

/** Prints the TCP segment at `bp` (`length` bytes by the IP header); `ip` is that header. */
export function tcpPrint(c: Ctx, bp: number, length: number, ip: number, fragmented: boolean): void {
  c.protocol = 'tcp';
  if (!c.ttest(bp + 2, 2)) {
    c.print(`${c.ipaddr(ip + 12)} > ${c.ipaddr(ip + 16)}:`);
    c.trunc();
    return;
  }
  const sport = c.u16(bp);
  const dport = c.u16(bp + 2);
  if (c.u8(ip + 9) === IPPROTO_TCP) c.print(`${c.ipaddr(ip + 12)}.${sport} > ${c.ipaddr(ip + 16)}.${dport}: `);
  else c.print(`${sport} > ${dport}: `);
  if (!c.ttest(bp, 20)) {
    c.trunc();
    return;
  }
  let hlen = (c.u8(bp + 12) >> 4) * 4;
  if (hlen < 20) {
    c.print(` tcp ${(length - hlen) >>> 0} [bad hdr length ${hlen} - too short, < 20]`);
    return;
  }
  let seq = c.u32(bp + 4);
  let ack = c.u32(bp + 8);
  const win = c.u16(bp + 14);
  const urp = c.u16(bp + 18);
  const flags = c.u8(bp + 13);
  c.print(`Flags [${bittok2str(TCP_FLAG_VALUES, 'none', flags, '')}]`);
  let base: SeqBase = { rev: false, thseq: 0, thack: 0, seq, ack };
  if (flags & TH_ACK) {
    base = relativeSeq(c, ip, sport, dport, flags, seq, ack);
    seq = base.seq;
    ack = base.ack;
  }
  if (hlen > length) {
    c.print(` [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  if (c.vflag && !fragmented && c.ttest(bp, length)) {
    const sum = transportChecksum(c, ip, IPPROTO_TCP, bp, length);
    const field = c.u16(bp + 16);
    c.print(`, cksum 0x${hexPad(field, 4)}`);
    c.print(sum !== 0 ? ` (incorrect -> 0x${hexPad(cksumShouldBe(field, sum), 4)})` : ' (correct)');
  }
  length -= hlen;
  if (c.vflag > 1 || length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    c.print(`, seq ${seq}`);
    if (length > 0) c.print(`:${(seq + length) >>> 0}`);
  }
  if (flags & TH_ACK) c.print(`, ack ${ack}`);
  c.print(`, win ${win}`);
  if (flags & TH_URG) c.print(`, urg ${urp}`);
  if (hlen > 20) {
    c.print(', options [');
    const r = printOptions(c, bp, hlen, length, base);
    if (r.stop === 'bad') {
      c.print('[bad opt]');
      if (r.comma) c.print(']');
      return;
    }
    if (r.stop === 'trunc') {
      c.trunc();
      if (r.comma) c.print('>');
      return;
    }
    c.print(']');
  }
  c.print(`, length ${length}`);
  if (length === 0) return;
  hlen = (c.u8(bp + 12) >> 4) * 4;
  if (!c.ttest(bp, hlen)) {
    c.print(` [remaining caplen(${c.avail(bp)}) < header length(${hlen})]`);
    throw TRUNCATED;
  }
  if (flags & TH_RST && c.vflag) printRstData(c, bp + hlen, length);
}

function printRstData(c: Ctx, sp: number, length: number): void {
  c.print(c.ttest(sp, length) ? ' [RST' : ' [!RST');
  if (length > MAX_RST_DATA_LEN) {
    length = MAX_RST_DATA_LEN;
    c.print('+');
  }
  c.print(' ');
  for (; length > 0 && sp < c.snapend; length--, sp++) c.print(printableChar(c.u8(sp)));
  c.print(']');
}
