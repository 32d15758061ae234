/**
 * The compiled form of a capture filter: a tree mirroring the BPF blocks libpcap generates
 * (same tests, same loads, same evaluation order), turned once into small closures.
 *
 * Evaluation follows bpf_filter(): 32-bit unsigned arithmetic; a load that does not fit in
 * the captured bytes, or a division/modulus by zero, ends the program with "reject". The
 * closures record that in a shared flag and carry on harmlessly; the caller rejects the
 * packet when the flag is set. Nothing is allocated per packet.
 * What libpcap's optimizer does to this tree is modelled in tcpdump-filter-opt.ts.
 */

export type Size = 1 | 2 | 4;
export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
export type JmpOp = 'eq' | 'gt' | 'ge' | 'set';

export type Val =
  | { readonly k: 'imm'; readonly v: number }
  | { readonly k: 'len' }
  | { readonly k: 'ld'; readonly size: Size; readonly off: number }
  /** Load at X + off (BPF_IND). */
  | { readonly k: 'ldx'; readonly size: Size; readonly off: number; readonly x: Val }
  /** 4 * (p[off] & 0xf): the IPv4 header length (BPF_LDX|BPF_MSH). */
  | { readonly k: 'msh'; readonly off: number }
  /** `kform`: an ALU op with a constant operand in gencode's own output (`and #mask`), not arithmetic. */
  | { readonly k: 'alu'; readonly op: AluOp; readonly a: Val; readonly b: Val; readonly kform?: boolean }
  | { readonly k: 'neg'; readonly a: Val };

export type Jmp = { readonly k: 'jmp'; readonly op: JmpOp; readonly a: Val; readonly b: Val };
export type Pred =
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'and' | 'or'; readonly a: Pred; readonly b: Pred }
  | { readonly k: 'not'; readonly a: Pred }
  /** A BPF conditional jump: `a OP b`, b a constant (BPF_K) or a computed value (BPF_X). */
  | Jmp;

export const imm = (v: number): Val => ({ k: 'imm', v: v >>> 0 });
export const ld = (size: Size, off: number): Val => ({ k: 'ld', size, off });
export const ldx = (size: Size, off: number, x: Val): Val => ({ k: 'ldx', size, off, x });
export const msh = (off: number): Val => ({ k: 'msh', off });
export const alu = (op: AluOp, a: Val, b: Val): Val => ({ k: 'alu', op, a, b });
export const aluK = (op: AluOp, a: Val, k: number): Val => ({ k: 'alu', op, a, b: imm(k), kform: true });
export const TRUE: Pred = { k: 'const', v: true };
export const FALSE: Pred = { k: 'const', v: false };
/** b runs only when a holds (gen_and). */
export const and = (a: Pred, b: Pred): Pred => ({ k: 'and', a, b });
/** b runs only when a fails (gen_or). */
export const or = (a: Pred, b: Pred): Pred => ({ k: 'or', a, b });
export const not = (a: Pred): Pred => ({ k: 'not', a });
export const jmp = (op: JmpOp, a: Val, b: Val): Pred => ({ k: 'jmp', op, a, b });

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Per-program scratch shared by its closures. */
export interface EvalState {
  /** Set when a load fell outside the captured bytes or a division by zero happened. */
  oob: boolean;
  /** What BPF_LEN loads: the packet's length on the wire. */
  wirelen: number;
}

export type Test = (p: Uint8Array) => boolean;
type NumFn = (p: Uint8Array) => number;

function fail(st: EvalState): number {
  st.oob = true;
  return 0;
}

function compileVal(v: Val, st: EvalState): NumFn {
  switch (v.k) {
    case 'imm': { const c = v.v; return () => c; }
    case 'len': return () => st.wirelen;
    case 'msh': { const o = v.off; return (p) => (o < p.length ? (p[o] & 0xf) << 2 : fail(st)); }
    case 'ld': {
      const o = v.off;
      if (v.size === 1) return (p) => (o < p.length ? p[o] : fail(st));
      if (v.size === 2) return (p) => (o + 2 <= p.length ? (p[o] << 8) | p[o + 1] : fail(st));
      return (p) => (o + 4 <= p.length ? ((p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3]) >>> 0 : fail(st));
    }
    case 'ldx': {
      const o = v.off;
      const x = compileVal(v.x, st);
      if (v.size === 1) return (p) => { const i = x(p) + o; return i < p.length ? p[i] : fail(st); };
      if (v.size === 2) return (p) => { const i = x(p) + o; return i + 2 <= p.length ? (p[i] << 8) | p[i + 1] : fail(st); };
      return (p) => {
        const i = x(p) + o;
        return i + 4 <= p.length ? ((p[i] << 24) | (p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]) >>> 0 : fail(st);
      };
    }
    case 'neg': { const a = compileVal(v.a, st); return (p) => (0 - a(p)) >>> 0; }
    case 'alu': {
      const a = compileVal(v.a, st);
      const b = compileVal(v.b, st);
      switch (v.op) {
        case 'add': return (p) => (a(p) + b(p)) >>> 0;
        case 'sub': return (p) => (a(p) - b(p)) >>> 0;
        case 'mul': return (p) => Math.imul(a(p), b(p)) >>> 0;
        case 'div': return (p) => { const x = a(p); const y = b(p); return y === 0 ? fail(st) : Math.floor(x / y); };
        case 'mod': return (p) => { const x = a(p); const y = b(p); return y === 0 ? fail(st) : x % y; };
        case 'and': return (p) => (a(p) & b(p)) >>> 0;
        case 'or': return (p) => (a(p) | b(p)) >>> 0;
        case 'xor': return (p) => (a(p) ^ b(p)) >>> 0;
        case 'lsh': return (p) => { const x = a(p); const y = b(p); return y < 32 ? (x << y) >>> 0 : 0; };
        case 'rsh': return (p) => { const x = a(p); const y = b(p); return y < 32 ? x >>> y : 0; };
      }
    }
  }
}

/** Turns a predicate into closures reading the packet; `st` must be reset by the caller per packet. */
export function compilePred(n: Pred, st: EvalState): Test {
  switch (n.k) {
    case 'const': { const v = n.v; return () => v; }
    case 'not': { const a = compilePred(n.a, st); return (p) => !a(p); }
    case 'and': { const a = compilePred(n.a, st); const b = compilePred(n.b, st); return (p) => a(p) && b(p); }
    case 'or': { const a = compilePred(n.a, st); const b = compilePred(n.b, st); return (p) => a(p) || b(p); }
    case 'jmp': return compileJmp(n, st);
  }
}

/** One conditional jump, with its loads. */
export function compileJmp(n: Jmp, st: EvalState): Test {
  const a = compileVal(n.a, st);
  if (n.b.k === 'imm') {
    const k = n.b.v;
    switch (n.op) {
      case 'eq': return (p) => a(p) === k;
      case 'gt': return (p) => a(p) > k;
      case 'ge': return (p) => a(p) >= k;
      case 'set': return (p) => (a(p) & k) !== 0;
    }
  }
  const b = compileVal(n.b, st);
  switch (n.op) {
    case 'eq': return (p) => a(p) === b(p);
    case 'gt': return (p) => a(p) > b(p);
    case 'ge': return (p) => a(p) >= b(p);
    case 'set': return (p) => (a(p) & b(p)) !== 0;
  }
}
