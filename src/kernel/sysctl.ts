// Per-namespace sysctls (/proc/sys/net/...). Defaults are the ones recorded from a fresh
// namespace of the real kernel (src/kernel/data/, re-recorded by fixtures/sysctl/record.sh).
// Values are kept as the text /proc shows; keys the packet path reads often are mirrored into
// typed fields by `onSet` hooks so the hot path never parses text.
import { readFileSync } from 'node:fs';
import { EINVAL, ENOENT, KernelError } from './errors.ts';
import { SysctlValues } from './sysctl-values.ts';

function load(name: string): Array<[string, string]> {
  const text = readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
  const out: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 3)]);
    else if (line.endsWith(' =')) out.push([line.slice(0, -2), '']);
  }
  return out;
}

const NETNS_DEFAULTS = load('sysctl-netns.txt');
const DEVICE_TEMPLATE = load('sysctl-device.txt');
/**
 * The device template split once (a namespace is made with a few devices, and 10 000 of them
 * must not each redo the string work): the key around the device name, the conf.default key a
 * conf key copies its value from, and loopback's own value.
 */
const DEVICE_KEYS = DEVICE_TEMPLATE.map(([k, v]) => {
  const at = k.indexOf('.DEV.');
  const conf = k.startsWith('net.ipv4.conf.DEV.') || k.startsWith('net.ipv6.conf.DEV.');
  return { head: k.slice(0, at + 1), tail: k.slice(at + 4), value: v, dflt: conf ? k.replace('.DEV.', '.default.') : undefined, key: k };
});
/** Loopback's own values where they differ from other devices. */
const LOOPBACK_OVERRIDES: Record<string, string> = {
  'net.ipv4.conf.DEV.disable_policy': '1',
  'net.ipv4.conf.DEV.disable_xfrm': '1',
  'net.ipv6.conf.DEV.accept_dad': '-1',
  'net.ipv6.conf.DEV.mtu': '65536',
  'net.ipv6.conf.DEV.use_tempaddr': '-1',
};

/** Integer ranges the kernel enforces (proc_dointvec_minmax); others take any integer. */
const RANGES: Record<string, [number, number]> = {
  'net.ipv4.ip_default_ttl': [1, 255],
  'net.ipv4.conf.*.rp_filter': [-2147483648, 2147483647],
  'net.ipv4.icmp_msgs_per_sec': [0, 2147483647],
  'net.ipv4.icmp_msgs_burst': [0, 2147483647],
  'net.ipv4.ip_unprivileged_port_start': [0, 65535],
};

/** Keys whose value is not a list of integers. */
const TEXT_KEY = /(congestion_control|available_|path_manager|scheduler|nf_log\.|tcp_fastopen_key|ip_local_reserved_ports|ratemask$|ioam6_id_wide|stable_secret)/;

/** Keys whose kernel handler does nothing when the value written equals the old one. */
const CHANGE_ONLY = /^net\.ipv4\.(ip_forward|conf\.[^.]+\.forwarding)$/;

/**
 * IPv4 conf keys whose `default` value is copied to every device that never had its own value
 * written (devinet_copy_dflt_conf); forwarding and the route-flushing keys are not.
 */
const NOT_COPIED_FROM_DEFAULT = new Set(['forwarding', 'mc_forwarding', 'disable_policy', 'disable_xfrm', 'drop_unicast_in_l2_multicast', 'promote_secondaries', 'route_localnet']);

/** Keys a namespace other than the initial one cannot write (the kernel answers EINVAL). */
const INIT_NET_ONLY = new Set(['net.netfilter.nf_conntrack_max']);

export type SysctlHook = (key: string, value: string) => void;

export class Sysctls {
  private readonly values = new SysctlValues(DEVICE_KEYS);
  private readonly hooks: Array<[RegExp, SysctlHook]> = [];
  /** Keys whose value is the kernel's live state, read when asked (nf_conntrack_count). */
  private readonly readers = new Map<string, () => string>();
  /** Device conf keys written explicitly (in_dev->cnf.state): a new default no longer reaches them. */
  private readonly pinned = new Set<string>();
  /** devNames(), until a device comes or goes. */
  private devCache: Set<string> | undefined;

  constructor() {
    for (const [k, v] of NETNS_DEFAULTS) this.values.set(k, v);
  }

  /** Calls `hook` after every successful write to a key matching `pattern`. */
  onSet(pattern: RegExp, hook: SysctlHook): void {
    this.hooks.push([pattern, hook]);
  }

  /** Makes reads of `key` return `read()` (a read-only value the kernel computes). */
  onGet(key: string, read: () => string): void {
    this.readers.set(key, read);
  }

