// `dmesg`: util-linux 2.38.1's dmesg (Debian 12) over nslab's kernel log (World.kmsg).
//
// The log is the machine's, not the namespace's: `ip netns exec NS dmesg` prints the same
// records as `dmesg` at top level, as on Linux (one printk buffer for every namespace).
//
// Output is what dmesg prints when stdout is not a terminal (nslab's never is): no pager and,
// unless --color=always, no colors; -H is therefore the same as -e (reltime). Time is the
// World's: timestamps are virtual time since the World was created (its boot), and -T, -e,
// --time-format iso and --since/--until add the World's epoch as the boot's wall-clock time
// (what util-linux computes as now - CLOCK_BOOTTIME), shown in UTC.
//
// How the real tool reads the log matters in a few places, and is followed:
// - it reads /dev/kmsg from the last clear (`dmesg -C`, `-c`); when nothing is there the
//   first read fails with EAGAIN and it falls back to syslog(2), under which --raw with
//   --level/--facility/--kernel/--userspace is an error;
// - text goes through safe_fwrite: control characters other than white space print as \xNN
//   (nslab assumes a UTF-8 locale: other characters print as they are; --noescape: all do);
// - the reltime format (-e, -H) remembers the last minute printed starting from a zeroed
//   struct tm, so a first record in the minute 00:00 of 1 January gets a delta, not a date.
// Not emulated: the console controls (-D, -E, -n) only validate their arguments (there is
// no console); --since/--until accept the absolute forms YYYY-MM-DD[ HH:MM[:SS]], @EPOCH,
// now, today, yesterday, tomorrow and ±N{s,min,h,d} (systemd's parse_timestamp has more).
//
// The parts: options.ts reads the command line (usage.ts holds its --help), format.ts prints a
// record, syslog.ts handles the syslog(2) text form (the fallback and -F files); this file reads
// the log and follows it.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KmsgRecord } from '../../kernel/kmsg.ts';
import type { Tool, ToolContext } from '../tool.ts';
import { fromKmsg, printRecord } from './format.ts';
import { Exit, errx, parseOptions } from './options.ts';
import { printSyslogBuffer, syslogBuffer } from './syslog.ts';

/** The tool: a failure thrown anywhere below becomes its message and status. */
export const dmesg: Tool = async (ctx) => {
  try {
    return await run(ctx);
  } catch (e) {
    if (e instanceof Exit) {
      ctx.io.err(e.text);
      return e.status;
    }
    throw e;
  }
};

async function run(ctx: ToolContext): Promise<number> {
  const { io } = ctx;
  const opts = parseOptions(ctx);
  if (typeof opts === 'number') return opts;
  const { ctl, action, filename, end, follow } = opts;
  let { method } = opts;

  const kmsg = ctx.world.kmsg;
  if (action === 'console') return 0;
  if (action === 'clear') {
    kmsg.clear();
    return 0;
  }

  let out = '';
  if (method === 'file') {
    out = printSyslogBuffer(ctl, readFile(ctx, filename));
  } else {
    let records = kmsg.read();
    // -W: seek to the end first.
    if (end) records = [];
    // An empty /dev/kmsg (non-blocking read: EAGAIN) makes dmesg fall back to syslog(2).
    if (method === 'kmsg' && records.length === 0 && !follow) method = 'syslog';
    if (ctl.raw && method !== 'kmsg' && (ctl.fltrLev || ctl.fltrFac)) {
      throw errx('--raw can be used together with --level or --facility only when reading messages from /dev/kmsg');
    }
    if (ctl.forcePrefix && method !== 'kmsg') ctl.forcePrefix = false;
    if (method === 'syslog') {
      out = printSyslogBuffer(ctl, syslogBuffer(records));
    } else {
      for (const r of records) out += printRecord(ctl, fromKmsg(ctl, r));
    }
  }
  if (ctl.json && ctl.jsonStarted) out += '\n   ]\n}\n';
  if (out) io.out(out);
  if (action === 'read-clear') kmsg.clear();

  if (!follow) return 0;
  // -w / -W: print records as they come until killed.
  await new Promise<void>((done) => {
    const listener = (r: KmsgRecord): void => {
      const text = printRecord(ctl, fromKmsg(ctl, r));
      if (text) io.out(text);
    };
    const stop = (): void => {
      const i = kmsg.listeners.indexOf(listener);
      if (i >= 0) kmsg.listeners.splice(i, 1);
      done();
    };
    kmsg.listeners.push(listener);
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener('abort', stop, { once: true });
  });
  const sig: unknown = ctx.signal.reason;
  return 128 + (typeof sig === 'number' ? sig : 15);
}

/** -F: the file's bytes as text (latin1 keeps each byte one character); the real tool maps the
 * file, so a directory or an empty file fails as mmap fails on it. */
function readFile(ctx: ToolContext, name: string): string {
  const path = resolve(ctx.cwd ?? process.cwd(), name);
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw errx(`cannot mmap: ${name}: No such device`);
    size = st.size;
  } catch (e) {
    if (e instanceof Exit) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw errx(`cannot open ${name}: ${code === 'EACCES' ? 'Permission denied' : 'No such file or directory'}`);
  }
  if (size === 0) throw errx(`cannot mmap: ${name}: Invalid argument`);
  return readFileSync(path, 'latin1');
}
