// The neighbour table: admin operations (neigh_add/neigh_delete), the update rules, the timer
// state machine in virtual time, and the resolution start the data plane will use.
import { describe, expect, it } from 'vitest';
import { EEXIST, EINVAL, ENOENT, KernelError } from '../../src/kernel/errors.ts';
import {
  NTF_ROUTER, NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE,
} from '../../src/kernel/ipv4/constants.ts';
import { NEIGH_UPDATE_F_OVERRIDE, timerWheelExpiry, type Neighbour } from '../../src/kernel/ipv4/neigh.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { World } from '../../src/kernel/world.ts';
import { parseIpv4Addr as ip, parseMac } from '../../src/wire/addr.ts';

function setup(): { world: World; a: NetNs } {
  const world = new World({ seed: 9 });
  const a = world.addNetns('a');
  const b = world.addNetns('b');
  const [v0, v1] = world.addVeth({ ns: a, name: 'veth0' }, { ns: b, name: 'veth1' });
  a.setUp(a.lo);
  a.setUp(v0);
  b.setUp(v1);
  return { world, a };
}

const mac = (s: string) => parseMac(s);
const add = (a: NetNs, addr: string, fields: { lladdr?: string; state?: number; flags?: number; create?: boolean; excl?: boolean; replace?: boolean }) =>
  a.ipv4.neigh.add({
    dev: a.device('veth0')!, addr: ip(addr), lladdr: fields.lladdr ? mac(fields.lladdr) : undefined, state: fields.state ?? NUD_PERMANENT,
    flags: fields.flags ?? 0, create: fields.create ?? true, excl: fields.excl ?? true, replace: fields.replace ?? false,
  });

function errno(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
  return undefined;
}

