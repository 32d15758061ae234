// The Internet checksum: RFC 1071 (full) and RFC 1624 (incremental update).
/**
 * One's-complement sum of `len` bytes from `o`, added to `initial`, as an unfolded 32-bit-safe
 * number. An odd trailing byte is padded with zero, as RFC 1071 says.
 */
export function onesSum(b: Uint8Array, o: number, len: number, initial = 0): number {
  let sum = initial;
  const end = o + len - 1;
  let i = o;
  for (; i < end; i += 2) {
    sum += (b[i] << 8) | b[i + 1];
    // Fold early so the sum never leaves the small-integer range on long buffers.
    if (sum > 0x7fff0000) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i === end) sum += b[i] << 8;
  return sum;
}

/** Folds carries into 16 bits (without complementing). */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The checksum field value for `len` bytes: the complement of their folded sum. */
export function internetChecksum(b: Uint8Array, o: number, len: number, initial = 0): number {
  return ~fold(onesSum(b, o, len, initial)) & 0xffff;
}

/** True when the bytes, checksum field included, sum to 0xffff (the field is right). */
export function checksumOk(b: Uint8Array, o: number, len: number, initial = 0): boolean {
  return fold(onesSum(b, o, len, initial)) === 0xffff;
}

/** Sum of the IPv4 pseudo-header used by UDP and TCP (src, dst as uint32). */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * RFC 1624 eqn. 3: the new checksum after a 16-bit word of the covered data changes from
 * `oldWord` to `newWord`: HC' = ~(~HC + ~m + m').
 */
export function checksumReplace16(check: number, oldWord: number, newWord: number): number {
  const sum = (~check & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~fold(sum) & 0xffff;
}

/** As checksumReplace16, for a 32-bit field (an address) changing. */
export function checksumReplace32(check: number, oldValue: number, newValue: number): number {
  const sum =
    (~check & 0xffff) +
    (~(oldValue >>> 16) & 0xffff) +
    (~oldValue & 0xffff) +
    ((newValue >>> 16) & 0xffff) +
    (newValue & 0xffff);
  return ~fold(sum) & 0xffff;
}
