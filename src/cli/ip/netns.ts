// `ip netns` (iproute2 6.1 ip/ipnetns.c): add, delete, list, list-id, set, identify, exec. The
// names live in nslab's world (what /run/netns holds on Linux); ids are the kernel's nsids.
import { EEXIST, ENOENT, KernelError, strerror } from '../../kernel/errors.ts';
import type { NetNs } from '../../kernel/netns.ts';
import { ToolExit, type ToolContext } from '../tool.ts';
import { duparg, matches } from './args.ts';
import { invargRaw } from './inet-args.ts';
import type { IpContext, IpObject } from './ip.ts';
import { Printer } from './printer.ts';
import { NETNS_USAGE } from './route-usage.ts';

export const ipNetns: IpObject = async (ctx) => {
  const [cmd, ...rest] = ctx.args;
  if (cmd === undefined) return list(ctx);
  if (!ctx.opts.all && rest.length > 0 && invalidName(rest[0])) throw new ToolExit(255, `Invalid netns name "${rest[0]}"\n`);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx);
  if (matches(cmd, 'list-id')) return listId(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(255, NETNS_USAGE);
  if (matches(cmd, 'add')) return add(ctx, rest);
  if (matches(cmd, 'set')) return set(ctx, rest);
  if (matches(cmd, 'delete')) return del(ctx, rest);
  if (matches(cmd, 'identify')) return identify(ctx, rest);
  if (matches(cmd, 'pids')) return pids(ctx, rest);
  if (matches(cmd, 'exec')) return exec(ctx, rest);
  if (matches(cmd, 'monitor')) throw new ToolExit(1, 'ip netns monitor: not supported by nslab\n');
  if (matches(cmd, 'attach')) throw new ToolExit(1, 'ip netns attach: not supported by nslab\n');
  throw new ToolExit(255, `Command "${cmd}" is unknown, try "ip netns help".\n`);
};

function invalidName(name: string): boolean {
  return name === '' || name.length > 255 || name.includes('/') || name === '.' || name === '..';
}

/** /run/netns as readdir shows it on this kernel: the newest name first. */
function names(ctx: IpContext): string[] {
  return [...ctx.world.netns.keys()].reverse();
}

function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

function list(ctx: IpContext): number {
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, false);
  p.begin();
  for (const name of names(ctx)) {
    p.openObject().any('name', name, name);
    const other = ctx.world.netns.get(name)!;
    const id = ctx.ns.nsids.get(other);
    if (id !== undefined) p.any('id', ` (id: ${id})`, id);
    p.fp('\n').closeObject();
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

/** The iproute2 name of a namespace known here by id (what netns_get_name finds in /run/netns). */
function nameOf(ctx: IpContext, target: NetNs): string | undefined {
  for (const [name, ns] of ctx.world.netns) if (ns === target) return name;
  return undefined;
}

function listId(ctx: IpContext, argv: string[]): number {
  let target: number | undefined;
  let nsid: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== 'target-nsid' && arg !== 'nsid') throw new ToolExit(255, NETNS_USAGE);
    if ((arg === 'nsid' ? nsid : target) !== undefined) duparg(arg, arg);
    const v = argv[++i];
    if (v === undefined) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
    const n = /^-?\d+$/.test(v) ? Number(v) : undefined;
    if (n === undefined) invargRaw(`"${arg}" value is invalid`, v);
    if (n! < 0) invargRaw(`"${arg}" value should be >= 0`, argv[i + 1] ?? '(null)');
    if (arg === 'nsid') nsid = n;
    else target = n;
  }
  let ns: NetNs = ctx.ns;
  if (target !== undefined) {
    const t = [...ctx.ns.nsids].find(([, id]) => id === target)?.[0];
    if (!t) throw new ToolExit(1, 'Dump terminated\n');
    ns = t;
  }
  const p = new Printer(ctx.opts.json, ctx.opts.pretty, false);
  p.begin();
  const entries = [...ns.nsids].sort((a, b) => a[1] - b[1]).filter(([, id]) => nsid === undefined || id === nsid);
  if (nsid !== undefined && entries.length === 0) throw new ToolExit(2, 'Error: Peer netns reference is invalid.\n');
  for (const [other, id] of entries) {
    p.openObject().any('nsid', `nsid ${id} `, id);
    if (target !== undefined) {
      const cur = ctx.ns.nsids.get(other);
      if (cur === undefined) p.fp('current-nsid unassigned ');
      else p.any('current-nsid', `current-nsid ${cur} `, cur);
    }
    const name = nameOf(ctx, other);
    if (name !== undefined) p.any('name', `(iproute2 netns name: ${name})`, name);
    p.fp('\n').closeObject();
  }
  p.end();
  ctx.io.out(p.output());
  return 0;
}

