/**
 * Link-layer header types (the LINKTYPE_* numbers stored in pcap and pcapng files), their
 * libpcap names for printing, libpcap's snapshot-length limits, and tcpdump's
 * "reading from file" line.
 *
 * Names and descriptions are libpcap's `dlt_choices` table (pcap.c), keyed by the LINKTYPE
 * value found in files; where libpcap maps a LINKTYPE to a different DLT (LINKTYPE_RAW 101 is
 * DLT_RAW 12 on Linux), the entry is the one libpcap prints after that mapping.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_DBUS = 231;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_USBPCAP = 249;
export const LINKTYPE_NETLINK = 253;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_EBHSCR = 279;

/** libpcap's MAXIMUM_SNAPLEN: the largest captured length it accepts for most link types. */
export const MAXIMUM_SNAPLEN = 262144;

export interface LinkTypeName {
  /** libpcap's short name, as `pcap_datalink_val_to_name` returns it: `EN10MB`. */
  name: string;
  /** libpcap's description: `Ethernet`. */
  description: string;
}

const NAMES: ReadonlyArray<readonly [number, string, string]> = [
  [LINKTYPE_NULL, 'NULL', 'BSD loopback'],
  [LINKTYPE_ETHERNET, 'EN10MB', 'Ethernet'],
  [LINKTYPE_PPP, 'PPP', 'Point-to-Point Protocol'],
  [LINKTYPE_RAW, 'RAW', 'Raw IPv4/IPv6'],
  [LINKTYPE_IEEE802_11, 'IEEE802_11', '802.11'],
  [LINKTYPE_LOOP, 'LOOP', 'OpenBSD loopback'],
  [LINKTYPE_LINUX_SLL, 'LINUX_SLL', 'Linux cooked v1'],
  [LINKTYPE_IEEE802_11_RADIOTAP, 'IEEE802_11_RADIO', '802.11 plus radiotap header'],
  [LINKTYPE_IPV4, 'IPV4', 'Raw IPv4'],
  [LINKTYPE_IPV6, 'IPV6', 'Raw IPv6'],
  [LINKTYPE_DBUS, 'DBUS', 'D-Bus'],
  [LINKTYPE_NFLOG, 'NFLOG', 'Linux netfilter log messages'],
  [LINKTYPE_USBPCAP, 'USBPCAP', 'USB with USBPcap header'],
  [LINKTYPE_NETLINK, 'NETLINK', 'Linux netlink'],
  [LINKTYPE_LINUX_SLL2, 'LINUX_SLL2', 'Linux cooked v2'],
  [LINKTYPE_EBHSCR, 'EBHSCR', 'Elektrobit High Speed Capture and Replay (EBHSCR)'],
];

/** LINKTYPE value → libpcap name and description. */
export const LINKTYPE_NAMES: ReadonlyMap<number, LinkTypeName> = new Map(
  NAMES.map(([v, name, description]) => [v, { name, description }] as const),
);

/** `EN10MB (Ethernet)` for known types, the bare number otherwise (as tcpdump prints them). */
export function formatLinkType(linkType: number): string {
  const n = LINKTYPE_NAMES.get(linkType);
  return n === undefined ? String(linkType) : `${n.name} (${n.description})`;
}

/** libpcap's `max_snaplen_for_dlt`: the largest captured length accepted for a link type. */
export function maxSnaplenForLinkType(linkType: number): number {
  switch (linkType) {
    case LINKTYPE_DBUS:
      return 128 * 1024 * 1024;
    case LINKTYPE_EBHSCR:
      return 8 * 1024 * 1024;
    case LINKTYPE_USBPCAP:
      return 1024 * 1024;
    default:
      return MAXIMUM_SNAPLEN;
  }
}

/**
 * libpcap's `pcapint_adjust_snapshot`: the snapshot length a reader works with. A snaplen of
 * 0 (pcapng: "no limit") or above INT_MAX becomes the link type's maximum; anything else is
 * kept as is. This is what tcpdump prints as "snapshot length".
 */
export function effectiveSnaplen(linkType: number, snaplen: number): number {
  return snaplen === 0 || snaplen > 0x7fffffff ? maxSnaplenForLinkType(linkType) : snaplen;
}

/** The second stderr line tcpdump (4.99+, Linux) prints after the reading line for LINUX_SLL2. */
export const TCPDUMP_SLL2_WARNING = 'Warning: interface names might be incorrect';

/**
 * tcpdump's first stderr line when reading a file (no trailing newline):
 * `reading from file F, link-type EN10MB (Ethernet), snapshot length 262144`.
 * For pcapng, pass the header, whose link type and snaplen are the first interface's (as in
 * libpcap). Throws a RangeError when they are null: tcpdump refuses a pcapng file without
 * an Interface Description Block.
 */
export function tcpdumpReadingLine(
  file: string,
  header: { readonly linkType: number | null; readonly snaplen: number | null },
): string {
  const { linkType, snaplen } = header;
  if (linkType === null || snaplen === null) {
    throw new RangeError(`${file}: the capture file has no Interface Description Blocks`);
  }
  return `reading from file ${file}, link-type ${formatLinkType(linkType)}, snapshot length ${effectiveSnaplen(linkType, snaplen)}`;
}
