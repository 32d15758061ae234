// $(( … )) arithmetic: 64-bit signed integers, C operators, variables by name.

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Node =
  | { t: 'num'; v: bigint }
  | { t: 'var'; name: string }
  | { t: 'un'; op: string; e: Node }
  | { t: 'bin'; op: string; l: Node; r: Node; at: number }
  | { t: 'assign'; op: string; name: string; e: Node }
  | { t: 'inc'; name: string; d: bigint; post: boolean }
  | { t: 'cond'; c: Node; a: Node; b: Node };

const OPS = ['<<=', '>>=', '**', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=', '<<', '>>', '<=', '>=',
  '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '^', '|', '?', ':', ',', '(', ')'];
const BIN: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};
const I64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export function parseNumber(s: string): bigint | null {
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(s))) return I64(BigInt('0x' + m[1]));
  if (/^0[0-7]+$/.test(s)) return I64(BigInt('0o' + s.slice(1)));
  if (/^[0-9]+$/.test(s)) return I64(BigInt(s));
  if ((m = /^([0-9]+)#([0-9a-zA-Z@_]+)$/.exec(s))) {
    const base = Number(m[1]);
    if (base < 2 || base > 64) return null;
    const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@_';
    let v = 0n;
    for (const ch of m[2]) {
      const d = base <= 36 ? digits.indexOf(ch.toLowerCase()) : digits.indexOf(ch);
      if (d < 0 || d >= base) return null;
      v = v * BigInt(base) + BigInt(d);
    }
    return I64(v);
  }
  return null;
}

class ArithParser {
  private toks: string[] = [];
  private starts: number[] = [];
  private i = 0;
  /** the expression as bash shows it in messages */
  readonly shown: string;

