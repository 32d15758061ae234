// Route resolution: fib_lookup through policy rules, output routes (source choice, on-link
// assumption, local delivery) and input routes (forwarding, redirects, martians, rp_filter).
import { describe, expect, it } from 'vitest';
import { EACCES, EHOSTUNREACH, EINVAL, ENETUNREACH, KernelError } from '../../src/kernel/errors.ts';
import { RTCF_BROADCAST, RTCF_DOREDIRECT, RTCF_LOCAL, RTCF_MULTICAST, RT_SCOPE_UNIVERSE, RTPROT_BOOT } from '../../src/kernel/ipv4/constants.ts';
import { addRoute, delRoute, type RouteSpec } from '../../src/kernel/ipv4/route.ts';
import { fibLookup, inetSelectAddr } from '../../src/kernel/ipv4/route-lookup.ts';
import { newRule } from '../../src/kernel/ipv4/rules.ts';
import { routeInput, routeOutput } from '../../src/kernel/ipv4/rtable.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { World } from '../../src/kernel/world.ts';
import { formatIpv4Addr, parseIpv4Addr as ip } from '../../src/wire/addr.ts';

/** Namespace a with veth0 10.0.0.1/24 (peer in b, 10.0.0.2/24) and veth2 10.0.1.1/24, all up. */
function setup(): { world: World; a: NetNs } {
  const world = new World({ seed: 5 });
  const a = world.addNetns('a');
  const b = world.addNetns('b');
  const [v0, v1] = world.addVeth({ ns: a, name: 'veth0' }, { ns: b, name: 'veth1' });
  const [v2, v3] = world.addVeth({ ns: a, name: 'veth2' }, { ns: b, name: 'veth3' });
  a.ipv4.devinet.add({ dev: v0, local: ip('10.0.0.1'), prefixlen: 24 });
  a.ipv4.devinet.add({ dev: v2, local: ip('10.0.1.1'), prefixlen: 24 });
  b.ipv4.devinet.add({ dev: v1, local: ip('10.0.0.2'), prefixlen: 24 });
  for (const [ns, dev] of [[a, a.lo], [a, v0], [a, v2], [b, b.lo], [b, v1], [b, v3]] as const) ns.setUp(dev);
  return { world, a };
}

function spec(a: NetNs, fields: Partial<RouteSpec> & Pick<RouteSpec, 'dst' | 'len'>): RouteSpec {
  return {
    table: 254, type: 'unicast', tos: 0, priority: 0, protocol: RTPROT_BOOT, scope: RT_SCOPE_UNIVERSE, prefsrc: 0,
    gateway: 0, dev: undefined, onlink: false, metrics: new Map(), ...fields,
  };
}

function errno(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
  return undefined;
}

