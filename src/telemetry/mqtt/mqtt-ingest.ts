import { setTimeout as sleep } from 'node:timers/promises';
import type { Visibility } from '../../jurisdictions/visibility.js';
import { AppError, type ErrorCode } from '../../errors.js';
import type { RejectedItem, TelemetryIngest } from '../telemetry-ingest.js';
import { ThrottledWarn, type MqttLog } from './mqtt-log.js';
import { parseMessage } from './mqtt-payload.js';

/** Where a message came from, and whether it is still worth holding on to. */
export interface MessageContext {
  /** The publisher's MQTT client id when known (embedded broker), for logs and rejection reports. */
  clientId?: string;
  /** What the publisher may write to: its key's jurisdiction, or everything (external broker). */
  visible: Visibility;
  /** False once the publisher is gone or ingest is closing: retrying after that is pointless. */
  alive(): boolean;
}

/**
 * What became of one message. `ingested` and `dropped` are final, so the message is acknowledged;
 * `abandoned` means the store stayed full until the publisher left, so it is not acknowledged and
 * the publisher sends it again when it reconnects.
 */
export type MessageOutcome =
  | { kind: 'ingested'; total: number; accepted: number; rejected: RejectedItem[] }
  | { kind: 'dropped'; code: ErrorCode; message: string }
  | { kind: 'abandoned' };

/** Counters since start, for logs and metrics. */
export interface MqttStats {
  messages: number;
  readingsAccepted: number;
  readingsRejected: number;
  messagesDropped: number;
  overloadRetries: number;
}

/** What MqttIngestor needs: the shared ingest entry point and a logger. */
export interface MqttIngestorDeps {
  ingest: Pick<TelemetryIngest, 'ingest'>;
  log: MqttLog;
  /** First and largest wait between attempts while the store is full, ms (default 20 → 1,000). */
  backoffMs?: { initial: number; max: number };
}

/** At most this many per-reading refusals go into one rejection report. */
const REPORT_LIMIT = 100;

/**
 * One MQTT message → TelemetryIngest, for both the embedded broker and the external subscriber.
 * Resolves only when the outcome is final, which is when the caller may acknowledge: after the
 * readings are durable, or when the message can never be stored. While the store is full
 * (OVERLOADED) it waits and tries again instead of buffering: the acknowledgement is withheld, so
 * the publisher's in-flight window fills and it stops sending.
 */
export class MqttIngestor {
  /** Counters since start. */
  readonly stats: MqttStats = {
    messages: 0,
    readingsAccepted: 0,
    readingsRejected: 0,
    messagesDropped: 0,
    overloadRetries: 0,
  };
  private readonly warn: ThrottledWarn;
  private readonly backoff: { initial: number; max: number };

  constructor(private readonly deps: MqttIngestorDeps) {
    this.warn = new ThrottledWarn(deps.log);
    this.backoff = deps.backoffMs ?? { initial: 20, max: 1_000 };
  }

  /** Parses, validates and stores one message; throws only on failures other than overload. */
  async handle(topic: string, payload: Uint8Array, context: MessageContext): Promise<MessageOutcome> {
    this.stats.messages++;
    const parsed = parseMessage(topic, payload);
    if (!parsed.ok) {
      this.stats.messagesDropped++;
      // MQTT has no per-message error reply: the log (and, embedded, the rejection topic) is all there is.
      this.warn.warn(
        `dropped:${parsed.code}`,
        { clientId: context.clientId, topic: topic.slice(0, 200), code: parsed.code, reason: parsed.message },
        'MQTT message dropped 消息已丢弃',
      );
      return { kind: 'dropped', code: parsed.code, message: parsed.message };
    }
    let wait = this.backoff.initial;
    for (;;) {
      try {
        const report = await this.deps.ingest.ingest(parsed.items, context.visible);
        const rejected = [
          ...parsed.refused,
          ...report.rejected.map((r) => ({ ...r, index: parsed.positions[r.index] ?? r.index })),
        ].sort((a, b) => a.index - b.index);
        this.stats.readingsAccepted += report.accepted;
        this.stats.readingsRejected += rejected.length;
        if (rejected[0]) {
          this.warn.warn(
            `rejected:${rejected[0].code}`,
            {
              clientId: context.clientId,
              topic: topic.slice(0, 200),
              rejected: rejected.length,
              first: rejected[0],
            },
            'MQTT readings refused 监测数据被拒收',
          );
        }
        return { kind: 'ingested', total: parsed.total, accepted: report.accepted, rejected };
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (!context.alive()) return { kind: 'abandoned' };
        this.stats.overloadRetries++;
        this.warn.warn(
          'overloaded',
          { clientId: context.clientId, retryInMs: wait },
          'MQTT ingest waiting: store at capacity, acknowledgement withheld 存储已满，暂缓确认',
        );
        await sleep(wait);
        wait = Math.min(wait * 2, this.backoff.max);
        if (!context.alive()) return { kind: 'abandoned' };
      }
    }
  }
}

/** Full store or a dependency briefly away: waiting helps. Anything else is a failure to surface. */
function isTransient(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'OVERLOADED' || error.code === 'SERVICE_UNAVAILABLE');
}

/**
 * The JSON report published to `cityops/telemetry/rejected/{clientId}` when a message was dropped or
 * some of its readings were refused; undefined when there is nothing to report.
 */
export function rejectionReport(topic: string, outcome: MessageOutcome): Buffer | undefined {
  switch (outcome.kind) {
    case 'abandoned':
      return undefined;
    case 'dropped':
      return Buffer.from(
        JSON.stringify({ topic, accepted: 0, error: { code: outcome.code, message: outcome.message } }),
      );
    case 'ingested': {
      if (outcome.rejected.length === 0) return undefined;
      const shown = outcome.rejected.slice(0, REPORT_LIMIT);
      const more = outcome.rejected.length - shown.length;
      return Buffer.from(
        JSON.stringify({ topic, accepted: outcome.accepted, rejected: shown, ...(more > 0 ? { more } : {}) }),
      );
    }
  }
}
