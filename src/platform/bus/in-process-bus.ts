import {
  isValidSubject,
  subjectMatches,
  type BusErrorReporter,
  type BusHandler,
  type EventBus,
  type Subject,
  type SubscribeOptions,
  type Subscription,
} from './event-bus.js';

/** Tuning for the in-process bus. */
export interface InProcessBusOptions {
  /** Messages (batches) a subscription may have waiting before publishers wait. Default 256. */
  maxQueuedMessages?: number;
  /** Pause before redelivering a failed message, by attempt just failed. Default 100 ms × 2^(attempt-1), at most 5 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Where handler failures go. Default: one line on stderr. */
  onError?: BusErrorReporter;
}

interface Queued {
  subject: string;
  events: readonly unknown[];
}

const defaultRetryDelay = (attempt: number): number => Math.min(5000, 100 * 2 ** (attempt - 1));

const defaultReporter: BusErrorReporter = (error, info) => {
  const what = error instanceof Error ? error.message : String(error);
  console.error(
    `bus: ${info.subscription} failed on ${info.subject} (attempt ${info.attempt}${info.final ? ', giving up' : ''}): ${what}`,
  );
};

/**
 * The single-process EventBus: each subscription is a bounded FIFO worked by one async loop, so a
 * slow subscriber delays its own queue and, once that is full, publishers (backpressure) — never
 * memory. Nothing survives a restart; see EventBus for the delivery contract.
 */
export class InProcessBus implements EventBus {
  private readonly consumers = new Map<string, Consumer>();
  private closed = false;
  private readonly maxQueued: number;
  private readonly retryDelay: (attempt: number) => number;
  private readonly report: BusErrorReporter;

  constructor(options: InProcessBusOptions = {}) {
    this.maxQueued = options.maxQueuedMessages ?? 256;
    this.retryDelay = options.retryDelayMs ?? defaultRetryDelay;
    this.report = options.onError ?? defaultReporter;
    if (!(this.maxQueued >= 1)) throw new Error('maxQueuedMessages must be at least 1');
  }

  async publish<T>(subject: Subject<T>, events: readonly T[]): Promise<void> {
    if (this.closed) throw new Error('the bus is closed');
    if (!isValidSubject(subject, false)) {
      throw new Error(`cannot publish on "${subject}": not a concrete subject`);
    }
    if (events.length === 0) return;
    for (const consumer of this.consumers.values()) {
      if (subjectMatches(consumer.pattern, subject)) await consumer.enqueue({ subject, events });
    }
  }

  subscribe<T>(pattern: Subject<T>, handler: BusHandler<T>, options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('the bus is closed');
    if (!isValidSubject(pattern, true)) throw new Error(`invalid subscription pattern "${pattern}"`);
    if (this.consumers.has(options.name)) throw new Error(`a subscription named "${options.name}" exists`);
    const consumer = new Consumer(pattern, options.name, handler as BusHandler<unknown>, {
      maxQueued: this.maxQueued,
      maxDeliver: options.maxDeliver ?? 5,
      retryDelay: this.retryDelay,
      report: this.report,
    });
    this.consumers.set(options.name, consumer);
    return {
      unsubscribe: () => {
        consumer.stop();
        this.consumers.delete(options.name);
      },
    };
  }

  async drain(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.idle()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    for (const consumer of this.consumers.values()) consumer.stop();
    this.consumers.clear();
  }
}

interface ConsumerOptions {
  maxQueued: number;
  maxDeliver: number;
  retryDelay: (attempt: number) => number;
  report: BusErrorReporter;
}

/** One subscription: a bounded queue and the loop that hands its messages to the handler in order. */
class Consumer {
  private readonly queue: Queued[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private running = false;
  private stopped = false;

  constructor(
    readonly pattern: string,
    private readonly name: string,
    private readonly handler: BusHandler<unknown>,
    private readonly options: ConsumerOptions,
  ) {}

  async enqueue(message: Queued): Promise<void> {
    while (!this.stopped && this.queue.length >= this.options.maxQueued) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.stopped) return;
    this.queue.push(message);
    if (!this.running) void this.run();
  }

  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const wake of this.roomWaiters.splice(0)) wake();
    if (!this.running) this.settleIdle();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (!this.stopped && this.queue.length > 0) {
      const message = this.queue[0]!;
      await this.deliver(message);
      this.queue.shift();
      this.roomWaiters.shift()?.();
    }
    this.running = false;
    this.settleIdle();
  }

  private async deliver(message: Queued): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.handler({ subject: message.subject, events: message.events, attempt });
        return;
      } catch (error) {
        const final = attempt >= this.options.maxDeliver;
        this.options.report(error, { subscription: this.name, subject: message.subject, attempt, final });
        if (final) return;
        const delay = this.options.retryDelay(attempt);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private settleIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
