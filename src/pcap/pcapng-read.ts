/**
 * pcapng decoder (draft-ietf-opsawg-pcapng), following libpcap's sf-pcapng.c where it decides.
 *
 * - Byte order is per section: each SHB's byte-order magic (1a2b3c4d) sets it for the blocks
 *   up to the next SHB. A bad magic is an error. SHB versions 1.0 and 1.2 are accepted.
 * - Every block: length ≥ 12, a multiple of 4, within the file, equal to the trailing copy.
 * - IDB: link type, snaplen, options if_name (2), if_description (3), if_tsresol (9) and
 *   if_tsoffset (14); other options are ignored. Interfaces are numbered per section in the
 *   file but listed file-wide: CaptureRecord.interfaceId is the index in `interfaces`.
 *   Unlike libpcap, interfaces may have different link types and snaplens.
 * - EPB and the obsolete PB give a record; so does SPB (interface 0 of the section, no time
 *   stamp, captured length = min(original length, snaplen)). A packet block naming an
 *   interface the section has not described is an error, as is a captured length above the
 *   interface's effective snaplen (0 → 262144, like libpcap) or past the block's end.
 * - Every other block type (NRB, ISB, DSB, custom, unknown) is skipped.
 *
 * Timestamps: ticks / ticksPerSecond + if_tsoffset seconds; the remainder becomes
 * nanoseconds, rounded down (as libpcap does when asked for nanoseconds).
 */
import type { Cursor, Decoder, Step } from './decoder.ts';
import { hex8 } from './decoder.ts';
import { CaptureError } from './error.ts';
import { effectiveSnaplen } from './linktype.ts';
import type { CaptureHeader, CaptureInterface, CaptureRecord } from './types.ts';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_SHB_USERAPPL = 4;
export const OPT_IF_NAME = 2;
export const OPT_IF_DESCRIPTION = 3;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

/** Units per second an if_tsresol byte means, or undefined if it does not fit 64 bits. */
export function tsresolTicks(tsresol: number): bigint | undefined {
  if (tsresol & 0x80) {
    const shift = tsresol & 0x7f;
    return shift > 63 ? undefined : 1n << BigInt(shift);
  }
  return tsresol > 19 ? undefined : 10n ** BigInt(tsresol);
}

interface Iface {
  pub: CaptureInterface;
  /** Effective snapshot length (0 → link type maximum). */
  snap: number;
  micro: boolean;
}

interface Section {
  le: boolean;
  ifaces: Iface[];
}

const utf8 = new TextDecoder();

export class PcapngDecoder implements Decoder {
  readonly interfaces: CaptureInterface[] = [];
  private first: { le: boolean; major: number; minor: number } | undefined;
  private section: Section | undefined;
  private sections = 0;
  private block = 0;
  private index = 0;

  constructor(
    private readonly file: string,
    private readonly copy: boolean,
  ) {}

  header(): CaptureHeader | undefined {
    const f = this.first;
    if (f === undefined) return undefined;
    const i0 = this.interfaces[0];
    return {
      format: 'pcapng',
      byteOrder: f.le ? 'le' : 'be',
      precision: i0 !== undefined && i0.ticksPerSecond > 1_000_000n ? 'ns' : 'us',
      versionMajor: f.major,
      versionMinor: f.minor,
      linkType: i0?.linkType ?? null,
      snaplen: i0?.snaplen ?? null,
      linkTypeExt: 0,
    };
  }

  private fail(offset: number, detail: string): CaptureError {
    return new CaptureError({ file: this.file, unit: 'block', recordIndex: this.block, byteOffset: offset, detail });
  }

