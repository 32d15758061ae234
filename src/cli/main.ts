// The `nslab` command line.
import { Command, InvalidArgumentError, Option } from 'commander';
import { decodeFiles } from './decode.ts';
import { interactive, runFile } from './run.ts';
import { tuneV8 } from '../tuning.ts';

tuneV8();

// A reader that goes away (`nslab … | head`) ends the command as SIGPIPE would end a C tool:
// quietly, with the status a shell reports for it (128 + 13).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(141);
  throw e;
});

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

function seedOf(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('a non-negative integer is expected.');
  return Number(text);
}

program
  .command('run')
  .description('run a shell script of Linux networking commands (ip, sysctl, ethtool, ...) in virtual time')
  .argument('<script>', 'the script file (- reads it from standard input)')
  .argument('[args...]', 'positional parameters for the script ($1, $2, ...)')
  .option('--seed <n>', 'seed for everything Linux randomises (MACs, IP IDs, timers)', seedOf, 1)
  .option('--pcap-dir <dir>', 'write one pcap per interface, <netns>_<ifname>.pcap, into this directory')
  .option('--pcapng <file>', 'write every interface into one pcapng file (interfaces named <netns>/<ifname>)')
  .action(async (script: string, args: string[], o: { seed: number; pcapDir?: string; pcapng?: string }) => {
    process.exitCode = await runFile(script, args, { seed: o.seed, pcapDir: o.pcapDir, pcapng: o.pcapng });
  });

program
  .command('shell')
  .description('interactive prompt over the same interpreter (Ctrl-D or exit to leave)')
  .option('--seed <n>', 'seed for everything Linux randomises', seedOf, 1)
  .action(async (o: { seed: number }) => {
    process.exitCode = await interactive({ seed: o.seed });
  });

await program.parseAsync();
