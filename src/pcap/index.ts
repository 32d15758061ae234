/**
 * nslab/pcap: reading (whole-buffer and streaming) and writing classic pcap and pcapng.
 * See reader.ts for the reading design, pcap.ts and pcapng-*.ts for format details.
 */
export { CaptureError, type CaptureErrorInit, type CaptureErrorUnit } from './error.ts';
export * from './linktype.ts';
export type { CaptureHeader, CaptureInterface, CaptureRecord, WritableRecord } from './types.ts';
export {
  CaptureReader,
  CaptureReaderSync,
  DEFAULT_CHUNK_SIZE,
  type ParsedCapture,
  type ReadOptions,
  parseCapture,
  readCaptureFile,
  readCaptureFileSync,
} from './reader.ts';
export { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapWriter, type PcapWriterOptions, encodePcap } from './pcap.ts';
export { PcapngWriter, type PcapngInterfaceOptions, type PcapngWriterOptions, encodePcapng } from './pcapng-write.ts';
