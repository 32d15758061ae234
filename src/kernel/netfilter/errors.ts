// How the netfilter model fails. Two kinds, as with iptables-nft:
//  - NetfilterError: the operation is refused before anything reaches the kernel (iptables'
//    own cache says no: missing chain, index too big, chain exists ...). `op` names the
//    libiptc-style function, which decides the text iptables prints for the errno.
//  - KernelFault: the kernel refused one message of the committed batch (busy chain, loop,
//    target not allowed in this table or hook ...). The whole batch is then discarded.
import { EBUSY, EEXIST, EINVAL, ENOENT, EOPNOTSUPP, strerror as kernelStrerror } from '../errors.ts';

export { EBUSY, EEXIST, EINVAL, ENOENT, EOPNOTSUPP };
export const ENXIO = 6;
export const E2BIG = 7;
export const EMLINK = 31;
export const ENOTEMPTY = 39;
export const ELOOP = 40;

const MORE: Record<number, string> = {
  [ENXIO]: 'No such device or address',
  [E2BIG]: 'Argument list too long',
  [EMLINK]: 'Too many links',
  [ENOTEMPTY]: 'Directory not empty',
  [ELOOP]: 'Too many levels of symbolic links',
};

export function strerror(errno: number): string {
  return MORE[errno] ?? kernelStrerror(errno);
}

/** The iptables-nft function an error comes from (nft_fn), which selects its message. */
export type NfOp =
  | 'chain_del'
  | 'chain_user_add'
  | 'chain_user_rename'
  | 'chain_set'
  | 'chain_zero'
  | 'rule_append'
  | 'rule_insert'
  | 'rule_replace'
  | 'rule_delete'
  | 'rule_delete_num'
  | 'rule_check'
  | 'rule_flush'
  | 'table_flush';

export class NetfilterError extends Error {
  override readonly name = 'NetfilterError';
  constructor(readonly errno: number, readonly op: NfOp) {
    super(`${op}: ${strerror(errno)}`);
  }
}

/** Batch message types, as iptables-nft names them in its error report. */
export type BatchMsg = 'CHAIN_DEL' | 'CHAIN_RENAME' | 'CHAIN_ZERO' | 'RULE_APPEND' | 'RULE_INSERT' | 'RULE_REPLACE';

export interface KernelFault {
  msg: BatchMsg;
  errno: number;
  /** `chain NAME` or `rule in chain NAME`. */
  object: string;
  /** Whatever the caller attached to the batch when the message was queued (a line number). */
  tag: number;
}

/** Collects the kernel's refusals while a batch is prepared (the batch is dropped if any). */
export class Batch {
  readonly faults: KernelFault[] = [];
  /** Attached to the next faults (iptables-restore sets the input line). */
  tag = 0;
  /** The function that ran last (iptables' global nft_fn): an error of an operation that does
   * not set it (-Z) is described as if it came from this one. */
  lastOp: NfOp | undefined;

  fault(msg: BatchMsg, errno: number, object: string): void {
    this.faults.push({ msg, errno, object, tag: this.tag });
  }
}
