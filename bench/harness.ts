// Measurement harness for `npm run bench`: warm-up, repeated timed windows, median/min/max,
// heap growth and garbage collections inside the measured windows.
import { PerformanceObserver } from 'node:perf_hooks';

export interface Benchmark {
  name: string;
  /** What one unit is, for the printout (`frames`, `packets`). */
  unit: string;
  /** Asynchronous preparation (building a topology), not timed. */
  prepare?(): Promise<void>;
  /** Builds the scenario (not timed); returns a function that processes `n` units and returns how many it did. */
  setup(): (n: number) => number;
  /** Units per measured batch call. */
  batch?: number;
  /** A benchmark timed once as a whole (building a topology) instead of in windows. */
  once?(): Promise<{ units: number; ms: number }>;
}

export interface BenchResult {
  name: string;
  unit: string;
  mpps_median: number;
  mpps_min: number;
  mpps_max: number;
  ns_per_packet: number;
  runs: number;
  /** Processes the windows were measured in (see mergeForks). */
  forks: number;
  /** Mpps of every measured window, in the order measured. */
  samples: number[];
  gc_count: number;
  heap_delta_bytes: number;
  /** One-shot benchmarks: how many units and how long the whole took. */
  units?: number;
  seconds?: number;
}

export interface HarnessOptions {
  /** Measured windows (≥ 5). */
  runs: number;
  /** Approximate length of one measured window in ms. */
  windowMs: number;
  warmupMs: number;
}

// Start times of recent collections. Entries arrive late (after the window that caused them),
// so a window counts the collections whose start time falls inside it. Every kind counts:
// scavenges (minor GCs) are what per-packet allocation causes.
const gcStarts = new Float64Array(1 << 16);
let gcSeen = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcStarts[gcSeen++ & 0xffff] = e.startTime;
});
observer.observe({ entryTypes: ['gc'] });

function gcsBetween(t0: number, t1: number): number {
  let n = 0;
  for (let i = Math.max(0, gcSeen - gcStarts.length); i < gcSeen; i++) {
    const t = gcStarts[i & 0xffff];
    if (t >= t0 && t <= t1) n++;
  }
  return n;
}

function collect(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/** Lets the GC observer deliver entries queued during a window. */
function flushObserver(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

/** Heap bytes the measuring itself allocates (timestamps, the memoryUsage object). */
function measuringOverhead(): number {
  collect();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  return after - before + 0 * (t1 - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function measure(b: Benchmark, opts: HarnessOptions): Promise<BenchResult> {
  if (b.once) return measureOnce(b, b.once);
  if (b.prepare) await b.prepare();
  const run = b.setup();
  const batch = b.batch ?? 100_000;
  // Warm-up: let the JIT settle and size the batches per window.
  let done = 0;
  const w0 = performance.now();
  while (performance.now() - w0 < opts.warmupMs) done += run(batch);
  const rate = done / Math.max(performance.now() - w0, 1); // units per ms
  const batchesPerWindow = Math.max(1, Math.round((rate * opts.windowMs) / batch));

  const mpps: number[] = [];
  let gcs = 0;
  let heapDelta = 0;
  const overhead = measuringOverhead();
  // Window -1 runs exactly as the measured ones and is thrown away: the JIT's last compilations,
  // and the runtime's first-time work around the measuring calls, land there.
  for (let r = -1; r < opts.runs; r++) {
    collect();
    await flushObserver();
    const heapBefore = process.memoryUsage().heapUsed;
    // performance.now() rather than hrtime.bigint(): a BigInt would be a heap allocation.
    const t0 = performance.now();
    let units = 0;
    for (let i = 0; i < batchesPerWindow; i++) units += run(batch);
    const t1 = performance.now();
    const heapAfter = process.memoryUsage().heapUsed;
    await flushObserver();
    if (r < 0) continue;
    gcs += gcsBetween(t0, t1);
    heapDelta = Math.max(heapDelta, heapAfter - heapBefore - overhead);
    mpps.push(units / ((t1 - t0) * 1000));
  }
  return summarise(b.name, b.unit, mpps.map(round), 1, gcs, heapDelta);
}

function summarise(name: string, unit: string, samples: number[], forks: number, gcs: number, heapDelta: number): BenchResult {
  const med = median(samples);
  return {
    name,
    unit,
    mpps_median: round(med),
    mpps_min: Math.min(...samples),
    mpps_max: Math.max(...samples),
    ns_per_packet: round(1000 / med),
    runs: samples.length,
    forks,
    samples,
    gc_count: gcs,
    heap_delta_bytes: heapDelta,
  };
}

/**
 * One result from the same benchmark measured in several processes (JMH's forks): the median,
 * minimum and maximum of all their windows, the collections of all, the largest heap growth.
 * How far V8 inlines a path is decided once per process, so one process's figure can sit a few
 * per cent off another's; pooling the windows of several keeps one such outcome from deciding
 * the median.
 */
export function mergeForks(results: BenchResult[]): BenchResult {
  const [first] = results;
  if (results.length === 1 || first.seconds !== undefined) return first;
  const samples = results.flatMap((r) => r.samples);
  return summarise(first.name, first.unit, samples, results.length,
    results.reduce((n, r) => n + r.gc_count, 0), Math.max(...results.map((r) => r.heap_delta_bytes)));
}

async function measureOnce(b: Benchmark, once: () => Promise<{ units: number; ms: number }>): Promise<BenchResult> {
  collect();
  await flushObserver();
  const { units, ms } = await once();
  const rate = units / (ms * 1000);
  return {
    name: b.name, unit: b.unit, mpps_median: round(rate), mpps_min: round(rate), mpps_max: round(rate),
    ns_per_packet: round(1000 / rate), runs: 1, forks: 1, samples: [round(rate)], gc_count: 0, heap_delta_bytes: 0,
    units, seconds: round(ms / 1000),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function formatResult(r: BenchResult): string {
  if (r.seconds !== undefined) {
    return [r.name.padEnd(22), `${String(r.units).padStart(8)} ${r.unit}`, `in ${r.seconds.toFixed(2)} s`,
      `(${Math.round(r.units! / r.seconds)} ${r.unit}/s)`].join('  ');
  }
  return [
    r.name.padEnd(22),
    `${r.mpps_median.toFixed(2).padStart(8)} M${r.unit}/s`,
    `(min ${r.mpps_min.toFixed(2)}, max ${r.mpps_max.toFixed(2)}, ${r.runs} runs${r.forks > 1 ? ` in ${r.forks} processes` : ''})`,
    `${r.ns_per_packet.toFixed(1).padStart(7)} ns/${r.unit.replace(/s$/, '')}`,
    `gc ${r.gc_count}`,
    `heap +${r.heap_delta_bytes} B`,
  ].join('  ');
}
