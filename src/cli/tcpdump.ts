// `tcpdump`: Debian's tcpdump 4.99.3 capturing live in the namespace it runs in, normally in
// the background of a script (`tcpdump -i veth0 -n &` … `kill %1`). It taps the device from
// the moment it starts until it is killed, the script ends, -c N packets were captured, or the
// device goes away, and prints what the real one prints: the `listening on` lines, one line
// per packet (formatFrame, local time) or a classic pcap file with -w, then the counts.
//
// Signals: INT, TERM, HUP and PIPE (and the end of the script, which sends TERM) end it the
// way tcpdump's cleanup handler does: an extra newline on stdout when printing, the counts on
// stderr, status 0. Any other signal kills it silently (status 128+N).
//
// Not modelled: -q, -A/-x/-X, -r (see `nslab decode`), -w - and file rotation (refused with
// a message); `inbound`/`outbound` on an Ethernet device (the filter compiler refuses them
// there, as for a savefile). Without -p the device is promiscuous while it captures.
import { resolve } from 'node:path';
import type { NetDevice } from '../kernel/device.ts';
import type { NetNs } from '../kernel/netns.ts';
import { prefixMask } from '../wire/addr.ts';
import { LINKTYPE_ETHERNET, MAXIMUM_SNAPLEN, PcapWriter, formatLinkType } from '../pcap/index.ts';
import { createPrintState, formatFrame, type PrintOptions } from '../print/index.ts';
import { formatTimestamp } from '../print/timestamp.ts';
import { FilterError, compileFilter, type CompiledFilter } from './tcpdump-filter.ts';
import { USAGE_TEXT, VERSION_TEXT, parseTcpdumpArgs, tcpdumpTimestamp, type TcpdumpArgs } from './tcpdump-args.ts';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LiveCapture, defaultDevice, type LivePacket } from './tcpdump-live.ts';
import { ToolExit, type Tool, type ToolContext } from './tool.ts';

/** Signals tcpdump catches to stop and print its counts (cleanup()). */
const CLEANUP_SIGNALS = new Set([1, 2, 13, 15]);

const plural = (n: number, what: string): string => `${n} packet${n === 1 ? '' : 's'} ${what}\n`;

/** What pcap_dump_open reports for a file it cannot create. */
function openError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory', EROFS: 'Read-only file system', ENOSPC: 'No space left on device',
  };
  return `tcpdump: ${path}: ${(code && text[code]) ?? (e as Error).message}\n`;
}

/** pcap_lookupnet: the netmask of the device's primary IPv4 address (0 when it has none, or for `any`). */
function netmaskOf(ns: NetNs, dev: NetDevice | 'any'): number {
  if (dev === 'any') return 0;
  const ifa = ns.ipv4.devinet.list(dev).find((a) => a.label === dev.name);
  return ifa ? prefixMask(ifa.prefixlen) >>> 0 : 0;
}

interface Target {
  dev: NetDevice | 'any';
  name: string;
  linkType: number;
}

/** Opens the device as tcpdump's open_interface does (errors as it prints them). */
function openTarget(ctx: ToolContext, a: TcpdumpArgs): Target {
  if (a.iface === undefined) {
    const dev = defaultDevice(ctx.ns);
    return dev === 'any' ? { dev, name: 'any', linkType: LINKTYPE_LINUX_SLL } : { dev, name: dev.name, linkType: LINKTYPE_ETHERNET };
  }
  if (a.iface === 'any') {
    ctx.io.err('tcpdump: data link type LINUX_SLL2\n');
    return { dev: 'any', name: 'any', linkType: LINKTYPE_LINUX_SLL2 };
  }
  const dev = ctx.ns.device(a.iface);
  if (!dev) throw new ToolExit(1, `tcpdump: ${a.iface}: No such device exists\n(No such device exists)\n`);
  if (!dev.up) throw new ToolExit(1, `tcpdump: ${a.iface}: That device is not up\n`);
  return { dev, name: dev.name, linkType: LINKTYPE_ETHERNET };
}

/** Prints packets as tcpdump does: packet number (-#), time stamp by -t count, the decoded text. */
class Printer {
  private readonly state = createPrintState();
  private readonly opts: PrintOptions;
  private ref: { sec: number; usec: number } | undefined;

  constructor(private readonly a: TcpdumpArgs, private readonly linkType: number, private readonly ns: NetNs) {
    this.opts = {
      link: a.link,
      verbose: Math.min(a.verbose, 3) as PrintOptions['verbose'],
      timestamps: 'none',
      ifName: (i) => this.ns.deviceByIndex(i)?.name,
    };
  }

