// IEEE 802.2 LLC and SNAP headers (print-llc.c), as found after an 802.3 length field or in a
// Linux cooked capture with protocol 0x0004; hands STP BPDUs, IP and SNAP-encapsulated
// EtherTypes on to their printers.
import { defaultPrint } from './ascii.ts';
import { formatUnknown, tok2str, type Ctx, type Tok } from './context.ts';
import { etherPrint } from './ether.ts';
import { ETHERTYPE_VALUES, ethertypePrint } from './ethertype.ts';
import { ipPrint } from './ip.ts';
import { stpPrint } from './stp.ts';

/** Where the source and destination MACs are, for the printers that show them without -e. */
export interface LinkAddrs {
  src: number;
  dst: number;
}

const LLCSAP_GLOBAL = 0xff;
const LLCSAP_IP = 0x06;
const LLCSAP_8021D = 0x42;
const LLCSAP_SNAP = 0xaa;
const LLC_UI = 0x03;
const LLC_U_FMT = 3;
const LLC_S_FMT = 1;
const LLC_GSAP = 1;
const LLC_IG = 1;
const LLC_U_POLL = 0x10;
const LLC_IS_POLL = 0x0100;
const LLC_XID = 0xaf;
const LLC_XID_FI = 0x81;

const LLC_VALUES: Tok = new Map([
  [0x00, 'Null'],
  [0xff, 'Global'],
  [0x02, '802.1B I'],
  [0x03, '802.1B G'],
  [0x06, 'IP'],
  [0x04, 'SNA'],
  [0x0e, 'ProWay NM'],
  [0x42, 'STP'],
  [0x4e, 'RS511'],
  [0x7e, 'ISO8208'],
  [0x8e, 'ProWay'],
  [0xaa, 'SNAP'],
  [0xe0, 'IPX'],
  [0xf0, 'NetBeui'],
  [0xfe, 'OSI'],
]);

const LLC_CMD_VALUES: Tok = new Map([
  [0x03, 'ui'],
  [0xe3, 'test'],
  [0xaf, 'xid'],
  [0x63, 'ua'],
  [0x43, 'disc'],
  [0x0f, 'dm'],
  [0x6f, 'sabme'],
  [0x87, 'frmr'],
]);

// First match wins (0 → "Command", never "Individual"-style duplicates here).
const LLC_FLAG_VALUES: Tok = new Map([
  [0x0101, 'Final'],
  [0x0100, 'Poll'],
  [0x11, 'Final'],
  [0x10, 'Poll'],
  [0x01, 'Response'],
  [0x00, 'Command'],
]);

const LLC_SUPERVISORY_VALUES: Tok = new Map([
  [0, 'Receiver Ready'],
  [1, 'Receiver not Ready'],
  [2, 'Reject'],
]);

const OUI_VALUES: Tok = new Map([
  [0x000000, 'Ethernet'],
  [0x00000c, 'Cisco'],
  [0x00005e, 'IANA'],
  [0x000081, 'Nortel Networks SONMP'],
  [0x0000f8, 'Cisco bridged'],
  [0x0080c2, 'Ethernet bridged'],
  [0x00a03e, 'ATM Forum'],
  [0x00e02f, 'DOCSIS Spanning Tree'],
  [0x080007, 'Appletalk'],
  [0x009069, 'Juniper'],
  [0x080009, 'Hewlett-Packard'],
  [0x00120f, 'IEEE 802.3 Private'],
  [0x0012bb, 'ANSI/TIA'],
  [0x001b21, 'DCBX'],
  [0x002320, 'Nicira Networks'],
  [0x5c16c7, 'Big Switch Networks'],
  [0xb0d2f5, 'Vello Systems'],
  [0x002481, 'HP'],
  [0x0004ea, 'HP-Labs'],
  [0x748771, 'Infoblox Inc'],
  [0xa42305, 'Open Networking Lab'],
  [0x00049f, 'Freescale'],
  [0x0015ad, 'Netronome'],
  [0x001018, 'Broadcom'],
  [0x00e004, 'PMC-Sierra'],
  [0xd0f0db, 'Ericsson'],
]);

const CISCO_VALUES: Tok = new Map([
  [0x2000, 'CDP'],
  [0x2003, 'VTP'],
  [0x2004, 'DTP'],
  [0x0111, 'UDLD'],
  [0x010b, 'PVST'],
  [0x010c, 'VLAN Bridge'],
]);

