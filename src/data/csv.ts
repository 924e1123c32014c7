// Generic CSV/TSV with named columns, parsed by papaparse (quoted fields, escaped quotes, delimiters
// inside quotes: a job for a well-kept parser, not for hand-written code).
//
// Streaming: papaparse streams only from a File (browsers) or a Node stream, so instead the bytes of
// any Source are decoded chunk by chunk and cut after the last newline that lies outside quotes
// (RFC 4180 quotes come in pairs, so the parity of the quote count tells); each piece of complete
// records goes through papaparse on its own. Memory stays at one chunk plus one partial record.
import { RecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { IdMap } from './id-map.js';
import { checkColumns, checkMappingOptions, type MappedInteractions, type MappingOptions } from './interactions-from.js';
import { sourceChunks, sourceName, type Source } from './source.js';
import { InteractionsBuilder, toNumber, type Locator } from './_internal/builder.js';

/** How {@link readCsv} types the ids: keep the strings, convert to numbers, or decide per column. @category Data */
export type CsvIdType = 'string' | 'number' | 'auto';

/** The id type that {@link readCsv} returns for a {@link CsvIdType}. @category Data */
export type CsvId<T extends CsvIdType> = T extends 'number' ? number : T extends 'string' ? string : string | number;

/** Options of {@link readCsv}. A column is a header name, or a 0-based index (needed when `header: false`). @category Data */
export interface CsvOptions<T extends CsvIdType = 'string'> extends MappingOptions<CsvId<T>, CsvId<T>> {
  /** Column holding the user id. */
  user: string | number;
  /** Column holding the item id. */
  item: string | number;
  /** Optional column holding the time: numbers as they are, ISO-8601 dates as milliseconds. */
  time?: string | number;
  /** Optional column holding the strength of the interaction (a number). */
  weight?: string | number;
  /** The field delimiter (`','`, `'\t'`, `';'`, `'|'`, ...). Default: detected from the first lines among those four. */
  delimiter?: string;
  /** Whether the first non-blank line names the columns. Default `true`. */
  header?: boolean;
  /**
   * The type of the ids in the returned maps. `'string'` (default): ids are the cell text, so
   * `'42'` is not `42`. `'number'`: every id must be numeric and becomes a number. `'auto'`: a
   * column whose ids are all canonical integers (`0`, `42`, `-7`; not `007`) gets number ids, any
   * other column keeps strings; not allowed together with `users` / `items` maps.
   */
  idType?: T;
}

const MAX_RECORD_CHARS = 64 << 20;

type Papa = typeof import('papaparse');

async function loadPapa(): Promise<Papa> {
  const mod = (await import('papaparse')) as Papa & { default?: Papa };
  // papaparse is a UMD bundle: depending on the loader its API is the namespace or its default
  return typeof mod.parse === 'function' ? mod : (mod.default as Papa);
}

/** Splits decoded text into pieces of whole records (see the header comment). */
class RecordCutter {
  private pending = '';
  private scanned = 0;
  private inQuotes = false;
  private lastCut = -1;

  push(text: string): string | undefined {
    this.pending += text;
    let pos = this.scanned;
    const end = this.pending.length;
    while (pos < end) {
      if (this.inQuotes) {
        const q = this.pending.indexOf('"', pos);
        if (q < 0) break;
        this.inQuotes = false;
        pos = q + 1;
      } else {
        const q = this.pending.indexOf('"', pos);
        const stop = q < 0 ? end : q;
        const newline = this.pending.lastIndexOf('\n', stop - 1);
        if (newline >= pos) this.lastCut = newline;
        if (q < 0) break;
        this.inQuotes = true;
        pos = q + 1;
      }
    }
    this.scanned = end;
    if (this.lastCut < 0) return undefined;
    const piece = this.pending.slice(0, this.lastCut);
    this.pending = this.pending.slice(this.lastCut + 1);
    this.scanned = this.pending.length;
    this.lastCut = -1;
    return piece;
  }

  get pendingLength(): number {
    return this.pending.length;
  }

  rest(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}

const DELIMITERS = [',', '\t', ';', '|'];

/**
 * Papa guesses from the consistency of many rows; when rows disagree (a malformed file), the most
 * frequent candidate outside quotes in the first non-blank line still gives the right error later.
 */
function delimiterOfFirstLine(text: string): string {
  const first = text.split('\n').find((l) => /\S/.test(l)) ?? '';
  const unquoted = first.replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = unquoted.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

const CANONICAL_INTEGER = /^-?(0|[1-9]\d{0,15})$/;

function numericMap(map: IdMap<string>): IdMap<string | number> {
  const ids = map.ids();
  if (!ids.every((id) => CANONICAL_INTEGER.test(id) && Number.isSafeInteger(Number(id)))) return map;
  return IdMap.fromIds(
    ids.map((id) => Number(id)),
    map.kind === undefined ? {} : { kind: map.kind },
  );
}

/**
 * Reads interactions from CSV or TSV text with named (or numbered) columns, streamed with bounded
 * memory and parsed by papaparse (quoted fields, `""` escapes, delimiters and newlines inside
 * quotes). Blank lines are skipped; a row with a different number of fields than the header, an
 * unclosed quote, a missing id or a non-numeric time or weight is a PARSE_ERROR naming the file and
 * the line. Ids are mapped like {@link interactionsFrom} does (first appearance order), and are
 * strings unless `idType` says otherwise.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @param options - the columns, the delimiter, header, id type, and the {@link MappingOptions}
 * @returns the interactions, the user and item id maps, and counts
 * @example
 * ```ts
 * const { data, users, items } = await readCsv(
 *   { text: 'user,item,when\nalice,"Heat, 1995",3\nbob,Up,4\n' },
 *   { user: 'user', item: 'item', time: 'when' },
 * );
 * items.ids(); //=> ['Heat, 1995', 'Up']
 * data.timestamps; //=> Float64Array [3, 4]
 * ```
 */
export async function readCsv<T extends CsvIdType = 'string'>(source: Source, options: CsvOptions<T>): Promise<MappedInteractions<CsvId<T>, CsvId<T>>> {
  const { header, idType, duplicates, unknownIds } = checkCsvOptions(options as CsvOptions<CsvIdType>);
  const name = sourceName(source);
  const rows = new CsvRows(await loadPapa(), name, options as CsvOptions<CsvIdType>, header, idType, unknownIds);
  const decoder = new TextDecoder('utf-8');
  const cutter = new RecordCutter();
  for await (const chunk of sourceChunks(source)) {
    const piece = cutter.push(decoder.decode(chunk, { stream: true }));
    if (piece !== undefined) rows.parse(piece);
    if (cutter.pendingLength > MAX_RECORD_CHARS) {
      throw new RecsysError('PARSE_ERROR', `${name}:${rows.line}: a record longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`, {
        file: name,
        line: rows.line,
      });
    }
  }
  const piece = cutter.push(decoder.decode());
  if (piece !== undefined) rows.parse(piece);
  const rest = cutter.rest();
  if (rest.length > 0) rows.parse(rest);
  if (!rows.sawHeaderOrData) throw new RecsysError('EMPTY_INPUT', `${name} is empty (no data lines)`, { file: name });
  if (rows.builder.length === 0 && rows.builder.skipped === 0) {
    throw new RecsysError('EMPTY_INPUT', `${name} has a header but no data lines`, { file: name });
  }
  const result = rows.builder.finish(duplicates, name);
  if (idType === 'auto') {
    return {
      ...result,
      users: numericMap(result.users as IdMap<string>),
      items: numericMap(result.items as IdMap<string>),
    } as MappedInteractions<CsvId<T>, CsvId<T>>;
  }
  return result as MappedInteractions<CsvId<T>, CsvId<T>>;
}

/** Checks readCsv's options; returns the header flag, the id type and the mapping policies. */
function checkCsvOptions(options: CsvOptions<CsvIdType>): { header: boolean; idType: CsvIdType } & ReturnType<typeof checkMappingOptions> {
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object like { user: 'userId', item: 'itemId' }, got ${show(options)}`);
  }
  checkColumns(options, true);
  const mapping = checkMappingOptions(options as MappingOptions);
  const header = options.header ?? true;
  if (typeof header !== 'boolean') throw new RecsysError('INVALID_ARGUMENT', `header must be true or false, got ${show(header)}`);
  const idType: CsvIdType = options.idType ?? 'string';
  assertOneOf('idType', idType, ['string', 'number', 'auto'] as const);
  if (idType === 'auto' && (options.users !== undefined || options.items !== undefined)) {
    throw new RecsysError('INVALID_ARGUMENT', "idType 'auto' cannot extend existing id maps: pass idType 'string' or 'number' with users / items");
  }
  if (options.delimiter !== undefined && (typeof options.delimiter !== 'string' || options.delimiter.length === 0 || /["\r\n]/.test(options.delimiter))) {
    throw new RecsysError('INVALID_ARGUMENT', `delimiter must be a non-empty string without quotes or newlines, got ${show(options.delimiter)}`);
  }
  for (const key of ['user', 'item', 'time', 'weight'] as const) {
    if (!header && typeof options[key] === 'string') {
      throw new RecsysError('INVALID_ARGUMENT', `without a header, columns are 0-based indices: ${key} is ${show(options[key])}`);
    }
  }
  return { header, idType, ...mapping };
}

type Id = string | number;
type Column = 'user' | 'item' | 'time' | 'weight';

/**
 * Turns pieces of whole records into interactions: guesses the delimiter from the first piece,
 * finds the columns in the header (or first line), checks every row's field count and ids, and
 * keeps the line number for messages.
 */
class CsvRows {
  /** Collects the interactions and maps the ids. */
  readonly builder: InteractionsBuilder<Id, Id>;
  /** Line where the next record starts (1-based). */
  line = 1;
  private rowLine = 1;
  private delimiter: string | undefined;
  private fieldCount = -1;
  private indices = { user: -1, item: -1, time: -1, weight: -1 };
  private readonly names: Record<Column, string>;
  private readonly where: Locator;

  constructor(
    private readonly papa: Papa,
    private readonly name: string,
    private readonly options: CsvOptions<CsvIdType>,
    private readonly header: boolean,
    private readonly idType: CsvIdType,
    unknownIds: ReturnType<typeof checkMappingOptions>['unknownIds'],
  ) {
    this.builder = new InteractionsBuilder<Id, Id>(
      (options.users as IdMap<Id> | undefined) ?? new IdMap<Id>({ kind: 'user' }),
      (options.items as IdMap<Id> | undefined) ?? new IdMap<Id>({ kind: 'item' }),
      options.time !== undefined,
      options.weight !== undefined,
      unknownIds,
      { users: options.users !== undefined, items: options.items !== undefined },
      'PARSE_ERROR',
    );
    this.delimiter = options.delimiter;
    this.names = { user: String(options.user), item: String(options.item), time: String(options.time), weight: String(options.weight) };
    this.where = { at: (column) => `${name}:${this.rowLine}, column ${JSON.stringify(column)}` };
  }

  /** Whether a header or a first data line was seen. */
  get sawHeaderOrData(): boolean {
    return this.fieldCount >= 0;
  }

  /** Parses one piece of whole records (the cutter's output). */
  parse(piece: string): void {
    if (piece.endsWith('\r')) piece = piece.slice(0, -1);
    if (piece.includes('\r\n')) piece = piece.replace(/\r\n/g, '\n');
    if (this.delimiter === undefined) {
      if (!/\S/.test(piece)) {
        // only blank lines so far: nothing to guess the delimiter from yet
        this.line += 1 + (piece.match(/\n/g)?.length ?? 0);
        return;
      }
      const guess = this.papa.parse<string[]>(piece, { newline: '\n', delimitersToGuess: DELIMITERS, preview: 50, skipEmptyLines: true });
      const undetectable = guess.errors.some((e) => e.code === 'UndetectableDelimiter');
      this.delimiter = undetectable ? delimiterOfFirstLine(piece) : guess.meta.delimiter || ',';
    }
    const result = this.papa.parse<string[]>(piece, { delimiter: this.delimiter, newline: '\n', quoteChar: '"', header: false, skipEmptyLines: false });
    const badRows = new Map<number, string>();
    for (const error of result.errors) if (error.row !== undefined && !badRows.has(error.row)) badRows.set(error.row, error.message);
    result.data.forEach((row, r) => this.row(row, badRows.get(r)));
  }

  /** One parsed row (with papaparse's complaint about it, if any). */
  private row(row: string[], bad: string | undefined): void {
    const { name, delimiter, header } = this;
    this.rowLine = this.line;
    let newlines = 0;
    for (const field of row) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) newlines++;
    this.line += 1 + newlines;
    if (bad !== undefined) {
      throw new RecsysError('PARSE_ERROR', `${name}:${this.rowLine}: ${bad}: ${show(row.join(delimiter))}`, { file: name, line: this.rowLine });
    }
    if (row.length === 1 && row[0].trim() === '') return; // blank line
    if (this.fieldCount < 0) {
      this.fieldCount = row.length;
      this.resolveColumns(header ? row : row.map((_, i) => String(i)));
      if (header) return;
    }
    if (row.length !== this.fieldCount) {
      throw new RecsysError(
        'PARSE_ERROR',
        `${name}:${this.rowLine}: expected ${this.fieldCount} fields ${header ? 'like the header' : 'like the first line'}, got ${row.length}: ${show(row.join(delimiter))}`,
        { file: name, line: this.rowLine, content: row.join(delimiter) },
      );
    }
    const c = this.indices;
    const time = c.time < 0 ? undefined : row[c.time];
    const weight = c.weight < 0 ? undefined : row[c.weight];
    this.builder.add(this.toId(row[c.user], 'user'), this.toId(row[c.item], 'item'), time, weight, this.where, this.names);
  }

  /** Finds each option's column among the header's (or first line's) fields. */
  private resolveColumns(fields: string[]): void {
    const find = (key: Column): number => {
      const column = this.options[key];
      if (column === undefined) return -1;
      const index = typeof column === 'number' ? column : fields.indexOf(column);
      if (index < 0 || index >= fields.length) {
        const known = this.header ? `the header has ${fields.map((f) => JSON.stringify(f)).join(', ')}` : `rows have ${fields.length} fields`;
        throw new RecsysError('INVALID_ARGUMENT', `${this.name}: no column ${JSON.stringify(column)} for ${key}: ${known}`, { file: this.name, column });
      }
      if (this.header) this.names[key] = fields[index];
      return index;
    };
    this.indices = { user: find('user'), item: find('item'), time: find('time'), weight: find('weight') };
  }

  /** The id in a cell, as a number when `idType` is 'number'. */
  private toId(value: string, kind: 'user' | 'item'): Id {
    if (this.idType !== 'number' || value === '') return value;
    const n = toNumber(value);
    if (Number.isNaN(n)) {
      throw new RecsysError('PARSE_ERROR', `${this.where.at(this.names[kind])}: idType is 'number' but the ${kind} id is ${show(value)}`, {
        file: this.name,
        line: this.rowLine,
      });
    }
    return n;
  }
}
