// echo's and printf's text: backslash escapes and % directives.
import { parseNumber } from './arith.ts';
import { shellQuote } from './redirect.ts';

/** Interprets echo -e and printf %b escapes (`printf`: those of a printf format); `stop` is set by \c. */
export function escapes(s: string, printf = false): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const n = s[++i];
    const map: Record<string, string> = {
      a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\',
    };
    if (printf) { map['"'] = '"'; map["'"] = "'"; }
    let m: RegExpExecArray | null;
    if (printf && /[0-7]/.test(n)) {
      m = /^[0-7]{1,3}/.exec(s.slice(i));
      const d = m ? m[0] : n;
      out += String.fromCharCode(parseInt(d, 8) & 255);
      i += d.length - 1;
    } else if (n in map) out += map[n];
    else if (n === 'c') return { text: out, stop: true };
    else if (n === '0' && !printf) {
      m = /^[0-7]{0,3}/.exec(s.slice(i + 1));
      const d = m ? m[0] : '';
      out += String.fromCharCode(parseInt(d || '0', 8) & 255);
      i += d.length;
    } else if (n === 'x' && (m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1)))) {
      out += String.fromCharCode(parseInt(m[0], 16));
      i += m[0].length;
    } else if ((n === 'u' || n === 'U') && (m = /^[0-9a-fA-F]{1,8}/.exec(s.slice(i + 1)))) {
      const d = m[0].slice(0, n === 'u' ? 4 : 8);
      out += String.fromCodePoint(parseInt(d, 16));
      i += d.length;
    } else out += '\\' + n;
  }
  return { text: out, stop: false };
}

export function echo(args: string[]): string {
  let newline = true;
  let esc = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (!/^-[neE]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (f === 'n') newline = false;
      else esc = f === 'e';
    }
  }
  const text = args.slice(i).join(' ');
  if (!esc) return text + (newline ? '\n' : '');
  const r = escapes(text);
  return r.text + (newline && !r.stop ? '\n' : '');
}

function toInt(arg: string, err: (m: string) => void): bigint {
  const s = arg.trim();
  if (s === '') return 0n;
  if (/^['"]/.test(s)) return BigInt(s.codePointAt(1) ?? 0);
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const v = parseNumber(body);
  if (v === null) {
    err(`${arg}: invalid number`);
    const m = /^[0-9]+/.exec(body);
    return m ? BigInt(m[0]) * (neg ? -1n : 1n) : 0n;
  }
  return neg ? -v : v;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero) {
    const sign = /^[+\- ]|^0[xX]/.exec(s)?.[0] ?? '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

/** printf FORMAT ARGS…: the output, and error messages for bad numbers. */
export function printf(fmt: string, args: string[]): { out: string; errors: string[] } {
  const errors: string[] = [];
  const err = (m: string): void => { errors.push(m); };
  let out = '';
  let ai = 0;
  const next = (): string | undefined => args[ai++];
  for (;;) {
    const startAi = ai;
    let i = 0;
    while (i < fmt.length) {
      const c = fmt[i];
      if (c === '\\') {
        const m = /^\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|.)/s.exec(fmt.slice(i));
        const seq = m ? m[0] : '\\';
        const r = escapes(seq, true);
        out += r.text;
        if (r.stop) return { out, errors };
        i += seq.length;
        continue;
      }
      if (c !== '%') { out += c; i++; continue; }
      const m = /^%([-+ #0]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?([diouxXcsbqfFeEgG%])/.exec(fmt.slice(i));
      if (!m) { out += c; i++; continue; }
      i += m[0].length;
      const flags = m[1];
      const conv = m[4];
      if (conv === '%') { out += '%'; continue; }
      const width = m[2] === '*' ? Number(toInt(next() ?? '0', err)) : Number(m[2] ?? 0);
      const precRaw = m[3] === '*' ? String(toInt(next() ?? '0', err)) : m[3];
      const prec = precRaw === undefined ? undefined : Number(precRaw || 0);
      const left = flags.includes('-') || width < 0;
      const zero = flags.includes('0') && (prec === undefined || 'fFeEgG'.includes(conv));
      const w = Math.abs(width);
      const arg = next();
      let s: string;
      switch (conv) {
        case 's': s = arg ?? ''; if (prec !== undefined) s = s.slice(0, prec); break;
        case 'q': s = shellQuote(arg ?? ''); break;
        case 'c': s = (arg ?? '').slice(0, 1); break;
        case 'b': {
          const r = escapes(arg ?? '');
          out += pad(r.text, w, left, false);
          if (r.stop) return { out, errors };
          continue;
        }
        case 'd': case 'i': {
          const v = toInt(arg ?? '0', err);
          let digits = (v < 0n ? -v : v).toString();
          if (prec !== undefined) digits = digits.padStart(prec, '0');
          s = (v < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + digits;
          break;
        }
        case 'o': case 'u': case 'x': case 'X': {
          const v = BigInt.asUintN(64, toInt(arg ?? '0', err));
          let digits = v.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
          if (conv === 'X') digits = digits.toUpperCase();
          if (prec !== undefined) digits = digits.padStart(prec, '0');
          const alt = { o: '0', x: '0x', X: '0X', u: '' }[conv];
          if (flags.includes('#') && v !== 0n) digits = alt + digits;
          s = digits;
          break;
        }
        default: {
          const v = Number(arg ?? '0');
          if (Number.isNaN(v)) err(`${arg ?? ''}: invalid number`);
          const x = Number.isNaN(v) ? 0 : v;
          const p = prec ?? 6;
          if (conv === 'f' || conv === 'F') s = x.toFixed(p);
          else if (conv === 'e' || conv === 'E') s = x.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
          else s = String(Number(x.toPrecision(p || 1)));
          if (conv === 'E' || conv === 'G') s = s.toUpperCase();
          if (x >= 0 && flags.includes('+')) s = '+' + s;
        }
      }
      out += pad(s, w, left, zero && conv !== 's' && conv !== 'c' && conv !== 'q');
    }
    if (ai >= args.length || ai === startAi) break;
  }
  return { out, errors };
}
