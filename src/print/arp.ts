// ARP and RARP (print-arp.c): `ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28`, with -v
// the `Ethernet (len 6), IPv4 (len 4), ` prefix; ATM ARP (hardware type 19) has its own layout.
import { defaultPrint } from './ascii.ts';
import { tok2str, type Ctx, type Tok } from './context.ts';
import { ETHERTYPE_IP, ETHERTYPE_TRAIL, ETHERTYPE_VALUES } from './ethertype.ts';

const ARPHRD_ATM2225 = 19;

const ARPOP_REQUEST = 1;
const ARPOP_REPLY = 2;
const ARPOP_REVREQUEST = 3;
const ARPOP_REVREPLY = 4;
const ARPOP_INVREQUEST = 8;
const ARPOP_INVREPLY = 9;
const ARPOP_NAK = 10;

const ARPOP_VALUES: Tok = new Map([
  [1, 'Request'],
  [2, 'Reply'],
  [3, 'Reverse Request'],
  [4, 'Reverse Reply'],
  [8, 'Inverse Request'],
  [9, 'Inverse Reply'],
  [10, 'NACK Reply'],
]);

const ARPHRD_VALUES: Tok = new Map([
  [1, 'Ethernet'],
  [6, 'TokenRing'],
  [7, 'ArcNet'],
  [15, 'FrameRelay'],
  [23, 'Strip'],
  [24, 'IEEE 1394'],
  [19, 'ATM'],
  [32, 'InfiniBand'],
]);

function isIpProto(pro: number): boolean {
  return pro === ETHERTYPE_IP || pro === ETHERTYPE_TRAIL;
}

/** A protocol address: the IPv4 address, or why it cannot be shown. */
function protoAddr(c: Ctx, pro: number, plen: number, o: number, wrongLen = '<wrong len>'): string {
  if (!isIpProto(pro)) return '<wrong proto type>';
  if (plen !== 4) return wrongLen;
  return c.ipaddr(o);
}

const ARPHRD_FRELAY = 15;

/** A Q.922 (frame relay) address as tcpdump names it: `DLCI n`, `<Invalid DLCI>`, `<Truncated>`. */
function q922String(c: Ctx, p: number, length: number): string {
  if (!c.ttest(p, 1) || length < 1) return '<Truncated>';
  if (c.u8(p) & 1) return '<Invalid DLCI>';
  if (!c.ttest(p + 1, 1) || length < 2) return '<Truncated>';
  let dlci = ((c.u8(p) & 0xfc) << 2) | ((c.u8(p + 1) & 0xf0) >> 4);
  if (c.u8(p + 1) & 1) return `DLCI ${dlci}`;
  p += 2;
  length -= 2;
  if (!c.ttest(p, 1) || length < 1) return '<Truncated>';
  if ((c.u8(p) & 1) === 0) {
    dlci = (dlci << 7) | (c.u8(p) >> 1);
    p++;
    length--;
  }
  if (!c.ttest(p, 1) || length < 1) return '<Truncated>';
  if ((c.u8(p) & 1) === 0) return '<Invalid DLCI>';
  dlci = (dlci << 6) | (c.u8(p) >> 2);
  return `DLCI ${dlci >>> 0}`;
}

/** A hardware address (GET_LINKADDR_STRING): colon hex, or Q.922 for frame relay. */
function hwAddr(c: Ctx, o: number, len: number, frelay: boolean): string {
  c.tcheck(o, len);
  if (len !== 0 && frelay) return q922String(c, o, len);
  return c.linkaddr(o, len);
}

function isNonzero(c: Ctx, o: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (c.u8(o + i) !== 0) return true;
  return false;
}

