import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FeatureTable } from './features.js';
import { featuresFrom } from './features-from.js';
import { IdMap } from './id-map.js';
import { thrown } from '../../test/helpers/recsys-error.js';
import { RecsysError } from '../errors.js';

async function errorOf(call: () => unknown): Promise<{ code: string; message: string }> {
  const e = await thrown(call);
  expect(e).toBeInstanceOf(RecsysError);
  return { code: (e as RecsysError).code, message: (e as RecsysError).message };
}

describe('featuresFrom', () => {
  const items = IdMap.fromIds(['sku-1', 'sku-2'], { kind: 'item' });
  const rows = [
    { id: 'sku-1', genre: ['drama', 'crime', 'drama'], brand: 'acme', year: 1994 },
    { id: 'sku-3', genre: 'drama', brand: null, year: 2001 },
  ];

  it('builds CSR rows per field, row 0 = unknown, new ids appended', () => {
    const t = featuresFrom(rows, { fields: ['genre', 'brand', { name: 'year', bucket: 10 }], ids: items });
    expect(t.ids.ids()).toEqual(['sku-1', 'sku-2', 'sku-3']);
    expect([t.numEntities, t.numKnown, t.kind]).toEqual([3, 2, 'item']);
    expect(items.size).toBe(2); // the interactions' map is not changed
    const genre = t.field('genre');
    expect(genre.values.ids()).toEqual(['drama', 'crime']);
    expect(genre.numRows).toBe(3);
    expect(Array.from(genre.offsets)).toEqual([0, 2, 2, 3]);
    expect(Array.from(genre.rows)).toEqual([1, 2, 1]); // the repeated 'drama' is dropped
    expect(genre.multiValued).toBe(true);
    expect(t.field('brand').multiValued).toBe(false);
    expect(Array.from(t.rowsOf('brand', 2))).toEqual([]);
    expect(t.valuesOf('year', 0)).toEqual([1990]);
    expect(t.valuesOf('year', 2)).toEqual([2000]);
    expect(t.valuesOf('genre', 1)).toEqual([]);
  });

  it('encodes values at serving time: unknown values to row 0, never an error', () => {
    const t = featuresFrom(rows, { fields: ['genre', { name: 'year', bucket: 10 }], ids: items });
    expect(Array.from(t.encode('genre', ['crime', 'western', '', NaN, {}]))).toEqual([2, 0, 0, 0, 0]);
    expect(Array.from(t.encode('genre', 'drama'))).toEqual([1]);
    expect(Array.from(t.encode('genre', null))).toEqual([]);
    expect(Array.from(t.encode('year', [1999, '2005', 'soon', 1850]))).toEqual([1, 2, 0, 0]);
  });

  it('buckets by bounds and refuses a value below the first bound', async () => {
    const spec = { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] };
    const t = featuresFrom([{ id: 1, age: 7 }, { id: 2, age: 18 }, { id: 3, age: 30 }, { id: 4, age: 80 }], { fields: [spec], kind: 'user' });
    expect([0, 1, 2, 3].map((u) => t.valuesOf('age', u)[0])).toEqual([1, 18, 25, 56]);
    expect(await errorOf(() => featuresFrom([{ id: 1, age: 0 }], { fields: [spec] }))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'rows[0].age: 0 of field "age" is below the first bucket bound 1',
    });
    expect((await errorOf(() => featuresFrom([{ id: 1, age: 'old' }], { fields: [spec] }))).message).toContain('"old"');
  });

  it("keeps 42 and '42' as two values", () => {
    const t = featuresFrom([{ id: 'a', c: 42 }, { id: 'b', c: '42' }], { fields: ['c'] });
    expect(t.field('c').values.ids()).toEqual([42, '42']);
  });

  it('skips or refuses new ids when asked', async () => {
    const skipped = featuresFrom(rows, { fields: ['genre'], ids: items, newIds: 'skip' });
    expect([skipped.numEntities, skipped.skipped]).toEqual([2, 1]);
    expect(await errorOf(() => featuresFrom(rows, { fields: ['genre'], ids: items, newIds: 'error' }))).toEqual({
      code: 'UNKNOWN_ITEM',
      message: `rows[1]: item "sku-3" is not in the interactions' id map (newIds: 'error')`,
    });
  });

  it('rejects bad rows and options, naming the value', async () => {
    expect(await errorOf(() => featuresFrom([{ id: 'a' }, { id: 'a' }], { fields: ['g'] }))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'rows[1]: item "a" has a second row; give each item one row (arrays for several values)',
    });
    expect((await errorOf(() => featuresFrom([{ id: '' }], { fields: ['g'] }))).code).toBe('INVALID_ID');
    expect((await errorOf(() => featuresFrom([{ id: 'a', g: [true] }], { fields: ['g'] }))).message).toBe(
      'rows[0].g[0] must be a non-empty string or a finite number, got true',
    );
    expect((await errorOf(() => featuresFrom([null as never], { fields: ['g'] }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(() => featuresFrom([], { fields: [] }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(() => featuresFrom([], { fields: ['g', 'g'] }))).message).toBe('field "g" is listed twice');
    expect((await errorOf(() => featuresFrom([], { fields: [{ name: 'y', bucket: 0 }] }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(() => featuresFrom([], { fields: [{ name: 'y', bucket: [3, 2] }] }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(() => featuresFrom([], { fields: ['g'], newIds: 'drop' as never }))).code).toBe('INVALID_ARGUMENT');
    const t = featuresFrom([{ id: 'a', g: 'x' }], { fields: ['g'] });
    expect(await errorOf(() => t.field('h'))).toEqual({ code: 'INVALID_ARGUMENT', message: 'no feature field "h"; the fields are "g"' });
    expect((await errorOf(() => t.rowsOf('g', 1))).code).toBe('ITEM_OUT_OF_RANGE');
  });

  it('round-trips through JSON', () => {
    const t = featuresFrom(rows, { fields: ['genre', { name: 'year', bucket: 10 }], ids: items });
    const again = FeatureTable.fromJSON(JSON.parse(JSON.stringify(t)));
    expect([again.ids.ids(), again.numKnown]).toEqual([t.ids.ids(), 2]);
    for (const f of t.fields) {
      const g = again.field(f.name);
      expect([Array.from(g.offsets), Array.from(g.rows), g.values.ids(), g.bucket]).toEqual([Array.from(f.offsets), Array.from(f.rows), f.values.ids(), f.bucket]);
    }
    expect(Array.from(again.encode('year', 1997))).toEqual([1]);
  });

  it('refuses corrupt JSON', async () => {
    const json = featuresFrom(rows, { fields: ['genre'], ids: items }).toJSON();
    const bad = (change: (j: typeof json) => void) => {
      const copy = JSON.parse(JSON.stringify(json)) as typeof json;
      change(copy);
      return errorOf(() => FeatureTable.fromJSON(copy));
    };
    expect((await bad((j) => (j.fields[0].rows[0] = 3))).message).toBe('field "genre": rows[0] = 3 is not a value row in 1..2');
    expect((await bad((j) => j.fields[0].offsets.pop())).code).toBe('INVALID_ARGUMENT');
    expect((await bad((j) => (j.numKnown = 9))).message).toBe('numKnown must be an integer in 0..3, got 9');
    expect((await bad((j) => (j.kind = 'thing' as never))).code).toBe('INVALID_ARGUMENT');
  });

  it('property: every entity gets exactly its distinct values, in order, and encode inverts the map', () => {
    const value = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 3 }));
    const rowsArb = fc.uniqueArray(
      fc.record({ id: fc.integer({ min: 0, max: 30 }), g: fc.oneof(value, fc.array(value, { maxLength: 4 }), fc.constant(undefined)) }),
      { selector: (r) => r.id, maxLength: 20 },
    );
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 0, max: 10 }), (rs, known) => {
        const ids = IdMap.fromIds(Array.from({ length: known }, (_, i) => i), { kind: 'item' });
        const t = featuresFrom(rs, { fields: ['g'], ids });
        expect(t.ids.ids().slice(0, known)).toEqual(ids.ids());
        const f = t.field('g');
        expect(f.offsets.length).toBe(t.numEntities + 1);
        const byId = new Map(rs.map((r) => [r.id, r.g]));
        for (let e = 0; e < t.numEntities; e++) {
          const g = byId.get(t.ids.id(e) as number);
          const expected = [...new Set(g === undefined ? [] : Array.isArray(g) ? g : [g])];
          expect(t.valuesOf('g', e)).toEqual(expected);
          expect(Array.from(t.encode('g', expected))).toEqual(Array.from(t.rowsOf('g', e)));
        }
        for (const r of f.rows) expect(r >= 1 && r < f.numRows).toBe(true);
      }),
    );
  });
});
