// Tokens and words. Words are cut into parts here (quoting, $-expansions,
// command substitutions) so that the parser only deals with whole tokens.
import { ScriptError } from './errors.ts';
import type { HereDoc, List, Part, Word } from './syntax.ts';

export type Token =
  | { k: 'word'; word: Word; start: number; end: number; line: number }
  | { k: 'op'; op: string; fd: number | null; start: number; end: number; line: number }
  | { k: 'nl' | 'eof'; start: number; end: number; line: number };

/** Parses a command list for `$(…)` (up to and including the `)`) or for backquotes (to the end). */
export type SubParser = (lex: Lexer, toEnd: boolean) => List;

type Mode = 'word' | 'dq' | 'heredoc' | 'brace' | 'pat';

const OPS = [';;&', '<<<', '<<-', '&>>', '&&', '||', ';;', ';&', '|&', '<<', '>>', '>&', '<&', '<>', '>|', '&>',
  '&', '|', ';', '(', ')', '<', '>'];
const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const PARAM_OPS = [':-', ':=', ':+', ':?', '##', '%%', '//', '/#', '/%', '^^', ',,', '-', '=', '+', '?', '#', '%', '/',
  ':', '^', ','];
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

export class Lexer {
  pending: HereDoc[] = [];

  constructor(readonly src: string, readonly file: string, readonly sub: SubParser, public pos = 0, public line = 1,
    readonly warnings: string[] = []) {}

  fail(msg: string, line = this.line, incomplete = false): never {
    throw new ScriptError(this.file, line, `${this.file}: line ${line}: ${msg}`, 2, incomplete);
  }

  unsupported(what: string, line = this.line): never {
    this.fail(`unsupported shell construct: ${what}`, line);
  }

  eofError(close: string): never {
    const line = close === ')' ? this.eofLine() : this.line;
    this.fail(`unexpected EOF while looking for matching \`${close}'`, line, true);
  }

  /** The line bash names for errors at the end of the input. */
  eofLine(): number {
    let n = 1;
    for (let i = this.src.indexOf('\n'); i >= 0; i = this.src.indexOf('\n', i + 1)) n++;
    return this.src.endsWith('\n') ? n : n + 1;
  }

