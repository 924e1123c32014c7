// How many users and items a model can look up, so that data which does not fit is reported as
// USER_OUT_OF_RANGE / ITEM_OUT_OF_RANGE before training instead of as a tfjs gather error deep inside
// a step (or, on backends that do not bounds-check, as silently wrong rows).
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import type { NcfArchitecture } from '../ncf/index.js';
import type { Interactions } from '../data/interactions.js';
import { inputOrder } from './logit-head.js';

/** Table sizes behind each input; `null` when no Embedding layer reads that input directly. */
export interface ModelCapacity {
  users: number | null;
  items: number | null;
}

/**
 * The user and item capacity of a model: from its recognised architecture, or else from the
 * `inputDim` of the Embedding layers fed directly by each input (the smallest, if several).
 *
 * @param model - a two-input model
 * @param architecture - its recognised architecture, or null for a custom model
 * @returns the capacities (null where unknown)
 * @example
 * ```ts
 * modelCapacity(GMF({ numUsers: 5, numItems: 7 }), null); //=> { users: 5, items: 7 }
 * ```
 */
export function modelCapacity(model: tf.LayersModel, architecture: NcfArchitecture | null): ModelCapacity {
  if (architecture !== null) return { users: architecture.numUsers, items: architecture.numItems };
  const [userAt, itemAt] = inputOrder(model);
  const sizeBehind = (inputLayer: tf.layers.Layer): number | null => {
    let size: number | null = null;
    for (const layer of model.layers) {
      if (layer.getClassName() !== 'Embedding') continue;
      const fed = layer.inboundNodes.some((node) => node.inboundLayers.includes(inputLayer));
      if (!fed) continue;
      const inputDim = (layer.getConfig() as { inputDim?: unknown }).inputDim;
      if (typeof inputDim === 'number') size = size === null ? inputDim : Math.min(size, inputDim);
    }
    return size;
  };
  return { users: sizeBehind(model.inputLayers[userAt]), items: sizeBehind(model.inputLayers[itemAt]) };
}

/**
 * Throws USER_OUT_OF_RANGE / ITEM_OUT_OF_RANGE when `data` holds a user the model cannot look up, or
 * when its item space (from which negatives are sampled) is larger than the model's item table.
 *
 * @param capacity - from {@link modelCapacity}
 * @param data - validated interactions
 * @param name - how to call the data in messages
 * @returns nothing; throws when the data does not fit
 * @example
 * ```ts
 * assertFits({ users: 5, items: 7 }, { users: Int32Array.of(5), items: Int32Array.of(0), numUsers: 6, numItems: 7 }, 'data');
 * //=> throws RecsysError USER_OUT_OF_RANGE: data.users[0] = 5 ...
 * ```
 */
export function assertFits(capacity: ModelCapacity, data: Interactions, name: string): void {
  if (capacity.items !== null && data.numItems > capacity.items) {
    throw new RecsysError(
      'ITEM_OUT_OF_RANGE',
      `${name}.numItems = ${data.numItems} is larger than the model's item table (${capacity.items} rows): ` +
        `negatives are drawn from 0..${data.numItems - 1}; build the model with numItems >= ${data.numItems}`,
      { numItems: data.numItems, capacity: capacity.items },
    );
  }
  if (capacity.users !== null) {
    const users = data.users;
    for (let k = 0; k < users.length; k++) {
      if (users[k] >= capacity.users) {
        throw new RecsysError(
          'USER_OUT_OF_RANGE',
          `${name}.users[${k}] = ${users[k]} is outside the model's user table 0..${capacity.users - 1}; ` +
            `build the model with numUsers >= ${data.numUsers}`,
          { index: k, value: users[k], capacity: capacity.users },
        );
      }
    }
  }
}
