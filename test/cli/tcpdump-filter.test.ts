import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FilterError, FilterUnsupportedError, compileFilter } from '../../src/cli/tcpdump-filter.ts';
import { type CaptureRecord, parseCapture } from '../../src/pcap/index.ts';

/**
 * tcpdump-filter-cases.json is what the real tcpdump 4.99.3 did (test/cli/gen-filter-cases.sh):
 * for each expression and capture, the packets it kept ("0-2,5") or its error message.
 */
interface Outcome { error: string; status: number }
interface Case { expr: string; results?: (string | Outcome)[]; error?: string; status?: number }
const data = JSON.parse(readFileSync(new URL('tcpdump-filter-cases.json', import.meta.url), 'utf8')) as {
  captures: string[];
  cases: Case[];
};
const root = new URL('../../', import.meta.url);
const captures = data.captures.map((path) => {
  const c = parseCapture(new Uint8Array(readFileSync(new URL(path, root))), path);
  if (c.error || !c.header?.linkType) throw new Error(`cannot read ${path}`);
  return { path, linkType: c.header.linkType, records: c.records };
});
const expected = (c: Case, i: number): string | Outcome => c.results?.[i] ?? { error: c.error!, status: c.status! };

function ranges(idx: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    out.push(i === j ? `${idx[i]}` : `${idx[i]}-${idx[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

const kept = (match: (r: CaptureRecord) => boolean, records: CaptureRecord[]) => ranges(records.filter(match).map((r) => r.index));

/** What nslab does with `expr` on one capture, in the JSON's terms. */
function run(expr: string, cap: (typeof captures)[number]): string | { error: string } {
  try {
    const f = compileFilter(expr, { linkType: cap.linkType });
    return kept((r) => f.matches(r.data, r.linkType, r.originalLength), cap.records);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { error: e.message };
  }
}

describe('compileFilter selects exactly the packets tcpdump does', () => {
  it('has a broad set of recorded cases', () => {
    expect(data.cases.length).toBeGreaterThan(400);
    expect(captures.map((c) => c.linkType).sort((a, b) => a - b)).toEqual(expect.arrayContaining([1, 113, 276]));
  });

  it.each(data.cases.map((c) => [JSON.stringify(c.expr), c] as const))('%s', (_name, c) => {
    const wrong: string[] = [];
    captures.forEach((cap, i) => {
      const want = expected(c, i);
      const got = run(c.expr, cap);
      const w = typeof want === 'string' ? want : `error: ${want.error}`;
      const g = typeof got === 'string' ? got : `error: ${got.error}`;
      if (w !== g) wrong.push(`${cap.path}: tcpdump [${w}] nslab [${g}]`);
    });
    expect(wrong).toEqual([]);
  });

  it.each([
    ['port foo', "unknown port 'foo'"],
    ['host foo', "unknown host 'foo'"],
    ['port 99999', 'illegal port number 99999 > 65535'],
    ['portrange 5-', "can't parse filter expression: syntax error"],
    ['(tcp', "can't parse filter expression: syntax error"],
    ['tcp)', "can't parse filter expression: syntax error"],
    ['tcp or 80', 'syntax error in filter expression'],
    ['ip and ip6', 'expression rejects all packets'],
  ])('%s: tcpdump says "%s", and so does FilterError', (expr, msg) => {
    const c = data.cases.find((x) => x.expr === expr);
    expect(c?.error).toBe(msg);
    expect(c?.status).toBe(1);
    expect(() => compileFilter(expr)).toThrow(new FilterError(msg));
  });

  it('tcpdump exits with status 1 on every filter error', () => {
    const statuses = new Set(data.cases.flatMap((c, _) => captures.map((_cap, i) => expected(c, i)))
      .filter((x): x is Outcome => typeof x !== 'string').map((x) => x.status));
    expect([...statuses]).toEqual([1]);
  });

  it('without a link type: Ethernet errors up front, link-type errors deferred, one filter for every link type', () => {
    const wrong: string[] = [];
    for (const c of data.cases) {
      let f: ReturnType<typeof compileFilter>;
      try {
        f = compileFilter(c.expr);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        captures.forEach((cap, i) => {
          const want = expected(c, i);
          if (cap.linkType === 1 && (typeof want === 'string' || want.error !== e.message)) {
            wrong.push(`${JSON.stringify(c.expr)}: threw "${e.message}", tcpdump on ${cap.path}: ${JSON.stringify(want)}`);
          }
        });
        continue;
      }
      captures.forEach((cap, i) => {
        const want = expected(c, i);
        if (typeof want === 'string') {
          const got = kept((r) => f.matches(r.data, r.linkType, r.originalLength), cap.records);
          if (got !== want) wrong.push(`${JSON.stringify(c.expr)} on ${cap.path}: [${got}] tcpdump [${want}]`);
        } else {
          let msg = 'no error';
          try { f.check(cap.linkType); } catch (e) { msg = (e as Error).message; }
          if (msg !== want.error) wrong.push(`${JSON.stringify(c.expr)} check(${cap.linkType}): ${msg}, tcpdump: ${want.error}`);
          if (cap.records.some((r) => f.matches(r.data, r.linkType))) wrong.push(`${JSON.stringify(c.expr)} matched on ${cap.path}`);
        }
      });
    }
    expect(wrong).toEqual([]);
  });
});

// A TCP SYN 10.0.0.1:40000 -> 10.0.0.2:80 over Ethernet.
const SYN = Uint8Array.from(Buffer.from(
  '020000000a02020000000a010800' + '4500002800010000400600000a0000010a000002' + '9c40005000000001000000005002ffff00000000', 'hex'));

describe('compileFilter API', () => {
  it('joins argv words with spaces, as tcpdump does', () => {
    const f = compileFilter(['tcp', 'dst', 'port', '80']);
    expect(f.text).toBe('tcp dst port 80');
    expect(f.matches(SYN, 1)).toBe(true);
    expect(compileFilter(['tcp', 'src', 'port', '80']).matches(SYN, 1)).toBe(false);
  });

  it('an empty filter matches everything, even garbage', () => {
    expect(compileFilter('').matches(new Uint8Array(0), 1)).toBe(true);
    expect(compileFilter([]).matches(Uint8Array.of(1, 2, 3), 276)).toBe(true);
  });

  it('a load past the captured bytes rejects the packet whatever the rest says', () => {
    const cut = SYN.subarray(0, 34); // IPv4 header only
    expect(compileFilter('ip').matches(cut, 1, SYN.length)).toBe(true);
    expect(compileFilter('port 80').matches(cut, 1)).toBe(false);
    expect(compileFilter('not port 80').matches(cut, 1)).toBe(false);
    expect(compileFilter('port 80 or arp').matches(cut, 1)).toBe(false);
    expect(compileFilter('ip or port 80').matches(cut, 1)).toBe(true);
    // ... unless libpcap's optimizer removed that load: every path after "IPv4" accepts anyway.
    expect(compileFilter('port 80 or ip').matches(cut, 1)).toBe(true);
    expect(compileFilter('port 80 or ip', { optimize: false }).matches(cut, 1)).toBe(false);
    expect(compileFilter('tcp[13] = 2').matches(SYN.subarray(0, 47), 1)).toBe(false);
    expect(compileFilter('tcp[13] = 2').matches(SYN.subarray(0, 48), 1)).toBe(true);
  });

  it('len, less and greater test the wire length', () => {
    const cut = SYN.subarray(0, 34);
    expect(compileFilter('greater 100').matches(cut, 1, 1000)).toBe(true);
    expect(compileFilter('greater 100').matches(cut, 1)).toBe(false);
    expect(compileFilter('len = 34').matches(cut, 1)).toBe(true);
  });

  it('never throws, whatever the frame', () => {
    const exprs = ['host 10.0.0.1', 'port 53', 'vlan 100 and tcp[tcpflags] & tcp-syn != 0', 'icmp[icmptype] == icmp-echo',
      'ip[ip[0] & 0xf] = 0 or tcp[tcp[12]] > 1', 'ip6 and udp', 'ether multicast or ip broadcast', 'udp[8:4] / ip[1] > 2',
      'stp or ipx or atalk or iso', 'ip[2:2] - ((ip[0] & 0xf) << 2) > 100'];
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    let trues = 0;
    for (const e of exprs) {
      const f = compileFilter(e);
      for (let n = 0; n < 400; n++) {
        const frame = new Uint8Array(n % 90);
        for (let i = 0; i < frame.length; i++) frame[i] = rand();
        if (n % 3 === 0 && frame.length > 14) frame.set([0x08, 0x00, 0x45], 12); // mostly IPv4
        for (const lt of [1, 113, 276]) {
          const r = f.matches(frame, lt);
          expect(typeof r).toBe('boolean');
          if (r) trues++;
        }
      }
    }
    expect(trues).toBeGreaterThan(0);
  });

  it('puts link-type errors off until that link type, where nothing matches', () => {
    const f = compileFilter('vlan and ip');
    expect(() => f.check(1)).not.toThrow();
    expect(() => f.check(113)).toThrow(new FilterError('no VLAN support for Linux cooked v1'));
    expect(f.matches(new Uint8Array(60), 113)).toBe(false);
    expect(() => compileFilter('vlan', { linkType: 276 })).toThrow('no VLAN support for Linux cooked v2');
    expect(() => compileFilter('inbound')).not.toThrow();
    expect(() => compileFilter('inbound', { linkType: 1 })).toThrow('inbound/outbound not supported on Ethernet when reading savefiles');
  });

  it('an unknown link type matches nothing', () => {
    const f = compileFilter('ip');
    expect(f.matches(SYN, 105)).toBe(false);
    expect(() => f.check(105)).toThrow(FilterUnsupportedError);
  });

  it('refuses what nslab does not implement with FilterUnsupportedError', () => {
    for (const e of ['mpls', 'pppoes 3', 'geneve', 'protochain 6', 'byte 0 & 1', 'llc i', 'decnet host 1.2', 'type mgt']) {
      let caught: unknown;
      try { compileFilter(e); } catch (err) { caught = err; }
      expect(caught, e).toBeInstanceOf(FilterUnsupportedError);
      expect(caught, e).toBeInstanceOf(FilterError);
      expect((caught as Error).message, e).toMatch(/^nslab: /);
    }
  });

  it('never resolves names', () => {
    expect(() => compileFilter('host localhost')).toThrow("unknown host 'localhost'");
    expect(() => compileFilter('ether host gw')).toThrow("unknown ether host 'gw'");
    expect(() => compileFilter('net loopback')).toThrow("unknown network 'loopback'");
  });

  it('optimize: false keeps filters that reject everything, like tcpdump -O', () => {
    expect(() => compileFilter('ip and arp')).toThrow('expression rejects all packets');
    expect(compileFilter('ip and arp', { optimize: false }).matches(SYN, 1)).toBe(false);
  });

  it('ip broadcast uses the netmask given (0 by default, as when reading a file)', () => {
    const bcast = Uint8Array.from(SYN);
    bcast.set([10, 0, 0, 255], 30);
    expect(compileFilter('ip broadcast').matches(bcast, 1)).toBe(false);
    expect(compileFilter('ip broadcast', { netmask: 0xffffff00 }).matches(bcast, 1)).toBe(true);
    expect(() => compileFilter('ip broadcast', { netmask: 0xffffffff })).toThrow("netmask not known, so 'ip broadcast' not supported");
  });
});
