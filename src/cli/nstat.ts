// `nstat`: the namespace's SNMP and netstat counters as iproute2's nstat prints them. nslab keeps
// no history file, so every run shows absolute values (as `nstat -a` does) and rates of 0.0.
import { readFileSync } from 'node:fs';
import type { Tool } from './tool.ts';

/** Every counter nstat lists, in its order (recorded from a fresh namespace of the real kernel). */
const NAMES = readFileSync(new URL('../kernel/data/nstat-counters.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);

function line(name: string, value: number): string {
  return `${name.padEnd(32)}${String(value).padEnd(16)}${'0.0'.padStart(6)}\n`;
}

export const nstat: Tool = (ctx) => {
  let zeros = false;
  const patterns: string[] = [];
  for (const arg of ctx.argv.slice(1)) {
    if (/^-[a-zA-Z]+$/.test(arg) && !arg.startsWith('--')) {
      for (const f of arg.slice(1)) {
        if (f === 'z') zeros = true;
        else if (f === 'a' || f === 'r' || f === 's' || f === 'n') continue;
        else {
          ctx.io.err(`nstat: invalid option -- '${f}'\n`);
          return 255;
        }
      }
    } else if (arg === '--zeros') zeros = true;
    else if (arg === '--absolute' || arg === '--reset' || arg === '--noupdate' || arg === '--nooutput') continue;
    else patterns.push(arg);
  }
  const counters = ctx.ns.inet.snmp.byName();
  let out = '#kernel\n';
  const print = (name: string): void => {
    const v = counters.get(name) ?? 0;
    if (!zeros && v === 0) return;
    if (patterns.length && !patterns.some((p) => globMatch(p, name))) return;
    out += line(name, v);
  };
  for (const name of NAMES) {
    print(name);
    // IcmpMsg counters exist only for the types seen; they follow the Icmp group.
    if (name === 'IcmpOutAddrMaskReps') for (const k of counters.keys()) if (k.startsWith('IcmpMsg')) print(k);
    // Likewise the per-type ICMPv6 counters (Icmp6OutType143 for MLDv2 reports) follow Icmp6's.
    if (name === 'Icmp6OutMLDv2Reports') for (const k of counters.keys()) if (/^Icmp6(In|Out)Type\d+$/.test(k)) print(k);
  }
  ctx.io.out(out);
  return 0;
};

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}
