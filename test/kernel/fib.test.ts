// The FIB table: the kernel's alias order (TOS, metric), add/append/prepend/replace/change, and
// longest-prefix lookups with their per-alias checks.
import { describe, expect, it } from 'vitest';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from '../../src/kernel/ipv4/constants.ts';
import { FibTable, newRoute, type FibRoute } from '../../src/kernel/ipv4/fib.ts';
import { parseIpv4Addr as ip } from '../../src/wire/addr.ts';

function r(dst: string, len: number, fields: Partial<FibRoute> = {}): FibRoute {
  return newRoute({ table: 254, type: 'unicast', dst: ip(dst), len, ...fields });
}

const flow = (dst: string, extra: Partial<{ tos: number; oif: number; scope: number }> = {}) =>
  ({ dst: ip(dst), tos: 0, oif: 0, scope: RT_SCOPE_UNIVERSE, ...extra });

const all = () => true;

describe('FibTable insertion (fib_table_insert)', () => {
  it('orders aliases of a prefix by TOS (high first), then metric', () => {
    const t = new FibTable(254);
    const a = r('10.0.0.0', 8, { priority: 5 });
    const b = r('10.0.0.0', 8, { priority: 1 });
    const c = r('10.0.0.0', 8, { tos: 0x10, priority: 9 });
    for (const x of [a, b, c]) expect(t.insertMode(x, 'add')).toBeUndefined();
    expect(t.find(ip('10.0.0.0'), 8)).toEqual([c, b, a]);
  });

  it('dumps by prefix, longer prefixes of the same address first', () => {
    const t = new FibTable(254);
    const wide = r('10.0.0.0', 8);
    const narrow = r('10.0.0.0', 24);
    const other = r('9.0.0.0', 8);
    const dflt = r('0.0.0.0', 0);
    for (const x of [wide, narrow, other, dflt]) t.insert(x);
    expect(t.routes).toEqual([dflt, other, narrow, wide]);
  });

  it('add refuses the same prefix, TOS and metric whatever the next hop (EEXIST)', () => {
    const t = new FibTable(254);
    expect(t.insertMode(r('10.0.0.0', 8, { gateway: ip('1.1.1.1') }), 'add')).toBeUndefined();
    expect(t.insertMode(r('10.0.0.0', 8, { gateway: ip('2.2.2.2') }), 'add')).toBe('EEXIST');
    expect(t.insertMode(r('10.0.0.0', 8, { gateway: ip('2.2.2.2'), priority: 1 }), 'add')).toBeUndefined();
  });

  it('append goes after the group, prepend before it; an identical route is EEXIST', () => {
    const t = new FibTable(254);
    const first = r('10.0.0.0', 8, { gateway: ip('1.1.1.1') });
    t.insertMode(first, 'add');
    const appended = r('10.0.0.0', 8, { gateway: ip('2.2.2.2') });
    const prepended = r('10.0.0.0', 8, { gateway: ip('3.3.3.3') });
    expect(t.insertMode(appended, 'append')).toBeUndefined();
    expect(t.insertMode(prepended, 'prepend')).toBeUndefined();
    expect(t.find(ip('10.0.0.0'), 8)).toEqual([prepended, first, appended]);
    expect(t.insertMode(r('10.0.0.0', 8, { gateway: ip('2.2.2.2') }), 'append')).toBe('EEXIST');
  });

  it('replace swaps the first alias in place; change needs one (ENOENT)', () => {
    const t = new FibTable(254);
    expect(t.insertMode(r('10.0.0.0', 8), 'change')).toBe('ENOENT');
    expect(t.routes).toEqual([]);
    const a = r('10.0.0.0', 8, { gateway: ip('1.1.1.1') });
    const b = r('10.0.0.0', 8, { gateway: ip('2.2.2.2') });
    t.insertMode(a, 'add');
    t.insertMode(b, 'append');
    const c = r('10.0.0.0', 8, { gateway: ip('3.3.3.3') });
    expect(t.insertMode(c, 'replace')).toBeUndefined();
    expect(t.find(ip('10.0.0.0'), 8)).toEqual([c, b]);
    // Replacing with a copy of a later alias: that alias already exists (EEXIST).
    expect(t.insertMode(r('10.0.0.0', 8, { gateway: ip('2.2.2.2') }), 'replace')).toBe('EEXIST');
  });
});

