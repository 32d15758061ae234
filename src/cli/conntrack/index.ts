// `conntrack` (conntrack-tools 1.4.7) over the namespace's conntrack table
// (src/kernel/netfilter/conntrack.ts), byte for byte against sessions recorded on a real kernel.
// The pieces: options.ts reads the command line (legality.ts holds which options each command
// takes, protocols.ts the `-p` protocols and their options, scan.ts the lenient number and
// address reading), filter.ts picks the entries a command acts on, format.ts prints them, and
// proc.ts gives the kernel's /proc/net/nf_conntrack and /proc/net/stat/nf_conntrack for `cat`.
// -D and -U, like the real tool, walk a full dump and act entry by entry.
//
// What nslab decides (the real values depend on the machine):
// * two CPUs: `conntrack -S` and /proc/net/stat/nf_conntrack print cpu 0 and cpu 1; every
//   counter the kernel keeps is on cpu 0, cpu 1 reads 0 (`entries` is the table's count on
//   both rows, as in the kernel).
// * `use=` is 1 in listings (2 with -G and in /proc, which hold a reference while printing),
//   plus the packets that hold the connection at that moment.
// * -U: on the recording kernel (6.18) every update that would change a connection failed with
//   EOPNOTSUPP; nslab fails the same way and changes nothing.
// * -E listens on the table (CtTable.listen) and prints each event as it comes, until killed
//   (SIGTERM/SIGINT: "</conntrack>" when an XML document was opened, then "N flow events have
//   been shown." on stderr, exit 0). Events caused by a conntrack command (-D, -F) end in
//   " [USERSPACE] portid=N"; nslab's N is the command's pretend pid, and it never adds the real
//   tool's "progname=conntrack" (which the recording only shows when the command is still alive).
//   Expect events (-E expect) never come.
// * -I/-A (create) are not emulated: after the real tool's option checks they fail with
//   "Operation failed: Operation not supported". There are no expectations (lists are empty,
//   gets and deletes fail with ENOENT).
import {
  type CtEvent, type CtTable, IPCT_DESTROY, IPCT_MARK, IPCT_NEW, IPCT_PROTOINFO, ctTableOf, jiffiesOf,
} from '../../kernel/netfilter/conntrack.ts';
import type { Tool, ToolContext } from '../tool.ts';
import {
  CMD, ConntrackExit, EXIT_FAILED, EXIT_USAGE, FILTERING_OPTIONS, type Invocation, L4, MESSAGE_PREFIX, OPT,
  ORIGINAL_ADDRESSES, OUT, PROGRAM, REPLY_ADDRESSES, REPORTED_CPUS, TABLE, TOOL_VERSION, fail,
} from './common.ts';
import { droppedByNat, droppedByNetwork, matchesTemplate, requireMaskedAddresses, skipped } from './filter.ts';
import { cpuStatsText, entryText, eventText, liveEntries, tableOf, viewOf } from './format.ts';
import { parseCommandLine } from './options.ts';
import { UNKNOWN_PROTOCOL } from './protocols.ts';

export { conntrackCount, procNfConntrack, procNfConntrackStat } from './proc.ts';

/** The closing summary on stderr ("N flow entries have been shown."), per command. */
const SUMMARY: Record<number, string> = {
  [CMD.list]: 'flow entries have been shown.', [CMD.create]: 'flow entries have been created.',
  [CMD.update]: 'flow entries have been updated.', [CMD.delete]: 'flow entries have been deleted.',
  [CMD.get]: 'flow entries have been shown.', [CMD.events]: 'flow events have been shown.',
  [CMD.expectList]: 'expectations have been shown.', [CMD.expectDelete]: 'expectations have been shown.',
  [CMD.add]: 'flow entries have been added.',
};

const XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n';

