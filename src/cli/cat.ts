// `cat`: real files as cat shows them, and the emulated namespace's /proc/net and /proc/sys
// (and /sys/class/net) files, so `ip netns exec NS cat /proc/net/snmp` reads nslab's kernel,
// not the machine's.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NetNs } from '../kernel/netns.ts';
import { bridgeSysfs } from '../kernel/bridge/sysfs.ts';
import { procNfConntrack, procNfConntrackStat } from './conntrack/proc.ts';
import { procXtRecent } from '../kernel/netfilter/xt-recent.ts';
import type { Tool } from './tool.ts';

/** The content of an emulated file, or undefined when the path is not one. */
export function procFile(ns: NetNs, path: string): string | undefined {
  if (path === '/proc/net/snmp') {
    const fwd = Number(ns.sysctl.get('net.ipv4.conf.all.forwarding') ?? 0) !== 0;
    return ns.inet.snmp.procNetSnmp(fwd, Number(ns.sysctl.get('net.ipv4.ip_default_ttl') ?? 64));
  }
  if (path === '/proc/net/nf_conntrack') return procNfConntrack(ns);
  if (path === '/proc/net/stat/nf_conntrack') return procNfConntrackStat(ns);
  if (path.startsWith('/proc/net/xt_recent/')) return procXtRecent(ns, path.slice('/proc/net/xt_recent/'.length));
  if (path.startsWith('/proc/sys/')) {
    const v = ns.sysctl.get(path.slice('/proc/sys/'.length).replace(/\//g, '.'));
    return v === undefined ? undefined : v + '\n';
  }
  const m = /^\/sys\/class\/net\/([^/]+)\/(.+)$/.exec(path);
  if (m) {
    const dev = ns.device(m[1]);
    if (!dev) return undefined;
    if (m[2].startsWith('bridge/') || m[2].startsWith('brport/')) return bridgeSysfs(dev, m[2]);
    const mac = [...dev.mac].map((x) => x.toString(16).padStart(2, '0')).join(':');
    const files: Record<string, string | number> = {
      ifindex: dev.ifindex, iflink: dev.iflink(), mtu: dev.mtu, address: mac, tx_queue_len: dev.txqueuelen,
      operstate: dev.operstate().toLowerCase(), addr_assign_type: dev.addrAssignType, type: dev.type,
      flags: '0x' + dev.reportedFlags().toString(16), carrier: dev.carrier ? 1 : 0,
      'statistics/rx_packets': dev.stats.rxPackets, 'statistics/tx_packets': dev.stats.txPackets,
      'statistics/rx_bytes': dev.stats.rxBytes, 'statistics/tx_bytes': dev.stats.txBytes,
      'statistics/rx_dropped': dev.stats.rxDropped, 'statistics/tx_dropped': dev.stats.txDropped,
    };
    const v = files[m[2]];
    return v === undefined ? undefined : `${v}\n`;
  }
  return undefined;
}

export const cat: Tool = (ctx) => {
  const files = ctx.argv.slice(1).filter((a) => a !== '--');
  if (files.some((f) => f.startsWith('-') && f !== '-')) {
    const bad = files.find((f) => f.startsWith('-'))!;
    ctx.io.err(`cat: invalid option -- '${bad.slice(1, 2)}'\nTry 'cat --help' for more information.\n`);
    return 1;
  }
  let status = 0;
  for (const f of files.length ? files : ['-']) {
    if (f === '-') {
      ctx.io.out(ctx.stdin);
      continue;
    }
    const emulated = f.startsWith('/proc/') || f.startsWith('/sys/') ? procFile(ctx.ns, f) : undefined;
    if (emulated !== undefined) {
      ctx.io.out(emulated);
      continue;
    }
    if (f.startsWith('/proc/') || f.startsWith('/sys/')) {
      ctx.io.err(`cat: ${f}: No such file or directory\n`);
      status = 1;
      continue;
    }
    try {
      ctx.io.out(readFileSync(resolve(ctx.cwd ?? process.cwd(), f), 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      ctx.io.err(`cat: ${f}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message}\n`);
      status = 1;
    }
  }
  return status;
};
