import type { SortedReadings } from './reading-codec.js';

/**
 * Merges sorted, duplicate-free sources into one, where a later source beats an earlier one on the
 * same ts: this is how "the last arrival wins" survives across chunks, pieces and the memtable
 * (callers pass sources oldest first). Sources that do not overlap in time, the usual case, are
 * concatenated without sorting.
 */
export function mergeSorted(sources: readonly SortedReadings[]): SortedReadings {
  const present = sources.filter((s) => s.ts.length > 0);
  if (present.length === 0) return { ts: new Float64Array(0), values: new Float64Array(0) };
  if (present.length === 1) return present[0]!;
  const byStart = [...present].sort((a, b) => a.ts[0]! - b.ts[0]!);
  const disjoint = byStart.every((s, i) => {
    const previous = byStart[i - 1];
    return previous === undefined || s.ts[0]! > previous.ts[previous.ts.length - 1]!;
  });
  let total = 0;
  for (const s of present) total += s.ts.length;
  if (disjoint) {
    const ts = new Float64Array(total);
    const values = new Float64Array(total);
    let at = 0;
    for (const s of byStart) {
      ts.set(s.ts, at);
      values.set(s.values, at);
      at += s.ts.length;
    }
    return { ts, values };
  }
  // Overlap: order every reading by (ts, source priority) and keep the last of each ts.
  const ts = new Float64Array(total);
  const values = new Float64Array(total);
  const rank = new Int32Array(total);
  let at = 0;
  present.forEach((s, priority) => {
    ts.set(s.ts, at);
    values.set(s.values, at);
    rank.fill(priority, at, at + s.ts.length);
    at += s.ts.length;
  });
  return lastPerTs(ts, values, rank);
}

/**
 * Sorts readings by ts (ties by `rank`, then input order) and keeps the last reading of each ts.
 * With rank omitted, input order is arrival order, so the latest arrival wins.
 */
export function lastPerTs(ts: Float64Array, values: Float64Array, rank?: Int32Array): SortedReadings {
  const n = ts.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = ts[i]! > ts[i - 1]!;
  if (sorted) return { ts, values };
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => ts[a]! - ts[b]! || (rank ? rank[a]! - rank[b]! : 0) || a - b);
  const outTs: number[] = [];
  const outValues: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = order[i]!;
    const next = order[i + 1];
    if (next !== undefined && ts[next] === ts[at]) continue;
    outTs.push(ts[at]!);
    outValues.push(values[at]!);
  }
  return { ts: Float64Array.from(outTs), values: Float64Array.from(outValues) };
}
