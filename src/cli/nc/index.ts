// `nc`: OpenBSD netcat 1.219 as Debian builds it (1.219-1), UDP only. It parses its command line
// as the real one does (glibc getopt, strtonum's messages, the same checks in the same order),
// then follows netcat.c: a client binds (-s/-p) and connects a UDP socket per port, probes it
// with udptest's "X" datagrams under -v/-z, and runs readwrite(): each read of stdin is sent as
// one datagram, each datagram read is written to stdout; a listener (-l) binds with
// SO_REUSEADDR|SO_REUSEPORT, waits for a first datagram (MSG_PEEK), connects to its sender
// (unless -k) and runs readwrite(). Everything waits in virtual time: ctx.sleep, the socket's
// wake-ups and ctx.signal (a signal ends nc with 128+N, as it ends the real one).
//
// Recorded facts it reproduces (test/cli/nc-fixtures): an ICMP port unreachable for a connected
// socket shows as POLLERR, which ends nc silently with status 0; -v's udptest fails quietly with
// status 1; without -n, reverse lookups fail ("getnameinfo: Temporary failure in name resolution",
// as in a namespace without DNS); an empty datagram reads as end of file.
// TCP (no -u) is not emulated yet.
//
// The parts: args.ts reads the command line, netdb.ts answers the host and service lookups,
// netcat.ts holds the client and listener loops; this file checks the operands and maps the
// ways nc ends to its messages and exit statuses.
import { NcExit, USAGE, HELP, parseArgs } from './args.ts';
import { Netcat } from './netcat.ts';
import type { Tool, ToolContext } from '../tool.ts';

export { strtonum } from './args.ts';
export { serviceByName, serviceByPort } from './netdb.ts';

async function main(ctx: ToolContext): Promise<number> {
  const err = ctx.io.err;
  const { o, operands } = parseArgs(ctx.argv.slice(1), err);
  const argc = operands.length;
  let host: string | undefined;
  let uport: string[] | undefined;
  if (argc === 0 && o.lflag) {
    uport = o.pflag !== undefined ? [o.pflag] : undefined;
    host = o.sflag;
  } else if (argc === 1 && o.pflag === undefined && o.sflag === undefined) {
    if (o.lflag) uport = operands;
  } else if (argc >= 2) {
    if (o.lflag && (o.pflag !== undefined || o.sflag !== undefined || argc > 2)) {
      err(USAGE);
      return 1;
    }
    host = operands[0];
    uport = operands.slice(1);
  } else {
    err(USAGE);
    return 1;
  }
  if (!uport || !uport[0]) throw new NcExit(1, 'missing port number');
  if (o.lflag && o.zflag) throw new NcExit(1, 'cannot use -z and -l');
  if (!o.lflag && o.kflag) throw new NcExit(1, 'must use -l with -k');
  if (o.unsupported.length) throw new NcExit(1, `${o.unsupported[0]}: not supported by nslab`);
  if (!o.uflag) throw new NcExit(1, 'TCP is not emulated by nslab yet (only UDP, with -u)');
  const nc = new Netcat(ctx, o);
  if (o.lflag) return nc.listen(host, uport[0]);
  return nc.connect(host!, uport);
}

export const nc: Tool = async (ctx) => {
  try {
    return await main(ctx);
  } catch (e) {
    if (!(e instanceof NcExit)) throw e;
    if (e.status === -1) {
      ctx.io.err('OpenBSD netcat (Debian patchlevel 1.219-1)\n' + USAGE + HELP);
      return 0;
    }
    if (e.text !== undefined) ctx.io.err(`nc: ${e.text}\n`);
    return e.status;
  }
};
