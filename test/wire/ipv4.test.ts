import { describe, expect, it } from 'vitest';
import {
  DecodeError, checksumOk, checksumReplace16, decIpv4Ttl, emitIpv4, fromHex, hex, internetChecksum, ipv4ChecksumOk, ipv4Dst, ipv4HeaderLength,
  ipv4Src, ipv4Ttl, parseIpv4, updateIpv4Checksum, type Ipv4HeaderInput,
} from '../../src/wire/index.ts';

// A ping request's IPv4 header: id 0x1234, DF, TTL 64, ICMP, 10.1.1.1 → 10.1.1.2, 8 payload bytes.
function header(): Uint8Array {
  const b = fromHex('4500 001c 1234 4000 4001 0000 0a010101 0a010102 0800f7ff 00000000');
  updateIpv4Checksum(b, 0);
  return b;
}

describe('ipv4 header', () => {
  it('decodes every field and re-emits the bytes', () => {
    const b = header();
    const h = parseIpv4(b);
    expect(h).toMatchObject({
      version: 4, ihl: 5, tos: 0, totalLength: 28, id: 0x1234, rf: false, df: true, mf: false, fragmentOffset: 0,
      ttl: 64, protocol: 1, checksumValid: true, src: '10.1.1.1', dst: '10.1.1.2', options: [], truncated: false,
    });
    expect(h.checksum).toBe(internetChecksum(fromHex('4500 001c 1234 4000 4001 0000 0a010101 0a010102'), 0, 20));
    expect(emitIpv4(h)).toEqual(b);
  });

  it('computes the checksum when emitting a new header', () => {
    const input: Ipv4HeaderInput = {
      version: 4, ihl: 5, tos: 0xc0, totalLength: 20, id: 0, rf: false, df: false, mf: true, fragmentOffset: 122,
      ttl: 1, protocol: 17, src: '192.168.0.1', dst: '224.0.0.1', options: [], payload: new Uint8Array(0),
    };
    const b = emitIpv4(input);
    expect(hex(b)).toBe('45c000140000207a0111' + hex(b, 10, 2) + 'c0a80001e0000001');
    expect(checksumOk(b, 0, 20)).toBe(true);
  });

  it('flags a bad checksum but still decodes', () => {
    const b = header();
    b[11] ^= 0xff;
    const h = parseIpv4(b);
    expect(h.checksumValid).toBe(false);
    expect(emitIpv4(h)).toEqual(b);
  });

  it('decrements the TTL with an incremental checksum equal to a full recompute', () => {
    const b = header();
    decIpv4Ttl(b, 0);
    expect(ipv4Ttl(b, 0)).toBe(63);
    expect(ipv4ChecksumOk(b, 0)).toBe(true);
    const c = b.slice();
    updateIpv4Checksum(c, 0);
    expect(c).toEqual(b);
  });

  it('decrements the TTL as the RFC 1624 update (checksumReplace16) does, for every checksum and TTL', () => {
    const b = header();
    for (const ttl of [0, 1, 2, 64, 255]) {
      for (let check = 0; check <= 0xffff; check++) {
        b[8] = ttl;
        b[10] = check >>> 8;
        b[11] = check & 0xff;
        const oldWord = (ttl << 8) | b[9];
        const want = checksumReplace16(check, oldWord, (((ttl - 1) & 0xff) << 8) | b[9]);
        decIpv4Ttl(b, 0);
        if (b[8] !== ((ttl - 1) & 0xff) || ((b[10] << 8) | b[11]) !== want) throw new Error(`ttl ${ttl} check ${check}`);
      }
    }
  });

  it('reads addresses as uint32', () => {
    const b = header();
    expect(ipv4Src(b, 0)).toBe(0x0a010101);
    expect(ipv4Dst(b, 0)).toBe(0x0a010102);
    expect(ipv4HeaderLength(b, 0)).toBe(20);
  });

  it('keeps bytes after the total length out of the payload', () => {
    const b = new Uint8Array(46);
    b.set(header());
    const h = parseIpv4(b);
    expect(h.payload.length).toBe(8);
    expect(emitIpv4(h)).toEqual(b.subarray(0, 28));
  });

  describe('bad input', () => {
    const cases: Array<[string, Uint8Array, DecodeError]> = [
      ['truncated header', fromHex('4500001c1234'), new DecodeError('ipv4', 'header', 0, 'truncated: need 20 bytes, have 6')],
      ['bad version', fromHex('6500 001c 1234 4000 4001 0000 0a010101 0a010102'), new DecodeError('ipv4', 'version', 0, 'version 6, expected 4')],
      ['IHL < 5', fromHex('4400 001c 1234 4000 4001 0000 0a010101 0a010102'), new DecodeError('ipv4', 'ihl', 0, 'header length 16 < 20')],
      ['IHL beyond the bytes', fromHex('4f00 001c 1234 4000 4001 0000 0a010101 0a010102'), new DecodeError('ipv4', 'ihl', 0, 'header length 60 beyond the 20 bytes available')],
      ['total length < header', fromHex('4500 0010 1234 4000 4001 0000 0a010101 0a010102'), new DecodeError('ipv4', 'total length', 2, 'total length 16 < header length 20')],
      ['total length beyond the bytes', fromHex('4500 0100 1234 4000 4001 0000 0a010101 0a010102'), new DecodeError('ipv4', 'total length', 2, 'total length 256 beyond the 20 bytes available')],
    ];
    for (const [name, bytes, err] of cases) {
      it(name, () => {
        expect(() => parseIpv4(bytes)).toThrow(err);
        try {
          parseIpv4(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          expect((e as DecodeError).offset).toBe(err.offset);
        }
      });
    }

    it('accepts a cut-off datagram only when asked', () => {
      const b = fromHex('4500 0400 1234 0000 4011 0000 0a010101 0a010102 1234');
      const h = parseIpv4(b, 0, b.length, { allowTruncated: true });
      expect(h.truncated).toBe(true);
      expect(h.payload).toEqual(fromHex('1234'));
    });

    it('reports offsets relative to the buffer when the header is not at 0', () => {
      const b = new Uint8Array(34);
      b.set(fromHex('4400 001c'), 14);
      expect(() => parseIpv4(b, 14)).toThrow(new DecodeError('ipv4', 'ihl', 14, 'header length 16 < 20'));
    });
  });
});

describe('ipv4 options', () => {
  function withOptions(opts: string): Uint8Array {
    const o = fromHex(opts);
    const hlen = 20 + o.length;
    const b = new Uint8Array(hlen);
    b.set(fromHex('4000 0000 0001 0000 4001 0000 0a010101 0a010102'));
    b[0] = 0x40 | (hlen / 4);
    b[3] = hlen;
    b.set(o, 20);
    updateIpv4Checksum(b, 0);
    return b;
  }

  it('decodes record route (ping -R) with its empty slots, and EOL', () => {
    const b = withOptions('07 27 08 0a010101' + '00000000'.repeat(8) + '00');
    const h = parseIpv4(b);
    expect(h.options.map((o) => o.name)).toEqual(['RR', 'EOL']);
    expect(h.options[0]).toMatchObject({ type: 7, length: 39, pointer: 8 });
    expect(h.options[0].addresses).toEqual(['10.1.1.1', ...Array(8).fill('0.0.0.0')]);
    expect(emitIpv4(h)).toEqual(b);
  });

  it('decodes timestamps: only, with addresses, prespecified', () => {
    const only = parseIpv4(withOptions('44 0c 09 00 00000001 00000000')).options[0];
    expect(only).toMatchObject({ name: 'TS', pointer: 9, overflow: 0, flag: 0, timestamps: [{ timestamp: 1 }, { timestamp: 0 }] });
    const addr = parseIpv4(withOptions('44 0c 0d 01 0a010101 00000002')).options[0];
    expect(addr).toMatchObject({ flag: 1, timestamps: [{ address: '10.1.1.1', timestamp: 2 }] });
    const pre = parseIpv4(withOptions('44 0c 05 f3 0a010102 00000000')).options[0];
    expect(pre).toMatchObject({ overflow: 15, flag: 3, timestamps: [{ address: '10.1.1.2', timestamp: 0 }] });
  });

  it('decodes router alert, LSRR, SSRR, NOP and unknown options', () => {
    const h = parseIpv4(withOptions('94040000' + '83 07 04 0a000001' + '89 07 04 0a000002' + '01' + 'de 03 ff' + '0000'));
    expect(h.options.map((o) => o.name)).toEqual(['RA', 'LSRR', 'SSRR', 'NOP', 'unknown', 'EOL', 'EOL']);
    expect(h.options[0].value).toBe(0);
    expect(h.options[1].addresses).toEqual(['10.0.0.1']);
    expect(h.options[2].addresses).toEqual(['10.0.0.2']);
    expect(h.options[4].raw).toEqual(fromHex('de03ff'));
    expect(emitIpv4(h)).toEqual(withOptions('94040000' + '83 07 04 0a000001' + '89 07 04 0a000002' + '01' + 'de 03 ff' + '0000'));
  });

  it('keeps an option with a bad length raw and marks it', () => {
    const b = withOptions('07 30 04 00');
    const h = parseIpv4(b);
    expect(h.options).toHaveLength(1);
    expect(h.options[0].malformed).toBe('bad length 48');
    expect(emitIpv4(h)).toEqual(b);
    const z = parseIpv4(withOptions('07 00 04 00')).options[0];
    expect(z.malformed).toBe('bad length 0');
  });
});
