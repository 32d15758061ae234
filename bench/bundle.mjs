// `npm run bench`: bundles bench/run.ts with the sources it imports into dist/bench.mjs
// (scripts/bundle.mjs: one module, as the `nslab` command runs) and runs it with the given
// arguments. BENCH_ENTRY=bench/other.ts bundles and runs another entry point (experiments).
import { spawnSync } from 'node:child_process';
import { bundle, root } from '../scripts/bundle.mjs';

const entry = process.env.BENCH_ENTRY ?? 'bench/run.ts';
const outfile = `${root}dist/${process.env.BENCH_ENTRY ? entry.replace(/^.*\//, '').replace(/\.ts$/, '') : 'bench'}.mjs`;
await bundle(entry, outfile);
const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
