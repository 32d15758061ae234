// Public API of the wire layer: codecs for each protocol, checksums and addresses.
export * from './errors.ts';
export * from './bytes.ts';
export * from './checksum.ts';
export * from './addr.ts';
export * from './ethernet.ts';
export * from './arp.ts';
export * from './ipv4.ts';
export * from './ipv4-options.ts';
export * from './icmp.ts';
export * from './udp.ts';
export * from './tcp.ts';
export * from './sll.ts';
export * from './decode.ts';