  private skipBlanks(): void {
    const { src } = this;
    for (;;) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && src[this.pos + 1] === '\n') { this.pos += 2; this.line++; }
      else if (c === '#') { while (this.pos < src.length && src[this.pos] !== '\n') this.pos++; }
      else return;
    }
  }

  next(): Token {
    this.skipBlanks();
    const { src } = this;
    const start = this.pos;
    const line = this.line;
    if (start >= src.length) return { k: 'eof', start, end: start, line };
    if (src[start] === '\n') {
      this.pos++;
      this.line++;
      if (this.pending.length > 0) this.readHereDocs();
      return { k: 'nl', start, end: start + 1, line };
    }
    let p = start;
    while (p < src.length && src[p] >= '0' && src[p] <= '9') p++;
    let fd: number | null = null;
    if (p > start && (src[p] === '<' || src[p] === '>')) fd = Number(src.slice(start, p));
    else p = start;
    for (const op of OPS) {
      if (!src.startsWith(op, p)) continue;
      if ((op === '<' || op === '>') && src[p + 1] === '(') this.unsupported(`process substitution ${op}(…)`);
      this.pos = p + op.length;
      return { k: 'op', op, fd, start, end: this.pos, line };
    }
    const word = this.readWord();
    return { k: 'word', word, start, end: this.pos, line };
  }

  readWord(): Word {
    const start = this.pos;
    const line = this.line;
    const parts = this.readParts('word', false);
    return { parts, raw: this.src.slice(start, this.pos), line };
  }

  /** Reads the here-document bodies queued on the line that just ended. */
  private readHereDocs(): void {
    const { src } = this;
    for (const hd of this.pending) {
      const line = this.line;
      let text = '';
      let ended = false;
      while (this.pos < src.length) {
        let e = src.indexOf('\n', this.pos);
        if (e < 0) e = src.length;
        let l = src.slice(this.pos, e);
        this.pos = Math.min(e + 1, src.length);
        this.line++;
        if (hd.strip) l = l.replace(/^\t+/, '');
        if (l === hd.delim) { ended = true; break; }
        text += l + '\n';
      }
      if (!ended) {
        const last = countNl(src) + (src.endsWith('\n') ? 0 : 1);
        this.warnings.push(`${this.file}: line ${last}: warning: here-document at line ${hd.line} `
          + `delimited by end-of-file (wanted \`${hd.delim}')`);
      }
      if (hd.quoted) hd.body = { parts: [{ k: 'lit', v: text, q: true }], raw: text, line };
      else {
        const lex = new Lexer(text, this.file, this.sub, 0, line, this.warnings);
        hd.body = { parts: lex.readParts('heredoc', true), raw: text, line };
      }
    }
    this.pending = [];
  }

  readParts(mode: Mode, q: boolean): Part[] {
    const { src } = this;
    const parts: Part[] = [];
    let lit = '';
    let litQ = q;
    const flush = (): void => {
      if (lit !== '') parts.push({ k: 'lit', v: lit, q: litQ });
      lit = '';
    };
    const push = (s: string, sq: boolean): void => {
      if (sq !== litQ) { flush(); litQ = sq; }
      if (s === '' && sq) { flush(); parts.push({ k: 'lit', v: '', q: true }); }
      lit += s;
    };
    const inQuotes = q || mode === 'dq' || mode === 'heredoc';
    const unquotedLike = mode === 'word' || ((mode === 'brace' || mode === 'pat') && !q);
    const wordStart = this.pos;
    for (;;) {
      if (this.pos >= src.length) {
        if (mode === 'dq') this.eofError('"');
        if (mode === 'brace' || mode === 'pat') this.eofError('}');
        break;
      }
      const c = src[this.pos];
      if (mode === 'word' && META.has(c)) break;
      if (mode === 'dq' && c === '"') { this.pos++; break; }
      if ((mode === 'brace' || mode === 'pat') && c === '}') break;
      if (mode === 'pat' && c === '/') break;
      if (c === '\\') {
        const n = src[this.pos + 1];
        if (n === undefined) { push('\\', inQuotes); this.pos++; continue; }
        if (n === '\n') { this.pos += 2; this.line++; continue; }
        const special = unquotedLike ? null : mode === 'heredoc' ? '$`\\' : mode === 'dq' ? '$`"\\' : '$`"\\}';
        if (special === null || special.includes(n)) { push(n, true); this.pos += 2; }
        else { push('\\', true); this.pos++; }
        continue;
      }
      if (c === "'" && unquotedLike) {
        const e = src.indexOf("'", this.pos + 1);
        if (e < 0) this.eofError("'");
        const s = src.slice(this.pos + 1, e);
        this.line += countNl(s);
        push(s, true);
        this.pos = e + 1;
        continue;
      }
      if (c === '"' && mode !== 'dq' && mode !== 'heredoc') {
        this.pos++;
        flush();
        const inner = this.readParts('dq', true);
        if (inner.length === 0) parts.push({ k: 'lit', v: '', q: true });
        else parts.push(...inner);
        continue;
      }
      if (c === '$') {
        flush();
        const p = this.readDollar(inQuotes);
        if (p) parts.push(p);
        else { push('$', inQuotes); this.pos++; }
        continue;
      }
      if (c === '`') { flush(); parts.push(this.readBacktick(inQuotes)); continue; }
      if (c === '~' && mode === 'word' && this.pos === wordStart) {
        const n = src[this.pos + 1];
        if (n === undefined || n === '/' || META.has(n)) { parts.push({ k: 'tilde' }); this.pos++; continue; }
      }
      if (c === '\n') this.line++;
      push(c, inQuotes);
      this.pos++;
    }
    flush();
    return parts;
  }

  private readDollar(q: boolean): Part | null {
    const { src } = this;
    const n = src[this.pos + 1];
    if (n === '(') {
      if (src[this.pos + 2] === '(') {
        const a = this.tryArith(q);
        if (a) return a;
      }
      const line = this.line;
      this.pos += 2;
      return { k: 'cmd', body: this.sub(this, false), q, line };
    }
    if (n === '{') return this.readBrace(q);
    if (n === "'" && !q) return this.readAnsiC();
    if (n === '"' && !q) { this.pos++; return { k: 'lit', v: '', q: false }; }
    if (n !== undefined && /[A-Za-z_]/.test(n)) {
      NAME_RE.lastIndex = this.pos + 1;
      const m = NAME_RE.exec(src);
      const name = m ? m[0] : n;
      this.pos += 1 + name.length;
      return { k: 'param', name, op: '', q };
    }
    if (n !== undefined && (/[0-9]/.test(n) || '?#@*$!-'.includes(n))) {
      this.pos += 2;
      return { k: 'param', name: n, op: '', q };
    }
    return null;
  }

  private tryArith(q: boolean): Part | null {
    const { src } = this;
    let depth = 0;
    for (let i = this.pos + 3; i < src.length; i++) {
      const c = src[i];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth > 0) { depth--; continue; }
        if (src[i + 1] !== ')') return null;
        const inner = src.slice(this.pos + 3, i);
        const lex = new Lexer(inner, this.file, this.sub, 0, this.line, this.warnings);
        const expr: Word = { parts: lex.readParts('heredoc', true), raw: inner, line: this.line };
        this.line += countNl(inner);
        this.pos = i + 2;
        return { k: 'arith', expr, q };
      }
    }
    this.fail("unexpected EOF while looking for matching `)'", this.line, true);
  }

  private readBrace(q: boolean): Part {
    const { src } = this;
    const startLine = this.line;
    let p = this.pos + 2;
    const readName = (at: number): string => {
      NAME_RE.lastIndex = at;
      const m = NAME_RE.exec(src);
      if (m) return m[0];
      const d = /[0-9]+/y;
      d.lastIndex = at;
      const dm = d.exec(src);
      if (dm) return dm[0];
      const c = src[at];
      return c !== undefined && '?#@*$!-'.includes(c) ? c : '';
    };
    const bad = (): never => {
      const e = src.indexOf('}', this.pos);
      this.fail(`${e < 0 ? src.slice(this.pos) : src.slice(this.pos, e + 1)}: bad substitution`, startLine);
    };
    if (src[p] === '#' && src[p + 1] !== '}') {
      const name = readName(p + 1);
      if (name && src[p + 1 + name.length] === '}') {
        this.pos = p + 2 + name.length;
        return { k: 'param', name, op: 'len', q };
      }
    }
    if (src[p] === '!' && src[p + 1] !== '}') this.unsupported('indirect expansion ${!…}', startLine);
    const name = readName(p);
    if (!name) bad();
    p += name.length;
    if (src[p] === '[') this.unsupported('arrays', startLine);
    if (src[p] === '}') {
      this.pos = p + 1;
      return { k: 'param', name, op: '', q };
    }
    if (p >= src.length) this.eofError('}');
    const found = PARAM_OPS.find((o) => src.startsWith(o, p));
    const op = found ?? bad();
    this.pos = p + op.length;
    const part: Part & { k: 'param' } = { k: 'param', name, op, q };
    if (op[0] === '/') {
      part.arg = { parts: this.readParts('pat', q), raw: '', line: this.line };
      if (src[this.pos] === '/') {
        this.pos++;
        part.rep = { parts: this.readParts('brace', q), raw: '', line: this.line };
      }
    } else {
      part.arg = { parts: this.readParts('brace', q), raw: '', line: this.line };
    }
    this.pos++; // the closing brace (readParts stops only there or fails at EOF)
    return part;
  }

  private readBacktick(q: boolean): Part {
    const { src } = this;
    let i = this.pos + 1;
    let inner = '';
    while (i < src.length && src[i] !== '`') {
      const n = src[i + 1];
      if (src[i] === '\\' && n !== undefined && ('$`\\'.includes(n) || (q && n === '"'))) {
        inner += n;
        i += 2;
        continue;
      }
      inner += src[i];
      i++;
    }
    if (i >= src.length) this.eofError('`');
    const line = this.line;
    this.line += countNl(inner);
    this.pos = i + 1;
    const lex = new Lexer(inner, this.file, this.sub, 0, line, this.warnings);
    return { k: 'cmd', body: this.sub(lex, true), q, line };
  }

  private readAnsiC(): Part {
    const { src } = this;
    let i = this.pos + 2;
    let out = '';
    const simple: Record<string, string> = {
      n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'",
      '"': '"', '?': '?',
    };
    while (i < src.length && src[i] !== "'") {
      if (src[i] !== '\\') { out += src[i++]; continue; }
      const n = src[i + 1] ?? '';
      const rest = src.slice(i + 2);
      let m: RegExpMatchArray | null;
      if (n in simple) { out += simple[n]; i += 2; }
      else if ((m = /^[0-7]{0,2}/.exec(rest)) && /[0-7]/.test(n)) {
        out += String.fromCharCode(parseInt(n + m[0], 8) & 255);
        i += 2 + m[0].length;
      } else if (n === 'x' && (m = /^[0-9a-fA-F]{1,2}/.exec(rest))) {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 2 + m[0].length;
      } else if ((n === 'u' || n === 'U') && (m = /^[0-9a-fA-F]{1,8}/.exec(rest))) {
        out += String.fromCodePoint(parseInt(m[0].slice(0, n === 'u' ? 4 : 8), 16));
        i += 2 + Math.min(m[0].length, n === 'u' ? 4 : 8);
      } else if (n === 'c' && rest.length > 0) {
        out += String.fromCharCode(rest.charCodeAt(0) & 31);
        i += 3;
      } else { out += '\\' + n; i += 2; }
    }
    if (i >= src.length) this.eofError("'");
    this.line += countNl(src.slice(this.pos, i));
    this.pos = i + 1;
    return { k: 'lit', v: out, q: true };
  }
}

export function countNl(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