const BRIDGED_VALUES: Tok = new Map([
  [0x0001, 'Ethernet + FCS'],
  [0x0007, 'Ethernet w/o FCS'],
  [0x0002, '802.4 + FCS'],
  [0x0008, '802.4 w/o FCS'],
  [0x0003, 'Token Ring + FCS'],
  [0x0009, 'Token Ring w/o FCS'],
  [0x0004, 'FDDI + FCS'],
  [0x000a, 'FDDI w/o FCS'],
  [0x0005, '802.6 + FCS'],
  [0x000b, '802.6 w/o FCS'],
  [0x000e, 'BPDU'],
]);

const NO_VALUES: Tok = new Map();

function ouiTok(oui: number): Tok {
  switch (oui) {
    case 0x000000:
    case 0x0000f8:
    case 0x080007:
      return ETHERTYPE_VALUES;
    case 0x00000c:
      return CISCO_VALUES;
    case 0x0080c2:
      return BRIDGED_VALUES;
    default:
      return NO_VALUES;
  }
}

/**
 * Prints the LLC header at `p` and what follows. Returns the header length, negated when the
 * payload was not printed (the caller dumps it).
 */
export function llcPrint(c: Ctx, p: number, length: number, caplen: number, addrs?: LinkAddrs): number {
  c.protocol = 'llc';
  if (caplen < 3 || length < 3) {
    c.trunc();
    defaultPrint(c, p, caplen);
    return caplen < 3 ? caplen : length;
  }
  const dsapField = c.u8(p);
  const ssapField = c.u8(p + 1);
  let control = c.u8(p + 2);
  let isU: boolean;
  let hdrlen: number;
  if ((control & LLC_U_FMT) === LLC_U_FMT) {
    isU = true;
    hdrlen = 3;
  } else {
    if (caplen < 4 || length < 4) {
      c.trunc();
      defaultPrint(c, p, caplen);
      return caplen < 4 ? caplen : length;
    }
    control = c.le16(p + 2);
    isU = false;
    hdrlen = 4;
  }
  if (ssapField === LLCSAP_GLOBAL && dsapField === LLCSAP_GLOBAL) {
    // Novell "raw" 802.3 IPX: no IPX printer here, show the header and dump.
    if (c.eflag) c.print('IPX 802.3: ');
    defaultPrint(c, p, caplen);
    return 0;
  }
  const dsap = dsapField & ~LLC_IG;
  const ssap = ssapField & ~LLC_GSAP;
  if (c.eflag) {
    c.print(
      `LLC, dsap ${tok2str(LLC_VALUES, 'Unknown', dsap)} (0x${dsap.toString(16).padStart(2, '0')}) ` +
        `${dsapField & LLC_IG ? 'Group' : 'Individual'}, ` +
        `ssap ${tok2str(LLC_VALUES, 'Unknown', ssap)} (0x${ssap.toString(16).padStart(2, '0')}) ` +
        `${ssapField & LLC_GSAP ? 'Response' : 'Command'}`,
    );
    c.print(isU ? `, ctrl 0x${control.toString(16).padStart(2, '0')}: ` : `, ctrl 0x${control.toString(16).padStart(4, '0')}: `);
  }
  p += hdrlen;
  length -= hdrlen;
  caplen -= hdrlen;

  if (ssap === LLCSAP_SNAP && dsap === LLCSAP_SNAP && control === LLC_UI) {
    return snapPrint(c, p, length, caplen, addrs) ? hdrlen + 5 : -(hdrlen + 5);
  }
  if (ssap === LLCSAP_8021D && dsap === LLCSAP_8021D && control === LLC_UI) {
    stpPrint(c, p, length);
    return hdrlen;
  }
  if (ssap === LLCSAP_IP && dsap === LLCSAP_IP && control === LLC_UI) {
    ipPrint(c, p, length);
    return hdrlen;
  }
  if (!c.eflag) {
    if (ssap === dsap) {
      if (addrs === undefined) c.print(`${tok2str(LLC_VALUES, 'Unknown DSAP 0x%02x', dsap)} `);
      else {
        c.print(`${c.etheraddr(addrs.src)} > ${c.etheraddr(addrs.dst)} ${tok2str(LLC_VALUES, 'Unknown DSAP 0x%02x', dsap)} `);
      }
    } else if (addrs === undefined) {
      c.print(`${tok2str(LLC_VALUES, 'Unknown SSAP 0x%02x', ssap)} > ${tok2str(LLC_VALUES, 'Unknown DSAP 0x%02x', dsap)} `);
    } else {
      c.print(
        `${c.etheraddr(addrs.src)} ${tok2str(LLC_VALUES, 'Unknown SSAP 0x%02x', ssap)} > ` +
          `${c.etheraddr(addrs.dst)} ${tok2str(LLC_VALUES, 'Unknown DSAP 0x%02x', dsap)} `,
      );
    }
  }
  if (isU) {
    c.print(
      `Unnumbered, ${tok2str(LLC_CMD_VALUES, '%02x', control & 0xef)}, ` +
        `Flags [${tok2str(LLC_FLAG_VALUES, '?', (ssapField & LLC_GSAP) | (control & LLC_U_POLL))}], length ${length + hdrlen}`,
    );
    if ((control & ~LLC_U_POLL) === LLC_XID) {
      if (length === 0) return hdrlen;
      if (caplen < 1) {
        c.trunc();
        return hdrlen;
      }
      if (c.u8(p) === LLC_XID_FI) {
        if (caplen < 3 || length < 3) {
          c.trunc();
          if (caplen > 0) defaultPrint(c, p, caplen);
        } else {
          c.print(`: ${formatUnknown('%02x', c.u8(p + 1))} ${formatUnknown('%02x', c.u8(p + 2))}`);
        }
        return hdrlen;
      }
    }
  } else if ((control & LLC_S_FMT) === LLC_S_FMT) {
    c.print(
      `Supervisory, ${tok2str(LLC_SUPERVISORY_VALUES, '?', (control >> 2) & 0x03)}, rcv seq ${(control >> 9) & 0x7f}, ` +
        `Flags [${tok2str(LLC_FLAG_VALUES, '?', (ssapField & LLC_GSAP) | (control & LLC_IS_POLL))}], length ${length + hdrlen}`,
    );
    return hdrlen;
  } else {
    c.print(
      `Information, send seq ${(control >> 1) & 0x7f}, rcv seq ${(control >> 9) & 0x7f}, ` +
        `Flags [${tok2str(LLC_FLAG_VALUES, '?', (ssapField & LLC_GSAP) | (control & LLC_IS_POLL))}], length ${length + hdrlen}`,
    );
  }
  return -hdrlen;
}

