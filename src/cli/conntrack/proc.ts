// The kernel's own conntrack files, which `cat` reads: /proc/net/nf_conntrack (one line per
// entry, like `conntrack -L -o extended` but with zone= and without [OFFLOAD]) and
// /proc/net/stat/nf_conntrack (hex counters per CPU).
import type { NetNs } from '../../kernel/netns.ts';
import { type CtTable, IPS_ASSURED, IPS_SEEN_REPLY, jiffiesOf } from '../../kernel/netfilter/conntrack.ts';
import { FAMILY_IPV4, L4, REPORTED_CPUS } from './common.ts';
import { l4Name, liveEntries, tableOf, tcpStateName, tupleText } from './format.ts';

/** /proc/net/nf_conntrack, in the kernel's dump order. The reader holds a reference, hence use is one more than in listings. */
export function procNfConntrack(ns: NetNs): string {
  let s = '';
  for (const v of liveEntries(ns)) {
    const conn = v.conn;
    let line = `${'ipv4'.padEnd(8)} ${FAMILY_IPV4} ${l4Name(v.proto).padEnd(8)} ${v.proto} ${v.timeout} `;
    if (v.proto === L4.tcp) line += `${tcpStateName(conn)} `;
    line += tupleText(v.origSrc, v.origDst, v.proto, v.origSport, v.origDport);
    if (!(conn.status & IPS_SEEN_REPLY)) line += '[UNREPLIED] ';
    line += tupleText(v.replySrc, v.replyDst, v.proto, v.replySport, v.replyDport);
    if (conn.status & IPS_ASSURED) line += '[ASSURED] ';
    line += `mark=${conn.mark >>> 0} zone=0 use=${2 + conn.refs}\n`;
    s += line;
  }
  return s;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** /proc/net/stat/nf_conntrack: one row per CPU, nslab's counters on cpu 0, the entry count on every row. */
export function procNfConntrackStat(ns: NetNs): string {
  const tab = tableOf(ns);
  if (tab) tab.gc(jiffiesOf(ns.world.now()));
  const entries = tab?.count ?? 0;
  let s = 'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n';
  for (let cpu = 0; cpu < REPORTED_CPUS; cpu++) {
    const stats = cpu === 0 && tab ? tab.stats : undefined;
    const n = (k: keyof CtTable['stats']): number => (stats ? stats[k] : 0);
    s += `${hex8(entries)}  ${hex8(n('clash_resolve'))} ${hex8(n('found'))} ${hex8(0)} ${hex8(n('invalid'))} ${hex8(0)} ${hex8(0)} `
      + `${hex8(n('chaintoolong'))} ${hex8(n('insert'))} ${hex8(n('insert_failed'))} ${hex8(n('drop'))} ${hex8(n('early_drop'))} `
      + `${hex8(n('error'))}  ${hex8(0)} ${hex8(0)} ${hex8(0)} ${hex8(n('search_restart'))}\n`;
  }
  return s;
}

/** net.netfilter.nf_conntrack_count: the live count (expired entries collected first). */
export function conntrackCount(ns: NetNs): number {
  const tab = tableOf(ns);
  if (!tab) return 0;
  tab.gc(jiffiesOf(ns.world.now()));
  return tab.count;
}
