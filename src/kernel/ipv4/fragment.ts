// IPv4 fragmentation (ip_do_fragment's slow path): every fragment but the last carries the
// largest multiple of 8 bytes that fits the MTU after the header; fragments keep the ID, TTL
// and TOS, clear DF, and after the first carry only the options marked "copied".
import type { SkbPool } from '../skb.ts';
import { IPOPT_EOL, IPOPT_NOP } from '../../wire/ipv4-options.ts';
import { updateIpv4Checksum } from '../../wire/ipv4.ts';

/**
 * Splits the datagram whose IPv4 header is at `pool.nh[slot]` (and runs to the end of the slot)
 * into fragments of at most `mtu` bytes. Each fragment is a new slot holding only the IPv4
 * packet (with SKB_HEADROOM free before it for the link header); `send` gets them in order.
 * The original slot is left to the caller. Returns the number of fragments.
 */
export function fragment(pool: SkbPool, slot: number, mtu: number, send: (frag: number) => void): number {
  const b = pool.data[slot];
  const nh = pool.nh[slot];
  const hlen = (b[nh] & 0x0f) << 2;
  const total = (b[nh + 2] << 8) | b[nh + 3];
  const fragWord = (b[nh + 6] << 8) | b[nh + 7];
  const baseOffset = (fragWord & 0x1fff) * 8;
  const moreAfter = (fragWord & 0x2000) !== 0;
  const payload = total - hlen;
  // Header of the later fragments: the same length, non-copied options turned into NOPs.
  const laterHdr = b.slice(nh, nh + hlen);
  for (let p = 20; p < hlen;) {
    const type = laterHdr[p];
    if (type === IPOPT_EOL) break;
    if (type === IPOPT_NOP) { p++; continue; }
    const len = laterHdr[p + 1];
    if (len < 2 || p + len > hlen) break;
    if (!(type & 0x80)) laterHdr.fill(IPOPT_NOP, p, p + len);
    p += len;
  }
  let first = true;
  let done = 0;
  let count = 0;
  while (done < payload) {
    let size = Math.min(payload - done, mtu - hlen);
    if (size < payload - done) size &= ~7;
    const fh = first ? hlen : laterHdr.length;
    const f = pool.alloc(fh + size);
    const fb = pool.data[f];
    const fo = pool.head[f];
    pool.nh[f] = fo;
    if (first) fb.set(b.subarray(nh, nh + hlen), fo);
    else fb.set(laterHdr, fo);
    fb.set(b.subarray(nh + hlen + done, nh + hlen + done + size), fo + fh);
    const last = done + size === payload;
    const off = (baseOffset + done) / 8;
    const word = (last && !moreAfter ? 0 : 0x2000) | off;
    fb[fo + 6] = word >>> 8;
    fb[fo + 7] = word & 0xff;
    fb[fo + 2] = (fh + size) >>> 8;
    fb[fo + 3] = (fh + size) & 0xff;
    updateIpv4Checksum(fb, fo);
    pool.mark[f] = pool.mark[slot];
    pool.dev[f] = pool.dev[slot];
    pool.iif[f] = pool.iif[slot];
    if (pool.ct[slot] !== 0) pool.setCt(f, pool.ctTab[slot]!, pool.ct[slot] - 1, pool.ctinfo[slot]);
    else pool.ctinfo[f] = pool.ctinfo[slot];
    send(f);
    count++;
    done += size;
    first = false;
  }
  return count;
}