  /** conf4()'s values, for `confGeneration`. */
  private readonly confCache = new Map<string, Map<string, number>>();
  private confGeneration = -1;

  /**
   * net.ipv4.conf.DEV.KEY as a number (0 when there is no such key), remembered until the next
   * change: route lookups read several per packet, and building the key text each time costs.
   */
  conf4(dev: string, key: string): number {
    if (this.confGeneration !== this.generation) {
      this.confCache.clear();
      this.confGeneration = this.generation;
    }
    let m = this.confCache.get(dev);
    if (m === undefined) {
      m = new Map();
      this.confCache.set(dev, m);
    }
    let v = m.get(key);
    if (v === undefined) {
      v = Number(this.values.get(`net.ipv4.conf.${dev}.${key}`) ?? 0);
      m.set(key, v);
    }
    return v;
  }

  /** Adds the per-device keys (conf.*, neigh.*); IPv4 conf values are copied from conf.default. */
  addDevice(name: string, loopback: boolean): void {
    this.generation++;
    this.devCache = undefined;
    const values = DEVICE_KEYS.map((t) => {
      const own = loopback ? LOOPBACK_OVERRIDES[t.key] : undefined;
      if (own !== undefined) return own;
      return (t.dflt !== undefined ? this.values.get(t.dflt) : undefined) ?? t.value;
    });
    this.values.addDevice(name, values);
  }

  removeDevice(name: string): void {
    this.generation++;
    this.devCache = undefined;
    this.values.removeDevice(name);
    if (this.pinned.size !== 0) for (const t of DEVICE_KEYS) this.pinned.delete(t.head + name + t.tail);
  }

