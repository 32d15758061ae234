// The compiled form of a namespace's rule set (hooks.ts runs it): per table, one flat array of
// rules with the header part in typed arrays and each target reduced to a kind and arguments;
// per hook, the stages registered there in priority order (tables, conntrack, NAT, confirmation).
// Rebuilt when the rule set's generation changes. Also the state of -m limit (xt_limit.c).
import type { NetNs } from '../netns.ts';
import type { Chain, Hook, Table, TableName } from './table.ts';
import { TABLE_PRIORITY } from './table.ts';
import type { NetfilterState } from './index.ts';
import { NFQ_FLAG_BYPASS, XT_CT_NOTRACK, type Rule } from './types.ts';
import { type LimitState, limitJiffies, limitState } from './xt-limit.ts';

export { type LimitState, limitMatch } from './xt-limit.ts';

export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;

export const HOOK_NAMES: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

// Compiled target kinds.
export const K_CONTINUE = 0;
export const K_ACCEPT = 1;
export const K_DROP = 2;
export const K_RETURN = 3;
export const K_JUMP = 4;
export const K_GOTO = 5;
export const K_REJECT = 6;
export const K_MARK = 7;
/** End of a built-in chain: its policy (arg 1 accept, 0 drop). */
export const K_POLICY = 8;
/** SNAT, DNAT, MASQUERADE, REDIRECT: set the connection's mapping, then accept. */
export const K_NAT = 9;
export const K_CONNMARK = 10;
/** CT --notrack: the packet stays untracked. */
export const K_NOTRACK = 11;
/** LOG: a line in the kernel log, then on to the next rule. */
export const K_LOG = 12;
/** TTL, TOS, DSCP, TCPMSS: rewrite the packet (xt-targets.ts), then on to the next rule. */
export const K_XT = 13;
/** NFQUEUE without a listener: dropped, or (arg 1, --queue-bypass) accepted by this table. */
export const K_NFQUEUE = 14;

/** Rule flag: needs the slow part (interfaces or matches). */
export const SLOW = 1;
/** Rule flag: can never match. */
export const NEVER = 2;

/** Int32s per rule in CompiledTable.hdr: smsk, src, dmsk, dst, and the protocol, fragment
 * flag and inversions packed (0 for a rule that tests addresses only). */
export const HDR_STRIDE = 5;

/** Shortest run of single-address rules worth a hash table. */
const MIN_RUN = 8;

/** Slot of `addr` in a run's table of `size` (a power of two) entries. */
export function runHash(addr: number, size: number): number {
  return (Math.imul(addr, 0x9e3779b1) >>> 16) & (size - 1);
}

/** The first rule of the run starting at `i` whose address is `addr`, or the run's end. */
export function runLookup(ct: CompiledTable, i: number, addr: number): number {
  const table = ct.runTable[i]!;
  const size = table.length >> 1;
  let slot = runHash(addr, size);
  for (;;) {
    const r = table[slot * 2 + 1];
    if (r === -1) return ct.runEnd[i];
    if (table[slot * 2] === addr) return r;
    slot = (slot + 1) & (size - 1);
  }
}

export class CompiledTable {
  n = 0;
  /** The header part packed, 4 int32 per rule: smsk, src, dmsk, dst (cache-friendly for the
   * non-matching walk). */
  hdr: Int32Array;
  /** Addresses and masks as int32 (compared with `&` on int32 addresses: no `>>> 0`). */
  src: Int32Array;
  smsk: Int32Array;
  dst: Int32Array;
  dmsk: Int32Array;
  proto: Uint8Array;
  inv: Uint8Array;
  frag: Uint8Array;
  slow: Uint8Array;
  kind: Uint8Array;
  arg: Int32Array;
  arg2: Int32Array;
  /** The Rule of each index (undefined for chain ends). */
  rules: Array<Rule | undefined> = [];
  /** The chain of each index (a policy entry counts on it). */
  chains: Array<Chain | undefined> = [];
  /** Entry index of each hook's base chain, -1 when it does not exist. */
  entry = new Int32Array(5).fill(-1);
  /** Index of each hook's policy entry (the underflow). */
  underflow = new Int32Array(5).fill(-1);

  /** No rule has a match, an interface or a target beyond verdicts and jumps: an evaluation
   * needs the packet's header only (not its devices or namespace). */
  plain = true;

