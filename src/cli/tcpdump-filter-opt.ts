/**
 * A model of what libpcap 1.10's optimizer (optimize.c) does to a filter, as far as anyone
 * can observe it: which loads are still performed (a load past the end of the packet rejects
 * it, so a test the optimizer removed can no longer do that), and which filters tcpdump
 * refuses with "expression rejects all packets".
 *
 * The filter becomes a decision graph of BPF-like blocks (one per conditional jump, the same
 * shape gencode.c builds). Then, like bpf_optimize():
 *
 * 1. The first optimizer loop numbers values without rewriting statements and moves jumps:
 *    an edge into a test whose outcome the tests on every path to that edge already fix
 *    (the same test, or `==` against another constant after a true `==`) goes straight to
 *    the outcome (fold_edge/opt_j); a test with both branches alike, or comparing constants,
 *    disappears.
 * 2. The second loop rewrites statements (constants folded into loads and ALU operations,
 *    `x & 0` becoming 0, …) but no longer moves jumps; a test that becomes constant keeps its
 *    place but loads nothing. Its errors (a folded division by zero, an over-long shift) are
 *    reported then.
 * 3. A root whose outcome is then fixed replaces the program; if that outcome is "reject",
 *    tcpdump refuses the filter.
 */
import { type AluOp, type EvalState, type Jmp, type JmpOp, type Pred, type Test, type Val, compileJmp } from './tcpdump-filter-ir.ts';

/** An error libpcap's optimizer reports (division by a folded zero, over-long shift). */
export class OptimizerError extends Error {}

/** A block: its jump and its two successors; `true`/`false` are "ret #snaplen" / "ret #0". */
interface Block { readonly jmp: Jmp; t: Target; f: Target; readonly form: Form; final?: Form }
type Target = Block | boolean;
/** A test as the optimizer compares them: fixed, or (code, value of A, operand), negated or not. */
type Form = { known: boolean } | { known: undefined; code: string; akey: string; okey: string; neg: boolean };

function evalJump(op: JmpOp, a: number, k: number): boolean {
  return op === 'eq' ? a === k : op === 'gt' ? a > k : op === 'ge' ? a >= k : (a & k) !== 0;
}

// --- first loop: value numbers of the statements as gencode wrote them --------------------------

interface V1 { c: number | null; key: string; andMask?: number; andOf?: V1 }

function vn1(v: Val): V1 {
  switch (v.k) {
    case 'imm': return { c: v.v, key: `#${v.v}` };
    case 'len': return { c: null, key: 'len' };
    case 'ld': return { c: null, key: `ld${v.size}[${v.off}]` };
    case 'ldx': return { c: null, key: `ldi${v.size}[${vn1(v.x).key}+${v.off}]` };
    case 'msh': return { c: null, key: `msh[${v.off}]` };
    case 'neg': return { c: null, key: `(neg ${vn1(v.a).key})` };
    case 'alu': {
      const a = vn1(v.a);
      const b = vn1(v.b);
      const key = `(${v.op}${v.kform ? 'K' : 'X'} ${a.key} ${b.key})`;
      return v.kform && v.op === 'and' && b.c !== null ? { c: null, key, andMask: b.c, andOf: a } : { c: null, key };
    }
  }
}

/** The test after the first loop's peepholes: `sub x; jeq #0` → `jeq #k`, `and #k; jeq #0` → `jset #k`. */
function form1(n: Jmp): Form {
  const a = vn1(n.a);
  const b = vn1(n.b);
  if (b.c === null) return { known: undefined, code: `${n.op}X`, akey: a.key, okey: b.key, neg: false };
  let op = n.op;
  let k = b.c;
  let av = a;
  let neg = false;
  if (op === 'eq' && k === 0 && a.andOf !== undefined && a.andMask !== undefined) {
    op = 'set';
    k = a.andMask;
    av = a.andOf;
    neg = true;
  }
  if (op === 'set' && k === 0) return { known: neg };
  if (op === 'set' && k === 0xffffffff) return { known: !neg };
  if (av.c !== null) return { known: evalJump(op, av.c, k) !== neg };
  return { known: undefined, code: `${op}K`, akey: av.key, okey: `#${k}`, neg };
}

