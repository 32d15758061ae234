// Bundles a TypeScript entry point and everything it imports from this repository into one ES
// module under dist/, as a published build of nslab ships: `nslab` (bin/nslab.js) runs
// dist/nslab.mjs, `npm run bench` dist/bench.mjs. Why one module: V8 reads a binding imported
// from another module through a cell it cannot constant-fold, so the same code forwards ~20 %
// faster in one module than loaded file by file through tsx.
// `node scripts/bundle.mjs` (what `npm run build` runs) builds both.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** Replaces import.meta.url in every TypeScript source with that source's own file URL, so
 * data files (sysctl tables, services) resolve from the bundle as they do from the sources. */
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

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
/** Assignment operators (not `==`/`===`/`=>`). */
const ASSIGN = String.raw`(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])`;

/**
 * esbuild declares every top-level binding of a bundle with `var` (its lazily initialised
 * modules rely on the absence of a temporal dead zone), and TurboFan treats a `var` as a
 * variable: every read of a module constant (ETH_HLEN, a flag bit) or singleton (the packet
 * pool) becomes a load. The sources already obey the dead zone under tsx (the bundle keeps the
 * ES module evaluation order), so a top-level `var` that nothing reassigns goes back to `const`.
 * Conservative: a name that is the target of any assignment anywhere in the bundle (a local of
 * the same name included), of `++`/`--`, of a destructuring assignment or of a for-in/of head
 * keeps its `var`.
 */
export function constTopLevel(code) {
  const all = (re) => code.matchAll(new RegExp(re, 'g'));
  const declared = new Map();
  for (const m of code.matchAll(new RegExp(String.raw`^var (${IDENT}) = `, 'gm'))) declared.set(m[1], (declared.get(m[1]) ?? 0) + 1);
  // `x = …`, `x += …`, `x++`, `x--` (not a property: `.x = …` is excluded by the look-behind).
  // A top-level declaration is one of these itself.
  const simple = new Map();
  for (const m of all(String.raw`(?<![\w$.])(${IDENT})\s*(?:${ASSIGN}|\+\+|--)`)) simple.set(m[1], (simple.get(m[1]) ?? 0) + 1);
  const other = new Set();
  // ++x, --x; for (x of …) / for (x in …) without a declaration.
  for (const m of all(String.raw`(?:\+\+|--)\s*(${IDENT})`)) other.add(m[1]);
  for (const m of all(String.raw`for\s*\(\s*(${IDENT})\s+(?:of|in)\b`)) other.add(m[1]);
  // Destructuring assignments: every identifier inside a [...] or {...} directly followed by `=`.
  for (const m of all(String.raw`[\[{]([^\[\]{}();]*)[\]}]\s*=(?![=>])`)) {
    for (const id of m[1].matchAll(new RegExp(String.raw`(?<![\w$.])(${IDENT})`, 'g'))) other.add(id[1]);
  }
  const keep = (name) => declared.get(name) === 1 && (simple.get(name) ?? 0) === 1 && !other.has(name);
  return code.replace(new RegExp(String.raw`^var (${IDENT}) = `, 'gm'), (decl, name) => (keep(name) ? `const ${name} = ` : decl));
}

/** Bundles `entry` (a path relative to the repository) into `outfile` (absolute), atomically. */
export async function bundle(entry, outfile) {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay ordinary imports, resolved from node_modules as usual.
    packages: 'external',
    plugins: [sourceUrls],
    logLevel: 'warning',
    write: false,
    outfile,
  });
  await mkdir(new URL('.', pathToFileURL(outfile)), { recursive: true });
  // Another process may be building the same file: write aside, then rename over it.
  const plain = result.outputFiles[0].text;
  let code = constTopLevel(plain);
  // The rewrite works on esbuild's one-declaration-per-line output: if it ever produced
  // something that does not parse (a `const` without a value), keep the plain bundle.
  try {
    await transform(code, { loader: 'js', format: 'esm', target: 'node20' });
  } catch {
    process.emitWarning(`scripts/bundle.mjs: ${entry}: top-level const rewrite does not parse; bundling without it`);
    code = plain;
  }
  const tmp = `${outfile}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, outfile);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundle('src/cli/main.ts', `${root}dist/nslab.mjs`);
  await bundle('bench/run.ts', `${root}dist/bench.mjs`);
}
