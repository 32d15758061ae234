// Which options each command accepts, needs or forbids, and the checks run once the whole
// command line is read. The rules are data (what the real tool accepts, as recorded); the
// first offending option in option-bit order is the one reported, as the tool does.
import {
  CMD, COMMAND_NAMES, type CommandName, EXIT_USAGE, type Invocation, type Legality, OPT, OPTION_NAMES,
  ORIGINAL_ADDRESSES, REPLY_ADDRESSES, fail,
} from './common.ts';

/** Builds per-command legality rows from option names; options a command does not mention are forbidden. */
export function legalityRows(
  flagNames: readonly string[],
  rules: Partial<Record<CommandName, { required?: string; paired?: string; optional?: string }>>,
): Partial<Record<CommandName, Legality[]>> {
  const rows: Partial<Record<CommandName, Legality[]>> = {};
  for (const [command, rule] of Object.entries(rules) as Array<[CommandName, { required?: string; paired?: string; optional?: string }]>) {
    const row: Legality[] = flagNames.map(() => 'forbidden');
    for (const kind of ['required', 'paired', 'optional'] as const) {
      for (const name of rule[kind]?.split(' ') ?? []) {
        const i = flagNames.indexOf(name);
        if (i < 0) throw new Error(`conntrack legality: unknown option ${name}`);
        row[i] = kind;
      }
    }
    rows[command] = row;
  }
  return rows;
}

const ADDRESSES = 'src dst reply-src reply-dst';
/** "paired": at least one of the original or reply address pairs must be given whole. */
const GENERIC_RULES = legalityRows(OPTION_NAMES, {
  list: { optional: `${ADDRESSES} protonum status zero mask-src mask-dst mark family src-nat dst-nat output secmark any-nat zone label orig-zone reply-zone` },
  create: { required: 'protonum timeout', paired: ADDRESSES, optional: 'status nat-range mark src-nat dst-nat zone label-add orig-zone reply-zone' },
  update: { optional: `${ADDRESSES} protonum timeout status mask-src mask-dst mark id family src-nat dst-nat output label label-add label-del` },
  delete: { optional: `${ADDRESSES} protonum timeout status mask-src mask-dst mark id family src-nat dst-nat output zone label orig-zone reply-zone` },
  get: { required: 'protonum', paired: ADDRESSES, optional: 'id output label' },
  flush: { optional: 'family' },
  events: { optional: `${ADDRESSES} protonum event-mask mask-src mask-dst mark family src-nat dst-nat output secmark buffer-size any-nat zone label orig-zone reply-zone` },
  version: {},
  help: { optional: 'protonum' },
  expectList: { optional: 'family output' },
  expectCreate: { required: 'src dst protonum timeout tuple-src tuple-dst mask-src mask-dst', optional: 'reply-src reply-dst status' },
  expectDelete: { required: 'src dst protonum', optional: 'reply-src reply-dst' },
  expectGet: { required: 'src dst protonum', optional: 'reply-src reply-dst' },
  expectFlush: {},
  expectEvents: { optional: 'output' },
  count: {},
  expectCount: {},
  stats: {},
  expectStats: {},
  add: { required: 'protonum timeout', paired: ADDRESSES, optional: 'status nat-range mark src-nat dst-nat zone label-add orig-zone reply-zone' },
});
/** Without a command every option is allowed (the tool then just prints its usage). */
const NO_COMMAND_RULES: readonly Legality[] = OPTION_NAMES.map(() => 'optional');

/** The name of a command bit (undefined for 0, no command). */
function commandName(command: number): CommandName | undefined {
  return COMMAND_NAMES.find((name) => (command & CMD[name]) !== 0);
}

/**
 * Checks the given flags against a command's rules: a missing required option or a forbidden
 * one is a usage error. When the rules mark options as paired, one of `pairs` must be given
 * whole; the result is then the index of the pair to complain about (the first partly given
 * one, else the first), or undefined when all is well.
 */
function checkRules(given: number, rules: readonly Legality[], names: readonly string[], pairs?: number[]): number | undefined {
  let hasPaired = false;
  for (let i = 0; i < names.length; i++) {
    const rule = rules[i] ?? 'optional';
    if (!(given & (1 << i))) {
      if (rule === 'required') fail(EXIT_USAGE, `You need to supply the \`--${names[i]}' option for this command`);
    } else if (rule === 'forbidden') fail(EXIT_USAGE, `Illegal option \`--${names[i]}' with this command`);
    if (rule === 'paired') hasPaired = true;
  }
  if (!hasPaired || !pairs) return undefined;
  let partial = -1;
  for (let i = 0; i < pairs.length; i++) {
    if ((given & pairs[i]) === pairs[i]) return undefined;
    if (given & pairs[i] && partial < 0) partial = i;
  }
  return partial === 1 ? 1 : 0;
}

/** The checks that need the whole command line: NAT option conflicts, then the generic and protocol rules. */
export function checkCombination(inv: Invocation): void {
  const { options, proto } = inv;
  if (options & OPT.anyNat && options & (OPT.srcNat | OPT.dstNat)) {
    fail(EXIT_USAGE, "cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  }
  const name = commandName(inv.command);
  const rules = name ? GENERIC_RULES[name]! : NO_COMMAND_RULES;
  const missingPair = checkRules(options, rules, OPTION_NAMES, [ORIGINAL_ADDRESSES, REPLY_ADDRESSES]);
  if (missingPair === 1) fail(EXIT_USAGE, "you have to specify `--reply-src' and `--reply-dst'");
  if (missingPair === 0) fail(EXIT_USAGE, "you have to specify `--src' and `--dst'");
  if (inv.command & CMD.help || !proto || proto.flagNames.length === 0) return;
  const protoRules = (name && proto.legality[name]) || proto.flagNames.map((): Legality => 'forbidden');
  const protoMissing = checkRules(inv.protoFlags, protoRules, proto.flagNames, proto.pairs?.flags);
  if (protoMissing !== undefined && proto.pairs) fail(EXIT_USAGE, proto.pairs.msgs[protoMissing]);
}
