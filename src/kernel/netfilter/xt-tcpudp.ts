// The matches that read the transport header (xt_tcpudp.c, xt_multiport.c, icmp in ip_tables.c):
// tcp, udp, icmp, multiport. They answer MATCH, NO_MATCH or HOTDROP (a truncated header: the
// kernel drops the packet rather than guess).
import {
  XT_MULTIPORT_DESTINATION, XT_MULTIPORT_SOURCE, XT_TCP_INV_DSTPT, XT_TCP_INV_FLAGS, XT_TCP_INV_OPTION, XT_TCP_INV_SRCPT,
  XT_UDP_INV_DSTPT, XT_UDP_INV_SRCPT, type Match,
} from './types.ts';

export const NO_MATCH = 0;
export const MATCH = 1;
export const HOTDROP = 2;

function portIn(port: number, lo: number, hi: number, invert: boolean): boolean {
  return (port >= lo && port <= hi) !== invert;
}

/**
 * The match `m` on the packet whose transport header starts at `th` (IPv4 packet ending at
 * `end`, fragment offset `fragoff`); undefined for a match of another kind.
 */
export function transportMatch(m: Match, b: Uint8Array, th: number, end: number, fragoff: number): number | undefined {
  switch (m.kind) {
    case 'tcp': {
      // A fragment at offset 1 would overlap the TCP header: dropped.
      if (fragoff !== 0) return fragoff === 1 ? HOTDROP : NO_MATCH;
      if (th + 20 > end) return HOTDROP;
      const sport = (b[th] << 8) | b[th + 1];
      const dport = (b[th + 2] << 8) | b[th + 3];
      if (!portIn(sport, m.spts[0], m.spts[1], (m.invflags & XT_TCP_INV_SRCPT) !== 0)) return NO_MATCH;
      if (!portIn(dport, m.dpts[0], m.dpts[1], (m.invflags & XT_TCP_INV_DSTPT) !== 0)) return NO_MATCH;
      if (((b[th + 13] & m.flgMask) === m.flgCmp) === ((m.invflags & XT_TCP_INV_FLAGS) !== 0)) return NO_MATCH;
      if (m.option !== 0) {
        const doff = (b[th + 12] >>> 4) << 2;
        if (doff < 20 || th + doff > end) return HOTDROP;
        let found = false;
        for (let o = th + 20; o < th + doff; ) {
          const k = b[o];
          if (k === m.option) {
            found = true;
            break;
          }
          if (k === 0) break;
          if (k === 1) o++;
          else o += b[o + 1] || 1;
        }
        if (found === ((m.invflags & XT_TCP_INV_OPTION) !== 0)) return NO_MATCH;
      }
      return MATCH;
    }
    case 'udp': {
      if (fragoff !== 0) return NO_MATCH;
      if (th + 8 > end) return HOTDROP;
      const sport = (b[th] << 8) | b[th + 1];
      const dport = (b[th + 2] << 8) | b[th + 3];
      return portIn(sport, m.spts[0], m.spts[1], (m.invflags & XT_UDP_INV_SRCPT) !== 0) && portIn(dport, m.dpts[0], m.dpts[1], (m.invflags & XT_UDP_INV_DSTPT) !== 0) ? MATCH : NO_MATCH;
    }
    case 'icmp': {
      if (fragoff !== 0) return NO_MATCH;
      if (th + 2 > end) return HOTDROP;
      const hit = m.type === 0xff || (b[th] === m.type && b[th + 1] >= m.codeMin && b[th + 1] <= m.codeMax);
      return hit !== m.invert ? MATCH : NO_MATCH;
    }
    case 'multiport': {
      if (fragoff !== 0) return NO_MATCH;
      if (th + 4 > end) return HOTDROP;
      const sport = (b[th] << 8) | b[th + 1];
      const dport = (b[th + 2] << 8) | b[th + 3];
      for (const [lo, hi] of m.ports) {
        const s = sport >= lo && sport <= hi;
        const d = dport >= lo && dport <= hi;
        if (m.flags === XT_MULTIPORT_SOURCE ? s : m.flags === XT_MULTIPORT_DESTINATION ? d : s || d) return m.invert ? NO_MATCH : MATCH;
      }
      return m.invert ? MATCH : NO_MATCH;
    }
    default:
      return undefined;
  }
}
