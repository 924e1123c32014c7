// External ids (whatever an app uses: strings, numbers) to the dense indices models need, and back.
// Backed by a Map and an array, never a plain object, so ids such as '__proto__' or 'constructor'
// are ordinary ids, and 42 and '42' stay different ids (JSON keeps that difference, so a saved map
// round-trips exactly).
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';

/** What an {@link IdMap} maps: users or items. It picks the error codes of failed look-ups. @category Data */
export type IdKind = 'user' | 'item';

/** Options of an {@link IdMap}. @category Data */
export interface IdMapOptions {
  /**
   * What the ids name. With `'user'`, a failed {@link IdMap.indexOf} throws `UNKNOWN_USER` and a bad
   * index in {@link IdMap.id} throws `USER_OUT_OF_RANGE`; with `'item'`, `UNKNOWN_ITEM` and
   * `ITEM_OUT_OF_RANGE`; unset, both throw `INVALID_ARGUMENT`. Default: unset.
   */
  kind?: IdKind;
}

/** The JSON form of an {@link IdMap}: its ids in index order (numbers stay numbers). @category Data */
export interface IdMapJSON<Id extends string | number = string | number> {
  /** The ids; `ids[index]` is the id of that dense index. */
  ids: Id[];
  /** What the ids name, when set. */
  kind?: IdKind;
}

/**
 * The id type a map built from literal ids gets: `'a' | 'b'` widens to `string`, `1 | 2` to `number`.
 *
 * @typeParam T - the ids' (possibly literal) type
 * @category Data
 */
export type WidenId<T extends string | number> = T extends string ? string : number;

/**
 * Checks that `id` can be an id: a non-empty string or a finite number.
 *
 * @param id - the candidate id
 * @param what - how to name it in the error message
 * @returns nothing; throws `INVALID_ID` otherwise
 * @example
 * ```ts
 * assertId(NaN); //=> throws RecsysError INVALID_ID: id must be a non-empty string or a finite number, got NaN
 * ```
 */
export function assertId(id: unknown, what = 'id'): asserts id is string | number {
  const ok = typeof id === 'string' ? id.length > 0 : typeof id === 'number' && Number.isFinite(id);
  if (!ok) {
    throw new RecsysError('INVALID_ID', `${what} must be a non-empty string or a finite number, got ${show(id)}`, { value: id });
  }
}

/**
 * A two-way map between external ids (non-empty strings or finite numbers) and dense indices
 * 0..size-1, assigned in order of first {@link IdMap.add}. Models see only the indices; apps keep
 * their own ids.
 *
 * Ids are compared like `Map` keys: `42` and `'42'` are two different ids, `'__proto__'` is an
 * ordinary id. Iterating an IdMap yields `[id, index]` pairs in index order.
 *
 * @typeParam Id - the type of the external ids
 * @example
 * ```ts
 * const users = new IdMap<string>({ kind: 'user' });
 * users.add('alice'); //=> 0
 * users.add('bob');   //=> 1
 * users.add('alice'); //=> 0
 * users.indexOf('bob'); //=> 1
 * users.id(1); //=> 'bob'
 * users.indexOf('carol'); //=> throws RecsysError UNKNOWN_USER: unknown user "carol" (2 users known)
 * ```
 * @category Data
 */
export class IdMap<Id extends string | number = string | number> implements Iterable<[Id, number]> {
  /** What the ids name (`'user'`, `'item'`), or undefined. See {@link IdMapOptions.kind}. */
  readonly kind: IdKind | undefined;
  private readonly toIndex = new Map<Id, number>();
  private readonly toId: Id[] = [];

  /**
   * Creates an empty map.
   *
   * @param options - see {@link IdMapOptions}
   */
  constructor(options: IdMapOptions = {}) {
    if (options.kind !== undefined && options.kind !== 'user' && options.kind !== 'item') {
      throw new RecsysError('INVALID_ARGUMENT', `kind must be 'user' or 'item', got ${show(options.kind)}`);
    }
    this.kind = options.kind;
  }

  /**
   * Builds a map whose indices follow the order of `ids`. Repeated ids keep their first index.
   *
   * @param ids - the ids, in index order
   * @param options - see {@link IdMapOptions}
   * @returns the new map
   * @example
   * ```ts
   * IdMap.fromIds(['b', 'a', 'b']).ids(); //=> ['b', 'a']
   * ```
   */
  static fromIds<T extends string | number>(ids: Iterable<T>, options: IdMapOptions = {}): IdMap<WidenId<T>> {
    const map = new IdMap<WidenId<T>>(options);
    for (const id of ids) map.add(id as WidenId<T>);
    return map;
  }

