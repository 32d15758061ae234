// The interactive shell: state and jobs persist from line to line.
import { createClock } from '@sinonjs/fake-timers';
import { describe, expect, it } from 'vitest';
import { ScriptError, ShellSession } from '../../src/scenario/shell/index.ts';
import { registry } from './shell-helpers.ts';

function session(): { s: ShellSession; clock: ReturnType<typeof createClock> } {
  const clock = createClock(0);
  return { s: new ShellSession({ clock, commands: registry(clock), file: 'nslab' }), clock };
}

describe('ShellSession', () => {
  it('keeps variables, functions and $? between lines', async () => {
    const { s } = session();
    expect(await s.run('x=5; f() { echo "f$1"; }')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await s.run('echo $x; f 1')).toEqual({ status: 0, stdout: '5\nf1\n', stderr: '' });
    expect((await s.run('false')).status).toBe(1);
    expect(await s.run('  # just a comment')).toEqual({ status: 1, stdout: '', stderr: '' });
    expect((await s.run('echo $?')).stdout).toBe('1\n');
  });

  it('keeps jobs running; time passes only while a line runs', async () => {
    const { s, clock } = session();
    expect((await s.run('follow j 1000 &')).stdout).toBe('j 0 at 0\n');
    expect(clock.now).toBe(0);
    expect((await s.run('sleep 2.5')).stdout).toBe('j 1 at 1000\nj 2 at 2000\n');
    expect((await s.run('echo $!; jobs')).stdout).toBe('1000\n[1]+  Running                 follow j 1000 &\n');
    expect(await s.close()).toEqual({ status: 0, stdout: 'j stopped at 2500 after 3\n', stderr: '' });
  });

  it('flags incomplete input so the caller can ask for more', async () => {
    const { s } = session();
    await expect(s.run('if true; then')).rejects.toMatchObject({ incomplete: true, status: 2 });
    await expect(s.run('echo "abc')).rejects.toMatchObject({ incomplete: true });
    await expect(s.run('fi')).rejects.toMatchObject({ incomplete: false });
    await expect(s.run('cat <<EOF\nabc')).rejects.toMatchObject({ incomplete: true });
    expect((await s.run('if true; then\necho yes\nfi')).stdout).toBe('yes\n');
  });

  it('survives errors that would end a script', async () => {
    const { s } = session();
    const r = await s.run('set -u; echo $nope; echo unreached');
    expect(r).toEqual({ status: 1, stdout: '', stderr: 'nslab: line 1: nope: unbound variable\n' });
    expect((await s.run('echo still here')).stdout).toBe('still here\n');
    expect(s.exited).toBeNull();
  });

  it('reports a command that never finishes and stays usable', async () => {
    const { s } = session();
    await expect(s.run('echo a; hang')).rejects.toBeInstanceOf(ScriptError);
    expect((await s.run('echo b')).stdout).toBe('b\n');
  });

  it('ends on exit, running the EXIT trap and stopping jobs', async () => {
    const { s } = session();
    await s.run("trap 'echo bye' EXIT; follow j 1000 &");
    expect(await s.run('sleep 1; exit 3')).toEqual({ status: 3, stdout: 'j 1 at 1000\nbye\nj stopped at 1000 after 2\n', stderr: '' });
    expect(s.exited).toBe(3);
    expect(await s.run('echo ignored')).toEqual({ status: 3, stdout: '', stderr: '' });
  });
});