describe('fib_lookup', () => {
  it('fails with ENETUNREACH when nothing matches, and with the reject route\'s error otherwise', () => {
    const { a } = setup();
    const key = (dst: string) => ({ src: 0, dst: ip(dst), tos: 0, mark: 0, iif: 1, oif: 0 });
    expect(errno(() => fibLookup(a, key('192.0.2.1')))).toBe(ENETUNREACH);
    addRoute(a, spec(a, { type: 'unreachable', dst: ip('192.0.2.0'), len: 24 }), 'add');
    addRoute(a, spec(a, { type: 'prohibit', dst: ip('198.51.100.0'), len: 24 }), 'add');
    addRoute(a, spec(a, { type: 'blackhole', dst: ip('203.0.113.0'), len: 24 }), 'add');
    expect(errno(() => fibLookup(a, key('192.0.2.1')))).toBe(EHOSTUNREACH);
    expect(errno(() => fibLookup(a, key('198.51.100.1')))).toBe(EACCES);
    expect(errno(() => fibLookup(a, key('203.0.113.1')))).toBe(EINVAL);
  });

  it('follows rules: a throw route goes on to the next rule, a rule action has its own errno', () => {
    const { a } = setup();
    const key = (dst: string, mark = 0) => ({ src: 0, dst: ip(dst), tos: 0, mark, iif: 1, oif: 0 });
    addRoute(a, spec(a, { dst: ip('0.0.0.0'), len: 0, gateway: ip('10.0.0.2') }), 'add');
    addRoute(a, spec(a, { table: 100, type: 'throw', dst: ip('10.0.0.0'), len: 8 }), 'add');
    addRoute(a, spec(a, { table: 100, dst: ip('0.0.0.0'), len: 0, gateway: ip('10.0.1.2') }), 'add');
    a.ipv4.rules.add(newRule({ priority: 100, fwmark: 1, table: 100 }), true, () => 1);
    expect(fibLookup(a, key('8.8.8.8', 1)).route.gateway).toBe(ip('10.0.1.2'));
    expect(fibLookup(a, key('10.9.9.9', 1)).route.gateway).toBe(ip('10.0.0.2'));
    expect(fibLookup(a, key('8.8.8.8', 0)).route.gateway).toBe(ip('10.0.0.2'));
    a.ipv4.rules.add(newRule({ priority: 50, fwmark: 2, action: 'unreachable', table: 0 }), true, () => 1);
    expect(errno(() => fibLookup(a, key('8.8.8.8', 2)))).toBe(ENETUNREACH);
  });

  it('suppress_prefixlength skips results not more specific than it; goto jumps', () => {
    const { a } = setup();
    const key = (dst: string) => ({ src: 0, dst: ip(dst), tos: 0, mark: 0, iif: 1, oif: 0 });
    addRoute(a, spec(a, { dst: ip('0.0.0.0'), len: 0, gateway: ip('10.0.0.2') }), 'add');
    addRoute(a, spec(a, { table: 7, dst: ip('0.0.0.0'), len: 0, gateway: ip('10.0.1.2') }), 'add');
    a.ipv4.rules.add(newRule({ priority: 10, table: 254, suppressPrefixlen: 0 }), true, () => 1);
    a.ipv4.rules.add(newRule({ priority: 20, table: 7 }), true, () => 1);
    expect(fibLookup(a, key('8.8.8.8')).route.gateway).toBe(ip('10.0.1.2'));
    expect(fibLookup(a, key('10.0.0.9')).route.dev?.name).toBe('veth0');
    a.ipv4.rules.add(newRule({ priority: 5, action: 'goto', target: 20, table: 0 }), true, () => 1);
    expect(fibLookup(a, key('10.0.0.9')).route.gateway).toBe(ip('10.0.1.2'));
  });

  it('without custom rules looks local and main up as one trie (longest prefix across both)', () => {
    const { a } = setup();
    addRoute(a, spec(a, { dst: ip('127.5.0.0'), len: 16, dev: a.device('veth0') }), 'add');
    const key = { src: 0, dst: ip('127.5.1.1'), tos: 0, mark: 0, iif: 1, oif: 0 };
    expect(fibLookup(a, key).type).toBe('unicast');
    a.ipv4.rules.add(newRule({ priority: 9, table: 254, src: ip('1.1.1.1'), srcLen: 32 }), true, () => 1);
    expect(fibLookup(a, key).type).toBe('local');
  });
});

describe('route changes', () => {
  it('checks the gateway is on link, and deletes by the attributes given', () => {
    const { a } = setup();
    expect(errno(() => addRoute(a, spec(a, { dst: ip('10.9.0.0'), len: 16, gateway: ip('10.99.0.1') }), 'add'))).toBe(EINVAL);
    const route = addRoute(a, spec(a, { dst: ip('10.9.0.0'), len: 16, gateway: ip('10.0.0.2') }), 'add');
    expect(route.dev?.name).toBe('veth0');
    expect(errno(() => delRoute(a, { table: 254, dst: ip('10.9.0.0'), len: 16, tos: 0, gateway: ip('10.0.0.9') }))).toBe(3);
    expect(delRoute(a, { table: 254, dst: ip('10.9.0.0'), len: 16, tos: 0 })).toBe(route);
  });

  it('keeps host-scope routes and drops the others when their device goes down', () => {
    const { a } = setup();
    const veth0 = a.device('veth0')!;
    addRoute(a, spec(a, { dst: ip('10.9.0.0'), len: 16, gateway: ip('10.0.0.2') }), 'add');
    addRoute(a, spec(a, { dst: ip('10.17.0.0'), len: 16, dev: veth0, scope: 254 }), 'add');
    a.setDown(veth0);
    const main = a.ipv4.table(254, false)!.routes.map((r) => `${formatIpv4Addr(r.dst)}/${r.len}`);
    expect(main).toEqual(['10.0.1.0/24', '10.17.0.0/16']);
  });
});

