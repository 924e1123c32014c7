// Fuzzing the public entry points that take outside data: arbitrary text and bytes into the
// readers, arbitrary argument values into the pure functions (metrics, IdMap, interactionsFrom,
// splits, the sampler). Each call must either return a valid result or throw a RecsysError: never
// another exception (TypeError, RangeError, ...), and never take long (every call is timed).
//
// Out of scope, on purpose: sizes that are valid but would allocate gigabytes (e.g. numUsers = 2^31
// with real arrays behind it) are resource limits, not bad input.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import {
  RecsysError,
  hitRate,
  ndcg,
  mrr,
  precision,
  recall,
  averagePrecision,
  auc,
  rankOf,
  topK,
  topKMetrics,
  relevantRanks,
  rankMetrics,
  IdMap,
  interactionsFrom,
  readNcf,
  readMovieLens,
  readCsv,
  leaveOneOut,
  validationSplit,
  holdout,
  temporalSplit,
  NegativeSampler,
  validateInteractions,
  type Interactions,
} from '../src/index.js';

/** Longest a single call may take (generous: the machine is shared and loaded). */
const CALL_MS = 3000;
let totalRuns = 0;
const perProperty: string[] = [];
/** Outcomes of the current property: both kinds must occur, or the generators miss half the space. */
let outcomes = { valid: 0, rejected: 0 };

/** Runs one call: a valid result (checked by `check`) or a RecsysError; anything else fails. */
async function returnsOrRecsysError<T>(call: () => T | Promise<T>, check: (result: Awaited<T>) => void): Promise<void> {
  const start = performance.now();
  let result: Awaited<T>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const checkElapsed = (): void => {
    const elapsed = performance.now() - start;
    if (elapsed > CALL_MS) throw new Error(`the call took ${elapsed.toFixed(0)} ms`);
  };
  try {
    // the timeout catches a stalled async reader; a synchronous hang is caught by the elapsed check
    result = await Promise.race([
      Promise.resolve().then(call),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CALL_MS} ms (a hang?)`)), CALL_MS);
      }),
    ]);
  } catch (e) {
    clearTimeout(timer);
    if (!(e instanceof RecsysError)) throw e;
    checkElapsed();
    expect(typeof e.code).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    outcomes.rejected++;
    return;
  }
  clearTimeout(timer);
  checkElapsed();
  check(result);
  outcomes.valid++;
}

/** fc.assert with numRuns counted for the report. */
async function fuzz<Ts extends unknown[]>(name: string, numRuns: number, property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>): Promise<void> {
  outcomes = { valid: 0, rejected: 0 };
  await fc.assert(property as fc.IAsyncProperty<Ts>, { numRuns });
  totalRuns += numRuns;
  perProperty.push(`${name}: ${numRuns} (${outcomes.valid} valid, ${outcomes.rejected} RecsysError)`);
  expect(outcomes.valid, `${name}: no call returned a result`).toBeGreaterThan(0);
  expect(outcomes.rejected, `${name}: no call was rejected`).toBeGreaterThan(0);
}

afterAll(() => {
  console.log(`fuzz: ${totalRuns} runs in total (${perProperty.join('; ')})`);
});

// ---- arbitraries ----------------------------------------------------------------------------

const idToken = fc.oneof(
  fc.nat({ max: 12 }).map(String),
  fc.constantFrom('2147483647', '2147483648', '1048576', '99999999', '0007', '-1', '1.5', '1e3', '', 'x', ' 3', '٣'),
);

/** Well-formed text, then 0 to 2 small damages (a junk token inserted, a cut, \r\n endings, a BOM). */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const damage = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'truncate', 'crlf', 'bom'), fc.oneof(idToken, fc.constantFrom('\t', '::', ',', '"', '\n', '\r')));
  return fc.tuple(valid, fc.array(damage, { maxLength: 2 })).map(([text, damages]) => {
    for (const [at, kind, token] of damages) {
      const p = text.length === 0 ? 0 : at % text.length;
      if (kind === 'insert') text = text.slice(0, p) + token + text.slice(p);
      else if (kind === 'delete') text = text.slice(0, p) + text.slice(p + 1);
      else if (kind === 'truncate') text = text.slice(0, p);
      else if (kind === 'crlf') text = text.replace(/\n/g, '\r\n');
      else text = '\uFEFF' + text;
    }
    return text;
  });
}
const rating = fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 8 }), fc.nat({ max: 5 }), fc.nat({ max: 100 }));
const ratingLines = (sep: string, fields = 4) => fc.array(rating, { minLength: 1, maxLength: 10 }).map((rows) => rows.map((r) => r.slice(0, fields).join(sep)));
/** NCF train, test and negative texts that agree (each negative line heads with its test row). */
const ncfFiles = fc
  .tuple(ratingLines('\t', 4), ratingLines('\t', 2), fc.array(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 4 }), { minLength: 10, maxLength: 10 }))
  .map(([train, test, negatives]) => ({
    train: train.join('\n') + '\n',
    test: test.join('\n') + '\n',
    negative: test.map((line, j) => `(${line.replace('\t', ',')})\t${negatives[j].join('\t')}`).join('\n') + '\n',
  }))
  .chain((f) => fc.record({ train: mutated(fc.constant(f.train)), test: mutated(fc.constant(f.test)), negative: fc.option(mutated(fc.constant(f.negative))) }));
const movieLensText = mutated(fc.constantFrom('::', '\t').chain((sep) => ratingLines(sep).map((lines) => lines.join('\n') + '\n')));
const csvCell = fc.oneof(fc.constantFrom('a', 'b', 'c', '__proto__', '1', '2', '007', 'x y'), fc.nat({ max: 9 }).map(String), fc.string({ maxLength: 3 }).map((t) => `"${t.replace(/"/g, '""')}"`));
const csvText = mutated(
  fc
    .tuple(fc.constantFrom(',', ';', '\t'), fc.array(fc.tuple(csvCell, csvCell, fc.nat({ max: 99 })), { minLength: 1, maxLength: 8 }))
    .map(([d, rows]) => [['user', 'item', 'ts'].join(d), ...rows.map((r) => r.join(d))].join('\n') + '\n'),
);
const anyText = fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 60 }));
const anyBytes = fc.uint8Array({ maxLength: 200 });

