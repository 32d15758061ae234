// Hand-built capture bytes for the tests, written field by field in either byte order,
// independently of src/pcap's writers.

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export class Bytes {
  private readonly out: number[] = [];
  constructor(private readonly le: boolean) {}

  u8(...vs: number[]): this {
    for (const v of vs) this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.le ? b.reverse() : b));
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.le ? b.reverse() : b));
  }
  bytes(b: Uint8Array | readonly number[]): this {
    return this.u8(...b);
  }
  pad4(): this {
    while (this.out.length % 4 !== 0) this.out.push(0);
    return this;
  }
  get length(): number {
    return this.out.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

// ---- classic pcap ----

export function pcapHeader(le: boolean, o: { ns?: boolean; snaplen?: number; linkType?: number; major?: number; minor?: number } = {}): Uint8Array {
  return new Bytes(le)
    .u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(o.major ?? 2)
    .u16(o.minor ?? 4)
    .u32(0)
    .u32(0)
    .u32(o.snaplen ?? 262144)
    .u32(o.linkType ?? 1)
    .build();
}

export function pcapRecord(le: boolean, sec: number, frac: number, data: Uint8Array, orig = data.length, caplen = data.length): Uint8Array {
  return new Bytes(le).u32(sec).u32(frac).u32(caplen).u32(orig).bytes(data).build();
}

// ---- pcapng ----

export function block(le: boolean, type: number, body: Uint8Array, lengthOverride?: { head?: number; trail?: number }): Uint8Array {
  const total = 12 + body.length;
  return new Bytes(le)
    .u32(type)
    .u32(lengthOverride?.head ?? total)
    .bytes(body)
    .u32(lengthOverride?.trail ?? total)
    .build();
}

export function option(le: boolean, code: number, value: Uint8Array | readonly number[]): Uint8Array {
  return new Bytes(le).u16(code).u16(value.length).bytes(value).pad4().build();
}

export const END_OF_OPT = new Uint8Array(4);

export function shb(le: boolean, o: { major?: number; minor?: number; options?: Uint8Array[] } = {}): Uint8Array {
  const b = new Bytes(le)
    .u32(0x1a2b3c4d)
    .u16(o.major ?? 1)
    .u16(o.minor ?? 0)
    .u32(0xffffffff)
    .u32(0xffffffff);
  for (const opt of o.options ?? []) b.bytes(opt);
  return block(le, 0x0a0d0d0a, b.build());
}

export function idb(le: boolean, linkType: number, snaplen: number, options: Uint8Array[] = []): Uint8Array {
  const b = new Bytes(le).u16(linkType).u16(0).u32(snaplen);
  for (const opt of options) b.bytes(opt);
  return block(le, 1, b.build());
}

export function epb(le: boolean, ifid: number, high: number, low: number, data: Uint8Array, orig = data.length, caplen = data.length): Uint8Array {
  return block(le, 6, new Bytes(le).u32(ifid).u32(high).u32(low).u32(caplen).u32(orig).bytes(data).pad4().build());
}

export function spb(le: boolean, orig: number, data: Uint8Array): Uint8Array {
  return block(le, 3, new Bytes(le).u32(orig).bytes(data).pad4().build());
}

export function pb(le: boolean, ifid: number, high: number, low: number, data: Uint8Array, orig = data.length): Uint8Array {
  return block(le, 2, new Bytes(le).u16(ifid).u16(0).u32(high).u32(low).u32(data.length).u32(orig).bytes(data).pad4().build());
}

/** Bytes 0, 1, 2, ... (mod 256) of length n, offset by `seed`. */
export function payload(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) & 0xff;
  return out;
}
