// Per-namespace sysctls: how writes are parsed (proc_dointvec), conf/default reaching devices,
// forwarding hooks only on change, and /proc/sys paths (device names with dots).
import { describe, expect, it } from 'vitest';
import { EINVAL, KernelError } from '../../src/kernel/errors.ts';
import { Sysctls } from '../../src/kernel/sysctl.ts';

function errno(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
  return undefined;
}

describe('writes (proc_dointvec)', () => {
  it('reads C integers: decimal, 0x hex, leading-zero octal, minus; trailing junk is EINVAL', () => {
    const s = new Sysctls();
    s.set('net.ipv4.ip_default_ttl', '0x20');
    expect(s.get('net.ipv4.ip_default_ttl')).toBe('32');
    s.set('net.ipv4.ip_default_ttl', '070');
    expect(s.get('net.ipv4.ip_default_ttl')).toBe('56');
    s.set('net.ipv4.conf.all.rp_filter', '-5');
    expect(s.get('net.ipv4.conf.all.rp_filter')).toBe('-5');
    expect(errno(() => s.set('net.ipv4.ip_default_ttl', '33x'))).toBe(EINVAL);
    expect(errno(() => s.set('net.ipv4.ip_default_ttl', '+1'))).toBe(EINVAL);
    expect(errno(() => s.set('net.ipv4.ip_default_ttl', ' '))).toBe(EINVAL);
    expect(errno(() => s.set('net.ipv4.conf.all.rp_filter', '99999999999'))).toBe(EINVAL);
  });

  it('takes as many values as the key holds and ignores the rest; checks ranges', () => {
    const s = new Sysctls();
    s.set('net.ipv4.ip_default_ttl', '100 200');
    expect(s.get('net.ipv4.ip_default_ttl')).toBe('100');
    expect(errno(() => s.set('net.ipv4.ip_default_ttl', '0'))).toBe(EINVAL);
    expect(errno(() => s.set('net.ipv4.ip_default_ttl', '256'))).toBe(EINVAL);
    s.set('net.ipv4.ip_local_port_range', '45000');
    expect(s.get('net.ipv4.ip_local_port_range')).toBe('45000\t60999');
    expect(errno(() => s.set('net.ipv4.ip_local_port_range', '50000 40000'))).toBe(EINVAL);
  });
});

describe('conf/default and devices', () => {
  it('a default write reaches every device that never had its own value written', () => {
    const s = new Sysctls();
    s.addDevice('v0', false);
    s.addDevice('v1', false);
    s.set('net.ipv4.conf.v1.rp_filter', '0');
    s.set('net.ipv4.conf.default.rp_filter', '2');
    expect([s.get('net.ipv4.conf.v0.rp_filter'), s.get('net.ipv4.conf.v1.rp_filter')]).toEqual(['2', '0']);
    s.set('net.ipv4.conf.default.promote_secondaries', '1');
    expect(s.get('net.ipv4.conf.v0.promote_secondaries')).toBe('0');
    s.addDevice('v2', false);
    expect(s.get('net.ipv4.conf.v2.promote_secondaries')).toBe('1');
  });

  it('forwarding hooks run only when the value changes', () => {
    const s = new Sysctls();
    const seen: string[] = [];
    s.onSet(/forwarding$/, (k, v) => seen.push(`${k}=${v}`));
    s.set('net.ipv4.conf.all.forwarding', '0');
    s.set('net.ipv4.conf.all.forwarding', '1');
    s.set('net.ipv4.conf.all.forwarding', '1');
    expect(seen).toEqual(['net.ipv4.conf.all.forwarding=1']);
  });
});

describe('/proc/sys paths', () => {
  it('keeps a dotted device name as one path component', () => {
    const s = new Sysctls();
    s.addDevice('eth0.100', false);
    expect(s.pathOf('net.ipv4.conf.eth0.100.forwarding')).toBe('net/ipv4/conf/eth0.100/forwarding');
    expect(s.keyOfPath('net/ipv4/conf/eth0.100/forwarding')).toBe('net.ipv4.conf.eth0.100.forwarding');
    expect(s.stat('net/ipv4/conf/eth0.100')).toBe('dir');
    expect(s.stat('net/ipv4/conf/eth0/100/forwarding')).toBeUndefined();
  });

  it('lists a directory depth first, each level by name', () => {
    const s = new Sysctls();
    const conf = s.listDir('net/ipv4/conf');
    expect(conf[0]).toBe('net/ipv4/conf/all/accept_local');
    expect(conf.indexOf('net/ipv4/conf/all/tag')).toBeLessThan(conf.indexOf('net/ipv4/conf/default/accept_local'));
    expect(s.stat('net/ipv4')).toBe('dir');
    expect(s.stat('net/ipv4/ip_forward')).toBe('file');
  });
});

describe('IPv6 conf', () => {
  it('conf/all/forwarding sets default and every device on each write', () => {
    const s = new Sysctls();
    s.addDevice('v0', false);
    s.set('net.ipv6.conf.all.forwarding', '1');
    s.set('net.ipv6.conf.v0.forwarding', '0');
    s.set('net.ipv6.conf.all.forwarding', '1');
    expect([s.get('net.ipv6.conf.default.forwarding'), s.get('net.ipv6.conf.v0.forwarding')]).toEqual(['1', '1']);
    s.set('net.ipv6.conf.default.hop_limit', '9');
    expect(s.get('net.ipv6.conf.v0.hop_limit')).toBe('64');
  });
});
