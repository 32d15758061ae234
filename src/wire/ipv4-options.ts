// IPv4 options (RFC 791, RFC 2113): decoded for people, kept raw so they re-emit exactly.
import { u16, u32 } from './bytes.ts';
import { formatIpv4At } from './addr.ts';

export const IPOPT_EOL = 0;
export const IPOPT_NOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_TS = 68;
export const IPOPT_LSRR = 131;
export const IPOPT_SSRR = 137;
export const IPOPT_RA = 148;

export type Ipv4OptionName = 'EOL' | 'NOP' | 'RR' | 'TS' | 'LSRR' | 'SSRR' | 'RA' | 'unknown';

export interface Ipv4TimestampEntry {
  /** Present for flag 1 (address + timestamp) and 3 (prespecified addresses). */
  address?: string;
  timestamp: number;
}

export interface Ipv4Option {
  type: number;
  name: Ipv4OptionName;
  /** The option's bytes as on the wire, type and length included. */
  raw: Uint8Array;
  /** The length byte (1 for EOL and NOP, which have none). */
  length: number;
  /** Why the option could not be decoded (bad length); it still re-emits from `raw`. */
  malformed?: string;
  /** RR, LSRR, SSRR, TS: the pointer byte. */
  pointer?: number;
  /** RR, LSRR, SSRR: every address slot, filled or not. */
  addresses?: string[];
  /** TS: overflow count (4 bits) and flag (4 bits). */
  overflow?: number;
  flag?: number;
  /** TS: every slot, filled or not. */
  timestamps?: Ipv4TimestampEntry[];
  /** RA: the 16-bit value (0 = examine packet). */
  value?: number;
}

const NAMES: Record<number, Ipv4OptionName> = {
  [IPOPT_EOL]: 'EOL', [IPOPT_NOP]: 'NOP', [IPOPT_RR]: 'RR', [IPOPT_TS]: 'TS',
  [IPOPT_LSRR]: 'LSRR', [IPOPT_SSRR]: 'SSRR', [IPOPT_RA]: 'RA',
};

/** Decodes every option between `o` and `end` (the end of the header). Never throws. */
export function parseIpv4Options(b: Uint8Array, o: number, end: number): Ipv4Option[] {
  const out: Ipv4Option[] = [];
  let p = o;
  while (p < end) {
    const type = b[p];
    const name = NAMES[type] ?? 'unknown';
    if (type === IPOPT_EOL || type === IPOPT_NOP) {
      out.push({ type, name, raw: b.slice(p, p + 1), length: 1 });
      p += 1;
      continue;
    }
    if (p + 1 >= end) {
      out.push({ type, name, raw: b.slice(p, end), length: 0, malformed: 'no length byte' });
      break;
    }
    const length = b[p + 1];
    if (length < 2 || p + length > end) {
      out.push({ type, name, raw: b.slice(p, end), length, malformed: `bad length ${length}` });
      break;
    }
    out.push(decodeOption(b, p, type, name, length));
    p += length;
  }
  return out;
}

function decodeOption(b: Uint8Array, p: number, type: number, name: Ipv4OptionName, length: number): Ipv4Option {
  const opt: Ipv4Option = { type, name, raw: b.slice(p, p + length), length };
  switch (type) {
    case IPOPT_RR:
    case IPOPT_LSRR:
    case IPOPT_SSRR: {
      if (length < 3) return { ...opt, malformed: `bad length ${length}` };
      opt.pointer = b[p + 2];
      opt.addresses = [];
      for (let q = p + 3; q + 4 <= p + length; q += 4) opt.addresses.push(formatIpv4At(b, q));
      return opt;
    }
    case IPOPT_TS: {
      if (length < 4) return { ...opt, malformed: `bad length ${length}` };
      opt.pointer = b[p + 2];
      opt.overflow = b[p + 3] >>> 4;
      opt.flag = b[p + 3] & 0x0f;
      const withAddr = opt.flag === 1 || opt.flag === 3;
      const step = withAddr ? 8 : 4;
      opt.timestamps = [];
      for (let q = p + 4; q + step <= p + length; q += step) {
        opt.timestamps.push(withAddr ? { address: formatIpv4At(b, q), timestamp: u32(b, q + 4) } : { timestamp: u32(b, q) });
      }
      return opt;
    }
    case IPOPT_RA:
      if (length !== 4) return { ...opt, malformed: `bad length ${length}` };
      opt.value = u16(b, p + 2);
      return opt;
    default:
      return opt;
  }
}

/** Writes the options' raw bytes at `o`; returns the offset after them. */
export function emitIpv4Options(buf: Uint8Array, o: number, options: readonly Ipv4Option[]): number {
  let p = o;
  for (const opt of options) {
    buf.set(opt.raw, p);
    p += opt.raw.length;
  }
  return p;
}
