/**
 * The grammar of tcpdump capture filters (libpcap 1.10's grammar.y) as a recursive-descent
 * parser that generates code as it goes, like libpcap does while it reduces: errors come out
 * in the same order, and `vlan` moves the offsets of whatever is parsed after it.
 *
 * Reproduced quirks: `and` and `or` have the same precedence and group to the left; a bare
 * address after `and`/`or`/`not`/`(` takes the qualifiers of the primitive before it (`host
 * A or B`), even across parentheses, and one after a primitive without qualifiers is "syntax
 * error in filter expression"; in arithmetic `%` and `^` take everything to their right
 * (bison resolves their precedence conflicts by shifting); unary minus binds tightest.
 */
import type { Gen } from './tcpdump-filter-gen-id.ts';
import { type Addr, type Arth, type Dir, FilterError, type Proto, QERR, type Qual, unsupported } from './tcpdump-filter-gen.ts';
import { type Pred, and, not, or } from './tcpdump-filter-ir.ts';
import type { Token } from './tcpdump-filter-lex.ts';

const PNAMES: Readonly<Record<string, Proto>> = {
  LINK: 'link', IP: 'ip', ARP: 'arp', RARP: 'rarp', SCTP: 'sctp', TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', IGMP: 'igmp',
  IGRP: 'igrp', PIM: 'pim', VRRP: 'vrrp', CARP: 'carp', ATALK: 'atalk', AARP: 'aarp', DECNET: 'decnet', LAT: 'lat',
  SCA: 'sca', MOPDL: 'mopdl', MOPRC: 'moprc', IPV6: 'ip6', ICMPV6: 'icmp6', AH: 'ah', ESP: 'esp', ISO: 'iso',
  ESIS: 'esis', ISIS: 'isis', L1: 'l1', L2: 'l2', IIH: 'iih', LSP: 'lsp', SNP: 'snp', PSNP: 'psnp', CSNP: 'csnp',
  CLNP: 'clnp', STP: 'stp', IPX: 'ipx', NETBEUI: 'netbeui', RADIO: 'radio',
};
const DQUALS: Readonly<Record<string, Dir>> = {
  SRC: 'src', DST: 'dst', ADDR1: 'addr1', ADDR2: 'addr2', ADDR3: 'addr3', ADDR4: 'addr4', RA: 'ra', TA: 'ta',
};
const AQUALS: Readonly<Record<string, Addr>> = { HOST: 'host', NET: 'net', PORT: 'port', PORTRANGE: 'portrange' };
type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
/** Binary operators with their yacc precedence; 0: none declared (conflicts resolve to shift). */
const BINOPS: Readonly<Record<string, [BinOp, number]>> = {
  '|': ['or', 1], '&': ['and', 2], LSH: ['lsh', 3], RSH: ['rsh', 3], '+': ['add', 4], '-': ['sub', 4],
  '*': ['mul', 5], '/': ['div', 5], '%': ['mod', 0], '^': ['xor', 0],
};
const UMINUS = 6;
/** relop / irelop: the BPF jump and whether the result is negated. */
const RELOPS: Readonly<Record<string, ['eq' | 'gt' | 'ge', boolean]>> = {
  '>': ['gt', false], GEQ: ['ge', false], '=': ['eq', false], LEQ: ['gt', true], '<': ['ge', true], NEQ: ['eq', true],
};
const ID_KINDS = new Set(['ID', 'HID', 'HID6', 'EID', 'AID']);
/** Keywords of primitives libpcap has and nslab does not (MPLS, PPPoE, Geneve, pflog, 802.11, ATM, SS7). */
const UNSUPPORTED = new Set(['MPLS', 'PPPOED', 'PPPOES', 'GENEVE', 'PF_IFNAME', 'PF_RSET', 'PF_RNR', 'PF_SRNR',
  'REASON', 'ACTION', 'TYPE', 'SUBTYPE', 'DIR', 'LANE', 'METAC', 'BCC', 'OAM', 'OAMF4', 'OAMF4EC', 'OAMF4SC', 'SC',
  'ILMIC', 'VPI', 'VCI', 'CONNECTMSG', 'METACONNECT', 'FISU', 'LSSU', 'MSU', 'HFISU', 'HLSSU', 'HMSU', 'SIO', 'OPC',
  'DPC', 'SLS', 'HSIO', 'HOPC', 'HDPC', 'HSLS']);

