// Test-only: the tiny made-up NCF split, laid out under the names readNcf looks for
// (`*.train.rating`, `*.test.rating`, `*.test.negative`) in a fresh temporary folder. The repository
// keeps it under other names so that no tracked file looks like a research dataset.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../fixtures/data/ncf/', import.meta.url));

/** Creates a temporary folder holding tiny.train.rating, tiny.test.rating and tiny.test.negative; returns it with a trailing slash. */
export function ncfFixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recsys-ncf-fixture-'));
  copyFileSync(join(SOURCE, 'tiny.train.tsv'), join(dir, 'tiny.train.rating'));
  copyFileSync(join(SOURCE, 'tiny.test.tsv'), join(dir, 'tiny.test.rating'));
  copyFileSync(join(SOURCE, 'tiny.negative.tsv'), join(dir, 'tiny.test.negative'));
  return dir + '/';
}
