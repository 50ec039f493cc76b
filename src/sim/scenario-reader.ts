import { parseDuration } from './duration.js';
import type { ScenarioProblem } from './scenario.types.js';

/**
 * Reads fields out of a parsed scenario file and collects every problem with its JSON path, so a
 * user sees all of them at once ("incidents[2].at: …") rather than fixing one per run.
 */
export class FieldReader {
  readonly problems: ScenarioProblem[] = [];

  /** Records a problem at `path`. */
  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** The object at `path`, reporting unknown fields; undefined (and a problem) if it is not one. */
  object(value: unknown, path: string, known: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path || '(file)', `must be a JSON object, got ${describe(value)}`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!known.includes(key)) {
        this.problem(join(path, key), `unknown field; the fields here are ${known.join(', ')}`);
      }
    }
    return record;
  }

  /** A string field (required unless a fallback is given). */
  string(record: Record<string, unknown>, path: string, key: string, options: StringOptions = {}): string {
    const value = record[key];
    const at = join(path, key);
    if (value === undefined) {
      if (options.fallback !== undefined) return options.fallback;
      this.problem(at, 'is required');
      return '';
    }
    if (typeof value !== 'string') {
      this.problem(at, `must be a string, got ${describe(value)}`);
      return options.fallback ?? '';
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.problem(at, options.patternMessage ?? `does not match ${String(options.pattern)}`);
    }
    if (value.length > (options.maxLength ?? 2000)) {
      this.problem(at, `is longer than ${options.maxLength ?? 2000} characters`);
    }
    return value;
  }

  /** A number field within [min, max]; `integer` refuses fractions. */
  number(
    record: Record<string, unknown>,
    path: string,
    key: string,
    options: { min: number; max: number; fallback: number; integer?: boolean },
  ): number {
    const value = record[key];
    const at = join(path, key);
    if (value === undefined) return options.fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problem(at, `must be a number, got ${describe(value)}`);
      return options.fallback;
    }
    if (options.integer && !Number.isInteger(value)) {
      this.problem(at, `must be a whole number, got ${value}`);
      return options.fallback;
    }
    if (value < options.min || value > options.max) {
      this.problem(at, `must be between ${options.min} and ${options.max}, got ${value}`);
      return options.fallback;
    }
    return value;
  }

  /** A boolean field. */
  boolean(record: Record<string, unknown>, path: string, key: string, fallback: boolean): boolean {
    const value = record[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(join(path, key), `must be true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  /** A duration field (`90s`, `15m`, `2h`, `1d`, `1h30m`, or seconds) within [minMs, maxMs]. */
  duration(
    record: Record<string, unknown>,
    path: string,
    key: string,
    options: { minMs: number; maxMs: number },
  ): number | undefined {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    const at = join(path, key);
    const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      this.problem(
        at,
        `must be a duration such as "90s", "15m", "2h", "1d" or "1h30m", got ${describe(value)}`,
      );
      return undefined;
    }
    if (ms < options.minMs || ms > options.maxMs) {
      this.problem(
        at,
        `must be between ${show(options.minMs)} and ${show(options.maxMs)}, got ${describe(value)}`,
      );
      return undefined;
    }
    return ms;
  }

  /** An array field (empty when absent). */
  array(record: Record<string, unknown>, path: string, key: string, maxItems: number): unknown[] {
    const value = record[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problem(join(path, key), `must be a list ([…]), got ${describe(value)}`);
      return [];
    }
    if (value.length > maxItems) this.problem(join(path, key), `has more than ${maxItems} entries`);
    return value.slice(0, maxItems);
  }
}

interface StringOptions {
  fallback?: string;
  pattern?: RegExp;
  patternMessage?: string;
  maxLength?: number;
}

/** `a.b`, `a[2]`: a JSON path for messages. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? typeof value;
}

function show(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
