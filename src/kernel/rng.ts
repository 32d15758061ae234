// Seeded random numbers (xoshiro128**, seeded through splitmix32): wherever Linux is random
// (MAC addresses, IP IDs, reachable times, ports) nslab draws from this, so a seed fixes a run.

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, n) for 0 < n ≤ 2^32 (like the kernel's get_random_u32_below). */
  below(n: number): number {
    if (n <= 1) return 0;
    // Multiply-shift, as the kernel does; the bias is < 2^-32·n, irrelevant here.
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): Uint8Array {
    for (let i = 0; i < out.length; i += 4) {
      const v = this.u32();
      for (let k = 0; k < 4 && i + k < out.length; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** A random locally administered unicast MAC (eth_random_addr). */
  mac(): Uint8Array {
    const m = this.fill(new Uint8Array(6));
    m[0] = (m[0] & 0xfe) | 0x02;
    return m;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
