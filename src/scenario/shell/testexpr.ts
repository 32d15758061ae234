// test / [ … ]: the POSIX rules by argument count, and -a/-o/!/( ) beyond them.
import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

class TestError extends Error {}

const UNARY = new Set(['-z', '-n', '-e', '-f', '-d', '-s', '-r', '-w', '-x', '-L', '-h', '-p', '-S', '-b', '-c', '-t',
  '-a']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

/** Returns the exit status (0 true, 1 false) or an error message (status 2). */
export function testExpr(args: string[], cwd: string): number | string {
  const stat = (p: string, link = false): Stats | null => {
    try {
      return link ? lstatSync(resolve(cwd, p)) : statSync(resolve(cwd, p));
    } catch {
      return null;
    }
  };
  const int = (s: string): bigint => {
    if (!/^\s*[+-]?[0-9]+\s*$/.test(s)) throw new TestError(`${s}: integer expression expected`);
    return BigInt(s.trim());
  };
  const unary = (op: string, a: string): boolean => {
    switch (op) {
      case '-z': return a === '';
      case '-n': return a !== '';
      case '-t': return false;
      case '-L': case '-h': return stat(a, true)?.isSymbolicLink() ?? false;
      case '-r': case '-w': case '-x':
        try {
          accessSync(resolve(cwd, a), op === '-r' ? constants.R_OK : op === '-w' ? constants.W_OK : constants.X_OK);
          return true;
        } catch {
          return false;
        }
    }
    const st = stat(a);
    if (!st) return false;
    switch (op) {
      case '-f': return st.isFile();
      case '-d': return st.isDirectory();
      case '-s': return st.size > 0;
      case '-p': return st.isFIFO();
      case '-S': return st.isSocket();
      case '-b': return st.isBlockDevice();
      case '-c': return st.isCharacterDevice();
      default: return true; // -e, -a
    }
  };
  const binary = (a: string, op: string, b: string): boolean => {
    switch (op) {
      case '=': case '==': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '>': return a > b;
      case '-eq': return int(a) === int(b);
      case '-ne': return int(a) !== int(b);
      case '-lt': return int(a) < int(b);
      case '-le': return int(a) <= int(b);
      case '-gt': return int(a) > int(b);
      case '-ge': return int(a) >= int(b);
      case '-nt': case '-ot': {
        const x = stat(a)?.mtimeMs;
        const y = stat(b)?.mtimeMs;
        if (op === '-nt') return x !== undefined && (y === undefined || x > y);
        return y !== undefined && (x === undefined || x < y);
      }
      default: {
        const x = stat(a);
        const y = stat(b);
        return !!x && !!y && x.dev === y.dev && x.ino === y.ino;
      }
    }
  };

  // general grammar: or := and (-o and)*; and := not (-a not)*; not := ! not | primary
  let i = 0;
  const n = args.length;
  const or = (): boolean => {
    let v = and();
    while (args[i] === '-o') { i++; const r = and(); v = v || r; }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (args[i] === '-a') { i++; const r = not(); v = v && r; }
    return v;
  };
  const not = (): boolean => {
    if (args[i] === '!' && i + 1 < n) { i++; return !not(); }
    return primary();
  };
  const primary = (): boolean => {
    if (i >= n) throw new TestError('argument expected');
    const a = args[i];
    if (a === '(' && i + 1 < n) {
      i++;
      const v = or();
      if (args[i] !== ')') throw new TestError("`)' expected");
      i++;
      return v;
    }
    if (i + 2 < n && BINARY.has(args[i + 1])) {
      i += 3;
      return binary(a, args[i - 2], args[i - 1]);
    }
    if (UNARY.has(a) && i + 1 < n) {
      i += 2;
      return unary(a, args[i - 1]);
    }
    i++;
    return a !== '';
  };
  try {
    let v: boolean;
    if (n === 0) v = false;
    else if (n === 1) v = args[0] !== '';
    else if (n === 2) {
      if (args[0] === '!') v = args[1] === '';
      else if (UNARY.has(args[0])) v = unary(args[0], args[1]);
      else return `${args[0]}: unary operator expected`;
    } else if (n === 3 && BINARY.has(args[1])) v = binary(args[0], args[1], args[2]);
    else if (n === 3 && args[0] === '(' && args[2] === ')') v = args[1] !== '';
    else if ((n === 3 || n === 4) && args[0] === '!') {
      const r = testExpr(args.slice(1), cwd);
      if (typeof r === 'string') return r;
      v = r !== 0;
    } else {
      v = or();
      if (i < n) return n === 3 ? `${args[1]}: binary operator expected` : 'too many arguments';
    }
    return v ? 0 : 1;
  } catch (e) {
    if (e instanceof TestError) return e.message;
    throw e;
  }
}