  /**
   * Rebuilds a map from {@link IdMap.toJSON} output (or the parsed JSON of it). Number ids stay
   * numbers and string ids stay strings.
   *
   * @param json - `{ ids, kind? }`, or a bare array of ids
   * @returns the map, with the same index for every id
   * @example
   * ```ts
   * const again = IdMap.fromJSON(JSON.parse(JSON.stringify(IdMap.fromIds([7, '7']))));
   * again.index(7); //=> 0
   * again.index('7'); //=> 1
   * ```
   */
  static fromJSON<Id extends string | number = string | number>(json: IdMapJSON<Id> | readonly Id[]): IdMap<Id> {
    const ids: unknown = Array.isArray(json) ? json : (json as IdMapJSON<Id> | null)?.ids;
    if (!Array.isArray(ids)) {
      throw new RecsysError('INVALID_ARGUMENT', `IdMap JSON must be { ids: [...] } or an array of ids, got ${show(json)}`);
    }
    const kind = Array.isArray(json) ? undefined : (json as IdMapJSON<Id>).kind;
    const map = new IdMap<Id>(kind === undefined ? {} : { kind });
    for (let i = 0; i < ids.length; i++) {
      assertId(ids[i], `ids[${i}]`);
      if (map.add(ids[i] as Id) !== i) {
        throw new RecsysError('INVALID_ID', `ids[${i}] = ${show(ids[i])} repeats an earlier id, so the JSON is not an IdMap`, {
          index: i,
          value: ids[i],
        });
      }
    }
    return map;
  }

  /** Number of ids in the map. */
  get size(): number {
    return this.toId.length;
  }

  /**
   * Returns the index of `id`, adding it with the next free index when new.
   *
   * @param id - a non-empty string or a finite number
   * @returns its dense index
   * @example
   * ```ts
   * const m = new IdMap(); m.add('x'); //=> 0
   * ```
   */
  add(id: Id): number {
    const known = this.toIndex.get(id);
    if (known !== undefined) return known;
    assertId(id, this.kind ?? 'id');
    const index = this.toId.length;
    // Map keys treat -0 as 0; store 0 so id(index) and JSON agree with the key
    const key = (id === 0 ? 0 : id) as Id;
    this.toIndex.set(key, index);
    this.toId.push(key);
    return index;
  }

  /**
   * The index of `id`, or undefined when it is not in the map (never throws).
   *
   * @param id - the id to look up
   * @returns its index, or undefined
   * @example
   * ```ts
   * IdMap.fromIds(['a']).index('b'); //=> undefined
   * ```
   */
  index(id: Id): number | undefined {
    return this.toIndex.get(id);
  }

  /**
   * Same as {@link IdMap.index}, under the name `Map` users expect.
   *
   * @param id - the id to look up
   * @returns its index, or undefined
   * @example
   * ```ts
   * IdMap.fromIds(['a']).get('a'); //=> 0
   * ```
   */
  get(id: Id): number | undefined {
    return this.toIndex.get(id);
  }

  /**
   * The index of `id`; throws when it is unknown.
   *
   * @param id - the id to look up
   * @param kind - overrides the map's {@link IdMap.kind} for the error code
   * @returns its index
   * @example
   * ```ts
   * IdMap.fromIds(['a'], { kind: 'item' }).indexOf('z'); //=> throws RecsysError UNKNOWN_ITEM: unknown item "z" (1 items known)
   * ```
   */
  indexOf(id: Id, kind: IdKind | undefined = this.kind): number {
    const index = this.toIndex.get(id);
    if (index !== undefined) return index;
    assertId(id, kind ?? 'id');
    this.assertNoTypeTwin(id, kind);
    const code = kind === 'user' ? 'UNKNOWN_USER' : kind === 'item' ? 'UNKNOWN_ITEM' : 'INVALID_ARGUMENT';
    const what = kind ?? 'id';
    throw new RecsysError(code, `unknown ${what} ${show(id)} (${this.size} ${what}s known)`, { value: id });
  }

