// Bundles bench/run.ts and the sources it imports into one ES module (dist/bench.mjs), as a
// published build of nslab would ship, and runs it. V8 reads a binding imported from another
// module through a cell it cannot constant-fold, so the same code in one module forwards about
// 20 % faster than loaded file by file through tsx. Every module's import.meta.url is kept as
// its source file's URL, so data files (sysctl tables, services) resolve as they do under tsx.
// Usage: node bench/bundle.mjs [bench arguments…] (what `npm run bench` runs).
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// BENCH_ENTRY (a file under bench/) bundles another entry point, for experiments.
const entry = process.env.BENCH_ENTRY ?? 'bench/run.ts';
const outfile = `${root}dist/${process.env.BENCH_ENTRY ? entry.replace(/^.*\//, '').replace(/\.ts$/, '') : 'bench'}.mjs`;

/** Replaces import.meta.url in every TypeScript source with that source's own file URL. */
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * esbuild declares every top-level binding of a bundle with `var` (it relies on the absence of
 * a temporal dead zone for lazily initialised modules), and TurboFan cannot treat a `var` as a
 * constant: every read of a module constant (ETH_HLEN, a flag bit) or singleton becomes a load
 * and a check. Sources that run under tsx already obey the dead zone (ESM evaluation order is the
 * same), so a top-level `var` that nothing reassigns goes back to `const`. Any name that is
 * assigned anywhere in the bundle, even a local of the same name, keeps its `var`.
 */
function constTopLevel(code) {
  const names = [...code.matchAll(/^var ([A-Za-z_$][\w$]*) = /gm)].map((m) => m[1]);
  const assigned = new Set();
  const ops = String.raw`(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?!=)`;
  for (const m of code.matchAll(new RegExp(String.raw`([A-Za-z_$][\w$]*)\s*(?:${ops}|\+\+|--)`, 'g'))) assigned.add(m[1]);
  for (const m of code.matchAll(/(?:\+\+|--)\s*([A-Za-z_$][\w$]*)/g)) assigned.add(m[1]);
  // Declarations re-bind the name, they do not assign it; `var X = ` itself matched above.
  const declaredOnce = new Map();
  for (const n of names) declaredOnce.set(n, (declaredOnce.get(n) ?? 0) + 1);
  const keep = new Set(names.filter((n) => declaredOnce.get(n) === 1 && !reassigned(code, n)));
  return code.replace(/^var ([A-Za-z_$][\w$]*) = /gm, (all, n) => (keep.has(n) ? `const ${n} = ` : all));

  /** Whether `n` is the target of an assignment other than its own top-level declaration. */
  function reassigned(text, n) {
    if (!assigned.has(n)) return false;
    const esc = n.replace(/\$/g, '\\$');
    const re = new RegExp(String.raw`(?<![\w$.])${esc}\s*(?:${ops}|\+\+|--)|(?:\+\+|--)\s*${esc}(?![\w$])`, 'g');
    let count = 0;
    for (const m of text.matchAll(re)) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (text.startsWith(`var ${n} = `, lineStart) && m.index === lineStart + 4) continue;
      count++;
    }
    return count > 0;
  }
}

const result = await build({
  entryPoints: [`${root}${entry}`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies stay ordinary imports, resolved from node_modules as usual.
  packages: 'external',
  plugins: [sourceUrls],
  logLevel: 'warning',
  write: false,
});
await mkdir(`${root}dist`, { recursive: true });
await writeFile(outfile, constTopLevel(result.outputFiles[0].text));

const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
