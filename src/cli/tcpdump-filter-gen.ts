/**
 * Code generation for tcpdump capture filters: the primitives of libpcap 1.10's gencode.c
 * for Ethernet, LINUX_SLL and LINUX_SLL2, producing the IR of tcpdump-filter-ir.ts with the
 * same tests in the same order, the same header offsets (including `vlan` moving the offsets
 * of everything parsed after it) and the same error messages.
 */
import {
  FALSE, type Pred, type Size, type Val, alu, aluK, and, imm, jmp, ld, ldx, msh, not, or,
} from './tcpdump-filter-ir.ts';
import { lookupProtocol } from './tcpdump-filter-names.ts';

/** A filter tcpdump would refuse; the message is what tcpdump prints after `tcpdump: `. */
export class FilterError extends Error {
  override name = 'FilterError';
}

/** A filter real tcpdump accepts but nslab does not implement (message starts with `nslab: `). */
export class FilterUnsupportedError extends FilterError {
  override name = 'FilterUnsupportedError';
}

export type Proto = 'default' | 'undef' | 'link' | 'ip' | 'arp' | 'rarp' | 'sctp' | 'tcp' | 'udp' | 'icmp' | 'igmp'
  | 'igrp' | 'pim' | 'vrrp' | 'carp' | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca' | 'moprc' | 'mopdl' | 'ip6'
  | 'icmp6' | 'ah' | 'esp' | 'iso' | 'esis' | 'isis' | 'l1' | 'l2' | 'iih' | 'lsp' | 'snp' | 'psnp' | 'csnp'
  | 'clnp' | 'stp' | 'ipx' | 'netbeui' | 'radio';
export type Dir = 'default' | 'undef' | 'src' | 'dst' | 'or' | 'and' | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta';
export type Addr = 'default' | 'undef' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'protochain' | 'gateway';
export interface Qual { readonly proto: Proto; readonly dir: Dir; readonly addr: Addr }
/** What a primitive without qualifiers leaves for a following bare id (grammar.y's qerr). */
export const QERR: Qual = { proto: 'undef', dir: 'undef', addr: 'undef' };

/** An arithmetic operand: its value, the protocol checks it needs, the k of its first BPF_LD|BPF_IMM. */
export interface Arth { v: Val; b: Pred | null; first: number | null }

/** Which header an offset is relative to (gencode.c's e_offrel). */
type Rel = 'packet' | 'linkhdr' | 'llc' | 'linkpl' | 'nosnap' | 'linktype' | 'tran4' | 'tran6';

export const LINKTYPE_DESCRIPTIONS: ReadonlyMap<number, string> = new Map([
  [1, 'Ethernet'], [113, 'Linux cooked v1'], [276, 'Linux cooked v2'],
]);

const ETHERMTU = 1500;
export const ET_IP = 0x0800, ET_ARP = 0x0806, ET_REVARP = 0x8035, ET_IPV6 = 0x86dd, ET_ATALK = 0x809b, ET_AARP = 0x80f3;
const ET_IPX = 0x8137;
const SAP_IP = 0x06, SAP_ISONS = 0xfe, SAP_NETBEUI = 0xf0, SAP_IPX = 0xe0;
export const P_TCP = 6, P_UDP = 17, P_SCTP = 132, P_ANY = -1;
const SLL_P_802_2 = 4, SLL_P_802_3 = 1;
const ISO_CLNP = 0x81, ISO_ESIS = 0x82, ISO_ISIS = 0x83;

