// Which store a bundle URL names. Bundles live in a directory of plain files (file:// in Node,
// http(s):// read-only anywhere fetch works) or in a key-value store (memory://, and in browsers
// indexeddb:// and localstorage://).
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { assertBundleName, type KeyValueScheme } from './key-value-stores.js';

/** A parsed bundle URL. */
export type BundleLocation =
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'key-value'; readonly scheme: KeyValueScheme; readonly name: string; readonly url: string };

const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'memory://', 'http://', 'https://'];

/**
 * Parses a bundle URL, throwing INVALID_ARGUMENT (naming the URL and the supported schemes) for
 * anything else.
 *
 * @param url - e.g. `file://./models/movies`, `indexeddb://movies`
 * @param purpose - 'save' (http is read-only) or 'load'
 */
export function parseBundleUrl(url: unknown, purpose: 'save' | 'load'): BundleLocation {
  if (typeof url !== 'string') throw new RecsysError('INVALID_ARGUMENT', `url must be a string, got ${show(url)}`, { value: url });
  const lower = url.toLowerCase();
  if (lower.startsWith('file://')) return { kind: 'file', url };
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    if (purpose === 'save') {
      throw new RecsysError('INVALID_ARGUMENT', `cannot save to ${show(url)}: http(s):// bundles are read-only; save to file:// and serve the directory`, {
        value: url,
      });
    }
    return { kind: 'http', url };
  }
  for (const scheme of ['memory', 'indexeddb', 'localstorage'] as const) {
    if (lower.startsWith(`${scheme}://`)) {
      const name = url.slice(scheme.length + 3);
      assertBundleName(scheme, name);
      return { kind: 'key-value', scheme, name, url };
    }
  }
  const allowed = (purpose === 'save' ? SCHEMES.filter((s) => !s.startsWith('http')) : SCHEMES).join(', ');
  throw new RecsysError('INVALID_ARGUMENT', `url ${show(url)} must start with one of ${allowed}`, { value: url });
}