const USAGE = `Command line interface for the connection tracking system. Version ${TOOL_VERSION}
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]\t\tList conntrack or expectation table
  -G [table] parameters\t\tGet conntrack or expectation
  -D [table] parameters\t\tDelete conntrack or expectation
  -I [table] parameters\t\tCreate a conntrack or expectation
  -U [table] parameters\t\tUpdate a conntrack
  -E [table] [options]\t\tShow events
  -F [table]\t\t\tFlush table
  -C [table]\t\t\tShow counter
  -S\t\t\t\tShow statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip\t\t\tsource NAT ip
  -g, --dst-nat ip\t\t\tdestination NAT ip
  -j, --any-nat ip\t\t\tsource or destination NAT ip
  -m, --mark mark\t\t\tSet mark
  -c, --secmark secmark\t\t\tSet selinux secmark
  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY
  -z, --zero \t\t\t\tZero counters while listing
  -o, --output type[,...]\t\tOutput format, eg. xml
  -l, --label label[,...]\t\tconntrack labels

Expectation parameters and options:
  --tuple-src ip\tSource address in expect tuple
  --tuple-dst ip\tDestination address in expect tuple

Updating parameters and options:
  --label-add label\tAdd label
  --label-del label\tDelete label

Common parameters and options:
  -s, --src, --orig-src ip\t\tSource address from original direction
  -d, --dst, --orig-dst ip\t\tDestination address from original direction
  -r, --reply-src ip\t\tSource addres from reply direction
  -q, --reply-dst ip\t\tDestination address from reply direction
  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'
  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout\t\tSet timeout
  -u, --status status\t\tSet status, eg. ASSURED
  -w, --zone value\t\tSet conntrack zone
  --orig-zone value\t\tSet zone for original direction
  --reply-zone value\t\tSet zone for reply direction
  -b, --buffer-size\t\tNetlink socket buffer size
  --mask-src ip\t\t\tSource mask address
  --mask-dst ip\t\t\tDestination mask address

`;

/** -U: finds the entries the template selects; any real change is refused (see the header). */
function update(ctx: ToolContext, inv: Invocation): void {
  requireMaskedAddresses(inv);
  const t = inv.template;
  for (const v of liveEntries(ctx.ns)) {
    if (droppedByNat(inv, v) || droppedByNetwork(inv, v)) continue;
    if (t.id !== undefined && t.id !== v.conn.ctid >>> 0) continue;
    if (inv.options & (ORIGINAL_ADDRESSES | OPT.proto) && !matchesTemplate(inv, v, 'orig')) continue;
    if (inv.options & (REPLY_ADDRESSES | OPT.proto) && !matchesTemplate(inv, v, 'reply')) continue;
    let changes = false;
    if (inv.options & OPT.mark && ((((v.conn.mark & ~t.mark.mask) ^ t.mark.value) >>> 0) !== v.conn.mark >>> 0)) changes = true;
    if (t.status !== undefined && (t.status & v.conn.status) !== t.status) changes = true;
    if (t.timeout !== undefined && t.timeout !== v.timeout) changes = true;
    if (t.tcpState !== undefined && t.tcpState !== v.conn.tcpState) changes = true;
    if (!changes) continue;
    // The tool reports the failed request itself, then exits with the same words.
    ctx.io.err('Operation failed: Operation not supported\n');
    fail(EXIT_FAILED, 'Operation failed: Operation not supported');
  }
}

/** -G: the entry with exactly the given original tuple, looked up as the kernel would. */
function get(ctx: ToolContext, inv: Invocation, out: string[]): number {
  const tab = tableOf(ctx.ns);
  const t = inv.template;
  const nowJiffies = jiffiesOf(ctx.ns.world.now());
  // The recording kernel answered a get by the reply tuple alone with EINVAL.
  if (!(inv.options & ORIGINAL_ADDRESSES)) fail(EXIT_FAILED, 'Operation failed: invalid parameters');
  const icmp = inv.protonum === L4.icmp;
  const sport = (icmp ? t.icmpId : t.origSport) ?? 0;
  const dport = icmp ? ((t.icmpType ?? 0) << 8) | (t.icmpCode ?? 0) : t.origDport ?? 0;
  const found = tab && t.origSrc !== undefined && t.origDst !== undefined && !t.v6
    ? tab.find(nowJiffies, t.origSrc, t.origDst, sport, dport, inv.protonum) : -1;
  if (found === -1) fail(EXIT_FAILED, "Operation failed: such conntrack doesn't exist");
  const v = viewOf(tab!, tab!.conns[found >> 1]!, nowJiffies);
  if (skipped(inv, v, false)) return 0;
  if (inv.output & OUT.xml && !(inv.output & OUT.save)) out.push(XML_HEADER);
  out.push(entryText(inv.output, v, 2 + v.conn.refs, '-A '));
  return 1;
}

