// Devices, veth pairs, link watch and namespaces as the kernel behaves (beyond what the
// recorded ip fixtures show).
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/kernel/errors.ts';
import { World } from '../../src/kernel/world.ts';

function pair(world: World, a = 'a', b = 'b') {
  const nsA = world.addNetns(a);
  const nsB = world.addNetns(b);
  return { nsA, nsB };
}

describe('ifindex allocation', () => {
  it('numbers lo 1, then the veth peer before the device that asked for it', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [v0, v1] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    expect([ns.lo.ifindex, v1.ifindex, v0.ifindex]).toEqual([1, 2, 3]);
  });

  it('does not reuse a freed index (cyclic allocation)', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [v0] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    w.deleteDevice(v0);
    const [x0, x1] = w.addVeth({ ns, name: 'x0' }, { ns, name: 'x1' });
    expect([x1.ifindex, x0.ifindex]).toEqual([4, 5]);
  });

  it('keeps the index on a move when it is free there, else takes a new one', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    const [, p1] = w.addVeth({ ns: nsA, name: 'p0' }, { ns: nsA, name: 'p1' });
    w.moveDevice(p1, nsB);
    expect(p1.ifindex).toBe(2);
    const [, q1] = w.addVeth({ ns: nsA, name: 'q0' }, { ns: nsA, name: 'q1' });
    expect(q1.ifindex).toBe(4);
    w.addVeth({ ns: nsB, name: 'r0' }, { ns: nsB, name: 'r1' });
    w.addVeth({ ns: nsB, name: 's0' }, { ns: nsB, name: 's1' });
    // b now uses 1..6; q1 (index 4) cannot keep it there.
    w.moveDevice(q1, nsB);
    expect(q1.ifindex).toBe(7);
  });

  it('names a veth without a name vethN, lowest free N', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [a, b] = w.addVeth({ ns }, { ns });
    expect([a.name, b.name]).toEqual(['veth1', 'veth0']);
  });
});

describe('veth carrier and operstate', () => {
  it('has carrier only when both ends are up', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [v0, v1] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    ns.setUp(v0);
    expect([v0.carrier, v0.operstate()]).toEqual([false, 'LOWERLAYERDOWN']);
    ns.setUp(v1);
    expect([v0.carrier, v1.carrier, v0.operstate(), v1.operstate()]).toEqual([true, true, 'UP', 'UP']);
    ns.setDown(v1);
    expect([v0.carrier, v0.operstate(), v1.operstate()]).toEqual([false, 'LOWERLAYERDOWN', 'DOWN']);
    expect(v0.carrierChanges).toBe(3);
  });

  it('is DOWN rather than LOWERLAYERDOWN when the peer is in another namespace', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    const [x, y] = w.addVeth({ ns: nsA, name: 'x' }, { ns: nsA, name: 'y' });
    const [v0] = w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsB, name: 'veth1' });
    w.clock.tick(2000);
    nsA.setUp(v0);
    // veth1 has index 2 in b; index 2 in a is `y`, without carrier: it decides.
    expect(v0.operstate()).toBe('LOWERLAYERDOWN');
    nsA.setUp(x);
    nsA.setUp(y);
    // u1 gets index 3 in b; index 3 in a is `x`, which now has carrier.
    const [u0] = w.addVeth({ ns: nsA, name: 'u0' }, { ns: nsB, name: 'u1' });
    w.clock.tick(2000);
    nsA.setUp(u0);
    expect(u0.operstate()).toBe('DOWN');
    // The peer's index is the device's own (both are 2): DOWN as well.
    const w2 = new World();
    const p = pair(w2);
    const [v] = w2.addVeth({ ns: p.nsA, name: 'veth0' }, { ns: p.nsB, name: 'veth1' });
    p.nsA.setUp(v);
    expect([v.ifindex, v.iflink(), v.operstate()]).toEqual([2, 2, 'DOWN']);
  });

  it('decides the operstate when link watch handles the event, not at up', () => {
    const w = new World();
    const ns = w.addNetns('a');
    w.addVeth({ ns, name: 'first' }, { ns, name: 'other' });
    // A second pair within a second of the first full run: its events wait.
    const [x0, x1] = w.addVeth({ ns, name: 'x0' }, { ns, name: 'x1' });
    expect(x0.linkwatchPending).toBe(true);
    ns.setUp(x0);
    // Opened without the event handled: operstate still UNKNOWN, which counts as running.
    expect(x0.operstate()).toBe('UNKNOWN');
    w.clock.tick(1000);
    expect([x0.linkwatchPending, x0.operstate(), x1.operState]).toEqual([false, 'LOWERLAYERDOWN', 'LOWERLAYERDOWN']);
  });

  it('handles a pending event when the device is looked up by name (rtnl_getlink)', () => {
    const w = new World();
    const ns = w.addNetns('a');
    w.addVeth({ ns, name: 'first' }, { ns, name: 'other' });
    const [x0] = w.addVeth({ ns, name: 'x0' }, { ns, name: 'x1' });
    expect(ns.getLink('x0')).toBe(x0);
    expect(x0.linkwatchPending).toBe(false);
    ns.setUp(x0);
    expect(x0.operstate()).toBe('LOWERLAYERDOWN');
  });

  it('reports RUNNING from the operstate and LOWER_UP from the carrier', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [v0, v1] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    ns.setUp(v0);
    expect(v0.reportedFlags() & 0x10040).toBe(0);
    ns.setUp(v1);
    expect(v0.reportedFlags() & 0x10040).toBe(0x10040);
  });
});