// --- second loop: values after statement rewriting ---------------------------------------------

interface V2 { c: number | null; key: string; op?: AluOp; inner?: V2; k?: number }

function konst(c: number): V2 {
  return { c: c >>> 0, key: `#${c >>> 0}` };
}

function fold(op: AluOp, a: number, b: number): number {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': if (b === 0) throw new OptimizerError('division by zero'); return Math.floor(a / b);
    case 'mod': if (b === 0) throw new OptimizerError('modulus by zero'); return a % b;
    case 'and': return (a & b) >>> 0;
    case 'or': return (a | b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return b < 32 ? (a << b) >>> 0 : 0;
    case 'rsh': return b < 32 ? a >>> b : 0;
  }
}

function vn2(v: Val): V2 {
  switch (v.k) {
    case 'imm': return konst(v.v);
    case 'len': return { c: null, key: 'len' };
    case 'ld': return { c: null, key: `ld${v.size}[${v.off}]` };
    case 'msh': return { c: null, key: `msh[${v.off}]` };
    case 'ldx': {
      const x = vn2(v.x);
      // A load indexed by a known X becomes an absolute load.
      return x.c !== null ? { c: null, key: `ld${v.size}[${x.c + v.off}]` } : { c: null, key: `ldi${v.size}[${x.key}+${v.off}]` };
    }
    case 'neg': {
      const a = vn2(v.a);
      return a.c !== null ? konst(0 - a.c) : { c: null, key: `(neg ${a.key})` };
    }
    case 'alu': {
      const a = vn2(v.a);
      const b = vn2(v.b);
      if (a.c !== null && b.c !== null) return konst(fold(v.op, a.c, b.c));
      if (b.c !== null) {
        if ((v.op === 'lsh' || v.op === 'rsh') && b.c > 31) throw new OptimizerError('shift by more than 31 bits');
        if (b.c === 0) {
          if (v.op === 'add' || v.op === 'lsh' || v.op === 'rsh' || v.op === 'or' || v.op === 'xor') return a;
          if (v.op === 'mul' || v.op === 'and') return konst(0);
          if (v.op === 'div') throw new OptimizerError('division by zero');
          if (v.op === 'mod') throw new OptimizerError('modulus by zero');
        }
        return { c: null, key: `(${v.op} ${a.key} #${b.c})`, op: v.op, inner: a, k: b.c };
      }
      if (a.c === 0) { // an operation on an accumulator known to be 0
        if (v.op === 'add' || v.op === 'or' || v.op === 'xor') return b;
        if (v.op !== 'sub') return konst(0);
      }
      return { c: null, key: `(${v.op} ${a.key} ${b.key})` };
    }
  }
}

/** The test after the second loop; only whether it became fixed matters. */
function form2(n: Jmp): Form {
  let a = vn2(n.a);
  const b = vn2(n.b);
  let op = n.op;
  let neg = false;
  if (b.c === null) return { known: undefined, code: `${op}X`, akey: a.key, okey: b.key, neg };
  let k = b.c;
  while (op === 'eq' && a.inner !== undefined && a.k !== undefined) {
    if (a.op === 'sub') { k = (k + a.k) >>> 0; a = a.inner; continue; }
    if (a.op === 'and' && k === 0) { op = 'set'; k = a.k; a = a.inner; neg = true; }
    break;
  }
  if (a.c !== null) return { known: evalJump(op, a.c, k) !== neg };
  if (op === 'set' && k === 0) return { known: neg };
  if (op === 'set' && k === 0xffffffff) return { known: !neg };
  return { known: undefined, code: `${op}K`, akey: a.key, okey: `#${k}`, neg };
}

// --- the graph ---------------------------------------------------------------------------------

function build(n: Pred, t: Target, f: Target): Target {
  switch (n.k) {
    case 'const': return n.v ? t : f;
    case 'not': return build(n.a, f, t);
    case 'and': return build(n.a, build(n.b, t, f), f);
    case 'or': return build(n.a, t, build(n.b, t, f));
    case 'jmp': return { jmp: n, t, f, form: form1(n) };
  }
}

