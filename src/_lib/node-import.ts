// Loads a Node.js built-in module on first use. The specifier is built at run time and marked for
// bundlers to ignore, so browser bundles of the library never try to resolve `node:*` modules
// (the code paths that need them only run in Node). Free of TensorFlow.js: data/ uses it too.
import { RecsysError } from '../errors.js';

/**
 * Imports `node:<name>`, or throws `UNSUPPORTED_RUNTIME` with `why` when this runtime has no such
 * module (a browser).
 *
 * @param name - the built-in's name without the `node:` prefix, e.g. 'fs/promises'
 * @param why - what needed it, for the error message (e.g. 'reading a file path needs Node.js')
 * @returns the module namespace
 */
export async function importNodeBuiltin<T>(name: string, why: string): Promise<T> {
  const specifier = `node:${name}`;
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as T;
  } catch {
    throw new RecsysError('UNSUPPORTED_RUNTIME', `${why} (${specifier} could not be loaded)`, { specifier });
  }
}
