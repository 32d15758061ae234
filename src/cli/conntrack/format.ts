// How an entry is shown: the default one-line text (optionally with the layer 3 columns and the
// id), `-o xml`, and `-o save` (the entry as conntrack options that would recreate it). Also the
// view of a table entry that these formats and the filters read.
import type { NetNs } from '../../kernel/netns.ts';
import {
  type Conn, type CtTable, HZ, IPS_ASSURED, IPS_DST_NAT_DONE, IPS_EXPECTED, IPS_FIXED_TIMEOUT, IPS_SEEN_REPLY,
  IPS_SRC_NAT_DONE, TCP_CONNTRACK_NAMES, jiffiesOf,
} from '../../kernel/netfilter/conntrack.ts';
import { formatIpv4Addr } from '../../wire/addr.ts';
import { FAMILY_IPV4, L4, OUT, REPORTED_CPUS, STATUS_HW_OFFLOAD, STATUS_OFFLOAD } from './common.ts';
import { ICMP, PROTOCOLS, TCP } from './protocols.ts';

/** A connection with both tuples read out of the table's columns. */
export interface EntryView {
  conn: Conn;
  proto: number;
  origSrc: number; origDst: number; origSport: number; origDport: number;
  replySrc: number; replyDst: number; replySport: number; replyDport: number;
  /** Whole seconds until the entry expires. */
  timeout: number;
}

export function viewOf(tab: CtTable, conn: Conn, nowJiffies: number): EntryView {
  const orig = conn.id * 2;
  const reply = orig + 1;
  const left = conn.timeout - nowJiffies;
  return {
    conn, proto: tab.tProto[orig],
    origSrc: tab.tSrc[orig] >>> 0, origDst: tab.tDst[orig] >>> 0, origSport: tab.tSport[orig], origDport: tab.tDport[orig],
    replySrc: tab.tSrc[reply] >>> 0, replyDst: tab.tDst[reply] >>> 0, replySport: tab.tSport[reply], replyDport: tab.tDport[reply],
    timeout: left > 0 ? Math.floor(left / HZ) : 0,
  };
}

/** The namespace's conntrack table, if conntrack was ever loaded there. */
export function tableOf(ns: NetNs): CtTable | undefined {
  return ns.netfilter.conntrack as CtTable | undefined;
}

/** The live entries in the kernel's dump order (expired ones are dropped first). */
export function liveEntries(ns: NetNs): EntryView[] {
  const tab = tableOf(ns);
  if (!tab) return [];
  const nowJiffies = jiffiesOf(ns.world.now());
  return tab.dump(nowJiffies).map((conn) => viewOf(tab, conn, nowJiffies));
}

const L4_NAMES: Record<number, string> = {
  [L4.tcp]: 'tcp', [L4.udp]: 'udp', [L4.udplite]: 'udplite', [L4.icmp]: 'icmp',
  [L4.icmpv6]: 'icmpv6', [L4.sctp]: 'sctp', [L4.gre]: 'gre', [L4.dccp]: 'dccp',
};
export const l4Name = (proto: number): string => L4_NAMES[proto] ?? 'unknown';
/** Protocols whose tuples carry ports. */
export const hasPorts = (proto: number): boolean =>
  proto === L4.tcp || proto === L4.udp || proto === L4.udplite || proto === L4.sctp || proto === L4.dccp;
export const tcpStateName = (conn: Conn): string => TCP_CONNTRACK_NAMES[conn.tcpState] ?? 'NONE';

/** One direction's `src= dst= …` fields, each followed by a space; ICMP keeps type/code in dport and id in sport. */
export function tupleText(src: number, dst: number, proto: number, sport: number, dport: number): string {
  let s = `src=${formatIpv4Addr(src)} dst=${formatIpv4Addr(dst)} `;
  if (proto === L4.icmp) s += `type=${dport >> 8} code=${dport & 0xff} id=${sport} `;
  else if (hasPorts(proto)) s += `sport=${sport} dport=${dport} `;
  return s;
}

/** What an event message carries beyond the tuples and status (ctnetlink_conntrack_event). */
export interface EventFields {
  /** 'new', 'update' or 'destroy' (the XML type attribute; the text shows it upper case). */
  type: 'new' | 'update' | 'destroy';
  /** Seconds left, or -1 when the message has no timeout (a destroy with none left). */
  timeout: number;
  /** The TCP state is in the message (new, destroy, or an update that changed it). */
  protoinfo: boolean;
  /** The mark is in the message (not 0, or just changed). */
  mark: boolean;
}

/** Both tuples with [UNREPLIED] between them and the offload/assured flag after, as every
 * entry and event line has them. */
