// Helpers every benchmark shares: percentiles, peak RSS, number formatting, and running one
// phase of a benchmark in its own process (so each phase's heap and peak RSS are its own).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The p-th percentile (0–100) of the values, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** This process's peak resident set so far, MiB. */
export function peakMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** A whole number with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Runs the benchmark file at `benchUrl` (its import.meta.url) again with `phase` as its argument,
 * in a child process with the same Node options and environment, and returns the JSON the child
 * printed on its last line of stdout.
 */
export function runPhase<T>(benchUrl: string, phase: string): T {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(benchUrl), phase], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${phase} phase failed (exit ${child.status ?? child.signal})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}
