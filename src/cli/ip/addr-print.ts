// One address as `ip address` prints it (iproute2 6.1 print_addrinfo), for IPv4 and the IPv6
// addresses nslab has (::1, link-locals).
import type { NetDevice } from '../../kernel/device.ts';
import {
  IFA_F_DEPRECATED, IFA_F_PERMANENT, IFA_F_SECONDARY, INFINITY_LIFE_TIME, scopeName,
} from '../../kernel/ipv4/constants.ts';
import { ifaLifetimes, type InIfAddr } from '../../kernel/ipv4/devinet.ts';
import { formatIpv6, type Inet6IfAddr } from '../../kernel/ipv6/addrconf.ts';
import { formatIpv4Addr } from '../../wire/addr.ts';
import type { Printer } from './printer.ts';

/** An address as a dump message carries it (ifaddrmsg + attributes). */
export interface AddrMsg {
  family: 'inet' | 'inet6';
  dev: NetDevice;
  local: string;
  /** IFA_ADDRESS when it differs from IFA_LOCAL (a point-to-point peer). */
  peer: string | undefined;
  prefixlen: number;
  broadcast: string | undefined;
  scope: number;
  flags: number;
  label: string | undefined;
  metric: number;
  valid: number;
  preferred: number;
  /** For filters: the numeric local address (IPv4 only). */
  local4: number | undefined;
  /** The kernel's address itself. */
  ifa: InIfAddr | Inet6IfAddr;
}

export function inetAddrMsg(a: InIfAddr, now: number): AddrMsg {
  const { valid, preferred } = ifaLifetimes(a, now);
  return {
    family: 'inet', dev: a.dev, local: formatIpv4Addr(a.local), peer: a.address !== a.local ? formatIpv4Addr(a.address) : undefined,
    prefixlen: a.prefixlen, broadcast: a.broadcast ? formatIpv4Addr(a.broadcast) : undefined, scope: a.scope, flags: a.flags,
    label: a.label, metric: a.rtPriority, valid, preferred, local4: a.local, ifa: a,
  };
}

export function inet6AddrMsg(a: Inet6IfAddr): AddrMsg {
  return {
    family: 'inet6', dev: a.dev, local: formatIpv6(a.addr), peer: undefined, prefixlen: a.prefixlen, broadcast: undefined,
    scope: a.scope, flags: a.flags, label: undefined, metric: 0, valid: a.validLft, preferred: a.preferredLft, local4: undefined,
    ifa: a,
  };
}

/** ifa_flag_data, in print order: [name, mask, v6 name for the same bit]. */
const IFA_FLAGS: Array<[string, number]> = [
  ['secondary', IFA_F_SECONDARY], ['temporary', IFA_F_SECONDARY], ['nodad', 0x02], ['optimistic', 0x04], ['dadfailed', 0x08],
  ['home', 0x10], ['deprecated', IFA_F_DEPRECATED], ['tentative', 0x40], ['permanent', IFA_F_PERMANENT], ['mngtmpaddr', 0x100],
  ['noprefixroute', 0x200], ['autojoin', 0x400], ['stable-privacy', 0x800],
];

/** Names `ip addr show FLAG` accepts (get_filter), with their mask. */
export function addrFlagByName(name: string): number | undefined {
  return IFA_FLAGS.find(([n]) => n === name)?.[1];
}

function printIfaFlags(p: Printer, a: AddrMsg): void {
  let flags = a.flags;
  for (const [name, mask] of IFA_FLAGS) {
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) p.any('dynamic', 'dynamic ', true);
    } else if (flags & mask) {
      if (mask === IFA_F_SECONDARY && a.family === 'inet6') p.any('temporary', 'temporary ', true);
      else {
        p.fp(`${name} `);
        p.js(name, true);
      }
    }
    flags &= ~mask;
  }
  if (flags) {
    const hex = flags.toString(16).padStart(2, '0');
    if (p.json) p.js('ifa_flags', hex);
    else p.fp(`flags ${hex} `);
  }
}

/** print_addrinfo. `oneline` prefixes `N: DEV` (as -o does). */
export function printAddrInfo(p: Printer, a: AddrMsg, brief: boolean, oneline: boolean): void {
  if (!brief) {
    if (oneline) {
      if (p.json) p.js('index', a.dev.ifindex).js('dev', a.dev.name);
      else p.fp(`${a.dev.ifindex}: ${a.dev.name}`);
    }
    p.any('family', `    ${a.family} `, a.family);
  }
  p.any('local', a.local, a.local);
  if (a.peer !== undefined) {
    p.fp(' peer ');
    p.any('address', a.peer, a.peer);
  }
  p.any('prefixlen', `/${a.prefixlen} `, a.prefixlen);
  if (a.metric) p.any('metric', `metric ${a.metric} `, a.metric);
  if (brief) return;
  if (a.broadcast !== undefined) {
    p.fp('brd ');
    p.any('broadcast', `${a.broadcast} `, a.broadcast);
  }
  p.any('scope', `scope ${scopeName(a.scope)} `, scopeName(a.scope));
  printIfaFlags(p, a);
  if (a.label !== undefined) p.any('label', a.label, a.label);
  p.nl();
  p.fp('       valid_lft ');
  if (a.valid === INFINITY_LIFE_TIME) {
    p.js('valid_life_time', INFINITY_LIFE_TIME);
    p.fp('forever');
  } else {
    p.any('valid_life_time', `${a.valid}sec`, a.valid);
  }
  p.fp(' preferred_lft ');
  if (a.preferred === INFINITY_LIFE_TIME) {
    p.js('preferred_life_time', INFINITY_LIFE_TIME);
    p.fp('forever');
  } else {
    p.any('preferred_life_time', `${a.preferred}sec`, a.preferred);
  }
  p.fp('\n');
}