function tuplesAndFlags(v: EntryView): string {
  const conn = v.conn;
  let s = tupleText(v.origSrc, v.origDst, v.proto, v.origSport, v.origDport);
  if (!(conn.status & IPS_SEEN_REPLY)) s += '[UNREPLIED] ';
  s += tupleText(v.replySrc, v.replyDst, v.proto, v.replySport, v.replyDport);
  if (conn.status & STATUS_HW_OFFLOAD) s += '[HW_OFFLOAD] ';
  else if (conn.status & STATUS_OFFLOAD) s += '[OFFLOAD] ';
  else if (conn.status & IPS_ASSURED) s += '[ASSURED] ';
  return s;
}

/** One event in the default text: "[TYPE]" right-aligned in 9 columns, then the entry without use=. */
function eventLineText(v: EntryView, ev: EventFields, show: { extended: boolean; id: boolean }): string {
  const conn = v.conn;
  let s = `${`[${ev.type.toUpperCase()}]`.padStart(9)} `;
  if (show.extended) s += `${'ipv4'.padEnd(8)} ${FAMILY_IPV4} `;
  s += `${l4Name(v.proto).padEnd(8)} ${v.proto} `;
  if (ev.timeout >= 0) s += `${ev.timeout} `;
  if (v.proto === L4.tcp && ev.protoinfo) s += `${tcpStateName(conn)} `;
  s += tuplesAndFlags(v);
  if (ev.mark) s += `mark=${conn.mark >>> 0} `;
  if (show.id) s += `id=${conn.ctid >>> 0} `;
  return s.trimEnd();
}

/** One event as `<flow type="…">` (no use; timeout and mark only when the message has them). */
function eventXmlText(v: EntryView, ev: EventFields): string {
  const conn = v.conn;
  let s = `<flow type="${ev.type}">`;
  s += xmlDirection('original', v.origSrc, v.origDst, v.proto, v.origSport, v.origDport);
  s += xmlDirection('reply', v.replySrc, v.replyDst, v.proto, v.replySport, v.replyDport);
  s += '<meta direction="independent">';
  if (v.proto === L4.tcp && ev.protoinfo) s += `<state>${tcpStateName(conn)}</state>`;
  if (ev.timeout >= 0) s += `<timeout>${ev.timeout}</timeout>`;
  if (ev.mark) s += `<mark>${conn.mark >>> 0}</mark>`;
  s += `<id>${conn.ctid >>> 0}</id>`;
  if (conn.status & IPS_ASSURED) s += '<assured/>';
  if (!(conn.status & IPS_SEEN_REPLY)) s += '<unreplied/>';
  return s + '</meta></flow>';
}

/** One event in the format `-o` chose, without its newline (the tool may add the [USERSPACE] part). */
export function eventText(output: number, v: EntryView, ev: EventFields): string {
  if (output & OUT.save) {
    const cmd = ev.type === 'new' ? '-A ' : ev.type === 'update' ? '-U ' : '-D ';
    const text = saveText({ ...v, timeout: ev.timeout }, cmd);
    return ev.timeout < 0 ? text.replace(/^(-[AUD] )-t -1 /, '$1') : text;
  }
  if (output & OUT.xml) return eventXmlText(v, ev);
  return eventLineText(v, ev, { extended: (output & OUT.extended) !== 0, id: (output & OUT.id) !== 0 });
}

/** The default one-line text; `extended` adds the layer 3 columns, `id` the connection id. */
function lineText(v: EntryView, show: { extended: boolean; id: boolean; use: number }): string {
  const conn = v.conn;
  let s = '';
  if (show.extended) s += `${'ipv4'.padEnd(8)} ${FAMILY_IPV4} `;
  s += `${l4Name(v.proto).padEnd(8)} ${v.proto} ${v.timeout} `;
  if (v.proto === L4.tcp) s += `${tcpStateName(conn)} `;
  s += tuplesAndFlags(v);
  s += `mark=${conn.mark >>> 0} `;
  s += `use=${show.use} `;
  if (show.id) s += `id=${conn.ctid >>> 0} `;
  return s.trimEnd();
}

function xmlDirection(dir: string, src: number, dst: number, proto: number, sport: number, dport: number): string {
  let s = `<meta direction="${dir}"><layer3 protonum="${FAMILY_IPV4}" protoname="ipv4"><src>${formatIpv4Addr(src)}</src><dst>${formatIpv4Addr(dst)}</dst></layer3>`;
  s += `<layer4 protonum="${proto}" protoname="${l4Name(proto)}">`;
  if (hasPorts(proto)) s += `<sport>${sport}</sport><dport>${dport}</dport>`;
  return s + '</layer4></meta>';
}

