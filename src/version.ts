// The library version written into every saved bundle. It must equal package.json's "version":
// reading package.json at run time would need a JSON import (awkward across ESM/CJS builds and
// browsers), so the constant is kept by hand and src/io/version.test.ts checks that they match.

/**
 * The version of neural-recsys, as written into saved bundles.
 *
 * @example
 * ```ts
 * import { VERSION } from 'neural-recsys';
 * VERSION; //=> '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
