// Weights cache: the GMF and MLP checkpoints NeuMF with pretraining starts from.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function saveWeights(path: string, model: tf.LayersModel | tf.Tensor[], epoch: number): void {
  const tensors = Array.isArray(model) ? model : model.getWeights();
  const shapes = tensors.map((t) => t.shape);
  const data = tensors.map((t) => t.dataSync() as Float32Array);
  const total = data.reduce((s, d) => s + d.length, 0);
  const flat = new Float32Array(total);
  let o = 0;
  for (const d of data) {
    flat.set(d, o);
    o += d.length;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.bin`, Buffer.from(flat.buffer));
  writeFileSync(`${path}.json`, JSON.stringify({ shapes, epoch }));
}

export function loadWeights(path: string): tf.Tensor[] | null {
  if (!existsSync(`${path}.bin`) || !existsSync(`${path}.json`)) return null;
  const { shapes } = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { shapes: number[][] };
  const buf = readFileSync(`${path}.bin`);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  let o = 0;
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.slice(o, o + n), shape);
    o += n;
    return t;
  });
}

