/**
 * tcpdump's capture-filter language (pcap-filter(7)), with the semantics of libpcap 1.10.3 as
 * used by tcpdump 4.99.3 reading a capture file: which frames a filter selects on Ethernet
 * (link-type 1), LINUX_SLL (113) and LINUX_SLL2 (276), and the error tcpdump prints for a
 * filter it refuses (`FilterError.message` is the text after `tcpdump: `).
 *
 *   const f = compileFilter(['host', '10.0.0.1', 'and', 'icmp'], { linkType: 1 });
 *   f.matches(frame, 1);
 *
 * A filter is compiled once per link type into a graph of small closures; `matches` allocates
 * nothing and never throws. As in BPF, a load beyond the captured bytes (or a division by
 * zero) rejects the packet, whatever the rest of the filter says, unless libpcap's optimizer
 * would have removed that load (tcpdump-filter-opt.ts models what it removes, and which
 * filters it finds reject everything).
 *
 * Files: -lex (tokens), -parse (grammar), -gen and -gen-id (gencode.c's primitives), -names
 * (port/protocol names, address literals), -ir (the tests and their closures), -opt (the optimizer).
 *
 * Not implemented (FilterUnsupportedError, message `nslab: …`): mpls, pppoed/pppoes, geneve,
 * protochain, `byte N & V` / `byte N | V`, `llc` subtypes, decnet addresses, and the 802.11,
 * ATM, SS7 and pflog primitives. Host, network and Ethernet names are never resolved (tcpdump's
 * "unknown host 'NAME'"); port and protocol names come from Debian netbase's tables.
 * Live-capture-only behaviour is not modelled: `inbound`/`outbound`/`ifindex` work where the
 * link header says it (SLL, SLL2) and are refused on Ethernet as for a savefile, and `vlan`
 * tests tags inside the frame (no kernel VLAN offload metadata).
 */
import { Gen } from './tcpdump-filter-gen-id.ts';
import { FilterError, FilterUnsupportedError } from './tcpdump-filter-gen.ts';
import { type EvalState, type Test, compilePred } from './tcpdump-filter-ir.ts';
import { lex } from './tcpdump-filter-lex.ts';
import { OptimizerError, compileProgram, optimize } from './tcpdump-filter-opt.ts';
import { Parser } from './tcpdump-filter-parse.ts';

export { FilterError, FilterUnsupportedError };

export interface CompileOptions {
  /**
   * Compile for this link type now and throw every error tcpdump would (including "expression
   * rejects all packets" and link-type specific ones such as "no VLAN support for Linux
   * cooked v2"). Without it the expression is checked against Ethernet, and errors that only
   * a link type causes are left for `check`/`matches` on that link type.
   */
  linkType?: number;
  /** IPv4 netmask for `ip broadcast` (tcpdump: the interface's; 0 when reading a file). Default 0. */
  netmask?: number;
  /** libpcap's optimizer, whose analysis refuses filters that reject everything (tcpdump -O turns it off). Default true. */
  optimize?: boolean;
}

export interface CompiledFilter {
  /**
   * Whether the filter selects this frame. `wireLength` (what `len`, `less` and `greater`
   * test) defaults to `frame.length`, the captured length. A link type the filter cannot be
   * compiled for (see `check`) matches nothing.
   */
  matches(frame: Uint8Array, linkType: number, wireLength?: number): boolean;
  /** Throws the FilterError tcpdump reports for this filter on this link type, if any. */
  check(linkType: number): void;
  /** The expression, argv words joined with spaces as tcpdump does. */
  readonly text: string;
}

const REJECT: Test = () => false;

interface Program { test: Test | null; st: EvalState }

/** Compiles for one link type; throws FilterError. `test` null: the empty filter, everything matches. */
function build(text: string, linkType: number, netmask: number, optimizeIt: boolean, lenient: boolean): Program {
  const g = new Gen(linkType, netmask, lenient);
  const root = new Parser(lex(text), g).parse();
  const st: EvalState = { oob: false, wirelen: 0 };
  if (root === null) return { test: null, st };
  if (!optimizeIt) return { test: compilePred(root, st), st };
  let program;
  try {
    program = optimize(root);
  } catch (e) {
    if (e instanceof OptimizerError) throw new FilterError(e.message);
    throw e;
  }
  if (program === null) {
    // A lenient compile replaced link-type errors by "no match": then this proves nothing.
    if (!lenient || g.linkErrors.length === 0) throw new FilterError('expression rejects all packets');
    return { test: REJECT, st };
  }
  return { test: compileProgram(program, st), st };
}

export function compileFilter(expr: string | string[], options: CompileOptions = {}): CompiledFilter {
  const text = Array.isArray(expr) ? expr.join(' ') : expr;
  const netmask = (options.netmask ?? 0) >>> 0;
  const optimize = options.optimize ?? true;
  const programs = new Map<number, Program | FilterError>();
  const programFor = (linkType: number): Program | FilterError => {
    let p = programs.get(linkType);
    if (p === undefined) {
      try {
        p = build(text, linkType, netmask, optimize, false);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        p = e;
      }
      programs.set(linkType, p);
    }
    return p;
  };
  if (options.linkType !== undefined) {
    const p = programFor(options.linkType);
    if (p instanceof FilterError) throw p;
  } else {
    build(text, 1, netmask, optimize, true);
  }

  let lastType = -1;
  let lastTest: Test = REJECT;
  let lastState: EvalState = { oob: false, wirelen: 0 };
  return {
    text,
    check(linkType: number): void {
      const p = programFor(linkType);
      if (p instanceof FilterError) throw p;
    },
    matches(frame: Uint8Array, linkType: number, wireLength: number = frame.length): boolean {
      if (linkType !== lastType) {
        const p = programFor(linkType);
        lastType = linkType;
        if (p instanceof FilterError) lastTest = REJECT;
        else {
          lastTest = p.test ?? (() => true);
          lastState = p.st;
        }
      }
      const st = lastState;
      st.oob = false;
      st.wirelen = wireLength;
      return lastTest(frame) && !st.oob;
    },
  };
}