/** Plausible and implausible numbers. */
const number = fc.oneof(
  fc.integer({ min: -3, max: 30 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e15, 0.5),
);
const numberList = fc.oneof(
  fc.array(number, { maxLength: 12 }),
  fc.array(fc.integer({ min: -1, max: 20 }), { maxLength: 12 }),
  fc.array(fc.double(), { maxLength: 12 }).map((a) => Float32Array.from(a)),
  fc.array(fc.integer({ min: -2, max: 20 }), { maxLength: 12 }).map((a) => Int32Array.from(a)),
  fc.array(fc.anything(), { maxLength: 5 }).map((a) => Object.assign({}, a, { length: a.length })),
  // array-likes whose length lies: walking or allocating by it must not escape as a RangeError
  fc.constantFrom(-1, 1.5, NaN, 2 ** 32, 1e9, Infinity).map((length) => ({ length })),
);
/** Anything an app might pass by mistake, weighted toward numbers and lists. */
const arg = fc.oneof({ weight: 3, arbitrary: number }, { weight: 3, arbitrary: numberList }, { weight: 1, arbitrary: fc.anything() });

const isUnitInterval = (x: number): boolean => typeof x === 'number' && x >= 0 && x <= 1 + 1e-9;

/** Interactions whose fields are mostly sane, sometimes not (sizes, ranges, lengths, timestamps). */
const interactions: fc.Arbitrary<Interactions> = fc
  .record({
    numUsers: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) }, fc.constantFrom(0, -1, 1.5, NaN, Infinity, 2 ** 31 + 1, 1e12, '3' as unknown as number)),
    numItems: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 8 }) }, fc.constantFrom(0, -2, 2.5, NaN, 2 ** 40)),
    pairs: fc.array(fc.tuple(fc.integer({ min: -1, max: 7 }), fc.integer({ min: -1, max: 9 }), fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(NaN, Infinity))), { maxLength: 25 }),
    withTime: fc.boolean(),
    extra: fc.constantFrom(0, 0, 0, 0, 1, -1),
    plain: fc.constantFrom(false, false, false, false, false, true),
  })
  .map(({ numUsers, numItems, pairs, withTime, extra, plain }) => {
    const users = Int32Array.from(pairs.map((p) => p[0]));
    const itemList = pairs.map((p) => p[1]);
    if (extra > 0) itemList.push(0);
    if (extra < 0) itemList.pop();
    const data = {
      users: plain ? Array.from(users) : users,
      items: Int32Array.from(itemList),
      numUsers,
      numItems,
      ...(withTime ? { timestamps: Float64Array.from(pairs.map((p) => p[2])) } : {}),
    };
    return data as unknown as Interactions;
  });