  step(c: Cursor): Step {
    const at = c.pos;
    const off = c.base + at;
    const avail = c.end - at;
    const v = c.view;
    if (avail < 8) {
      if (!c.eof) return 8;
      if (avail === 0 && this.section !== undefined) return 'end';
      throw this.fail(off, `truncated block header: 8 bytes needed, ${avail} present`);
    }
    let type = v.getUint32(at, true);
    let le: boolean;
    if (type === BT_SHB) {
      if (avail < 12) {
        if (!c.eof) return 12;
        throw this.fail(off, `truncated section header block: 12 bytes needed, ${avail} present`);
      }
      const bom = v.getUint32(at + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw this.fail(off, `bad byte-order magic ${hex8(v.getUint32(at + 8, false))} in section header block`);
    } else {
      if (this.section === undefined) throw this.fail(off, `first block has type ${hex8(type)}, not a section header block`);
      le = this.section.le;
      type = v.getUint32(at, le);
    }
    const len = v.getUint32(at + 4, le);
    if (len < 12) throw this.fail(off, `block length ${len} is less than 12`);
    if (len % 4 !== 0) throw this.fail(off, `block length ${len} is not a multiple of 4`);
    if (avail < len) {
      if (!c.eof) return len;
      throw this.fail(off, `block length ${len} runs past end of file (${avail} bytes left)`);
    }
    const trailer = v.getUint32(at + len - 4, le);
    if (trailer !== len) throw this.fail(off, `block length ${len} in header but ${trailer} in trailer`);
    const body = at + 8;
    const bodyEnd = at + len - 4;
    let out: Step = 'skip';
    switch (type) {
      case BT_SHB:
        this.readShb(c, off, len, le);
        break;
      case BT_IDB:
        this.readIdb(c, off, len, body, bodyEnd, le);
        break;
      case BT_EPB:
      case BT_PB: {
        const name = type === BT_EPB ? 'enhanced packet block' : 'packet block';
        if (len < 32) throw this.fail(off, `${name} too short (length ${len})`);
        const ifid = type === BT_EPB ? v.getUint32(body, le) : v.getUint16(body, le);
        const caplen = v.getUint32(body + 12, le);
        const iface = this.iface(off, name, ifid, caplen, bodyEnd - (body + 20));
        const [sec, nsec] = ticksToTime(v.getUint32(body + 4, le), v.getUint32(body + 8, le), iface);
        out = this.record(c, off, iface, sec, nsec, v.getUint32(body + 16, le), body + 20, caplen);
        break;
      }
      case BT_SPB: {
        if (len < 16) throw this.fail(off, `simple packet block too short (length ${len})`);
        const orig = v.getUint32(body, le);
        const ifaces = this.section?.ifaces ?? [];
        const snap = ifaces[0]?.snap ?? 0;
        const caplen = Math.min(orig, snap);
        const iface = this.iface(off, 'simple packet block', 0, caplen, bodyEnd - (body + 4));
        out = this.record(c, off, iface, 0, 0, orig, body + 4, caplen);
        break;
      }
      default:
        break;
    }
    c.pos = at + len;
    this.block++;
    return out;
  }

  private readShb(c: Cursor, off: number, len: number, le: boolean): void {
    if (len < 28) throw this.fail(off, `section header block too short (length ${len})`);
    const major = c.view.getUint16(c.pos + 12, le);
    const minor = c.view.getUint16(c.pos + 14, le);
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      throw this.fail(off, `unsupported pcapng version ${major}.${minor}`);
    }
    if (this.first === undefined) this.first = { le, major, minor };
    this.section = { le, ifaces: [] };
    this.sections++;
  }

