// The netfilter real-kernel scenarios (fixtures/netfilter/*), replayed the way they were
// recorded (fixtures/scenarios/record.sh): the setup part of script.sh, then a capture on every
// interface of every namespace (namespace-creation, then ifindex order; promiscuous, as tcpdump),
// then the traffic part, every command run with the scenario's folder as working directory
// (`iptables-restore docker.rules`). Compared: every command's output, every capture frame by
// frame, and the counters afterwards, with what fixtures/netfilter/README.md calls volatile
// masked:
//   frames: IPv4 IDs, ICMP echo identifiers and the UDP ports that script.sh does not name
//     (ephemeral ports, the port a NAT clash picked) by which frames share them (numbered in
//     order of first appearance per capture); IPv4, ICMP and UDP checksums; ping's 16 time-stamp
//     bytes; in quoted packets too;
//   text: ping times, iptables-save's dates, the order of conntrack listings (sorted), their
//     `id=` and the ports script.sh does not name, /proc/net/stat/nf_conntrack per CPU (summed).
// A background line (`... &`) is recorded at its own place with what it printed, collected when
// it ended (at the next `wait`, or at the end of the traffic): here its stdout/stderr go to files
// and `wait PID` gives its status.
//
// PENDING lists the scenarios that need what nslab does not have yet; they are skipped with the
// reason in the test's name. Empty it as features land.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetDevice } from '../../src/kernel/device.ts';
import { tools } from '../../src/cli/registry.ts';
import { parseCapture } from '../../src/pcap/index.ts';
import { formatFrame } from '../../src/print/index.ts';
import { openSession } from '../../src/scenario/run.ts';
import { BUILTINS } from '../../src/scenario/shell/builtins.ts';
import { DEFAULT_EXTERNALS } from '../../src/scenario/shell/index.ts';
import { maskPingTimes, parseFixture } from '../cli/fixture-replay.ts';

const PENDING: Record<string, string> = {
  // The kernel delivered the hairpinned datagram to c1 twice (bridged and routed) while the
  // recorder's tcpdump held docker0 promiscuous: br_netfilter's handling of a bridged frame that
  // PREROUTING DNATs (br_nf_pre_routing_finish's bridged_dnat) is not emulated.
  'nat-hairpin': "br_netfilter's bridged DNAT on a promiscuous bridge",
};

