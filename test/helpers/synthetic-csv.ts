// Test-only: seeded synthetic interactions written as a CSV an app could have exported
// (`visitor,product,ts` with string ids), for the command-line tests and the browser test's report.
// Run as a script to write one: `npx tsx test/helpers/synthetic-csv.ts out.csv [--users 300]`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { syntheticInteractions } from '../../src/data/index.js';

/**
 * Writes `syntheticInteractions({ seed, numUsers, numItems })` as CSV text with a header
 * `visitor,product,ts`; users are `v<index>`, items `p<index>`.
 *
 * @returns the CSV text
 */
export function syntheticCsv(options: { seed?: number; numUsers?: number; numItems?: number } = {}): string {
  const data = syntheticInteractions({ seed: options.seed ?? 42, numUsers: options.numUsers ?? 300, numItems: options.numItems ?? 200 });
  const lines = ['visitor,product,ts'];
  for (let r = 0; r < data.users.length; r++) lines.push(`v${data.users[r]},p${data.items[r]},${data.timestamps[r]}`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ options: { users: { type: 'string' }, items: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error('usage: tsx test/helpers/synthetic-csv.ts <out.csv> [--users N] [--items N]');
  writeFileSync(positionals[0], syntheticCsv({ numUsers: Number(values.users ?? 300), numItems: Number(values.items ?? 200) }));
}
