// IPv4 addresses and the routes they make (devinet.c, fib_frontend.c) beyond what the fixtures show.
import { describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/kernel/device.ts';
import { KernelError } from '../../src/kernel/errors.ts';
import { IFA_F_SECONDARY } from '../../src/kernel/ipv4/constants.ts';
import { ifaLifetimes } from '../../src/kernel/ipv4/devinet.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { World } from '../../src/kernel/world.ts';
import { formatIpv4Addr, parseIpv4Addr } from '../../src/wire/addr.ts';

function setup(): { w: World; ns: NetNs; dev: NetDevice } {
  const w = new World();
  const ns = w.addNetns('a');
  const [dev, peer] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
  ns.setUp(dev);
  ns.setUp(peer);
  return { w, ns, dev };
}

function add(ns: NetNs, dev: NetDevice, cidr: string, extra: { scope?: number; broadcast?: string; metric?: number } = {}) {
  const [a, len] = cidr.split('/');
  return ns.ipv4.devinet.add({
    dev, local: parseIpv4Addr(a), prefixlen: Number(len ?? 32), scope: extra.scope,
    broadcast: extra.broadcast ? parseIpv4Addr(extra.broadcast) : undefined, metric: extra.metric,
  });
}

/** Routes of a table as `TYPE DST/LEN src SRC [metric M]`. */
function routes(ns: NetNs, table: number): string[] {
  return (ns.ipv4.table(table, false)?.routes ?? []).map((r) =>
    `${r.type} ${formatIpv4Addr(r.dst)}/${r.len} ${r.dev?.name} src ${formatIpv4Addr(r.prefsrc)}${r.priority ? ` metric ${r.priority}` : ''}`);
}

const list = (ns: NetNs, dev: NetDevice) => ns.ipv4.devinet.list(dev).map((a) => formatIpv4Addr(a.local) + (a.flags & IFA_F_SECONDARY ? 's' : ''));

describe('address list order', () => {
  it('puts a primary after the primaries of its scope or wider, secondaries last', () => {
    const { ns, dev } = setup();
    add(ns, dev, '10.0.0.1/24');
    add(ns, dev, '10.0.0.2/24');
    add(ns, dev, '172.16.0.1/16', { scope: 253 });
    add(ns, dev, '10.1.0.1/24');
    add(ns, dev, '127.1.0.1/8', { scope: 254 });
    expect(list(ns, dev)).toEqual(['127.1.0.1', '172.16.0.1', '10.0.0.1', '10.1.0.1', '10.0.0.2s']);
  });

  it('refuses a duplicate and a secondary of another scope, with the kernel texts', () => {
    const { ns, dev } = setup();
    add(ns, dev, '10.0.0.1/24');
    expect(() => add(ns, dev, '10.0.0.1/24')).toThrow(new KernelError(17, 'ipv4: Address already assigned'));
    expect(() => add(ns, dev, '10.0.0.2/24', { scope: 253 })).toThrow(new KernelError(22, 'ipv4: Invalid scope value'));
    // The same address with another prefix length is a different address.
    expect(() => add(ns, dev, '10.0.0.1/16')).not.toThrow();
  });
});

describe('deleting addresses', () => {
  it('takes the secondaries of a primary with it', () => {
    const { ns, dev } = setup();
    const p = add(ns, dev, '10.0.0.1/24');
    add(ns, dev, '10.0.0.2/24');
    add(ns, dev, '10.0.1.1/24');
    const gone = ns.ipv4.devinet.delete(p);
    expect(gone.map((a) => formatIpv4Addr(a.local))).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(list(ns, dev)).toEqual(['10.0.1.1']);
    expect(routes(ns, 255)).toEqual(['local 10.0.1.1/32 veth0 src 10.0.1.1', 'broadcast 10.0.1.255/32 veth0 src 10.0.1.1']);
  });

  it('promotes the first secondary with promote_secondaries, moving it after the last primary', () => {
    const { ns, dev } = setup();
    ns.sysctl.set('net.ipv4.conf.veth0.promote_secondaries', '1');
    const p = add(ns, dev, '10.0.0.1/24');
    add(ns, dev, '10.0.1.1/24');
    add(ns, dev, '10.0.0.2/24');
    add(ns, dev, '10.0.0.3/24');
    ns.ipv4.devinet.delete(p);
    expect(list(ns, dev)).toEqual(['10.0.1.1', '10.0.0.2', '10.0.0.3s']);
    expect(routes(ns, 254)).toEqual(['unicast 10.0.0.0/24 veth0 src 10.0.0.2', 'unicast 10.0.1.0/24 veth0 src 10.0.1.1']);
    expect(routes(ns, 255).filter((r) => r.includes('10.0.0.'))).toEqual([
      'local 10.0.0.2/32 veth0 src 10.0.0.2', 'local 10.0.0.3/32 veth0 src 10.0.0.2', 'broadcast 10.0.0.255/32 veth0 src 10.0.0.2',
    ]);
  });

  it('keeps a broadcast route another address still needs', () => {
    const { ns, dev } = setup();
    const a = add(ns, dev, '10.0.0.1/24');
    add(ns, dev, '10.0.1.1/24', { broadcast: '10.0.0.255' });
    ns.ipv4.devinet.delete(a);
    expect(routes(ns, 255)).toContain('broadcast 10.0.0.255/32 veth0 src 10.0.1.1');
  });

  it('flushes every route through the device when its last address goes', () => {
    const { ns, dev } = setup();
    const a = add(ns, dev, '10.0.0.1/24');
    const main = ns.ipv4.table(254, true);
    const r = { ...main.routes[0], dst: parseIpv4Addr('10.9.0.0'), len: 16, protocol: 4, prefsrc: 0 };
    main.insert(r);
    ns.ipv4.devinet.delete(a);
    expect([routes(ns, 254), routes(ns, 255)]).toEqual([[], []]);
  });

  it('drops main-table routes that used a vanished address as their source', () => {
    const { w, ns, dev } = setup();
    const [other, peer] = w.addVeth({ ns, name: 'o0' }, { ns, name: 'o1' });
    ns.setUp(other);
    ns.setUp(peer);
    add(ns, other, '10.5.0.1/24');
    const a = add(ns, dev, '10.0.0.1/24');
    add(ns, dev, '10.0.1.1/24');
    const main = ns.ipv4.table(254, true);
    main.insert({ ...main.routes[0], dst: parseIpv4Addr('10.9.0.0'), len: 16, protocol: 4, dev: other, prefsrc: a.local });
    ns.ipv4.devinet.delete(a);
    expect(routes(ns, 254)).toEqual(['unicast 10.0.1.0/24 veth0 src 10.0.1.1', 'unicast 10.5.0.0/24 o0 src 10.5.0.1']);
  });
});

describe('routes and the link state', () => {
  it('removes prefix and broadcast routes on down, keeps the local one, restores them on up', () => {
    const { ns, dev } = setup();
    add(ns, dev, '10.0.0.1/24', { metric: 50 });
    ns.setDown(dev);
    expect([routes(ns, 254), routes(ns, 255)]).toEqual([[], ['local 10.0.0.1/32 veth0 src 10.0.0.1']]);
    ns.setUp(dev);
    expect(routes(ns, 254)).toEqual(['unicast 10.0.0.0/24 veth0 src 10.0.0.1 metric 50']);
    expect(routes(ns, 255)).toEqual(['local 10.0.0.1/32 veth0 src 10.0.0.1', 'broadcast 10.0.0.255/32 veth0 src 10.0.0.1']);
  });

  it('adds only the local route while the device is down', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [dev] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    add(ns, dev, '10.0.0.1/24');
    expect([routes(ns, 254), routes(ns, 255)]).toEqual([[], ['local 10.0.0.1/32 veth0 src 10.0.0.1']]);
  });

  it('`replace` of an existing address moves its prefix route to the new metric', () => {
    const { ns, dev } = setup();
    add(ns, dev, '10.0.0.1/24', { metric: 10 });
    ns.ipv4.devinet.add({ dev, local: parseIpv4Addr('10.0.0.1'), prefixlen: 24, metric: 20 }, 'replace');
    expect(routes(ns, 254)).toEqual(['unicast 10.0.0.0/24 veth0 src 10.0.0.1 metric 20']);
  });

  it('gives 0.0.0.0/8 addresses no prefix or subnet broadcast route', () => {
    const { ns, dev } = setup();
    add(ns, dev, '0.1.2.3/24');
    expect([routes(ns, 254), routes(ns, 255)]).toEqual([[], ['local 0.1.2.3/32 veth0 src 0.1.2.3']]);
  });
});

describe('lifetimes', () => {
  it('counts down, deprecates and finally deletes a dynamic address', () => {
    const { w, ns, dev } = setup();
    const a = ns.ipv4.devinet.add({ dev, local: parseIpv4Addr('10.0.0.1'), prefixlen: 24, validLft: 100, preferredLft: 50 });
    w.clock.tick(30_000);
    expect(ifaLifetimes(a, w.now())).toEqual({ valid: 70, preferred: 20 });
    w.clock.tick(30_000);
    expect(a.flags & 0x20).toBe(0x20);
    w.clock.tick(40_000);
    expect(ns.ipv4.devinet.list(dev)).toEqual([]);
  });
});