  private readIdb(c: Cursor, off: number, len: number, body: number, bodyEnd: number, le: boolean): void {
    if (len < 20) throw this.fail(off, `interface description block too short (length ${len})`);
    const v = c.view;
    const linkType = v.getUint16(body, le);
    const snaplen = v.getUint32(body + 4, le);
    let name: string | undefined;
    let description: string | undefined;
    let tsresol: number | undefined;
    let tsOffset: number | undefined;
    let p = body + 8;
    while (p + 4 <= bodyEnd) {
      const code = v.getUint16(p, le);
      const olen = v.getUint16(p + 2, le);
      const val = p + 4;
      if (val + olen > bodyEnd) throw this.fail(off, `option ${code} runs past end of block`);
      if (code === OPT_ENDOFOPT) break;
      if (code === OPT_IF_NAME) name = utf8.decode(c.buf.subarray(val, val + olen));
      else if (code === OPT_IF_DESCRIPTION) description = utf8.decode(c.buf.subarray(val, val + olen));
      else if (code === OPT_IF_TSRESOL) {
        if (olen !== 1) throw this.fail(off, `if_tsresol option has length ${olen}, not 1`);
        if (tsresol !== undefined) throw this.fail(off, 'more than one if_tsresol option');
        tsresol = c.buf[val];
      } else if (code === OPT_IF_TSOFFSET) {
        if (olen !== 8) throw this.fail(off, `if_tsoffset option has length ${olen}, not 8`);
        if (tsOffset !== undefined) throw this.fail(off, 'more than one if_tsoffset option');
        tsOffset = Number(v.getBigInt64(val, le));
      }
      p = val + ((olen + 3) & ~3);
    }
    const resol = tsresol ?? 6;
    const ticksPerSecond = tsresolTicks(resol);
    if (ticksPerSecond === undefined) {
      const what = resol & 0x80 ? `2^-${resol & 0x7f}` : `10^-${resol}`;
      throw this.fail(off, `if_tsresol ${what} is too high`);
    }
    const section = this.section;
    if (section === undefined) throw this.fail(off, 'interface description block outside a section');
    const pub: CaptureInterface = {
      id: this.interfaces.length,
      section: this.sections - 1,
      sectionInterfaceId: section.ifaces.length,
      linkType,
      snaplen,
      tsresol: resol,
      ticksPerSecond,
      tsOffset: tsOffset ?? 0,
      fileOffset: off,
    };
    if (name !== undefined) pub.name = name;
    if (description !== undefined) pub.description = description;
    this.interfaces.push(pub);
    section.ifaces.push({ pub, snap: effectiveSnaplen(linkType, snaplen), micro: resol === 6 });
  }

  private iface(off: number, what: string, ifid: number, caplen: number, room: number): Iface {
    const ifaces = this.section?.ifaces ?? [];
    const iface = ifaces[ifid];
    if (iface === undefined) {
      const n = ifaces.length;
      throw this.fail(
        off,
        `${what} refers to interface ${ifid}, but the section has ${n} interface description block${n === 1 ? '' : 's'}`,
      );
    }
    if (caplen > iface.snap) throw this.fail(off, `captured length ${caplen} exceeds snapshot length ${iface.snap}`);
    if (caplen > room) throw this.fail(off, `captured length ${caplen} runs past end of block (${room} bytes of packet data)`);
    return iface;
  }

  private record(
    c: Cursor,
    off: number,
    iface: Iface,
    tsSec: number,
    tsNsec: number,
    originalLength: number,
    start: number,
    caplen: number,
  ): CaptureRecord {
    const stop = start + caplen;
    return {
      index: this.index++,
      fileOffset: off,
      interfaceId: iface.pub.id,
      linkType: iface.pub.linkType,
      tsSec,
      tsNsec,
      originalLength,
      data: this.copy ? c.buf.slice(start, stop) : c.buf.subarray(start, stop),
    };
  }
}

/** Split a 64-bit tick count into seconds (plus if_tsoffset) and nanoseconds. */
function ticksToTime(high: number, low: number, iface: Iface): [number, number] {
  const offset = iface.pub.tsOffset;
  if (iface.micro && high < 0x100000) {
    // t < 2^52: exact in a double, and so are sec * 1e6 and the remainder.
    const t = high * 0x100000000 + low;
    const sec = Math.floor(t / 1e6);
    const frac = t - sec * 1e6;
    return frac < 0 ? [sec - 1 + offset, (frac + 1e6) * 1000] : [sec + offset, frac * 1000];
  }
  const tps = iface.pub.ticksPerSecond;
  const t = (BigInt(high) << 32n) | BigInt(low);
  return [Number(t / tps) + offset, Number(((t % tps) * 1_000_000_000n) / tps)];
}
