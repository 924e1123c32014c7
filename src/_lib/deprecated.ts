// Renamed options: the old name keeps working for a release as a deprecated alias of the new one.
// Giving both is accepted only when they agree; two different values are an error, never a silent
// pick of one.
import { RecsysError } from '../errors.js';
import { show } from './validate.js';

/**
 * The value of an option that was renamed: `options[name]`, or the deprecated `options[oldName]`
 * when only that is given. Both given with different values: INVALID_ARGUMENT naming both.
 *
 * @param options - the options object (already checked to be an object)
 * @param name - the option's current name
 * @param oldName - its deprecated name
 * @returns the value given under either name (undefined when neither is given) and the name it was
 *   given under, for error messages (`name` when neither or both)
 * @example
 * ```ts
 * optionAlias({ negativesPerPositive: 2 }, 'negatives', 'negativesPerPositive');
 * //=> { value: 2, given: 'negativesPerPositive' }
 * optionAlias({ negatives: 2, negativesPerPositive: 3 }, 'negatives', 'negativesPerPositive');
 * //=> throws RecsysError INVALID_ARGUMENT
 * ```
 */
export function optionAlias(options: object, name: string, oldName: string): { value: unknown; given: string } {
  const o = options as Record<string, unknown>;
  const value = o[name];
  const old = o[oldName];
  if (old === undefined) return { value, given: name };
  if (value === undefined) return { value: old, given: oldName };
  if (!Object.is(value, old)) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `${name} = ${show(value)} and ${oldName} = ${show(old)} disagree: ${oldName} is the deprecated name of ${name}, give only ${name}`,
      { name, value, oldName, oldValue: old },
    );
  }
  return { value, given: name };
}