describe('output routes (ip_route_output_key)', () => {
  it('chooses the source from the route, and delivers own addresses over lo', () => {
    const { a } = setup();
    addRoute(a, spec(a, { dst: ip('10.9.0.0'), len: 16, gateway: ip('10.0.0.2') }), 'add');
    const rt = routeOutput(a, { dst: ip('10.9.1.1') });
    expect([rt.dev.name, rt.gateway, rt.src, rt.flags]).toEqual(['veth0', ip('10.0.0.2'), ip('10.0.0.1'), 0]);
    const local = routeOutput(a, { dst: ip('10.0.1.1') });
    expect([local.type, local.dev.name, local.src, local.flags]).toEqual(['local', 'lo', ip('10.0.1.1'), RTCF_LOCAL >>> 0]);
    const brd = routeOutput(a, { dst: ip('10.0.0.255') });
    expect([brd.type, brd.flags]).toEqual(['broadcast', (RTCF_BROADCAST | RTCF_LOCAL) >>> 0]);
  });

  it('assumes an unrouted destination is on link when an interface is given', () => {
    const { a } = setup();
    expect(errno(() => routeOutput(a, { dst: ip('192.0.2.7') }))).toBe(ENETUNREACH);
    const rt = routeOutput(a, { dst: ip('192.0.2.7'), oif: a.device('veth2')!.ifindex });
    expect([rt.dev.name, rt.gateway, rt.src]).toEqual(['veth2', 0, ip('10.0.1.1')]);
    const mc = routeOutput(a, { dst: ip('224.0.0.1'), oif: a.device('veth2')!.ifindex });
    expect([mc.type, mc.flags]).toEqual(['multicast', (RTCF_MULTICAST | RTCF_LOCAL) >>> 0]);
  });

  it('refuses a source that is not ours, and a loopback source off lo', () => {
    const { a } = setup();
    expect(errno(() => routeOutput(a, { dst: ip('10.0.0.2'), src: ip('10.0.0.77') }))).toBe(ENETUNREACH);
    expect(errno(() => routeOutput(a, { dst: ip('10.0.0.2'), src: ip('127.0.0.1') }))).toBe(EINVAL);
  });

  it('inet_select_addr prefers the device, then any global address, loopback first', () => {
    const { a } = setup();
    expect(inetSelectAddr(a, a.device('veth2'), 0, RT_SCOPE_UNIVERSE)).toBe(ip('10.0.1.1'));
    expect(inetSelectAddr(a, a.lo, 0, 253)).toBe(ip('10.0.0.1'));
  });
});

describe('input routes (ip_route_input_slow)', () => {
  it('with forwarding off: local delivery works, the rest is EHOSTUNREACH', () => {
    const { a } = setup();
    const veth0 = a.device('veth0')!;
    const local = routeInput(a, { dst: ip('10.0.1.1'), src: ip('10.0.0.2'), dev: veth0 });
    expect([local.type, local.dev.name, local.error]).toEqual(['local', 'lo', 0]);
    expect(routeInput(a, { dst: ip('10.0.1.2'), src: ip('10.0.0.2'), dev: veth0 }).error).toBe(EHOSTUNREACH);
  });

  it('forwards once forwarding is on, flagging a redirect back out of the same device', () => {
    const { a } = setup();
    const veth0 = a.device('veth0')!;
    a.sysctl.set('net.ipv4.ip_forward', '1');
    const out = routeInput(a, { dst: ip('10.0.1.2'), src: ip('10.0.0.2'), dev: veth0 });
    expect([out.dev.name, out.flags & RTCF_DOREDIRECT, out.error]).toEqual(['veth2', 0, 0]);
    const back = routeInput(a, { dst: ip('10.0.0.3'), src: ip('10.0.0.2'), dev: veth0 });
    expect(back.flags & RTCF_DOREDIRECT).toBe(RTCF_DOREDIRECT);
    expect(routeInput(a, { dst: ip('192.0.2.1'), src: ip('10.0.0.2'), dev: veth0 }).error).toBe(ENETUNREACH);
  });

  it('drops martians and, with rp_filter 1, sources routed elsewhere', () => {
    const { a } = setup();
    const veth0 = a.device('veth0')!;
    expect(errno(() => routeInput(a, { dst: ip('10.0.0.1'), src: ip('10.0.0.1'), dev: veth0 }))).toBe(EINVAL);
    expect(errno(() => routeInput(a, { dst: ip('10.0.0.1'), src: ip('127.0.0.1'), dev: veth0 }))).toBe(EINVAL);
    a.sysctl.set('net.ipv4.conf.veth0.rp_filter', '1');
    expect(routeInput(a, { dst: ip('10.0.0.1'), src: ip('10.0.0.2'), dev: veth0 }).type).toBe('local');
    expect(errno(() => routeInput(a, { dst: ip('10.0.0.1'), src: ip('10.0.1.9'), dev: veth0 }))).toBe(EINVAL);
  });
});
