// Recursive-descent parser for the POSIX shell grammar (plus a few bash forms).
import { Lexer, type Token } from './lexer.ts';
import type {
  AndOr, Assign, Case, CaseItem, Command, For, FuncDef, Group, If, List, Pipeline, Redir, RedirOp, Simple, Word,
} from './syntax.ts';

const REDIR_OPS = new Set(['<', '>', '>>', '>|', '<>', '>&', '<&', '&>', '&>>', '<<', '<<-', '<<<']);
const LIST_END_WORDS = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);
const LIST_END_OPS = new Set([')', ';;', ';&', ';;&']);
const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;
const UNSUPPORTED_WORDS: Record<string, string> = {
  select: 'select', coproc: 'coproc', '[[': '[[ … ]] (use [ … ])', time: 'time', declare: 'declare',
  typeset: 'typeset',
};

/** Parses a whole script; throws ScriptError on syntax errors and unsupported constructs. */
export function parseScript(src: string, file: string, line = 1, warnings: string[] = []): List {
  const p = new Parser(new Lexer(src, file, subParse, 0, line, warnings));
  const list = p.list();
  const t = p.peek();
  if (t.k !== 'eof') p.unexpected(t);
  return list;
}

function subParse(outer: Lexer, toEnd: boolean): List {
  if (toEnd) return parseScript(outer.src, outer.file, outer.line, outer.warnings);
  const lex = new Lexer(outer.src, outer.file, subParse, outer.pos, outer.line, outer.warnings);
  const p = new Parser(lex);
  const list = p.list();
  const t = p.next();
  if (t.k === 'eof') lex.eofError(')');
  if (t.k !== 'op' || t.op !== ')') p.unexpected(t);
  outer.pos = lex.pos;
  outer.line = lex.line;
  return list;
}

/** The word's text if it is entirely unquoted literal text. */
function plain(w: Word): string | null {
  if (w.parts.length !== 1) return null;
  const p = w.parts[0];
  return p.k === 'lit' && !p.q ? p.v : null;
}

class Parser {
  private tok: Token | null = null;
  private lastEnd = 0;
  constructor(private readonly lex: Lexer) {}

  peek(): Token {
    if (!this.tok) this.tok = this.lex.next();
    return this.tok;
  }

  next(): Token {
    const t = this.peek();
    this.tok = null;
    if (t.k === 'word' || t.k === 'op') this.lastEnd = t.end;
    return t;
  }

  unexpected(t: Token): never {
    if (t.k === 'eof') this.lex.fail('syntax error: unexpected end of file', this.lex.eofLine(), true);
    const text = t.k === 'op' ? t.op : t.k === 'word' ? t.word.raw : 'newline';
    const src = this.lex.src;
    const s = src.lastIndexOf('\n', t.start - 1) + 1;
    let e = src.indexOf('\n', t.start);
    if (e < 0) e = src.length;
    const f = this.lex.file;
    this.lex.fail(`syntax error near unexpected token \`${text}'\n${f}: line ${t.line}: \`${src.slice(s, e)}'`, t.line);
  }

  private isOp(t: Token, op: string): boolean {
    return t.k === 'op' && t.op === op;
  }

  private isWord(t: Token, w: string): boolean {
    return t.k === 'word' && plain(t.word) === w;
  }

  private skipNl(): void {
    while (this.peek().k === 'nl') this.next();
  }

  private atListEnd(): boolean {
    const t = this.peek();
    if (t.k === 'eof') return true;
    if (t.k === 'op') return LIST_END_OPS.has(t.op);
    if (t.k === 'word') {
      const w = plain(t.word);
      return w !== null && LIST_END_WORDS.has(w);
    }
    return false;
  }

  list(): List {
    const items: List['items'] = [];
    this.skipNl();
    while (!this.atListEnd()) {
      const node = this.andOr();
      const t = this.peek();
      let bg = false;
      if (this.isOp(t, '&')) { bg = true; this.next(); }
      else if (this.isOp(t, ';') || t.k === 'nl') this.next();
      else if (!this.atListEnd()) this.unexpected(t);
      items.push({ node, bg });
      this.skipNl();
    }
    return { items };
  }

  /** A list that must not be empty, followed by one of the given reserved words. */
  private body(...ends: string[]): { list: List; end: string } {
    const list = this.list();
    const t = this.next();
    if (list.items.length === 0 || t.k !== 'word') this.unexpected(t);
    const w = plain(t.word);
    if (w === null || !ends.includes(w)) this.unexpected(t);
    return { list, end: w };
  }

