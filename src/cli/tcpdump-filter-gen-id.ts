/**
 * The ids of capture filters (gencode.c's gen_scode, gen_ncode, gen_mcode, gen_mcode6 and
 * gen_ecode): names, numbers, IPv4/IPv6 addresses and networks, MAC addresses, each read
 * with the qualifiers in force (`tcp dst port http`, `src net 10.0.0.0/8`, `ether host M`).
 * Host, network and Ethernet names are never resolved: only what getaddrinfo() reads without
 * a lookup (numeric addresses) counts, anything else is tcpdump's "unknown host".
 */
import { isIPv6 } from 'node:net';
import {
  GenCore, P_ANY, P_SCTP, P_TCP, P_UDP, type Proto, type Qual, err, unsupported,
} from './tcpdump-filter-gen.ts';
import type { Pred } from './tcpdump-filter-ir.ts';
import { atoin, etherAton, inetAton, ipv6Bytes, lookupService } from './tcpdump-filter-names.ts';

/** pcap_nametoport through getservbyname(3) on netbase's /etc/services; numeric service strings too. */
function nametoport(name: string): { port: number; proto: number } | null {
  if (/^[0-9]+$/.test(name)) return { port: parseInt(name, 10) & 0xffff, proto: P_ANY };
  const s = lookupService(name);
  if (s === undefined) return null;
  return { port: s.port, proto: s.tcp && s.udp ? P_ANY : s.tcp ? P_TCP : P_UDP };
}

function checkProto(q: Proto, real: number, what: string): number {
  const wanted = q === 'udp' ? P_UDP : q === 'tcp' ? P_TCP : q === 'sctp' ? P_SCTP : P_ANY;
  if (wanted === P_ANY) return real;
  for (const [p, n] of [[P_TCP, 'tcp'], [P_UDP, 'udp'], [P_SCTP, 'sctp']] as const) {
    if (real === p && wanted !== p) err(`${what} is ${n}`);
  }
  return wanted;
}

function checkPort(p: number): void {
  if (p < 0) err(`illegal port number ${p} < 0`);
  if (p > 65535) err(`illegal port number ${p} > 65535`);
}

/** pcap_nametoportrange: sscanf("%d-%d"), else two names around the first '-'. */
function nametoportrange(name: string): { p1: number; p2: number; proto: number } | null {
  const m = /^([0-9]+)-(-?[0-9]+)/.exec(name);
  if (m) return { p1: Number(m[1]) | 0, p2: Number(m[2]) | 0, proto: P_ANY };
  const dash = name.indexOf('-');
  if (dash < 0) return null;
  const a = nametoport(name.slice(0, dash));
  if (a === null) return null;
  const b = nametoport(name.slice(dash + 1));
  if (b === null) return null;
  return { p1: a.port, p2: b.port, proto: a.proto === b.proto ? b.proto : P_ANY };
}

export class Gen extends GenCore {
  scode(name: string, q: Qual): Pred {
    switch (q.addr) {
      case 'net': return err(`unknown network '${name}'`);
      case 'default': case 'host':
        if (q.proto === 'link') {
          return this.linkType === 1 ? err(`unknown ether host '${name}'`)
            : this.linkError('only ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel supports link-level host name');
        }
        if (q.proto === 'decnet') return unsupported('decnet host');
        return this.numericHost(name, q);
      case 'port': {
        this.portProto(q.proto, 'port');
        const r = nametoport(name) ?? err(`unknown port '${name}'`);
        const real = checkProto(q.proto, r.proto, `port '${name}'`);
        checkPort(r.port);
        return this.port(r.port, real, q.dir);
      }
      case 'portrange': {
        this.portProto(q.proto, 'portrange');
        const r = nametoportrange(name) ?? err(`unknown port in range '${name}'`);
        const real = checkProto(q.proto, r.proto, `port in range '${name}'`);
        checkPort(r.p1);
        checkPort(r.p2);
        return this.portrange(r.p1, r.p2, real, q.dir);
      }
      case 'gateway': return err("'gateway' not supported in this configuration");
      case 'proto': {
        const v = this.lookupProto(name, q.proto);
        return v >= 0 ? this.proto(v, q.proto, q.dir) : err(`unknown protocol: ${name}`);
      }
      case 'protochain': {
        const v = this.lookupProto(name, q.proto);
        return v >= 0 ? unsupported("'protochain'") : err(`unknown protocol: ${name}`);
      }
      case 'undef': return err('syntax error in filter expression');
    }
  }

