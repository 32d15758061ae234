// The emulated commands, by name.
import type { Tool } from './tool.ts';
import { bridge } from './bridge.ts';
import { brctl } from './brctl.ts';
import { cat } from './cat.ts';
import { conntrack } from './conntrack/index.ts';
import { dmesg } from './dmesg/index.ts';
import { ethtool } from './ethtool.ts';
import { hostname } from './hostname.ts';
import { ip } from './ip/ip.ts';
import { iptables, iptablesRestore, iptablesSave } from './iptables/index.ts';
import { nc } from './nc/index.ts';
import { nstat } from './nstat.ts';
import { ping } from './ping.ts';
import { sysctl } from './sysctl.ts';
import { tcpdump } from './tcpdump.ts';

export const tools: ReadonlyMap<string, Tool> = new Map<string, Tool>([
  ['ip', ip],
  ['ethtool', ethtool],
  ['hostname', hostname],
  ['sysctl', sysctl],
  ['ping', ping],
  ['tcpdump', tcpdump],
  ['nstat', nstat],
  ['nc', nc],
  ['cat', cat],
  ['iptables', iptables],
  ['iptables-save', (ctx) => iptablesSave(ctx)],
  ['iptables-restore', iptablesRestore],
  ['bridge', bridge],
  ['brctl', brctl],
  ['dmesg', dmesg],
  ['conntrack', conntrack],
]);
