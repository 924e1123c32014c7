// Entry point of a score worker (Node worker_threads or a browser Web Worker), started by
// `recommendAll` with `threads` > 1. It is a bundle entry of its own ('score-worker' in
// tsup.config.ts) so it can be started by URL, and it imports no TensorFlow.js: only the fast
// scorer (which builds its own WebAssembly SIMD kernel instance) and the chunk ranker.
//
// It gets the weights once ('init'), then ranks the chunks it is sent, one at a time in arrival
// order, and transfers each chunk's top-K arrays back.
import { importNodeBuiltin } from '../_lib/node-import.js';
import { ChunkRanker } from './rank-chunk.js';
import { NcfFastScorer } from './scorer-fast.js';
import type { ScoreReply, ScoreRequest } from './score-protocol.js';

interface Port {
  post(message: ScoreReply, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: ScoreRequest) => void): void;
}

function serve(port: Port): void {
  let ranker: ChunkRanker | null = null;
  port.listen((message) => {
    try {
      if (message.type === 'init') {
        const scorer = new NcfFastScorer(message.weights);
        ranker = new ChunkRanker(scorer, message.k, message.candidates);
        port.post({ type: 'ready', kernel: scorer.kernel });
        return;
      }
      if (ranker === null) throw new Error('score worker: a chunk before init');
      const { id, users, seenOffsets, seenItems } = message;
      const seen = seenOffsets === undefined || seenItems === undefined ? undefined : { offsets: seenOffsets, items: seenItems };
      const { items, scores, counts } = ranker.rank(users, seen);
      port.post({ type: 'ranked', id, items, scores, counts }, [items.buffer, scores.buffer, counts.buffer] as ArrayBuffer[]);
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
      port.post({ type: 'error', message: e instanceof Error ? e.message : String(e), code });
    }
  });
}

async function main(): Promise<void> {
  const scope = globalThis as unknown as {
    WorkerGlobalScope?: unknown;
    postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
    addEventListener(type: 'message', h: (e: { data: ScoreRequest }) => void): void;
  };
  if (scope.WorkerGlobalScope !== undefined) {
    serve({ post: (m, t) => scope.postMessage(m, t ?? []), listen: (h) => scope.addEventListener('message', (e) => h(e.data)) });
    return;
  }
  const { parentPort } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads', 'a score worker needs worker_threads');
  if (parentPort === null) return; // imported on a main thread: nothing to serve
  serve({ post: (m, t) => parentPort.postMessage(m, t ?? []), listen: (h) => parentPort.on('message', h) });
}

void main();