  /** Per rule index, the state of each of its limit matches (xt_limit_priv). */
  limits: Array<Array<LimitState | undefined> | undefined> = [];

  constructor(readonly table: Table, st: NetfilterState, now: number) {
    const chains = table.existing('created');
    let n = 0;
    for (const c of chains) n += c.rules.length + 1;
    this.hdr = new Int32Array(n * HDR_STRIDE);
    this.src = new Int32Array(n);
    this.smsk = new Int32Array(n);
    this.dst = new Int32Array(n);
    this.dmsk = new Int32Array(n);
    this.proto = new Uint8Array(n);
    this.inv = new Uint8Array(n);
    this.frag = new Uint8Array(n);
    this.slow = new Uint8Array(n);
    this.kind = new Uint8Array(n);
    this.arg = new Int32Array(n);
    this.arg2 = new Int32Array(n);
    const start = new Map<string, number>();
    let i = 0;
    for (const c of chains) {
      start.set(c.name, i);
      if (c.hook !== null) this.entry[HOOK_NAMES.indexOf(c.hook)] = i;
      i += c.rules.length;
      if (c.hook !== null) this.underflow[HOOK_NAMES.indexOf(c.hook)] = i;
      i++;
    }
    this.n = n;
    i = 0;
    for (const c of chains) {
      for (const r of c.rules) {
        this.rules[i] = r;
        this.chains[i] = c;
        const h = i * HDR_STRIDE;
        this.hdr[h] = r.smsk | 0;
        this.hdr[h + 1] = r.src | 0;
        this.hdr[h + 2] = r.dmsk | 0;
        this.hdr[h + 3] = r.dst | 0;
        // 0 when only the addresses need testing (no protocol, fragment flag or inversion).
        this.hdr[h + 4] = r.proto | (r.flags << 8) | (r.invflags << 16);
        this.src[i] = r.src | 0;
        this.smsk[i] = r.smsk | 0;
        this.dst[i] = r.dst | 0;
        this.dmsk[i] = r.dmsk | 0;
        this.proto[i] = r.proto;
        this.inv[i] = r.invflags;
        this.frag[i] = r.flags;
        let slow = r.iniface.name !== '' || r.outiface.name !== '' || r.matches.length !== 0 ? SLOW : 0;
        if (r.matches.some((m) => m.kind === 'limit')) {
          this.limits[i] = r.matches.map((m, j) => (m.kind === 'limit' ? limitState(st, table.name, r.handle, j, m.avg, m.burst, now) : undefined));
        }
        this.slow[i] = slow;
        const t = r.target;
        switch (t.kind) {
          case 'verdict':
            this.kind[i] = t.verdict === 'ACCEPT' ? K_ACCEPT : t.verdict === 'RETURN' ? K_RETURN : K_DROP;
            break;
          case 'jump': {
            const to = start.get(t.chain);
            if (to === undefined) this.kind[i] = K_CONTINUE;
            else {
              this.kind[i] = t.goto ? K_GOTO : K_JUMP;
              this.arg[i] = to;
            }
            break;
          }
          case 'REJECT':
            this.kind[i] = K_REJECT;
            this.arg[i] = t.with;
            break;
          case 'MARK':
            this.kind[i] = K_MARK;
            this.arg[i] = t.mark | 0;
            this.arg2[i] = t.mask | 0;
            break;
          case 'SNAT':
          case 'DNAT':
          case 'MASQUERADE':
          case 'REDIRECT':
            this.kind[i] = K_NAT;
            break;
          case 'CONNMARK':
            this.kind[i] = K_CONNMARK;
            break;
          case 'LOG':
            this.kind[i] = K_LOG;
            break;
          case 'CT':
            this.kind[i] = t.flags & XT_CT_NOTRACK ? K_NOTRACK : K_CONTINUE;
            break;
          case 'TTL':
          case 'TOS':
          case 'DSCP':
          case 'TCPMSS':
            this.kind[i] = K_XT;
            break;
          case 'NFQUEUE':
            this.kind[i] = K_NFQUEUE;
            this.arg[i] = t.flags & NFQ_FLAG_BYPASS ? 1 : 0;
            break;
          default:
            // none, CT without --notrack: the rule counts and evaluation continues.
            this.kind[i] = K_CONTINUE;
        }
        i++;
      }
      // The chain's end: always matches.
      this.rules[i] = undefined;
      this.chains[i] = c;
      if (c.hook !== null) {
        this.kind[i] = K_POLICY;
        this.arg[i] = c.policy === 'DROP' ? 0 : 1;
      } else this.kind[i] = K_RETURN;
      i++;
    }
    for (let j = 0; j < n; j++) {
      const k = this.kind[j];
      if (this.slow[j] !== 0 || (k !== K_CONTINUE && k !== K_ACCEPT && k !== K_DROP && k !== K_RETURN && k !== K_JUMP && k !== K_GOTO && k !== K_POLICY)) this.plain = false;
    }
    this.indexRuns();
  }

