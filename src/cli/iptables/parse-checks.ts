// do_parse()'s table-driven checks: which options each command allows, command and option
// letters for the messages, chain and target names, and sscanf-style counters.
import { STANDARD_TARGETS, SHIPPED_TARGETS } from './extensions.ts';
import { PARAMETER_PROBLEM, strtoul, xtError } from './xtables.ts';

export const OPTFLAGS = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];
export const CMDFLAGS = ['I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'];
/** commands_v_options: per command, per option: x illegal, ' ' optional. */
const LEGAL = [
  'x     x  x  ', 'x     x  xx ', 'xxxxx xxxxxx', 'x     x  x  ', 'x     x  x  ', ' xxxx  xx xx', 'xxxxx xxxxxx',
  'xxxxx xxxxxx', 'xxxxx xxxxxx', 'xxxxx xxxxxx', 'xxxxx xxxx x', 'xxxxx xxxxxx', 'xxxxx xxxxxx', 'xxxxx xxxxxx',
  'x     x  xx ',
];


export function assertValidChainName(name: string): void {
  if (name.length >= 29) xtError(PARAMETER_PROBLEM, `chain name \`${name}' too long (must be under 29 chars)`);
  if (name[0] === '-' || name[0] === '!') xtError(PARAMETER_PROBLEM, `chain name not allowed to start with \`${name[0]}'`);
  if (STANDARD_TARGETS.has(name) || SHIPPED_TARGETS.has(name)) xtError(PARAMETER_PROBLEM, 'chain name may not clash with target name');
  if (/\s/.test(name)) xtError(PARAMETER_PROBLEM, `Invalid chain name \`${name}'`);
}

export function targetNameCheck(name: string): string {
  if (name.length < 1) xtError(PARAMETER_PROBLEM, 'Invalid target name (too short)');
  if (name.length >= 29) xtError(PARAMETER_PROBLEM, `Invalid target name \`${name}' (28 chars max)`);
  if (/\s/.test(name)) xtError(PARAMETER_PROBLEM, `Invalid target name \`${name}'`);
  return name;
}

/** sscanf("%i") (base 0) or "%u" (base 10): the leading number, or undefined. */
export function scanInt(s: string, base: number): number | undefined {
  const r = strtoul(s, base);
  return r ? Number(BigInt.asIntN(32, r.value)) : undefined;
}

/** sscanf("%llu"): leading number or undefined. */
export function scanUll(s: string): number | undefined {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return undefined;
  const v = Number(m[2]);
  return m[1] === '-' ? Number(2n ** 64n - BigInt(m[2])) : v;
}

export function genericOptCheck(command: number, options: number): void {
  for (let i = 0; i < OPTFLAGS.length; i++) {
    let legal = 0;
    for (let j = 0; j < LEGAL.length; j++) {
      if (!(command & (1 << j)) || !(options & (1 << i))) continue;
      if (LEGAL[j][i] !== 'x') legal = 1;
      else if (legal === 0) legal = -1;
    }
    if (legal === -1) xtError(PARAMETER_PROBLEM, `Illegal option \`-${OPTFLAGS[i]}' with this command`);
  }
}
