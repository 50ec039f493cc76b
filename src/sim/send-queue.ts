/**
 * Requests that must not hold up the readings (citizens' reports, detections): queued and sent a
 * few at a time in the background. `whenBelow` gives backpressure — the main loop waits only when
 * the queue is far behind — and `drain` waits for all of it at the end of a run.
 */
export class SendQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  /** Tasks queued or in flight. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Queues a task; a task handles its own errors. */
  push(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.pump();
  }

  /** Resolves once at most `limit` tasks are queued or in flight. */
  async whenBelow(limit: number): Promise<void> {
    while (this.size > limit) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Resolves once everything queued has been sent. */
  drain(): Promise<void> {
    return this.whenBelow(0);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      void task()
        .catch(() => {})
        .finally(() => {
          this.running--;
          const wake = this.idle;
          this.idle = [];
          for (const resolve of wake) resolve();
          this.pump();
        });
    }
  }
}