/** The per-protocol Ethernet type (or LLC SAP) / IP protocol of gen_proto_abbrev_internal. */
const LINK_PROTOS: Partial<Record<Proto, number>> = {
  ip: ET_IP, arp: ET_ARP, rarp: ET_REVARP, atalk: ET_ATALK, aarp: ET_AARP, decnet: 0x6003, sca: 0x6007, lat: 0x6004,
  mopdl: 0x6001, moprc: 0x6002, ip6: ET_IPV6, iso: SAP_ISONS, stp: 0x42, ipx: SAP_IPX, netbeui: SAP_NETBEUI,
};
const IP_PROTOS: Partial<Record<Proto, [number, Proto]>> = {
  sctp: [P_SCTP, 'default'], tcp: [P_TCP, 'default'], udp: [P_UDP, 'default'], icmp: [1, 'ip'], igmp: [2, 'ip'],
  igrp: [9, 'ip'], pim: [103, 'default'], vrrp: [112, 'ip'], carp: [112, 'ip'], icmp6: [58, 'ip6'], ah: [51, 'default'],
  esp: [50, 'default'], esis: [ISO_ESIS, 'iso'], isis: [ISO_ISIS, 'iso'], clnp: [ISO_CLNP, 'iso'],
};
const ISIS_PDUS: Partial<Record<Proto, number[]>> = {
  l1: [15, 17, 18, 24, 26], l2: [16, 17, 20, 25, 27], iih: [15, 16, 17], lsp: [18, 20], snp: [24, 25, 26, 27],
  csnp: [24, 25], psnp: [26, 27],
};
/** gen_proto: the fixed error for protocols that cannot carry `proto N`. */
const PROTO_ERRORS: Partial<Record<Proto, string>> = {
  arp: 'arp does not encapsulate another protocol', rarp: 'rarp does not encapsulate another protocol',
  atalk: 'AppleTalk encapsulation is not specifiable', decnet: 'DECNET encapsulation is not specifiable',
  lat: 'LAT does not encapsulate another protocol', sca: 'SCA does not encapsulate another protocol',
  moprc: 'MOPRC does not encapsulate another protocol', mopdl: 'MOPDL does not encapsulate another protocol',
  clnp: "'clnp proto' is not supported",
};
/** gen_host: fixed errors; others are "'<proto>' modifier applied to host|net". */
const HOST_ERRORS: Partial<Record<Proto, string>> = {
  atalk: 'AppleTalk host filtering not implemented', lat: 'LAT host filtering not implemented',
  sca: 'SCA host filtering not implemented', moprc: 'MOPRC host filtering not implemented',
  mopdl: 'MOPDL host filtering not implemented', ip6: "'ip6' modifier applied to ip host",
  aarp: 'AARP host filtering not implemented', iso: 'ISO host filtering not implemented',
  ipx: 'IPX host filtering not implemented',
};
const ADDR_DIR_NAMES: Partial<Record<Dir, string>> = {
  addr1: "'addr1' and 'address1' are", addr2: "'addr2' and 'address2' are", addr3: "'addr3' and 'address3' are",
  addr4: "'addr4' and 'address4' are", ra: "'ra' is", ta: "'ta' is",
};

export const err = (msg: string): never => { throw new FilterError(msg); };
export const unsupported = (what: string): never => {
  throw new FilterUnsupportedError(`nslab: ${what} is not supported in capture filters`);
};

