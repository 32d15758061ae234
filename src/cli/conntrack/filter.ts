// Which entries a listing, delete or update acts on. The kernel's dump already drops entries
// of another family, mark or status; the tool then drops the ones failing the NAT options and
// the masked addresses, and finally compares every attribute the command line set.
import { EXIT_USAGE, FAMILY_IPV4, FILTERING_OPTIONS, type Invocation, L4, OPT, fail } from './common.ts';
import { type EntryView, hasPorts, isDstNat, isDstPortNat, isSrcNat, isSrcPortNat } from './format.ts';

/** A mask option filters on its address, so the address must be there. */
export function requireMaskedAddresses(inv: Invocation): void {
  if (inv.options & OPT.maskSrc && !(inv.options & OPT.origSrc)) fail(EXIT_USAGE, "Can't use --mask-src without --src");
  if (inv.options & OPT.maskDst && !(inv.options & OPT.origDst)) fail(EXIT_USAGE, "Can't use --mask-dst without --dst");
}

/**
 * Whether one NAT side matches: an address and a port, when given, must both be the translated
 * ones; with neither, any translation of that side will do.
 */
function natSideMatches(v: EntryView, ip: number | undefined, port: number | undefined, side: 'src' | 'dst'): boolean {
  const addrNat = side === 'src' ? isSrcNat(v) : isDstNat(v);
  const portNat = side === 'src' ? isSrcPortNat(v) : isDstPortNat(v);
  const translatedIp = side === 'src' ? v.replyDst : v.replySrc;
  const translatedPort = side === 'src' ? v.replyDport : v.replySport;
  if (ip === undefined && port === undefined) return addrNat || portNat;
  let matched = ip !== undefined && addrNat && ip === translatedIp;
  if (port !== undefined) {
    const portMatched = portNat && port === translatedPort;
    if (ip !== undefined && matched && !portMatched) matched = false;
    if (ip === undefined && portMatched) matched = true;
  }
  return matched;
}

/** True when the NAT options (--src-nat, --dst-nat, --any-nat) drop the entry. */
export function droppedByNat(inv: Invocation, v: EntryView): boolean {
  const t = inv.template;
  const any = (inv.options & OPT.anyNat) !== 0;
  const wantSrc = any || (inv.options & OPT.srcNat) !== 0;
  const wantDst = any || (inv.options & OPT.dstNat) !== 0;
  const srcOk = wantSrc && natSideMatches(v, t.snatIp, t.snatPort, 'src');
  const dstOk = wantDst && natSideMatches(v, t.dnatIp, t.dnatPort, 'dst');
  if (any) return !(srcOk || dstOk);
  if (inv.options & OPT.srcNat && inv.options & OPT.dstNat) return !(srcOk && dstOk);
  if (inv.options & OPT.srcNat) return !srcOk;
  if (inv.options & OPT.dstNat) return !dstOk;
  return false;
}

/** True when a masked --src/--dst drops the entry (the exact address is not compared then). */
export function droppedByNetwork(inv: Invocation, v: EntryView): boolean {
  const t = inv.template;
  if (inv.options & OPT.maskSrc) {
    if (inv.family !== FAMILY_IPV4 || t.origSrc === undefined) return true;
    const m = t.maskSrc ?? 0;
    if (((v.origSrc & m) >>> 0) !== ((t.origSrc & m) >>> 0)) return true;
  }
  if (inv.options & OPT.maskDst) {
    if (inv.family !== FAMILY_IPV4 || t.origDst === undefined) return true;
    const m = t.maskDst ?? 0;
    if (((v.origDst & m) >>> 0) !== ((t.origDst & m) >>> 0)) return true;
  }
  return false;
}

/**
 * Whether the entry has every attribute the template sets: the original tuple, the reply tuple,
 * or (`all`) both plus status, timeout, TCP state, id, zones and secmark.
 */
export function matchesTemplate(inv: Invocation, v: EntryView, part: 'orig' | 'reply' | 'all'): boolean {
  const t = inv.template;
  if (t.v6) return false;
  const maskedSrc = (inv.options & OPT.maskSrc) !== 0;
  const maskedDst = (inv.options & OPT.maskDst) !== 0;
  const ports = hasPorts(v.proto);
  if (part !== 'reply') {
    if (t.origFamily && t.origFamily !== FAMILY_IPV4) return false;
    if (t.origL4 !== undefined && t.origL4 !== v.proto) return false;
    if (!maskedSrc && t.origSrc !== undefined && t.origSrc !== v.origSrc) return false;
    if (!maskedDst && t.origDst !== undefined && t.origDst !== v.origDst) return false;
    if (t.origSport !== undefined && (!ports || t.origSport !== v.origSport)) return false;
    if (t.origDport !== undefined && (!ports || t.origDport !== v.origDport)) return false;
    const icmp = v.proto === L4.icmp;
    if (t.icmpType !== undefined && (!icmp || t.icmpType !== v.origDport >> 8)) return false;
    if (t.icmpCode !== undefined && (!icmp || t.icmpCode !== (v.origDport & 0xff))) return false;
    if (t.icmpId !== undefined && (!icmp || t.icmpId !== v.origSport)) return false;
  }
  if (part !== 'orig') {
    if (t.replyFamily && t.replyFamily !== FAMILY_IPV4) return false;
    if (t.replyL4 !== undefined && t.replyL4 !== v.proto) return false;
    if (t.replySrc !== undefined && t.replySrc !== v.replySrc) return false;
    if (t.replyDst !== undefined && t.replyDst !== v.replyDst) return false;
    if (t.replySport !== undefined && (!ports || t.replySport !== v.replySport)) return false;
    if (t.replyDport !== undefined && (!ports || t.replyDport !== v.replyDport)) return false;
  }
  if (part === 'all') {
    const conn = v.conn;
    if (t.status !== undefined && (t.status & conn.status) !== t.status) return false;
    if (t.timeout !== undefined && t.timeout !== v.timeout) return false;
    if (t.tcpState !== undefined && (v.proto !== L4.tcp || t.tcpState !== conn.tcpState)) return false;
    if (t.id !== undefined && t.id !== conn.ctid >>> 0) return false;
    // Entries are all in zone 0, which a dump leaves out, so any zone option misses; there is no secmark either.
    if (t.zone !== undefined || t.origZone !== undefined || t.replyZone !== undefined || t.secmark !== undefined) return false;
  }
  return true;
}

/**
 * True when a listing or delete skips the entry. `kernelStatus`: the status filter is applied
 * (a listing asks the kernel to; a delete walks an unfiltered dump).
 */
export function skipped(inv: Invocation, v: EntryView, kernelStatus: boolean): boolean {
  const t = inv.template;
  if (inv.family !== 0 && inv.family !== FAMILY_IPV4) return true;
  if (inv.options & OPT.mark && ((v.conn.mark & t.mark.mask) >>> 0) !== (t.mark.value >>> 0)) return true;
  if (kernelStatus && t.statusFilter && (v.conn.status & t.statusFilter.mask) !== t.statusFilter.value) return true;
  if (droppedByNat(inv, v) || droppedByNetwork(inv, v)) return true;
  if (inv.options & FILTERING_OPTIONS && !matchesTemplate(inv, v, 'all')) return true;
  return false;
}
