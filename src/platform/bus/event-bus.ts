/**
 * The event bus between domains: telemetry publishes readings, alarms and the live feed subscribe.
 *
 * The interface is shaped after NATS JetStream so that a JetStream implementation can replace the
 * in-process one without touching the domains:
 * - subjects are dot-separated tokens (`telemetry.readings`); a subscription pattern may use `*`
 *   (exactly one token) and `>` (one or more trailing tokens), as in NATS;
 * - a message carries a batch of events (`events[]`), never one event per reading, so one publish
 *   costs one JetStream message however many readings it holds;
 * - `subscribe` names a durable consumer; its handler is async and a message counts as
 *   acknowledged only when the handler's promise resolves. A throw (or rejection) is a "nak":
 *   the message is delivered again, up to `maxDeliver` times.
 *
 * Delivery is therefore AT-LEAST-ONCE: a handler may see a message twice (after a failure, or after
 * a JetStream redelivery) and must be idempotent. One publisher's messages reach a subscription in
 * the order published. The in-process bus keeps nothing across a restart; JetStream would.
 */
export interface EventBus {
  /**
   * Hands a batch to every matching subscription. Resolves when the bus has accepted it (queued
   * in-process; stored by the stream with JetStream), not when handlers have run. It waits, rather
   * than buffering without bound, while a subscription's queue is full.
   */
  publish<T>(subject: Subject<T>, events: readonly T[]): Promise<void>;
  /** Starts a durable consumer on `pattern`; the handler runs for one message at a time. */
  subscribe<T>(pattern: Subject<T>, handler: BusHandler<T>, options: SubscribeOptions): Subscription;
  /** Resolves once every queued message has been handled (or given up on). For tests and shutdown. */
  drain(): Promise<void>;
  /** Drains, then stops every subscription; publishing afterwards throws. */
  close(): Promise<void>;
}

/**
 * A subject (or, for subscribers, a pattern) with the type of the events it carries. A plain string
 * at run time; the type parameter lets publishers and subscribers agree on the payload.
 */
export type Subject<T> = string & { readonly __events?: T };

/** Declares a subject and its event type, e.g. `subject<ReadingBatch>('telemetry.readings')`. */
export function subject<T>(name: string): Subject<T> {
  if (!isValidSubject(name, true)) throw new Error(`invalid bus subject "${name}"`);
  return name;
}

/** One delivery of one published batch. */
export interface BusMessage<T> {
  subject: string;
  events: readonly T[];
  /** 1 on first delivery; higher on redelivery after the handler failed. */
  attempt: number;
}

/** Handles one message; resolve to acknowledge, throw to have it delivered again. */
export type BusHandler<T> = (message: BusMessage<T>) => Promise<void> | void;

/** How a subscription is consumed. */
export interface SubscribeOptions {
  /** The durable consumer's name (JetStream: the durable name); unique per bus. */
  name: string;
  /** Deliveries before a message is given up on and reported (JetStream `max_deliver`). Default 5. */
  maxDeliver?: number;
}

/** A running subscription. */
export interface Subscription {
  /** Stops delivery after the message in hand; queued messages are discarded. */
  unsubscribe(): void;
}

/** Called when a handler fails; `final` when the message will not be delivered again. */
export type BusErrorReporter = (
  error: unknown,
  info: { subscription: string; subject: string; attempt: number; final: boolean },
) => void;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Whether `name` is a valid subject (with `pattern`, `*` and a final `>` are allowed). */
export function isValidSubject(name: string, pattern: boolean): boolean {
  const tokens = name.split('.');
  return tokens.every(
    (token, i) =>
      TOKEN.test(token) || (pattern && (token === '*' || (token === '>' && i === tokens.length - 1))),
  );
}

/** Whether a concrete subject matches a pattern, with NATS wildcard rules. */
export function subjectMatches(pattern: string, subjectName: string): boolean {
  const p = pattern.split('.');
  const s = subjectName.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
