// Syntax errors and unsupported constructs stop a run before anything runs,
// with bash's text where bash has one.
import { describe, expect, it } from 'vitest';
import { ScriptError } from '../../src/scenario/shell/index.ts';
import { bash, hasBash, run } from './shell-helpers.ts';

async function failure(src: string): Promise<ScriptError> {
  try {
    await run(src);
  } catch (e) {
    if (e instanceof ScriptError) return e;
    throw e;
  }
  throw new Error('the script did not fail');
}

const SYNTAX: { src: string; msg: string; incomplete: boolean }[] = [
  { src: 'echo a\nif true; then\n  echo b\nfi fi\necho c\n', incomplete: false,
    msg: "t.sh: line 4: syntax error near unexpected token `fi'\nt.sh: line 4: `fi fi'" },
  { src: 'echo a\nif true; then\n  echo b\n', incomplete: true, msg: 't.sh: line 4: syntax error: unexpected end of file' },
  { src: 'echo a )\n', incomplete: false,
    msg: "t.sh: line 1: syntax error near unexpected token `)'\nt.sh: line 1: `echo a )'" },
  { src: 'echo a; ; echo b', incomplete: false,
    msg: "t.sh: line 1: syntax error near unexpected token `;'\nt.sh: line 1: `echo a; ; echo b'" },
  { src: 'if; then fi', incomplete: false,
    msg: "t.sh: line 1: syntax error near unexpected token `;'\nt.sh: line 1: `if; then fi'" },
  { src: 'f() echo no', incomplete: false,
    msg: "t.sh: line 1: syntax error near unexpected token `echo'\nt.sh: line 1: `f() echo no'" },
  { src: 'echo a > ', incomplete: false,
    msg: "t.sh: line 1: syntax error near unexpected token `newline'\nt.sh: line 1: `echo a > '" },
  { src: 'echo "abc', incomplete: true, msg: 't.sh: line 1: unexpected EOF while looking for matching `"\'' },
  { src: "echo 'abc", incomplete: true, msg: "t.sh: line 1: unexpected EOF while looking for matching `''" },
  { src: 'echo $(echo a', incomplete: true, msg: "t.sh: line 2: unexpected EOF while looking for matching `)'" },
  { src: 'echo ${x', incomplete: true, msg: "t.sh: line 1: unexpected EOF while looking for matching `}'" },
  { src: 'while true; do echo; ', incomplete: true, msg: 't.sh: line 2: syntax error: unexpected end of file' },
  { src: 'echo a &&', incomplete: true, msg: 't.sh: line 2: syntax error: unexpected end of file' },
];

describe('syntax errors', () => {
  for (const c of SYNTAX) {
    it(JSON.stringify(c.src), async () => {
      const e = await failure(c.src);
      expect(e.message).toBe(c.msg);
      expect(e.status).toBe(2);
      expect(e.incomplete).toBe(c.incomplete);
      expect(e.result.stdout).toBe('');
      expect(e.line).toBe(Number(/line (\d+)/.exec(c.msg)?.[1]));
    });
  }

  it.runIf(hasBash)('the messages are the ones bash prints', () => {
    for (const c of SYNTAX) {
      const b = bash(c.src);
      expect(b.status).toBe(2);
      expect(b.stderr.trimEnd()).toBe(c.msg);
    }
  });
});

describe('unsupported constructs', () => {
  const CASES: [string, string, number][] = [
    ['echo ok\nselect x in a b; do echo $x; done', 'select', 2],
    ['coproc cat', 'coproc', 1],
    ['diff <(echo a) <(echo b)', 'process substitution <(…)', 1],
    ['echo hi > >(cat)', 'process substitution >(…)', 1],
    ['a=(1 2 3)', 'arrays', 1],
    ['echo ${a[0]}', 'arrays', 1],
    ['\nif [[ -n x ]]; then :; fi', '[[ … ]] (use [ … ])', 2],
    ['for ((i = 0; i < 3; i++)); do :; done', 'for (( … ))', 1],
    ['echo ${!name}', 'indirect expansion ${!…}', 1],
    ['declare -A m', 'declare', 1],
  ];
  for (const [src, what, line] of CASES) {
    it(what, async () => {
      const e = await failure(src);
      expect(e.message).toBe(`t.sh: line ${line}: unsupported shell construct: ${what}`);
      expect(e.line).toBe(line);
      expect(e.status).toBe(2);
      expect(e.result.stdout).toBe('');
    });
  }
});

describe('errors while running', () => {
  it('prints command not found like bash and goes on', async () => {
    const r = await run('echo a\nnosuch x y\necho $?');
    expect(r).toMatchObject({ stdout: 'a\n127\n', stderr: 't.sh: line 2: nosuch: command not found\n', status: 0 });
  });

  it('does not run real programs outside the allowlist', async () => {
    const r = await run('ls /; echo $?; grep -c x <<< x; echo $?', { externals: ['sed'] });
    expect(r.stdout).toBe('127\n127\n');
    expect(r.stderr).toBe('t.sh: line 1: ls: command not found\nt.sh: line 1: grep: command not found\n');
  });

  it('reports bad redirections and fails the command', async () => {
    const r = await run('cat < nofile; echo $?; echo x > nodir/f; echo $?');
    expect(r.stdout).toBe('1\n1\n');
    expect(r.stderr).toBe('t.sh: line 1: nofile: No such file or directory\nt.sh: line 1: nodir/f: No such file or directory\n');
  });

  it('reports a missing ] and bad integers in test', async () => {
    const r = await run('[ 1 = 1; echo $?; [ 1 -eq a ]; echo $?; [ a b ]; echo $?');
    expect(r.stdout).toBe('2\n2\n2\n');
    expect(r.stderr).toBe("t.sh: line 1: [: missing `]'\nt.sh: line 1: [: a: integer expression expected\n"
      + 't.sh: line 1: [: a: unary operator expected\n');
  });

  it('passes through errors thrown by registry commands', async () => {
    const { createClock } = await import('@sinonjs/fake-timers');
    const clock = createClock(0);
    const boom = new Error('bug in a command');
    const commands = new Map([['boom', async (): Promise<number> => { throw boom; }]]);
    const { runScript } = await import('../../src/scenario/shell/index.ts');
    await expect(runScript('boom', { clock, commands })).rejects.toBe(boom);
  });
});
