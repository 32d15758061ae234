// The few real programs a script may run. They run synchronously, so they take
// no virtual time.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

export const DEFAULT_EXTERNALS: readonly string[] = [
  'grep', 'sed', 'awk', 'cat', 'head', 'tail', 'sort', 'uniq', 'wc', 'cut', 'tr', 'tee', 'diff', 'seq', 'base64', 'od',
  'xxd', 'hexdump', 'jq',
];

export interface ExternalResult { status: number; stdout: string; stderr: string }

/** Runs a real program; null when it is not installed. */
export function runExternal(argv: readonly string[], input: string, cwd: string, env: ReadonlyMap<string, string>):
ExternalResult | null {
  const e: Record<string, string> = { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  for (const [k, v] of env) e[k] = v;
  const r = spawnSync(argv[0], argv.slice(1), {
    input, cwd, env: e, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error && r.status === null) {
    if ((r.error as { code?: string }).code === 'ENOENT') return null;
    return { status: 126, stdout: '', stderr: `${argv[0]}: ${r.error.message}\n` };
  }
  const sig = r.signal ? (constants.signals as Record<string, number>)[r.signal] ?? 15 : 0;
  return { status: r.status ?? 128 + sig, stdout: r.stdout, stderr: r.stderr };
}
