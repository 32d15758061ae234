// `npm run bench [-- --json] [-- --quick] [-- --only NAME] [-- --forks N] [-- --same-process]`:
// runs every benchmark and prints Mpps (median/min/max), ns per packet, GC count and heap growth
// in the measured windows. Each benchmark runs in processes of its own (as JMH forks them): in a
// shared process, the type feedback one topology leaves on the packet path (other devices, other
// hooks) slows the next by up to 40 %, so results would depend on order; and each process makes
// its own inlining decisions, so a full run pools the windows of three.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatResult, measure, mergeForks, type Benchmark, type BenchResult } from './harness.ts';
import { decodeBenchmarks } from './decode.ts';
import { l2Benchmarks } from './l2.ts';
import { l3Benchmarks } from './l3.ts';
import { l3FilterBenchmarks } from './l3-filter.ts';
import { natBenchmarks } from './nat.ts';
import { pingBenchmarks } from './ping.ts';
import { setupBenchmark } from './setup.ts';
import { tuneV8 } from '../src/tuning.ts';

tuneV8();

const program = new Command('bench')
  .description('nslab hot-path benchmarks')
  .option('--json', 'also write the results to bench/results.json')
  .option('--quick', 'short windows (CI smoke run, well under 30 s)')
  .option('--only <names>', 'comma-separated benchmark names to run')
  .option('--forks <n>', 'processes to measure each benchmark in (default 3, 1 with --quick)')
  .option('--same-process', 'run the benchmarks one after another in this process')
  .option('--child', 'internal: run one benchmark and print its result as JSON')
  .parse();
const opts = program.opts<{ json?: boolean; quick?: boolean; only?: string; forks?: string; sameProcess?: boolean; child?: boolean }>();
const forks = opts.forks === undefined ? (opts.quick ? 1 : 3) : Number(opts.forks);
if (!Number.isInteger(forks) || forks < 1 || forks > 20) {
  console.error(`bench: --forks wants a whole number from 1 to 20, not ${JSON.stringify(opts.forks)}`);
  process.exit(2);
}

const all: Benchmark[] = [
  ...l2Benchmarks, ...l3Benchmarks, ...l3FilterBenchmarks, ...natBenchmarks, ...pingBenchmarks, ...decodeBenchmarks, setupBenchmark(opts.quick === true),
];
const only = opts.only?.split(',');
const chosen = only ? all.filter((b) => only.includes(b.name)) : all;
if (only && chosen.length !== only.length) {
  const known = new Set(all.map((b) => b.name));
  console.error(`bench: unknown benchmark(s): ${only.filter((n) => !known.has(n)).join(', ')}`);
  process.exit(2);
}
if (!(globalThis as { gc?: unknown }).gc) {
  console.error('bench: run with node --expose-gc (npm run bench does) for stable heap figures');
}

// Full runs: 5 windows of 0.5 s in each of the forks (15 in all by default), after 1 s of warm-up.
const harness = opts.quick ? { runs: 5, windowMs: 100, warmupMs: 200 } : { runs: 5, windowMs: 500, warmupMs: 1000 };
const results: BenchResult[] = [];
for (const b of chosen) {
  const r = opts.sameProcess || opts.child
    ? await measure(b, harness)
    : mergeForks(Array.from({ length: b.once ? 1 : forks }, () => inChild(b.name)));
  if (opts.child) {
    console.log(JSON.stringify(r));
    process.exit(0);
  }
  results.push(r);
  console.log(formatResult(r));
}
if (opts.json) {
  writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
  console.log('wrote bench/results.json');
}

/** Runs one benchmark in a fresh Node process with this one's flags and script. */
function inChild(name: string): BenchResult {
  const args = [...process.execArgv, process.argv[1], '--child', '--only', name];
  if (opts.quick) args.push('--quick');
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.error(`bench: ${name} failed (status ${r.status})`);
    process.exit(1);
  }
  return JSON.parse(line) as BenchResult;
}
