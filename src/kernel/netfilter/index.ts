// IPv4 netfilter of one namespace: its five tables. Commands change a copy and commit it only
// when every operation and every kernel check passed (iptables-nft's batches are atomic).
import type { NetNs } from '../netns.ts';
import { Table, TABLE_ORDER, type TableName } from './table.ts';

export class NetfilterState {
  readonly tables: Record<TableName, Table>;
  /** Bumped by every commit: the packet path recompiles its flat rule arrays when it changes. */
  generation = 0;
  /** The packet path's compiled form of the tables (hooks.ts), for `generation`. */
  compiled: unknown = undefined;
  /** Per-rule runtime state of the packet path (a limit's credit), by table, handle and match. */
  readonly ruleState = new Map<string, unknown>();
  /** The conntrack table (conntrack.ts), made when a rule first needs it; not part of a batch. */
  conntrack: unknown = undefined;

  constructor() {
    this.tables = { raw: new Table('raw'), mangle: new Table('mangle'), filter: new Table('filter'), nat: new Table('nat'), security: new Table('security') };
  }

  table(name: TableName): Table {
    return this.tables[name];
  }

  /** A deep copy, to run a batch on. */
  clone(): NetfilterState {
    const s = new NetfilterState();
    for (const name of TABLE_ORDER) s.tables[name] = this.tables[name].clone();
    return s;
  }

  /** Takes over the tables of a committed copy. */
  commit(from: NetfilterState): void {
    for (const name of TABLE_ORDER) this.tables[name] = from.tables[name];
    this.generation++;
  }
}

/** The namespace's netfilter state. */
export function netfilterOf(ns: NetNs): NetfilterState {
  return ns.netfilter;
}

export * from './types.ts';
export * from './errors.ts';
export * from './ops.ts';
export { Chain, Table, HOOKS, TABLE_HOOKS, TABLE_ORDER, TABLE_PRIORITY, isTableName, cloneRule, type Hook, type TableName } from './table.ts';
export { ruleEquals } from './compare.ts';
export { checkRule, validateTable, isCompatTcpUdp } from './validate.ts';
