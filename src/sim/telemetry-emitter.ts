import type { Fleet } from './fleet.js';
import { SimTargetError, type Credential, type SimHttp } from './http-client.js';
import type { ReportSchedule } from './schedule.js';
import type { SignalModel } from './signal-model.js';

/** What telemetry the run sent. */
export interface TelemetryCounters {
  accepted: number;
  rejected: Record<string, number>;
  batches: number;
  failedBatches: number;
  lastError: string | null;
}

interface Lane {
  /** The readings buffered for the next batch, as JSON objects joined by commas. */
  body: string;
  count: number;
  /** Completion of each batch sent and not yet answered, oldest first. */
  pending: Promise<void>[];
  tail: Promise<void>;
}

/**
 * Turns the schedule and the signal model into `POST /api/v1/telemetry` batches. Sensors are split
 * over lanes (sensor index modulo the lane count); each lane sends one batch at a time and waits
 * for its 202, so a sensor's readings reach the server in time order (the alarm engine ignores a
 * reading older than the last one it saw) while the lanes together keep several requests in flight.
 */
export class TelemetryEmitter {
  readonly counters: TelemetryCounters = {
    accepted: 0,
    rejected: {},
    batches: 0,
    failedBatches: 0,
    lastError: null,
  };
  private readonly lanes: Lane[];
  /** Per sensor, the start of its reading's JSON (`{"sensor":"…","ts":`); empty when excluded. */
  private readonly heads: string[];
  private fatal: Error | undefined;

  constructor(
    private readonly http: SimHttp,
    private readonly credential: Credential,
    fleet: Fleet,
    private readonly model: SignalModel,
    private readonly schedule: ReportSchedule,
    private readonly options: { lanes: number; batchSize: number; excluded: ReadonlySet<string> },
  ) {
    // Built once: string concatenation of these is the cheapest way to a request body (measured
    // 0.75 M readings/s on one core against 0.59 M/s with an array of parts and join).
    this.heads = fleet.sensors.map((s) =>
      options.excluded.has(s.id) ? '' : `{"sensor":${JSON.stringify(s.id)},"ts":`,
    );
    this.lanes = Array.from({ length: options.lanes }, () => ({
      body: '',
      count: 0,
      pending: [],
      tail: Promise.resolve(),
    }));
  }

  /** Generates every reading due in [from, to) and sends full batches; waits while lanes are behind. */
  async emit(from: number, to: number): Promise<void> {
    this.check();
    const lanes = this.lanes;
    const count = lanes.length;
    const size = this.options.batchSize;
    this.schedule.forEach(from, to, (sensor, t) => {
      const head = this.heads[sensor]!;
      if (head === '') return;
      const value = this.model.value(sensor, t);
      if (value === null) return;
      const lane = lanes[sensor % count]!;
      lane.body += (lane.count === 0 ? '' : ',') + head + t + ',"value":' + value + '}';
      if (++lane.count >= size) this.dispatch(lane);
    });
    // Backpressure: at most one batch waiting behind the one in flight, per lane.
    for (const lane of lanes) while (lane.pending.length > 1) await lane.pending[0];
    this.check();
  }

  /** Sends what is buffered (a partial batch per lane) and waits until every lane is answered. */
  async flush(): Promise<void> {
    for (const lane of this.lanes) if (lane.count > 0) this.dispatch(lane);
    await Promise.all(this.lanes.map((l) => l.tail));
    this.check();
  }

  /** Throws what made sending impossible (a revoked key), once a batch has met it. */
  private check(): void {
    const fatal = this.fatal;
    if (fatal) throw fatal;
  }

  /** Readings buffered or in flight, for progress displays. */
  get buffered(): number {
    return this.lanes.reduce((n, l) => n + l.count, 0);
  }

  private dispatch(lane: Lane): void {
    const body = `{"readings":[${lane.body}]}`;
    const size = lane.count;
    lane.body = '';
    lane.count = 0;
    const done = lane.tail.then(() => this.post(body, size));
    lane.tail = done;
    lane.pending.push(done);
    void done.then(() => lane.pending.splice(lane.pending.indexOf(done), 1));
  }

  private async post(body: string, size: number): Promise<void> {
    if (this.fatal) return;
    try {
      const answer = await this.http.send<{
        accepted?: number;
        rejected?: { code: string }[];
        error?: { code: string; message: string };
      }>('POST', '/api/v1/telemetry', {
        auth: this.credential,
        body: { text: body, type: 'application/json' },
      });
      this.counters.batches++;
      if (answer.status === 202) {
        this.counters.accepted += answer.body.accepted ?? 0;
        for (const r of answer.body.rejected ?? []) {
          this.counters.rejected[r.code] = (this.counters.rejected[r.code] ?? 0) + 1;
        }
        return;
      }
      this.counters.failedBatches++;
      const error = answer.body.error;
      this.counters.lastError = `HTTP ${answer.status}${error ? ` ${error.code}: ${error.message}` : ''} (${size} readings)`;
      if (answer.status === 401 || answer.status === 403) {
        this.fatal = new SimTargetError(
          `telemetry refused: ${this.counters.lastError}; was the device key revoked?`,
          answer.status,
        );
      }
    } catch (error) {
      this.counters.failedBatches++;
      this.counters.lastError = (error as Error).message;
      if (error instanceof SimTargetError) this.fatal = error;
    }
  }
}