describe('namespaces and nsids', () => {
  it('gives an id only to the namespace of the device that was asked for', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsB, name: 'veth1' });
    expect(nsA.nsids.get(nsB)).toBe(0);
    expect(nsB.nsids.has(nsA)).toBe(false);
  });

  it('allocates ids in both namespaces when a device moves', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    const c = w.addNetns('c');
    w.addVeth({ ns: nsA, name: 'x0' }, { ns: c, name: 'x1' });
    const [, v1] = w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsA, name: 'veth1' });
    w.moveDevice(v1, nsB);
    expect([nsA.nsids.get(c), nsA.nsids.get(nsB), nsB.nsids.get(nsA)]).toEqual([0, 1, 0]);
  });

  it('closes a moved device, drops its addresses and resets its qdisc', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    const [v0, v1] = w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsA, name: 'veth1' });
    nsA.ipv4.devinet.add({ dev: v1, local: 0x0a000001, prefixlen: 24 });
    nsA.setUp(v0);
    nsA.setUp(v1);
    v1.alias = 'kept';
    w.moveDevice(v1, nsB);
    expect([v1.up, v1.qdisc, v1.alias, nsB.ipv4.devinet.list(v1).length, v0.carrier]).toEqual([false, 'noop', 'kept', 0, false]);
    expect(nsA.ipv4.table(254, false)?.routes.filter((r) => r.dev === v1)).toEqual([]);
  });

  it('refuses to move lo', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    expect(() => w.moveDevice(nsA.lo, nsB)).toThrow(new KernelError(22, 'The interface netns is immutable'));
  });

  it('deleting a namespace deletes the veth peers it had elsewhere', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsB, name: 'veth1' });
    w.delNetns('b');
    expect(nsA.device('veth0')).toBeUndefined();
    expect(nsA.nsids.size).toBe(0);
  });

  it('renames an up device and its address labels', () => {
    const w = new World();
    const ns = w.addNetns('a');
    const [v0] = w.addVeth({ ns, name: 'veth0' }, { ns, name: 'veth1' });
    ns.setUp(v0);
    ns.ipv4.devinet.add({ dev: v0, local: 0x0a000001, prefixlen: 24 });
    ns.ipv4.devinet.add({ dev: v0, local: 0x0a000002, prefixlen: 24 });
    ns.ipv4.devinet.add({ dev: v0, local: 0x0b000001, prefixlen: 24, label: 'veth0:x' });
    ns.rename(v0, 'eth0');
    expect(ns.ipv4.devinet.list(v0).map((a) => a.label)).toEqual(['eth0', 'eth0:x', 'eth0:2']);
    expect(() => ns.rename(v0, 'lo')).toThrow(KernelError);
  });
});

describe('link watch across a move', () => {
  it('keeps a moved device\'s pending event and decides it in the new namespace', () => {
    const w = new World();
    const { nsA, nsB } = pair(w);
    w.addVeth({ ns: nsA, name: 'first' }, { ns: nsA, name: 'other' });
    // Within a second of the first full run: the new pair's events wait.
    const [, v1] = w.addVeth({ ns: nsA, name: 'veth0' }, { ns: nsA, name: 'veth1' });
    expect(v1.linkwatchPending).toBe(true);
    w.moveDevice(v1, nsB);
    expect(v1.linkwatchPending).toBe(true);
    // veth1 looks up its peer's index (5) in b, where nothing has it: DOWN, not LOWERLAYERDOWN.
    nsB.getLink('veth1');
    nsB.setUp(v1);
    expect([v1.iflink(), v1.operstate()]).toEqual([5, 'DOWN']);
  });
});