/** Mostly valid interactions (ids in range), for reaching deep into the sampler and the splits. */
const validInteractions: fc.Arbitrary<Interactions> = fc
  .record({ numUsers: fc.integer({ min: 1, max: 6 }), numItems: fc.integer({ min: 1, max: 8 }), n: fc.nat({ max: 30 }), seed: fc.nat() })
  .chain(({ numUsers, numItems, n }) =>
    fc.record({
      users: fc.array(fc.integer({ min: 0, max: numUsers - 1 }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a)),
      items: fc.array(fc.integer({ min: 0, max: numItems - 1 }), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a)),
      timestamps: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
    }),
  );

function checkInteractions(data: Interactions): void {
  expect(() => validateInteractions(data)).not.toThrow();
}

// ---- readers --------------------------------------------------------------------------------

describe('readers: arbitrary text and bytes give data or a RecsysError', () => {
  const checkNcf = (r: Awaited<ReturnType<typeof readNcf>>): void => {
    checkInteractions(r.train);
    checkInteractions(r.test);
    expect(r.train.numUsers).toBe(r.numUsers);
    if (r.testNegatives !== undefined) {
      expect(r.testNegatives.length).toBe(r.test.users.length);
      for (const list of r.testNegatives) for (const item of list) expect(item).toBeLessThan(r.numItems);
    }
  };

  it('readNcf on NCF-shaped text (train, test, negative)', async () => {
    await fuzz(
      'readNcf text',
      1200,
      fc.asyncProperty(ncfFiles, async ({ train, test, negative }) => {
        const files = { train: { text: train }, test: { text: test }, ...(negative === null ? {} : { negative: { text: negative } }) };
        await returnsOrRecsysError(() => readNcf(files), checkNcf);
      }),
    );
  });

  it('readNcf on arbitrary strings and bytes', async () => {
    await fuzz(
      'readNcf bytes',
      600,
      fc.asyncProperty(
        fc.oneof(anyText.map((text) => ({ text })), anyBytes, fc.constant({ text: '0\t1\n1\t2\n' })),
        fc.oneof(anyText.map((text) => ({ text })), anyBytes, fc.constant(new TextEncoder().encode('0\t3\n'))),
        async (train, test) => {
          await returnsOrRecsysError(() => readNcf({ train, test }), checkNcf);
        },
      ),
    );
  });

  const checkMapped = (r: { data: Interactions; users: IdMap; items: IdMap }): void => {
    checkInteractions(r.data);
    expect(r.data.numUsers).toBe(r.users.size);
    expect(r.data.numItems).toBe(r.items.size);
  };

  it('readMovieLens on MovieLens-shaped text, arbitrary strings and bytes', async () => {
    await fuzz(
      'readMovieLens',
      1500,
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: movieLensText.map((text) => ({ text })) }, anyText.map((text) => ({ text })), anyBytes),
        fc.record({ format: fc.constantFrom(undefined, 'auto', '100k', '1m', 'xml'), minRating: fc.constantFrom(undefined, 0, 3, NaN), duplicates: fc.constantFrom(undefined, 'sum', 'first', 'last', 'keep', 'max') }, { requiredKeys: [] }),
        async (source, options) => {
          await returnsOrRecsysError(() => readMovieLens(source, options as never), checkMapped);
        },
      ),
    );
  });

  it('readCsv on CSV-shaped text, arbitrary strings and bytes', async () => {
    await fuzz(
      'readCsv',
      1200,
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: csvText.map((text) => ({ text })) }, anyText.map((text) => ({ text })), anyBytes),
        fc.record({
          idType: fc.constantFrom(undefined, undefined, 'string', 'number', 'auto', 'auto', 'uuid'),
          delimiter: fc.constantFrom(undefined, undefined, undefined, undefined, ',', ';', '\t', '"', ''),
          time: fc.constantFrom(undefined, 'ts', 2),
          header: fc.constantFrom(undefined, true, false),
        }),
        async (source, o) => {
          const header = o.header ?? true;
          const options = {
            user: header ? 'user' : 0,
            item: header ? 'item' : 1,
            ...(o.time === undefined ? {} : { time: header ? o.time : 2 }),
            ...(o.idType === undefined ? {} : { idType: o.idType }),
            ...(o.delimiter === undefined ? {} : { delimiter: o.delimiter }),
            ...(o.header === undefined ? {} : { header: o.header }),
          };
          await returnsOrRecsysError(() => readCsv(source, options as never), checkMapped);
        },
      ),
    );
  });
});

