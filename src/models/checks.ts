// Argument checks shared by the model builders (internal: not exported from the package). Each
// throws a RecsysError naming the argument and the bad value.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';

/** Formats a layer list for messages: `[64, 32, 16, 8]`. */
export function showList(list: readonly unknown[]): string {
  return `[${list.map((v) => (typeof v === 'number' ? String(v) : show(v))).join(', ')}]`;
}

/** Formats a symbolic shape for messages: `[null, 8]`. */
export function showShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Asserts an L2 penalty: a finite number >= 0. */
export function assertL2(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a finite number >= 0, got ${show(value)}`, { name, value });
  }
}

/** Asserts an optional layer name: undefined or a non-empty string. */
export function assertOptionalName(name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a non-empty string, got ${show(value)}`, { name, value });
  }
}

/** Asserts an optional seed: undefined or a finite number. */
export function assertOptionalSeed(value: unknown): asserts value is number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw new RecsysError('INVALID_ARGUMENT', `seed must be a finite number, got ${show(value)}`, { value });
  }
}

/**
 * Asserts an MLP layer list as in the paper: non-empty, positive integers, never growing toward the
 * output (the NCF tower shrinks; a growing list is almost always a typo such as [8, 16, 32, 64]),
 * and, when `evenFirst`, a first size that splits into two equal embeddings.
 */
export function assertLayers(name: string, layers: unknown, { evenFirst }: { evenFirst: boolean }): asserts layers is number[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new RecsysError(
      'INVALID_LAYERS',
      `${name} must be a non-empty array of positive integers (e.g. [64, 32, 16, 8]), got ${Array.isArray(layers) ? '[]' : show(layers)}`,
      { name, value: layers },
    );
  }
  for (let i = 0; i < layers.length; i++) {
    const size: unknown = layers[i];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      throw new RecsysError('INVALID_LAYERS', `${name}[${i}] must be a positive integer, got ${show(size)} (${name} = ${showList(layers)})`, {
        name,
        value: layers,
        index: i,
      });
    }
  }
  if (evenFirst && layers[0] % 2 !== 0) {
    throw new RecsysError(
      'INVALID_LAYERS',
      `${name}[0] must be even (it is the concatenated width of the user and item MLP embeddings, each ${name}[0] / 2 wide), got ${layers[0]} (${name} = ${showList(layers)})`,
      { name, value: layers, index: 0 },
    );
  }
  for (let i = 1; i < layers.length; i++) {
    if (layers[i] > layers[i - 1]) {
      throw new RecsysError(
        'INVALID_LAYERS',
        `${name} must not grow toward the output, but ${name}[${i}] = ${layers[i]} > ${name}[${i - 1}] = ${layers[i - 1]} (${name} = ${showList(layers)}); the NCF tower shrinks, e.g. [64, 32, 16, 8]`,
        { name, value: layers, index: i },
      );
    }
  }
}

/**
 * Resolves an MLP L2 setting to one penalty per entry of `layers` (index 0: the MLP embeddings,
 * index i >= 1: the Dense layer with `layers[i]` units), as the original code's `reg_layers`.
 */
export function resolveLayerL2(name: string, l2: unknown, layers: readonly number[]): number[] {
  if (typeof l2 === 'number') {
    assertL2(name, l2);
    return layers.map(() => l2);
  }
  if (!Array.isArray(l2) || l2.length !== layers.length) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `${name} must be a number or an array with one penalty per entry of layers (${layers.length}), got ${show(l2)}`,
      { name, value: l2 },
    );
  }
  l2.forEach((v, i) => assertL2(`${name}[${i}]`, v));
  return l2.slice() as number[];
}
