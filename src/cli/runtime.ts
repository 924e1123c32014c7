// What every command shares: the TensorFlow.js backend, bundle paths, and ids typed like a bundle's.
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RecsysError } from '../errors.js';
import type { IdMap } from '../data/index.js';

/**
 * Starts TensorFlow.js on its `cpu` backend. The command line trains the standard models, which the
 * fused engine trains and scores on typed arrays whatever the backend (the backend only holds the
 * weights); the library never imports a backend package itself.
 *
 * @returns the backend's name once ready
 * @example
 * ```ts
 * await useCpuBackend(); //=> 'cpu'
 * ```
 */
export async function useCpuBackend(): Promise<string> {
  // the CLI prints its own output: tfjs's hint to install tfjs-node does not apply to the fused engine
  tf.enableProdMode();
  if (!(await tf.setBackend('cpu'))) throw new RecsysError('UNSUPPORTED_RUNTIME', 'the TensorFlow.js cpu backend failed to start');
  await tf.ready();
  return tf.getBackend();
}

/**
 * The bundle URL for a command-line path: a plain path becomes a file:// URL; a URL with a scheme
 * (`file://`, `http(s)://`, ...) is used as it is.
 *
 * @param path - e.g. `./bundle`
 * @returns the URL for saveModel / loadModel
 * @example
 * ```ts
 * bundleUrl('/tmp/bundle'); //=> 'file:///tmp/bundle'
 * ```
 */
export function bundleUrl(path: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : pathToFileURL(resolve(path)).href;
}

/**
 * Types a command-line id like the ids of a map: a map of number ids gets a number (when the text
 * is one), otherwise the text itself.
 *
 * @param text - the id as typed
 * @param map - the bundle's user or item map
 * @returns the id to look up
 * @example
 * ```ts
 * typedId('42', IdMap.fromIds([7, 42])); //=> 42
 * typedId('42', IdMap.fromIds(['42'])); //=> '42'
 * ```
 */
export function typedId(text: string, map: IdMap): string | number {
  if (map.size === 0 || typeof map.id(0) !== 'number') return text;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}
