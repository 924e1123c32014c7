// Small helpers shared by the Node examples (not an example itself): time and table formatting.

/** Formats a number of seconds as "1.2 s" or "3 min 04 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}

/** A fixed-width metrics table: one row per model, one column per metric. */
export function metricsTable(rows: { name: string; values: Record<string, number> }[]): string {
  const columns = Object.keys(rows[0]?.values ?? {});
  const nameWidth = Math.max(...rows.map((r) => r.name.length), 5);
  const header = ['model'.padEnd(nameWidth), ...columns.map((c) => c.padStart(9))].join('  ');
  const lines = rows.map((r) => [r.name.padEnd(nameWidth), ...columns.map((c) => r.values[c].toFixed(4).padStart(9))].join('  '));
  return [header, ...lines].join('\n');
}
