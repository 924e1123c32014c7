// One queue per Recommender: fold-ins (which may replace the model) and saveModel (which reads the
// model, the id maps and the seen items) run one after another, each seeing one consistent state.
// A module-level function rather than a method, so the Recommender class shows apps only what
// they use, while io/ has a named, documented entry to the same queue.

/** The last task queued per owner (a settled or pending promise). */
const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `work` once every task queued before for `owner` has settled, and holds later tasks until
 * this one settles (its failure does not block them).
 *
 * @param owner - the object whose state the task reads or replaces (a Recommender)
 * @param work - the task
 * @returns what `work` returns
 */
export function runExclusive<T>(owner: object, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(owner) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  queues.set(owner, run);
  return run;
}
