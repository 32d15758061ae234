// The `nslab` command line.
import { Command, Option } from 'commander';
import { decodeFiles } from './decode.ts';

const io = {
  out: (t: string) => process.stdout.write(t),
  err: (t: string) => process.stderr.write(t),
};

const program = new Command('nslab')
  .description('Packet-level emulator of Linux container networking')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

program
  .command('decode')
  .description('print capture files (pcap or pcapng) as `tcpdump -n -r FILE` does')
  .argument('<file...>', 'capture files; - reads standard input')
  .option('-e', 'print the link-level header on each line')
  .addOption(new Option('-v', 'more detail (IPv4 header, checksums); -vv, -vvv more').argParser((_v, prev: number) => prev + 1).default(0))
  .option('-n', 'do not resolve addresses (always the case; accepted for tcpdump compatibility)')
  .option('-t', 'print no timestamps')
  .option('--nano', 'print timestamps with nanoseconds')
  .option('--json', 'one JSON record per frame with every decoded field')
  .action((files: string[], o: { e?: boolean; v: number; t?: boolean; nano?: boolean; json?: boolean }) => {
    process.exitCode = decodeFiles(files, { link: o.e, verbose: o.v, json: o.json, nano: o.nano, noTimestamps: o.t }, io);
  });

program.parse();