const be32 = (b: number[], o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** The per-link-type state and the primitives of gencode.c; ids (names, addresses) are in tcpdump-filter-gen-id.ts. */
export class GenCore {
  offLinktype: number;
  offLinkpl: number;
  readonly offNl = 0;
  readonly offNlNosnap: number;
  /** Errors that only this link type raises, collected instead of thrown when lenient. */
  readonly linkErrors: string[] = [];

  constructor(readonly linkType: number, readonly netmask: number, readonly lenient: boolean) {
    switch (linkType) {
      case 1: this.offLinktype = 12; this.offLinkpl = 14; this.offNlNosnap = 3; break;
      case 113: this.offLinktype = 14; this.offLinkpl = 16; this.offNlNosnap = 0; break;
      case 276: this.offLinktype = 0; this.offLinkpl = 20; this.offNlNosnap = 0; break;
      default: throw new FilterUnsupportedError(`nslab: capture filters are not supported on link-type ${linkType}`);
    }
  }

  private get desc(): string {
    return LINKTYPE_DESCRIPTIONS.get(this.linkType) ?? String(this.linkType);
  }

  /** An error raised only because of the link type: thrown, or recorded (matching nothing) when lenient. */
  protected linkError(msg: string): Pred {
    if (!this.lenient) err(msg);
    this.linkErrors.push(msg);
    return FALSE;
  }

  // --- loads and comparisons -------------------------------------------------------------

  private load(rel: Rel, off: number, size: Size): Val {
    switch (rel) {
      case 'packet': case 'linkhdr': return ld(size, off);
      case 'llc': return ld(size, this.offLinkpl + off);
      case 'linkpl': return ld(size, this.offLinkpl + this.offNl + off);
      case 'nosnap': return ld(size, this.offLinkpl + this.offNlNosnap + off);
      case 'linktype': return ld(size, this.offLinktype + off);
      case 'tran4': return ldx(size, this.offLinkpl + this.offNl + off, msh(this.offLinkpl + this.offNl));
      case 'tran6': return ld(size, this.offLinkpl + this.offNl + 40 + off);
    }
  }

  private ncmp(rel: Rel, off: number, size: Size, mask: number, op: 'eq' | 'gt' | 'ge', reverse: boolean, v: number): Pred {
    let a = this.load(rel, off, size);
    if (mask >>> 0 !== 0xffffffff) a = aluK('and', a, mask);
    const b = jmp(op, a, imm(v));
    return reverse ? not(b) : b;
  }
  private cmp(rel: Rel, off: number, size: Size, v: number): Pred { return this.ncmp(rel, off, size, 0xffffffff, 'eq', false, v); }
  private cmpGt(rel: Rel, off: number, size: Size, v: number): Pred { return this.ncmp(rel, off, size, 0xffffffff, 'gt', false, v); }
  private cmpGe(rel: Rel, off: number, size: Size, v: number): Pred { return this.ncmp(rel, off, size, 0xffffffff, 'ge', false, v); }
  private cmpLt(rel: Rel, off: number, size: Size, v: number): Pred { return this.ncmp(rel, off, size, 0xffffffff, 'ge', true, v); }
  private cmpLe(rel: Rel, off: number, size: Size, v: number): Pred { return this.ncmp(rel, off, size, 0xffffffff, 'gt', true, v); }
  private mcmp(rel: Rel, off: number, size: Size, v: number, mask: number): Pred { return this.ncmp(rel, off, size, mask, 'eq', false, v); }

  /** gen_bcmp: 4-byte words from the end, then a 2-byte and a 1-byte rest. */
  private bcmp(rel: Rel, off: number, bytes: number[]): Pred {
    let b: Pred | null = null;
    let size = bytes.length;
    const push = (t: Pred) => { b = b === null ? t : and(b, t); };
    while (size >= 4) { push(this.cmp(rel, off + size - 4, 4, be32(bytes, size - 4))); size -= 4; }
    while (size >= 2) { push(this.cmp(rel, off + size - 2, 2, (bytes[size - 2] << 8) | bytes[size - 1])); size -= 2; }
    if (size > 0) push(this.cmp(rel, off, 1, bytes[0]));
    return b ?? FALSE;
  }

  private snap(org: number, ptype: number): Pred {
    return this.bcmp('llc', 0, [0xaa, 0xaa, 0x03, (org >> 16) & 0xff, (org >> 8) & 0xff, org & 0xff, ptype >> 8, ptype & 0xff]);
  }

  private notLength(): Pred { return not(this.cmpGt('linktype', 0, 2, ETHERMTU)); }

  /** gen_linktype: is the link-layer payload of this Ethernet type (or LLC SAP, if ≤ 1500)? */
  linktype(p: number): Pred {
    if (this.linkType === 276) return this.cmp('linktype', 0, 2, p);
    const eth = this.linkType === 1;
    switch (p) {
      case SAP_ISONS: case SAP_IP: case SAP_NETBEUI:
        return and(eth ? this.notLength() : this.cmp('linktype', 0, 2, SLL_P_802_2), this.cmp('llc', 0, 2, (p << 8) | p));
      case SAP_IPX: {
        if (eth) {
          let b1 = or(this.cmp('llc', 0, 1, SAP_IPX), this.cmp('llc', 0, 2, 0xffff));
          b1 = or(this.snap(0, ET_IPX), b1);
          b1 = and(this.notLength(), b1);
          return or(this.cmp('linktype', 0, 2, ET_IPX), b1);
        }
        let b1 = or(this.cmp('llc', 0, 1, SAP_IPX), this.snap(0, ET_IPX));
        b1 = and(this.cmp('linktype', 0, 2, SLL_P_802_2), b1);
        b1 = or(this.cmp('linktype', 0, 2, SLL_P_802_3), b1);
        return or(this.cmp('linktype', 0, 2, ET_IPX), b1);
      }
      case ET_ATALK: case ET_AARP: {
        const b0 = eth ? this.notLength() : this.cmp('linktype', 0, 2, SLL_P_802_2);
        const b1 = and(b0, p === ET_ATALK ? this.snap(0x080007, ET_ATALK) : this.snap(0, ET_AARP));
        return or(this.cmp('linktype', 0, 2, p), b1);
      }
      default:
        if (p <= ETHERMTU) {
          return eth ? and(this.notLength(), this.cmp('linktype', 2, 1, p))
            : and(this.cmp('linktype', 0, 2, SLL_P_802_2), this.cmp('linkhdr', this.offLinkpl, 1, p));
        }
        return this.cmp('linktype', 0, 2, p);
    }
  }

  /** Not an IPv4 fragment other than the first. */
  private ipfrag(): Pred { return not(jmp('set', this.load('linkpl', 6, 2), imm(0x1fff))); }

  // --- hosts and networks ------------------------------------------------------------------

  /**
   * A test on the source, the destination, or both (`src and dst`: both; `src or dst` or no
   * direction: either). The 802.11 directions are an error ending in `what` ("'addr1' and
   * 'address1' are not valid qualifiers for ports"; "'ra' is not a valid qualifier for ports").
   */
  private dirPair(dir: Dir, one: (d: 'src' | 'dst') => Pred, what: string): Pred {
    switch (dir) {
      case 'src': case 'dst': return one(dir);
      case 'and': return and(one('src'), one('dst'));
      case 'default': case 'or': return or(one('src'), one('dst'));
      default: {
        const tail = dir.startsWith('addr') ? what : what.replace('not valid qualifiers', 'not a valid qualifier');
        return err(`${ADDR_DIR_NAMES[dir] ?? `'${dir}' is`} ${tail}`);
      }
    }
  }

  private hostop(addr: number, mask: number, dir: Dir, ll: number, srcOff: number, dstOff: number): Pred {
    return this.dirPair(dir, (d) => and(this.linktype(ll), this.mcmp('linkpl', d === 'src' ? srcOff : dstOff, 4, addr, mask)),
      'not valid qualifiers for addresses other than 802.11 MAC addresses');
  }

  host(addr: number, mask: number, proto: Proto, dir: Dir, type: Addr): Pred {
    const typestr = type === 'net' ? 'net' : 'host';
    switch (proto) {
      case 'default': {
        const b0 = this.host(addr, mask, 'ip', dir, type);
        const b1 = or(b0, this.host(addr, mask, 'arp', dir, type));
        return or(b1, this.host(addr, mask, 'rarp', dir, type));
      }
      case 'link': return err(`link-layer modifier applied to ${typestr}`);
      case 'ip': return this.hostop(addr, mask, dir, ET_IP, 12, 16);
      case 'rarp': return this.hostop(addr, mask, dir, ET_REVARP, 14, 24);
      case 'arp': return this.hostop(addr, mask, dir, ET_ARP, 14, 24);
      case 'decnet': return unsupported('decnet host');
      default: return err(HOST_ERRORS[proto] ?? `'${proto}' modifier applied to ${typestr}`);
    }
  }

  protected host6(a: number[], m: number[], proto: Proto, dir: Dir, type: Addr): Pred {
    const typestr = type === 'net' ? 'net' : 'host';
    if (proto === 'default' || proto === 'ip6') {
      return this.dirPair(dir, (d) => {
        const off = d === 'src' ? 8 : 24;
        let b1 = this.mcmp('linkpl', off + 12, 4, be32(a, 12), be32(m, 12));
        b1 = and(this.mcmp('linkpl', off + 8, 4, be32(a, 8), be32(m, 8)), b1);
        b1 = and(this.mcmp('linkpl', off + 4, 4, be32(a, 4), be32(m, 4)), b1);
        b1 = and(this.mcmp('linkpl', off, 4, be32(a, 0), be32(m, 0)), b1);
        return and(this.linktype(ET_IPV6), b1);
      }, 'not valid qualifiers for addresses other than 802.11 MAC addresses');
    }
    if (proto === 'link') return err(`link-layer modifier applied to ip6 ${typestr}`);
    if (proto === 'atalk') return err(`AppleTalk modifier applied to ip6 ${typestr}`);
    return err(`'${proto}' modifier applied to ip6 ${typestr}`);
  }

  protected ehostop(mac: number[], dir: Dir): Pred {
    return this.dirPair(dir, (d) => this.bcmp('linkhdr', d === 'src' ? 6 : 0, mac), 'only supported on 802.11 with 802.11 headers');
  }

  // --- ports -------------------------------------------------------------------------------

  private portsFor(ipProto: number, one: (p: number) => Pred): Pred {
    if (ipProto !== P_ANY) return one(ipProto);
    const b1 = or(one(P_TCP), one(P_UDP));
    return or(one(P_SCTP), b1);
  }

  /** IPv4 TCP/UDP/SCTP, not a later fragment, with a port (or ports) matching `atom`. */
  private port4(ipProto: number, dir: Dir, what: string, atom: (off: number) => Pred): Pred {
    const b0 = this.linktype(ET_IP);
    const b1 = this.portsFor(ipProto, (p) => {
      const pre = and(this.cmp('linkpl', 9, 1, p), this.ipfrag());
      return and(pre, this.dirPair(dir, (d) => atom(d === 'src' ? 0 : 2), what));
    });
    return and(b0, b1);
  }

  /** IPv6 with that next header (no extension headers skipped), with a port (or ports) matching `atom`. */
  private port6(ipProto: number, dir: Dir, what: string, atom: (off: number) => Pred): Pred {
    const b0 = this.linktype(ET_IPV6);
    const b1 = this.portsFor(ipProto, (p) => and(this.cmp('linkpl', 6, 1, p), this.dirPair(dir, (d) => atom(d === 'src' ? 0 : 2), what)));
    return and(b0, b1);
  }

  /** gen_port(v4) or'ed behind gen_port6: the IPv6 test runs first. */
  protected port(port: number, ipProto: number, dir: Dir): Pred {
    const what = 'not valid qualifiers for ports';
    const b = this.port4(ipProto, dir, what, (off) => this.cmp('tran4', off, 2, port));
    return or(this.port6(ipProto, dir, what, (off) => this.cmp('tran6', off, 2, port)), b);
  }

  protected portrange(p1: number, p2: number, ipProto: number, dir: Dir): Pred {
    const [lo, hi] = p1 > p2 ? [p2, p1] : [p1, p2];
    const what = 'not valid qualifiers for port ranges';
    const b = this.port4(ipProto, dir, what, (off) => and(this.cmpGe('tran4', off, 2, lo), this.cmpLe('tran4', off, 2, hi)));
    return or(this.port6(ipProto, dir, what, (off) => and(this.cmpGe('tran6', off, 2, lo), this.cmpLe('tran6', off, 2, hi))), b);
  }

  /** The IP protocol to check for `port`/`portrange` under qualifier `proto`. */
  protected portProto(proto: Proto, what: string): number {
    switch (proto) {
      case 'udp': return P_UDP;
      case 'tcp': return P_TCP;
      case 'sctp': return P_SCTP;
      case 'default': return P_ANY;
      default: return err(`illegal qualifier of '${what}'`);
    }
  }

  // --- protocols -----------------------------------------------------------------------------

  proto(v: number, proto: Proto, dir: Dir): Pred {
    if (dir !== 'default') err("direction applied to 'proto'");
    switch (proto) {
      case 'default': return or(this.proto(v, 'ip', dir), this.proto(v, 'ip6', dir));
      case 'link': return this.linktype(v);
      case 'ip': return and(this.linktype(ET_IP), this.cmp('linkpl', 9, 1, v));
      case 'ip6': {
        const b0 = this.linktype(ET_IPV6);
        let b1 = and(this.cmp('linkpl', 6, 1, 44), this.cmp('linkpl', 40, 1, v));
        b1 = or(this.cmp('linkpl', 6, 1, v), b1);
        return and(b0, b1);
      }
      case 'iso': return and(this.linktype(SAP_ISONS), this.cmp('nosnap', 0, 1, v));
      case 'isis': return and(this.proto(ISO_ISIS, 'iso', 'default'), this.cmp('nosnap', 4, 1, v));
      default: return err(PROTO_ERRORS[proto] ?? `'${proto} proto' is bogus`);
    }
  }

  protoAbbrev(p: Proto): Pred {
    const ll = LINK_PROTOS[p];
    if (ll !== undefined) return this.linktype(ll);
    const ipp = IP_PROTOS[p];
    if (ipp !== undefined) return this.proto(ipp[0], ipp[1], 'default');
    const pdus = ISIS_PDUS[p];
    if (pdus !== undefined) {
      // As gencode.c chains them: (t0 | t1), then each later PDU type tested in front.
      let b1 = or(this.proto(pdus[0], 'isis', 'default'), this.proto(pdus[1], 'isis', 'default'));
      for (const t of pdus.slice(2)) b1 = or(this.proto(t, 'isis', 'default'), b1);
      return b1;
    }
    if (p === 'link') return err('link layer applied in wrong context');
    return err(`'${p}' is not a valid protocol type`);
  }

  protected lookupProto(name: string, proto: Proto): number {
    switch (proto) {
      case 'default': case 'ip': case 'ip6':
        return lookupProtocol(name) ?? err(`unknown ip proto '${name}'`);
      case 'link': {
        const e: Record<string, number> = { aarp: ET_AARP, arp: ET_ARP, atalk: ET_ATALK, decnet: 0x6003, ip: ET_IP,
          ip6: ET_IPV6, lat: 0x6004, loopback: 0x9000, mopdl: 0x6001, moprc: 0x6002, rarp: ET_REVARP, sca: 0x6007,
          iso: SAP_ISONS, stp: 0x42, ipx: SAP_IPX, netbeui: SAP_NETBEUI };
        return Object.hasOwn(e, name) ? e[name] : err(`unknown ether proto '${name}'`);
      }
      case 'iso':
        return name === 'esis' ? ISO_ESIS : name === 'isis' ? ISO_ISIS : name === 'clnp' ? ISO_CLNP
          : err(`unknown osi proto '${name}'`);
      default: return -1;
    }
  }

  // --- other primitives ------------------------------------------------------------------------

  broadcast(proto: Proto): Pred {
    if (proto === 'default' || proto === 'link') {
      return this.linkType === 1 ? this.ehostop([255, 255, 255, 255, 255, 255], 'dst') : this.linkError('not a broadcast link');
    }
    if (proto === 'ip') {
      if (this.netmask === 0xffffffff) err("netmask not known, so 'ip broadcast' not supported");
      const b0 = this.linktype(ET_IP);
      const hostmask = ~this.netmask >>> 0;
      const b2 = or(this.mcmp('linkpl', 16, 4, 0, hostmask), this.mcmp('linkpl', 16, 4, hostmask, hostmask));
      return and(b0, b2);
    }
    return err('only link-layer/IP broadcast filters supported');
  }

  multicast(proto: Proto): Pred {
    const msg = 'link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel';
    switch (proto) {
      case 'default': case 'link':
        return this.linkType === 1 ? jmp('set', this.load('linkhdr', 0, 1), imm(1)) : this.linkError(msg);
      case 'ip': return and(this.linktype(ET_IP), this.cmpGe('linkpl', 16, 1, 224));
      case 'ip6': return and(this.linktype(ET_IPV6), this.cmp('linkpl', 24, 1, 255));
      default: return err(msg);
    }
  }

  less(n: number): Pred { return not(jmp('gt', { k: 'len' }, imm(n))); }
  greater(n: number): Pred { return jmp('ge', { k: 'len' }, imm(n)); }

  byteop(op: string, idx: number, val: number): Pred {
    switch (op) {
      case '=': return this.cmp('linkhdr', idx, 1, val);
      case '<': return this.cmpLt('linkhdr', idx, 1, val);
      case '>': return this.cmpGt('linkhdr', idx, 1, val);
      default: return unsupported(`'byte ${op}'`);
    }
  }

  inbound(outbound: boolean): Pred {
    let b0: Pred;
    if (this.linkType === 113) b0 = this.cmp('linkhdr', 0, 2, 4);
    else if (this.linkType === 276) b0 = this.cmp('linkhdr', 10, 1, 4);
    else return this.linkError(`inbound/outbound not supported on ${this.desc} when reading savefiles`);
    return outbound ? b0 : not(b0);
  }

  ifindex(n: number): Pred {
    if (this.linkType === 276) return this.cmp('linkhdr', 4, 4, n);
    return this.linkError(`ifindex not supported on ${this.desc} when reading savefiles`);
  }

  /** `vlan [ID]`: checks the TPID, then moves the link-type and payload offsets 4 bytes on. */
  vlan(id: number | null): Pred {
    if (this.linkType !== 1) return this.linkError(`no VLAN support for ${this.desc}`);
    let b0 = or(this.linktype(0x8100), this.linktype(0x88a8));
    b0 = or(b0, this.linktype(0x9100));
    if (id !== null) {
      if (id > 0x0fff) err(`VLAN tag ${id} greater than maximum 4095`);
      b0 = and(b0, this.mcmp('linkpl', 0, 2, id, 0x0fff));
    }
    this.offLinkpl += 4;
    this.offLinktype += 4;
    return b0;
  }

  llc(): Pred {
    if (this.linkType !== 1) return this.linkError(`'llc' not supported for ${this.desc}`);
    return and(this.notLength(), not(this.cmp('llc', 0, 2, 0xffff)));
  }

  // --- arithmetic --------------------------------------------------------------------------------

  loadi(v: number): Arth { return { v: imm(v), b: null, first: v >>> 0 }; }
  loadlen(): Arth { return { v: { k: 'len' }, b: null, first: null }; }

  /** `proto[index : size]`. */
  loadAt(proto: Proto, inst: Arth, size: number): Arth {
    if (size !== 1 && size !== 2 && size !== 4) err('data size must be 1, 2, or 4');
    const sz = size as Size;
    const nl = this.offLinkpl + this.offNl;
    switch (proto) {
      case 'radio': return err('radio information not present in capture');
      case 'link': return { v: ldx(sz, 0, inst.v), b: inst.b, first: inst.first };
      case 'ip': case 'arp': case 'rarp': case 'atalk': case 'decnet': case 'sca': case 'lat': case 'moprc':
      case 'mopdl': case 'ip6': {
        const v = ldx(sz, nl, inst.v);
        const b = this.protoAbbrev(proto);
        return { v, b: inst.b ? and(inst.b, b) : b, first: inst.first };
      }
      case 'sctp': case 'tcp': case 'udp': case 'icmp': case 'igmp': case 'igrp': case 'pim': case 'vrrp': case 'carp': {
        const v = ldx(sz, nl, alu('add', inst.v, msh(nl)));
        let b = and(this.protoAbbrev(proto), this.ipfrag());
        if (inst.b) b = and(inst.b, b);
        b = and(this.protoAbbrev('ip'), b);
        return { v, b, first: inst.first };
      }
      case 'icmp6': {
        let b = this.protoAbbrev('ip6');
        if (inst.b) b = and(inst.b, b);
        b = and(b, this.cmp('linkpl', 6, 1, 58));
        return { v: ldx(sz, nl + 40, inst.v), b, first: inst.first };
      }
      default: return err('unsupported index operation');
    }
  }

  arth(op: 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh', a0: Arth, a1: Arth): Arth {
    if (op === 'div' && a1.first === 0) err('division by zero');
    if (op === 'mod' && a1.first === 0) err('modulus by zero');
    if ((op === 'lsh' || op === 'rsh') && a1.first !== null && a1.first > 31) err('shift by more than 31 bits');
    return { v: alu(op, a0.v, a1.v), b: a0.b, first: a0.first };
  }

  neg(a: Arth): Arth { return { v: { k: 'neg', a: a.v }, b: a.b, first: a.first }; }

  relation(op: 'eq' | 'gt' | 'ge', a0: Arth, a1: Arth, reversed: boolean): Pred {
    let b = jmp(op, a0.v, a1.v);
    if (reversed) b = not(b);
    const tmp = a0.b ? (a1.b ? and(a0.b, a1.b) : a0.b) : a1.b;
    return tmp ? and(tmp, b) : b;
  }
}