  renameDevice(oldName: string, newName: string): void {
    this.generation++;
    this.devCache = undefined;
    this.values.renameDevice(oldName, newName);
    for (const t of DEVICE_KEYS) {
      if (this.pinned.delete(t.head + oldName + t.tail)) this.pinned.add(t.head + newName + t.tail);
    }
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** The value as /proc shows it, or undefined for an unknown key. */
  get(key: string): string | undefined {
    const read = this.readers.get(key);
    return read && this.values.has(key) ? read() : this.values.get(key);
  }

  getInt(key: string): number {
    const v = this.get(key);
    if (v === undefined) throw new KernelError(ENOENT);
    return parseInt(v, 10);
  }

  /** Every key, sorted as `sysctl -a` lists them. */
  keys(): string[] {
    return [...this.values.keys()].sort();
  }

  /** Device names with per-device keys (a name may hold dots: it is one path component). */
  private devNames(): Set<string> {
    if (this.devCache) return this.devCache;
    const names = new Set<string>();
    for (const k of this.values.plainKeys()) {
      const m = /^net\.ipv4\.conf\.(.+)\.forwarding$/.exec(k);
      if (m) names.add(m[1]);
    }
    for (const name of this.values.deviceNames()) names.add(name);
    this.devCache = names;
    return names;
  }

  /** The /proc/sys path of a key (`net/ipv4/conf/eth0.100/forwarding`), without the prefix. */
  pathOf(key: string): string {
    const m = /^(net\.ipv[46]\.(?:conf|neigh))\.(.+)\.([^.]+)$/.exec(key);
    if (m && this.devNames().has(m[2])) return `${m[1].replace(/\./g, '/')}/${m[2]}/${m[3]}`;
    return key.replace(/\./g, '/');
  }

  /** The key a /proc/sys path names, or undefined when it is no file. */
  keyOfPath(path: string): string | undefined {
    const key = path.replace(/\//g, '.');
    return this.values.has(key) && this.pathOf(key) === path ? key : undefined;
  }

  /** stat(2) on /proc/sys/PATH: a file, a directory, or nothing. */
  stat(path: string): 'file' | 'dir' | undefined {
    const p = path.replace(/\/+$/, '');
    if (p === '') return 'dir';
    if (this.keyOfPath(p) !== undefined) return 'file';
    for (const k of this.values.keys()) if (this.pathOf(k).startsWith(p + '/')) return 'dir';
    return undefined;
  }

  /** The files under a directory, in the order a recursive readdir of /proc/sys gives them. */
  listDir(path: string): string[] {
    const p = path.replace(/\/+$/, '');
    const paths = [...this.values.keys()].map((k) => this.pathOf(k)).filter((x) => p === '' || x.startsWith(p + '/'));
    return paths.sort(comparePaths);
  }

  /**
   * Writes a value as `echo VALUE > /proc/sys/…` does (proc_dointvec_minmax): whitespace-separated
   * integers in C notation (decimal, 0x hex, 0 octal, optional minus), as many as the key holds;
   * more are ignored, a bad or out-of-range one is EINVAL.
   */
  /** Bumped on every change, so the packet path's caches know to re-read. */
  generation = 0;

  /** Whether these are the initial namespace's sysctls (some keys are writable only there). */
  initNet = false;

  /** Whether the key's file is read-only (mode 0444) here. */
  readOnly(key: string): boolean {
    return key === 'net.netfilter.nf_conntrack_count' || (!this.initNet && INIT_NET_ONLY.has(key));
  }

  set(key: string, raw: string): void {
    this.generation++;
    const old = this.values.get(key);
    if (old === undefined) throw new KernelError(ENOENT);
    if (this.readOnly(key)) throw new KernelError(EINVAL);
    let value = raw.trim();
    if (!TEXT_KEY.test(key)) {
      const olds = old.split('\t');
      const nums = parseInts(raw, olds.length);
      const range = rangeOf(key);
      if (range && nums.some((n) => n < range[0] || n > range[1])) throw new KernelError(EINVAL);
      const all = [...nums, ...olds.slice(nums.length).map(Number)];
      if (key === 'net.ipv4.ip_local_port_range') checkPortRange(all, this.getInt('net.ipv4.ip_unprivileged_port_start'));
      value = all.map(String).join('\t');
    }
    this.values.set(key, value);
    this.copyDefault(key, value);
    if (key === 'net.ipv6.conf.all.forwarding') {
      // addrconf_fixup_forwarding: every write sets default and every device.
      for (const dev of this.devNames()) if (dev !== 'all') this.store(`net.ipv6.conf.${dev}.forwarding`, value);
    }
    // devinet_sysctl_forward acts only when the value changed.
    if (value === old && CHANGE_ONLY.test(key)) return;
    for (const [re, hook] of this.hooks) if (re.test(key)) hook(key, value);
  }

  /** devinet_conf_proc: a device's own write pins it; a default write reaches unpinned devices. */
  private copyDefault(key: string, value: string): void {
    const m = /^net\.ipv4\.conf\.(.+)\.([^.]+)$/.exec(key);
    if (!m || NOT_COPIED_FROM_DEFAULT.has(m[2])) return;
    if (m[1] !== 'default') {
      if (m[1] !== 'all') this.pinned.add(key);
      return;
    }
    for (const dev of this.devNames()) {
      if (dev === 'all' || dev === 'default') continue;
      const k = `net.ipv4.conf.${dev}.${m[2]}`;
      if (!this.pinned.has(k) && this.values.has(k)) this.values.set(k, value);
    }
  }

  /** Sets a value without hooks or checks (the kernel's own changes, e.g. forwarding fan-out). */
  store(key: string, value: string): void {
    this.generation++;
    if (this.values.has(key)) this.values.set(key, value);
  }
}

function rangeOf(key: string): [number, number] | undefined {
  if (RANGES[key]) return RANGES[key];
  for (const [pattern, r] of Object.entries(RANGES)) {
    if (pattern.includes('*') && new RegExp('^' + pattern.replace(/\./g, '\\.').replace('*', '[^.]+') + '$').test(key)) return r;
  }
  return undefined;
}

function checkPortRange([lo, hi]: number[], unprivStart: number): void {
  // ipv4_local_port_range: low ≤ high, both within 1..65535, and the low end of the
  // range may not be below ip_unprivileged_port_start.
  if (hi === undefined || lo > hi || lo < 1 || hi > 65535 || lo < unprivStart) throw new KernelError(EINVAL);
}

const INT_MAX = 2147483647;

/** __do_proc_dointvec's parsing of a write: up to `max` integers. */
function parseInts(raw: string, max: number): number[] {
  const out: number[] = [];
  let p = raw + '\n';
  for (let i = 0; i < max; i++) {
    p = p.replace(/^\s+/, '');
    if (p === '') break;
    const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(p);
    if (!m || m[0].length > 21) throw new KernelError(EINVAL);
    const digits = m[2];
    const v = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : parseInt(digits, 10);
    const rest = p.slice(m[0].length);
    if (rest !== '' && !/^[ \t\n]/.test(rest)) throw new KernelError(EINVAL);
    if (m[1] ? v > INT_MAX + 1 : v > INT_MAX) throw new KernelError(EINVAL);
    out.push(m[1] ? -v : v);
    p = rest;
  }
  if (out.length === 0) throw new KernelError(EINVAL);
  return out;
}

/** proc_sys readdir order: each directory's entries by name (namecmp), depth first. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/'), pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}