/** Event mask bits (-e): NEW, UPDATES, DESTROY; 0 means all. */
const EV_NEW = 1;
const EV_UPDATE = 2;
const EV_DESTROY = 4;

/** The netlink port ids nslab's conntrack commands report in [USERSPACE] (the real one is the pid). */
let nextPortid = 2480;

/** -E: prints the table's events as they come, until the tool is killed; returns the count shown. */
async function events(ctx: ToolContext, inv: Invocation): Promise<never> {
  const tab = ctTableOf(ctx.ns);
  const mask = inv.eventMask || EV_NEW | EV_UPDATE | EV_DESTROY;
  const xml = (inv.output & OUT.xml) !== 0 && !(inv.output & OUT.save);
  let counter = 0;
  let xmlOpen = false;
  const listener = (t: CtTable, ev: CtEvent): void => {
    const kind = ev.events & IPCT_NEW ? EV_NEW : ev.events & IPCT_DESTROY ? EV_DESTROY : EV_UPDATE;
    if (!(mask & kind)) return;
    const v = viewOf(t, ev.conn, jiffiesOf(ctx.ns.world.now()));
    // The tool compares every attribute it was given (nfct_cmp), the mark included.
    if (skipped(inv, v, true)) return;
    let s = '';
    if (xml && !xmlOpen) {
      s += XML_HEADER;
      xmlOpen = true;
    }
    if (inv.output & OUT.timestamp && !xml) {
      const ms = ctx.ns.world.now();
      s += `[${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}]\t`;
    }
    s += eventText(inv.output, v, {
      type: kind === EV_NEW ? 'new' : kind === EV_UPDATE ? 'update' : 'destroy',
      timeout: ev.timeout,
      protoinfo: kind !== EV_UPDATE || (ev.events & IPCT_PROTOINFO) !== 0,
      mark: (ev.events & IPCT_MARK) !== 0 || ev.conn.mark !== 0,
    });
    if (ev.portid !== 0) s += ` [USERSPACE] portid=${ev.portid}`;
    ctx.io.out(s + '\n');
    counter++;
  };
  tab.listen(listener);
  try {
    if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    tab.unlisten(listener);
  }
  if (xmlOpen) ctx.io.out('</conntrack>\n');
  throw new ConntrackExit(0, `${MESSAGE_PREFIX}${counter} flow events have been shown.\n`);
}

