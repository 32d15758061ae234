// `ip`: global options, then the object (link, address, route, rule, neighbour, netns).
import type { NetNs } from '../../kernel/netns.ts';
import { ToolExit, type Tool, type ToolContext } from '../tool.ts';
import { matches, netnsOption } from './args.ts';
import { ipAddr } from './addr.ts';
import { ipLink } from './link.ts';
import { ipNeigh } from './neigh.ts';
import { ipNetns } from './netns.ts';
import { ipRoute } from './route.ts';
import { ipRule } from './rule.ts';

export interface IpOptions {
  /** -4 / -6 / -0 / -f FAMILY. */
  family: 'any' | 'inet' | 'inet6' | 'link';
  /** -s, repeatable. */
  stats: number;
  details: boolean;
  brief: boolean;
  json: boolean;
  pretty: boolean;
  oneline: boolean;
  numeric: boolean;
  all: boolean;
}

export interface IpContext extends ToolContext {
  opts: IpOptions;
  /** Arguments after the object name. */
  args: string[];
}

export type IpObject = (ctx: IpContext) => number | Promise<number>;

/** The objects, in iproute2's order (it decides what an abbreviation means). */
const objects: Array<[string, IpObject]> = [
  ['address', ipAddr],
  ['route', ipRoute],
  ['rule', ipRule],
  ['neighbor', ipNeigh],
  ['neighbour', ipNeigh],
  ['link', ipLink],
  ['netns', ipNetns],
];

const FAMILIES: Record<string, IpOptions['family']> = { inet: 'inet', inet6: 'inet6', link: 'link', ipv4: 'inet', ipv6: 'inet6' };

export const ip: Tool = async (ctx) => {
  const opts: IpOptions = { family: 'any', stats: 0, details: false, brief: false, json: false, pretty: false, oneline: false, numeric: false, all: false };
  const argv = ctx.argv.slice(1);
  let ns: NetNs = ctx.ns;
  try {
    while (argv.length && argv[0].startsWith('-') && argv[0] !== '-') {
      let opt = argv.shift()!;
      if (opt === '--') break;
      if (opt.startsWith('--')) opt = opt.slice(1);
      if (opt === '-4') opts.family = 'inet';
      else if (opt === '-6') opts.family = 'inet6';
      else if (opt === '-0') opts.family = 'link';
      else if (matches(opt, '-family')) {
        const f = argv.shift();
        if (f === undefined) throw new ToolExit(255, 'Command line is not complete. Try option "help"\n');
        if (!FAMILIES[f]) throw new ToolExit(255, `Error: argument "${f}" is wrong: invalid protocol family\n\n`);
        opts.family = FAMILIES[f];
      } else if (matches(opt, '-statistics') || matches(opt, '-stats')) opts.stats++;
      else if (matches(opt, '-details')) opts.details = true;
      else if (opt === '-br' || matches(opt, '-brief')) opts.brief = true;
      else if (matches(opt, '-json')) opts.json = true;
      else if (matches(opt, '-pretty')) opts.pretty = true;
      else if (matches(opt, '-oneline')) opts.oneline = true;
      else if (matches(opt, '-Numeric')) opts.numeric = true;
      else if (matches(opt, '-all')) opts.all = true;
      else if (matches(opt, '-netns')) ns = netnsOption(ctx, argv);
      else if (matches(opt, '-Version')) {
        ctx.io.out('ip utility, iproute2-6.1.0, libbpf 1.1.2\n');
        return 0;
      } else if (matches(opt, '-help')) {
        ctx.io.err(USAGE);
        return 255;
      } else {
        throw new ToolExit(255, `Option "${opt}" is unknown, try "ip -help".\n`);
      }
    }
    if (argv.length === 0) {
      ctx.io.err(USAGE);
      return 255;
    }
    const name = argv.shift()!;
    const entry = objects.find(([word]) => matches(name, word));
    if (!entry) {
      if (matches(name, 'help')) {
        ctx.io.err(USAGE);
        return 255;
      }
      throw new ToolExit(1, `Object "${name}" is unknown, try "ip help".\n`);
    }
    return await entry[1]({ ...ctx, ns, opts, args: argv });
  } catch (e) {
    if (e instanceof ToolExit) {
      ctx.io.err(e.stderr);
      return e.status;
    }
    throw e;
  }
};

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`;
