// Raw data dumps: tcpdump's default printer for payloads it cannot decode
// (`\n\t0x0000:  0001 0800 ...  ........`).
import { TRUNCATED, hex2, type Ctx } from './context.ts';

const BYTES_PER_LINE = 16;
const HEX_WIDTH = 40; // 8 groups of " xxxx"

function graph(c: number): string {
  return c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
}

/**
 * hex_and_ascii_print: `length` bytes from `o`, 16 per line, each line prefixed by `indent` and
 * the offset. Prints what was captured, then bails out as truncated if that was less.
 */
export function hexAndAsciiPrint(c: Ctx, indent: string, o: number, length: number, offset = 0): void {
  const caplength = c.snapend > o ? c.snapend - o : 0;
  let truncated = false;
  if (length > caplength) {
    length = caplength;
    truncated = true;
  }
  const b = c.b;
  let hexs = '';
  let ascii = '';
  let inLine = 0;
  const flush = (): void => {
    c.print(`${indent}0x${offset.toString(16).padStart(4, '0')}: ${hexs.padEnd(HEX_WIDTH)}  ${ascii}`);
    offset += BYTES_PER_LINE;
    hexs = '';
    ascii = '';
    inLine = 0;
  };
  let i = 0;
  for (; i + 1 < length; i += 2) {
    hexs += ` ${hex2(b[o + i])}${hex2(b[o + i + 1])}`;
    ascii += graph(b[o + i]) + graph(b[o + i + 1]);
    inLine += 2;
    if (inLine >= BYTES_PER_LINE) flush();
  }
  if (length & 1) {
    hexs += ` ${hex2(b[o + i])}`;
    ascii += graph(b[o + i]);
    inLine++;
  }
  if (inLine > 0) flush();
  if (truncated) throw TRUNCATED;
}

/** ND_DEFAULTPRINT: the hex and ASCII dump, one tab in. */
export function defaultPrint(c: Ctx, o: number, length: number): void {
  hexAndAsciiPrint(c, '\n\t', o, length);
}

/** hex_print: hex only, 8 groups of two bytes per line (`0x0000:  0001 0203`). */
export function hexPrint(c: Ctx, indent: string, o: number, length: number): void {
  const caplength = c.snapend > o ? c.snapend - o : 0;
  let truncated = false;
  if (length > caplength) {
    length = caplength;
    truncated = true;
  }
  const b = c.b;
  let offset = 0;
  let i = 0;
  let k = 0;
  for (; k + 1 < length; k += 2) {
    if (i++ % 8 === 0) {
      c.print(`${indent}0x${offset.toString(16).padStart(4, '0')}: `);
      offset += BYTES_PER_LINE;
    }
    c.print(` ${hex2(b[o + k])}${hex2(b[o + k + 1])}`);
  }
  if (length & 1) {
    if (i % 8 === 0) c.print(`${indent}0x${offset.toString(16).padStart(4, '0')}: `);
    c.print(` ${hex2(b[o + k])}`);
  }
  if (truncated) throw TRUNCATED;
}

/** print_unknown_data: a hex dump of what was captured of `len` bytes. */
export function printUnknownData(c: Ctx, o: number, indent: string, len: number): void {
  if (!c.ttest(o, 0)) {
    c.print(`${indent}Dissector error: print_unknown_data called with pointer past end of packet`);
    return;
  }
  hexPrint(c, indent, o, Math.min(len, c.avail(o)));
}
