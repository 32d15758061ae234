// tcpdump's text for captured frames: `formatFrame` gives exactly what Debian's tcpdump 4.99.3
// prints for one packet with `tcpdump -n -r FILE` (and with -e, -v, -vv, --nano), without the
// final newline. Used by `nslab decode` and the emulated tcpdump.
//
// Decoded: Ethernet II / 802.3 with 802.1Q/802.1ad tags, LLC/SNAP, STP (802.1D/w/s/aq), Linux
// cooked SLL and SLL2, raw IP and BSD loopback headers, ARP/RARP/ATM ARP, IPv4 with options,
// ICMP, UDP, TCP, IGMP. Anything else is shown the way tcpdump shows data it has no printer
// for; the header comment of each file says what it leaves out.
import { createPrintState, renderFrame, type FrameInfo, type PrintOptions } from './frame.ts';
import type { PrintState } from './context.ts';

export type { PrintState, TcpSeqEntry } from './context.ts';
export type { TimestampZone } from './timestamp.ts';
export {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  createPrintState,
  type FrameInfo,
  type PrintOptions,
} from './frame.ts';

/**
 * The text tcpdump prints for one frame: the time stamp, then the decoded packet; several lines
 * for some -v output, no trailing newline. Pass the same `state` for every frame of a capture
 * (TCP sequence numbers are relative to the first ones seen). Never throws, whatever the bytes.
 */
export function formatFrame(frame: FrameInfo, opts: PrintOptions = {}, state: PrintState = createPrintState()): string {
  return renderFrame(frame, opts, state, false);
}
