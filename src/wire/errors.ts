/** Raised by every `parse*` function in src/wire for bytes that cannot be decoded. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    /** Protocol being decoded, e.g. `ipv4`. */
    readonly protocol: string,
    /** Header field that is wrong or missing, e.g. `ihl`. */
    readonly field: string,
    /** Byte offset of that field from the start of the buffer given to the decoder. */
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${protocol}: ${field} at byte ${offset}: ${detail}`);
  }
}

/** Throws a DecodeError unless `need` bytes are available at `offset` (before `end`). */
export function need(protocol: string, field: string, offset: number, count: number, end: number): void {
  if (offset + count > end) {
    throw new DecodeError(protocol, field, offset, `truncated: need ${count} bytes, have ${Math.max(0, end - offset)}`);
  }
}
