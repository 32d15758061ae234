// Brace expansion (bash): a{b,c}d and {1..5}, on the unquoted text of a word,
// before any other expansion.
import type { Part } from './syntax.ts';

/** An unquoted character, or a part brace expansion does not look into. */
type Item = string | Part;

function toItems(parts: readonly Part[]): Item[] {
  const items: Item[] = [];
  for (const p of parts) {
    if (p.k === 'lit' && !p.q) items.push(...p.v);
    else items.push(p);
  }
  return items;
}

function toParts(items: readonly Item[]): Part[] {
  const parts: Part[] = [];
  for (const it of items) {
    const last = parts[parts.length - 1];
    if (typeof it !== 'string') parts.push(it);
    else if (last && last.k === 'lit' && !last.q) last.v += it;
    else parts.push({ k: 'lit', v: it, q: false });
  }
  return parts;
}

function sequence(items: readonly Item[]): string[] | null {
  if (!items.every((i) => typeof i === 'string')) return null;
  const s = items.join('');
  let m = /^(-?[0-9]+)\.\.(-?[0-9]+)(?:\.\.(-?[0-9]+))?$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const step = Math.abs(Number(m[3] ?? 1)) || 1;
    const width = /^-?0[0-9]/.test(m[1]) || /^-?0[0-9]/.test(m[2]) ? Math.max(m[1].length, m[2].length) : 0;
    const out: string[] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) {
      const t = String(Math.abs(v)).padStart(width - (v < 0 ? 1 : 0), '0');
      out.push(v < 0 ? '-' + t : t);
    }
    return out;
  }
  m = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?[0-9]+))?$/.exec(s);
  if (!m) return null;
  const a = m[1].charCodeAt(0);
  const b = m[2].charCodeAt(0);
  const step = Math.abs(Number(m[3] ?? 1)) || 1;
  const out: string[] = [];
  for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) out.push(String.fromCharCode(v));
  return out;
}

function expandItems(items: readonly Item[]): Item[][] {
  for (let i = 0; i < items.length; i++) {
    if (items[i] !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let j = i + 1; j < items.length && close < 0; j++) {
      const c = items[j];
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) close = j;
        else depth--;
      } else if (c === ',' && depth === 0) commas.push(j);
    }
    if (close < 0) return [items.slice()];
    const prefix = items.slice(0, i);
    const suffix = items.slice(close + 1);
    let alts: Item[][];
    if (commas.length > 0) {
      alts = [];
      let from = i + 1;
      for (const c of [...commas, close]) {
        alts.push(items.slice(from, c));
        from = c + 1;
      }
    } else {
      const seq = sequence(items.slice(i + 1, close));
      if (!seq) continue;
      alts = seq.map((s) => [...s]);
    }
    const out: Item[][] = [];
    for (const alt of alts) for (const rest of expandItems([...alt, ...suffix])) out.push([...prefix, ...rest]);
    return out;
  }
  return [items.slice()];
}

/** The words a word becomes by brace expansion (itself when it has none). */
export function braceExpand(parts: readonly Part[]): Part[][] {
  if (!parts.some((p) => p.k === 'lit' && !p.q && p.v.includes('{'))) return [parts.slice()];
  return expandItems(toItems(parts)).map(toParts);
}
