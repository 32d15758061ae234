// The syslog(2) form of the log: "<pri>[seconds.micros] text" lines, which is what dmesg gets
// from SYSLOG_ACTION_READ_ALL when /dev/kmsg has nothing, and what it expects in a -F file.
// Building that text from the records and parsing it back keeps the fallback's quirks (a
// multi-line record repeats its prefix on every line; a record ends only at a newline
// followed by '<').
import type { KmsgRecord } from '../../kernel/kmsg.ts';
import { TimeFmt, printRecord, safe, stamp, type Ctl, type Rec } from './format.ts';

/** What syslog(2) SYSLOG_ACTION_READ_ALL returns: "<pri>[sssss.uuuuuu] text\n" per line of
 * each record (record_print_text repeats the prefix on every line of a multi-line record). */
export function syslogBuffer(records: readonly KmsgRecord[]): string {
  let s = '';
  for (const r of records) {
    const prefix = `<${(r.facility << 3) | r.level}>${stamp(Math.floor(r.usec / 1e6), r.usec % 1e6)}`;
    for (const line of r.text.split('\n')) s += prefix + line + '\n';
  }
  return s;
}

/** print_buffer over a syslog(2)-format buffer (get_next_syslog_record): -r prints the text as it
 * is; otherwise each record's "<pri>" and "[time]" are taken off and it prints as a kmsg record
 * would, with -1 for a missing priority so that -l and -f reject it. */
export function printSyslogBuffer(ctl: Ctl, buf: string): string {
  if (buf.length === 0) return '';
  if (ctl.raw) return safe(ctl, buf, 0) + (buf.endsWith('\n') ? '' : '\n');
  let out = '';
  let pos = 0;
  while (pos < buf.length) {
    // A record ends at a newline followed by '<', or at the end of the buffer.
    let endAt = buf.length;
    for (let i = pos; i < buf.length - 1; i++) {
      if (buf[i] === '\n' && buf[i + 1] === '<') {
        endAt = i;
        break;
      }
    }
    let begin = pos;
    const rec: Rec = { level: -1, facility: -1, sec: 0, usec: 0, text: '' };
    if (buf[begin] === '<') {
      const m = /^<(\d+)./.exec(buf.slice(begin, endAt + 1));
      if (m) {
        const n = Number(m[1]);
        rec.facility = n >> 3;
        rec.level = n & 7;
        begin += m[0].length;
      } else {
        const gt = buf.indexOf('>', begin);
        begin = gt >= 0 && gt < endAt ? gt + 1 : endAt;
      }
    }
    if (buf[begin] === '[' && (buf[begin + 1] === ' ' || /\d/.test(buf[begin + 1] ?? ''))) {
      const m = /^\[ *(\d+)\.(\d+)\]/.exec(buf.slice(begin, endAt));
      if (ctl.timeFmt !== TimeFmt.NONE && m) {
        rec.sec = Number(m[1]);
        rec.usec = Number(m[2]);
        begin += m[0].length;
      } else if (ctl.timeFmt === TimeFmt.NONE) {
        const rb = buf.indexOf(']', begin);
        begin = rb >= 0 && rb < endAt ? rb + 1 : endAt;
      }
      if (begin < endAt && buf[begin] === ' ') begin++;
    }
    let text = buf.slice(begin, endAt);
    if (endAt === buf.length && text.endsWith('\n')) text = text.slice(0, -1);
    rec.text = text;
    out += printRecord(ctl, rec);
    pos = endAt + 1;
  }
  return out;
}
