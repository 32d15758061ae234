// JSON form of a decoded frame for `nslab decode --json`: every decoded field, byte arrays as hex.
import type { CaptureRecord } from '../pcap/index.ts';
import { DecodeError, hex, type DecodedFrame } from '../wire/index.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function toJson(v: unknown): JsonValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return hex(v);
  if (v instanceof DecodeError) return { protocol: v.protocol, field: v.field, offset: v.offset, message: v.message };
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  return v as string | number | boolean;
}

export function frameToJson(rec: CaptureRecord, frame: DecodedFrame, file: string): JsonValue {
  return {
    file,
    index: rec.index,
    time: `${rec.tsSec}.${String(rec.tsNsec).padStart(9, '0')}`,
    interface: rec.interfaceId,
    linkType: rec.linkType,
    capturedLength: rec.data.length,
    originalLength: rec.originalLength,
    ...(toJson(frame) as { [key: string]: JsonValue }),
  };
}
