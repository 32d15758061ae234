// How commands are found and what they see: registry commands get stdin,
// env, cwd, netns and exec(); files are real files under the cwd.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, tempDir } from './shell-helpers.ts';

let dir = '';
let cleanup = (): void => {};
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe('registry commands', () => {
  it('read stdin from pipes, here-documents, here-strings and files', async () => {
    writeFileSync(join(dir, 'in.txt'), 'from file\n');
    const r = await run('echo piped | rcat\nrcat <<EOF\nhere $((6*7))\nEOF\nrcat <<< "string"\nrcat < in.txt\nrcat', { dir });
    expect(r.stdout).toBe('piped\nhere 42\nstring\nfrom file\n');
  });

  it('get the script stdin', async () => {
    const r = await run('read first; echo "[$first]"; rcat', { dir, stdin: 'one\ntwo\nthree\n' });
    expect(r.stdout).toBe('[one]\ntwo\nthree\n');
  });

  it('do not consume the stdin that a read loop reads', async () => {
    writeFileSync(join(dir, 'list'), 'a\nb\nc\n');
    writeFileSync(join(dir, 'b'), 'x\n');
    const r = await run('while read l; do rcat > /dev/null; cat > /dev/null; echo "$l"; done < list\n'
      + 'while read f; do grep -c x "$f" 2>/dev/null; done < list', { dir });
    expect(r.stdout).toBe('a\nb\nc\n1\n');
  });

  it('see exported variables and prefix assignments only', async () => {
    const r = await run('export A=1; B=2; C=3 envget C; envget A; envget B; envget C; X=9 envget X; envget HOME', { dir });
    expect(r.stdout).toBe('3\n1\n<unset>\n<unset>\n9\n/root\n');
  });

  it('see the working directory', async () => {
    mkdirSync(join(dir, 'sub'));
    const r = await run('cwdcmd; cd sub; cwdcmd; (cd ..; cwdcmd); cwdcmd; cd nope; echo $?', { dir });
    expect(r.stdout).toBe(`${dir}\n${dir}/sub\n${dir}\n${dir}/sub\n1\n`);
    expect(r.stderr).toBe('t.sh: line 1: cd: nope: No such file or directory\n');
  });

  it('run in the host namespace unless exec() sets another', async () => {
    const r = await run('nsname; nsexec red nsname; nsexec red nsexec blue nsname; nsname', { dir });
    expect(r.stdout).toBe('(host)\nred\nblue\n(host)\n');
  });

  it('exec() builtins, registry commands and real programs, but not functions', async () => {
    const r = await run("nsname() { echo function; }\nnsname\nnsexec red nsname\nnsexec red echo hi\nnsexec red seq 2\nnsexec red nope; echo $?", { dir });
    expect(r.stdout).toBe('function\nred\nhi\n1\n2\n127\n');
    expect(r.stderr).toBe('t.sh: line 6: nope: command not found\n');
  });

  it('exec() sh -c as a child shell in the namespace', async () => {
    const r = await run("x=1; export Y=2\nnsexec red sh -c 'nsname; echo \"[$x][$Y]\"; sleep 1; tick; exit 4'; echo $?", { dir });
    expect(r.stdout).toBe('red\n[][2]\ntick 1000\n4\n');
  });

  it('exec() with stdin and its exit status', async () => {
    const r = await run("feed 'abc\n' rcat; feed x status 7; echo $?; feed 'b\na\n' sort", { dir });
    expect(r.stdout).toBe('abc\n7\na\nb\n');
  });

  it('return their exit status and write to stderr', async () => {
    const r = await run('status 3; echo $?; status 0 && echo ok; warn to-err 2>/dev/null; warn shown', { dir });
    expect(r.stdout).toBe('3\nok\n');
    expect(r.stderr).toBe('shown\n');
  });

  it('come after functions and builtins', async () => {
    const r = await run("tick() { echo 'my tick'; }\ntick\ncommand tick\nunset -f tick\ntick", { dir });
    expect(r.stdout).toBe('my tick\ntick 0\ntick 0\n');
  });

  it('are found by command -v', async () => {
    const r = await run('f() { :; }; command -v tick echo f sed nope; echo $?; command -V echo f', { dir });
    expect(r.stdout).toBe('tick\necho\nf\nsed\n1\necho is a shell builtin\nf is a function\n');
  });
});

describe('files', () => {
  it('redirect output to files relative to the cwd', async () => {
    const r = await run('echo one > out; echo two >> out; warn e 2> err; { echo o; warn w; } &> both; tick > t', { dir });
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('e\n');
    expect(readFileSync(join(dir, 'both'), 'utf8')).toBe('o\nw\n');
    expect(readFileSync(join(dir, 't'), 'utf8')).toBe('tick 0\n');
  });

  it('keep a background job writing to its file until it stops', async () => {
    const r = await run('follow f 1000 > log &\nsleep 2.5\nkill %1; wait\ncat log', { dir });
    expect(r.stdout).toBe('f 0 at 0\nf 1 at 1000\nf 2 at 2000\nf stopped at 2500 after 3\n');
  });

  it('send output where 2>&1 and >&2 say, in order', async () => {
    const r = await run('warn a 2>&1 | rcat; echo b >&2; echo c 1>&2 2>/dev/null; echo gone 2>/dev/null 1>&2; rcat 2>&1 >/dev/null <<< x', { dir });
    expect(r.stdout).toBe('a\n');
    expect(r.stderr).toBe('b\nc\n');
  });

  it('redirect the rest of the script with exec', async () => {
    const r = await run('echo before; exec > log; echo after; tick; exec 2>&1; warn w', { dir });
    expect(r.stdout).toBe('before\n');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('after\ntick 0\nw\n');
  });

  it('read lines in a loop from a file', async () => {
    writeFileSync(join(dir, 'hosts'), '10.0.0.1 a\n10.0.0.2 b\n');
    const r = await run('while read ip name; do echo "$name=$ip"; done < hosts', { dir });
    expect(r.stdout).toBe('a=10.0.0.1\nb=10.0.0.2\n');
  });

  it('source another script', async () => {
    writeFileSync(join(dir, 'lib.sh'), 'greet() { echo "hi $1"; }\nV=lib\nreturn 4\necho no\n');
    const r = await run('. ./lib.sh; echo $?; greet $V; source lib.sh x; echo $?', { dir });
    expect(r.stdout).toBe('4\nhi lib\n4\n');
  });

  it('run the allowed real programs with stdin, in the cwd', async () => {
    writeFileSync(join(dir, 'f'), 'b\na\nb\n');
    const r = await run("sort f | uniq | tee copy | wc -l; cat copy; tick | sed 's/tick/tock/'; grep -q zz f; echo $?", { dir });
    expect(r.stdout).toBe('2\na\nb\ntock 0\n1\n');
  });
});
