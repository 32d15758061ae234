// BSD loopback link layers (print-null.c), LINKTYPE_NULL (0) and LINKTYPE_LOOP (108): a 4-byte
// address family, in either byte order, then the packet: `AF IPv4 (2), length 40: ` with -e.
import { defaultPrint } from './ascii.ts';
import { tok2str, type Ctx, type Tok } from './context.ts';
import { ipPrint } from './ip.ts';

const NULL_HDRLEN = 4;
const BSD_AFNUM_INET = 2;

const BSD_AF_VALUES: Tok = new Map([
  [2, 'IPv4'],
  [6, 'NS'],
  [7, 'ISO'],
  [16, 'Appletalk'],
  [23, 'IPX'],
  [24, 'IPv6'],
  [28, 'IPv6'],
  [30, 'IPv6'],
]);

function header(c: Ctx, family: number, length: number): void {
  c.print(`AF ${tok2str(BSD_AF_VALUES, 'Unknown', family)} (${family}), length ${length}: `);
}

export function nullIfPrint(c: Ctx, length: number, caplen: number): void {
  c.protocol = 'null';
  c.tcheck(0, NULL_HDRLEN);
  const b = c.b;
  // Host (little-endian) order, swapped if the upper half is not zero.
  let family = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  if (family & 0xffff0000) family = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  if (c.eflag) header(c, family, length);
  if (family === BSD_AFNUM_INET) {
    ipPrint(c, NULL_HDRLEN, length - NULL_HDRLEN);
    return;
  }
  // IPv6, ISO, AppleTalk and IPX are not decoded: shown as an unknown family would be.
  if (!c.eflag) header(c, family, length);
  defaultPrint(c, NULL_HDRLEN, caplen - NULL_HDRLEN);
}