const DIR = new URL('../../fixtures/netfilter/', import.meta.url);
const MARKER = '# --- traffic ---';
const scenarios = readdirSync(DIR).filter((d) => existsSync(new URL(`${d}/script.sh`, DIR))).sort();
const tmpRoot = mkdtempSync(join(tmpdir(), 'nslab-nf-replay-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** The commands a script runs: each pipeline stage's first word, and what `ip netns exec NS [timeout N]` runs. */
function commandsOf(script: string): string[] {
  const names = new Set<string>();
  for (const line of script.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    for (const stage of line.replace(/&\s*$/, '').split('|')) {
      const w = stage.trim().split(/\s+/);
      names.add(w[0]);
      if (w[0] === 'ip' && w[1] === 'netns' && w[2] === 'exec' && w[4] !== undefined) {
        names.add(w[4]);
        if (w[4] === 'timeout' && w[6] !== undefined) names.add(w[6]);
      }
    }
  }
  return [...names];
}
const known = (name: string): boolean => tools.has(name) || BUILTINS.has(name) || DEFAULT_EXTERNALS.includes(name);

/** The numbers script.sh names (ports it chose): everything else in a port field is volatile,
 * and so are the ports a `# volatile-ports: P…` line lists (a NAT range's random choice). */
function namedNumbers(script: string): Set<number> {
  const set = new Set<number>();
  for (const m of script.matchAll(/(?<![\w.])(\d+)(?![\w.])/g)) set.add(Number(m[1]));
  for (const m of script.matchAll(/:(\d+)\b/g)) set.add(Number(m[1]));
  randomPorts.clear();
  for (const m of script.matchAll(/^# volatile-ports:([\d ]*)/gm)) {
    for (const p of m[1].trim().split(/\s+/)) {
      set.delete(Number(p));
      randomPorts.add(Number(p));
    }
  }
  return set;
}

/** The current scenario's `# volatile-ports:`. */
const randomPorts = new Set<number>();

const ICMP_ERRORS = [3, 4, 5, 11, 12];

/** Offsets of the volatile fields of a recorded Ethernet frame. */
function volatileFields(b: Uint8Array, named: Set<number>): { zero: number[]; ids: number[]; echo: number[]; ports: number[] } {
  const v = { zero: [] as number[], ids: [] as number[], echo: [] as number[], ports: [] as number[] };
  const ip = (o: number, quoted: boolean): void => {
    if (o + 20 > b.length || b[o] >> 4 !== 4) return;
    v.ids.push(o + 4);
    v.zero.push(o + 10, o + 11);
    const l4 = o + (b[o] & 15) * 4;
    if ((b[o + 6] & 0x1f) !== 0 || b[o + 7] !== 0) return;
    if (b[o + 9] === 17 && l4 + 8 <= b.length) {
      for (const p of [l4, l4 + 2]) {
        if (p + 2 > b.length) continue;
        const port = (b[p] << 8) | b[p + 1];
        // A port drawn at random per flow is compared as absent; other unnamed ones by sharing.
        if (randomPorts.has(port)) v.zero.push(p, p + 1);
        else if (!named.has(port)) v.ports.push(p);
      }
      v.zero.push(l4 + 6, l4 + 7);
      return;
    }
    if (b[o + 9] !== 1 || l4 + 4 > b.length) return;
    v.zero.push(l4 + 2, l4 + 3);
    if (b[l4] === 0 || b[l4] === 8) {
      v.echo.push(l4 + 4);
      for (let i = l4 + 8; i < l4 + 24 && i < b.length; i++) v.zero.push(i);
    } else if (ICMP_ERRORS.includes(b[l4]) && !quoted) {
      ip(l4 + 8, true);
    }
  };
  if (b.length >= 14 && b[12] === 0x08 && b[13] === 0x00) ip(14, false);
  return v;
}

/** The frames of one capture with the volatile fields zeroed or numbered by first appearance. */
function masked(frames: Uint8Array[], fieldsFrom: Uint8Array[], named: Set<number>): string[] {
  const classes = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  return frames.map((f, i) => {
    const v = volatileFields(fieldsFrom[i] ?? f, named);
    const c = f.slice();
    for (const o of v.zero) if (o < c.length) c[o] = 0;
    [v.ids, v.echo, v.ports].forEach((offs, k) => {
      for (const o of offs) {
        if (o + 2 > f.length) continue;
        const val = (f[o] << 8) | f[o + 1];
        let n = val === 0 ? 0 : classes[k].get(val);
        if (n === undefined) classes[k].set(val, (n = classes[k].size + 1));
        c[o] = n >> 8;
        c[o + 1] = n & 0xff;
      }
    });
    const text = formatFrame({ tsSec: 0, tsNsec: 0, data: c, originalLength: c.length, linkType: 1 }, { link: true, timestamps: 'none' });
    return `${text.trim()} | ${Buffer.from(c).toString('hex')}`;
  });
}

/** /proc/net/stat/nf_conntrack: one line per CPU; compared as the header, `entries` and each column's sum. */
function statSummed(text: string): string {
  const [head, ...rows] = text.split('\n').filter(Boolean);
  const cols = rows.map((r) => r.trim().split(/\s+/).map((x) => parseInt(x, 16)));
  const sums = (cols[0] ?? []).map((_, i) => (i === 0 ? cols[0][0] : cols.reduce((s, r) => s + r[i], 0)));
  return `${head}\n${sums.join(' ')}\n`;
}

const CT_LISTING = / conntrack -[LD]\b| cat \/proc\/net\/nf_conntrack$/;

function normalize(command: string, text: string, named: Set<number>): string {
  let t = maskPingTimes(text).replace(/ on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/gm, ' on <date>');
  if (CT_LISTING.test(command)) {
    t = t.replace(/\bid=\d+/g, 'id=<id>')
      .replace(/\b(sport|dport)=(\d+)/g, (m, k: string, p: string) => (named.has(Number(p)) ? m : `${k}=<port>`))
      .split('\n').filter(Boolean).sort().join('\n');
  }
  if (/ cat \/proc\/net\/stat\/nf_conntrack$/.test(command)) t = statSummed(t);
  return t;
}

/** Conntrack listings: a recorded timeout (whole seconds left, rounded down) may be one off. */
const CT_LINE = /^((?:ipv4 +2 +)?\S+ +\d+ +)(\d+)( .*)$/;
function recordedTimes(name: string): string[] {
  return readFileSync(new URL(`${name}/times.txt`, DIR), 'utf8').split('\n').filter((l) => /^\d/.test(l));
}

/**
 * When each of `lines` started in the recording (seconds). times.txt lists a background job
 * where it was collected, so lines are matched by their text, in order.
 */
function commandStarts(name: string, lines: string[]): number[] {
  const entries = recordedTimes(name).map((l) => {
    const i = l.indexOf(' $ ');
    return { start: Number(l.split(' ')[0]), command: l.slice(i + 3), used: false };
  });
  return lines.map((line) => {
    const e = entries.find((x) => !x.used && x.command === line);
    if (e === undefined) throw new Error(`${name}/times.txt: no entry for ${line}`);
    e.used = true;
    return e.start;
  });
}

/** The time between the end of the setup and the start of the traffic in the recording. */
function preTrafficMs(name: string, setupLines: number): number {
  const times = recordedTimes(name);
  const end = Number(times[setupLines - 1].split(' ')[1]);
  const start = Number(times[setupLines].split(' ')[0]);
  return Math.round((start - end) * 1000);
}

function alignTimeouts(got: string, want: string): string {
  const pool = want.split('\n');
  return got.split('\n').map((line) => {
    const m = CT_LINE.exec(line);
    if (!m || pool.includes(line)) return line;
    for (const d of [-1, 1]) {
      const alt = `${m[1]}${Number(m[2]) + d}${m[3]}`;
      const i = pool.indexOf(alt);
      if (i >= 0) return pool.splice(i, 1)[0];
    }
    return line;
  }).sort().join('\n');
}

describe('fixtures/netfilter', () => {
  for (const name of scenarios) {
    const script = readFileSync(new URL(`${name}/script.sh`, DIR), 'utf8');
    const missing = commandsOf(script).filter((c) => !known(c));
    if (PENDING[name] !== undefined || missing.length > 0) {
      const why = [PENDING[name], missing.length ? `commands ${missing.join(', ')}` : ''].filter(Boolean).join('; ');
      it.skip(`${name} (skipped: nslab lacks ${why})`, () => {});
      continue;
    }
    it(name, async () => {
      const named = namedNumbers(script);
      const [setup, traffic] = script.split(MARKER).map((part) => part.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')));
      const output = parseFixture(new URL(`${name}/output.txt`, DIR).pathname);
      const { world, session } = openSession({ seed: 1, file: `${name}/script.sh`, cwd: fileURLToPath(new URL(`${name}/`, DIR)) });
      const steps = [...output.steps];
      const compare = (command: string, got: { stdout: string; stderr: string; status: number }): void => {
        const i = steps.findIndex((s) => s.command === command);
        expect(i, `${name}: ${command} is not (or no more) in output.txt`).toBeGreaterThanOrEqual(0);
        const want = steps.splice(i, 1)[0];
        const where = `${name}/output.txt:${want.line}: ${command}`;
        const wantOut = normalize(command, want.stdout, named);
        let gotOut = normalize(command, got.stdout, named);
        if (CT_LISTING.test(command)) gotOut = alignTimeouts(gotOut, wantOut);
        expect({ where, stdout: gotOut, stderr: got.stderr, status: got.status })
          .toEqual({ where, stdout: wantOut, stderr: want.stderr, status: want.status });
      };
      const order: string[] = [];
      const run = async (command: string): Promise<void> => {
        order.push(command);
        compare(command, await session.run(command));
      };
      for (const line of setup) await run(line);
      // The recorder starts its captures after the setup and waits before the traffic: that
      // time passes here too (conntrack timeouts shown later depend on it).
      world.clock.tick(preTrafficMs(name, setup.length));
      // One capture per interface, as the recorder's tcpdumps (promiscuous).
      const frames = new Map<string, Uint8Array[]>();
      const tapped: Array<() => void> = [];
      for (const ns of world.netns.values()) {
        for (const dev of ns.deviceList() as NetDevice[]) {
          const list: Uint8Array[] = [];
          frames.set(`${ns.name}_${dev.name}.pcap`, list);
          const tap = (f: Uint8Array) => list.push(f.slice());
          dev.taps.push(tap);
          dev.promiscuity++;
          tapped.push(() => {
            dev.taps.splice(dev.taps.indexOf(tap), 1);
            dev.promiscuity--;
          });
        }
      }
      // Background jobs: output to files, status from `wait PID`, compared when collected.
      const jobs: Array<{ command: string; pid: string; out: string; err: string }> = [];
      const collect = async (): Promise<void> => {
        for (const job of jobs.splice(0)) {
          const { status } = await session.run(`wait ${job.pid}`);
          compare(job.command, { stdout: readFileSync(job.out, 'utf8'), stderr: readFileSync(job.err, 'utf8'), status });
        }
      };
      // Each traffic command starts when it started in the recording (relative to the first):
      // commands take no virtual time, real ones a few milliseconds, and timers see the difference.
      const starts = commandStarts(name, [...setup, ...traffic]).slice(setup.length);
      const t0 = world.now();
      for (const [k, line] of traffic.entries()) {
        const due = t0 + Math.round((starts[k] - starts[0]) * 1000);
        if (world.now() < due) world.clock.tick(due - world.now());
        if (/ &$/.test(line)) {
          order.push(line);
          const k = jobs.length;
          const out = join(tmpRoot, `${name}.bg${order.length}.${k}.out`);
          const err = join(tmpRoot, `${name}.bg${order.length}.${k}.err`);
          await session.run(`${line.replace(/ &$/, '')} >${out} 2>${err} &`);
          jobs.push({ command: line, pid: (await session.run('echo $!')).stdout.trim(), out, err });
          continue;
        }
        if (line === 'wait') await collect();
        await run(line);
      }
      await collect();
      world.clock.tick(1000);
      for (const undo of tapped) undo();
      expect(steps.map((s) => s.command), `${name}: commands left in output.txt`).toEqual([]);
      expect(order, `${name}: commands in script order`).toEqual(output.steps.map((s) => s.command));
      const pcaps = readdirSync(new URL(`${name}/`, DIR)).filter((f) => f.endsWith('.pcap')).sort();
      expect([...frames.keys()].sort()).toEqual(pcaps);
      for (const file of pcaps) {
        const want = parseCapture(new Uint8Array(readFileSync(new URL(`${name}/${file}`, DIR))), file).records.map((r) => r.data);
        const got = frames.get(file)!;
        expect(masked(got, want, named), `${name}/${file}`).toEqual(masked(want, want, named));
      }
      const counters = parseFixture(new URL(`${name}/counters.txt`, DIR).pathname);
      for (const step of counters.steps) {
        const got = await session.run(step.command);
        expect({ command: step.command, stdout: got.stdout, status: got.status }).toEqual({ command: step.command, stdout: step.stdout, status: step.status });
      }
    });
  }
});
