// Replays the real tools' recorded sessions (fixtures/ip/*.txt and the like) in nslab and
// compares every command's stdout, stderr and exit status.
import { readFileSync } from 'node:fs';
import { World } from '../../src/kernel/world.ts';
import type { NetNs } from '../../src/kernel/netns.ts';
import { tools } from '../../src/cli/registry.ts';
import type { ToolContext } from '../../src/cli/tool.ts';

export interface FixtureStep {
  command: string;
  stdout: string;
  stderr: string;
  status: number;
  /** Line number of the command in the fixture file. */
  line: number;
}

export interface FixtureCase {
  name: string;
  description: string;
  volatile: string[];
  steps: FixtureStep[];
}

/** Parses the fixture format described in fixtures/ip/README.md, from a file. */
export function parseFixture(path: string): FixtureCase {
  return parseFixtureText(readFileSync(path, 'utf8'));
}

/** Parses the fixture format described in fixtures/ip/README.md. */
export function parseFixtureText(text: string): FixtureCase {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const c: FixtureCase = { name: '', description: '', volatile: [], steps: [] };
  let cur: FixtureStep | undefined;
  let noEol = false;
  const finish = () => {
    if (cur && noEol && cur.stdout.endsWith('\n')) cur.stdout = cur.stdout.slice(0, -1);
    noEol = false;
  };
  lines.forEach((line, i) => {
    if (!cur && line.startsWith('# case: ')) c.name = line.slice(8);
    else if (!cur && line.startsWith('# description: ')) c.description = line.slice(15);
    else if (!cur && line.startsWith('# volatile: ')) c.volatile.push(...line.slice(12).split(/,\s*/));
    else if (!cur && line.startsWith('# ')) return;
    else if (line.startsWith('$ ')) {
      finish();
      cur = { command: line.slice(2), stdout: '', stderr: '', status: 0, line: i + 1 };
      c.steps.push(cur);
    } else if (cur && line.startsWith('! exit=')) cur.status = Number(line.slice(7));
    else if (cur && line === '! stdout-no-eol') noEol = true;
    else if (cur && line === '! stderr-no-eol') cur.stderr = cur.stderr.slice(0, -1);
    else if (cur && line.startsWith('!stderr: ')) cur.stderr += line.slice(9) + '\n';
    else if (cur && line === '!stderr:') cur.stderr += '\n';
    else if (cur) cur.stdout += line + '\n';
  });
  finish();
  return c;
}

/** Splits a command line into words (single and double quotes, backslash escapes). */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let w = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (ch === "'") {
      const j = command.indexOf("'", i + 1);
      w += command.slice(i + 1, j);
      i = j;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      while (command[j] !== '"') {
        if (command[j] === '\\' && '"\\$`'.includes(command[j + 1])) j++;
        w += command[j++];
      }
      i = j;
      inWord = true;
    } else if (ch === '\\') {
      w += command[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(w);
      w = '';
      inWord = false;
    } else {
      w += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(w);
  return words;
}

export interface StepResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** Runs one command line in `world` (no shell: the fixtures use plain commands only). */
export async function runCommand(world: World, command: string): Promise<StepResult> {
  const res: StepResult = { stdout: '', stderr: '', status: 0 };
  const run = async (argv: string[], ns: NetNs): Promise<number> => {
    const tool = tools.get(argv[0]);
    if (argv[0] === 'sleep') {
      world.clock.tick(Number(argv[1]) * 1000);
      return 0;
    }
    if (!tool) {
      res.stderr += `${argv[0]}: command not found\n`;
      return 127;
    }
    const ctx: ToolContext = {
      world, ns, argv, stdin: '',
      io: { out: (t) => { res.stdout += t; }, err: (t) => { res.stderr += t; } },
      signal: new AbortController().signal,
      sleep: async (ms) => { world.clock.tick(ms); },
      exec: run,
      hasCommand: (name) => name === 'sleep' || tools.has(name),
    };
    return tool(ctx);
  };
  res.status = await run(splitWords(command), world.host);
  return res;
}

/**
 * ping's volatile text masked: each reply's `time=… ms`, the statistics' `time NNNNms` and the
 * numbers of the rtt min/avg/max/mdev line.
 */
export function maskPingTimes(text: string): string {
  return text
    .replace(/ time=[0-9.]+ ms/g, ' time=<t> ms')
    .replace(/(packet loss, time )\d+ms$/gm, '$1<t>ms')
    .replace(/^rtt min\/avg\/max\/mdev = [0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+ ms/gm, 'rtt min/avg/max/mdev = <rtt> ms');
}

/**
 * What a case's `# volatile:` header allows to differ, masked in a command's output: for
 * `ping: the time=... of each reply and the rtt min/avg/max/mdev line`, those numbers.
 */
export function maskVolatile(volatile: readonly string[], command: string, text: string): string {
  if (!/(^| )ping /.test(command)) return text;
  const ping = volatile.flatMap((v) => v.split(/;\s*/)).find((v) => v.startsWith('ping:'));
  if (!ping) return text;
  let out = text;
  if (ping.includes('time=')) out = out.replace(/ time=[0-9.]+ ms/g, ' time=<t> ms');
  if (ping.includes('rtt')) out = out.replace(/^rtt min\/avg\/max\/mdev = [0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+ ms/gm, 'rtt min/avg/max/mdev = <rtt> ms');
  return out;
}