function add(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) throw new ToolExit(1, 'No netns name specified\n');
  const name = argv[0];
  try {
    ctx.world.addNetns(name);
  } catch (e) {
    if (e instanceof KernelError && e.errno === EEXIST) {
      throw new ToolExit(1, `Cannot create namespace file "${netnsPath(name)}": ${strerror(EEXIST)}\n`);
    }
    throw e;
  }
  return 0;
}

function del(ctx: IpContext, argv: string[]): number {
  if (ctx.opts.all) {
    for (const name of names(ctx)) ctx.world.delNetns(name);
    return 0;
  }
  if (argv.length < 1) throw new ToolExit(1, 'No netns name specified\n');
  const name = argv[0];
  if (!ctx.world.netns.has(name)) {
    throw new ToolExit(1, `Cannot remove namespace file "${netnsPath(name)}": ${strerror(ENOENT)}\n`);
  }
  ctx.world.delNetns(name);
  return 0;
}

/** `ip netns set NAME NSID|auto`: the id the current namespace gives NAME. */
function set(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) throw new ToolExit(1, 'No netns name specified\n');
  if (argv.length < 2) throw new ToolExit(1, 'No nsid specified\n');
  const [name, v] = argv;
  let id = -1;
  if (v !== 'auto') {
    const n = /^-?(0[xX][0-9a-fA-F]+|\d+)$/.test(v) ? Number(v) : undefined;
    if (n === undefined) invargRaw('Invalid "netnsid" value', v);
    if (n! < 0) invargRaw('"netnsid" value should be >= 0', v);
    id = n!;
  }
  const other = ctx.world.netns.get(name);
  if (!other) throw new ToolExit(1, `Cannot open network namespace "${name}": ${strerror(ENOENT)}\n`);
  if (ctx.ns.nsids.has(other)) throw new ToolExit(2, 'Error: Peer netns already has a nsid assigned.\n');
  if (id < 0) {
    ctx.ns.nsidFor(other);
  } else {
    if ([...ctx.ns.nsids.values()].includes(id)) throw new ToolExit(2, 'Error: The specified nsid is already used.\n');
    ctx.ns.nsids.set(other, id);
  }
  return 0;
}

function identify(ctx: IpContext, argv: string[]): number {
  if (argv.length > 1) throw new ToolExit(1, 'extra arguments specified\n');
  if (argv.length === 1 && !/^\d+$/.test(argv[0])) throw new ToolExit(1, `Specified string '${argv[0]}' is not a pid\n`);
  // netns_identify_pid prints what it found, an empty line when the namespace has no name.
  ctx.io.out(`${nameOf(ctx, ctx.ns) ?? ''}\n`);
  return 0;
}

function pids(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) throw new ToolExit(1, 'No netns name specified\n');
  if (argv.length > 1) throw new ToolExit(1, 'extra arguments specified\n');
  if (!ctx.world.netns.has(argv[0])) throw new ToolExit(1, `Cannot open network namespace: ${strerror(ENOENT)}\n`);
  return 0;
}

/** Whether `name` can be run (a registered tool, or whatever the shell says it knows). */

/** netns_exec: switch to the namespace, then exec the command (its status is ip's). */
async function exec(ctx: IpContext, argv: string[]): Promise<number> {
  if (ctx.opts.all) {
    if (argv.length < 1) throw new ToolExit(1, 'No command specified\n');
    let status = 0;
    for (const name of names(ctx)) {
      ctx.io.out(`\nnetns: ${name}\n`);
      status = await runIn(ctx, ctx.world.netns.get(name)!, argv);
    }
    return status;
  }
  if (argv.length < 1) throw new ToolExit(1, 'No netns name specified\n');
  if (argv.length < 2) throw new ToolExit(1, 'No command specified\n');
  const target = ctx.world.netns.get(argv[0]);
  if (!target) throw new ToolExit(255, `Cannot open network namespace "${argv[0]}": ${strerror(ENOENT)}\n`);
  return runIn(ctx, target, argv.slice(1));
}

async function runIn(ctx: IpContext, ns: NetNs, argv: string[]): Promise<number> {
  if (!ctx.hasCommand(argv[0])) {
    ctx.io.err(`exec of "${argv[0]}" failed: ${strerror(ENOENT)}\n`);
    return 1;
  }
  return ctx.exec(argv, ns);
}
