// A minimal capture-file reader for the printer tests (classic pcap in either byte order with µs
// or ns stamps, and pcapng with SHB/IDB/EPB/SPB blocks), so they do not depend on src/pcap.
import type { FrameInfo } from '../../src/print/index.ts';

export interface Capture {
  nano: boolean;
  frames: FrameInfo[];
}

function readPcap(b: Uint8Array): Capture {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magicLe = dv.getUint32(0, true);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = dv.getUint32(0, false);
    if (magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d) throw new Error('not a pcap file');
    le = false;
    nano = magicBe === 0xa1b23c4d;
  }
  const linkType = dv.getUint32(20, le) & 0xffff;
  const frames: FrameInfo[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const tsSec = dv.getUint32(o, le);
    const frac = dv.getUint32(o + 4, le);
    const caplen = dv.getUint32(o + 8, le);
    const originalLength = dv.getUint32(o + 12, le);
    const data = b.slice(o + 16, o + 16 + caplen);
    frames.push({ data, linkType, originalLength, tsSec, tsNsec: nano ? frac : frac * 1000 });
    o += 16 + caplen;
  }
  return { nano, frames };
}

interface Iface {
  linkType: number;
  ticks: bigint;
}

function readPcapng(b: Uint8Array): Capture {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  let ifaces: Iface[] = [];
  const frames: FrameInfo[] = [];
  let nano = false;
  let o = 0;
  while (o + 12 <= b.length) {
    let type = dv.getUint32(o, le);
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      type = 0x0a0d0d0a;
      ifaces = [];
    }
    const total = dv.getUint32(o + 4, le);
    if (type === 1) {
      const linkType = dv.getUint16(o + 8, le);
      let ticks = 1000000n;
      let p = o + 16;
      while (p + 4 <= o + total - 4) {
        const code = dv.getUint16(p, le);
        const len = dv.getUint16(p + 2, le);
        if (code === 0) break;
        if (code === 9) {
          const r = b[p + 4];
          ticks = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
          if (ticks > 1000000n) nano = true;
        }
        p += 4 + ((len + 3) & ~3);
      }
      ifaces.push({ linkType, ticks });
    } else if (type === 6) {
      const ifc = ifaces[dv.getUint32(o + 8, le)];
      const ts = (BigInt(dv.getUint32(o + 12, le)) << 32n) | BigInt(dv.getUint32(o + 16, le));
      const caplen = dv.getUint32(o + 20, le);
      const originalLength = dv.getUint32(o + 24, le);
      frames.push({
        data: b.slice(o + 28, o + 28 + caplen),
        linkType: ifc.linkType,
        originalLength,
        tsSec: Number(ts / ifc.ticks),
        tsNsec: Number(((ts % ifc.ticks) * 1000000000n) / ifc.ticks),
      });
    } else if (type === 3) {
      const ifc = ifaces[0];
      const originalLength = dv.getUint32(o + 8, le);
      const caplen = Math.min(originalLength, total - 16);
      frames.push({ data: b.slice(o + 12, o + 12 + caplen), linkType: ifc.linkType, originalLength, tsSec: 0, tsNsec: 0 });
    }
    o += total;
  }
  return { nano, frames };
}

/** Reads a whole capture file's frames. */
export function readCapture(b: Uint8Array): Capture {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return dv.getUint32(0, true) === 0x0a0d0d0a ? readPcapng(b) : readPcap(b);
}

/** Splits tcpdump's output into one chunk per packet (continuation lines start with white space). */
export function splitPackets(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  for (const line of lines) {
    if (out.length === 0 || /^(\d\d:\d\d:\d\d\.|\[Invalid header)/.test(line)) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}
