// -m limit (xt_limit.c): a token bucket per rule, in jiffies of virtual time. A rule kept
// across commits keeps its state (NetfilterState.ruleState).
import type { World } from '../world.ts';
import type { NetfilterState } from './index.ts';
import { XT_LIMIT_SCALE } from './types.ts';

const HZ = 250;
/** CREDITS_PER_JIFFY: POW2_BELOW32(0xFFFFFFFF / (HZ*60*60*24)) = 128 at HZ 250. */
const CREDITS_PER_JIFFY = 128;

/** Jiffies of virtual time `ms` (the limit state keeps its own count). */
export function limitJiffies(ms: number): number {
  return Math.floor((ms * HZ) / 1000);
}

export interface LimitState {
  credit: number;
  prev: number;
  creditCap: number;
  cost: number;
}

function user2credits(user: number): number {
  if (user > Math.floor(0xffffffff / (HZ * CREDITS_PER_JIFFY))) return Math.floor(user / XT_LIMIT_SCALE) * HZ * CREDITS_PER_JIFFY;
  return Math.floor((user * HZ * CREDITS_PER_JIFFY) / XT_LIMIT_SCALE);
}

/** limit_mt_check: a new rule starts with full credit; a rule kept across commits keeps its state. */
export function limitState(st: NetfilterState, table: string, handle: number, j: number, avg: number, burst: number, now: number): LimitState {
  const key = `${table}:${handle}:${j}:${avg}:${burst}`;
  let s = st.ruleState.get(key) as LimitState | undefined;
  if (s === undefined) {
    // r->avg * r->burst is u32 arithmetic: it wraps, as in the kernel.
    const credit = user2credits((avg * burst) >>> 0);
    s = { credit, prev: now, creditCap: credit, cost: user2credits(avg) };
    st.ruleState.set(key, s);
  }
  return s;
}

/** xt_limit's token bucket, on `world`'s clock (a time in ms passed as a number would be a heap
 * number per call). */
export function limitMatch(s: LimitState, world: World): boolean {
  const now = limitJiffies(world.now());
  if (s.credit < s.cost && s.prev === now) return false;
  let credit = s.credit + (now - s.prev) * CREDITS_PER_JIFFY;
  s.prev = now;
  if (credit > s.creditCap) credit = s.creditCap;
  let ret = false;
  if (credit >= s.cost) {
    ret = true;
    credit -= s.cost;
  }
  s.credit = credit;
  return ret;
}