/** One `<flow>` element (the caller adds the document header and the `<conntrack>` wrapper). */
function xmlText(v: EntryView, use: number): string {
  const conn = v.conn;
  let s = '<flow>';
  s += xmlDirection('original', v.origSrc, v.origDst, v.proto, v.origSport, v.origDport);
  s += xmlDirection('reply', v.replySrc, v.replyDst, v.proto, v.replySport, v.replyDport);
  s += '<meta direction="independent">';
  if (v.proto === L4.tcp) s += `<state>${tcpStateName(conn)}</state>`;
  s += `<timeout>${v.timeout}</timeout><mark>${conn.mark >>> 0}</mark><use>${use}</use><id>${conn.ctid >>> 0}</id>`;
  if (conn.status & IPS_ASSURED) s += '<assured/>';
  if (!(conn.status & IPS_SEEN_REPLY)) s += '<unreplied/>';
  return s + '</meta></flow>';
}

// NAT as the reply tuple shows it: the status says NAT was done and the reply side differs from
// the original (address for SNAT/DNAT, port for the port-only variants).
export const isSrcNat = (v: EntryView) => (v.conn.status & IPS_SRC_NAT_DONE) !== 0 && v.replyDst !== v.origSrc;
export const isDstNat = (v: EntryView) => (v.conn.status & IPS_DST_NAT_DONE) !== 0 && v.replySrc !== v.origDst;
export const isSrcPortNat = (v: EntryView) => (v.conn.status & IPS_SRC_NAT_DONE) !== 0 && v.replyDport !== v.origSport;
export const isDstPortNat = (v: EntryView) => (v.conn.status & IPS_DST_NAT_DONE) !== 0 && v.replySport !== v.origDport;

const SAVED_STATUS: Array<[number, string]> = [
  [IPS_EXPECTED, 'EXPECTED'], [IPS_SEEN_REPLY, 'SEEN_REPLY'], [IPS_ASSURED, 'ASSURED'], [IPS_FIXED_TIMEOUT, 'FIXED_TIMEOUT'],
];

/** `-o save`: the entry as options after `command` (`-A ` or `-D `); a NATed side is written as -g/-n. */
function saveText(v: EntryView, command: string): string {
  const conn = v.conn;
  let s = `${command}-t ${v.timeout} `;
  const status = SAVED_STATUS.filter(([bit]) => conn.status & bit).map(([, name]) => name);
  s += `-u ${status.length ? status.join(',') : 'UNSET'} `;
  s += `-s ${formatIpv4Addr(v.origSrc)} -d ${formatIpv4Addr(v.origDst)} `;
  s += `${isDstNat(v) ? '-g' : '-r'} ${formatIpv4Addr(v.replySrc)} `;
  s += `${isSrcNat(v) ? '-n' : '-q'} ${formatIpv4Addr(v.replyDst)} `;
  const p = PROTOCOLS.find((x) => x.num === v.proto);
  if (!p) s += `-p ${v.proto} `;
  else {
    s += `-p ${p.name} `;
    if (p === ICMP) s += `--icmp-type ${v.origDport >> 8} --icmp-code ${v.origDport & 0xff} --icmp-id ${v.origSport} `;
    else if (p === TCP || p.opts.length) {
      s += `--sport ${v.origSport} --dport ${v.origDport} --reply-port-src ${v.replySport} --reply-port-dst ${v.replyDport} `;
      if (p === TCP) s += `--state ${tcpStateName(conn)} `;
    }
  }
  return s.trimEnd();
}

/** One entry in the format `-o` chose, with its newline; `saveCommand` prefixes the save format. */
export function entryText(output: number, v: EntryView, use: number, saveCommand: string): string {
  if (output & OUT.save) return saveText(v, saveCommand) + '\n';
  if (output & OUT.xml) return xmlText(v, use) + '\n';
  return lineText(v, { extended: (output & OUT.extended) !== 0, id: (output & OUT.id) !== 0, use }) + '\n';
}

/** `conntrack -S`: one line per CPU, the table's counters on cpu 0. */
export function cpuStatsText(tab: CtTable | undefined): string {
  let s = '';
  for (let cpu = 0; cpu < REPORTED_CPUS; cpu++) {
    const stats = cpu === 0 && tab ? tab.stats : undefined;
    const n = (k: keyof CtTable['stats']): number => (stats ? stats[k] : 0);
    s += `cpu=${String(cpu).padEnd(4)}\tfound=${n('found')} invalid=${n('invalid')} insert=${n('insert')} insert_failed=${n('insert_failed')} `
      + `drop=${n('drop')} early_drop=${n('early_drop')} error=${n('error')} search_restart=${n('search_restart')} `
      + `clash_resolve=${n('clash_resolve')} chaintoolong=${n('chaintoolong')} \n`;
  }
  return s;
}
