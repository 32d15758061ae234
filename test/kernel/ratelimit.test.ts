import { describe, expect, it } from 'vitest';
import { IcmpRateLimit } from '../../src/kernel/ipv4/ratelimit.ts';

describe('ICMP rate limits (kernel-facts §5)', () => {
  it('lets 6 of 20 time-exceeded errors 40 ms apart through, then one 1.16 s later', () => {
    const rl = new IcmpRateLimit();
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) if (rl.allowHost(0x0a010002, 1000 + 40 * i, 1000)) sent.push(i);
    expect(sent).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rl.allowHost(0x0a010002, 1000 + 40 * 19 + 1160, 1000)).toBe(true);
  });

  it('gives 2 no-route errors for 10 probes 45 ms apart (ip_error and icmp_send share the bucket)', () => {
    const rl = new IcmpRateLimit();
    let sent = 0;
    for (let i = 0; i < 10; i++) {
      const t = 5000 + 45 * i;
      if (rl.allowRouteError(0x0a010002, t) && rl.allowHost(0x0a010002, t, 1000)) sent++;
    }
    expect(sent).toBe(2);
  });

  it('keeps buckets per destination', () => {
    const rl = new IcmpRateLimit();
    for (let i = 0; i < 6; i++) expect(rl.allowHost(1, 0, 1000)).toBe(true);
    expect(rl.allowHost(1, 0, 1000)).toBe(false);
    expect(rl.allowHost(2, 0, 1000)).toBe(true);
  });

  it('applies the global burst', () => {
    const rl = new IcmpRateLimit();
    let n = 0;
    for (let i = 0; i < 100; i++) if (rl.allowGlobal(0, 1000, 50)) n++;
    expect(n).toBe(50);
    expect(rl.allowGlobal(10, 1000, 50)).toBe(true);
  });
});
