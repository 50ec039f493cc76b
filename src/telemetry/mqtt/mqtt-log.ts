/** The logger MQTT ingest writes to: the subset of pino's API it uses (Fastify's `app.log` fits). */
export interface MqttLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything (tests, benchmarks). */
export const SILENT_LOG: MqttLog = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Warns at most once per `intervalMs` per kind of event, with how many were suppressed since.
 * A misconfigured fleet of thousands of devices would otherwise write a line per message.
 */
export class ThrottledWarn {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: MqttLog,
    private readonly intervalMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Logs `msg` under `kind` unless one was logged less than the interval ago. */
  warn(kind: string, obj: object, msg: string): void {
    const now = this.clock();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    // Kinds are a small fixed set (codes, not client ids), so this map stays small.
    this.last.set(kind, { at: now, suppressed: 0 });
    this.log.warn(suppressed > 0 ? { ...obj, suppressedSinceLast: suppressed } : obj, msg);
  }
}