/** The 5-byte SNAP header (OUI and protocol id) and its payload; false if not printed. */
function snapPrint(c: Ctx, p: number, length: number, caplen: number, addrs?: LinkAddrs): boolean {
  c.protocol = 'snap';
  if (!c.ttest(p, 5) || caplen < 5 || length < 5) {
    c.trunc();
    return true;
  }
  const oui = c.u24(p);
  const et = c.u16(p + 3);
  if (c.eflag) {
    c.print(
      `oui ${tok2str(OUI_VALUES, 'Unknown', oui)} (0x${oui.toString(16).padStart(6, '0')}), ` +
        `${oui === 0 ? 'ethertype' : 'pid'} ${tok2str(ouiTok(oui), 'Unknown', et)} (0x${et.toString(16).padStart(4, '0')}), length ${length - 5}: `,
    );
  }
  p += 5;
  length -= 5;
  caplen -= 5;
  switch (oui) {
    case 0x000000:
    case 0x0000f8:
      if (ethertypePrint(c, et, p, length, caplen)) return true;
      break;
    case 0x00000c:
      if (et === 0x010b || et === 0x010c) {
        stpPrint(c, p, length);
        return true;
      }
      break;
    case 0x0080c2:
      if (et === 0x0001 || et === 0x0007) {
        // Bridged Ethernet after 2 bytes of padding.
        c.tcheck(p, 2);
        etherPrint(c, p + 2, length - 2, caplen - 2);
        return true;
      }
      if (et === 0x000e) {
        stpPrint(c, p, length);
        return true;
      }
      break;
    default:
      break;
  }
  if (!c.eflag) {
    if (addrs !== undefined) c.print(`${c.etheraddr(addrs.src)} > ${c.etheraddr(addrs.dst)} `);
    if (oui === 0) {
      c.print(`SNAP, ethertype ${tok2str(ETHERTYPE_VALUES, 'Unknown', et)} (0x${et.toString(16).padStart(4, '0')}), length ${length}: `);
    } else {
      c.print(
        `SNAP, oui ${tok2str(OUI_VALUES, 'Unknown', oui)} (0x${oui.toString(16).padStart(6, '0')}), ` +
          `pid ${tok2str(ouiTok(oui), 'Unknown', et)} (0x${et.toString(16).padStart(4, '0')}), length ${length}: `,
      );
    }
  }
  return false;
}
