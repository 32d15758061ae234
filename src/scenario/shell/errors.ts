import type { ShellResult } from './types.ts';

/** Stops a run: syntax errors, unsupported constructs, commands that never finish. */
export class ScriptError extends Error {
  readonly file: string;
  readonly line: number;
  /** exit status a CLI should use: 2 for syntax errors and unsupported constructs, 1 otherwise */
  readonly status: number;
  /** true when the source ended in the middle of a construct (an interactive shell asks for more) */
  readonly incomplete: boolean;
  /** output produced before the run stopped */
  result: ShellResult = { status: 0, stdout: '', stderr: '' };
  constructor(file: string, line: number, message: string, status = 1, incomplete = false) {
    super(message);
    this.name = 'ScriptError';
    this.file = file;
    this.line = line;
    this.status = status;
    this.incomplete = incomplete;
  }
}

// Control flow travels as thrown values that are not Errors.
export class ExitSignal { constructor(readonly status: number) {} }
export class ReturnSignal { constructor(readonly status: number) {} }
export class LoopSignal { constructor(readonly kind: 'break' | 'continue', readonly n: number) {} }
/** Leaving a shell because of an error (unbound variable, bad arithmetic…) rather than `exit`. */
export class ErrorExit extends ExitSignal {}
