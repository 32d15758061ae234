// scripts/bundle.mjs's rewrite of a bundle's top-level `var`s: only bindings nothing reassigns
// become `const`.
import { describe, expect, it } from 'vitest';
import { constTopLevel } from '../../scripts/bundle.mjs';

describe('constTopLevel', () => {
  it('makes a never-reassigned top-level var const', () => {
    expect(constTopLevel('var ETH_HLEN = 14;\nfunction f(b) { return b + ETH_HLEN; }\n'))
      .toBe('const ETH_HLEN = 14;\nfunction f(b) { return b + ETH_HLEN; }\n');
  });

  it('keeps var for every form of reassignment, a same-named local included', () => {
    const cases = [
      'var a = 0;\nfunction f() { a = 1; }\n',
      'var a = 0;\nfunction f() { a += 1; }\n',
      'var a = 0;\nfunction f() { a++; }\n',
      'var a = 0;\nfunction f() { --a; }\n',
      'var a = 0;\nfunction f(xs) { for (a of xs) ; }\n',
      'var a = 0;\nfunction f(xs) { [a, b] = xs; }\n',
      'var a = 0;\nfunction f(o) { ({ a } = o); }\n',
      'var a = 0;\nfunction f() { let a = 2; a = 3; return a; }\n',
      'var a = 0;\nvar a = 1;\n',
    ];
    for (const c of cases) expect(constTopLevel(c)).toBe(c);
  });

  it('leaves comparisons, arrows, properties and declarations without a value alone', () => {
    expect(constTopLevel('var a = 1;\nvar b;\nconst t = a === 1 && ((x) => x)(a) >= 0;\nobj.a = 2;\n'))
      .toBe('const a = 1;\nvar b;\nconst t = a === 1 && ((x) => x)(a) >= 0;\nobj.a = 2;\n');
  });
});
