import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IdMap } from './id-map.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

const idArb = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));


describe('IdMap', () => {
  it('assigns dense indices in order of first appearance and maps back', () => {
    const m = new IdMap<string>();
    expect(m.add('b')).toBe(0);
    expect(m.add('a')).toBe(1);
    expect(m.add('b')).toBe(0);
    expect(m.size).toBe(2);
    expect(m.id(1)).toBe('a');
    expect(m.index('a')).toBe(1);
    expect(m.get('zzz')).toBeUndefined();
    expect(m.ids()).toEqual(['b', 'a']);
    expect([...m]).toEqual([
      ['b', 0],
      ['a', 1],
    ]);
  });

  it("treats '__proto__', 'constructor' and 'toString' as ordinary ids", () => {
    const m = IdMap.fromIds(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(m.size).toBe(4);
    expect(m.index('__proto__')).toBe(0);
    expect(m.indexOf('constructor')).toBe(1);
    expect(m.has('toString')).toBe(true);
    expect(m.has('valueOf')).toBe(false);
    expect(m.index('valueOf')).toBeUndefined();
    const again = IdMap.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(again.ids()).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
  });

  it('keeps 42 and "42" apart, and JSON round trips keep the difference', () => {
    const m = IdMap.fromIds<string | number>([42, '42', 0, '0']);
    expect(m.size).toBe(4);
    const again = IdMap.fromJSON<string | number>(JSON.parse(JSON.stringify(m)));
    expect(again.index(42)).toBe(0);
    expect(again.index('42')).toBe(1);
    expect(again.id(2)).toBe(0);
    expect(again.id(3)).toBe('0');
  });

  it("names the id to pass when an id is asked for with the other type (7 vs '7')", () => {
    const strings = IdMap.fromIds(['7', '0.5', 'a'], { kind: 'user' });
    expect(() => strings.indexOf(7 as unknown as string)).toThrow(/user 7 is a number, but this map holds "7" as a string: ids match by type, pass "7"/);
    expect(() => strings.indexOf(0.5 as unknown as string)).toThrow(/pass "0.5"/);
    expect(() => strings.indexOf(8 as unknown as string)).toThrow(/unknown user 8/);
    const numbers = IdMap.fromIds([7, 12], { kind: 'item' });
    let caught: unknown;
    try {
      numbers.indexOf('12' as unknown as number);
    } catch (e) {
      caught = e;
    }
    expect((caught as { code: string }).code).toBe('ID_TYPE_MISMATCH');
    // not canonical number strings: no twin, a plain unknown id
    for (const s of ['07', ' 7', '7.0', '1e1']) expect(() => numbers.indexOf(s as unknown as number)).toThrow(/unknown item/);
    expect(() => numbers.assertNoTypeTwin('99')).not.toThrow();
  });

  it('round-trips through JSON for any ids (property)', () => {
    fc.assert(
      fc.property(fc.array(idArb, { maxLength: 30 }), fc.constantFrom(undefined, 'user' as const, 'item' as const), (ids, kind) => {
        const m = IdMap.fromIds(ids, kind === undefined ? {} : { kind });
        const again = IdMap.fromJSON(JSON.parse(JSON.stringify(m)));
        expect(again.ids()).toEqual(m.ids().map((id) => (Object.is(id, -0) ? 0 : id)));
        expect(again.kind).toBe(kind);
        for (const [id, index] of m) expect(again.indexOf(id)).toBe(index);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects ids that are not non-empty strings or finite numbers, naming the value', () => {
    const m = new IdMap<never>();
    for (const bad of [NaN, Infinity, '', undefined, null, {}, [], true, 10n]) {
      expect(codeOf(() => m.add(bad as never))).toBe('INVALID_ID');
    }
    expect(() => m.add(NaN as never)).toThrow(/got NaN/);
    expect(() => m.add({} as never)).toThrow(/got a Object/);
    expect(m.size).toBe(0);
  });

  it('throws the kind-specific codes for unknown ids and bad indices', () => {
    const users = IdMap.fromIds(['alice'], { kind: 'user' });
    const items = IdMap.fromIds([1, 2], { kind: 'item' });
    const plain = IdMap.fromIds(['x']);
    expect(codeOf(() => users.indexOf('bob'))).toBe('UNKNOWN_USER');
    expect(() => users.indexOf('bob')).toThrow('unknown user "bob" (1 users known)');
    expect(codeOf(() => items.indexOf(3))).toBe('UNKNOWN_ITEM');
    expect(codeOf(() => plain.indexOf('y'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => plain.indexOf('y', 'item'))).toBe('UNKNOWN_ITEM');
    expect(codeOf(() => users.id(1))).toBe('USER_OUT_OF_RANGE');
    expect(codeOf(() => items.id(-1))).toBe('ITEM_OUT_OF_RANGE');
    expect(codeOf(() => items.id(0.5))).toBe('ITEM_OUT_OF_RANGE');
    expect(codeOf(() => plain.id(7))).toBe('INVALID_ARGUMENT');
  });

  it('rejects JSON that is not an IdMap', () => {
    expect(codeOf(() => IdMap.fromJSON({ ids: ['a', 'a'] }))).toBe('INVALID_ID');
    expect(codeOf(() => IdMap.fromJSON({ ids: ['a', null] } as never))).toBe('INVALID_ID');
    expect(codeOf(() => IdMap.fromJSON({} as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => IdMap.fromJSON(null as never))).toBe('INVALID_ARGUMENT');
    expect(IdMap.fromJSON([3, 'x']).ids()).toEqual([3, 'x']);
  });

  it('returns copies, so callers cannot corrupt the map', () => {
    const m = IdMap.fromIds(['a', 'b']);
    m.ids().push('c');
    m.toJSON().ids.pop();
    expect(m.ids()).toEqual(['a', 'b']);
    expect(m.size).toBe(2);
  });
});
