// ICMP rate limits (net/ipv4/icmp.c, route.c ip_error, inetpeer.c), in jiffies (HZ=250) of
// virtual time. Each destination of errors has one inet_peer whose token bucket both
// ip_error() (1 s per error, 5 s burst) and icmp_send() (icmp_ratelimit per error, burst of six)
// draw from — so a forwarding unreachable costs two tokens. A global bucket
// (icmp_msgs_per_sec, icmp_msgs_burst) applies to every rate-limited type.

const HZ = 250;
const XRLIM_BURST_FACTOR = 6;
const IP_RT_ERROR_COST = HZ;
const IP_RT_ERROR_BURST = 5 * HZ;

function jiffies(ms: number): number {
  return Math.floor((ms * HZ) / 1000);
}

interface Peer {
  tokens: number;
  last: number;
}

export class IcmpRateLimit {
  private readonly peers = new Map<number, Peer>();
  private globalCredit = -1;
  private globalStamp = 0;

  /** inet_getpeer: a new peer's bucket looks 60 s old, so it starts full. */
  private peer(addr: number, now: number): Peer {
    let p = this.peers.get(addr | 0);
    if (!p) {
      p = { tokens: 0, last: now - 60 * HZ };
      this.peers.set(addr | 0, p);
    }
    return p;
  }

  /** ip_error's check for an error about a packet from `src` at `nowMs`. */
  allowRouteError(src: number, nowMs: number): boolean {
    const now = jiffies(nowMs);
    const p = this.peer(src, now);
    p.tokens = Math.min(IP_RT_ERROR_BURST, p.tokens + (now - p.last));
    p.last = now;
    if (p.tokens >= IP_RT_ERROR_COST) {
      p.tokens -= IP_RT_ERROR_COST;
      return true;
    }
    return false;
  }

  /** inet_peer_xrlim_allow for an error to `dst` with icmp_ratelimit `timeoutMs`. */
  allowHost(dst: number, nowMs: number, timeoutMs: number): boolean {
    const now = jiffies(nowMs);
    const timeout = jiffies(timeoutMs);
    const p = this.peer(dst, now);
    let token = p.tokens + (now - p.last);
    p.last = now;
    if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
    let ok = false;
    if (token >= timeout) {
      token -= timeout;
      ok = true;
    }
    p.tokens = token;
    return ok;
  }

  /** icmp_global_allow: icmp_msgs_per_sec credit per second, at most icmp_msgs_burst. */
  allowGlobal(nowMs: number, perSec: number, burst: number): boolean {
    if (this.globalCredit < 0) {
      this.globalCredit = burst;
      this.globalStamp = nowMs;
    }
    const elapsed = nowMs - this.globalStamp;
    if (elapsed > 0) {
      const add = Math.floor((elapsed * perSec) / 1000);
      if (add > 0) {
        this.globalCredit = Math.min(burst, this.globalCredit + add);
        this.globalStamp = nowMs;
      }
    }
    if (this.globalCredit > 0) {
      this.globalCredit--;
      return true;
    }
    return false;
  }
}