  private andOr(): AndOr {
    const start = this.peek().start;
    const line = this.peek().line;
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      this.next();
      this.skipNl();
      rest.push({ op: t.op, p: this.pipeline() });
    }
    return { line, text: this.lex.src.slice(start, this.lastEnd).trim(), first, rest };
  }

  private pipeline(): Pipeline {
    let neg = false;
    const line = this.peek().line;
    while (this.isWord(this.peek(), '!')) { this.next(); neg = !neg; }
    const cmds: Command[] = [this.command()];
    const pipeErr: boolean[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op' || (t.op !== '|' && t.op !== '|&')) break;
      this.next();
      this.skipNl();
      pipeErr.push(t.op === '|&');
      cmds.push(this.command());
    }
    return { neg, line, cmds, pipeErr };
  }

  private command(): Command {
    const t = this.peek();
    if (t.k === 'op') {
      if (t.op === '(') {
        this.next();
        const a = this.lex.src[t.start + 1] === '(' ? this.arithCommand(t) : null;
        if (a) return a;
        const body = this.list();
        const c = this.next();
        if (!this.isOp(c, ')')) this.unexpected(c);
        if (body.items.length === 0) this.unexpected(c);
        return this.withRedirs<Group>({ t: 'subshell', line: t.line, body, redirs: [] });
      }
      if (REDIR_OPS.has(t.op)) return this.simple();
      this.unexpected(t);
    }
    if (t.k !== 'word') this.unexpected(t);
    const w = plain(t.word);
    if (w !== null) {
      if (w in UNSUPPORTED_WORDS) this.lex.unsupported(UNSUPPORTED_WORDS[w], t.line);
      switch (w) {
        case '{': {
          this.next();
          const { list } = this.body('}');
          return this.withRedirs<Group>({ t: 'group', line: t.line, body: list, redirs: [] });
        }
        case 'if': return this.ifCommand();
        case 'while': case 'until': {
          this.next();
          const cond = this.body('do').list;
          const body = this.body('done').list;
          return this.withRedirs({ t: 'while', line: t.line, until: w === 'until', cond, body, redirs: [] });
        }
        case 'for': return this.forCommand();
        case 'case': return this.caseCommand();
        case 'function': {
          this.next();
          const n = this.next();
          if (n.k !== 'word') this.unexpected(n);
          if (this.isOp(this.peek(), '(')) {
            this.next();
            const c = this.next();
            if (!this.isOp(c, ')')) this.unexpected(c);
          }
          return this.funcBody(n.word.raw, t.line);
        }
        default:
          if (LIST_END_WORDS.has(w)) this.unexpected(t);
      }
    }
    return this.simple();
  }

  private funcBody(name: string, line: number): Command {
    this.skipNl();
    const t = this.peek();
    const w = t.k === 'word' ? plain(t.word) : null;
    const compound = w !== null && ['{', 'if', 'for', 'while', 'until', 'case'].includes(w);
    if (!this.isOp(t, '(') && !compound) this.unexpected(t);
    const body = this.command();
    return { t: 'func', line, name, body };
  }

  private withRedirs<T extends Exclude<Command, Simple | FuncDef>>(c: T): T {
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op' || !REDIR_OPS.has(t.op)) break;
      c.redirs.push(this.redir());
    }
    return c;
  }

  /** `(( expr ))`, or null for `( (…) … )` (a subshell starting with one). */
  private arithCommand(open: Token): Command | null {
    // the lexer has already read the first '('; read the raw text up to the matching '))'
    const lex: Lexer = this.lex;
    const src = lex.src;
    let depth = 0;
    for (let i = open.start + 2; i < src.length; i++) {
      if (src[i] === '(') depth++;
      else if (src[i] === ')') {
        if (depth > 0) { depth--; continue; }
        if (src[i + 1] !== ')') return null;
        const raw = src.slice(open.start + 2, i);
        const sub = new Lexer(raw, lex.file, lex.sub, 0, open.line, lex.warnings);
        const expr: Word = { parts: sub.readParts('heredoc', true), raw, line: open.line };
        lex.pos = i + 2;
        for (const ch of raw) if (ch === '\n') lex.line++;
        this.lastEnd = lex.pos;
        return this.withRedirs({ t: 'arith', line: open.line, expr, redirs: [] });
      }
    }
    lex.eofError('))');
  }

  private ifCommand(): If {
    const line = this.next().line;
    const clauses: If['clauses'] = [];
    let elseList: List | null = null;
    for (;;) {
      const cond = this.body('then').list;
      const r = this.body('elif', 'else', 'fi');
      clauses.push({ cond, body: r.list });
      if (r.end === 'fi') break;
      if (r.end === 'else') {
        elseList = this.body('fi').list;
        break;
      }
    }
    return this.withRedirs<If>({ t: 'if', line, clauses, else: elseList, redirs: [] });
  }

  private forCommand(): For {
    const line = this.next().line;
    if (this.isOp(this.peek(), '(')) this.lex.unsupported('for (( … ))', line);
    const n = this.next();
    if (n.k !== 'word' || plain(n.word) === null || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n.word.raw)) {
      if (n.k === 'word') this.lex.fail(`\`${n.word.raw}': not a valid identifier`, n.line);
      this.unexpected(n);
    }
    let words: Word[] | null = null;
    this.skipNl();
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      words = [];
      for (;;) {
        const t = this.peek();
        if (t.k !== 'word') break;
        words.push(t.word);
        this.next();
      }
      const s = this.next();
      if (!this.isOp(s, ';') && s.k !== 'nl') this.unexpected(s);
    } else if (this.isOp(this.peek(), ';')) this.next();
    this.skipNl();
    const d = this.next();
    if (!this.isWord(d, 'do')) this.unexpected(d);
    const body = this.body('done').list;
    return this.withRedirs<For>({ t: 'for', line, name: n.word.raw, words, body, redirs: [] });
  }

  private caseCommand(): Case {
    const line = this.next().line;
    const wt = this.next();
    if (wt.k !== 'word') this.unexpected(wt);
    this.skipNl();
    const inTok = this.next();
    if (!this.isWord(inTok, 'in')) this.unexpected(inTok);
    const items: CaseItem[] = [];
    for (;;) {
      this.skipNl();
      let t = this.next();
      if (this.isWord(t, 'esac')) break;
      if (this.isOp(t, '(')) t = this.next();
      const patterns: Word[] = [];
      for (;;) {
        if (t.k !== 'word') this.unexpected(t);
        patterns.push(t.word);
        t = this.next();
        if (this.isOp(t, ')')) break;
        if (!this.isOp(t, '|')) this.unexpected(t);
        t = this.next();
      }
      const body = this.list();
      const e = this.peek();
      let term: CaseItem['term'] = ';;';
      if (e.k === 'op' && (e.op === ';;' || e.op === ';&' || e.op === ';;&')) {
        term = e.op;
        this.next();
      } else if (!this.isWord(e, 'esac')) this.unexpected(e);
      items.push({ patterns, body, term });
    }
    return this.withRedirs<Case>({ t: 'case', line, word: wt.word, items, redirs: [] });
  }

  private redir(): Redir {
    const t = this.next();
    if (t.k !== 'op') this.unexpected(t);
    const target = this.next();
    if (target.k === 'eof') this.unexpected({ ...target, k: 'nl' });
    if (target.k !== 'word') this.unexpected(target);
    const r: Redir = { fd: t.fd, op: t.op as RedirOp, target: target.word };
    if (t.op === '<<' || t.op === '<<-') {
      const raw = target.word.raw;
      const quoted = /['"\\]/.test(raw);
      const delim = raw.replace(/\\(.)|['"]/g, '$1');
      r.heredoc = { delim, strip: t.op === '<<-', quoted, line: t.line, body: null };
      this.lex.pending.push(r.heredoc);
    }
    return r;
  }

  private simple(): Command {
    const first = this.peek();
    const cmd: Simple = { t: 'simple', line: first.line, assigns: [], words: [], redirs: [] };
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && REDIR_OPS.has(t.op)) { cmd.redirs.push(this.redir()); continue; }
      if (t.k !== 'word') break;
      this.next();
      const a = cmd.words.length === 0 ? this.assignment(t) : null;
      if (a) cmd.assigns.push(a);
      else cmd.words.push(t.word);
      if (cmd.words.length === 1 && cmd.assigns.length === 0 && this.isOp(this.peek(), '(')) {
        this.next();
        const c = this.next();
        if (!this.isOp(c, ')')) this.unexpected(c);
        return this.funcBody(t.word.raw, t.line);
      }
    }
    return cmd;
  }

  private assignment(t: Token & { k: 'word' }): Assign | null {
    const w = t.word;
    const p0 = w.parts[0];
    if (!p0 || p0.k !== 'lit' || p0.q) return null;
    const m = ASSIGN_RE.exec(p0.v);
    if (!m) return null;
    const next = this.peek();
    if (this.isOp(next, '(') && next.start === t.end) this.lex.unsupported('arrays', t.line);
    const rest = p0.v.slice(m[0].length);
    const parts = [...w.parts.slice(1)];
    if (rest.startsWith('~') && (rest.length === 1 || rest[1] === '/' || rest[1] === ':')) {
      parts.unshift({ k: 'tilde' }, { k: 'lit', v: rest.slice(1), q: false });
    } else if (rest !== '') parts.unshift({ k: 'lit', v: rest, q: false });
    return { name: m[1], append: m[2] === '+', value: { parts, raw: w.raw.slice(m[0].length), line: w.line } };
  }
}