// ---- pure functions -------------------------------------------------------------------------

describe('metrics: arbitrary arguments give a valid value or a RecsysError', () => {
  it('hitRate, mrr, ndcg (both forms), precision, recall, averagePrecision', async () => {
    await fuzz(
      'metrics at K',
      6000,
      fc.asyncProperty(
        fc.oneof(arg, fc.integer({ min: 1, max: 20 }), fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 5 })),
        fc.oneof(arg, fc.integer({ min: 1, max: 20 })),
        fc.oneof(arg, fc.integer({ min: 1, max: 20 })),
        fc.constantFrom(0, 1, 2, 3, 4, 5),
        async (a, b, c, which) => {
        const fns = [
          () => hitRate(a as number, b as number),
          () => mrr(a as number, b as number),
          () => ndcg(a as number, b as number),
          () => ndcg(a as number[], b as number, c as number),
          () => precision(a as number[], b as number),
          () => (which === 5 ? averagePrecision(a as number[], b as number, c as number) : recall(a as number[], b as number, c as number)),
        ];
          await returnsOrRecsysError(fns[which], (v) => expect(isUnitInterval(v), String(v)).toBe(true));
        },
      ),
    );
  });

  it('the ideal DCG of a huge cut-off is fast and exact enough', () => {
    const start = performance.now();
    for (const k of [2 ** 31 - 1, Number.MAX_SAFE_INTEGER, 1e9]) {
      const v = ndcg([1], k, k);
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    // 1e5 crosses the exact/asymptotic boundary: compare with the term-by-term sum
    let ideal = 0;
    for (let r = 1; r <= 100000; r++) ideal += 1 / Math.log2(r + 1);
    expect(ndcg([1], 100000, 100000)).toBeCloseTo(1 / ideal, 15);
    expect(performance.now() - start).toBeLessThan(CALL_MS);
  });

  it('auc, rankOf, topK, topKMetrics, relevantRanks, rankMetrics', async () => {
    await fuzz(
      'scores and ranks',
      5000,
      fc.asyncProperty(arg, arg, arg, arg, fc.constantFrom(0, 1, 2, 3, 4, 5), fc.constantFrom(undefined, 'pessimistic', 'average', 'optimistic', 'coin'), async (a, b, c, d, which, ties) => {
        switch (which) {
          case 0:
            return returnsOrRecsysError(() => auc(a as number[], b as number[], ties as never), (v) => expect(isUnitInterval(v)).toBe(true));
          case 1:
            return returnsOrRecsysError(() => rankOf(a as number, b as number[], ties as never), (v) => expect(v).toBeGreaterThanOrEqual(1));
          case 2:
            return returnsOrRecsysError(
              () => topK(a as number[], b as number),
              (v) => {
                expect(v).toBeInstanceOf(Int32Array);
                expect(v.length).toBeLessThanOrEqual(b as number);
              },
            );
          case 3:
            return returnsOrRecsysError(
              () => topKMetrics(a as number[], b as number[], c as number),
              (v) => Object.values(v).forEach((x) => expect(isUnitInterval(x)).toBe(true)),
            );
          case 4:
            return returnsOrRecsysError(() => relevantRanks(a as number[], b as number[]), (v) => expect(v).toBeInstanceOf(Int32Array));
          default:
            return returnsOrRecsysError(
              () => rankMetrics(a as number[], b as number, c as number, d as number[], { k: 3, ...(ties === undefined ? {} : { ties: ties as never }) }),
              (v) => expect(isUnitInterval(v.mean.hr) && isUnitInterval(v.mean.ndcg) && isUnitInterval(v.mean.mrr)).toBe(true),
            );
        }
      }),
    );
  });
});