describe('FibTable lookup (fib_table_lookup)', () => {
  it('takes the longest prefix, and backtracks when no alias there is usable', () => {
    const t = new FibTable(254);
    const dflt = r('0.0.0.0', 0, { gateway: ip('9.9.9.9') });
    const net = r('10.1.0.0', 16);
    t.insert(dflt);
    t.insert(net);
    expect(t.lookup(flow('10.1.2.3'), all)?.route).toBe(net);
    expect(t.lookup(flow('10.1.2.3'), (x) => x !== net)?.route).toBe(dflt);
    expect(t.lookup(flow('10.1.2.3'), all)?.prefixlen).toBe(16);
  });

  it('matches a TOS route only for that TOS (ECN and high bits masked off the flow)', () => {
    const t = new FibTable(254);
    const tos = r('10.0.0.0', 8, { tos: 0x10 });
    const plain = r('10.0.0.0', 8, { priority: 5 });
    t.insert(tos);
    t.insert(plain);
    expect(t.lookup(flow('10.1.1.1', { tos: 0x10 }), all)?.route).toBe(tos);
    expect(t.lookup(flow('10.1.1.1', { tos: 0x12 }), all)?.route).toBe(tos);
    expect(t.lookup(flow('10.1.1.1'), all)?.route).toBe(plain);
    expect(t.lookup(flow('10.1.1.1', { tos: 0x08 }), all)?.route).toBe(plain);
  });

  it('prefers the lower metric among usable aliases', () => {
    const t = new FibTable(254);
    const high = r('10.0.0.0', 8, { priority: 100 });
    const low = r('10.0.0.0', 8, { priority: 10 });
    t.insert(high);
    t.insert(low);
    expect(t.lookup(flow('10.0.0.1'), all)?.route).toBe(low);
    expect(t.lookup(flow('10.0.0.1'), (x) => x !== low)?.route).toBe(high);
  });

  it('skips routes of a narrower scope than the flow asks', () => {
    const t = new FibTable(254);
    const link = r('10.0.0.0', 24, { scope: RT_SCOPE_LINK });
    const global = r('10.0.0.0', 8, { scope: RT_SCOPE_UNIVERSE, gateway: ip('1.1.1.1') });
    t.insert(link);
    t.insert(global);
    expect(t.lookup(flow('10.0.0.5', { scope: RT_SCOPE_LINK }), all)?.route).toBe(link);
    expect(t.lookup(flow('10.0.0.5', { scope: RT_SCOPE_HOST }), all)).toBeUndefined();
  });

  it('returns a reject route without asking about next hops', () => {
    const t = new FibTable(254);
    const bh = r('10.0.0.0', 8, { type: 'blackhole' });
    t.insert(bh);
    expect(t.lookup(flow('10.2.3.4'), () => false)?.type).toBe('blackhole');
  });

  it('searches tables that share a trie longest prefix first, the first table first on a tie', () => {
    const local = new FibTable(255);
    const main = new FibTable(254);
    const lo8 = newRoute({ table: 255, type: 'local', dst: ip('127.0.0.0'), len: 8 });
    const m16 = r('127.1.0.0', 16);
    local.insert(lo8);
    main.insert(m16);
    expect(FibTable.lookupMerged([local, main], flow('127.1.2.3'), all)?.route).toBe(m16);
    expect(FibTable.lookupMerged([local, main], flow('127.2.2.3'), all)?.route).toBe(lo8);
    const tie = r('127.0.0.0', 8);
    main.insert(tie);
    expect(FibTable.lookupMerged([local, main], flow('127.2.2.3'), all)?.route).toBe(lo8);
  });
});
