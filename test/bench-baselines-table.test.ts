// bench/baselines-table.ts: how the baselines table gathers one method's seeds from several result
// files (one process per seed) into one row. Hand-computed examples.
import { describe, expect, it } from 'vitest';
import { machines, meanSpread, mergeRows, type Row } from '../bench/baselines-table.js';

function row(method: string, params: Record<string, number>, seeds: number[], extra: Partial<Row> = {}): Row {
  return {
    method,
    params,
    seeds,
    test: seeds.map((s) => ({ hr: 0.6 + s / 100, ndcg: 0.4 })),
    full: seeds.map(() => ({ hr: 0.1, ndcg: 0.05, recall: 0.1 })),
    fitSeconds: seeds.map((s) => 10 * s),
    val: { hr: 0.7, ndcg: 0.42 },
    tuneSeconds: 100,
    trials: [],
    ...extra,
  };
}

describe('bench: the baselines table merges rows across result files', () => {
  it('gathers one setting\'s seeds, averages validation over them and sums the selection time of the files that added seeds', () => {
    const a = row('NeuMF-pre 8', { factors: 8 }, [1], { val: { hr: 0.69, ndcg: 0.4 }, valPerSeed: [{ hr: 0.69, ndcg: 0.4 }], choicesPerSeed: ['GMF 17'], epochsPerSeed: [0], tuneSeconds: 100 });
    const b = row('NeuMF-pre 8', { factors: 8 }, [2, 3], { valPerSeed: [{ hr: 0.68, ndcg: 0.41 }, { hr: 0.72, ndcg: 0.45 }], choicesPerSeed: ['GMF 19', 'GMF 18'], epochsPerSeed: [0, 2], tuneSeconds: 200 });
    // seed 1 again (a rerun): adds neither a seed nor its selection time
    const again = row('NeuMF-pre 8', { factors: 8 }, [1], { val: { hr: 0.99, ndcg: 0.99 }, tuneSeconds: 1000 });
    const other = row('NeuMF-pre 8', { factors: 8, learningRate: 0.01 }, [1]);
    const [m, o, ...rest] = mergeRows([a, b, again, other]);
    expect(rest).toEqual([]);
    expect(m.seeds).toEqual([1, 2, 3]);
    expect(m.choices).toEqual(['GMF 17', 'GMF 19', 'GMF 18']);
    expect(m.epochs).toEqual([0, 0, 2]);
    expect(m.test.map((t) => t.hr)).toEqual([0.61, 0.62, 0.63]);
    expect(m.fitSeconds).toEqual([10, 20, 30]);
    expect(m.val.hr).toBeCloseTo((0.69 + 0.68 + 0.72) / 3, 12);
    expect(m.val.ndcg).toBeCloseTo((0.4 + 0.41 + 0.45) / 3, 12);
    expect(m.tuneSeconds).toBe(300);
    expect(o.params).toEqual({ factors: 8, learningRate: 0.01 });
    expect(o.seeds).toEqual([1]);
  });

  it("merges MF rows by their setting without the epoch count and lists each seed's epochs", () => {
    const old = row('MF (dot product) 64', { factors: 64, epochs: 14 }, [1], { tuneSeconds: 50 });
    const s2 = row('MF (dot product) 64', { factors: 64, epochs: 16 }, [2], { val: { hr: 0.74, ndcg: 0.43 }, tuneSeconds: 60 });
    const refit = row('MF (dot product) 64, refitted', { factors: 64 }, [1, 2], { epochsPerSeed: [12, 15], valPerSeed: [{ hr: 0.73, ndcg: 0.4 }, { hr: 0.75, ndcg: 0.44 }] });
    const [m, r] = mergeRows([old, s2, refit]);
    expect(m.params).toEqual({ factors: 64 });
    expect(m.epochs).toEqual([14, 16]);
    expect(m.val.hr).toBeCloseTo(0.72, 12);
    expect(m.tuneSeconds).toBe(110);
    expect(r.epochs).toEqual([12, 15]);
    expect(r.val.hr).toBeCloseTo(0.74, 12);
  });

  it('counts a selection once when several files refit it with other seeds (the same trials)', () => {
    const trials = [{ params: { factors: 192, epoch: 127 }, hr: 0.741, ndcg: 0.456, fitSeconds: 2000 }];
    const s1 = row('MF (dot product) 192, refitted', { factors: 192, epochs: 128 }, [1], { trials, tuneSeconds: 2298 });
    const s2 = row('MF (dot product) 192, refitted', { factors: 192, epochs: 128 }, [2], { trials: trials.map((t) => ({ ...t })), tuneSeconds: 2298 });
    const s3 = row('MF (dot product) 192, refitted', { factors: 192, epochs: 128 }, [3], { trials, tuneSeconds: 2298 });
    // a seed with a selection of its own adds its seconds
    const own = row('MF (dot product) 192, refitted', { factors: 192, epochs: 120 }, [4], { trials: [{ ...trials[0], hr: 0.74 }], tuneSeconds: 500 });
    const [m, ...rest] = mergeRows([s1, s2, s3, own]);
    expect(rest).toEqual([]);
    expect(m.seeds).toEqual([1, 2, 3, 4]);
    expect(m.tuneSeconds).toBe(2298 + 500);
  });

  it('keeps the validation of a row without per-seed figures and counts a selection-only run', () => {
    const select = row('iALS', { factors: 64 }, [], { tuneSeconds: 700 });
    const refit = row('iALS', { factors: 64 }, [1, 2, 3], { val: { hr: 0.742, ndcg: 0.44 }, tuneSeconds: 40 });
    const [m] = mergeRows([select, refit]);
    expect(m.seeds).toEqual([1, 2, 3]);
    expect(m.val.hr).toBeCloseTo(0.742, 12);
    expect(m.tuneSeconds).toBe(740);
    expect(m.epochs).toEqual([]);
  });

  it('writes mean ± sample standard deviation', () => {
    expect(meanSpread([0.7])).toBe('0.700');
    expect(meanSpread([0.1, 0.2, 0.3])).toBe('0.200 ± 0.100');
  });
});

describe('bench: the baselines table names every machine its result files ran on', () => {
  const on = (model: string, node = 'v20.20.2') => ({ machine: { model, node } });
  it('one machine as before; several with how many files each wrote, in order of first appearance', () => {
    expect(machines([on('Intel Xeon'), on('Intel Xeon')])).toBe('Intel Xeon, Node v20.20.2');
    expect(machines([on('Intel Xeon'), on('AMD EPYC'), on('Intel Xeon')])).toBe('Intel Xeon, Node v20.20.2 (2 result files); AMD EPYC, Node v20.20.2 (1 result file)');
    expect(machines([on('AMD EPYC'), on('AMD EPYC', 'v22.1.0')])).toBe('AMD EPYC, Node v20.20.2 (1 result file); AMD EPYC, Node v22.1.0 (1 result file)');
  });
});
