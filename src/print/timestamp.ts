// The time stamp tcpdump puts before each packet: `HH:MM:SS.uuuuuu ` (or nine digits with
// --nano), in local time unless told otherwise.

export type TimestampZone = 'local' | 'utc' | 'none';

const p2 = (n: number): string => String(n).padStart(2, '0');

/** `07:29:53.722141` for the given seconds and nanoseconds; '' for 'none'. */
export function formatTimestamp(tsSec: number, tsNsec: number, zone: TimestampZone, nano: boolean): string {
  if (zone === 'none') return '';
  // tcpdump refuses times that do not fit a signed 32-bit time_t.
  if (!Number.isFinite(tsSec) || tsSec < 0 || tsSec >= 0x80000000) return '[Error converting time]';
  const d = new Date(Math.floor(tsSec) * 1000);
  const hms =
    zone === 'utc'
      ? `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
      : `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  const ns = Math.max(0, Math.floor(tsNsec));
  const frac = nano ? String(ns).padStart(9, '0') : String(Math.floor(ns / 1000)).padStart(6, '0');
  return `${hms}.${frac}`;
}
