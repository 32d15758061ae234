// The kernel's checkentry of the matches in xt-types.ts (what makes a commit fail with EINVAL),
// and the hooks some of them are limited to (xt_match .hooks, checked from every base chain
// that reaches the rule, as nft_match_validate does).
import type { Hook } from './table.ts';
import type { Match } from './types.ts';
import {
  XT_RECENT_MAX_NSTAMPS, XT_RECENT_REAP, XT_RECENT_REMOVE, XT_RECENT_SET, XT_RECENT_TTL,
} from './xt-types.ts';

/** recent_mt_check (and xt_check_proc_name); true when the match may be committed. */
export function moreMatchCheck(m: Match): boolean {
  if (m.kind !== 'recent') return true;
  const ops = m.checkSet & 0x0f;
  if (ops === 0 || (ops & (ops - 1)) !== 0) return false;
  if (m.checkSet & (XT_RECENT_SET | XT_RECENT_REMOVE) && (m.seconds !== 0 || m.hitCount !== 0 || m.checkSet & (XT_RECENT_TTL | XT_RECENT_REAP))) return false;
  if (m.checkSet & XT_RECENT_REAP && m.seconds === 0) return false;
  if (m.hitCount >= XT_RECENT_MAX_NSTAMPS) return false;
  return m.name !== '' && m.name !== '.' && m.name !== '..' && !m.name.includes('/');
}

/** mac: PREROUTING, INPUT, FORWARD; owner: OUTPUT, POSTROUTING. */
export function moreMatchHookOk(m: Match, hook: Hook): boolean {
  if (m.kind === 'mac') return hook === 'PREROUTING' || hook === 'INPUT' || hook === 'FORWARD';
  if (m.kind === 'owner') return hook === 'OUTPUT' || hook === 'POSTROUTING';
  return true;
}