  constructor(private readonly src: string) {
    this.shown = src.replace(/^\s+/, '');
    const re = /[0-9][0-9a-zA-Z@_#]*|[A-Za-z_][A-Za-z0-9_]*/y;
    let pos = 0;
    outer: while (pos < src.length) {
      if (/\s/.test(src[pos])) { pos++; continue; }
      re.lastIndex = pos;
      const m = re.exec(src);
      if (m) { this.starts.push(pos); this.toks.push(m[0]); pos = re.lastIndex; continue; }
      for (const op of OPS) {
        if (src.startsWith(op, pos)) { this.starts.push(pos); this.toks.push(op); pos += op.length; continue outer; }
      }
      this.fail('syntax error: invalid arithmetic operator', src.slice(pos));
    }
  }

  /** The source from token i on (bash's "error token"). */
  rest(i: number): string {
    return i < this.starts.length ? this.src.slice(this.starts[i]) : '';
  }

  fail(msg: string, token = this.rest(this.i)): never {
    throw new ArithError(`${this.shown}: ${msg} (error token is "${token}")`);
  }

  parse(): Node | null {
    if (this.toks.length === 0) return null;
    const e = this.comma();
    if (this.i < this.toks.length) this.fail('syntax error in expression');
    return e;
  }

  private peek(): string | undefined { return this.toks[this.i]; }

  private comma(): Node {
    let e = this.assign();
    while (this.peek() === ',') {
      this.i++;
      const at = this.i;
      e = { t: 'bin', op: ',', l: e, r: this.assign(), at };
    }
    return e;
  }

  private assign(): Node {
    const a = this.toks[this.i];
    const op = this.toks[this.i + 1];
    const isAssign = op !== undefined && op.endsWith('=') && !['==', '!=', '<=', '>='].includes(op);
    if (a !== undefined && /^[A-Za-z_]/.test(a) && isAssign) {
      this.i += 2;
      return { t: 'assign', op: op.slice(0, -1), name: a, e: this.assign() };
    }
    return this.cond();
  }

  private cond(): Node {
    const c = this.binary(1);
    if (this.peek() !== '?') return c;
    this.i++;
    const a = this.assign();
    if (this.peek() !== ':') this.fail("`:' expected for conditional expression");
    this.i++;
    return { t: 'cond', c, a, b: this.assign() };
  }

  private binary(minPrec: number): Node {
    let l = this.unary();
    for (;;) {
      const op = this.peek();
      const prec = op === undefined ? undefined : BIN[op];
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      const at = this.i;
      const r = op === '**' ? this.binary(prec) : this.binary(prec + 1);
      l = { t: 'bin', op: op as string, l, r, at };
    }
  }

  private unary(): Node {
    const op = this.peek();
    if (op === '!' || op === '~' || op === '-' || op === '+') {
      this.i++;
      return { t: 'un', op, e: this.unary() };
    }
    if (op === '++' || op === '--') {
      this.i++;
      const n = this.toks[this.i++];
      if (n === undefined || !/^[A-Za-z_]/.test(n)) this.fail('syntax error: operand expected');
      return { t: 'inc', name: n, d: op === '++' ? 1n : -1n, post: false };
    }
    return this.postfix();
  }

  private postfix(): Node {
    const t = this.toks[this.i++];
    if (t === undefined) this.fail('syntax error: operand expected', this.rest(this.i - 2));
    if (t === '(') {
      const e = this.comma();
      if (this.toks[this.i++] !== ')') this.fail("missing `)'");
      return e;
    }
    if (/^[A-Za-z_]/.test(t)) {
      const n = this.peek();
      if (n === '++' || n === '--') {
        this.i++;
        return { t: 'inc', name: t, d: n === '++' ? 1n : -1n, post: true };
      }
      return { t: 'var', name: t };
    }
    if (/^[0-9]/.test(t)) {
      const v = parseNumber(t);
      if (v === null) { this.i--; this.fail('value too great for base'); }
      return { t: 'num', v };
    }
    this.i--;
    this.fail('syntax error: operand expected');
  }
}

export function evalArith(src: string, vars: ArithVars, depth = 0): bigint {
  if (depth > 100) throw new ArithError(`${src}: expression recursion level exceeded`);
  const parser = new ArithParser(src);
  const tree = parser.parse();
  if (tree === null) return 0n;
  const value = (name: string): bigint => {
    const s = (vars.get(name) ?? '').trim();
    if (s === '') return 0n;
    return parseNumber(s) ?? evalArith(s, vars, depth + 1);
  };
  const bin = (op: string, a: bigint, b: bigint, token: string): bigint => {
    switch (op) {
      case '+': return I64(a + b);
      case '-': return I64(a - b);
      case '*': return I64(a * b);
      case '/': case '%':
        if (b === 0n) throw new ArithError(`${parser.shown}: division by 0 (error token is "${token}")`);
        return I64(op === '/' ? a / b : a % b);
      case '**':
        if (b < 0n) throw new ArithError(`${parser.shown}: exponent less than 0 (error token is "${token}")`);
        return I64(a ** b);
      case '<<': return I64(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '&': return a & b;
      case '|': return a | b;
      case '^': return a ^ b;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '<': return a < b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      default: return b; // ','
    }
  };
  const ev = (n: Node): bigint => {
    switch (n.t) {
      case 'num': return n.v;
      case 'var': return value(n.name);
      case 'un': {
        const v = ev(n.e);
        return n.op === '!' ? (v === 0n ? 1n : 0n) : n.op === '~' ? ~v : n.op === '-' ? I64(-v) : v;
      }
      case 'bin':
        if (n.op === '&&') return ev(n.l) !== 0n && ev(n.r) !== 0n ? 1n : 0n;
        if (n.op === '||') return ev(n.l) !== 0n || ev(n.r) !== 0n ? 1n : 0n;
        return bin(n.op, ev(n.l), ev(n.r), parser.rest(n.at));
      case 'assign': {
        const r = ev(n.e);
        const v = n.op === '' ? r : bin(n.op, value(n.name), r, '');
        vars.set(n.name, String(v));
        return v;
      }
      case 'inc': {
        const old = value(n.name);
        const v = I64(old + n.d);
        vars.set(n.name, String(v));
        return n.post ? old : v;
      }
      case 'cond': return ev(n.c) !== 0n ? ev(n.a) : ev(n.b);
    }
  };
  return ev(tree);
}
