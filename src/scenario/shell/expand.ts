// Word expansion: parameters, command substitution, arithmetic, field splitting
// and shell patterns (for `case` and ${x#pat}). No pathname globbing.
import { braceExpand } from './brace.ts';
import type { List, Part, Word } from './syntax.ts';

export interface ExpandHost {
  /** a variable, positional or special parameter; undefined when unset */
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  positional(): string[];
  nounset(): boolean;
  home(): string;
  cmdSubst(body: List, line: number): Promise<string>;
  /** evaluates arithmetic text, reporting errors through error() */
  arith(expr: string): string;
  /** reports an expansion error (the shell then exits); never returns */
  error(msg: string): never;
}

/** A piece of expanded text; 'brk' separates the words of "$@", 'sbrk' those of $@. */
type Seg = { t: string; q: boolean; split: boolean } | 'brk' | 'sbrk';

const DEFAULT_IFS = ' \t\n';

export async function expandWords(h: ExpandHost, words: readonly Word[]): Promise<string[]> {
  const out: string[] = [];
  for (const w of words) {
    for (const parts of braceExpand(w.parts)) {
      const segs: Seg[] = [];
      await expandParts(h, parts, segs);
      splitFields(segs, h.get('IFS') ?? DEFAULT_IFS, out);
    }
  }
  return out;
}

/** Expands without field splitting (assignments, redirection targets, here-documents, case words). */
export async function expandWord(h: ExpandHost, w: Word): Promise<string> {
  const segs: Seg[] = [];
  await expandParts(h, w.parts, segs);
  return joinSegs(segs);
}

/** Expands a pattern word into regular-expression source; quoted parts match literally. */
export async function expandPattern(h: ExpandHost, w: Word): Promise<string> {
  const segs: Seg[] = [];
  await expandParts(h, w.parts, segs);
  let re = '';
  for (const s of segs) {
    if (typeof s === 'string') re += ' ';
    else re += s.q ? escapeRe(s.t) : globToRe(s.t);
  }
  return re;
}

export function patternMatches(reSource: string, text: string): boolean {
  return new RegExp(`^(?:${reSource})$`, 's').test(text);
}

function joinSegs(segs: Seg[]): string {
  let s = '';
  for (const g of segs) s += typeof g === 'string' ? ' ' : g.t;
  return s;
}

async function expandParts(h: ExpandHost, parts: readonly Part[], out: Seg[]): Promise<void> {
  for (const p of parts) {
    switch (p.k) {
      case 'lit': out.push({ t: p.v, q: p.q, split: false }); break;
      case 'tilde': out.push({ t: h.home(), q: true, split: false }); break;
      case 'cmd': out.push({ t: await h.cmdSubst(p.body, p.line), q: p.q, split: !p.q }); break;
      case 'arith': {
        const segs: Seg[] = [];
        await expandParts(h, p.expr.parts, segs);
        out.push({ t: h.arith(joinSegs(segs)), q: p.q, split: !p.q });
        break;
      }
      case 'param': await expandParam(h, p, out); break;
    }
  }
}

async function expandParam(h: ExpandHost, p: Part & { k: 'param' }, out: Seg[]): Promise<void> {
  const { name, op, q } = p;
  const push = (t: string): void => { out.push({ t, q, split: !q }); };
  const all = name === '@' || name === '*';
  if (all && op === '') {
    const ps = h.positional();
    if (q && name === '*') {
      const ifs = h.get('IFS');
      push(ps.join(ifs === undefined ? ' ' : ifs.slice(0, 1)));
      return;
    }
    ps.forEach((v, i) => {
      if (i > 0) out.push(q ? 'brk' : 'sbrk');
      push(v);
    });
    return;
  }
  const val = all ? (h.positional().length > 0 ? h.positional().join(' ') : undefined) : h.get(name);
  const unset = val === undefined;
  const empty = unset || val === '';
  const colon = op.startsWith(':') && op.length === 2;
  const missing = colon ? empty : unset;
  const argText = async (): Promise<string> => (p.arg ? expandWord(h, p.arg) : '');
  const checkSet = (): void => {
    if (unset && h.nounset() && !all) h.error(`${name}: unbound variable`);
  };
  switch (op) {
    case '':
      checkSet();
      push(val ?? '');
      return;
    case 'len':
      checkSet();
      push(String(all ? h.positional().length : [...(val ?? '')].length));
      return;
    case '-': case ':-':
      if (!missing) { push(val ?? ''); return; }
      if (q) out.push({ t: '', q: true, split: false });
      if (p.arg) await expandParts(h, p.arg.parts, out);
      return;
    case '+': case ':+':
      if (q) out.push({ t: '', q: true, split: false });
      if (!missing && p.arg) await expandParts(h, p.arg.parts, out);
      return;
    case '=': case ':=': {
      if (!missing) { push(val ?? ''); return; }
      if (!/^[A-Za-z_]/.test(name)) h.error(`$${name}: cannot assign in this way`);
      const v = await argText();
      h.set(name, v);
      push(v);
      return;
    }
    case '?': case ':?': {
      if (!missing) { push(val ?? ''); return; }
      const msg = p.arg && p.arg.parts.length > 0 ? await argText() : 'parameter null or not set';
      h.error(`${name}: ${msg}`);
    }
  }
  checkSet();
  const v = val ?? '';
  switch (op) {
    case '#': case '##': case '%': case '%%': {
      const re = p.arg ? await expandPattern(h, p.arg) : '';
      push(removeMatch(v, re, op));
      return;
    }
    case '/': case '//': case '/#': case '/%': {
      const re = p.arg ? await expandPattern(h, p.arg) : '';
      const rep = p.rep ? await expandWord(h, p.rep) : '';
      push(replaceMatch(v, re, rep, op));
      return;
    }
    case ':': {
      const spec = await argText();
      const c = spec.indexOf(':');
      const chars = [...v];
      let off = Number(h.arith(c < 0 ? spec : spec.slice(0, c)));
      if (off < 0) off = Math.max(0, chars.length + off);
      let len = c < 0 ? chars.length : Number(h.arith(spec.slice(c + 1)));
      if (len < 0) len = Math.max(0, chars.length - off + len);
      push(chars.slice(off, off + len).join(''));
      return;
    }
    case '^^': push(v.toUpperCase()); return;
    case ',,': push(v.toLowerCase()); return;
    case '^': push(v.slice(0, 1).toUpperCase() + v.slice(1)); return;
    case ',': push(v.slice(0, 1).toLowerCase() + v.slice(1)); return;
  }
  h.error(`\${${name}${op}}: bad substitution`);
}

