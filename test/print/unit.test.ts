// The entry point's own behaviour: time stamps, record-header checks, per-capture TCP state,
// SLL2 interface names. Expected strings were printed by the real tcpdump 4.99.3.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrintState, formatFrame, type FrameInfo } from '../../src/print/index.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

// 10.0.0.1 > 10.0.0.2 ICMP echo request id 0x1234 seq 1, 8 bytes of data.
const ECHO = hex('020000000a02020000000a01 0800 4500002410000000400156d70a0000010a000002 08005435123400016162636465666768');
const echo = (tsSec: number, tsNsec: number): FrameInfo => ({ data: ECHO, linkType: 1, originalLength: ECHO.length, tsSec, tsNsec });
const BODY = 'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 4660, seq 1, length 16';

describe('time stamps', () => {
  let savedTz: string | undefined;
  beforeEach(() => {
    savedTz = process.env.TZ;
  });
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('prints UTC with microseconds', () => {
    expect(formatFrame(echo(1700000000, 123456789), { timestamps: 'utc' })).toBe(`22:13:20.123456 ${BODY}`);
  });

  it('prints nine digits with nano', () => {
    expect(formatFrame(echo(1700000000, 123456789), { timestamps: 'utc', nano: true })).toBe(`22:13:20.123456789 ${BODY}`);
  });

  it('defaults to local time, like tcpdump', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(formatFrame(echo(1700000000, 123456000))).toBe(`03:43:20.123456 ${BODY}`);
    expect(formatFrame(echo(0, 0), { timestamps: 'local' })).toBe(`05:30:00.000000 ${BODY}`);
    process.env.TZ = 'America/New_York';
    expect(formatFrame(echo(0x7fffffff, 999999000))).toBe(`22:14:07.999999 ${BODY}`);
  });

  it('omits the stamp with none (-t)', () => {
    expect(formatFrame(echo(1700000000, 0), { timestamps: 'none' })).toBe(BODY);
  });

  it('refuses times past 2038 as tcpdump does', () => {
    expect(formatFrame(echo(0x80000000, 1000), { timestamps: 'utc' })).toBe(`[Error converting time] ${BODY}`);
  });
});

describe('record header checks', () => {
  const frame = (data: Uint8Array, originalLength: number): FrameInfo => ({ data, linkType: 1, originalLength, tsSec: 5, tsNsec: 5000 });
  it('reports an empty capture', () => {
    expect(formatFrame(frame(new Uint8Array(0), 10))).toBe('[Invalid header: caplen==0]');
  });
  it('reports a zero or short wire length', () => {
    expect(formatFrame(frame(ECHO.slice(0, 4), 0))).toBe('[Invalid header: len==0]');
    expect(formatFrame(frame(ECHO.slice(0, 4), 2))).toBe('[Invalid header: len(2) < caplen(4)]');
    expect(formatFrame(frame(new Uint8Array(0), 0))).toBe('[Invalid header: caplen==0, len==0]');
  });
});

describe('TCP relative sequence numbers', () => {
  // SYN 1000; SYN-ACK 5000 ack 1001; ACK 1001 ack 5001 (crafted).
  const syn = hex('020000000a02020000000a0108004500002810000000400656ce0a0000010a0000029c919c90000003e8000000005002faf063e50000');
  const synAck = hex('020000000a01020000000a0208004500002810000000400656ce0a0000020a0000019c909c9100001388000003e95012faf0504c0000');
  const ack = hex('020000000a02020000000a0108004500002810000000400656ce0a0000010a0000029c919c90000003e9000013895010faf0504d0000');
  const f = (data: Uint8Array, i: number): FrameInfo => ({ data, linkType: 1, originalLength: data.length, tsSec: i, tsNsec: 0 });

  it('prints the opening segments absolute, then relative, per conversation', () => {
    const state = createPrintState();
    const out = [syn, synAck, ack].map((d, i) => formatFrame(f(d, i), { timestamps: 'none' }, state));
    expect(out).toEqual([
      'IP 10.0.0.1.40081 > 10.0.0.2.40080: Flags [S], seq 1000, win 64240, length 0',
      'IP 10.0.0.2.40080 > 10.0.0.1.40081: Flags [S.], seq 5000, ack 1001, win 64240, length 0',
      'IP 10.0.0.1.40081 > 10.0.0.2.40080: Flags [.], ack 1, win 64240, length 0',
    ]);
    expect(state.tcpSeq.size).toBe(1);
  });

  it('starts afresh without the shared state', () => {
    expect(formatFrame(f(ack, 2), { timestamps: 'none' })).toBe('IP 10.0.0.1.40081 > 10.0.0.2.40080: Flags [.], ack 5001, win 64240, length 0');
  });
});

describe('SLL2 interface names', () => {
  const sll2 = hex('080000000000233400010006020000000a0100004500002410000000400156d70a0000010a00000208005435123400016162636465666768');
  const frame: FrameInfo = { data: sll2, linkType: 276, originalLength: sll2.length, tsSec: 0, tsNsec: 0 };
  it('prints ? for an index that cannot be resolved', () => {
    expect(formatFrame(frame, { timestamps: 'none' })).toBe(`?     In  ${BODY}`);
  });
  it('uses the resolver when given', () => {
    const opts = { timestamps: 'none' as const, link: true, ifName: (i: number) => (i === 9012 ? 'rh1' : undefined) };
    expect(formatFrame(frame, opts)).toBe(
      'rh1   In  ifindex 9012 02:00:00:00:0a:01 ethertype IPv4 (0x0800), length 56: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 4660, seq 1, length 16',
    );
  });
});
