/**
 * Every error this library throws on bad input is a {@link RecsysError}: a stable machine-readable
 * `code` plus a message that names the offending value (and, for file readers, the line).
 */

/**
 * The stable error codes. Apps may switch on them; they never change meaning between versions.
 * Grouped by area: arguments, data, files, models, training, persistence.
 * @category Errors
 */
export type RecsysErrorCode =
  // arguments
  | 'INVALID_ARGUMENT'
  | 'INVALID_K'
  | 'INVALID_SIZE'
  | 'NOT_FINITE'
  | 'LENGTH_MISMATCH'
  | 'EMPTY_INPUT'
  // ids
  | 'USER_OUT_OF_RANGE'
  | 'ITEM_OUT_OF_RANGE'
  | 'INVALID_ID'
  | 'UNKNOWN_USER'
  | 'UNKNOWN_ITEM'
  | 'ID_TYPE_MISMATCH'
  // sampling and data
  | 'NO_NEGATIVES'
  | 'NO_POSITIVES'
  | 'PARSE_ERROR'
  | 'FILE_NOT_FOUND'
  // models and training
  | 'INVALID_LAYERS'
  | 'UNSUPPORTED_MODEL'
  | 'UNSUPPORTED_ENGINE'
  | 'UNSUPPORTED_RUNTIME'
  | 'SHAPE_MISMATCH'
  | 'TRAINING_DIVERGED'
  // persistence
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_CORRUPT'
  | 'BUNDLE_VERSION'
  | 'BUNDLE_MISMATCH';

/**
 * The one error type for bad input anywhere in neural-recsys.
 *
 * @example
 * ```ts
 * try {
 *   hitRate(3, 0);
 * } catch (e) {
 *   if (e instanceof RecsysError) console.log(e.code, e.message);
 *   //=> INVALID_K k must be a positive integer, got 0
 * }
 * ```
 * @category Errors
 */
export class RecsysError extends Error {
  /** Stable machine-readable code, see {@link RecsysErrorCode}. */
  readonly code: RecsysErrorCode;
  /** Optional structured details (the offending value, a line number, ...). */
  readonly details?: Readonly<Record<string, unknown>>;

  /**
   * Creates an error with a stable code and a message naming the bad value.
   *
   * @param code - one of {@link RecsysErrorCode}
   * @param message - a sentence that names the bad value
   * @param details - optional structured context
   */
  constructor(code: RecsysErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'RecsysError';
    this.code = code;
    if (details !== undefined) this.details = Object.freeze({ ...details });
  }
}

/**
 * Type guard: is `e` a {@link RecsysError}, optionally with the given code?
 *
 * @param e - anything caught
 * @param code - optional code to match
 * @returns true when `e` is a RecsysError (with that code)
 * @example
 * ```ts
 * isRecsysError(new RecsysError('INVALID_K', 'k must be ...'), 'INVALID_K'); //=> true
 * ```
 */
export function isRecsysError(e: unknown, code?: RecsysErrorCode): e is RecsysError {
  return e instanceof RecsysError && (code === undefined || e.code === code);
}
