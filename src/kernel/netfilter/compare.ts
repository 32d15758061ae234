// Rule equality as `iptables -D/-C` decide it: every compiled field but the counters.
import type { Rule } from './types.ts';

export function ruleEquals(a: Rule, b: Rule): boolean {
  return (
    a.src === b.src &&
    a.smsk === b.smsk &&
    a.dst === b.dst &&
    a.dmsk === b.dmsk &&
    a.proto === b.proto &&
    a.flags === b.flags &&
    a.invflags === b.invflags &&
    a.iniface.name === b.iniface.name &&
    a.iniface.wildcard === b.iniface.wildcard &&
    a.outiface.name === b.outiface.name &&
    a.outiface.wildcard === b.outiface.wildcard &&
    a.matches.length === b.matches.length &&
    a.matches.every((m, i) => deepEqual(m, b.matches[i])) &&
    deepEqual(a.target, b.target)
  );
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}
