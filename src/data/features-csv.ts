// Feature tables from CSV/TSV: a header row, an id column, one column per field; a multi-valued
// cell holds its values joined by a separator of its own (`drama|crime`). Lines are streamed; each
// line's fields are split by papaparse (quotes, escaped quotes, delimiters inside quotes).
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { FeatureOptions, FeatureRow, FeatureTable } from './features.js';
import { buildFeatures } from './features-from.js';
import { sourceName, type Source } from './source.js';
import { forEachLine } from './_internal/lines.js';

/** Options of {@link readFeaturesCsv}: the {@link FeatureOptions} (fields are column names) plus the CSV layout. */
export interface FeatureCsvOptions extends FeatureOptions {
  /** The column holding the entity id (a header name). Default `'id'`. */
  idKey?: string;
  /** The field delimiter. Default `','`. */
  delimiter?: string;
  /**
   * Multi-valued columns and the separator inside their cells, e.g. `{ genre: '|' }` reads
   * `drama|crime` as two values. Other columns are single-valued. Empty parts are dropped.
   */
  multiValued?: Readonly<Record<string, string>>;
  /**
   * The type of the ids: `'string'` (default) keeps the cell text; `'number'` converts every id
   * (a non-numeric id is a PARSE_ERROR), as needed to match an id map with number ids such as
   * {@link readMovieLens}'s.
   */
  idType?: 'string' | 'number';
}

type Papa = typeof import('papaparse');

async function loadPapa(): Promise<Papa> {
  const mod = (await import('papaparse')) as Papa & { default?: Papa };
  return typeof mod.parse === 'function' ? mod : (mod.default as Papa);
}

const utf8 = new TextDecoder('utf-8');
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a feature table from CSV/TSV with a header: the id column (`idKey`, default `'id'`) and
 * one column per field. Empty cells are no value; cells stay strings (bucketed fields parse them
 * as numbers). Records must fit on one line (a quoted newline is a PARSE_ERROR). A row with the
 * wrong number of cells, a missing column, an unclosed quote, a repeated id or a bad bucketed
 * value is a RecsysError naming the file and the line.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @param options - the fields, the id column, delimiter, multi-valued separators, and {@link FeatureOptions}
 * @returns the table
 * @example
 * ```ts
 * const table = await readFeaturesCsv(
 *   { text: 'id,genre,brand\nsku-1,drama|crime,acme\nsku-2,,\n' },
 *   { fields: ['genre', 'brand'], multiValued: { genre: '|' } },
 * );
 * table.valuesOf('genre', 0); //=> ['drama', 'crime']
 * table.valuesOf('brand', 1); //=> []
 * ```
 */
export async function readFeaturesCsv(source: Source, options: FeatureCsvOptions): Promise<FeatureTable> {
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object like { fields: ['genre'] }, got ${show(options)}`);
  }
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw new RecsysError('INVALID_ARGUMENT', `delimiter must be a non-empty string without quotes or newlines, got ${show(delimiter)}`);
  }
  const idType = options.idType ?? 'string';
  if (idType !== 'string' && idType !== 'number') throw new RecsysError('INVALID_ARGUMENT', `idType must be 'string' or 'number', got ${show(idType)}`);
  const multi = options.multiValued ?? {};
  if (multi === null || typeof multi !== 'object') throw new RecsysError('INVALID_ARGUMENT', `multiValued must be an object like { genre: '|' }, got ${show(multi)}`);
  for (const [column, sep] of Object.entries(multi)) {
    if (typeof sep !== 'string' || sep.length === 0) throw new RecsysError('INVALID_ARGUMENT', `multiValued.${column} must be a non-empty separator, got ${show(sep)}`);
    if (sep === delimiter) throw new RecsysError('INVALID_ARGUMENT', `multiValued.${column} must differ from the delimiter ${show(delimiter)}`);
  }
  const idKey = options.idKey ?? 'id';
  const names = Array.isArray(options.fields) ? options.fields.map((s) => (typeof s === 'string' ? s : (s as { name?: unknown } | null)?.name)) : [];
  const Papa = await loadPapa();
  const name = sourceName(source);

  let header: string[] | undefined;
  let columns: number[] = [];
  let idColumn = -1;
  const rows: FeatureRow[] = [];
  const lines: number[] = [];
  await forEachLine(source, (buf, start, end, line) => {
    const text = utf8.decode(buf.subarray(start, end));
    const parsed = Papa.parse<string[]>(text, { delimiter, newline: '\n', quoteChar: '"', header: false, skipEmptyLines: false });
    if (parsed.errors.length > 0 || parsed.data.length !== 1) {
      const reason = parsed.errors[0]?.message ?? 'a record spans several lines';
      throw new RecsysError('PARSE_ERROR', `${name}:${line}: ${reason}: ${show(text)}`, { file: name, line, content: text });
    }
    const cells = parsed.data[0];
    if (header === undefined) {
      header = cells;
      idColumn = header.indexOf(idKey);
      const missing = [idKey, ...names.filter((n): n is string => typeof n === 'string')].filter((n) => !header!.includes(n));
      if (missing.length > 0) {
        throw new RecsysError('INVALID_ARGUMENT', `${name}: no column ${missing.map((m) => JSON.stringify(m)).join(', ')}; the header has ${header.map((h) => JSON.stringify(h)).join(', ')}`, {
          file: name,
        });
      }
      columns = names.map((n) => header!.indexOf(n as string));
      return;
    }
    if (cells.length !== header.length) {
      throw new RecsysError('PARSE_ERROR', `${name}:${line}: expected ${header.length} fields like the header, got ${cells.length}: ${show(text)}`, {
        file: name,
        line,
        content: text,
      });
    }
    const rawId = cells[idColumn].trim();
    let id: string | number = rawId;
    if (idType === 'number') {
      id = NUMERIC.test(rawId) ? Number(rawId) : NaN;
      if (!Number.isFinite(id)) throw new RecsysError('PARSE_ERROR', `${name}:${line}: idType is 'number' but the id is ${show(rawId)}`, { file: name, line });
    }
    const row: Record<string, unknown> = { [idKey]: id };
    for (let f = 0; f < columns.length; f++) {
      const cell = cells[columns[f]].trim();
      const field = names[f] as string;
      const sep = Object.prototype.hasOwnProperty.call(multi, field) ? multi[field] : undefined;
      if (sep !== undefined) row[field] = cell.split(sep).map((v) => v.trim()).filter((v) => v.length > 0);
      else row[field] = cell.length === 0 ? undefined : cell;
    }
    rows.push(row);
    lines.push(line);
  });
  if (header === undefined || rows.length === 0) throw new RecsysError('EMPTY_INPUT', `${name} has a header but no data lines`, { file: name });
  return buildFeatures(rows, options, (r) => `${name}:${lines[r]}`);
}
