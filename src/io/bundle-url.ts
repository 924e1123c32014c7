// Which store a bundle URL names. Bundles live in a directory of plain files (file:// in Node,
// http(s):// read-only anywhere fetch works) or in a key-value store (memory://, and in browsers
// indexeddb:// and localstorage://). In Node a plain path ('./models/x', '/srv/models/x') names a
// directory too, as file:// would; a URL naming a file inside a bundle is refused with the folder.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { assertBundleName, type KeyValueScheme } from './key-value-stores.js';
import { BUNDLE_FILES } from './manifest.js';

/** A parsed bundle URL. */
export type BundleLocation =
  /** `url` is a file:// URL, or (in Node) a plain path. */
  | { readonly kind: 'file'; readonly url: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'key-value'; readonly scheme: KeyValueScheme; readonly name: string; readonly url: string };

const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'memory://', 'http://', 'https://'];
const FILE_NAMES: readonly string[] = Object.values(BUNDLE_FILES);

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } } };
  return typeof g.process?.versions?.node === 'string';
}

/** A string with a URL scheme (`name:`), not counting a Windows drive letter (`C:\\`, `C:/`). */
function hasScheme(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[a-z]:[\\/]/i.test(url);
}

/** Refuses a file:// or http(s):// URL that names one of a bundle's files instead of its folder. */
function assertNotBundleFile(url: string): void {
  const bare = url.replace(/[?#].*$/, '').replace(/[\\/]+$/, '');
  const cut = Math.max(bare.lastIndexOf('/'), bare.lastIndexOf('\\'));
  const last = bare.slice(cut + 1);
  if (!FILE_NAMES.includes(last)) return;
  const folder = bare.slice(0, cut);
  throw new RecsysError(
    'INVALID_ARGUMENT',
    `url ${show(url)} names ${last}, one of the files inside a bundle: pass the bundle's folder, ${show(folder.length > 0 && !/:\/*$/.test(folder) ? folder : '.')}`,
    { value: url, file: last, folder },
  );
}

/**
 * Parses a bundle URL, throwing INVALID_ARGUMENT (naming the URL and the supported schemes) for
 * anything else. In Node a plain path (no scheme) is a directory, like `file://`; elsewhere it is
 * refused with the schemes to use. A file:// or http(s):// URL ending in one of the bundle's file
 * names (`model.json`, ...) is refused with the folder to pass instead.
 *
 * @param url - e.g. `file://./models/movies`, `./models/movies` (Node), `indexeddb://movies`
 * @param purpose - 'save' (http is read-only) or 'load'
 * @param node - whether this runtime is Node (a parameter so tests can ask for the browser's answer)
 */
export function parseBundleUrl(url: unknown, purpose: 'save' | 'load', node = isNode()): BundleLocation {
  if (typeof url !== 'string') throw new RecsysError('INVALID_ARGUMENT', `url must be a string, got ${show(url)}`, { value: url });
  const lower = url.toLowerCase();
  if (lower.startsWith('file://') || (url.length > 0 && !hasScheme(url) && node)) {
    assertNotBundleFile(url);
    return { kind: 'file', url };
  }
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    assertNotBundleFile(url);
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
  const hint = url.length > 0 && !hasScheme(url) ? ` (a plain path is a folder only in Node; in a browser use indexeddb://${url.replace(/^[./\\]+/, '')})` : '';
  throw new RecsysError('INVALID_ARGUMENT', `url ${show(url)} must start with one of ${allowed}${hint}`, { value: url });
}
