// V8 settings for the packet path. A frame goes through a deep chain of small functions
// (device → bridge or IPv4 → netfilter → device); TurboFan stops inlining such a chain once the
// inlined bytecode passes a small budget (920 bytes), and every call left out of line reloads
// what the caller had in registers. A larger budget lets a whole forwarding step compile as one
// function: 10–15 % more packets a second on every forwarding benchmark. The absolute cap (4 600
// bytes by default) bounds what one function may inline in all: at the default, a flood's or a
// filtered forward's chain was cut short and its copy, transmit and release were calls (5–12 %
// slower). The CLI and the benchmarks call this first thing; a library user can do the same.
import { setFlagsFromString } from 'node:v8';

let done = false;

/** Raises TurboFan's inlining budget for this process (idempotent; affects code compiled afterwards). */
export function tuneV8(): void {
  if (done) return;
  done = true;
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=8000');
  setFlagsFromString('--max-inlined-bytecode-size=2000');
  setFlagsFromString('--max-inlined-bytecode-size-absolute=16000');
}