describe('ids and interactions: arbitrary values give a valid result or a RecsysError', () => {
  it('IdMap.fromIds, fromJSON, indexOf and id round-trip', async () => {
    await fuzz(
      'IdMap',
      2500,
      fc.asyncProperty(fc.array(fc.oneof(fc.anything(), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 0, -0, '0')), { maxLength: 10 }), fc.anything(), fc.constantFrom(undefined, 'user', 'item', 'group'), async (ids, probe, kind) => {
        await returnsOrRecsysError(
          () => IdMap.fromIds(ids as (string | number)[], { kind: kind as never }),
          (map) => {
            expect(map.size).toBeLessThanOrEqual(ids.length);
            for (let i = 0; i < map.size; i++) expect(map.index(map.id(i))).toBe(i);
          },
        );
        await returnsOrRecsysError(() => IdMap.fromJSON(probe as never), (map) => expect(map.size).toBeGreaterThanOrEqual(0));
        await returnsOrRecsysError(() => IdMap.fromIds(['a', 1], { kind: 'user' }).indexOf(probe as never), (index) => expect([0, 1]).toContain(index));
        await returnsOrRecsysError(() => IdMap.fromIds(['a', 1]).id(probe as never), (id) => expect(['a', 1]).toContain(id));
      }),
    );
  });

  it('interactionsFrom on arbitrary rows and options', async () => {
    const cell = fc.oneof({ weight: 1, arbitrary: fc.anything() }, { weight: 12, arbitrary: fc.nat({ max: 5 }) }, { weight: 12, arbitrary: fc.constantFrom('a', 'b', '__proto__', 'constructor', '3', '2024-01-01') }, fc.constantFrom('', NaN, null));
    await fuzz(
      'interactionsFrom',
      2500,
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: fc.record({ u: cell, i: cell, t: cell, w: cell }) }, fc.record({ u: cell, i: cell, t: cell, w: cell }, { requiredKeys: [] })), { maxLength: 12 }) }, fc.anything()),
        fc.record({ time: fc.constantFrom(undefined, 't'), weight: fc.constantFrom(undefined, 'w'), user: fc.constantFrom('u', 'u', 'u', 'u', '', 5) }),
        fc.record({ duplicates: fc.constantFrom(undefined, 'sum', 'first', 'last', 'keep', 'max'), unknownIds: fc.constantFrom(undefined, 'add', 'error', 'skip', 'drop'), users: fc.constantFrom(undefined, 'map') }, { requiredKeys: [] }),
        async (rows, c, o) => {
          const columns = { user: c.user, item: 'i', ...(c.time ? { time: c.time } : {}), ...(c.weight ? { weight: c.weight } : {}) };
          const options = { ...o, users: o.users === 'map' ? IdMap.fromIds<string | number>(['a', 1], { kind: 'user' }) : undefined };
          await returnsOrRecsysError(
            () => interactionsFrom(rows as never, columns as never, options as never),
            (r) => {
              checkInteractions(r.data);
              expect(r.data.numUsers).toBe(r.users.size);
            },
          );
        },
      ),
    );
  });

  it('splits on arbitrary interactions and options', async () => {
    await fuzz(
      'splits',
      3000,
      fc.asyncProperty(
        fc.oneof(interactions, validInteractions),
        fc.constantFrom(0, 1, 2, 3),
        fc.record({ by: fc.constantFrom('time', 'random', 'date'), seed: fc.constantFrom(undefined, 7, NaN), fraction: fc.constantFrom(0.3, 0, 1, 0.999, NaN, -1), at: fc.constantFrom(2, NaN, -Infinity) }),
        async (data, which, o) => {
          const check = (a: Interactions, b: Interactions): void => {
            checkInteractions(a);
            checkInteractions(b);
            expect(a.users.length + b.users.length).toBe(data.users.length);
          };
          if (which === 0) await returnsOrRecsysError(() => leaveOneOut(data, { by: o.by as never, seed: o.seed }), (r) => check(r.train, r.test));
          else if (which === 1) await returnsOrRecsysError(() => validationSplit(data, { by: o.by as never, seed: o.seed }), (r) => check(r.train, r.validation));
          else if (which === 2) await returnsOrRecsysError(() => holdout(data, { fraction: o.fraction, seed: o.seed }), (r) => check(r.train, r.test));
          else await returnsOrRecsysError(() => temporalSplit(data, o.by === 'time' ? { fraction: o.fraction } : { at: o.at }), (r) => check(r.train, r.test));
        },
      ),
    );
  });
});