describe('neigh_add / neigh_delete', () => {
  it('adds, refuses duplicates, changes only what exists, and replaces the router flag', () => {
    const { a } = setup();
    const n = add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09', flags: NTF_ROUTER });
    expect([n.state, n.flags & NTF_ROUTER]).toEqual([NUD_PERMANENT, NTF_ROUTER]);
    expect(errno(() => add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09' }))).toBe(EEXIST);
    expect(errno(() => add(a, '10.0.0.99', { lladdr: '02:00:00:00:00:09', create: false, excl: false, replace: true }))).toBe(ENOENT);
    add(a, '10.0.0.9', { create: false, excl: false, replace: true, state: NUD_STALE });
    expect([n.state, n.flags & NTF_ROUTER, n.lladdr]).toEqual([NUD_STALE, 0, mac('02:00:00:00:00:09')]);
  });

  it('keeps the entry it made when a valid state comes without an address', () => {
    const { a } = setup();
    expect(errno(() => add(a, '10.0.0.10', {}))).toBe(EINVAL);
    const n = a.ipv4.neigh.lookup(a.device('veth0')!, ip('10.0.0.10'))!;
    expect(n.state).toBe(0);
    expect(errno(() => add(a, '10.0.0.10', { lladdr: '02:00:00:00:00:0a' }))).toBe(EEXIST);
  });

  it('keys loopback neighbours on 0.0.0.0 and refuses short link-layer addresses', () => {
    const { a } = setup();
    const n = a.ipv4.neigh.add({ dev: a.lo, addr: ip('10.0.0.17'), lladdr: mac('02:00:00:00:00:11'), state: NUD_PERMANENT, flags: 0, create: true, excl: true, replace: false });
    expect(n.addr).toBe(0);
    expect(errno(() => a.ipv4.neigh.add({
      dev: a.device('veth0')!, addr: ip('10.0.0.18'), lladdr: new Uint8Array(4), state: NUD_PERMANENT, flags: 0, create: true, excl: true, replace: false,
    }))).toBe(EINVAL);
  });

  it('deletes, and ENOENT for what is not there', () => {
    const { a } = setup();
    add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09' });
    a.ipv4.neigh.delete(a.device('veth0')!, ip('10.0.0.9'));
    expect(a.ipv4.neigh.entries).toEqual([]);
    expect(errno(() => a.ipv4.neigh.delete(a.device('veth0')!, ip('10.0.0.9')))).toBe(ENOENT);
  });

  it('loses everything on link down, all but permanent ones on carrier loss', () => {
    const { a } = setup();
    add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09' });
    add(a, '10.0.0.10', { lladdr: '02:00:00:00:00:0a', state: NUD_NOARP });
    const veth0 = a.device('veth0')!;
    a.ipv4.neigh.flushDev(veth0, true);
    expect(a.ipv4.neigh.entries.map((n) => n.state)).toEqual([NUD_PERMANENT]);
    a.setDown(veth0);
    expect(a.ipv4.neigh.entries).toEqual([]);
  });
});

describe('neighbour timers (virtual time)', () => {
  it('a REACHABLE entry goes STALE within 15–45 s of its confirmation', () => {
    const { world, a } = setup();
    const n = add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09', state: NUD_REACHABLE });
    world.clock.tick(14_000);
    expect(n.state).toBe(NUD_REACHABLE);
    world.clock.tick(32_000);
    expect(n.state).toBe(NUD_STALE);
    expect(n.timerAt).toBeUndefined();
  });

  it('DELAY set by hand turns into PROBE at once, then FAILED after 3 unicast probes', () => {
    const { world, a } = setup();
    const sent: number[] = [];
    a.ipv4.neigh.solicit = (n: Neighbour) => sent.push(n.probes);
    const n = add(a, '10.0.0.9', { lladdr: '02:00:00:00:00:09', state: NUD_DELAY });
    expect([n.state, n.probes]).toEqual([NUD_PROBE, 1]);
    world.clock.tick(2_100);
    expect(sent).toEqual([1, 2, 3]);
    world.clock.tick(1_100);
    expect([n.state, n.lladdr === undefined ? 'none' : 'kept']).toEqual([NUD_FAILED, 'kept']);
  });

  it('resolution: INCOMPLETE with broadcast probes, REACHABLE on the answer (probes 4), STALE → DELAY on use', () => {
    const { world, a } = setup();
    const tbl = a.ipv4.neigh;
    const n = tbl.create(a.device('veth0')!, ip('10.0.0.2'));
    expect(tbl.eventSend(n)).toBe('probe');
    expect([n.state, n.probes]).toEqual([NUD_INCOMPLETE, 4]);
    tbl.update(n, mac('02:00:00:00:01:02'), NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
    expect([n.state, n.probes, n.confirmed]).toEqual([NUD_REACHABLE, 4, world.now()]);
    expect(tbl.eventSend(n)).toBe('send');
    const other = tbl.create(a.device('veth0')!, ip('10.0.0.3'));
    tbl.update(other, mac('02:00:00:00:01:03'), NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    expect(tbl.eventSend(other)).toBe('send');
    expect(other.state).toBe(NUD_DELAY);
  });

  it('an unanswered resolution fails after 3 requests about 3 s in', () => {
    const { world, a } = setup();
    const tbl = a.ipv4.neigh;
    let failedAt = -1;
    tbl.invalidated = () => { failedAt = world.now(); };
    const start = world.now();
    const n = tbl.create(a.device('veth0')!, ip('10.0.0.5'));
    tbl.eventSend(n);
    world.clock.tick(5_000);
    expect(n.state).toBe(NUD_FAILED);
    expect(failedAt - start).toBeGreaterThan(3_000);
    expect(failedAt - start).toBeLessThan(3_100);
  });
});

describe('timer wheel rounding', () => {
  it('keeps short timers to the jiffy and rounds 1 s up to the next 8-jiffy slot', () => {
    expect(timerWheelExpiry(1000, 40)).toBe(1040);
    const at = timerWheelExpiry(1000, 1000);
    expect(at).toBeGreaterThan(2000);
    expect(at).toBeLessThanOrEqual(2032);
    expect(at % 32).toBe(0);
  });
});
