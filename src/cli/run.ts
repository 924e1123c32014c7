// The `neural-recsys` command line: train on a CSV, recommend, find similar items,
// evaluate a bundle. Arguments are parsed by node:util's parseArgs. Exit codes: 0 success, 2 a bad
// command line or bad input (the message says what and where, without a stack trace), 1 anything
// unexpected (with its stack, as that is a bug to report).
import { isRecsysError } from '../errors.js';
import { UsageError } from './args.js';
import { evaluateCommand } from './evaluate.js';
import { recommendCommand, similarCommand } from './serve.js';
import { trainCommand } from './train.js';
import { VERSION } from '../version.js';

/** Usage of the command line as a whole. */
export const USAGE = `Usage: neural-recsys <command> [options]

Commands:
  train <csv>                  train on a CSV of interactions, evaluate against popularity, save a bundle
  recommend <bundle> <user...> top-k items for users
  similar <bundle> <item...>   nearest items to items
  evaluate <bundle> <test.csv> HR / NDCG / MRR of a bundle on held-out interactions

Run \`neural-recsys <command> --help\` for a command's options. Example:
  npx neural-recsys train events.csv --user visitor --item product --time ts --out ./bundle --report run.html
  npx neural-recsys recommend ./bundle alice --k 5`;

const COMMANDS = {
  train: trainCommand,
  recommend: recommendCommand,
  similar: similarCommand,
  evaluate: evaluateCommand,
} as const;

/** parseArgs reports a wrong command line as a TypeError with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(e: unknown): e is Error {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs the command line and returns its exit code; errors are printed on stderr.
 *
 * @param argv - the arguments after the program name
 * @returns 0 on success, 2 for a bad command line or bad input, 1 for an unexpected failure
 * @example
 * ```ts
 * await runCli(['--help']); //=> 0
 * await runCli(['train']); //=> 2 (prints "neural-recsys train: train needs <csv>")
 * ```
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    process.stderr.write(`neural-recsys: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return 2;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  try {
    return await command(rest);
  } catch (e) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      process.stderr.write(`neural-recsys ${name}: ${e.message}\nRun \`neural-recsys ${name} --help\` for its usage.\n`);
      return 2;
    }
    if (isRecsysError(e)) {
      process.stderr.write(`neural-recsys ${name}: ${e.code}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`neural-recsys ${name}: unexpected failure (please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
