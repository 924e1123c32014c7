// Bundles as plain files in Node (file://), written atomically without a native add-on.
//
// A bundle is a directory holding model.json (the standard tfjs layers-model file, so TensorFlow's
// converter reads it), weights.bin and recsys.json (the manifest, written last). Saving never
// writes into the target directory:
//   1. every file goes into a fresh sibling `.<name>.tmp-<pid>-<stamp>`, each fsynced, then the
//      directory itself;
//   2. an existing bundle at the target is renamed away to `.<name>.old-<stamp>`;
//   3. the temporary directory is renamed to the target, and the parent directory fsynced;
//   4. the old bundle is removed.
// A crash before 2 leaves the old bundle in place; after 3 the new one. Between 2 and 3 (two
// renames, microseconds apart) the target is missing but `.<name>.old-*` is a complete bundle:
// loading falls back to it, so the previous bundle still loads, and the next save removes it only
// once a new bundle is in place. Temporary directories of crashed saves are removed by the next
// save (only those of processes no longer running, so a concurrent writer's are left alone).
// One writer per target at a time: saves from this process are queued; saves from several
// processes to the same target at once are not supported.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { importNodeBuiltin } from '../_lib/node-import.js';
import { BUNDLE_FILES } from './manifest.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/** The Node modules this file needs, loaded on first use so browser bundles never reach them. */
async function nodeModules(): Promise<{ fs: Fs; path: Path }> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
    throw new RecsysError('UNSUPPORTED_RUNTIME', 'file:// bundles need Node.js; in a browser use indexeddb:// or localstorage://');
  }
  const why = 'file:// bundles need Node.js; in a browser use indexeddb:// or localstorage://';
  const [fs, path] = await Promise.all([importNodeBuiltin<Fs>('fs/promises', why), importNodeBuiltin<Path>('path', why)]);
  return { fs, path };
}

/** Which step of an atomic save is about to run (see {@link SaveOptions.onProgress}). @category Persistence */
export type SaveStep = 'write' | 'commit' | 'swap' | 'cleanup' | 'done';

/** Callback awaited before each step of a save. */
export type StepHook = (step: SaveStep) => void | Promise<void>;

const NAMES = new Set<string>(Object.values(BUNDLE_FILES));

function errno(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

async function exists(fs: Fs, p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return false;
    throw e;
  }
}

async function fsyncPath(fs: Fs, p: string): Promise<void> {
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(p, 'r');
    await handle.sync();
  } catch (e) {
    // Some platforms (Windows) cannot open or fsync a directory; the renames are still atomic there.
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes(errno(e) ?? '')) throw e;
  } finally {
    await handle?.close();
  }
}

async function writeSynced(fs: Fs, p: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(p, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

/** What follows `.<name>.tmp-` (the writer's pid, then a stamp) and `.<name>.old-` (a stamp). */
const TMP_SUFFIX = /^(\d+)-[0-9a-z]+-[0-9a-z]+$/;
const OLD_SUFFIX = /^[0-9a-z]+-[0-9a-z]+$/;

/** A sortable stamp: time then randomness, so names never collide and sort by age. */
function stamp(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${Math.floor(Math.random() * 0x7fffffff).toString(36)}`;
}

/** Resolves a file:// URL, or a plain path, to an absolute directory path. */
export async function resolveDirectory(url: string): Promise<string> {
  const { path } = await nodeModules();
  // a plain path is taken as it is (no percent-decoding: '%' may be part of a name)
  if (!url.toLowerCase().startsWith('file://')) return path.resolve(url);
  let rest = url.slice('file://'.length);
  // file:///abs and file://./rel and file://rel all work; percent-encoding is decoded.
  try {
    rest = decodeURIComponent(rest);
  } catch {
    throw new RecsysError('INVALID_ARGUMENT', `url ${show(url)} is not a valid file:// URL (bad percent-encoding)`);
  }
  if (rest.length === 0) throw new RecsysError('INVALID_ARGUMENT', `url ${show(url)} names no directory`);
  // file:///C:/models on Windows: the path is C:/models
  if (process.platform === 'win32' && /^\/[A-Za-z]:/.test(rest)) rest = rest.slice(1);
  return path.resolve(rest);
}

function siblings(path: Path, target: string) {
  const parent = path.dirname(target);
  const base = path.basename(target);
  return { parent, base, tmpPrefix: `.${base}.tmp-`, oldPrefix: `.${base}.old-` };
}

/**
 * Removes what crashed saves left beside `target`: temporary directories of processes no longer
 * running, and old bundles once a complete bundle is at the target (never the only copy).
 */
async function removeStale(fs: Fs, path: Path, target: string): Promise<void> {
  const { parent, tmpPrefix, oldPrefix } = siblings(path, target);
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return;
  }
  const targetComplete = await exists(fs, path.join(target, BUNDLE_FILES.manifest));
  for (const entry of entries) {
    const full = path.join(parent, entry);
    let stale = false;
    const tmpMatch = entry.startsWith(tmpPrefix) ? TMP_SUFFIX.exec(entry.slice(tmpPrefix.length)) : null;
    if (tmpMatch !== null) {
      // this process queues its own saves per target, so a temporary of its own is always stale
      const pid = Number(tmpMatch[1]);
      stale = pid === process.pid || !isAlive(pid);
    } else if (entry.startsWith(oldPrefix) && OLD_SUFFIX.test(entry.slice(oldPrefix.length))) {
      stale = targetComplete;
    }
    if (stale) await fs.rm(full, { recursive: true, force: true });
  }
}

