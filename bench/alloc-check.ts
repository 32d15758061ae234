// `BENCH_ENTRY=bench/alloc-check.ts node bench/bundle.mjs NAME [WINDOWS]`: runs one forwarding
// benchmark under V8's sampling heap profiler and prints where the measured windows allocated.
// `npm run bench` reports heap growth per window, which also catches the runtime's own work;
// this tells the two apart: a packet-path allocation shows as a stack through the path's
// functions, the runtime's as `(root)` or Node internals (timers, streams, the inspector).
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { tuneV8 } from '../src/tuning.ts';
import type { Benchmark } from './harness.ts';
import { l2Benchmarks } from './l2.ts';
import { l3Benchmarks } from './l3.ts';
import { l3FilterBenchmarks } from './l3-filter.ts';
import { natBenchmarks } from './nat.ts';

tuneV8();

const BATCH = 1024;
/** Batches per window: about 10 M packets. */
const BATCHES = 10_000;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const all: Benchmark[] = [...l2Benchmarks, ...l3Benchmarks, ...l3FilterBenchmarks, ...natBenchmarks];
const [name, windowsArg] = process.argv.slice(2);
const b = all.find((x) => x.name === name);
const windows = windowsArg === undefined ? 6 : Number(windowsArg);
if (!b || !Number.isInteger(windows) || windows < 1) {
  console.error(`usage: alloc-check NAME [WINDOWS]  (NAME one of: ${all.map((x) => x.name).join(', ')})`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('alloc-check: run with node --expose-gc (bench/bundle.mjs does)');
  process.exit(2);
}

await b.prepare?.();
const run = b.setup();
// Warm-up, as the harness's: the JIT's compilations are not what this looks for.
for (let i = 0; i < 20_000; i++) run(BATCH);

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 512,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const used = (): number => getHeapSpaceStatistics().reduce((n, s) => n + s.space_used_size, 0);
for (let w = 0; w < windows; w++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const before = used();
  for (let i = 0; i < BATCHES; i++) run(BATCH);
  console.log(`window ${w}: ${BATCHES * BATCH} packets, heap ${used() - before >= 0 ? '+' : ''}${used() - before} B`);
}
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();

// Every sampled allocation site with its innermost frames, largest first.
const sites: Array<[number, string]> = [];
const walk = (n: ProfileNode, path: string[]): void => {
  const frame = `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`;
  const p = [...path, frame];
  if (n.selfSize > 0) sites.push([n.selfSize, p.slice(-5).reverse().join(' < ')]);
  for (const c of n.children) walk(c, p);
};
walk(profile.head as ProfileNode, []);
sites.sort((x, y) => y[0] - x[0]);
console.log(`sampled allocations (bytes, innermost frame first; ${windows * BATCHES * BATCH} packets):`);
for (const [bytes, where] of sites.slice(0, 15)) console.log(`${String(bytes).padStart(9)}  ${where}`);
