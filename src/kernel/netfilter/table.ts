// Tables and chains. A table exists in the kernel once something created it (a rule, a chain,
// a policy); its built-in chains exist individually (iptables-nft creates only the ones it
// needs) but every listing shows all of them, with policy ACCEPT and zero counters when absent.
import type { Policy, Rule } from './types.ts';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
/** Hook order (NF_INET_PRE_ROUTING = 0 ... NF_INET_POST_ROUTING = 4): built-in chains list in it. */
export const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

export type TableName = 'raw' | 'mangle' | 'filter' | 'nat' | 'security';

/** The built-in chains of each table, in hook order. */
export const TABLE_HOOKS: Readonly<Record<TableName, readonly Hook[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The order iptables-save prints tables in (iptables-nft's enum nft_table_type). */
export const TABLE_ORDER: readonly TableName[] = ['mangle', 'security', 'raw', 'filter', 'nat'];

/** Priorities of the base chains (NF_IP_PRI_*), the order the packet path runs tables at one hook. */
export const TABLE_PRIORITY: Readonly<Record<TableName, Partial<Record<Hook, number>>>> = {
  raw: { PREROUTING: -300, OUTPUT: -300 },
  mangle: { PREROUTING: -150, INPUT: -150, FORWARD: -150, OUTPUT: -150, POSTROUTING: -150 },
  nat: { PREROUTING: -100, INPUT: 100, OUTPUT: -100, POSTROUTING: 100 },
  filter: { INPUT: 0, FORWARD: 0, OUTPUT: 0 },
  security: { INPUT: 50, FORWARD: 50, OUTPUT: 50 },
};

export function isTableName(name: string): name is TableName {
  return Object.prototype.hasOwnProperty.call(TABLE_HOOKS, name);
}

/**
 * Packet and byte counters in a Float64Array: a byte count passes the small-integer range after
 * 16 M packets of 64 bytes (a million of 1 500), and a number field crossing it mid-run left the
 * packet path allocating on every count. `pkts`/`bytes` are accessors over `cnt`.
 */
export class XtCounters {
  /** [packets, bytes]. */
  readonly cnt = new Float64Array(2);

  get pkts(): number {
    return this.cnt[0];
  }

  set pkts(v: number) {
    this.cnt[0] = v;
  }

  get bytes(): number {
    return this.cnt[1];
  }

  set bytes(v: number) {
    this.cnt[1] = v;
  }
}

export class Chain extends XtCounters {
  rules: Rule[] = [];
  /** Rules of this table that jump or go here (user chains only). The policy counters
   * (built-in chains) are the inherited `pkts`/`bytes`. */
  refs = 0;
  /** Whether the kernel keeps the policy counters: iptables-nft sends counters for a built-in
   * chain when it sets its policy (-P, iptables-restore) or zeroes it (-Z), but not when a rule
   * command creates it implicitly; such a chain counts nothing. */
  counted = false;
  /** Whether the kernel had this chain when the current batch began (so a rename can name
   * it by handle); chains made during the batch are not yet there. */
  inKernel = false;

  constructor(
    public name: string,
    /** The hook of a built-in chain; null for a user chain. */
    readonly hook: Hook | null,
    /** Built-in chains only. */
    public policy: Policy | null,
  ) {
    super();
  }

  get builtin(): boolean {
    return this.hook !== null;
  }

  clone(): Chain {
    const c = new Chain(this.name, this.hook, this.policy);
    c.rules = this.rules.map(cloneRule);
    c.refs = this.refs;
    c.pkts = this.pkts;
    c.bytes = this.bytes;
    c.counted = this.counted;
    c.inKernel = true;
    return c;
  }
}

/** A deep copy of a rule whose counters are XtCounters (what every rule in a table is). */
export function cloneRule(r: Rule): Rule {
  const { pkts, bytes, ...rest } = r;
  delete (rest as { cnt?: Float64Array }).cnt;
  const c = Object.assign(new XtCounters(), structuredClone(rest)) as unknown as Rule;
  c.pkts = pkts;
  c.bytes = bytes;
  return c;
}

export class Table {
  /** Whether the table exists in the kernel. */
  exists = false;
  /** Built-in chains that exist in the kernel, by hook. */
  readonly base = new Map<Hook, Chain>();
  /** User chains in creation order (the kernel's); listings sort them by name. */
  user: Chain[] = [];
  /** The next rule handle. */
  nextHandle = 1;

  constructor(readonly name: TableName) {}

  get hooks(): readonly Hook[] {
    return TABLE_HOOKS[this.name];
  }

  /** The hook of a built-in chain name of this table. */
  builtinHook(name: string): Hook | undefined {
    return this.hooks.find((h) => h === name);
  }

  /** A chain that exists: a created built-in chain or a user chain. */
  chain(name: string): Chain | undefined {
    const hook = this.builtinHook(name);
    if (hook) return this.base.get(hook);
    return this.user.find((c) => c.name === name);
  }

  userChain(name: string): Chain | undefined {
    return this.user.find((c) => c.name === name);
  }

  /** nft_chain_exists: a built-in name (created or not) or an existing user chain. */
  chainExists(name: string): boolean {
    return this.builtinHook(name) !== undefined || this.userChain(name) !== undefined;
  }

  /** Creates the table, and the built-in chain `name` if it is one (nft_xt_builtin_init). */
  materialize(name?: string): void {
    this.exists = true;
    if (name === undefined) {
      for (const h of this.hooks) this.materialize(h);
      return;
    }
    const hook = this.builtinHook(name);
    if (hook && !this.base.has(hook)) this.base.set(hook, new Chain(hook, hook, 'ACCEPT'));
  }

  /** The chains as every listing shows them: all built-in chains in hook order (absent ones as
   * fresh ACCEPT chains), then user chains sorted by name (strcmp). */
  listing(): Chain[] {
    const builtins = this.hooks.map((h) => this.base.get(h) ?? new Chain(h, h, 'ACCEPT'));
    return [...builtins, ...sortedByName(this.user)];
  }

  /** Existing chains: created built-in chains in hook order, then user chains in `order`. */
  existing(order: 'created' | 'sorted'): Chain[] {
    const builtins = this.hooks.flatMap((h) => this.base.get(h) ?? []);
    return [...builtins, ...(order === 'sorted' ? sortedByName(this.user) : this.user)];
  }

  allChains(): Chain[] {
    return [...this.base.values(), ...this.user];
  }

  clone(): Table {
    const t = new Table(this.name);
    t.exists = this.exists;
    t.nextHandle = this.nextHandle;
    for (const [h, c] of this.base) t.base.set(h, c.clone());
    t.user = this.user.map((c) => c.clone());
    return t;
  }
}

function sortedByName(chains: Chain[]): Chain[] {
  return [...chains].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