describe('NegativeSampler: arbitrary data and arguments give negatives or a RecsysError', () => {
  it('construction, sample and batches; a returned negative is never a positive', async () => {
    await fuzz(
      'NegativeSampler',
      3000,
      fc.asyncProperty(
        fc.oneof(interactions, validInteractions),
        fc.record({ strategy: fc.constantFrom(undefined, 'uniform', 'popularity', 'zipf'), alpha: fc.constantFrom(undefined, 0, 0.75, 3, -1, NaN), seed: fc.constantFrom(undefined, 1, -5, 1e20, NaN) }, { requiredKeys: [] }),
        arg,
        fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom(NaN, 1.5, 1e9)),
        fc.record({ batchSize: fc.constantFrom(undefined, 1, 3, 0, -1, 2.5), negativesPerPositive: fc.constantFrom(undefined, 0, 1, 3, -1), epoch: fc.constantFrom(undefined, 0, 2, -1, NaN) }, { requiredKeys: [] }),
        async (data, options, user, count, batchOptions) => {
          let sampler: NegativeSampler | undefined;
          await returnsOrRecsysError(
            () => new NegativeSampler(data, options as never),
            (s) => {
              sampler = s;
            },
          );
          if (sampler === undefined) return;
          const s = sampler;
          // a count of 1e9 is valid but allocates 4 GB: cap it (a resource limit, not bad input)
          const n = typeof count === 'number' && count > 1000 ? 1000 : count;
          await returnsOrRecsysError(
            () => s.sample(user as number, n),
            (out) => out.forEach((item) => expect(s.isPositive(user as number, item)).toBe(false)),
          );
          await returnsOrRecsysError(
            () => {
              let rowsSeen = 0;
              for (const batch of s.batches(batchOptions as never)) {
                for (let j = 0; j < batch.users.length; j++) {
                  if (batch.labels[j] === 0) expect(s.isPositive(batch.users[j], batch.items[j])).toBe(false);
                }
                rowsSeen += batch.users.length;
              }
              return rowsSeen;
            },
            (rowsSeen) => expect(rowsSeen).toBe(s.epochSize(batchOptions.negativesPerPositive ?? 4)),
          );
        },
      ),
    );
  });
});
