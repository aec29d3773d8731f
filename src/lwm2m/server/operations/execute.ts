/**
 * Execute arguments (LwM2M Core, Execute operation):
 *
 *   arglist = arg *( "," arg )
 *   arg     = DIGIT [ "=" "'" *CHAR "'" ]
 *   DIGIT   = "0".."9"
 *   CHAR    = %x21 / %x23-26 / %x28-5B / %x5D-7E   (printable ASCII, no space, '"', "'", "\")
 *
 * e.g. `0='U',1` or `5='http://example.org/fw'`. A digit appears at most once.
 */
export interface ExecuteArgument {
  digit: number;
  value?: string;
}

const CHAR = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]*$/;

/** Parses an argument list; throws an Error naming what is wrong. The empty string is an empty list. */
export function parseExecuteArgs(text: string): ExecuteArgument[] {
  if (typeof text !== 'string') throw new Error('execute arguments must be a string');
  if (text === '') return [];
  const out: ExecuteArgument[] = [];
  const seen = new Set<number>();
  let i = 0;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d < 0x30 || d > 0x39) throw new Error(`execute arguments: expected a digit at position ${i} of "${text}"`);
    const digit = d - 0x30;
    if (seen.has(digit)) throw new Error(`execute arguments: digit ${digit} appears twice`);
    seen.add(digit);
    i++;
    const arg: ExecuteArgument = { digit };
    if (text[i] === '=') {
      if (text[i + 1] !== "'") throw new Error(`execute arguments: expected ' after = at position ${i + 1}`);
      const end = text.indexOf("'", i + 2);
      if (end < 0) throw new Error('execute arguments: unterminated quoted value');
      const value = text.slice(i + 2, end);
      if (!CHAR.test(value)) throw new Error(`execute arguments: value of argument ${digit} holds a character outside %x21-7E or one of space " ' \\`);
      arg.value = value;
      i = end + 1;
    }
    out.push(arg);
    if (i === text.length) break;
    if (text[i] !== ',') throw new Error(`execute arguments: expected "," at position ${i} of "${text}"`);
    i++;
    if (i === text.length) throw new Error('execute arguments: trailing ","');
  }
  return out;
}

/** The wire text of an argument list. */
export function formatExecuteArgs(args: readonly ExecuteArgument[]): string {
  return args.map((a) => (a.value === undefined ? String(a.digit) : `${a.digit}='${a.value}'`)).join(',');
}
