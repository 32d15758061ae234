// The emulated machine's name databases, as glibc's getservby*, getprotoby*, getnetby* and
// the hosts file answer them: Debian's netbase /etc/services and /etc/protocols (copied in
// data/), /etc/networks, and /etc/hosts with only localhost. Nothing else resolves (a fresh
// namespace has no route to a DNS server, so reverse lookups fail and names are unknown).
import { readFileSync } from 'node:fs';

interface Service {
  name: string;
  aliases: string[];
  port: number;
  proto: string;
}

interface Protocol {
  name: string;
  aliases: string[];
  num: number;
}

function lines(file: string): string[][] {
  const text = readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

const SERVICES: Service[] = lines('services').map(([name, pp, ...aliases]) => {
  const [port, proto] = pp.split('/');
  return { name, aliases, port: Number(port), proto };
});

const PROTOCOLS: Protocol[] = lines('protocols').map(([name, num, ...aliases]) => ({ name, aliases, num: Number(num) }));

/** getservbyname(name, proto); proto undefined = any protocol (getaddrinfo without hints). */
export function serviceByName(name: string, proto?: string): number | undefined {
  const s = SERVICES.find((e) => (proto === undefined || e.proto === proto) && (e.name === name || e.aliases.includes(name)));
  return s?.port;
}

/** getservbyport(port, proto): the service's name. */
export function serviceByPort(port: number, proto: string): string | undefined {
  return SERVICES.find((e) => e.port === port && e.proto === proto)?.name;
}

/** getprotobyname: the number of a protocol name or alias (case-sensitive). */
export function protocolByName(name: string): number | undefined {
  return PROTOCOLS.find((p) => p.name === name || p.aliases.includes(name))?.num;
}

/** getprotobynumber: the protocol's name. */
export function protocolByNumber(num: number): string | undefined {
  return PROTOCOLS.find((p) => p.num === num)?.name;
}

/** /etc/networks. */
const NETWORKS: ReadonlyArray<[string, number]> = [
  ['default', 0x00000000],
  ['loopback', 0x7f000000],
  ['link-local', 0xa9fe0000],
];

export function networkByName(name: string): number | undefined {
  return NETWORKS.find(([n]) => n === name)?.[1];
}

export function networkByAddr(addr: number): string | undefined {
  return NETWORKS.find(([, a]) => a === addr)?.[0];
}

/** /etc/hosts (IPv4 part). */
const HOSTS: ReadonlyArray<[string, number]> = [['localhost', 0x7f000001]];

export function hostByName(name: string): number[] {
  return HOSTS.filter(([n]) => n === name).map(([, a]) => a);
}

export function hostByAddr(addr: number): string | undefined {
  return HOSTS.find(([, a]) => a === addr)?.[0];
}