/** Runs the command; returns how many entries it showed or acted on, and its stdout. */
async function run(ctx: ToolContext, inv: Invocation): Promise<{ counter: number; out: string }> {
  const ns = ctx.ns;
  const out: string[] = [];
  let counter = 0;
  const tab = tableOf(ns);
  let portid = 0;
  const portidOf = (): number => (portid ||= nextPortid++);
  switch (inv.command) {
    case CMD.list: {
      if (inv.table === TABLE.dying || inv.table === TABLE.unconfirmed) break;
      if (inv.options & FILTERING_OPTIONS && inv.options & OPT.zero) fail(EXIT_USAGE, "Can't use -z with filtering parameters");
      requireMaskedAddresses(inv);
      const xml = (inv.output & OUT.xml) !== 0 && !(inv.output & OUT.save);
      for (const v of liveEntries(ns)) {
        if (skipped(inv, v, true)) continue;
        // The XML document is only opened once there is an entry to put in it.
        if (xml && counter === 0) out.push(XML_HEADER);
        out.push(entryText(inv.output, v, 1 + v.conn.refs, '-A '));
        counter++;
      }
      if (xml && counter > 0) out.push('</conntrack>\n');
      break;
    }
    case CMD.expectStats:
      for (let cpu = 0; cpu < REPORTED_CPUS; cpu++) out.push(`cpu=${String(cpu).padEnd(4)}\texpect_new=0 expect_create=0 expect_delete=0 \n`);
      break;
    case CMD.expectList:
    case CMD.expectFlush:
      break;
    case CMD.expectCount:
      out.push('0\n');
      break;
    case CMD.delete:
      requireMaskedAddresses(inv);
      for (const v of liveEntries(ns)) {
        if (skipped(inv, v, false)) continue;
        tab!.kill(v.conn, portidOf());
        out.push(entryText(inv.output, v, 1 + v.conn.refs, '-D '));
        counter++;
      }
      break;
    case CMD.update:
      update(ctx, inv);
      break;
    case CMD.get:
      counter = get(ctx, inv, out);
      break;
    case CMD.flush:
      // Expired entries the gc worker has not reaped yet go too, reported as this command's.
      if (tab) for (const conn of tab.dump(jiffiesOf(ns.world.now()), true)) tab.kill(conn, portidOf());
      break;
    case CMD.count:
      if (tab) tab.gc(jiffiesOf(ns.world.now()));
      out.push(`${tab?.count ?? 0}\n`);
      break;
    case CMD.stats:
      out.push(cpuStatsText(tab));
      break;
    case CMD.version:
      out.push(`${PROGRAM} v${TOOL_VERSION} (conntrack-tools)\n`);
      break;
    case CMD.help:
      out.push(USAGE);
      if (inv.options & OPT.proto && inv.proto) {
        out.push(`Proto \`${inv.proto === UNKNOWN_PROTOCOL ? 'unknown' : inv.proto.name}' help:\n${inv.proto.help}`);
      }
      break;
    case CMD.events:
    case CMD.expectEvents:
      if (inv.options & OPT.bufferSize) ctx.io.err('NOTICE: Netlink socket buffer size has been set to 0 bytes.\n');
      if (inv.command === CMD.events) {
        requireMaskedAddresses(inv);
        return events(ctx, inv);
      }
      if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new ConntrackExit(0, `${MESSAGE_PREFIX}0 expectation events have been shown.\n`);
    case CMD.create:
    case CMD.add:
      fail(EXIT_FAILED, 'Operation failed: Operation not supported');
      break;
    case CMD.expectCreate:
      fail(EXIT_FAILED, 'Operation failed: master conntrack not found');
      break;
    case CMD.expectDelete:
    case CMD.expectGet:
      fail(EXIT_FAILED, 'Operation failed: No such file or directory');
      break;
    default:
      out.push(USAGE);
      break;
  }
  return { counter, out: out.join('') };
}

export const conntrack: Tool = async (ctx) => {
  const argv = [PROGRAM, ...ctx.argv.slice(1)];
  const warnings = { push: (s: string) => ctx.io.err(s) };
  try {
    const inv = parseCommandLine(argv, warnings);
    const { counter, out } = await run(ctx, inv);
    ctx.io.out(out);
    if (inv.command === CMD.flush) ctx.io.err(`${MESSAGE_PREFIX}connection tracking table has been emptied.\n`);
    if (inv.command === CMD.expectFlush) ctx.io.err(`${MESSAGE_PREFIX}expectation table has been emptied.\n`);
    const summary = SUMMARY[inv.command];
    if (inv.command && summary) {
      ctx.io.err(`${MESSAGE_PREFIX}${counter} ${summary}\n`);
      // Commands that must find something fail when they found nothing; listings never do.
      if (counter === 0 && !(inv.command & (CMD.list | CMD.expectList | CMD.add))) return 1;
    }
    return 0;
  } catch (e) {
    if (!(e instanceof ConntrackExit)) throw e;
    ctx.io.err(e.text);
    return e.status;
  }
};