/** A parsed piece: its code and the qualifiers a following bare id inherits. */
interface R { b: Pred; q: Qual }

const syntax = (): never => { throw new FilterError("can't parse filter expression: syntax error"); };
const continuesArth = (kind: string) => kind in BINOPS || kind in RELOPS;

export class Parser {
  private pos = 0;

  constructor(private readonly toks: Token[], private readonly g: Gen) {}

  /** The whole expression; null when it is empty (everything matches). */
  parse(): Pred | null {
    if (this.peek().kind === 'EOF') return null;
    const r = this.expr(QERR);
    if (this.peek().kind !== 'EOF') syntax();
    return r.b;
  }

  /** The lookahead token; reading a bad token is the error the scanner reported for it. */
  private peek(): Token {
    const t = this.toks[this.pos];
    if (t.kind === 'ERR') throw new FilterError(t.error || "can't parse filter expression: syntax error");
    return t;
  }

  /** Further lookahead for our own decisions (bison never needs it), without the ERR check. */
  private ahead(n: number): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)];
  }

  private expect(kind: string): Token {
    const t = this.peek();
    if (t.kind !== kind) syntax();
    this.pos++;
    return t;
  }

  private expr(inh: Qual): R {
    let r = this.term(inh, false);
    for (;;) {
      const k = this.peek().kind;
      if (k !== 'AND' && k !== 'OR') return r;
      this.pos++;
      const r2 = this.term(r.q, true);
      r = { b: k === 'AND' ? and(r.b, r2.b) : or(r.b, r2.b), q: r2.q };
    }
  }

  /** A term, or (after and/or, allowId) also a bare id inheriting `inh`. */
  private term(inh: Qual, allowId: boolean): R {
    const t = this.peek();
    const k = t.kind;
    if (k === '!') {
      this.pos++;
      const r = this.term(inh, allowId);
      return { b: not(r.b), q: r.q };
    }
    if (k === '(') return this.paren(inh, allowId);
    if (ID_KINDS.has(k)) return allowId ? this.nid(inh) : syntax();
    if (k === 'NUM') {
      if (allowId && !continuesArth(this.ahead(1).kind)) {
        this.pos++;
        return { b: this.g.ncode(null, t.num, inh), q: inh };
      }
      return this.relation();
    }
    if (k === 'LEN' || k === '-') return this.relation();
    const p = PNAMES[k];
    if (p !== undefined) {
      if (this.ahead(1).kind === '[') return this.relation();
      this.pos++;
      const n = this.peek().kind;
      if (n in DQUALS || n in AQUALS || n === 'PROTO' || n === 'PROTOCHAIN' || n === 'GATEWAY') return this.headId(p);
      if (n === 'BROADCAST' || n === 'MULTICAST') return { b: this.other(p), q: QERR };
      if (n === 'TYPE' || n === 'SUBTYPE' || n === 'DIR') return unsupported(`'${this.peek().text}'`);
      return { b: this.g.protoAbbrev(p), q: QERR };
    }
    if (k in DQUALS || k in AQUALS || k === 'PROTO' || k === 'PROTOCHAIN' || k === 'GATEWAY') return this.headId('default');
    return { b: this.other('default'), q: QERR };
  }

  /** grammar.y's `other`; `pq` is the protocol qualifier before broadcast/multicast. */
  private other(pq: Proto): Pred {
    const t = this.peek();
    switch (t.kind) {
      case 'BROADCAST': this.pos++; return this.g.broadcast(pq);
      case 'MULTICAST': this.pos++; return this.g.multicast(pq);
      case 'LESS': this.pos++; return this.g.less(this.expect('NUM').num);
      case 'GREATER': this.pos++; return this.g.greater(this.expect('NUM').num);
      case 'CBYTE': {
        this.pos++;
        const idx = this.expect('NUM').num;
        const op = this.peek().kind;
        if (!['&', '|', '<', '>', '='].includes(op)) syntax();
        this.pos++;
        return this.g.byteop(op, idx, this.expect('NUM').num);
      }
      case 'INBOUND': this.pos++; return this.g.inbound(false);
      case 'OUTBOUND': this.pos++; return this.g.inbound(true);
      case 'IFINDEX': this.pos++; return this.g.ifindex(this.expect('NUM').num);
      case 'VLAN': {
        this.pos++;
        const n = this.peek().kind;
        return this.g.vlan(n === 'NUM' || n === '(' ? this.pnum() : null);
      }
      case 'LLC': {
        this.pos++;
        const n = this.peek().kind;
        if (n === 'ID' || n === 'PF_RNR') return unsupported(`'llc ${this.peek().text}'`);
        return this.g.llc();
      }
      default:
        if (UNSUPPORTED.has(t.kind)) return unsupported(`'${t.text}'`);
        return syntax();
    }
  }

  /** '(' starting a parenthesised expression, a parenthesised id list, or arithmetic. */
  private paren(inh: Qual, allowId: boolean): R {
    const kind = this.classifyParen(allowId);
    if (kind === 'arth') return this.relation();
    this.pos++;
    if (kind === 'pid') {
      const r = this.pidInner(inh);
      this.expect(')');
      return r;
    }
    const r = this.expr(inh);
    this.expect(')');
    return { b: r.b, q: inh };
  }

  /** Which of grammar.y's parenthesised forms this is; bison decides the same by its states. */
  private classifyParen(allowId: boolean): 'arth' | 'pid' | 'expr' {
    let depth = 0;
    let close = -1;
    for (let i = this.pos; i < this.toks.length; i++) {
      const k = this.toks[i].kind;
      if (k === '(') depth++;
      else if (k === ')' && --depth === 0) { close = i; break; }
    }
    if (close >= 0 && continuesArth(this.toks[close + 1].kind)) return 'arth';
    if (!allowId) return 'expr';
    let i = this.pos + 1;
    while (this.toks[i].kind === '(' || this.toks[i].kind === '!') i++;
    const k = this.toks[i].kind;
    if (ID_KINDS.has(k)) return 'pid';
    if (k === 'NUM') {
      let j = i + 1;
      while (this.toks[j].kind === ')') j++;
      return continuesArth(this.toks[j].kind) ? 'expr' : 'pid';
    }
    return 'expr';
  }

  /** pid: (nid | pnum) followed by `and|or id`s, each id inheriting from the one before. */
  private pidInner(inh: Qual): R {
    const k = this.peek().kind;
    let r: R = k === 'NUM' || k === '(' ? { b: this.g.ncode(null, this.pnum(), inh), q: inh } : this.nid(inh);
    for (;;) {
      const op = this.peek().kind;
      if (op !== 'AND' && op !== 'OR') return r;
      this.pos++;
      const r2 = this.id(r.q);
      r = { b: op === 'AND' ? and(r.b, r2.b) : or(r.b, r2.b), q: r2.q };
    }
  }

  private id(inh: Qual): R {
    const t = this.peek();
    if (t.kind === '(') {
      this.pos++;
      const r = this.pidInner(inh);
      this.expect(')');
      return r;
    }
    if (t.kind === 'NUM') {
      this.pos++;
      return { b: this.g.ncode(null, t.num, inh), q: inh };
    }
    return this.nid(inh);
  }

  private nid(inh: Qual): R {
    const t = this.peek();
    switch (t.kind) {
      case '!': {
        this.pos++;
        const r = this.id(inh);
        return { b: not(r.b), q: r.q };
      }
      case 'ID': this.pos++; return { b: this.g.scode(t.text, inh), q: inh };
      case 'EID': this.pos++; return { b: this.g.ecode(t.text, inh), q: inh };
      case 'AID': this.pos++; throw new FilterError('aid supported only on ARCnet');
      case 'HID6': {
        this.pos++;
        if (this.peek().kind === '/') {
          this.pos++;
          return { b: this.g.mcode6(t.text, this.expect('NUM').num, inh), q: inh };
        }
        return { b: this.g.mcode6(t.text, 128, inh), q: inh };
      }
      case 'HID': {
        this.pos++;
        const n = this.peek().kind;
        if (n === '/') {
          this.pos++;
          return { b: this.g.mcode(t.text, null, this.expect('NUM').num, inh), q: inh };
        }
        if (n === 'NETMASK') {
          this.pos++;
          return { b: this.g.mcode(t.text, this.expect('HID').text, 0, inh), q: inh };
        }
        if (inh.addr === 'port' || inh.addr === 'portrange' || inh.addr === 'proto' || inh.addr === 'protochain') {
          throw new FilterError(`'${inh.addr}' modifier applied to ip host`);
        }
        return { b: this.g.ncode(t.text, 0, inh), q: inh };
      }
      default: return syntax();
    }
  }

  private pnum(): number {
    const t = this.peek();
    if (t.kind === 'NUM') { this.pos++; return t.num; }
    if (t.kind !== '(') syntax();
    this.pos++;
    const v = this.pnum();
    this.expect(')');
    return v;
  }

  /** head id: [pname] [dqual] [aqual] | [pname] proto|protochain|gateway, then the id. */
  private headId(p: Proto): R {
    let dir: Dir = 'default';
    let addr: Addr = 'default';
    const k = this.peek().kind;
    if (k in DQUALS) {
      this.pos++;
      dir = DQUALS[k];
      const n = this.peek().kind;
      if ((k === 'SRC' || k === 'DST') && (n === 'OR' || n === 'AND')) {
        this.pos++;
        this.expect(k === 'SRC' ? 'DST' : 'SRC');
        dir = n === 'OR' ? 'or' : 'and';
      }
      const a = this.peek().kind;
      if (a in AQUALS) { this.pos++; addr = AQUALS[a]; }
    } else if (k in AQUALS) {
      this.pos++;
      addr = AQUALS[k];
    } else {
      this.pos++;
      addr = k === 'PROTO' ? 'proto' : k === 'PROTOCHAIN' ? 'protochain' : 'gateway';
    }
    const q: Qual = { proto: p, dir, addr };
    return { b: this.id(q).b, q };
  }

  /** arth relop arth */
  private relation(): R {
    const a0 = this.arth();
    const rel = RELOPS[this.peek().kind] ?? syntax();
    this.pos++;
    const a1 = this.arth();
    return { b: this.g.relation(rel[0], a0, a1, rel[1]), q: QERR };
  }

  /** Arithmetic with yacc's precedence and conflict resolution, generating as it reduces. */
  private arth(): Arth {
    const vals: Arth[] = [];
    const ops: { op: BinOp | 'neg'; prec: number }[] = [];
    const reduce = () => {
      const o = ops.pop()!;
      if (o.op === 'neg') { vals.push(this.g.neg(vals.pop()!)); return; }
      const b = vals.pop()!;
      const a = vals.pop()!;
      vals.push(this.g.arth(o.op, a, b));
    };
    for (;;) {
      while (this.peek().kind === '-') { this.pos++; ops.push({ op: 'neg', prec: UMINUS }); }
      vals.push(this.primary());
      const bin = BINOPS[this.peek().kind];
      if (bin === undefined) break;
      // Reduce what has a declared precedence at least the incoming operator's; else shift.
      while (ops.length > 0 && ops[ops.length - 1].prec !== 0 && bin[1] !== 0 && ops[ops.length - 1].prec >= bin[1]) reduce();
      this.pos++;
      ops.push({ op: bin[0], prec: bin[1] });
    }
    while (ops.length > 0) reduce();
    return vals[0];
  }

  private primary(): Arth {
    const t = this.peek();
    switch (t.kind) {
      case 'NUM': this.pos++; return this.g.loadi(t.num);
      case 'LEN': this.pos++; return this.g.loadlen();
      case '(': {
        this.pos++;
        const a = this.arth();
        this.expect(')');
        return a;
      }
      default: {
        const p = PNAMES[t.kind];
        if (p === undefined) return syntax();
        this.pos++;
        this.expect('[');
        const inst = this.arth();
        let size = 1;
        if (this.peek().kind === ':') {
          this.pos++;
          size = this.expect('NUM').num;
        }
        this.expect(']');
        return this.g.loadAt(p, inst, size);
      }
    }
  }
}
