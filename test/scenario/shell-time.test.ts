// Virtual time: only the interpreter advances the clock; background jobs run
// concurrently in it; nothing waits in real time.
import { createClock } from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { ScriptError } from '../../src/scenario/shell/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir } from './shell-helpers.ts';

async function failure(p: Promise<unknown>): Promise<ScriptError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ScriptError) return e;
    throw e;
  }
  throw new Error('the script did not fail');
}

describe('virtual time', () => {
  it('runs a background job concurrently with sleep', async () => {
    const r = await run('tick &\nsleep 5\ntick\nwait\n');
    expect(r.stdout).toBe('tick 0\ntick 5000\n');
    expect(r.status).toBe(0);
    expect(r.clock.now).toBe(5000);
  });

  it('sleeps 300 s of virtual time in well under 50 ms of real time', async () => {
    const t0 = performance.now();
    const r = await run('sleep 300; tick');
    expect(performance.now() - t0).toBeLessThan(50);
    expect(r.stdout).toBe('tick 300000\n');
  });

  it('accepts fractions, suffixes and several operands in sleep', async () => {
    const r = await run('sleep 0.25; tick; sleep .5 1.25; tick; sleep 1m; tick; sleep 0.5h; tick; sleep 1s; tick');
    expect(r.stdout).toBe('tick 250\ntick 2000\ntick 62000\ntick 1862000\ntick 1863000\n');
  });

  it('rejects a bad sleep interval like GNU sleep', async () => {
    const r = await run('sleep 1x; echo $?; sleep; echo $?');
    expect(r.stdout).toBe('1\n1\n');
    expect(r.stderr).toBe("t.sh: line 1: sleep: invalid time interval '1x'\nt.sh: line 1: sleep: missing operand\n");
  });

  it('starts the clock where it already is', async () => {
    const r = await run('tick 10', { clock: createClock(1_000_000) });
    expect(r.stdout).toBe('tick 1000010\n');
  });

  it('fires background timers in time order', async () => {
    const r = await run('tick 300 & tick 100 & tick 200 & wait; echo done $?');
    expect(r.stdout).toBe('tick 100\ntick 200\ntick 300\ndone 0\n');
  });

  it('lets a background job run until it waits before the script goes on', async () => {
    const r = await run('echo a & echo b; wait\nfollow f 1000 & echo main; sleep 1.5');
    expect(r.stdout).toBe('a\nb\nf 0 at 0\nmain\nf 1 at 1000\nf stopped at 1500 after 2\n');
  });

  it('passes time inside command substitutions and pipelines', async () => {
    const r = await run('x=$(tick 500); echo "got $x"; tick 100 | rcat; tick');
    expect(r.stdout).toBe('got tick 500\ntick 600\ntick 600\n');
  });

  it('gives $! deterministic pids and waits by pid or job spec', async () => {
    const r = await run('tick 20 & a=$!; tick 10 & b=$!; echo $a $b; wait $a; echo $?; wait %2; echo $?');
    expect(r.stdout).toBe('1000 1001\ntick 10\ntick 20\n0\n0\n');
  });

  it('kills a job: its command sees the signal and prints its summary', async () => {
    const r = await run('follow f 1000 &\nsleep 2.5\nkill %1\necho killed\nwait %1; echo st=$?\nkill %1; echo $?');
    expect(r.stdout).toBe('f 0 at 0\nf 1 at 1000\nf 2 at 2000\nf stopped at 2500 after 3\nkilled\nst=0\n1\n');
    expect(r.stderr).toBe('t.sh: line 6: kill: %1: no such job\n');
  });

  it('kills by pid, and a killed sleep ends with 128 + the signal like bash', async () => {
    const r = await run('sleep 100 & kill $!; wait $!; echo $?; sleep 9 & kill -9 %1; wait %1; echo $?; tick');
    expect(r.stdout).toBe('143\n137\ntick 0\n');
  });

  it('stops a background loop between commands when killed', async () => {
    const src = 'while true; do tick; sleep 1; done &\nsleep 2.5\nkill %1\nwait %1\necho st=$?\nsleep 10';
    const r = await run(src);
    expect(r.stdout).toBe('tick 0\ntick 1000\ntick 2000\nst=143\n');
  });

  it('lists jobs like bash', async () => {
    const r = await run('tick 30 & follow f 10 > /dev/null & jobs; sleep 0.05; jobs; kill %2; jobs -p');
    expect(r.stdout).toBe(
      '[1]-  Running                 tick 30 &\n[2]+  Running                 follow f 10 > /dev/null &\n'
      + 'tick 30\n[1]-  Done                    tick 30\n[2]+  Running                 follow f 10 > /dev/null &\n1001\n');
  });

  it('reports unknown jobs', async () => {
    const r = await run('wait %3; echo $?; wait 4242; echo $?; kill %1; echo $?; wait; echo $?');
    expect(r.stdout).toBe('127\n127\n1\n0\n');
    expect(r.stderr).toBe('t.sh: line 1: wait: %3: no such job\nt.sh: line 1: wait: pid 4242 is not a child of this shell\n'
      + 't.sh: line 1: kill: %1: no such job\n');
  });

  it('stops the remaining jobs at the end, in the order they started', async () => {
    const r = await run('follow a 400 &\nfollow b 300 &\nsleep 1\necho end');
    expect(r.stdout).toBe('a 0 at 0\nb 0 at 0\nb 1 at 300\na 1 at 400\nb 2 at 600\na 2 at 800\nb 3 at 900\nend\n'
      + 'a stopped at 1000 after 3\nb stopped at 1000 after 4\n');
  });

  it('runs the EXIT trap before stopping the jobs', async () => {
    const r = await run("trap 'echo trap' EXIT\nfollow a 1000 &\nsleep 0.5");
    expect(r.stdout).toBe('a 0 at 0\ntrap\na stopped at 500 after 1\n');
  });

  it('lets the EXIT trap kill the jobs with $(jobs -p)', async () => {
    const r = await run("trap 'kill $(jobs -p); echo trapped' EXIT\nfollow a 1000 &\nfollow b 700 &\nsleep 1.5");
    expect(r.stdout).toBe('a 0 at 0\nb 0 at 0\nb 1 at 700\na 1 at 1000\nb 2 at 1400\n'
      + 'a stopped at 1500 after 2\nb stopped at 1500 after 3\ntrapped\n');
  });

  it('gives the same output for the same script every time', async () => {
    const src = 'for n in 1 2 3; do (follow j$n $((n * 70)) &); done\nfollow k 50 &\ntick 130 &\nsleep 0.3\nkill %1\nsleep 0.2';
    const a = await run(src);
    const b = await run(src);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.split('\n').length).toBeGreaterThan(15);
  });

  it('times out commands with the timeout builtin', async () => {
    const r = await run('timeout 2.5 follow f; echo st=$?; timeout 5 tick 1000; echo st=$?; timeout 1 nosuch; echo $?');
    expect(r.stdout).toBe('f 0 at 0\nf 1 at 1000\nf 2 at 2000\nf stopped at 2500 after 3\nst=124\ntick 3500\nst=0\n127\n');
  });

  it('fails with the line of a command that can never finish', async () => {
    const e = await failure(run('echo before\nhang\necho after'));
    expect(e.message).toBe('t.sh: line 2: hang: command never finished (nothing left to wait for)');
    expect(e.line).toBe(2);
    expect(e.file).toBe('t.sh');
    expect(e.status).toBe(1);
    expect(e.result.stdout).toBe('before\n');
  });

  it('fails when a foreground command outlives the virtual-time budget while jobs keep ticking', async () => {
    const e = await failure(run('follow f 1000 > /dev/null &\nhang', { limits: { maxCommandMs: 10_000 } }));
    expect(e.message).toBe('t.sh: line 2: hang: command never finished (still running after 10 s of virtual time)');
  });

  it('lets sleep outlast the budget', async () => {
    const r = await run('follow f 1000 > /dev/null & sleep 20; tick', { limits: { maxCommandMs: 10_000 } });
    expect(r.stdout).toBe('tick 20000\n');
  });

  it('fails on sleep infinity in the foreground', async () => {
    const e = await failure(run('sleep infinity'));
    expect(e.message).toBe('t.sh: line 1: sleep: command never finished (sleeping forever in the foreground)');
  });

  it('waits forever in a background sleep infinity until the job is killed', async () => {
    const r = await run('sleep infinity & sleep 3; kill %1; wait %1; echo $?');
    expect(r.stdout).toBe('143\n');
    expect(r.clock.now).toBe(3000);
  });

  it('stops a runaway loop that lets no time pass', async () => {
    const e = await failure(run('echo x\nwhile true; do :; done', { limits: { maxLoopIterations: 1000 } }));
    expect(e.message).toBe('t.sh: line 2: loop ran 1000 times without virtual time passing (missing sleep?)');
    expect(e.line).toBe(2);
  });

  it('stops a runaway loop in a background job too', async () => {
    const e = await failure(run('while :; do :; done &\nsleep 1', { limits: { maxLoopIterations: 100 } }));
    expect(e.message).toBe('t.sh: line 1: loop ran 100 times without virtual time passing (missing sleep?)');
  });

  it('runs nothing more once a background job has failed the run', async () => {
    const t = tempDir();
    try {
      const e = await failure(run('{ sleep 0.5; while :; do :; done; } &\nsleep 1 || echo late > file\necho x > file2', {
        dir: t.dir, limits: { maxLoopIterations: 100 },
      }));
      expect(e.line).toBe(1);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(existsSync(join(t.dir, 'file'))).toBe(false);
      expect(existsSync(join(t.dir, 'file2'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  it('allows long loops while time passes', async () => {
    const r = await run('i=0; while [ $i -lt 300 ]; do sleep 0.01; i=$((i+1)); done; echo $i', {
      limits: { maxLoopIterations: 100 },
    });
    expect(r.stdout).toBe('300\n');
    expect(r.clock.now).toBe(3000);
  });

  it('fails on a command that never finishes when the script ends its jobs', async () => {
    const e = await failure(run('echo a\nhang &\necho b'));
    expect(e.message).toBe('t.sh: line 2: hang: command never finished (nothing left to wait for)');
    expect(e.result.stdout).toBe('a\nb\n');
  });

  it('streams output as it happens', async () => {
    const clock = createClock(0);
    const seen: string[] = [];
    const r = await run('tick; warn oops; sleep 2; tick', {
      clock, onOutput: (s, t) => seen.push(`${s}@${clock.now}:${t}`),
    });
    expect(seen).toEqual(['stdout@0:tick 0\n', 'stderr@0:oops\n', 'stdout@2000:tick 2000\n']);
    expect(r.stdout).toBe('tick 0\ntick 2000\n');
    expect(r.stderr).toBe('oops\n');
  });
});
