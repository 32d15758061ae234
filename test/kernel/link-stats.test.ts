// LinkStats: named counters over a Float64Array, and the indexes the packet path counts by.
import { describe, expect, it } from 'vitest';
import {
  LinkStats, MULTICAST, RX_BYTES, RX_DROPPED, RX_OTHERHOST_DROPPED, RX_PACKETS, TX_BYTES, TX_DROPPED, TX_PACKETS,
} from '../../src/kernel/device.ts';
import { Chain, XtCounters, cloneRule } from '../../src/kernel/netfilter/table.ts';
import type { Rule } from '../../src/kernel/netfilter/types.ts';

describe('LinkStats', () => {
  it('names each index the packet path uses', () => {
    const s = new LinkStats();
    const at: Array<[number, keyof LinkStats]> = [
      [RX_PACKETS, 'rxPackets'], [TX_PACKETS, 'txPackets'], [RX_BYTES, 'rxBytes'], [TX_BYTES, 'txBytes'],
      [RX_DROPPED, 'rxDropped'], [TX_DROPPED, 'txDropped'], [MULTICAST, 'multicast'], [RX_OTHERHOST_DROPPED, 'rxOtherhostDropped'],
    ];
    at.forEach(([i, name], k) => {
      s.c[i] = 1000 + k;
      expect(s[name]).toBe(1000 + k);
    });
  });

  it('keeps counts beyond the small-integer and 32-bit ranges exactly', () => {
    const s = new LinkStats();
    s.rxBytes = 2 ** 40;
    s.rxBytes += 64;
    expect(s.rxBytes).toBe(2 ** 40 + 64);
    expect(s.c[RX_BYTES]).toBe(2 ** 40 + 64);
    expect(Object.keys(s)).toEqual(['c']);
    expect(s).toMatchObject({ rxBytes: 2 ** 40 + 64, txBytes: 0 });
  });
});

describe('XtCounters', () => {
  it('gives chains and cloned rules counters backed by a typed array', () => {
    const ch = new Chain('FORWARD', 'FORWARD', 'ACCEPT');
    ch.pkts = 3;
    ch.bytes += 2 ** 33;
    expect([...ch.cnt]).toEqual([3, 2 ** 33]);
    const rule = { src: 0, smsk: 0, dst: 0, dmsk: 0, proto: 0, flags: 0, invflags: 0, matches: [], handle: 0, pkts: 5, bytes: 7 } as unknown as Rule;
    const c = cloneRule(rule);
    expect(c).toBeInstanceOf(XtCounters);
    expect([c.pkts, c.bytes]).toEqual([5, 7]);
    const again = cloneRule(c);
    (c as unknown as XtCounters).cnt[0] = 9;
    expect([again.pkts, again.bytes]).toEqual([5, 7]);
  });
});
