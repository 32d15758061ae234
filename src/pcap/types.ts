/**
 * The record, interface and header types shared by the classic-pcap and pcapng code.
 */

/** One captured packet, from either format. */
export interface CaptureRecord {
  /** 0-based record number in the file (packet records only; pcapng's other blocks don't count). */
  index: number;
  /** Byte offset of the record header (pcap) or the packet block header (pcapng). */
  fileOffset: number;
  /** Index into the file's `interfaces` list (all pcapng sections together); 0 for pcap. */
  interfaceId: number;
  linkType: number;
  /** Seconds since the epoch (pcapng: including the interface's if_tsoffset). */
  tsSec: number;
  /**
   * Nanoseconds, 0..999999999 for well-formed files (µs files give multiples of 1000). A
   * classic-pcap fraction of a second that is out of range is passed through unnormalised,
   * as libpcap does, so the record can be written back unchanged.
   */
  tsNsec: number;
  /** Length of the packet on the wire. */
  originalLength: number;
  /** The captured bytes. `parseCapture` returns views into its input; streaming readers copy. */
  data: Uint8Array;
}

/** One interface: a pcapng IDB, or the single implicit interface of a classic pcap file. */
export interface CaptureInterface {
  /** Index in the file's interface list (equals `CaptureRecord.interfaceId`). */
  id: number;
  /** 0-based pcapng section number; 0 for pcap. */
  section: number;
  /** Interface number within its section, as packet blocks refer to it. */
  sectionInterfaceId: number;
  linkType: number;
  /** Snapshot length as stored (pcapng: 0 means no limit). */
  snaplen: number;
  /** if_name (option 2). */
  name?: string;
  /** if_description (option 3). */
  description?: string;
  /** if_tsresol byte (option 9): 6 when absent; 6 or 9 for pcap. High bit set: power of two. */
  tsresol: number;
  /** Timestamp units per second that `tsresol` means: 10^6 by default, 10^9, 2^n, ... */
  ticksPerSecond: bigint;
  /** if_tsoffset (option 14), seconds added to every timestamp; 0 when absent. */
  tsOffset: number;
  /** Byte offset of the IDB; 0 for pcap (its file header). */
  fileOffset: number;
}

/** What the start of the file says. */
export interface CaptureHeader {
  format: 'pcap' | 'pcapng';
  /** pcapng: the first section's byte order (later sections may differ). */
  byteOrder: 'le' | 'be';
  /** pcap: from the magic number. pcapng: 'ns' when the first interface is finer than 1 µs. */
  precision: 'us' | 'ns';
  /** pcap: 2.4 normally; pcapng: the first section header's version (1.0). */
  versionMajor: number;
  versionMinor: number;
  /**
   * pcap: the header's link type (low 16 bits of the field). pcapng: the first interface's, as
   * libpcap reports it; null while no Interface Description Block has been read.
   */
  linkType: number | null;
  /** Snapshot length as stored (see `effectiveSnaplen` for what tcpdump prints); null as above. */
  snaplen: number | null;
  /** pcap only: the upper 16 bits of the link-type field (FCS-length flags); 0 for pcapng. */
  linkTypeExt: number;
}

/** What the writers accept. */
export interface WritableRecord {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** Defaults to `data.length`. */
  originalLength?: number;
  /** pcapng: the id `addInterface` returned (default 0). Ignored by the pcap writer. */
  interfaceId?: number;
}
