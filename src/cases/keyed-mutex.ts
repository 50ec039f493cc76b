/**
 * Runs async work one at a time per key. De-duplication looks for an open case and then writes;
 * two reports of one category in between would both open a case, so they queue per category.
 * (In one process only: with several API processes on PostgreSQL, two may still race; the
 * operators' merge cleans that up.)
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier `run` with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