  /**
   * A host "name" that getaddrinfo() turns into an address without any lookup: inet_aton()
   * forms (`\10.1`, `\0x0a000001`) or an IPv6 literal. Anything else would need a resolver.
   */
  private numericHost(name: string, q: Qual): Pred {
    const v4 = inetAton(name);
    if (v4 !== null) {
      if (q.proto !== 'ip6') return this.host(v4, 0xffffffff, q.proto, q.dir, q.addr);
    } else if (isIPv6(name)) {
      if (q.proto !== 'ip') return this.host6(ipv6Bytes(name), Array<number>(16).fill(0xff), q.proto, q.dir, q.addr);
    } else {
      return err(`unknown host '${name}'`);
    }
    return err(`unknown host '${name}' for specified address family`);
  }

  /** An IPv4 address (`s`, possibly short) or a plain number (`s` null, value `v`). */
  ncode(s: string | null, v: number, q: Qual): Pred {
    let vlen = 32;
    if (s !== null) {
      if (q.proto === 'decnet') return unsupported('decnet host');
      const r = atoin(s);
      if (r.len < 0) err(`invalid IPv4 address '${s}'`);
      v = r.addr;
      vlen = r.len;
    }
    switch (q.addr) {
      case 'default': case 'host': case 'net': {
        if (q.proto === 'decnet') return unsupported('decnet host');
        if (q.proto === 'link') return err('illegal link layer address');
        let mask = 0xffffffff;
        if (s === null && q.addr === 'net') {
          while (v !== 0 && (v & 0xff000000) === 0) { v = (v << 8) >>> 0; mask = (mask << 8) >>> 0; }
        } else {
          v = (v << (32 - vlen)) >>> 0;
          mask = (mask << (32 - vlen)) >>> 0;
        }
        return this.host(v, mask, q.proto, q.dir, q.addr);
      }
      case 'port': case 'portrange': {
        const ipProto = this.portProto(q.proto, q.addr);
        if (v > 65535) err(`illegal port number ${v} > 65535`);
        return q.addr === 'port' ? this.port(v, ipProto, q.dir) : this.portrange(v, v, ipProto, q.dir);
      }
      case 'gateway': return err("'gateway' requires a name");
      case 'proto': return this.proto(v, q.proto, q.dir);
      case 'protochain': return unsupported("'protochain'");
      case 'undef': return err('syntax error in filter expression');
    }
  }

  /** `A.B.C.D/len` or `A.B.C.D mask M.M.M.M`. */
  mcode(s1: string, s2: string | null, masklen: number, q: Qual): Pred {
    const a = atoin(s1);
    if (a.len < 0) err(`invalid IPv4 address '${s1}'`);
    const n = (a.addr << (32 - a.len)) >>> 0;
    let m: number;
    if (s2 !== null) {
      const b = atoin(s2);
      if (b.len < 0) err(`invalid IPv4 address '${s2}'`);
      m = (b.addr << (32 - b.len)) >>> 0;
      if ((n & ~m) !== 0) err(`non-network bits set in "${s1} mask ${s2}"`);
    } else {
      if (masklen > 32) err('mask length must be <= 32');
      m = masklen === 0 ? 0 : (0xffffffff << (32 - masklen)) >>> 0;
      if ((n & ~m) !== 0) err(`non-network bits set in "${s1}/${masklen}"`);
    }
    return q.addr === 'net' ? this.host(n, m, q.proto, q.dir, q.addr) : err('Mask syntax for networks only');
  }

  mcode6(s: string, masklen: number, q: Qual): Pred {
    if (!isIPv6(s)) err(`invalid ip6 address ${s}`);
    const a = ipv6Bytes(s);
    if (masklen > 128) err('mask length must be <= 128');
    const m = Array.from({ length: 16 }, (_, i) => (i < masklen >> 3 ? 0xff : i === masklen >> 3 && masklen % 8 ? (0xff << (8 - (masklen % 8))) & 0xff : 0));
    if (a.some((x, i) => (x & ~m[i]) !== 0)) err(`non-network bits set in "${s}/${masklen}"`);
    switch (q.addr) {
      case 'default': case 'host':
        if (masklen !== 128) err('Mask syntax for networks only');
        return this.host6(a, m, q.proto, q.dir, q.addr);
      case 'net': return this.host6(a, m, q.proto, q.dir, q.addr);
      default: return err('invalid qualifier against IPv6 address');
    }
  }

  ecode(s: string, q: Qual): Pred {
    if ((q.addr === 'host' || q.addr === 'default') && q.proto === 'link') {
      if (this.linkType !== 1) return this.linkError('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
      return this.ehostop(etherAton(s), q.dir);
    }
    return err('ethernet address used in non-ether expression');
  }
}
