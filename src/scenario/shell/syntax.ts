// The shell's syntax tree. Words keep their quoting so expansion can tell
// literal text from text that came out of an unquoted expansion.

export type Part =
  | { k: 'lit'; v: string; q: boolean }
  | { k: 'param'; name: string; op: string; arg?: Word; rep?: Word; q: boolean }
  | { k: 'cmd'; body: List; q: boolean; line: number }
  | { k: 'arith'; expr: Word; q: boolean }
  | { k: 'tilde' };

export interface Word { parts: Part[]; raw: string; line: number }

export interface HereDoc { delim: string; strip: boolean; quoted: boolean; line: number; body: Word | null }

export type RedirOp = '<' | '>' | '>>' | '>|' | '<>' | '>&' | '<&' | '&>' | '&>>' | '<<' | '<<-' | '<<<';

export interface Redir { fd: number | null; op: RedirOp; target: Word; heredoc?: HereDoc }

export interface Assign { name: string; append: boolean; value: Word }

export interface Simple { t: 'simple'; line: number; assigns: Assign[]; words: Word[]; redirs: Redir[] }
export interface Group { t: 'group' | 'subshell'; line: number; body: List; redirs: Redir[] }
export interface If { t: 'if'; line: number; clauses: { cond: List; body: List }[]; else: List | null; redirs: Redir[] }
export interface For { t: 'for'; line: number; name: string; words: Word[] | null; body: List; redirs: Redir[] }
export interface While { t: 'while'; line: number; until: boolean; cond: List; body: List; redirs: Redir[] }
export interface CaseItem { patterns: Word[]; body: List; term: ';;' | ';&' | ';;&' }
export interface Case { t: 'case'; line: number; word: Word; items: CaseItem[]; redirs: Redir[] }
export interface FuncDef { t: 'func'; line: number; name: string; body: Command }
export interface ArithCmd { t: 'arith'; line: number; expr: Word; redirs: Redir[] }

export type Command = Simple | Group | If | For | While | Case | FuncDef | ArithCmd;

export interface Pipeline { neg: boolean; line: number; cmds: Command[]; pipeErr: boolean[] }
export interface AndOr { line: number; text: string; first: Pipeline; rest: { op: '&&' | '||'; p: Pipeline }[] }
export interface List { items: { node: AndOr; bg: boolean }[] }
