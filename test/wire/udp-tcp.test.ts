import { describe, expect, it } from 'vitest';
import {
  DecodeError, emitTcp, emitUdp, fromHex, hex, parseTcp, parseTcpOptions, parseUdp, tcpFlags, tcpHeaderLength,
  TCP_ACK_FLAG, TCP_SYN, TCP_RST,
} from '../../src/wire/index.ts';

const pseudo = { src: 0x0a010101, dst: 0x0a010102 };

describe('udp', () => {
  it('builds a datagram with the pseudo-header checksum, byte for byte', () => {
    const b = emitUdp({ srcPort: 40000, dstPort: 9999, payload: fromHex('74657374'), pseudo });
    // sum = 0a01+0101+0a01+0102+0011+000c (pseudo) + 9c40+270f+000c+7465+7374 folds to c157; ~ = 3ea8
    expect(hex(b)).toBe('9c40270f000c3ea874657374');
    const d = parseUdp(b, 0, b.length, { pseudo });
    expect(d).toMatchObject({ srcPort: 40000, dstPort: 9999, length: 12, checksum: 0x3ea8, checksumValid: true, truncated: false });
    expect(emitUdp(d)).toEqual(b);
  });

  it('flags a bad checksum; a zero checksum is not checked', () => {
    const b = emitUdp({ srcPort: 1, dstPort: 2, payload: fromHex('00'), pseudo });
    b[7] ^= 1;
    expect(parseUdp(b, 0, b.length, { pseudo }).checksumValid).toBe(false);
    const z = emitUdp({ srcPort: 1, dstPort: 2, payload: fromHex('00'), checksum: 0 });
    expect(parseUdp(z, 0, z.length, { pseudo }).checksumValid).toBeNull();
  });

  it('keeps bytes after the length field as a trailer', () => {
    const b = fromHex('0001 0002 0009 0000 aa bbcc');
    const d = parseUdp(b);
    expect(d.payload).toEqual(fromHex('aa'));
    expect(d.trailer).toEqual(fromHex('bbcc'));
    expect(emitUdp(d)).toEqual(b);
  });

  it('rejects bad lengths', () => {
    expect(() => parseUdp(fromHex('0001 0002 0007 0000'))).toThrow(new DecodeError('udp', 'length', 4, 'length 7 < 8'));
    expect(() => parseUdp(fromHex('0001 0002 0010 0000'))).toThrow(new DecodeError('udp', 'length', 4, 'length 16 beyond the 8 bytes available'));
    expect(parseUdp(fromHex('0001 0002 0010 0000 00'), 0, 9, { allowTruncated: true }).truncated).toBe(true);
    expect(() => parseUdp(fromHex('0001 0002'))).toThrow(new DecodeError('udp', 'header', 0, 'truncated: need 8 bytes, have 4'));
  });
});

describe('tcp', () => {
  // A SYN with MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (Linux's usual 20 option bytes).
  const OPTIONS = fromHex('020405b4 0402 080a 00000064 00000000 01 030307');

  it('round-trips a SYN with options and checks the checksum', () => {
    const b = emitTcp({ srcPort: 40000, dstPort: 80, seq: 1, ack: 0, flags: TCP_SYN, window: 64240, urgentPointer: 0, options: OPTIONS, payload: new Uint8Array(0), pseudo });
    expect(tcpHeaderLength(b, 0)).toBe(40);
    expect(tcpFlags(b, 0)).toBe(TCP_SYN);
    const s = parseTcp(b, 0, b.length, { pseudo });
    expect(s).toMatchObject({ srcPort: 40000, dstPort: 80, seq: 1, ack: 0, dataOffset: 10, flags: TCP_SYN, window: 64240, checksumValid: true });
    expect(emitTcp(s)).toEqual(b);
    b[16] ^= 0x80;
    expect(parseTcp(b, 0, b.length, { pseudo }).checksumValid).toBe(false);
  });

  it('decodes options', () => {
    const o = parseTcpOptions(OPTIONS);
    expect(o.map((x) => x.kind)).toEqual([2, 4, 8, 1, 3]);
    expect(o[0].mss).toBe(1460);
    expect(o[2].timestamp).toEqual({ value: 100, echo: 0 });
    expect(o[4].windowScale).toBe(7);
    expect(parseTcpOptions(fromHex('050a 00000001 00000002'))[0].sack).toEqual([[1, 2]]);
    expect(parseTcpOptions(fromHex('0209 00'))[0].malformed).toBe('bad length 9');
  });

  it('builds the RST|ACK that REJECT --reject-with tcp-reset sends', () => {
    const b = emitTcp({ srcPort: 80, dstPort: 40000, seq: 0, ack: 2, flags: TCP_RST | TCP_ACK_FLAG, window: 0, urgentPointer: 0, options: new Uint8Array(0), payload: new Uint8Array(0), pseudo: { src: pseudo.dst, dst: pseudo.src } });
    expect(hex(b, 0, 16)).toBe('00509c40000000000000000250140000');
    expect(parseTcp(b, 0, 20, { pseudo: { src: pseudo.dst, dst: pseudo.src } }).checksumValid).toBe(true);
  });

  it('rejects a data offset below 5 or beyond the bytes', () => {
    const b = emitTcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: 0, window: 0, urgentPointer: 0, options: new Uint8Array(0), payload: new Uint8Array(0) });
    b[12] = 0x40;
    expect(() => parseTcp(b)).toThrow(new DecodeError('tcp', 'data offset', 12, 'header length 16 < 20'));
    b[12] = 0xf0;
    expect(() => parseTcp(b)).toThrow(new DecodeError('tcp', 'data offset', 12, 'header length 60 beyond the 20 bytes available'));
  });
});
