// Linux cooked captures (print-sll.c), what `tcpdump -i any` writes: LINKTYPE_LINUX_SLL (113),
// `-e` prefix ` In 02:00:00:00:01:02 ethertype IPv4 (0x0800), length 100: `, and
// LINKTYPE_LINUX_SLL2 (276), which always starts with the interface name (`?` when the index
// cannot be resolved, as when reading a file on another machine) and the packet type.
import { defaultPrint } from './ascii.ts';
import { tok2str, type Ctx, type Tok } from './context.ts';
import { vlanTciString } from './ether.ts';
import { ETHERTYPE_8021Q, ETHERTYPE_VALUES, MAX_ETHERNET_LENGTH_VAL, ethertypePrint } from './ethertype.ts';
import { llcPrint } from './llc.ts';

const SLL_HDR_LEN = 16;
const SLL2_HDR_LEN = 20;
const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;
const ARPHRD_IEEE80211_RADIOTAP = 803;

const PKTTYPE_VALUES: Tok = new Map([
  [0, 'In'],
  [1, 'B'],
  [2, 'M'],
  [3, 'P'],
  [4, 'Out'],
]);

/** `ethertype IPv4 (0x0800), length N: ` (or `802.3`/`802.2`) after the addresses. */
function protocolAndLength(c: Ctx, etherType: number, length: number): void {
  if (etherType <= MAX_ETHERNET_LENGTH_VAL) {
    if (etherType === LINUX_SLL_P_802_3) c.print('802.3');
    else if (etherType === LINUX_SLL_P_802_2) c.print('802.2');
    else c.print(`ethertype Unknown (0x${etherType.toString(16).padStart(4, '0')})`);
  } else {
    c.print(`ethertype ${tok2str(ETHERTYPE_VALUES, 'Unknown', etherType)} (0x${etherType.toString(16).padStart(4, '0')})`);
  }
  c.print(`, length ${length}: `);
}

function sllHeaderPrint(c: Ctx, length: number): void {
  c.protocol = 'sll';
  c.print(`${tok2str(PKTTYPE_VALUES, '?', c.u16(0)).padStart(3)} `);
  if (c.u16(4) === 6) c.print(`${c.etheraddr(6)} `);
  protocolAndLength(c, c.u16(14), length);
}

function sll2HeaderPrint(c: Ctx, length: number): void {
  c.protocol = 'sll2';
  c.print(`ifindex ${c.u32(4)} `);
  if (c.u8(11) === 6) c.print(`${c.etheraddr(12)} `);
  protocolAndLength(c, c.u16(0), length);
}

/** What follows the cooked header (shared by SLL and SLL2 after their own header printing). */
function payloadPrint(c: Ctx, etherType: number, p: number, length: number, caplen: number, header: (len: number) => void, hdrlen: number): void {
  for (;;) {
    if (etherType <= MAX_ETHERNET_LENGTH_VAL) {
      if (etherType === LINUX_SLL_P_802_2) {
        if (llcPrint(c, p, length, caplen) >= 0) return;
      }
      // Novell 802.3 (IPX is not decoded), other Linux protocol numbers, unknown LLC.
      defaultPrint(c, p, caplen);
      return;
    }
    if (etherType === ETHERTYPE_8021Q) {
      if (caplen < 4) {
        c.protocol = 'vlan';
        c.trunc();
        return;
      }
      if (c.eflag) c.print(`${vlanTciString(c.u16(p))}, `);
      etherType = c.u16(p + 2);
      if (etherType <= MAX_ETHERNET_LENGTH_VAL) etherType = LINUX_SLL_P_802_2;
      c.print(`ethertype ${tok2str(ETHERTYPE_VALUES, 'Unknown', etherType)}, `);
      p += 4;
      length -= 4;
      caplen -= 4;
      continue;
    }
    if (!ethertypePrint(c, etherType, p, length, caplen)) {
      if (!c.eflag) header(length + hdrlen);
      defaultPrint(c, p, caplen);
    }
    return;
  }
}

/** LINKTYPE_LINUX_SLL. */
export function sllIfPrint(c: Ctx, length: number, caplen: number): void {
  c.protocol = 'sll';
  c.tcheck(0, SLL_HDR_LEN);
  if (c.eflag) sllHeaderPrint(c, length);
  const header = (len: number): void => sllHeaderPrint(c, len);
  if (c.u16(2) === ARPHRD_IEEE80211_RADIOTAP) {
    // 802.11 radiotap is not decoded.
    defaultPrint(c, SLL_HDR_LEN, caplen - SLL_HDR_LEN);
    return;
  }
  payloadPrint(c, c.u16(14), SLL_HDR_LEN, length - SLL_HDR_LEN, caplen - SLL_HDR_LEN, header, SLL_HDR_LEN);
}

/** LINKTYPE_LINUX_SLL2. */
export function sll2IfPrint(c: Ctx, length: number, caplen: number): void {
  c.protocol = 'sll2';
  c.tcheck(0, SLL2_HDR_LEN);
  const ifindex = c.u32(4);
  const name = c.opts.ifName?.(ifindex) ?? '?';
  c.print(`${name.padEnd(5)} `);
  c.print(`${tok2str(PKTTYPE_VALUES, '?', c.u8(10)).padEnd(3)} `);
  if (c.eflag) sll2HeaderPrint(c, length);
  const header = (len: number): void => sll2HeaderPrint(c, len);
  if (c.u16(8) === ARPHRD_IEEE80211_RADIOTAP) {
    defaultPrint(c, SLL2_HDR_LEN, caplen - SLL2_HDR_LEN);
    return;
  }
  payloadPrint(c, c.u16(0), SLL2_HDR_LEN, length - SLL2_HDR_LEN, caplen - SLL2_HDR_LEN, header, SLL2_HDR_LEN);
}