  /**
   * Throws ID_TYPE_MISMATCH when `id` is unknown but its twin of the other type is known: the
   * number 7 where the map holds the string '7', or the string '7' where it holds the number 7.
   * Ids match by type (as in a `Map`), so such a lookup would otherwise miss silently.
   *
   * @param id - an id that is not in the map
   * @param kind - what the ids name, for the message (default the map's {@link IdMap.kind})
   * @returns nothing; throws when the twin is known
   * @example
   * ```ts
   * IdMap.fromIds(['7']).assertNoTypeTwin(7); //=> throws RecsysError ID_TYPE_MISMATCH: ... pass '7'
   * ```
   */
  assertNoTypeTwin(id: unknown, kind: IdKind | undefined = this.kind): void {
    let twin: string | number | undefined;
    if (typeof id === 'number') twin = String(id);
    else if (typeof id === 'string' && id.trim() !== '' && String(Number(id)) === id) twin = Number(id);
    if (twin === undefined || !this.toIndex.has(twin as Id)) return;
    const what = kind ?? 'id';
    throw new RecsysError(
      'ID_TYPE_MISMATCH',
      `${what} ${show(id)} is a ${typeof id}, but this map holds ${show(twin)} as a ${typeof twin}: ids match by type, pass ${show(twin)}` +
        (typeof twin === 'string' ? ' (ids read from CSV files are strings unless the reader is told otherwise)' : ''),
      { value: id, known: twin },
    );
  }

  /**
   * The id at `index`; throws when the index is not in 0..size-1.
   *
   * @param index - a dense index
   * @returns the external id
   * @example
   * ```ts
   * IdMap.fromIds(['a', 'b']).id(1); //=> 'b'
   * ```
   */
  id(index: number): Id {
    if (!(Number.isInteger(index) && index >= 0 && index < this.toId.length)) {
      const code = this.kind === 'user' ? 'USER_OUT_OF_RANGE' : this.kind === 'item' ? 'ITEM_OUT_OF_RANGE' : 'INVALID_ARGUMENT';
      const range = this.toId.length === 0 ? 'the map is empty' : `expected 0..${this.toId.length - 1}`;
      throw new RecsysError(code, `${this.kind ?? 'id'} index ${show(index)} is not in the map (${range})`, {
        value: index,
        size: this.toId.length,
      });
    }
    return this.toId[index];
  }

  /**
   * Whether `id` is in the map (never throws).
   *
   * @param id - the id
   * @returns true when known
   * @example
   * ```ts
   * IdMap.fromIds(['__proto__']).has('__proto__'); //=> true
   * ```
   */
  has(id: Id): boolean {
    return this.toIndex.has(id);
  }

  /**
   * All ids in index order (a copy).
   *
   * @returns `ids()[index]` is the id of `index`
   * @example
   * ```ts
   * IdMap.fromIds([3, 1]).ids(); //=> [3, 1]
   * ```
   */
  ids(): Id[] {
    return this.toId.slice();
  }

  /**
   * `[id, index]` pairs in index order.
   *
   * @returns an iterator over the pairs
   * @example
   * ```ts
   * [...IdMap.fromIds(['a', 'b']).entries()]; //=> [['a', 0], ['b', 1]]
   * ```
   */
  *entries(): IterableIterator<[Id, number]> {
    for (let i = 0; i < this.toId.length; i++) yield [this.toId[i], i];
  }

  /**
   * Iterates `[id, index]` pairs in index order, like {@link IdMap.entries}.
   *
   * @returns an iterator over the pairs
   * @example
   * ```ts
   * for (const [id, index] of IdMap.fromIds(['a'])) console.log(id, index); //=> a 0
   * ```
   */
  [Symbol.iterator](): IterableIterator<[Id, number]> {
    return this.entries();
  }

  /**
   * The JSON form: `{ ids, kind? }`. `JSON.stringify(map)` uses it; {@link IdMap.fromJSON} reverses it.
   *
   * @returns a plain object holding a copy of the ids
   * @example
   * ```ts
   * JSON.stringify(IdMap.fromIds([1, 'a'], { kind: 'user' })); //=> '{"ids":[1,"a"],"kind":"user"}'
   * ```
   */
  toJSON(): IdMapJSON<Id> {
    return this.kind === undefined ? { ids: this.ids() } : { ids: this.ids(), kind: this.kind };
  }
}
