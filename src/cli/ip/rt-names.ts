// iproute2's names for route attributes (lib/rt_names.c with Debian 12's /etc/iproute2 files:
// rt_tables, rt_protos, rt_scopes, rt_dsfield; ip/rtm_map.c for route types).
import { RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_UNSPEC, protocolName, scopeName, type RouteType } from '../../kernel/ipv4/constants.ts';
import { getU32, strtoul } from './inet-args.ts';

/** rtnl_rttable_a2n (rt_tables: local, main, default, unspec). */
export function tableA2n(arg: string): number | undefined {
  const named: Record<string, number> = { local: RT_TABLE_LOCAL, main: RT_TABLE_MAIN, default: RT_TABLE_DEFAULT, unspec: RT_TABLE_UNSPEC };
  if (Object.hasOwn(named, arg)) return named[arg];
  return getU32(arg);
}

export function tableN2a(id: number, numeric: boolean): string {
  if (numeric) return String(id);
  switch (id) {
    case RT_TABLE_LOCAL: return 'local';
    case RT_TABLE_MAIN: return 'main';
    case RT_TABLE_DEFAULT: return 'default';
    case RT_TABLE_UNSPEC: return 'unspec';
    default: return String(id);
  }
}

/** rtnl_rtprot_a2n (Debian's rt_protos). */
export function protoA2n(arg: string): number | undefined {
  for (let i = 0; i < 256; i++) if (protocolName(i) === arg && String(i) !== arg) return i;
  const v = strtoul(arg);
  return v !== undefined && v <= 255 ? v : undefined;
}

export function protoN2a(id: number, numeric: boolean): string {
  return numeric ? String(id) : protocolName(id);
}

export function scopeA2n(arg: string): number | undefined {
  const named: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
  if (Object.hasOwn(named, arg)) return named[arg];
  const v = strtoul(arg);
  return v !== undefined && v <= 255 ? v : undefined;
}

export function scopeN2a(id: number, numeric: boolean): string {
  return numeric ? String(id) : scopeName(id);
}

const DSFIELD: Record<number, string> = {
  0x00: 'default', 0x28: 'AF11', 0x30: 'AF12', 0x38: 'AF13', 0x48: 'AF21', 0x50: 'AF22', 0x58: 'AF23', 0x68: 'AF31',
  0x70: 'AF32', 0x78: 'AF33', 0x88: 'AF41', 0x90: 'AF42', 0x98: 'AF43', 0x20: 'CS1', 0x40: 'CS2', 0x60: 'CS3',
  0x80: 'CS4', 0xa0: 'CS5', 0xc0: 'CS6', 0xe0: 'CS7', 0xb8: 'EF',
};

/** rtnl_dsfield_a2n: a name from rt_dsfield, else hexadecimal (base 16!). */
export function dsfieldA2n(arg: string): number | undefined {
  for (const [v, name] of Object.entries(DSFIELD)) if (name === arg) return Number(v);
  const v = strtoul(arg, 16);
  return v !== undefined && v <= 255 ? v : undefined;
}

export function dsfieldN2a(id: number, numeric: boolean): string {
  if (!numeric && DSFIELD[id] !== undefined) return DSFIELD[id];
  return `0x${id.toString(16).padStart(2, '0')}`;
}

/** `matches()` of iproute2: `arg` is a non-empty prefix of `word`. */
function prefixOf(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/** rtnl_rtntype_a2n (ip/rtm_map.c). */
export function rtntypeA2n(arg: string): RouteType | number | undefined {
  if (arg === 'local') return 'local';
  if (arg === 'nat') return 'nat';
  if (prefixOf(arg, 'broadcast') || arg === 'brd') return 'broadcast';
  if (prefixOf(arg, 'anycast')) return 'anycast';
  if (prefixOf(arg, 'multicast')) return 'multicast';
  if (prefixOf(arg, 'prohibit')) return 'prohibit';
  if (prefixOf(arg, 'unreachable')) return 'unreachable';
  if (prefixOf(arg, 'blackhole')) return 'blackhole';
  if (prefixOf(arg, 'xresolve')) return 'xresolve';
  if (prefixOf(arg, 'unicast')) return 'unicast';
  if (arg === 'throw') return 'throw';
  const v = strtoul(arg);
  return v !== undefined && v <= 255 ? v : undefined;
}

/** rtnl_rtntype_n2a. */
export function rtntypeN2a(t: RouteType, numeric: boolean, code: number): string {
  if (numeric) return String(code);
  return t === 'unspec' ? 'none' : t;
}

/** rtnl_rtrealm_a2n (rt_realms: 0 is `cosmos`). */
export function realmA2n(arg: string): number | undefined {
  if (arg === 'cosmos') return 0;
  const v = strtoul(arg);
  return v !== undefined && v <= 255 ? v : undefined;
}

export function realmN2a(id: number, numeric: boolean): string {
  return id === 0 && !numeric ? 'cosmos' : String(id);
}

/** get_rt_realms_or_raw: `[FROM/]TO` by name or number, else a raw 32-bit number. */
export function realmsA2n(arg: string): number | undefined {
  const slash = arg.indexOf('/');
  let from = 0;
  let rest = arg;
  let ok = true;
  if (slash >= 0) {
    const f = realmA2n(arg.slice(0, slash));
    if (f === undefined) ok = false;
    else from = f;
    rest = arg.slice(slash + 1);
  }
  let to = 0;
  if (ok && rest !== '') {
    const t = realmA2n(rest);
    if (t === undefined) ok = false;
    else to = t;
  }
  if (ok) return ((from << 16) | to) >>> 0;
  return getU32(arg);
}
