// Plain-text tables for the terminal: right-aligned numbers, left-aligned text, two spaces apart.

/** A table cell: text is left-aligned, numbers right-aligned with the given decimals. */
export type Cell = string | number;

/**
 * Formats rows as a fixed-width table with a header line.
 *
 * @param header - the column titles
 * @param rows - the cells, one array per row (numbers are printed with `decimals` decimals)
 * @param decimals - decimals of number cells (default 4)
 * @returns the table, lines joined by '\n'
 * @example
 * ```ts
 * table(['model', 'HR@10'], [['NeuMF', 0.65], ['popularity', 0.12]]);
 * //=> 'model        HR@10\nNeuMF       0.6500\npopularity  0.1200'
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[], decimals = 4): string {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : cell.toFixed(decimals)) : cell)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number'));
  const widths = header.map((title, c) => Math.max(title.length, ...text.map((row) => row[c].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...text.map(line)].join('\n');
}

/**
 * Formats seconds as `1.2 s` or `3 min 04 s`.
 *
 * @param seconds - a duration
 * @returns the text
 * @example
 * ```ts
 * formatSeconds(184); //=> '3 min 04 s'
 * ```
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}
