// Type tests of the generic public classes: the id types an app chooses flow through IdMap and
// Recommender, and what does not fit is a compile error (checked by `npm run typecheck`, which
// compiles this file; the runtime part only builds the objects).
import { describe, expectTypeOf, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  IdMap,
  interactionsFrom,
  loadModel,
  Recommender,
  type ExternalId,
  type RecommendedItem,
  type SeenItems,
  type SimilarItem,
} from '../src/index.js';
import { useBackend } from './helpers/backends.js';

describe('IdMap types', () => {
  it('widens literal ids to their primitive type', () => {
    const byName = IdMap.fromIds(['alice', 'bob']);
    expectTypeOf(byName).toEqualTypeOf<IdMap<string>>();
    expectTypeOf(IdMap.fromIds([7, 9])).toEqualTypeOf<IdMap<number>>();
    expectTypeOf(byName.id(0)).toEqualTypeOf<string>();
    expectTypeOf(byName.index('alice')).toEqualTypeOf<number | undefined>();
    expectTypeOf(byName.indexOf('alice')).toEqualTypeOf<number>();
    expectTypeOf(byName.ids()).toEqualTypeOf<string[]>();
    expectTypeOf(byName.add).parameter(0).toEqualTypeOf<string>();
    // @ts-expect-error a number is not an id of a string map
    byName.index(3);
  });

  it('defaults to string | number ids', () => {
    expectTypeOf(new IdMap()).toEqualTypeOf<IdMap<string | number>>();
    expectTypeOf(IdMap.fromJSON<number>([1, 2]).id(0)).toEqualTypeOf<number>();
  });

  it('is iterable as [id, index] pairs', () => {
    expectTypeOf([...IdMap.fromIds(['a'])]).toEqualTypeOf<Array<[string, number]>>();
  });
});

describe('Recommender types', () => {
  it('carries the user and item id types from its id maps to every answer', () => {
    useBackend('cpu');
    const { data, users, items } = interactionsFrom<string, number>(
      [
        { user: 'alice', item: 1 },
        { user: 'bob', item: 2 },
      ],
      { user: 'user', item: 'item' },
    );
    expectTypeOf(users).toEqualTypeOf<IdMap<string>>();
    expectTypeOf(items).toEqualTypeOf<IdMap<number>>();
    const model = tf.sequential(); // never trained or scored here: only the types are under test
    type Rec = Recommender<string, number>;
    const build = (): Rec => Recommender.from({ model: model as unknown as tf.LayersModel, users, items, seen: data });
    expectTypeOf(build).returns.toEqualTypeOf<Rec>();
    expectTypeOf<Rec['recommend']>().parameter(0).toEqualTypeOf<string>();
    expectTypeOf<ReturnType<Rec['recommend']>>().toEqualTypeOf<RecommendedItem<number>[]>();
    expectTypeOf<Rec['similar']>().parameter(0).toEqualTypeOf<number>();
    expectTypeOf<ReturnType<Rec['similar']>>().toEqualTypeOf<SimilarItem<number>[]>();
    expectTypeOf<ReturnType<Rec['seenBy']>>().toEqualTypeOf<number[]>();
    expectTypeOf<Rec['users']>().toEqualTypeOf<IdMap<string>>();
    expectTypeOf<Rec['seen']>().toEqualTypeOf<SeenItems>();
    expectTypeOf<Rec['foldIn']>().parameter(1).toEqualTypeOf<Iterable<number>>();
    model.dispose();
  });

  it('defaults to ExternalId, and loadModel takes the id types as parameters', () => {
    expectTypeOf<Recommender>().toEqualTypeOf<Recommender<ExternalId, ExternalId>>();
    expectTypeOf(loadModel<string, string>).returns.toEqualTypeOf<Promise<Recommender<string, string>>>();
    expectTypeOf(Recommender.fit<string, number>).returns.toEqualTypeOf<Promise<Recommender<string, number>>>();
  });
});
