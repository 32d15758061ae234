// Ethernet II / 802.3 frames with 802.1Q tags (print-ether.c): with -e the
// `SRC > DST, ethertype IPv4 (0x0800), length N: ` prefix, then the payload.
import { defaultPrint } from './ascii.ts';
import { tok2str, type Ctx } from './context.ts';
import {
  ETHERTYPE_8021Q,
  ETHERTYPE_8021Q9100,
  ETHERTYPE_8021Q9200,
  ETHERTYPE_8021QINQ,
  ETHERTYPE_JUMBO,
  ETHERTYPE_VALUES,
  MAX_ETHERNET_LENGTH_VAL,
  ethertypePrint,
} from './ethertype.ts';
import { llcPrint, type LinkAddrs } from './llc.ts';

const ETHER_HDRLEN = 14;

function isVlanType(t: number): boolean {
  return t === ETHERTYPE_8021Q || t === ETHERTYPE_8021Q9100 || t === ETHERTYPE_8021Q9200 || t === ETHERTYPE_8021QINQ;
}

/** `ethertype IPv4 (0x0800)`. */
export function etherTypeString(type: number): string {
  return `ethertype ${tok2str(ETHERTYPE_VALUES, 'Unknown', type)} (0x${type.toString(16).padStart(4, '0')})`;
}

/** `vlan 100, p 0` (and `, DEI`): ieee8021q_tci_string. */
export function vlanTciString(tci: number): string {
  return `vlan ${tci & 0xfff}, p ${tci >>> 13}${tci & 0x1000 ? ', DEI' : ''}`;
}

/** The link-layer printer for LINKTYPE_ETHERNET: the whole frame from offset 0. */
export function etherIfPrint(c: Ctx, length: number, caplen: number): void {
  c.protocol = 'ether';
  etherPrint(c, 0, length, caplen);
}

/** Prints an Ethernet frame at `p` (`length` on the wire, `caplen` captured); returns the header length. */
export function etherPrint(c: Ctx, p: number, length: number, caplen: number): number {
  c.protocol = 'ether';
  if (length < caplen) {
    c.print(`[length ${length} < caplen ${caplen}]`);
    c.invalid();
    return length;
  }
  if (caplen < ETHER_HDRLEN) {
    c.trunc();
    return caplen;
  }
  const origLength = length;
  const addrs: LinkAddrs = { src: p + 6, dst: p };
  const addresses = (): string => `${c.etheraddr(addrs.src)} > ${c.etheraddr(addrs.dst)}, `;
  length -= 12;
  caplen -= 12;
  p += 12;
  let hdrlen = 12;
  if (c.eflag) c.print(addresses());

  let lengthType = c.u16(p);
  length -= 2;
  caplen -= 2;
  p += 2;
  hdrlen += 2;

  let printedLength = false;
  while (isVlanType(lengthType)) {
    if (caplen < 4) {
      c.protocol = 'vlan';
      c.trunc();
      return hdrlen + caplen;
    }
    if (length < 4) {
      c.protocol = 'vlan';
      c.trunc();
      return hdrlen + length;
    }
    if (c.eflag) {
      const tag = c.u16(p);
      c.print(etherTypeString(lengthType));
      if (!printedLength) {
        c.print(`, length ${origLength}: `);
        printedLength = true;
      } else {
        c.print(', ');
      }
      c.print(`${vlanTciString(tag)}, `);
    }
    lengthType = c.u16(p + 2);
    p += 4;
    length -= 4;
    caplen -= 4;
    hdrlen += 4;
  }

  if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
    // An 802.3 length: it bounds the payload (an LLC header and what follows).
    if (lengthType < length) {
      length = lengthType;
      if (caplen > length) caplen = length;
    }
    const saved = c.pushSnaplen(p, length);
    if (c.eflag) {
      c.print('802.3');
      if (!printedLength) c.print(`, length ${length}: `);
    }
    let llcHdrlen = llcPrint(c, p, length, caplen, addrs);
    if (llcHdrlen < 0) {
      defaultPrint(c, p, caplen);
      llcHdrlen = -llcHdrlen;
    }
    hdrlen += llcHdrlen;
    c.snapend = saved;
  } else if (lengthType === ETHERTYPE_JUMBO) {
    let llcHdrlen = llcPrint(c, p, length, caplen, addrs);
    if (llcHdrlen < 0) {
      defaultPrint(c, p, caplen);
      llcHdrlen = -llcHdrlen;
    }
    hdrlen += llcHdrlen;
  } else {
    if (c.eflag) {
      c.print(etherTypeString(lengthType));
      c.print(printedLength ? ', ' : `, length ${origLength}: `);
    }
    if (!ethertypePrint(c, lengthType, p, length, caplen)) {
      if (!c.eflag) {
        c.print(addresses());
        c.print(etherTypeString(lengthType));
        c.print(`, length ${origLength}: `);
      }
      defaultPrint(c, p, caplen);
    }
  }
  return hdrlen;
}