/** Refuses to replace anything that is not a bundle (a typo must never delete a user's folder). */
async function assertReplaceable(fs: Fs, target: string): Promise<boolean> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
  if (!stat.isDirectory()) {
    throw new RecsysError('INVALID_ARGUMENT', `cannot save a bundle to ${show(target)}: it exists and is not a directory`, { path: target });
  }
  const foreign = (await fs.readdir(target)).filter((name) => !NAMES.has(name));
  if (foreign.length > 0) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `refusing to replace ${show(target)}: it holds ${show(foreign[0])}, which is not part of a neural-recsys bundle`,
      { path: target, file: foreign[0] },
    );
  }
  return true;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Writes a bundle's files to a directory atomically (see the file header for the protocol).
 *
 * @param url - a file:// URL naming the bundle directory
 * @param files - file name -> contents
 * @param hook - awaited before each step
 * @returns the absolute directory path
 */
export async function writeDirectoryBundle(url: string, files: ReadonlyMap<string, Uint8Array | string>, hook: StepHook): Promise<string> {
  const { fs, path } = await nodeModules();
  const target = await resolveDirectory(url);
  const previous = queues.get(target) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => swapIn(fs, path, target, files, hook));
  queues.set(target, run);
  try {
    await run;
  } finally {
    if (queues.get(target) === run) queues.delete(target);
  }
  return target;
}

async function swapIn(fs: Fs, path: Path, target: string, files: ReadonlyMap<string, Uint8Array | string>, hook: StepHook): Promise<void> {
  const { parent, tmpPrefix, oldPrefix } = siblings(path, target);
  await fs.mkdir(parent, { recursive: true });
  const hadTarget = await assertReplaceable(fs, target);
  await removeStale(fs, path, target);

  const tmp = path.join(parent, `${tmpPrefix}${process.pid}-${stamp()}`);
  await hook('write');
  await fs.mkdir(tmp);
  let old: string | null = null;
  try {
    // recsys.json last: a directory holding it is complete
    const order = [...files.keys()].sort((a, b) => Number(a === BUNDLE_FILES.manifest) - Number(b === BUNDLE_FILES.manifest));
    for (const name of order) await writeSynced(fs, path.join(tmp, name), files.get(name)!);
    await fsyncPath(fs, tmp);
    await hook('commit');
    if (hadTarget && (await exists(fs, target))) {
      old = path.join(parent, `${oldPrefix}${stamp()}`);
      await fs.rename(target, old);
      await hook('swap');
    }
    await fs.rename(tmp, target);
    await fsyncPath(fs, parent);
    await hook('cleanup');
    if (old !== null) await fs.rm(old, { recursive: true, force: true });
    await removeStale(fs, path, target);
  } catch (e) {
    // a failed (not crashed) save puts the old bundle back if it was already moved away
    if (old !== null && !(await exists(fs, target)) && (await exists(fs, old))) await fs.rename(old, target).catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  await hook('done');
}

/**
 * Where to read a file:// bundle from: the target, or, when a save crashed between its two renames
 * and the target is missing, the complete old bundle beside it.
 *
 * @param url - a file:// URL
 * @returns the directory holding recsys.json
 */
export async function locateDirectoryBundle(url: string): Promise<string> {
  const { fs, path } = await nodeModules();
  const target = await resolveDirectory(url);
  if (await exists(fs, target)) return target;
  const { parent, oldPrefix } = siblings(path, target);
  let entries: string[] = [];
  try {
    entries = await fs.readdir(parent);
  } catch {
    // the parent is missing too: reported as the target missing below
  }
  const olds = entries.filter((e) => e.startsWith(oldPrefix) && OLD_SUFFIX.test(e.slice(oldPrefix.length))).sort();
  for (let i = olds.length - 1; i >= 0; i--) {
    const candidate = path.join(parent, olds[i]);
    if (await exists(fs, path.join(candidate, BUNDLE_FILES.manifest))) return candidate;
  }
  throw new RecsysError('BUNDLE_NOT_FOUND', `no bundle at ${show(target)}: the directory does not exist`, { path: target });
}

/**
 * Reads one file of a bundle directory.
 *
 * @param dir - the bundle directory
 * @param name - the file name
 * @returns the bytes
 */
export async function readBundleFile(dir: string, name: string): Promise<Uint8Array> {
  const { fs, path } = await nodeModules();
  const file = path.join(dir, name);
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'EISDIR' || errno(e) === 'ENOTDIR') {
      throw new RecsysError('BUNDLE_NOT_FOUND', `bundle file ${show(file)} is missing`, { path: file });
    }
    throw e;
  }
}
