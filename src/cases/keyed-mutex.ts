/**
 * Runs async work one at a time per key. De-duplication looks for an open case and then writes;
 * two reports that could be duplicates of each other would both open a case in between, so they
 * queue on the keys they share (CaseRepository.exclusive; on PostgreSQL, advisory locks extend
 * this across processes).
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

  /**
   * Runs `fn` holding every key. Keys are taken in sorted order, so two callers wanting
   * overlapping sets cannot each hold one the other waits for.
   */
  async runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const take = (i: number): Promise<T> =>
      i === sorted.length ? fn() : this.run(sorted[i]!, () => take(i + 1));
    return take(0);
  }
}

/** At most `size` holders at a time; the rest wait in arrival order. */
export class Semaphore {
  private readonly waiting: (() => void)[] = [];
  private held = 0;

  constructor(private readonly size: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `held` stays the same.
      if (next) next();
      else this.held -= 1;
    }
  }
}