  /** Per rule index: 1 when a run keyed by source address starts there, 2 by destination. */
  runKind: Uint8Array = new Uint8Array(0);
  /** Per run start: the index after the run. */
  runEnd: Int32Array = new Int32Array(0);
  /** Per run start: its hash table, keys and first rule indexes interleaved (open addressing). */
  runTable: Array<Int32Array | undefined> = [];

  /**
   * Runs of consecutive rules that each test one exact address and nothing else (a blocklist of
   * `-s A/32` or `-d A/32` rules, whatever their targets) get a hash table from address to the
   * first rule with it: the walk then looks the packet's address up once instead of testing every
   * rule. First-match order is kept, and the rules skipped could not have matched.
   */
  private indexRuns(): void {
    const n = this.n;
    this.runKind = new Uint8Array(n);
    this.runEnd = new Int32Array(n);
    const keyOf = (i: number): number => {
      if (this.rules[i] === undefined || this.slow[i] !== 0) return 0;
      const h = i * HDR_STRIDE;
      const hdr = this.hdr;
      if (hdr[h + 4] !== 0) return 0;
      if (hdr[h] === -1 && hdr[h + 2] === 0 && hdr[h + 3] === 0) return 1;
      if (hdr[h + 2] === -1 && hdr[h] === 0 && hdr[h + 1] === 0) return 2;
      return 0;
    };
    for (let i = 0; i < n; ) {
      const kind = keyOf(i);
      let j = i + 1;
      while (kind !== 0 && j < n && keyOf(j) === kind && this.chains[j] === this.chains[i]) j++;
      if (kind !== 0 && j - i >= MIN_RUN) {
        let size = 16;
        while (size < (j - i) * 2) size <<= 1;
        const table = new Int32Array(size * 2).fill(-1);
        for (let r = i; r < j; r++) {
          const addr = this.hdr[r * HDR_STRIDE + (kind === 1 ? 1 : 3)];
          let slot = runHash(addr, size);
          while (table[slot * 2 + 1] !== -1 && table[slot * 2] !== addr) slot = (slot + 1) & (size - 1);
          if (table[slot * 2 + 1] === -1) {
            table[slot * 2] = addr;
            table[slot * 2 + 1] = r;
          }
        }
        this.runKind[i] = kind;
        this.runEnd[i] = j;
        this.runTable[i] = table;
      }
      i = j;
    }
  }
}

/** Stage codes besides table indexes (>= 0) in Compiled.stages. */
export const S_CT_IN = -1;
export const S_NAT = -2;
export const S_CONFIRM = -3;
/** nf_defrag_ipv4 (-400 at PREROUTING): fragments are gathered before conntrack sees them. */
export const S_DEFRAG = -4;

/** Nothing registered at the hook. */
export const HOOK_NONE = 0;
/** Every stage at the hook is a table whose base chain is empty with policy ACCEPT: the packet
 * is accepted without an evaluation, only the policies count it. */
export const HOOK_ACCEPT_ONLY = 1;
/** The stages run. */
export const HOOK_RUN = 2;
/** PREROUTING or OUTPUT with no table but conntrack's stages: [defrag,] conntrack[, NAT]. */
export const HOOK_CT_IN = 3;
/** INPUT or POSTROUTING with no table but conntrack's stages: [NAT,] confirmation. */
export const HOOK_CT_OUT = 4;
/** One table and nothing else. */
export const HOOK_TABLE = 5;

