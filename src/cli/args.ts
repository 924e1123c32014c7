// Argument checks of the command line. Parsing itself is node:util's parseArgs (strict: an unknown
// option or a missing value is an error); these helpers turn option strings into checked numbers and
// lists, throwing a RecsysError that names the option and the bad value (the CLI prints it, exit 2).
import { RecsysError } from '../errors.js';

/** Raised for a wrong command line: the CLI prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  /**
   * @param message - what is wrong, naming the argument
   */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * An integer option: `undefined` stays undefined, anything but an integer >= `min` is an error.
 *
 * @param name - the option, e.g. `'--epochs'`
 * @param value - its text as parsed
 * @param min - the smallest allowed value (default 1)
 * @returns the integer, or undefined when the option was not given
 * @example
 * ```ts
 * intOption('--epochs', '20'); //=> 20
 * intOption('--epochs', '2.5'); //=> throws RecsysError INVALID_ARGUMENT: --epochs must be an integer >= 1, got "2.5"
 * ```
 */
export function intOption(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = INTEGER.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`, { option: name, value });
  }
  return n;
}

/**
 * A number option that must be > 0 (a learning rate, a fraction).
 *
 * @param name - the option
 * @param value - its text
 * @returns the number, or undefined when absent
 * @example
 * ```ts
 * positiveNumberOption('--learning-rate', '1e-3'); //=> 0.001
 * ```
 */
export function positiveNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = NUMBER.test(value.trim()) ? Number(value) : NaN;
  if (!(Number.isFinite(n) && n > 0)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a number > 0, got ${JSON.stringify(value)}`, { option: name, value });
  }
  return n;
}

/**
 * A comma-separated list of positive integers (MLP layer sizes).
 *
 * @param name - the option
 * @param value - its text, e.g. `'64,32,16,8'`
 * @returns the integers, or undefined when absent
 * @example
 * ```ts
 * intListOption('--layers', '64,32,16,8'); //=> [64, 32, 16, 8]
 * ```
 */
export function intListOption(name: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  const out = parts.map((p) => (INTEGER.test(p) ? Number(p) : NaN));
  if (parts.length === 0 || out.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a comma-separated list of positive integers (e.g. 64,32,16,8), got ${JSON.stringify(value)}`, {
      option: name,
      value,
    });
  }
  return out;
}

/**
 * An option restricted to a few words.
 *
 * @param name - the option
 * @param value - its text
 * @param allowed - the accepted words
 * @returns the word, or undefined when absent
 * @example
 * ```ts
 * choiceOption('--model', 'gmf', ['neumf', 'gmf', 'mlp'] as const); //=> 'gmf'
 * ```
 */
export function choiceOption<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { option: name, value });
  }
  return value as T;
}

/**
 * The threads option: a positive integer or `auto`.
 *
 * @param value - its text
 * @returns the thread count, 'auto', or undefined when absent
 * @example
 * ```ts
 * threadsOption('auto'); //=> 'auto'
 * ```
 */
export function threadsOption(value: string | undefined): number | 'auto' | undefined {
  if (value === 'auto') return 'auto';
  return intOption('--threads', value);
}

/**
 * Checks the number of positional arguments of a command.
 *
 * @param command - the command, for the message
 * @param positionals - what parseArgs left after the options
 * @param names - the names of the required positionals, e.g. `['<bundle>', '<user...>']` (a trailing
 *   `...` takes one or more)
 * @returns nothing; throws a {@link UsageError} when some are missing or extra
 * @example
 * ```ts
 * expectPositionals('train', [], ['<csv>']); //=> throws UsageError: train needs <csv>
 * ```
 */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): void {
  const variadic = names.length > 0 && names[names.length - 1].endsWith('...>');
  if (positionals.length < names.length) {
    throw new UsageError(`${command} needs ${names.slice(positionals.length).join(' ')}`);
  }
  if (!variadic && positionals.length > names.length) {
    throw new UsageError(`${command} takes ${names.join(' ')}, got an extra argument ${JSON.stringify(positionals[names.length])}`);
  }
}