function removeMatch(v: string, re: string, op: string): string {
  const m = (s: string): boolean => patternMatches(re, s);
  const n = v.length;
  switch (op) {
    case '#': for (let i = 0; i <= n; i++) if (m(v.slice(0, i))) return v.slice(i); break;
    case '##': for (let i = n; i >= 0; i--) if (m(v.slice(0, i))) return v.slice(i); break;
    case '%': for (let i = n; i >= 0; i--) if (m(v.slice(i))) return v.slice(0, i); break;
    default: for (let i = 0; i <= n; i++) if (m(v.slice(i))) return v.slice(0, i); break;
  }
  return v;
}

function replaceMatch(v: string, re: string, rep: string, op: string): string {
  if (re === '') return v;
  const full = (s: string): boolean => patternMatches(re, s);
  const n = v.length;
  if (op === '/#') {
    for (let j = n; j >= 0; j--) if (full(v.slice(0, j))) return rep + v.slice(j);
    return v;
  }
  if (op === '/%') {
    for (let i = 0; i <= n; i++) if (full(v.slice(i))) return v.slice(0, i) + rep;
    return v;
  }
  let out = '';
  let i = 0;
  while (i <= n) {
    let end = -1;
    for (let j = n; j > i; j--) if (full(v.slice(i, j))) { end = j; break; }
    if (end < 0) {
      if (i < n) out += v[i];
      i++;
      continue;
    }
    out += rep;
    i = end;
    if (op === '/') return out + v.slice(i);
  }
  return out;
}

/** Splits on IFS the text that came from unquoted expansions; see POSIX 2.6.5. */
function splitFields(segs: Seg[], ifs: string, out: string[]): void {
  let cur = '';
  let has = false;
  let inDelim = false;
  let delimHadOther = false;
  const end = (): void => {
    out.push(cur);
    cur = '';
    has = false;
  };
  for (const s of segs) {
    if (s === 'brk') { end(); inDelim = false; continue; }
    if (s === 'sbrk') {
      if (has) end();
      continue;
    }
    if (!s.split || ifs === '') {
      cur += s.t;
      if (s.q || s.t !== '') { has = true; inDelim = false; }
      continue;
    }
    for (const c of s.t) {
      if (!ifs.includes(c)) {
        cur += c;
        has = true;
        inDelim = false;
      } else if (c === ' ' || c === '\t' || c === '\n') {
        if (has) { end(); inDelim = true; delimHadOther = false; }
      } else if (inDelim && !delimHadOther) {
        delimHadOther = true;
      } else {
        end();
        inDelim = true;
        delimHadOther = true;
      }
    }
  }
  if (has) out.push(cur);
}

export function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', xdigit: '0-9a-fA-F', punct: '!-\\/:-@\\[-`{-~', word: '\\w',
};

export function globToRe(s: string): string {
  let r = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '*') r += '[\\s\\S]*';
    else if (c === '?') r += '[\\s\\S]';
    else if (c === '\\' && i + 1 < s.length) r += escapeRe(s[++i]);
    else if (c === '[') {
      let j = i + 1;
      if (s[j] === '!' || s[j] === '^') j++;
      if (s[j] === ']') j++;
      while (j < s.length && s[j] !== ']') {
        const cls = s.startsWith('[:', j) ? s.indexOf(':]', j) : -1;
        j = cls > 0 ? cls + 2 : j + 1;
      }
      if (j >= s.length) { r += '\\['; continue; }
      let body = s.slice(i + 1, j);
      let neg = '';
      if (body[0] === '!' || body[0] === '^') { neg = '^'; body = body.slice(1); }
      const cls = body.replace(/\[:([a-z]+):\]|([\\\]^[])/g, (_m, name: string | undefined, ch: string | undefined) =>
        name !== undefined ? CLASSES[name] ?? '' : '\\' + ch);
      r += `[${neg}${cls}]`;
      i = j;
    } else r += escapeRe(c);
  }
  return r;
}
