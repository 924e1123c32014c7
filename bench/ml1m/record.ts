// Bookkeeping of the result file: the machine and code it ran on, the selections of a curve, and
// the writer that rewrites the file after every epoch (a cut run stays usable).
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { REPO } from './args.js';
import type { EpochPoint, ResultFile, RunRecord } from './types.js';

export function machine(): ResultFile['machine'] {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.+)/.exec(info);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execSync('nproc').toString().trim()) || nproc;
  } catch {
    // no nproc
  }
  const load = (process as unknown as { loadavg?: () => number[] }).loadavg?.() ?? [];
  return { nproc, cpu, node: process.version, platform: `${process.platform}-${process.arch}`, tfjsBackend: tf.getBackend(), loadAverageAtStart: load };
}

export function codeState(): ResultFile['code'] {
  const git = (cmd: string): string => {
    try {
      return execSync(`git ${cmd}`, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return '';
    }
  };
  return { head: git('rev-parse --short HEAD'), srcDirty: git('status --porcelain -- src').split('\n').filter((l) => l.length > 0) };
}

export function round(x: number, d = 4): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export function selectBy(curve: EpochPoint[], key: (p: EpochPoint) => number | undefined): EpochPoint | undefined {
  // strictly greater, as the original code (`if hr > best_hr`): the earliest best wins
  let best: EpochPoint | undefined;
  for (const p of curve) {
    const v = key(p);
    if (v === undefined) continue;
    if (best === undefined || v > (key(best) as number)) best = p;
  }
  return best;
}

export function selections(curve: EpochPoint[]): RunRecord['selection'] {
  const t = selectBy(curve, (p) => p.test.hr);
  if (!t) return undefined;
  const v = selectBy(curve, (p) => p.val?.hr);
  return {
    byTest: { epoch: t.epoch, hr: t.test.hr, ndcg: t.test.ndcg },
    ...(v ? { byVal: { epoch: v.epoch, hr: v.test.hr, ndcg: v.test.ndcg, valHr: v.val!.hr } } : {}),
  };
}

export class Writer {
  constructor(
    private readonly path: string,
    readonly file: ResultFile,
  ) {}

  flush(): void {
    this.file.updatedAt = new Date().toISOString();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.file, null, 1) + '\n');
    renameSync(tmp, this.path);
  }
}

/** The run being written: SIGINT/SIGTERM mark it cut in the file. */
export interface Current {
  run: RunRecord | null;
}

/** Records the points of one run and ends it (see {@link startRun}). */
export interface RunWriter {
  /** Adds a point to the curve, updates the run's sums and selections, rewrites the file, logs. */
  record(point: EpochPoint): void;
  /** Marks the run complete and rewrites the file. */
  finish(): void;
}

/**
 * Puts `run` in the result file (replacing a run of the same id) as the current run.
 *
 * @param log - prints a recorded point (each trainer has its own line format)
 * @param onPoint - called with each point before the file is written (e.g. to keep checkpoints)
 */
export function startRun(writer: Writer, current: Current, run: RunRecord, log: (point: EpochPoint) => void, onPoint?: (point: EpochPoint) => void): RunWriter {
  writer.file.runs = writer.file.runs.filter((r) => r.id !== run.id);
  writer.file.runs.push(run);
  current.run = run;
  const wall0 = performance.now();
  return {
    record(point) {
      run.curve.push(point);
      run.evalSeconds = round(run.evalSeconds + point.evalSeconds, 2);
      run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
      run.selection = selections(run.curve);
      onPoint?.(point);
      writer.flush();
      log(point);
    },
    finish() {
      run.status = 'complete';
      run.finishedAt = new Date().toISOString();
      run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
      current.run = null;
      writer.flush();
    },
  };
}