/** Facts known on an edge: `code|A|operand` → 'T'/'F', and `=A` → the constant A equals. */
type Facts = Map<string, string>;

/** The outcome `facts` fix for a test, if any (fold_edge). */
function folded(facts: Facts, fm: Form): boolean | undefined {
  if (fm.known !== undefined) return fm.known;
  const s = facts.get(`${fm.code}|${fm.akey}|${fm.okey}`);
  if (s !== undefined) return (s === 'T') !== fm.neg;
  if (fm.code === 'eqK' && facts.has(`=${fm.akey}`)) return fm.neg; // A is another constant
  return undefined;
}

function withOutcome(facts: Facts, fm: Form, raw: boolean): Facts {
  const out = new Map(facts);
  if (fm.known === undefined) {
    out.set(`${fm.code}|${fm.akey}|${fm.okey}`, raw ? 'T' : 'F');
    if (raw && fm.code === 'eqK') out.set(`=${fm.akey}`, fm.okey);
  }
  return out;
}

/** Follows blocks whose outcome is fixed (or whose branches agree) to where they lead. */
function skip(t: Target, facts: Facts | null): Target {
  while (typeof t !== 'boolean') {
    if (t.t === t.f) { t = t.t; continue; }
    const r = facts === null ? t.form.known : folded(facts, t.form);
    if (r === undefined) break;
    t = r ? t.t : t.f;
  }
  return t;
}

function reachable(root: Target): Block[] {
  const seen = new Set<Block>();
  const post: Block[] = [];
  const visit = (t: Target) => {
    if (typeof t === 'boolean' || seen.has(t)) return;
    seen.add(t);
    visit(t.t);
    visit(t.f);
    post.push(t);
  };
  visit(root);
  return post.reverse(); // topological: every block after all its predecessors
}

/** The first optimizer loop: jump threading until nothing moves. */
function threadJumps(root: Target): Target {
  for (let pass = 0; pass < 1000; pass++) {
    let changed = false;
    root = skip(root, null);
    const inFacts = new Map<Block, Facts>();
    const order = reachable(root);
    if (typeof root !== 'boolean') inFacts.set(root, new Map());
    for (const b of order) {
      const facts = inFacts.get(b);
      if (facts === undefined) continue; // no longer reached
      for (const raw of [true, false]) {
        const edge = withOutcome(facts, b.form, raw);
        const old = raw ? b.t : b.f;
        const to = skip(old, edge);
        if (to !== old) {
          changed = true;
          if (raw) b.t = to; else b.f = to;
        }
        if (typeof to === 'boolean') continue;
        const prev = inFacts.get(to);
        if (prev === undefined) inFacts.set(to, edge);
        else for (const [k, v] of prev) if (edge.get(k) !== v) prev.delete(k); // facts on every path
      }
    }
    if (!changed) break;
  }
  return skip(root, null);
}

/** The program as libpcap would run it: `null` when it rejects everything. Throws OptimizerError. */
export function optimize(pred: Pred): Target | null {
  const root = threadJumps(build(pred, true, false));
  for (const b of reachable(root)) b.final = form2(b.jmp);
  let entry = root;
  while (typeof entry !== 'boolean') {
    const fm = entry.final!;
    if (entry.t === entry.f) entry = entry.t;
    else if (fm.known !== undefined) entry = fm.known ? entry.t : entry.f;
    else break;
  }
  return entry === false ? null : root;
}

/** Closures for an optimized program; a block fixed by the second loop loads nothing. */
export function compileProgram(root: Target, st: EvalState): Test {
  const memo = new Map<Block, Test>();
  const go = (t: Target): Test => {
    if (typeof t === 'boolean') return t ? () => true : () => false;
    let fn = memo.get(t);
    if (fn !== undefined) return fn;
    const fm = t.final ?? form2(t.jmp);
    if (t.t === t.f || fm.known !== undefined) {
      fn = go(t.t === t.f || fm.known ? t.t : t.f);
    } else {
      const test = compileJmp(t.jmp, st);
      const yes = go(t.t);
      const no = go(t.f);
      fn = (p) => (test(p) ? yes(p) : no(p));
    }
    memo.set(t, fn);
    return fn;
  };
  return go(root);
}
