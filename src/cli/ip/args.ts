// iproute2's argument conventions: unique-prefix keywords, its error texts and exit codes.
import { KernelError, strerror } from '../../kernel/errors.ts';
import type { NetNs } from '../../kernel/netns.ts';
import { ToolExit, type ToolContext } from '../tool.ts';

/** True when `arg` is a prefix of `word` (iproute2's matches(): `ip a`, `ip ro ls`). */
export function matches(arg: string, word: string): boolean {
  return arg.length > 0 && arg.length <= word.length && word.startsWith(arg);
}

/** `Error: argument "X" is wrong: MSG` and exit 255 (invarg). iproute2 prints an empty line after it. */
export function invarg(msg: string, arg: string): never {
  throw new ToolExit(255, `Error: argument "${arg}" is wrong: ${msg}\n\n`);
}

/** `Error: either "X" is duplicate, or "Y" is a garbage.` (duparg2). */
export function duparg2(key: string, arg: string): never {
  throw new ToolExit(255, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`);
}

export function duparg(key: string, arg: string): never {
  throw new ToolExit(255, `Error: duplicate "${key}": "${arg}" is the second value.\n`);
}

/** Any other usage error with its own text and status. */
export function usage(status: number, text: string): never {
  throw new ToolExit(status, text.endsWith('\n') ? text : text + '\n');
}

/** `Command "X" is unknown, try "ip OBJ help".` exit 255. */
export function unknownCommand(cmd: string, object: string): never {
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip ${object} help".\n`);
}

/** How iproute2 reports a netlink error: the extended ack if any, else the errno's text. Exit 2. */
export function rtnlError(e: unknown): never {
  if (e instanceof KernelError) {
    throw new ToolExit(2, e.extack ? `Error: ${e.extack}.\n` : `RTNETLINK answers: ${strerror(e.errno)}\n`);
  }
  throw e;
}

/** Runs a kernel call, turning a KernelError into iproute2's message. */
export function rtnl<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    return rtnlError(e);
  }
}

/** Cursor over argv with iproute2's NEXT_ARG behaviour (`Command line is not complete.`). */
export class Args {
  private i = 0;
  constructor(private readonly argv: readonly string[]) {}

  more(): boolean {
    return this.i < this.argv.length;
  }

  peek(): string | undefined {
    return this.argv[this.i];
  }

  next(): string {
    return this.argv[this.i++];
  }

  /** The value after a keyword; exits like iproute2 when there is none. */
  value(): string {
    if (this.i >= this.argv.length) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
    return this.argv[this.i++];
  }

  rest(): string[] {
    const r = this.argv.slice(this.i);
    this.i = this.argv.length;
    return r;
  }
}

/** get_unsigned / get_integer: decimal, 0x hex or 0 octal as strtoul accepts. */
export function parseUnsigned(text: string, max = 0xffffffff): number | undefined {
  if (!/^(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(text)) return undefined;
  const v = text.startsWith('0x') ? parseInt(text.slice(2), 16) : text.length > 1 && text.startsWith('0') ? parseInt(text, 8) : parseInt(text, 10);
  return v <= max ? v : undefined;
}

/** `-n NS` / `-netns NS` of iproute2's tools: the named namespace (the value is taken from argv). */
export function netnsOption(ctx: ToolContext, argv: string[]): NetNs {
  const name = argv.shift();
  if (name === undefined) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
  const target = ctx.world.netns.get(name);
  if (!target) throw new ToolExit(255, `Cannot open network namespace "${name}": No such file or directory\n`);
  return target;
}
