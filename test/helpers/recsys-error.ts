// Test-only helpers for asserting RecsysError codes, and for bounding calls in time.
import { RecsysError, type RecsysErrorCode } from '../../src/errors.js';

/** One case of the bad-input matrix: calling `call` must throw RecsysError(expectedCode) naming `names`. */
export interface BadInputRow {
  /** The public entry point exercised. */
  entry: string;
  /** What is wrong with the input, in words. */
  input: string;
  /** The RecsysError code that must be thrown. */
  expectedCode: RecsysErrorCode;
  /** Text the message must contain: the bad value (and, for files, `name:line`). */
  names: string;
  /** The call (sync or async). */
  call: () => unknown;
}

/** Runs `call` and returns what it threw (or rejected with); fails when it returns normally. */
export async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw, but it returned normally');
}

/** Every code seen by the matrix, for the report. */
export const codesSeen = new Set<RecsysErrorCode>();

/** Asserts `e` is a RecsysError with `code` whose message contains `names`. */
export function checkRecsysError(e: unknown, code: RecsysErrorCode, names: string): asserts e is RecsysError {
  if (!(e instanceof RecsysError)) {
    throw new Error(`expected a RecsysError(${code}), got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  if (!e.message.includes(names)) throw new Error(`expected the message to name ${JSON.stringify(names)}, got: ${e.message}`);
  codesSeen.add(e.code);
}

/**
 * Runs `work` and rejects with a timeout error after `ms`. A synchronous call that hangs cannot be
 * interrupted in-process, so callers measure the elapsed time too (see `timed`).
 */
export async function withinTime<T>(ms: number, work: () => Promise<T> | T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `f` and returns the RecsysError code it threw, `undefined` when it returned normally, or a
 * `not a RecsysError: ...` string for any other exception (so a test comparing codes fails loudly).
 */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof RecsysError ? e.code : `not a RecsysError: ${String(e)}`;
  }
  return undefined;
}

/** Awaits `promise`, which must reject with a RecsysError, and returns its code and message (anything else is rethrown). */
export async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RecsysError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a RecsysError');
}