  format(p: LivePacket, sec: number, usec: number, n: number): string {
    let prefix = this.a.number ? `${String(n).padStart(5)}  ` : '';
    const t = this.a.tflag;
    if (t === 0) prefix += formatTimestamp(sec, usec * 1000, 'local', false) + ' ';
    else if (t >= 2) {
      this.ref ??= { sec, usec };
      prefix += tcpdumpTimestamp(Math.min(t, 5), sec, usec, this.ref);
      if (t === 3) this.ref = { sec, usec };
    }
    const frame = { data: p.data, linkType: this.linkType, originalLength: p.originalLength, tsSec: sec, tsNsec: usec * 1000 };
    return prefix + formatFrame(frame, this.opts, this.state) + '\n';
  }
}

export const tcpdump: Tool = async (ctx) => {
  try {
    return await run(ctx);
  } catch (e) {
    if (!(e instanceof ToolExit)) throw e;
    ctx.io.err(e.stderr);
    return e.status;
  }
};

async function run(ctx: ToolContext): Promise<number> {
  const a = parseTcpdumpArgs(ctx.argv);
  if (a.info !== undefined) {
    ctx.io.out(a.info === 'help' ? USAGE_TEXT : VERSION_TEXT);
    return 0;
  }
  const target = openTarget(ctx, a);
  const snaplen = a.snaplen === 0 ? MAXIMUM_SNAPLEN : a.snaplen;
  let filter: CompiledFilter | undefined;
  if (a.expr.length > 0) {
    try {
      filter = compileFilter(a.expr, { linkType: target.linkType, netmask: netmaskOf(ctx.ns, target.dev), optimize: a.optimize });
    } catch (e) {
      if (e instanceof FilterError) throw new ToolExit(1, `tcpdump: ${e.message}\n`);
      throw e;
    }
  }
  let writer: PcapWriter | undefined;
  if (a.writeFile !== undefined) {
    try {
      writer = PcapWriter.file(resolve(ctx.cwd ?? process.cwd(), a.writeFile), {
        linkType: target.linkType, snaplen, packetBuffered: a.packetBuffered,
      });
    } catch (e) {
      throw new ToolExit(1, openError(a.writeFile, e));
    }
  }
  const io = ctx.io;
  io.err((a.verbose === 0 && writer === undefined
    ? 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on '
    : 'tcpdump: listening on ') + `${target.name}, link-type ${formatLinkType(target.linkType)}, snapshot length ${snaplen} bytes\n`);

  const printer = writer ? undefined : new Printer(a, target.linkType, ctx.ns);
  let writeError: string | undefined;
  let wake: () => void = () => {};
  const done = new Promise<void>((r) => {
    wake = r;
  });
  const cap = new LiveCapture({
    ns: ctx.ns, dev: target.dev, linkType: target.linkType, snaplen, filter, direction: a.direction, count: a.count,
    onPacket: (p) => {
      const us = Math.round(p.timeMs * 1000);
      const sec = Math.floor(us / 1e6);
      const usec = us - sec * 1e6;
      if (!writer) {
        io.out(printer!.format(p, sec, usec, cap.captured));
        return;
      }
      try {
        writer.write({ tsSec: sec, tsNsec: usec * 1000, data: p.data, originalLength: p.originalLength });
      } catch (e) {
        // pcap_dump failing (a full disk): tcpdump reports it and stops.
        writeError ??= `tcpdump: ${a.writeFile}: ${(e as Error).message}\n`;
        wake();
      }
    },
    onDone: () => wake(),
  });
  // PACKET_MR_PROMISC: the device counts one more promiscuous user while the capture is open
  // (`ip -d link` shows it; a bridge then passes every frame up its own stack).
  const promisc = a.promisc && target.dev !== 'any' ? target.dev : undefined;
  if (promisc) promisc.promiscuity++;
  const onAbort = (): void => wake();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (!ctx.signal.aborted) await done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    cap.close();
    if (promisc) promisc.promiscuity = Math.max(0, promisc.promiscuity - 1);
    try {
      writer?.close();
    } catch (e) {
      writeError ??= `tcpdump: ${a.writeFile}: ${(e as Error).message}\n`;
    }
  }
  if (writeError !== undefined) {
    io.err(writeError);
    return 1;
  }
  const countReached = a.count > 0 && cap.captured >= a.count;
  if (!countReached && !cap.disappeared && ctx.signal.aborted) {
    const sig: unknown = ctx.signal.reason;
    const n = typeof sig === 'number' ? sig : 15;
    if (!CLEANUP_SIGNALS.has(n)) return 128 + n;
    // pcap_breakloop: tcpdump may have been in the middle of a line.
    if (!writer) io.out('\n');
  }
  if (cap.disappeared && !countReached) io.err('tcpdump: pcap_loop: The interface disappeared\n');
  io.err(plural(cap.captured, 'captured') + plural(cap.received, 'received by filter') + '0 packets dropped by kernel\n');
  return cap.disappeared && !countReached ? 1 : 0;
}