/** Prints the ARP packet at `p` (`length` on the wire, `caplen` captured). */
export function arpPrint(c: Ctx, p: number, length: number, caplen: number): void {
  c.protocol = 'arp';
  c.tcheck(p, 8);
  const hrd = c.u16(p);
  const pro = c.u16(p + 2);
  const op = c.u16(p + 6);
  if (hrd === ARPHRD_ATM2225) {
    atmArpPrint(c, p, length, caplen);
    return;
  }
  const fr = hrd === ARPHRD_FRELAY;
  const hln = c.u8(p + 4);
  const pln = c.u8(p + 5);
  const sha = p + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  c.tcheck(tpa, pln);
  if (!c.eflag) c.print('ARP, ');
  if (!isIpProto(pro) || pln !== 4 || hln === 0 || c.vflag) {
    c.print(
      `${tok2str(ARPHRD_VALUES, 'Unknown Hardware (%u)', hrd)} (len ${hln}), ` +
        `${tok2str(ETHERTYPE_VALUES, 'Unknown Protocol (0x%04x)', pro)} (len ${pln})`,
    );
    if (!c.vflag) {
      c.print(`, length ${length}`);
      return;
    }
  }
  c.print(`${c.vflag ? ', ' : ''}${tok2str(ARPOP_VALUES, 'Unknown (%u)', op)} `);
  switch (op) {
    case ARPOP_REQUEST:
      c.print('who-has ');
      c.print(protoAddr(c, pro, pln, tpa));
      if (isNonzero(c, tha, hln)) c.print(` (${hwAddr(c, tha, hln, fr)})`);
      c.print(' tell ');
      c.print(protoAddr(c, pro, pln, spa));
      break;
    case ARPOP_REPLY:
      c.print(protoAddr(c, pro, pln, spa));
      c.print(` is-at ${hwAddr(c, sha, hln, fr)}`);
      break;
    case ARPOP_REVREQUEST:
    case ARPOP_INVREQUEST:
      c.print(`who-is ${hwAddr(c, tha, hln, fr)}`);
      c.print(` tell ${hwAddr(c, sha, hln, fr)}`);
      break;
    case ARPOP_REVREPLY:
      c.print(`${hwAddr(c, tha, hln, fr)} at `);
      c.print(protoAddr(c, pro, pln, tpa));
      break;
    case ARPOP_INVREPLY:
      c.print(`${hwAddr(c, sha, hln, fr)} at `);
      c.print(protoAddr(c, pro, pln, spa));
      break;
    default:
      defaultPrint(c, p, caplen);
      return;
  }
  c.print(`, length ${length}`);
}

/** ATM ARP (RFC 2225): variable-length ATM numbers and subaddresses. */
function atmArpPrint(c: Ctx, p: number, length: number, caplen: number): void {
  c.tcheck(p, 12);
  const hrd = c.u16(p);
  const pro = c.u16(p + 2);
  const op = c.u16(p + 6);
  const shl = c.u8(p + 4) & 0x3f;
  const ssl = c.u8(p + 5) & 0x3f;
  const spl = c.u8(p + 8);
  const thl = c.u8(p + 9) & 0x3f;
  const tsl = c.u8(p + 10) & 0x3f;
  const tpl = c.u8(p + 11);
  const sha = p + 12;
  const ssa = sha + shl;
  const spa = ssa + ssl;
  const tha = spa + spl;
  const tsa = tha + thl;
  const tpa = tsa + tsl;
  c.tcheck(tpa, tpl);
  if (!c.eflag) c.print('ARP, ');
  if (!isIpProto(pro) || spl !== 4 || tpl !== 4 || c.vflag) {
    c.print(
      `${tok2str(ARPHRD_VALUES, 'Unknown Hardware (%u)', hrd)}, ` +
        `${tok2str(ETHERTYPE_VALUES, 'Unknown Protocol (0x%04x)', pro)} (len ${spl}/${tpl})`,
    );
    if (!c.vflag) {
      c.print(`, length ${length}`);
      return;
    }
  }
  const atmAddr = (ha: number, hl: number, sa: number, sl: number): string => {
    if (hl === 0) return '<No address>';
    let s = c.linkaddr(ha, hl);
    if (sl !== 0) s += `,${c.linkaddr(sa, sl)}`;
    return s;
  };
  c.print(`${c.vflag ? ', ' : ''}${tok2str(ARPOP_VALUES, 'Unknown (%u)', op)} `);
  switch (op) {
    case ARPOP_REQUEST:
      c.print('who-has ');
      c.print(protoAddr(c, pro, tpl, tpa, '<wrong tplen>'));
      if (thl !== 0) c.print(` (${atmAddr(tha, thl, tsa, tsl)})`);
      c.print(' tell ');
      c.print(protoAddr(c, pro, spl, spa, '<wrong splen>'));
      break;
    case ARPOP_REPLY:
      c.print(protoAddr(c, pro, spl, spa, '<wrong splen>'));
      c.print(` is-at ${atmAddr(sha, shl, ssa, ssl)}`);
      break;
    case ARPOP_INVREQUEST:
      c.print(`who-is ${atmAddr(tha, thl, tsa, tsl)}`);
      c.print(` tell ${atmAddr(sha, shl, ssa, ssl)}`);
      break;
    case ARPOP_INVREPLY:
      c.print(atmAddr(sha, shl, ssa, ssl));
      c.print('at ');
      c.print(protoAddr(c, pro, spl, spa, '<wrong splen>'));
      break;
    case ARPOP_NAK:
      c.print('for ');
      c.print(protoAddr(c, pro, spl, spa, '<wrong splen>'));
      break;
    default:
      defaultPrint(c, p, caplen);
      return;
  }
  c.print(`, length ${length}`);
}