export interface Compiled {
  generation: number;
  /** The compiled tables, indexed by the non-negative stage codes. */
  tables: CompiledTable[];
  /** Per hook, what runs there in priority order: a table index or an S_* code. */
  stages: Int32Array[];
  /** The nat table when it has base chains (its hooks are registered), else undefined. */
  nat: CompiledTable | undefined;
  /** Per hook, what nf_hook has to do: HOOK_NONE, HOOK_ACCEPT_ONLY or HOOK_RUN. */
  mode: Uint8Array;
  /** Per hook with HOOK_ACCEPT_ONLY, the base chains whose policy counters the packet goes to. */
  acceptChains: Chain[][];
}

const TRAVERSED: readonly TableName[] = ['raw', 'mangle', 'filter', 'security'];

/** Whether a rule needs connection tracking in the namespace (nf_ct_netns_get in its check). */
function needsConntrack(r: Rule): boolean {
  const k = r.target.kind;
  if (k === 'SNAT' || k === 'DNAT' || k === 'MASQUERADE' || k === 'REDIRECT' || k === 'CONNMARK') return true;
  if (k === 'CT' && !(r.target.flags & XT_CT_NOTRACK)) return true;
  return r.matches.some((m) => m.kind === 'conntrack' || m.kind === 'connmark' || m.kind === 'helper');
}

function compile(st: NetfilterState, now: number): Compiled {
  const tables = TRAVERSED.filter((t) => st.tables[t].exists).map((t) => new CompiledTable(st.tables[t], st, now));
  const natT = st.tables.nat;
  const nat = natT.exists && natT.existing('created').some((c) => c.hook !== null) ? new CompiledTable(natT, st, now) : undefined;
  let ct = false;
  for (const name of [...TRAVERSED, 'nat' as const]) {
    const t = st.tables[name];
    if (t.exists && t.existing('created').some((c) => c.rules.some(needsConntrack))) ct = true;
  }
  const stages: Int32Array[] = [];
  for (let h = 0; h < 5; h++) {
    const name = HOOK_NAMES[h];
    const list: Array<[number, number]> = [];
    tables.forEach((t, i) => {
      if (t.entry[h] >= 0) list.push([TABLE_PRIORITY[t.table.name][name]!, i]);
    });
    if (ct) {
      if (h === NF_INET_PRE_ROUTING) list.push([-400, S_DEFRAG]);
      if (h === NF_INET_PRE_ROUTING || h === NF_INET_LOCAL_OUT) list.push([-200, S_CT_IN]);
      if (nat !== undefined && h !== NF_INET_FORWARD) list.push([TABLE_PRIORITY.nat[name]!, S_NAT]);
      if (h === NF_INET_LOCAL_IN || h === NF_INET_POST_ROUTING) list.push([0x7fffffff, S_CONFIRM]);
    }
    list.sort((a, b) => a[0] - b[0]);
    stages.push(Int32Array.from(list.map((e) => e[1])));
  }
  const mode = new Uint8Array(5);
  const acceptChains: Chain[][] = [];
  for (let h = 0; h < 5; h++) {
    const codes = stages[h];
    const chains: Chain[] = [];
    let only = codes.length !== 0;
    for (let s = 0; s < codes.length && only; s++) {
      const t = codes[s] >= 0 ? tables[codes[s]] : undefined;
      const e = t === undefined ? -1 : t.entry[h];
      if (t === undefined || e < 0 || t.kind[e] !== K_POLICY || t.arg[e] !== 1) only = false;
      else chains.push(t.chains[e]!);
    }
    mode[h] = codes.length === 0 ? HOOK_NONE : only ? HOOK_ACCEPT_ONLY : HOOK_RUN;
    if (mode[h] === HOOK_RUN && codes.length === 1 && codes[0] >= 0) mode[h] = HOOK_TABLE;
    if (ct && codes.length !== 0 && codes.every((code) => code < 0)) {
      if (h === NF_INET_PRE_ROUTING || h === NF_INET_LOCAL_OUT) mode[h] = HOOK_CT_IN;
      else if (h === NF_INET_LOCAL_IN || h === NF_INET_POST_ROUTING) mode[h] = HOOK_CT_OUT;
    }
    acceptChains.push(only ? chains : []);
  }
  return { generation: st.generation, tables, stages, nat, mode, acceptChains };
}

export function compiledOf(ns: NetNs): Compiled {
  const st = ns.netfilter;
  let c = st.compiled as Compiled | undefined;
  if (c === undefined || c.generation !== st.generation) {
    c = compile(st, limitJiffies(ns.world.now()));
    st.compiled = c;
  }
  return c;
}
